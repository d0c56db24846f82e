"""The price rules in a quote plan's code: the checks of `_Quoting.find_violations` and the pass-through lines.

A part of the plan builder (`runtime.decisions._fast`), kept apart for its size: it emits, through
`PlanCode`'s builder, what the reference path's price rules compute.
"""

from __future__ import annotations

from runtime import ir
from runtime.decisions._limits import capped_line, fee_cap_note
from runtime.decisions._plan_code import PlanCode
from runtime.decisions._pricing import _fraction, _title, checked_rate
from runtime.decisions._quoting import _Quoting
from runtime.decisions._slots import PartnerSlots
from runtime.model import Partner
from runtime.money import format_rate


class PriceCode(PlanCode):
    """Emits a plan's price-rule checks and pass-through lines (the builder sets the seller and its slots)."""

    seller: Partner
    seller_slots: PartnerSlots
    quoting: _Quoting

    def judged(self, kind: str, action: str, message: str, at: ir.Loc | None) -> None:
        """A price check's violation (in the `if` that found it): raised for `reject`, else listed."""
        check = ir.PRICE_CHECKS[kind]
        if action == "reject":
            self.emit(f"raise PriceRejected({self.s(check.code)}, {message}, {self.s(at)})")
            return
        self.plain(f"violation_kinds += ({self.s(kind)},)")
        self.explain(f"violations += (Violation({self.s(kind)}, {message}, {self.s(ir.RuleRef.price_check(kind))}, "
                     f"{self.s(at)}, {self.s(action)}, {self.s(check.code)}),)")

    def violations(self, rules: ir.PriceRules | None) -> None:
        """The price rules' checks, as `_Quoting.find_violations`: a `reject` raises, `hold` is always listed,
        `flag` when the quoter keeps violations; the maximum discount is read all the same."""
        keep, slots = self.quoter.violations, self.seller_slots
        catalog = self.version.rules.catalog
        if catalog is not None and (keep or catalog.action != "flag"):
            self.emit("item_price = txn.fields.get('item.list_price')")
            with self.when("item_price is not None and list_price != item_price"):
                self.judged("catalog_price", catalog.action, "catalog_message(txn, item_price, money)", catalog.at)
        if rules is None:
            return
        if rules.ceiling == "list_price" and (keep or rules.ceiling_action != "flag"):
            with self.when("sell_price > list_price"):
                self.judged("above_list", rules.ceiling_action, "'sell price ' + money(sell_price) + "
                            "' is above the list price ' + money(list_price)", rules.at)
        if ir.price_slot("max_discount") in slots:
            discount = self.slot("seller", self.seller, slots, ir.price_slot("max_discount"))
            if keep or rules.max_discount_action != "flag":
                at = rules.max_discount.at if rules.max_discount else rules.at
                if self.is_static(discount):
                    d = _fraction(self.value(discount))
                    test = f"sell_price * {self.s(d.denominator)} < list_price * {self.s(d.denominator - d.numerator)}"
                    first = f"max_discount = {self.s(d)}"
                else:
                    self.emit(f"max_discount = fraction({discount})")
                    test = ("sell_price * max_discount.denominator < "
                            "list_price * (max_discount.denominator - max_discount.numerator)")
                    first = ""
                with self.when(test):
                    if first:
                        self.emit(first)
                    self.judged("below_floor", rules.max_discount_action, "'sell price ' + money(sell_price) + "
                                "' is below the floor ' + money(price_floor(list_price, max_discount)) + "
                                "' (list less ' + rate(max_discount) + ')'", at)
        if self.late_checks(rules):
            self.emit(f"late = late_violations({self.s(rules)}, quantity, fee_lines, markups, money, {self.s(keep)})")
            with self.when("late"):
                self.plain("violation_kinds += tuple(v.kind for v in late)")
                self.explain("violations += tuple(late)")

    def late_checks(self, rules: ir.PriceRules | None) -> bool:
        """Whether the quote judges its fee lines (`fee_lines`) or pass-through markups (`markups`) after its
        lines."""
        return rules is not None and (rules.min_fee is not None or any(p.billed is not None
                                                                       for p in rules.pass_through))

    def pass_through(self, p: ir.PassThrough, late: bool) -> None:
        """One pass-through's lines (its amount `passed` is not zero): at cost, and its fee."""
        seller, slots = self.seller, self.seller_slots
        sid, vid = self.s(seller.id), self.s(self.version.rules.version)
        name, rule = _title(p.title, p.id), ir.RuleRef.pass_through(p.id, p.at)
        at_cost = self.s(name + " at cost")
        if p.billed is not None:
            billed = self.slot("seller", seller, slots, ir.pass_slot(p.id, "billed"))
            markup = self.slot("seller", seller, slots, ir.pass_slot(p.id, "max_markup"))
            self.emit(f"billed = -abs({billed}) if quantity < 0 else {billed}")
            self.emit(f"markups.append(({self.s(p)}, passed, billed, {markup}))")
            at_cost = f"{self.s(name + ' at cost (billed ')} + money(billed) + ')'"
        fee = self.slot("seller", seller, slots, ir.pass_slot(p.id, "fee"))
        self.emit("cost = passed if passed.__class__ is int else round_amount(passed)" if self.unit == 1
                  else "cost = round_amount(passed)")
        fee_mode = self.ruleset.rounding.mode_for("pass_through_fee")
        if self.is_static(fee):
            checked_rate(self.value(fee), "fee", rule, p.fee.at)  # checked when the plan is built
        else:
            self.emit(f"checked_rate({fee}, 'fee', {self.s(rule)}, {self.s(p.fee.at)})")
        if self.is_static(fee) and self.unit == 1 and fee_mode in ("down", "floor", "ceiling", "up"):
            rate = _fraction(self.value(fee))
            with self.when("passed.__class__ is int") as block:
                self.emit(f"numerator = passed * {self.s(rate.numerator)}")
                self.rounded("fee_amount", "numerator", rate.denominator, fee_mode)
            with self.otherwise(block):
                self.emit(f"fee_amount = round_times(passed, {self.s(rate)}, {self.s(fee_mode)})")
            shown = self.s(format_rate(rate))
        else:
            self.emit(f"fee_amount = round_times(passed, fraction({fee}), {self.s(fee_mode)})")
            shown = f"rate(fraction({fee}))"
        note = "')'"
        if p.fee_cap is not None:
            # The same limit as the reference path's (`_limits.capped_line`), and the same words when it bites.
            self.emit(f"capped_fee = {self.s(capped_line)}(fee_amount, {self.s(p.fee_cap)})")
            self.emit(f"fee_note = {self.s(fee_cap_note(p.fee_cap, self.quoting.money) + ')')} "
                      "if capped_fee != fee_amount else ')'", "" if late else "explain")
            self.emit("fee_amount = capped_fee")
            note = "fee_note"
        if late:
            self.emit(f"fee_lines.append(({self.s('fee on ' + name + ' (')} + {shown} + {note}, fee_amount))")
        self.plain(f"line_figures += (({sid}, 'pass_through', cost), ({sid}, 'fee', fee_amount))")
        self.explain(f"lines += (Line({sid}, 'pass_through', {at_cost}, cost, {self.s(rule)}, "
                     f"{vid}, {self.s(p.amount.at)}, txn_id), Line({sid}, 'fee', {self.s('fee on ' + name + ' (')} "
                     f"+ {shown} + {note}, fee_amount, {self.s(rule)}, {vid}, {self.s(p.fee.at)}, txn_id))")
