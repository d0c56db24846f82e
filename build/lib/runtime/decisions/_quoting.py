"""One quote in progress (`_Quoting`): the steps of docs/computation.md ("A quote"), driven by
`runtime.decisions.quote.Quoter`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from runtime import ir
from runtime.decisions._hints import Hints
from runtime.decisions._limits import capped_line, fee_cap_note, margin_cap_note
from runtime.decisions._pricing import (
    ZERO,
    Priced,
    PriceRejected,
    QuoteError,
    _fraction,
    _Rate,
    _title,
    checked_rate,
    ladder_step,
    price_floor,
)
from runtime.decisions._rounding import chain_prices, round_amount, round_times
from runtime.decisions._slots import PartnerSlots, transaction_env
from runtime.labels import at_cost_label, fee_label, line_label
from runtime.loaded import LoadedVersion
from runtime.model import Figure, Line, Partner, Quote, Share, Transaction, Violation, Volumes
from runtime.money import format_amount, format_rate

if TYPE_CHECKING:
    from runtime.decisions.quote import Quoter

_MAX_DISCOUNT = ir.price_slot("max_discount")


class _Quoting:
    """One quote: the steps of docs/computation.md ("A quote"), in the order they read the program's rules.

    `price()` works out the amounts and lines and reads every rule a quote reads; `run()` adds what
    only a `Quote` shows (shares, rates, next steps).

    INVARIANT: slots are read in the same order whatever the caller leaves out, so the error of the
    first rule that fails is the one a transaction is rejected with.
    """

    def __init__(self, quoter: Quoter, version: LoadedVersion, txn: Transaction) -> None:
        assert version.transaction_slots is not None
        self.quoter = quoter
        self.rt = quoter.rt
        self.rules = version.rules
        self.version = version
        self.index = version.index
        self.table = version.transaction_slots
        self.txn = txn
        self.txn_env = transaction_env(txn)
        rounding = self.rt.ruleset.rounding
        self.mode, self.unit = rounding.mode, rounding.unit
        self.fee_mode, self.referral_mode = rounding.mode_for("pass_through_fee"), rounding.mode_for("referral_fee")
        # Set by price(), for run():
        self.rates: list[_Rate] = []
        self.margin = ZERO
        self.margins: list[Fraction] = []  # of each level of the chain
        self.sources: list[tuple[ir.RuleRef, ir.Loc | None]] = []  # the rule and place of each level's margin
        self.first: Partner | None = None  # the partner that earns the ladder and bonuses, and its contract
        self.first_contract: ir.Contract | None = None
        self.benefits: tuple[Figure, ...] = ()
        self.violations: tuple[Violation, ...] = ()
        # Set by pass_through(): each pass-through with a billed amount, its cost, billed amount and max markup.
        self.markups: list[Markup] = []

    def round(self, value: int | Fraction) -> int:
        return round_amount(value, self.unit, self.mode)

    def money(self, value: int | Fraction) -> str:
        return format_amount(value, self.rt.ruleset.currency, self.rt.ruleset.minor_unit)

    def slots(self, partner: Partner) -> PartnerSlots:
        return PartnerSlots(self.table, self.quoter.cache, partner, self.txn, self.txn_env)

    def contract(self, contract_id: str) -> ir.Contract:
        found = self.index.contracts.get(contract_id)
        if found is None:
            raise QuoteError("E512", f"unknown contract `{contract_id}` in version {self.rules.version}")
        return found

    def run(self) -> Quote:
        priced = self.price()
        txn, seller, contract = self.txn, priced.seller, priced.contract
        assert self.first is not None and self.first_contract is not None
        hierarchy = self.rules.hierarchy
        prices = priced.prices
        shares = tuple(Share(p.id, p.level if hierarchy else 1, self.margins[k], prices[k], priced.receives(k),
                             priced.receives(k) - prices[k], *self.sources[k]) for k, p in enumerate(priced.chain))
        next_steps = Hints(self.rt.ruleset, self.version, self.quoter.cache, self.quoter.volumes).next_steps(
            self.first, self.first_contract, seller) if self.quoter.next_steps else ()
        return Quote(txn.id, seller.id, self.rules.version, contract.id, contract.kind, priced.list_amount,
                     priced.sell_amount, tuple(Figure(*rate) for rate in self.rates), self.margin,
                     prices[0] if prices else None, shares, tuple(priced.lines), self.benefits, self.violations,
                     next_steps, priced.headroom)

    def price(self) -> Priced:
        txn = self.txn
        seller = self.quoter.partners.get(txn.partner)
        if seller is None:
            raise QuoteError("E511", f"unknown partner `{txn.partner}`")
        if self.quoter.membership:
            self.quoter.check_member(txn)
        contract = self.contract(txn.contract or seller.contract)
        list_amount, sell_amount = txn.list_price * txn.quantity, txn.sell_price * txn.quantity
        seller_slots = self.slots(seller)
        priced = Priced(seller, contract, list_amount, sell_amount, (), (), [], None)
        self.first, self.first_contract = seller, contract
        if contract.kind == "referral":
            priced.lines.append(self.referral(seller, contract, seller_slots, sell_amount))
        else:
            self.distribute(priced, seller_slots)
        self.benefits = self.find_benefits(seller, seller_slots)
        self.violations = self.find_violations(seller_slots, priced.lines)
        return priced

    def distribute(self, priced: Priced, seller_slots: PartnerSlots) -> None:
        """Steps 2–10: the margin, the chain's prices and margin lines, pass-through and services."""
        txn, seller, contract = self.txn, priced.seller, priced.contract
        chain_info = self.quoter.chain(self.version, seller)
        chain = priced.chain = chain_info.partners
        first = self.first = chain[0]
        first_slots = seller_slots if first is seller else self.slots(first)
        first_contract = self.first_contract = contract if first is seller else self.contract(first.contract)
        priced.headroom, margin = self.find_margin(first, first_contract, first_slots)
        self.margin = margin
        margins = self.margins = [margin]
        self.sources = [(ir.RuleRef.direct_margin(), self.rates[0][3] if self.rates else contract.at),
                        *chain_info.sources]
        for partner, key, (rule, at) in zip(chain[1:], chain_info.margin_keys, chain_info.sources, strict=True):
            margins.append(checked_rate(self.slots(partner)[key], "margin", rule, at))
        hierarchy = self.rules.hierarchy
        stacked = hierarchy is not None and hierarchy.model == "stacked"
        rounding, margin_cap = self.rt.ruleset.rounding, first_contract.margin_cap
        prices = priced.prices = chain_prices(priced.list_amount, margins, stacked, rounding, margin_cap)
        capped = margin_cap is not None and prices[0] != chain_prices(priced.list_amount, margins, stacked,
                                                                     rounding)[0]
        version_id, label = self.rules.version, line_label("margin", txn.id)
        lines = priced.lines
        for k, partner in enumerate(chain):
            rule, at = self.sources[k]
            shown = label + margin_cap_note(margin_cap, self.money) if k == 0 and capped else label
            lines.append(Line(partner.id, "margin", shown, priced.receives(k) - prices[k], rule, version_id, at,
                              txn.id))
        lines.extend(self.pass_through(seller, seller_slots))
        if contract.services is not None:
            services = seller_slots[ir.contract_slot(contract.id, "services")]
            amount = self.round(-abs(services) if txn.quantity < 0 else services)
            lines.append(Line(seller.id, "services", line_label("services", txn.id), amount,
                              ir.RuleRef.contract(contract.id, contract.at), version_id, contract.at, txn.id))

    def find_margin(self, partner: Partner, contract: ir.Contract,
                    slots: PartnerSlots) -> tuple[Fraction | None, Fraction]:
        """Steps 2–5: the margin of the partner that buys from the vendor, with how it came about in `rates`.

        Returns:
            The ladder's headroom under a margin cap (None when no cap applies), and the margin.
        """
        standing, total = self.quoter.standing(self.version, partner, contract, slots)
        rates = self.rates
        rates.extend(standing)
        caps = [(checked_rate(slots[cap_key], "cap", ir.RuleRef.margin_cap(cap.id, cap.at), cap.cap.at), cap)
                for cap, when_key, cap_key in self.index.caps if slots[when_key]]
        headroom = None
        if caps:
            # Under a cap, the ladder can add at most what the cap leaves above base margin and uplift.
            headroom = max(Fraction(0), min(cap for cap, _ in caps) - total)
        if self.quoter.include_ladder and contract.ladder is not None:
            ladder = self.index.ladders[contract.ladder]
            volume = (self.quoter.volumes.get(partner.id) or Volumes()).basis(ladder.basis)
            index, step = ladder_step(ladder, volume)
            if step is not None:
                rates.append(("ladder rate", step.rate, ir.RuleRef.ladder(ladder.id, index + 1, ladder.at), step.at))
                total += step.rate
        if caps:
            cap, rule = min(caps, key=lambda pair: pair[0])
            if cap < total:
                rates.append(("margin cap", cap, ir.RuleRef.margin_cap(rule.id, rule.at), rule.at))
                total = cap
        if total > 1:  # the parts are each in range: only their sum can pass 100 %
            _, _, last, at = rates[-1]
            checked_rate(total, "the margin", last, at)
        return headroom, total

    def pass_through(self, seller: Partner, slots: PartnerSlots) -> list[Line]:
        lines: list[Line] = []
        # A refund or cancellation (negative quantity) reverses the pass-through it carries.
        sign = -1 if self.txn.quantity < 0 else 1
        for p in self.rules.price_rules.pass_through if self.rules.price_rules else ():
            amount = slots[ir.pass_slot(p.id, "amount")]
            amount = abs(amount) * sign if sign < 0 else amount
            if not amount:
                continue
            name = _title(p.title, p.id)
            rule = ir.RuleRef.pass_through(p.id, p.at)
            label = at_cost_label(name)
            if p.billed is not None:
                billed = slots[ir.pass_slot(p.id, "billed")]
                billed = abs(billed) * sign if sign < 0 else billed
                label = at_cost_label(name, self.money(billed))
                self.markups.append((p, amount, billed, slots.get(ir.pass_slot(p.id, "max_markup"))))
            lines.append(Line(seller.id, "pass_through", label, self.round(amount), rule,
                              self.rules.version, p.amount.at, self.txn.id))
            fee = checked_rate(slots[ir.pass_slot(p.id, "fee")], "fee", rule, p.fee.at)
            fee_line = round_times(amount, fee, self.unit, self.fee_mode)
            capped = capped_line(fee_line, p.fee_cap)
            note = fee_cap_note(p.fee_cap, self.money) if capped != fee_line else ""
            lines.append(Line(seller.id, "fee", fee_label(name, format_rate(fee), note), capped, rule,
                              self.rules.version, p.fee.at, self.txn.id))
        return lines

    def referral(self, seller: Partner, contract: ir.Contract, slots: PartnerSlots, sell_amount: int) -> Line:
        """Step 11: the referral fee line (and its rates)."""
        raw = slots.get(ir.contract_slot(contract.id, "fee"), 0)
        is_rate = contract.fee is not None and _is_rate(contract.fee)
        fee = Fraction(raw) * sell_amount if is_rate else Fraction(raw) * (1 if self.txn.quantity >= 0 else -1)
        rule = ir.RuleRef.contract(contract.id, contract.at)
        if is_rate and contract.fee:
            checked_rate(raw, "fee", rule, contract.fee.at)
            self.rates.append(("referral fee rate", Fraction(raw), rule, contract.fee.at))
        if contract.fee_cap is not None and abs(fee) > contract.fee_cap:
            fee = Fraction(contract.fee_cap if fee > 0 else -contract.fee_cap)
            self.rates.append(("referral fee cap", contract.fee_cap, rule, contract.at))
        return Line(seller.id, "referral_fee", line_label("referral_fee", self.txn.id),
                    round_amount(fee, self.unit, self.referral_mode), rule, self.rules.version,
                    contract.fee.at if contract.fee else contract.at, self.txn.id)

    def find_benefits(self, partner: Partner, slots: PartnerSlots) -> tuple[Figure, ...]:
        """Step 12 (empty unless the quoter keeps benefits; their conditions are read all the same)."""
        tier = self.index.tiers.get(partner.tier) if partner.tier is not None else None
        if tier is None:
            return ()
        keep = self.quoter.benefits
        found = []
        for benefit, when_key, value_key in self.index.benefits[tier.id]:
            if slots.get(when_key, True):
                value = slots.get(value_key, 0)
                if keep:
                    found.append(Figure(_title(benefit.title, benefit.id), value,
                                        ir.RuleRef.benefit(benefit.id, benefit.at), benefit.at))
        return tuple(found)

    def find_violations(self, slots: PartnerSlots, lines: list[Line]) -> tuple[Violation, ...]:
        """Step 13: the price rules' violations, in the order of `ir.PRICE_CHECKS`.

        A violation whose action is `reject` raises its code; `hold` violations are always listed (a
        settlement keeps the line out); `flag` violations only when the quoter keeps violations. The
        maximum discount is read all the same.

        Raises:
            QuoteError: a violation whose action is `reject` (the first one found).
        """
        rules = self.rules.price_rules
        txn = self.txn
        found: list[Violation] = []
        keep = self.quoter.violations

        def judge(kind: str, action: str, message: str, at: ir.Loc | None) -> None:
            judge_violation(found, keep, kind, action, message, at)

        catalog = self.rules.catalog
        if catalog is not None and (listed := txn.fields.get("item.list_price")) is not None and \
                txn.list_price != listed:
            judge("catalog_price", catalog.action, catalog_message(txn, listed, self.money), catalog.at)
        if rules is None:
            return tuple(found)

        if rules.ceiling == "list_price" and txn.sell_price > txn.list_price:
            judge("above_list", rules.ceiling_action, f"sell price {self.money(txn.sell_price)} is above the list "
                  f"price {self.money(txn.list_price)}", rules.at)
        if _MAX_DISCOUNT in slots:
            discount = _fraction(slots[_MAX_DISCOUNT])
            # sell price < list price × (1 − discount), in integers
            if txn.sell_price * discount.denominator < txn.list_price * (discount.denominator - discount.numerator):
                floor = price_floor(txn.list_price, discount)
                judge("below_floor", rules.max_discount_action, f"sell price {self.money(txn.sell_price)} is below "
                      f"the floor {self.money(floor)} (list less {format_rate(discount)})",
                      rules.max_discount.at if rules.max_discount else rules.at)
        fees = [(line.label, line.amount) for line in lines if line.kind in ("fee", "referral_fee")]
        found.extend(late_violations(rules, txn.quantity, fees, self.markups, self.money, keep))
        return tuple(found)


def catalog_message(txn: Transaction, listed: int, money: Callable[[int | Fraction], str]) -> str:
    """Why a stated list price is a violation of the catalog (`catalog_price`)."""
    return f"list price {money(txn.list_price)} of SKU `{txn.sku}` is not the catalog's {money(listed)}"


def judge_violation(found: list[Violation], keep: bool, kind: str, action: str, message: str, at: ir.Loc | None,
                    rule: ir.RuleRef | None = None) -> None:
    """What a violation of kind `kind` (`ir.PRICE_CHECKS`) does: `reject` raises its code, `hold` is always
    listed in `found`, `flag` when `keep`."""
    check = ir.PRICE_CHECKS[kind]
    if action == "reject":
        raise PriceRejected(check.code, message, at)
    if keep or action == "hold":
        found.append(Violation(kind, message, rule or ir.RuleRef.price_check(kind), at, action, check.code))


Markup = tuple[ir.PassThrough, int | Fraction, int | Fraction, Any]
"""A pass-through line with a billed amount: its rule, cost, billed amount and maximum markup (None: none)."""


def late_violations(rules: ir.PriceRules, quantity: int, fees: Sequence[tuple[str, int]], markups: Sequence[Markup],
                    money: Callable[[int | Fraction], str], keep: bool) -> list[Violation]:
    """The price rules read after a transaction's lines: the minimum fee (a sale's fee lines, as (label, amount)),
    then each pass-through's markup over cost. The reference quote and the quote plans both call this.

    Returns:
        The violations listed (`hold` always, `flag` when `keep`).

    Raises:
        PriceRejected: the first violation whose action is `reject`.
    """
    found: list[Violation] = []

    def judge(kind: str, action: str, message: str, at: ir.Loc | None, rule: ir.RuleRef | None = None) -> None:
        judge_violation(found, keep, kind, action, message, at, rule)

    if rules.min_fee is not None and quantity > 0:
        for label, amount in fees:
            if amount < rules.min_fee:
                judge("fee_below_minimum", rules.min_fee_action, f"{label} is {money(amount)}, below the minimum fee "
                      f"{money(rules.min_fee)}", rules.at)
    for p, cost, billed, max_markup in markups:
        if p.markup == "allowed":
            continue
        # billed > cost × (1 + max markup), compared on magnitudes so that a refund is judged as its sale
        cost_size, billed_size = Fraction(-cost if cost < 0 else cost), Fraction(-billed if billed < 0 else billed)
        limit = cost_size * (1 + _fraction(max_markup)) if max_markup is not None else cost_size
        if billed_size > limit:
            allowed = f" by more than {format_rate(_fraction(max_markup))}" if max_markup is not None else ""
            judge("above_cost", p.action, f"{_title(p.title, p.id)} billed {money(billed)} is above the cost "
                  f"{money(cost)}{allowed}", p.billed.at if p.billed else p.at,
                  ir.RuleRef.pass_through(p.id, p.at))
    return found


def _is_rate(expr: ir.Expr) -> bool:
    if isinstance(expr, ir.Const):
        return expr.type == "percent"
    if isinstance(expr, ir.Field):
        return expr.type == "percent"
    if isinstance(expr, ir.Arith):
        return _is_rate(expr.left) and _is_rate(expr.right) if expr.op in "+-" else \
            (_is_rate(expr.left) or _is_rate(expr.right)) and not any(
                isinstance(s, ir.Const | ir.Field) and s.type == "money" for s in (expr.left, expr.right))
    if isinstance(expr, ir.If):
        return _is_rate(expr.then)
    if isinstance(expr, ir.Call) and expr.args:
        return _is_rate(expr.args[0])
    return False
