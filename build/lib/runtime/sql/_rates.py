"""The rules a quote reads, translated per version and per role, before they become CASE arms.

A quote evaluates each rule in the environment of one partner of the transaction's chain (see
runtime/decisions/_quoting.py): the margin, uplift and caps in that of the partner that buys from
the vendor (level 1 of the chain, role `c1`; the seller itself without a hierarchy, role `p`), the
level margin of level j in that of the chain's partner at level j (role `cj`), the pass-through,
services and referral fee in the seller's (role `p`). A role's partner columns are `<role>_<name>`.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from fractions import Fraction

from sqlglot import exp

from runtime import ir
from runtime.decisions import is_rate as _is_rate  # the oracle's own test of a rate-valued referral fee
from runtime.decisions import rate_bounds
from runtime.sql._arith import Num, Refused, col, is_, typed
from runtime.sql._exprs import Resolve, Translator

BUILTIN_PARTNER = ("tier", "level", "contract")
BUILTIN_TRANSACTION = {"date": "date", "partner": "partner", "product": "product", "list_price": "list_price",
                       "sell_price": "sell_price", "quantity": "quantity"}
VOLUMES = ("sales", "purchases", "list_sales", "quantity", "deals")


def max_depth(ruleset: ir.RuleSet) -> int:
    """The deepest chain any version allows (0: no version has a hierarchy)."""
    return max((v.hierarchy.max_depth for v in ruleset.versions if v.hierarchy is not None), default=0)


def first_role(ruleset: ir.RuleSet) -> str:
    """The role of the partner that buys from the vendor: `c1` with a hierarchy, else the seller `p`."""
    return "c1" if max_depth(ruleset) else "p"


def resolver(ruleset: ir.RuleSet, role: str, period: bool, dialect: str,
             as_of: datetime.date | None = None) -> Resolve:
    """Fields → columns: of q_input for a role (transaction rules), or of a period grid (`period=True`).

    In transaction rules `period.*` reads 0, as in a settlement (runtime.decisions.settle quotes every
    transaction without period volumes), and `as_of` the transaction's date; in period rules `as_of` is the
    period's last day (a translation checked without a period reads the last day of the calendar).
    """
    declared = {(d.scope, d.name) for d in ruleset.inputs}

    def resolve(node: ir.Field) -> exp.Expr:
        where = f" at {node.at}" if node.at is not None else ""
        name = f"`{node.scope}.{node.name}`"
        if node.scope == ir.AS_OF_SCOPE and node.name == ir.AS_OF_NAME:
            if not period:
                return col(BUILTIN_TRANSACTION["date"])
            return exp.cast(exp.Literal.string((as_of or datetime.date.max).isoformat()), "DATE")
        if node.scope == "partner":
            if node.name == "id":
                return col("partner") if role == "p" else col(f"{role}_id")
            if node.name in BUILTIN_PARTNER or ("partner", node.name) in declared:
                return col(f"{role}_{node.name}")
        elif node.scope == "transaction" and not period:
            if node.name == "contract":
                # A transaction that names no contract is under the contract of the partner reading it.
                return exp.Coalesce(this=col("contract_named"), expressions=[col(f"{role}_contract")])
            if node.name in BUILTIN_TRANSACTION:
                return col(BUILTIN_TRANSACTION[node.name])
            if node.name.startswith("item.") and any(v.catalog for v in ruleset.versions):
                return col(f"i_{node.name.removeprefix('item.')}")  # the catalog item (`runtime.sql._quote`)
            if ("transaction", node.name) in declared:
                return col(f"t_{node.name}")
        elif node.scope == "period" and node.name in VOLUMES:
            return col(f"v_{node.name}") if period else typed(0, dialect)
        raise Refused(f"the field {name} in this rule{where}")

    return resolve


Arm = tuple[exp.Expr, Num]


@dataclass(slots=True)
class PassSlot:
    """The i-th pass-through entry of each version: its id, amount and fee there."""

    ids: list[tuple[exp.Expr, str]] = field(default_factory=list)
    amounts: list[Arm] = field(default_factory=list)
    fees: list[Arm] = field(default_factory=list)
    fee_caps: list[tuple[exp.Expr, int]] = field(default_factory=list)  # (in version, `fee_cap`), where one is set


@dataclass(slots=True)
class Rates:
    """The translated rules of every version, before they are put into CASE arms."""

    scale: int = 1  # S: every rate column (margin, uplift, caps, level margins, headroom) is a numerator over S
    base: list[Arm] = field(default_factory=list)  # by the first partner's contract (`first_contract`)
    uplift: list[Arm] = field(default_factory=list)
    caps: list[list[tuple[exp.Expr, exp.Expr, Num]]] = field(default_factory=list)  # per slot k
    levels: dict[int, list[Arm]] = field(default_factory=dict)  # level j ≥ 2 → its margin, per version
    kind: list[tuple[exp.Expr, str]] = field(default_factory=list)
    services: list[Arm] = field(default_factory=list)
    fees: list[tuple[exp.Expr, Num, bool, int | None]] = field(default_factory=list)  # (cond, fee, rate?, cap)
    passes: list[PassSlot] = field(default_factory=list)


class _Collector:
    """Translates the rules of every version, gathering every refusal before it raises."""

    def __init__(self, ruleset: ir.RuleSet, dialect: str) -> None:
        self.ruleset = ruleset
        self.dialect = dialect
        self.problems: list[str] = []
        self.first = first_role(ruleset)
        self._translators: dict[str, Translator] = {}

    def tr(self, role: str) -> Translator:
        if role not in self._translators:
            self._translators[role] = Translator(resolver(self.ruleset, role, False, self.dialect), self.dialect,
                                                 self.ruleset.rounding_mode)
        return self._translators[role]

    def num(self, role: str, node: ir.Expr) -> Num | None:
        """The translated number, or None (the refusal recorded)."""
        try:
            return self.tr(role).num(node)
        except Refused as exc:
            self.problems.append(str(exc))
            return None

    def cond(self, role: str, node: ir.Expr) -> exp.Expr | None:
        """The translated condition, or None (the refusal recorded)."""
        try:
            return self.tr(role).cond(node)
        except Refused as exc:
            self.problems.append(str(exc))
            return None

    def version(self, rates: Rates, i: int, version: ir.Version) -> None:
        in_version = is_("vidx", i)
        first = self.first
        for contract in version.contracts:
            cond = exp.and_(in_version, is_("contract", contract.id))
            rates.kind.append((cond, contract.kind))
            if contract.margin is not None and (n := self.num(first, contract.margin)) is not None:
                rates.base.append((exp.and_(in_version, is_("first_contract", contract.id)), n))
            if contract.services is not None and contract.kind != "referral" and \
                    (n := self.num("p", contract.services)) is not None:
                rates.services.append((cond, n))
            if contract.kind == "referral" and contract.fee is not None and \
                    (n := self.num("p", contract.fee)) is not None:
                rates.fees.append((cond, n, _is_rate(contract.fee), contract.fee_cap))
        for level in version.hierarchy.levels if version.hierarchy is not None else ():
            # Level 1's margin is the base margin of a partner whose contract states none.
            n = self.num(first if level.level == 1 else f"c{level.level}", level.margin)
            if n is not None:
                if level.level == 1:
                    rates.base.append((in_version, n))
                else:
                    rates.levels.setdefault(level.level, []).append((in_version, n))
        for tier in version.tiers.levels if version.tiers is not None else ():
            if tier.uplift is not None and (n := self.num(first, tier.uplift)) is not None:
                rates.uplift.append((exp.and_(in_version, is_(f"{first}_tier", tier.id)), n))
        rules = version.price_rules
        for k, cap in enumerate(rules.margin_caps if rules is not None else ()):
            while len(rates.caps) <= k:
                rates.caps.append([])
            when, n = self.cond(first, cap.when), self.num(first, cap.cap)
            if when is not None and n is not None:
                rates.caps[k].append((in_version, when, n))
        for k, p in enumerate(rules.pass_through if rules is not None else ()):
            while len(rates.passes) <= k:
                rates.passes.append(PassSlot())
            slot = rates.passes[k]
            slot.ids.append((in_version, p.id))
            if p.fee_cap is not None:
                slot.fee_caps.append((in_version, p.fee_cap))
            amount, fee = self.num("p", p.amount), self.num("p", p.fee)
            if amount is not None and fee is not None:
                slot.amounts.append((in_version, amount))
                slot.fees.append((in_version, fee))


def _ceiling(expr: ir.Expr | None) -> Fraction | None:
    """The greatest value a rate can take when every branch of it is a constant in [0 %, 100 %], else None."""
    if expr is None:
        return Fraction(0)
    bounds = rate_bounds(expr)
    return bounds[1] if bounds is not None and bounds[0] >= 0 and bounds[1] <= 1 else None


def unbounded_rates(version: ir.Version) -> tuple[bool, list[str]]:
    """Whether a quote under this version may compute a margin, uplift, level margin, cap or pass-through fee
    outside [0 %, 100 %] (or a margin that adds up past 100 %), and the referral contracts whose fee rate may:
    the rows they touch are left to the row engine's quoter, which rejects them (E560) or not."""
    bases = [_ceiling(c.margin) for c in version.contracts]
    bases += [_ceiling(lv.margin) for lv in (version.hierarchy.levels if version.hierarchy is not None else ())]
    uplifts = [_ceiling(t.uplift) for t in (version.tiers.levels if version.tiers is not None else ())]
    rules = version.price_rules
    others = [_ceiling(c.cap) for c in (rules.margin_caps if rules is not None else ())]
    others += [_ceiling(p.fee) for p in (rules.pass_through if rules is not None else ())]
    parts = bases + uplifts + others
    unbounded = any(b is None for b in parts) or \
        max((b for b in bases if b is not None), default=Fraction(0)) + \
        max((u for u in uplifts if u is not None), default=Fraction(0)) > 1
    referral = [c.id for c in version.contracts if c.kind == "referral" and c.fee is not None and _is_rate(c.fee)
                and _ceiling(c.fee) is None]
    return unbounded, referral


def collect_rates(ruleset: ir.RuleSet, dialect: str, extra_rates: list[int]) -> Rates:
    """Translate every transaction-level rule (refusing what cannot be translated), per version.

    Args:
        extra_rates: denominators of other rates compared with the margin (a statement's ladder rates).
    Raises:
        Refused: every construct that cannot be translated (`reasons`).
    """
    rates = Rates()
    collector = _Collector(ruleset, dialect)
    if split := ruleset.split_days():
        collector.problems.append(f"a version starts or ends during a day in {ruleset.time_zone} "
                                  f"({', '.join(d.isoformat() for d in sorted(split))}), so the version in force "
                                  "depends on the time of day, which the SQL engine does not keep")
    for i, version in enumerate(ruleset.versions):
        collector.version(rates, i, version)
    if collector.problems:
        raise Refused(*collector.problems)
    scales = [n.scale for _, n in rates.base + rates.uplift] + [n.scale for slot in rates.caps for _, _, n in slot]
    scales += [n.scale for arms in rates.levels.values() for _, n in arms]
    rates.scale = math.lcm(1, *scales, *extra_rates)
    return rates
