"""Quote one transaction: margins, the distributor chain, pass-through and fees, benefits, violations.

Follows docs/computation.md ("A quote"). Every figure names the rule that produced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from runtime import ir
from runtime.engine import EvaluationError
from runtime.loaded import LoadedVersion, Runtime
from runtime.model import Figure, Line, Partner, Quote, Share, Transaction, Violation, Volumes
from runtime.money import format_amount, format_rate, round_line

ZERO = Fraction(0)


class QuoteError(Exception):
    """A transaction the program cannot judge: a code (E5xx) and a reason in the program's words."""

    def __init__(self, code: str, message: str, at: ir.Loc | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.at = at


def partner_env(partner: Partner, txn: Transaction | None, volumes: Volumes | None) -> dict[str, Any]:
    """The flat `scope.name` environment expressions read."""
    env: dict[str, Any] = {"partner.id": partner.id, "partner.tier": partner.tier, "partner.level": partner.level,
                           "partner.contract": partner.contract}
    env.update((f"partner.{k}", v) for k, v in partner.fields.items())
    if txn is not None:
        env.update({"transaction.date": txn.date, "transaction.partner": txn.partner,
                    "transaction.contract": txn.contract or partner.contract, "transaction.product": txn.product,
                    "transaction.list_price": txn.list_price, "transaction.sell_price": txn.sell_price,
                    "transaction.quantity": txn.quantity})
        env.update((f"transaction.{k}", v) for k, v in txn.fields.items())
    v = volumes or Volumes()
    env.update({"period.sales": v.sales, "period.purchases": v.purchases, "period.list_sales": v.list_sales,
                "period.quantity": v.quantity, "period.deals": v.deals})
    return env


def chain_of(seller: Partner, partners: Mapping[str, Partner], version: ir.Version) -> list[Partner]:
    """The partners from level 1 (buys from the vendor) down to the seller."""
    if version.hierarchy is None:
        return [seller]
    chain = [seller]
    seen = {seller.id}
    while chain[-1].parent is not None:
        parent = partners.get(chain[-1].parent)
        if parent is None:
            raise QuoteError("E513", f"partner `{chain[-1].id}` buys from `{chain[-1].parent}`, which is not a "
                             "known partner")
        if parent.id in seen:
            raise QuoteError("E513", f"the distributor chain of `{seller.id}` loops back to `{parent.id}`")
        seen.add(parent.id)
        chain.append(parent)
    chain.reverse()
    depth = version.hierarchy.max_depth
    if len(chain) > depth:
        raise QuoteError("E513", f"the distributor chain of `{seller.id}` is {len(chain)} levels deep; the "
                         f"program allows {depth}", version.hierarchy.at)
    return chain


def ladder_step(ladder: ir.Ladder, volume: int) -> tuple[int, ir.Step | None]:
    """The index and step that a volume has reached (index -1 and None below the first step)."""
    reached: tuple[int, ir.Step | None] = (-1, None)
    for index, step in enumerate(ladder.steps):
        if volume >= step.start and (step.end is None or volume < step.end or index == len(ladder.steps) - 1):
            reached = (index, step)
    return reached


def _title(title: ir.Text, fallback: str) -> str:
    return title.get("en") or title.get("") or title.get("ja") or fallback


class _Quoting:
    def __init__(self, rt: Runtime, version: LoadedVersion, txn: Transaction, partners: Mapping[str, Partner],
                 volumes: Mapping[str, Volumes], include_ladder: bool, hints: bool = True) -> None:
        self.rt = rt
        self.rules = version.rules
        self.version = version
        self.txn = txn
        self.partners = partners
        self.volumes = volumes
        self.include_ladder = include_ladder
        self.headroom: Fraction | None = None
        self.hints = hints
        self.mode = rt.ruleset.rounding_mode
        self.unit = rt.ruleset.rounding_unit

    def round(self, value: int | Fraction) -> int:
        return round_line(value, self.unit, self.mode)

    def money(self, value: int | Fraction) -> str:
        return format_amount(value, self.rt.ruleset.currency, self.rt.ruleset.minor_unit)

    def slots(self, partner: Partner) -> Mapping[str, Any]:
        return self.version.transaction(partner_env(partner, self.txn, self.volumes.get(partner.id)))

    def contract(self, contract_id: str) -> ir.Contract:
        found = next((c for c in self.rules.contracts if c.id == contract_id), None)
        if found is None:
            raise QuoteError("E512", f"unknown contract `{contract_id}` in version {self.rules.version}")
        return found

    def run(self) -> Quote:
        txn = self.txn
        seller = self.partners.get(txn.partner)
        if seller is None:
            raise QuoteError("E511", f"unknown partner `{txn.partner}`")
        contract = self.contract(txn.contract or seller.contract)
        list_amount, sell_amount = txn.list_price * txn.quantity, txn.sell_price * txn.quantity
        seller_slots = self.slots(seller)
        if contract.kind == "referral":
            return self.referral(seller, contract, seller_slots, list_amount, sell_amount)
        chain = chain_of(seller, self.partners, self.rules)
        first = chain[0]
        first_slots = seller_slots if first is seller else self.slots(first)
        first_contract = contract if first is seller else self.contract(first.contract)
        rates, margin = self.margin(first, first_contract, first_slots)
        shares = self.shares(chain, margin, rates[0].at if rates else contract.at, list_amount, sell_amount)
        lines = [Line(s.partner, "margin", f"margin on {txn.id}", s.keeps, s.rule, self.rules.version, s.at, txn.id)
                 for s in shares]
        lines.extend(self.pass_through(seller, seller_slots))
        if contract.services is not None:
            services = seller_slots[f"contract:{contract.id}:services"]
            amount = self.round(-abs(services) if txn.quantity < 0 else services)
            lines.append(Line(seller.id, "services", f"services on {txn.id}", amount, f"contract `{contract.id}`",
                              self.rules.version, contract.at, txn.id))
        return Quote(txn.id, seller.id, self.rules.version, contract.id, contract.kind, list_amount, sell_amount,
                     tuple(rates), margin, shares[0].pays, tuple(shares), tuple(lines),
                     self.benefits(seller, seller_slots), self.violations(seller_slots),
                     self.next_steps(first, first_contract, seller), self.headroom)

    def margin(self, partner: Partner, contract: ir.Contract,
               slots: Mapping[str, Any]) -> tuple[list[Figure], Fraction]:
        rates: list[Figure] = []
        key = f"contract:{contract.id}:margin"
        if key in slots:
            base = Fraction(slots[key])
            rates.append(Figure("base margin", base, f"contract `{contract.id}`", contract.margin.at
                                if contract.margin else contract.at))
        elif self.rules.hierarchy is not None and f"level:{partner.level}:margin" in slots:
            level = next(lv for lv in self.rules.hierarchy.levels if lv.level == partner.level)
            base = Fraction(slots[f"level:{partner.level}:margin"])
            rates.append(Figure("base margin", base, f"hierarchy level {partner.level}", level.margin.at))
        else:
            base = ZERO
        total = base
        tier = next((t for t in self.rules.tiers.levels if t.id == partner.tier), None) if self.rules.tiers else None
        if tier is not None and f"tier:{tier.id}:uplift" in slots:
            uplift = Fraction(slots[f"tier:{tier.id}:uplift"])
            rates.append(Figure("tier uplift", uplift, f"tier `{tier.id}`", tier.uplift.at if tier.uplift else tier.at))
            total += uplift
        caps = [(Fraction(slots[f"cap:{c.id}:cap"]), c) for c in
                (self.rules.price_rules.margin_caps if self.rules.price_rules else ()) if slots[f"cap:{c.id}:when"]]
        if caps:
            # Under a cap, the ladder can add at most what the cap leaves above base margin and uplift.
            self.headroom = max(Fraction(0), min(cap for cap, _ in caps) - total)
        if self.include_ladder and contract.ladder is not None:
            ladder = next(lad for lad in self.rules.ladders if lad.id == contract.ladder)
            volume = (self.volumes.get(partner.id) or Volumes()).basis(ladder.basis)
            index, step = ladder_step(ladder, volume)
            if step is not None:
                rates.append(Figure("ladder rate", step.rate, f"ladder `{ladder.id}` step {index + 1}", step.at))
                total += step.rate
        if caps:
            cap, rule = min(caps, key=lambda pair: pair[0])
            if cap < total:
                rates.append(Figure("margin cap", cap, f"margin cap `{rule.id}`", rule.at))
                total = cap
        return rates, total

    def shares(self, chain: list[Partner], margin: Fraction, margin_at: ir.Loc | None, list_amount: int,
               sell_amount: int) -> list[Share]:
        hierarchy = self.rules.hierarchy
        margins = [margin]
        for partner in chain[1:]:
            margins.append(Fraction(self.slots(partner)[f"level:{partner.level}:margin"]))
        stacked = hierarchy is not None and hierarchy.model == "stacked"
        prices = []
        for k in range(len(chain)):
            rate = sum(margins[k:], ZERO) if stacked else margins[k]
            prices.append(self.round(list_amount * (1 - rate)))
        shares = []
        for k, partner in enumerate(chain):
            receives = prices[k + 1] if k + 1 < len(chain) else sell_amount
            if k == 0:
                rule, at = "margin", margin_at
            else:
                level = next((lv for lv in hierarchy.levels if lv.level == partner.level), None) if hierarchy else None
                rule, at = f"hierarchy level {partner.level}", level.margin.at if level else None
            shares.append(Share(partner.id, partner.level if hierarchy else 1, margins[k], prices[k], receives,
                                receives - prices[k], rule if k else "margin of the vendor's direct partner", at))
        return shares

    def pass_through(self, seller: Partner, slots: Mapping[str, Any]) -> list[Line]:
        lines: list[Line] = []
        # A refund or cancellation (negative quantity) reverses the pass-through it carries.
        sign = -1 if self.txn.quantity < 0 else 1
        for p in self.rules.price_rules.pass_through if self.rules.price_rules else ():
            amount = abs(slots[f"pass:{p.id}:amount"]) * sign if sign < 0 else slots[f"pass:{p.id}:amount"]
            if not amount:
                continue
            name = _title(p.title, p.id)
            rule = f"pass-through `{p.id}`"
            lines.append(Line(seller.id, "pass_through", f"{name} at cost", self.round(amount), rule,
                              self.rules.version, p.amount.at, self.txn.id))
            fee = Fraction(slots[f"pass:{p.id}:fee"])
            lines.append(Line(seller.id, "fee", f"fee on {name} ({format_rate(fee)})", self.round(amount * fee), rule,
                              self.rules.version, p.fee.at, self.txn.id))
        return lines

    def referral(self, seller: Partner, contract: ir.Contract, slots: Mapping[str, Any], list_amount: int,
                 sell_amount: int) -> Quote:
        raw = slots.get(f"contract:{contract.id}:fee", 0)
        is_rate = contract.fee is not None and _is_rate(contract.fee)
        fee = Fraction(raw) * sell_amount if is_rate else Fraction(raw) * (1 if self.txn.quantity >= 0 else -1)
        rates = [Figure("referral fee rate", Fraction(raw), f"contract `{contract.id}`", contract.fee.at)] \
            if is_rate and contract.fee else []
        if contract.fee_cap is not None and abs(fee) > contract.fee_cap:
            fee = Fraction(contract.fee_cap if fee > 0 else -contract.fee_cap)
            rates.append(Figure("referral fee cap", contract.fee_cap, f"contract `{contract.id}`", contract.at))
        line = Line(seller.id, "referral_fee", f"referral fee on {self.txn.id}", self.round(fee),
                    f"contract `{contract.id}`", self.rules.version, contract.fee.at if contract.fee else contract.at,
                    self.txn.id)
        return Quote(self.txn.id, seller.id, self.rules.version, contract.id, contract.kind, list_amount, sell_amount,
                     tuple(rates), ZERO, None, (), (line,), self.benefits(seller, slots), self.violations(slots),
                     self.next_steps(seller, contract, seller))

    def benefits(self, partner: Partner, slots: Mapping[str, Any]) -> tuple[Figure, ...]:
        tier = next((t for t in self.rules.tiers.levels if t.id == partner.tier), None) if self.rules.tiers else None
        if tier is None:
            return ()
        found = []
        for benefit in self.rules.benefits:
            if benefit.id in tier.benefits and slots.get(f"benefit:{benefit.id}:when", True):
                value = slots.get(f"benefit:{benefit.id}:value", 0)
                found.append(Figure(_title(benefit.title, benefit.id), value, f"benefit `{benefit.id}`", benefit.at))
        return tuple(found)

    def violations(self, slots: Mapping[str, Any]) -> tuple[Violation, ...]:
        rules = self.rules.price_rules
        if rules is None:
            return ()
        txn = self.txn
        found = []
        if rules.ceiling == "list_price" and txn.sell_price > txn.list_price:
            found.append(Violation("above_list", f"sell price {self.money(txn.sell_price)} is above the list price "
                                   f"{self.money(txn.list_price)}", "price rules: ceiling", rules.at))
        if "price:max_discount" in slots:
            discount = Fraction(slots["price:max_discount"])
            floor = txn.list_price * (1 - discount)
            if txn.sell_price < floor:
                found.append(Violation("below_floor", f"sell price {self.money(txn.sell_price)} is below the floor "
                                       f"{self.money(floor)} (list less {format_rate(discount)})",
                                       "price rules: max discount",
                                       rules.max_discount.at if rules.max_discount else rules.at))
        return tuple(found)

    def next_steps(self, partner: Partner, contract: ir.Contract, seller: Partner) -> tuple[str, ...]:
        steps: list[str] = []
        if not self.hints:
            return ()
        volumes = self.volumes.get(partner.id) or Volumes()
        if contract.ladder is not None:
            ladder = next(lad for lad in self.rules.ladders if lad.id == contract.ladder)
            volume = volumes.basis(ladder.basis)
            upcoming = next((s for s in ladder.steps if s.start > volume), None)
            if upcoming is not None:
                steps.append(f"{self._volume(upcoming.start - volume, ladder.basis)} more {_BASIS[ladder.basis]} "
                             f"this period reach the {format_rate(upcoming.rate)} step of ladder `{ladder.id}`")
        period_slots = self.version.period(partner_env(partner, None, volumes)) if self.rules.bonuses else {}
        for bonus in self.rules.bonuses:
            if bonus.id not in contract.bonuses:
                continue
            if bonus.when is not None:
                try:
                    if not period_slots[f"bonus:{bonus.id}:when"]:
                        continue
                except EvaluationError:
                    continue
            volume = volumes.basis(bonus.basis)
            target = next((s for s in bonus.steps if s.target > volume), None)
            if target is not None:
                steps.append(f"{self._volume(target.target - volume, bonus.basis)} more {_BASIS[bonus.basis]} this "
                             f"period reach the next target of bonus `{bonus.id}`")
        steps.extend(self.tier_steps(seller))
        return tuple(steps)

    def _volume(self, amount: int, basis: str) -> str:
        return f"{amount:,} units" if basis == "quantity" else self.money(amount)

    def tier_steps(self, partner: Partner) -> list[str]:
        if self.rules.tiers is None:
            return []
        levels = self.rules.tiers.levels
        index = next((i for i, t in enumerate(levels) if t.id == partner.tier), len(levels))
        if index == 0:
            return []
        better = levels[index - 1]
        if better.requirements is None:
            return []
        env = partner_env(partner, None, self.volumes.get(partner.id))
        missing: list[str] = []
        for req in better.requirements:
            current = env.get(f"{req.field[0]}.{req.field[1]}")
            if _meets(current, req):
                continue
            gap = _gap(current, req)
            if gap is None:  # a requirement that more volume cannot meet, such as the partner's level
                shown = req.value if not isinstance(req.value, bool) else str(req.value).lower()
                return [f"tier `{better.id}` requires `{req.field[0]}.{req.field[1]} {req.op} {shown}`"]
            name = f"{req.field[0]}.{req.field[1]}"
            if isinstance(gap, bool):
                missing.append(f"`{name}`")
            else:
                shown = self.money(gap) if _is_money_field(self.rt.ruleset, req.field) else f"{gap:,}"
                missing.append(f"{shown} more `{name}`")
        if not missing:
            return []
        return [f"{' and '.join(missing)} qualify for tier `{better.id}`"]


_BASIS = {"purchases": "purchases", "sales": "sales", "list_sales": "sales at list price", "quantity": "units"}


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


def _is_money_field(ruleset: ir.RuleSet, field: tuple[str, str]) -> bool:
    if field[0] == "period":
        return field[1] in ("sales", "purchases", "list_sales")
    return any(i.scope == field[0] and i.name == field[1] and i.type == "money" for i in ruleset.inputs)


def _meets(current: Any, req: ir.Requirement) -> bool:
    """Whether a value already meets a requirement (False when it cannot be told)."""
    target = req.value
    try:
        return bool({"==": current == target, "!=": current != target,
                     ">=": current is not None and current >= target, ">": current is not None and current > target,
                     "<=": current is not None and current <= target, "<": current is not None and current < target,
                     }[req.op])
    except TypeError:
        return False


def _gap(current: Any, req: ir.Requirement) -> int | Fraction | bool | None:
    """How far a value is from meeting a requirement (None when it already does or cannot say)."""
    if req.op == "==" and req.value is True:
        return True if current is not True else None
    if not isinstance(current, int | Fraction) or isinstance(current, bool):
        return None
    target = req.value
    if not isinstance(target, int | Fraction):
        return None
    if req.op == ">=" and current < target:
        return target - current
    if req.op == ">" and current <= target:
        return target - current + (1 if isinstance(target, int) else 0)
    return None


def quote(rt: Runtime, txn: Transaction, partners: Mapping[str, Partner],
          volumes: Mapping[str, Volumes] | None = None, *, include_ladder: bool = True,
          next_steps: bool = True) -> Quote:
    """Quote one transaction under the version in force on its date.

    Raises:
        QuoteError: no version covers the date, or the partner, contract or chain is unknown.
        runtime.engine.EvaluationError: an expression failed (a missing or ill-typed field).
    """
    version = rt.version_on(txn.date)
    if version is None:
        raise QuoteError("E510", f"no version of program `{rt.ruleset.program_id}` is in force on {txn.date}")
    return _Quoting(rt, version, txn, partners, volumes or {}, include_ladder, next_steps).run()
