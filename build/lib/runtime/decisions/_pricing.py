"""The parts of a quote that come before one transaction's figures: the error a quote raises, the
distributor chain, ladder steps, and the standing margin of the partner that buys from the vendor."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from runtime import ir
from runtime.decisions._limits import counted, step_reaches
from runtime.decisions._slots import PartnerSlots
from runtime.labels import rule_label
from runtime.loaded import LoadedVersion
from runtime.model import Line, Partner
from runtime.money import format_rate

ZERO = Fraction(0)


class QuoteError(Exception):
    """A transaction the program cannot judge: a code (E5xx) and a reason in the program's words."""

    def __init__(self, code: str, message: str, at: ir.Loc | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.at = at


class PriceRejected(QuoteError):
    """A price rule's violation whose action is `reject`: the line goes to the rejects with the rule's code."""


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
    defined = {level.level for level in version.hierarchy.levels}
    for position, partner in enumerate(chain, 1):
        # INVARIANT: a partner's level is its place in its chain, so every level margin read below exists.
        if partner.level != position or position not in defined:
            raise QuoteError("E513", f"partner `{partner.id}` is at level {partner.level} but is number {position} "
                             f"in the distributor chain of `{seller.id}`" if partner.level != position else
                             f"the distributor chain of `{seller.id}` reaches level {position}, which the hierarchy "
                             "does not define", version.hierarchy.at)
    return chain


def ladder_step(ladder: ir.Ladder, volume: int) -> tuple[int, ir.Step | None]:
    """The index and step that a volume has reached (index -1 and None below the first step).

    The highest step whose threshold the volume reaches (`_limits.step_reaches`: at least `from`, more than
    `above`), on the volume the ladder counts (up to its `volume_cap`). A step's `to` is the next step's
    threshold (checked), so it needs no test of its own.
    """
    reached: tuple[int, ir.Step | None] = (-1, None)
    volume = counted(volume, ladder.volume_cap)
    for index, step in enumerate(ladder.steps):
        if step_reaches(volume, step):
            reached = (index, step)
    return reached


def _title(title: ir.Text, fallback: str) -> str:
    return title.get("en") or title.get("") or title.get("ja") or fallback


def _fraction(value: Any) -> Fraction:
    """`Fraction(value)`, without a copy when the value is one already."""
    return value if type(value) is Fraction else Fraction(value)


RATE_OUT_OF_RANGE = "E560"
"""The code of a line whose rate, computed from the program's expressions, lies outside [0 %, 100 %]."""


def price_floor(list_price: int, discount: Fraction) -> int:
    """The lowest sell price a maximum discount allows: list × (1 − discount), rounded up to a whole minor unit
    (a price one unit below it is below the floor; the floor shown is one a partner can actually charge).

    >>> price_floor(2_973_066, Fraction(2, 25)), price_floor(1000, Fraction(1, 10))
    (2735221, 900)
    """
    return -(-list_price * (discount.denominator - discount.numerator) // discount.denominator)


def checked_rate(value: Any, what: str, rule: ir.RuleRef, at: ir.Loc | None) -> Fraction:
    """A rate a rule produced, as a Fraction; outside [0 %, 100 %] the line cannot be settled.

    Every engine takes a rate through this check (the quote plans call it inline, the SQL engine states
    the same bounds), so a margin never makes a negative wholesale price nor a negative margin.

    Raises:
        QuoteError: E560, naming the rule.
    """
    rate = value if type(value) is Fraction else Fraction(value)
    if rate < 0 or rate > 1:
        raise QuoteError(RATE_OUT_OF_RANGE,
                         f"in {rule_label(rule)}: {what} {format_rate(rate)} is outside 0% to 100%", at)
    return rate


def rate_bounds(expr: ir.Expr | None) -> tuple[Fraction, Fraction] | None:
    """The least and greatest value a rate expression can produce, when every branch of it is a constant
    (`if … then 20% else 15%`, `min`, `max`); None when it computes over inputs and only the runtime can tell.

    >>> rate_bounds(ir.If(ir.Const("boolean", True), ir.Const("percent", Fraction(1, 5)),
    ...                   ir.Const("percent", Fraction(3, 20))))
    (Fraction(3, 20), Fraction(1, 5))
    """
    match expr:
        case ir.Const(value=v) if isinstance(v, int | Fraction) and not isinstance(v, bool):
            return Fraction(v), Fraction(v)
        case ir.If(then=a, otherwise=b):
            parts = [rate_bounds(a), rate_bounds(b)]
        case ir.Call(function="min" | "max", args=args) if args:
            parts = [rate_bounds(a) for a in args]
        case _:
            return None
    known = [p for p in parts if p is not None]
    if len(known) < len(parts):
        return None
    return min(lo for lo, _ in known), max(hi for _, hi in known)


@dataclass(slots=True)
class Priced:
    """A transaction's amounts and lines, before they are dressed as a `Quote`: all a settlement needs."""

    seller: Partner
    contract: ir.Contract
    list_amount: int
    sell_amount: int
    chain: Sequence[Partner]  # level 1 (buys from the vendor) down to the seller; empty for a referral
    prices: Sequence[int]  # what each level of the chain pays the one above it (level 1: the vendor)
    lines: list[Line]
    headroom: Fraction | None  # under a margin cap: the most a ladder may add (None: no cap applies)

    def receives(self, k: int) -> int:
        """What level `k` of the chain receives: the next level's price, or the sell amount for the seller."""
        return self.prices[k + 1] if k + 1 < len(self.prices) else self.sell_amount


@dataclass(frozen=True, slots=True)
class _Chain:
    """A seller's distributor chain, with the margin slot and the source of each level below level 1."""

    partners: list[Partner]  # level 1 first
    margin_keys: list[ir.SlotKey]  # of partners[1:]
    sources: list[tuple[ir.RuleRef, ir.Loc | None]]  # of partners[1:]: the rule and the place of the level's margin


_Rate = tuple[str, "int | Fraction", ir.RuleRef, "ir.Loc | None"]  # a `Figure`'s fields, made a Figure only for a Quote


def _standing_keys(partner: Partner, contract: ir.Contract) -> tuple[ir.SlotKey, ...]:
    """The slots `_standing` may read."""
    return (ir.contract_slot(contract.id, "margin"), ir.level_slot(partner.level),
            ir.tier_slot(partner.tier, "uplift"))


def _standing(version: LoadedVersion, partner: Partner, contract: ir.Contract,
              slots: PartnerSlots) -> tuple[tuple[_Rate, ...], Fraction]:
    """Steps 2–3 of a quote: the base margin and the tier uplift of the partner that buys from the vendor.

    Returns:
        How the margin came about (as `Figure` fields), and base margin plus uplift.
    """
    rules, index = version.rules, version.index
    rates: list[_Rate] = []
    key = ir.contract_slot(contract.id, "margin")
    if key in slots:
        at = contract.margin.at if contract.margin else contract.at
        rule = ir.RuleRef.contract(contract.id, contract.at)
        base = checked_rate(slots[key], "margin", rule, at)
        rates.append(("base margin", base, rule, at))
    elif rules.hierarchy is not None and (key := ir.level_slot(partner.level)) in slots:
        level = index.levels[partner.level]
        rule = ir.RuleRef.hierarchy_level(partner.level, level.at)
        base = checked_rate(slots[key], "margin", rule, level.margin.at)
        rates.append(("base margin", base, rule, level.margin.at))
    else:
        base = ZERO
    total = base
    tier = index.tiers.get(partner.tier) if partner.tier is not None else None
    if tier is not None and (key := ir.tier_slot(tier.id, "uplift")) in slots:
        at = tier.uplift.at if tier.uplift else tier.at
        rule = ir.RuleRef.tier(tier.id, tier.at)
        uplift = checked_rate(slots[key], "margin uplift", rule, at)
        rates.append(("tier uplift", uplift, rule, at))
        total += uplift
    return tuple(rates), total
