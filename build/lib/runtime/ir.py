"""The rule set IR: what a compiled program is. Plain frozen data, to and from JSON, hashed.

The runtime reads only this. Every value is resolved and exact: money in integer minor units of the
program currency, rates and numbers as exact decimal strings in JSON (Fractions in memory), dates as
ISO strings. Every rule keeps the span of the source it came from, for explanations.

Expression nodes (JSON: a list whose first item is the node kind):
    ["const", type, value]            type: money (value: minor units, int) | percent (rate, "0.15")
                                      | number | integer | boolean | text | date | duration ("90d")
                                      | enum (member name)
    ["list", [items…]]
    ["field", scope, name, type]      scope: partner | transaction | deal | lead | period
    ["neg", x]  ["not", x]
    ["arith", op, a, b]               op: + - * /
    ["cmp", op, a, b]                 op: == != < <= > >=
    ["and", a, b]  ["or", a, b]
    ["in", negated, item, [items…]]
    ["if", cond, then, else]
    ["call", fn, [args…]]             fn: min max abs round floor ceil clamp
A node's span, when present, is a trailing {"at": [file, line, col]} item.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from dataclasses import field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Literal, NewType, get_args

from runtime import instants

if TYPE_CHECKING:
    from dataclasses import dataclass
else:  # the same classes, created faster at import (see runtime/_frozen.py)
    from runtime._frozen import dataclass

FORMAT = "ppl-ruleset/1"


@dataclass(frozen=True, slots=True)
class Loc:
    """Where a rule was written: file, 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


ValueType = Literal["money", "percent", "number", "integer", "boolean", "date", "text", "enum", "duration", "list",
                    "dated"]
"""The type of a value in the IR: of a constant, of a field a rule reads (see the module's JSON notes)."""

VALUE_TYPES: tuple[ValueType, ...] = get_args(ValueType)
"""Every `ValueType`, in the order of its declaration."""


def value_type(name: str) -> ValueType:
    """A type name read from an artifact, as a `ValueType`.

    Raises:
        ValueError: the name is not one of `VALUE_TYPES`.
    """
    for known in VALUE_TYPES:
        if known == name:
            return known
    raise ValueError(f"unknown value type `{name}`")


# --- rule references -------------------------------------------------------------------------------

RuleKind = Literal["contract", "direct_margin", "hierarchy_level", "tier", "ladder", "ladder_step", "bonus",
                   "bonus_step", "benefit", "margin_cap", "pass_through", "price_check", "payout_cap"]
"""The kinds of rule a figure, share, line or violation can come from.

- contract, tier, ladder, bonus, benefit, margin_cap, pass_through: the rule of that id;
- ladder_step, bonus_step: one step (target) of a ladder or bonus (`step`, from 1);
- hierarchy_level: the margin of a hierarchy level (`level`);
- direct_margin: the margin of the partner that buys from the vendor, whatever gave it;
- price_check: a price rule, by the kind of violation it finds (the id: a key of `PRICE_CHECKS`);
- payout_cap: the program's payout cap.
"""

RULE_KINDS: tuple[RuleKind, ...] = get_args(RuleKind)


@dataclass(frozen=True, slots=True)
class RuleRef:
    """A typed reference to the rule that produced a figure: what `runtime.labels` turns into words.

    The source span (`at`) is not part of equality, so references compare by what rule they name.
    """

    kind: RuleKind
    id: str = ""  # the rule's id in the program ("" for kinds that have none)
    step: int | None = None  # ladder_step, bonus_step: the step, from 1
    level: int | None = None  # hierarchy_level: the level
    version: str | None = None  # the program version the rule belongs to, where it matters
    at: Loc | None = field(default=None, kw_only=True, compare=False, repr=False)

    @classmethod
    def contract(cls, contract_id: str, at: Loc | None = None) -> RuleRef:
        """A contract (its margin, services, fee)."""
        return _interned("contract", contract_id, None, None, at)

    @classmethod
    def tier(cls, tier_id: str, at: Loc | None = None) -> RuleRef:
        """A tier (its uplift, its qualification)."""
        return _interned("tier", tier_id, None, None, at)

    @classmethod
    def ladder(cls, ladder_id: str, step: int | None = None, at: Loc | None = None) -> RuleRef:
        """A ladder, or one of its steps (from 1)."""
        return _interned("ladder" if step is None else "ladder_step", ladder_id, step, None, at)

    @classmethod
    def bonus(cls, bonus_id: str, step: int | None = None, at: Loc | None = None) -> RuleRef:
        """A bonus, or one of its steps (targets, from 1)."""
        return _interned("bonus" if step is None else "bonus_step", bonus_id, step, None, at)

    @classmethod
    def benefit(cls, benefit_id: str, at: Loc | None = None) -> RuleRef:
        """A tier benefit."""
        return _interned("benefit", benefit_id, None, None, at)

    @classmethod
    def margin_cap(cls, cap_id: str, at: Loc | None = None) -> RuleRef:
        """A price rule's margin cap."""
        return _interned("margin_cap", cap_id, None, None, at)

    @classmethod
    def pass_through(cls, entry_id: str, at: Loc | None = None) -> RuleRef:
        """A pass-through entry of the price rules."""
        return _interned("pass_through", entry_id, None, None, at)

    @classmethod
    def hierarchy_level(cls, level: int, at: Loc | None = None) -> RuleRef:
        """The margin of a hierarchy level."""
        return _interned("hierarchy_level", "", None, level, at)

    @classmethod
    def direct_margin(cls, at: Loc | None = None) -> RuleRef:
        """The margin of the partner that buys from the vendor."""
        return _interned("direct_margin", "", None, None, at)

    @classmethod
    def price_check(cls, kind: str, at: Loc | None = None) -> RuleRef:
        """The price rule that finds one kind of violation (a key of `PRICE_CHECKS`)."""
        assert kind in PRICE_CHECKS, kind
        return _interned("price_check", kind, None, None, at)

    @classmethod
    def payout_cap(cls, at: Loc | None = None) -> RuleRef:
        """The program's payout cap."""
        return _interned("payout_cap", "", None, None, at)


@functools.lru_cache(maxsize=4096)
def _interned(kind: RuleKind, rule_id: str, step: int | None, level: int | None, at: Loc | None) -> RuleRef:
    """A reference, made once: references are immutable, and a quote names the same few rules again and again
    (building one costs several times as much as finding it)."""
    return RuleRef(kind, rule_id, step, level, at=at)


# --- slot keys -------------------------------------------------------------------------------------
# A loaded version evaluates each expression of a rule once per partner (or transaction) into a slot; these
# constructors are the one place a slot's key is spelled.

SlotKey = NewType("SlotKey", str)
"""The key of one evaluated expression of a rule (`contract:<id>:margin` …)."""


def contract_slot(contract_id: str, part: Literal["margin", "services", "fee"]) -> SlotKey:
    """A contract's margin, services or fee."""
    return SlotKey(f"contract:{contract_id}:{part}")


def tier_slot(tier_id: str | None, part: Literal["qualify", "uplift"]) -> SlotKey:
    """A tier's qualification or uplift."""
    return SlotKey(f"tier:{tier_id}:{part}")


def level_slot(level: int, part: Literal["margin"] = "margin") -> SlotKey:
    """A hierarchy level's margin."""
    return SlotKey(f"level:{level}:{part}")


def cap_slot(cap_id: str, part: Literal["when", "cap"]) -> SlotKey:
    """A margin cap's condition or cap."""
    return SlotKey(f"cap:{cap_id}:{part}")


def pass_slot(entry_id: str, part: Literal["amount", "fee", "billed", "max_markup"]) -> SlotKey:
    """A pass-through entry's cost, fee, billed amount or largest markup."""
    return SlotKey(f"pass:{entry_id}:{part}")


def benefit_slot(benefit_id: str, part: Literal["when", "value"]) -> SlotKey:
    """A benefit's condition or value."""
    return SlotKey(f"benefit:{benefit_id}:{part}")


def bonus_slot(bonus_id: str, part: Literal["when"] = "when") -> SlotKey:
    """A bonus's condition."""
    return SlotKey(f"bonus:{bonus_id}:{part}")


def conflict_slot(index: int, part: Literal["when"] = "when") -> SlotKey:
    """The condition of the conflict rule at an index of the precedence."""
    return SlotKey(f"conflict:{index}:{part}")


def price_slot(part: Literal["max_discount"]) -> SlotKey:
    """An expression of the price rules themselves: the largest discount."""
    return SlotKey(f"price:{part}")


def reseller_slot(index: int) -> SlotKey:
    """The `prefer` condition of the reseller routing key at an index of its order."""
    return SlotKey(f"reseller:prefer:{index}")


def routing_slot(part: Literal["eligible", "skip_when", "prefer"], index: int | None = None) -> SlotKey:
    """Lead routing's eligibility, capacity condition, or the preference of the key at an index of its order."""
    return SlotKey(f"routing:{part}" if index is None else f"routing:{part}:{index}")


@dataclass(frozen=True, slots=True)
class Node:
    """Base of IR nodes; the location is not part of equality."""

    at: Loc | None = field(default=None, kw_only=True, compare=False, repr=False)


# --- expressions ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expr(Node):
    """Base of IR expressions."""


@dataclass(frozen=True, slots=True)
class Const(Expr):
    """A resolved constant: money in minor units (int); percent/number as Fraction; date; duration; text."""

    type: ValueType
    value: Any  # int | Fraction | bool | str | datetime.date | Duration


@dataclass(frozen=True, slots=True)
class Duration:
    """A calendar length: days, weeks, months or years (months and years follow the calendar)."""

    amount: int
    unit: str  # d | w | mo | y


@dataclass(frozen=True, slots=True)
class Dated:
    """A dated fact of a partner: valid from `start` through `until` (inclusive; None: open-ended), e.g. an NDA or a
    certification (`name`). The runtime value of a `dated` input, and of each member of a `{list: dated}` one."""

    start: datetime.date
    until: datetime.date | None = None
    name: str = ""

    def valid_on(self, day: datetime.date) -> bool:
        """Whether the record is in force on `day` (from ≤ day ≤ until)."""
        return self.start <= day and (self.until is None or day <= self.until)


AS_OF_SCOPE: Final = "eval"
AS_OF_NAME: Final = "as_of"
"""`as_of`, the date an expression is evaluated for, is read as the field `eval.as_of`: a transaction's date in a
quote or settlement line, a statement's last day for benefits on a statement, the evaluation date of a tier or
bonus condition, a guide's date in a guide."""


@dataclass(frozen=True, slots=True)
class ListOf(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Field(Expr):
    scope: str
    name: str
    type: ValueType


@dataclass(frozen=True, slots=True)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True, slots=True)
class Not(Expr):
    operand: Expr


@dataclass(frozen=True, slots=True)
class Arith(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Compare(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class And(Expr):
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Or(Expr):
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class In(Expr):
    negated: bool
    item: Expr
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class If(Expr):
    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True, slots=True)
class Call(Expr):
    function: str
    args: tuple[Expr, ...]


# --- rules -----------------------------------------------------------------------------------------

Text = dict[str, str]  # language → text; "" for any language


@dataclass(frozen=True, slots=True)
class Contract(Node):
    id: str
    kind: str  # distributor | solution_partner | referral
    title: Text
    margin: Expr | None  # None: the partner's hierarchy level margin
    ladder: str | None
    bonuses: tuple[str, ...]
    services: Expr | None
    fee: Expr | None  # referral: money, or a percent of the sell amount
    fee_cap: int | None  # minor units
    margin_cap: int | None = None  # minor units: the most the margin of one line may be (the level-1 partner's)


@dataclass(frozen=True, slots=True)
class Step(Node):
    """A ladder step: from `start` (inclusive; exclusive when `strict`) to `end` (None = the next step or no end).

    Whether a volume has reached a step is decided in `runtime.decisions._limits`, for every engine.
    """

    start: int  # minor units for money bases, units for quantity
    end: int | None
    rate: Fraction
    strict: bool = False  # written `above`: the step is reached by a volume more than `start`


@dataclass(frozen=True, slots=True)
class Ladder(Node):
    id: str
    title: Text
    basis: str  # purchases | sales | list_sales | quantity
    period: str  # month | quarter | half_year | fiscal_year
    mode: str  # retroactive | marginal
    steps: tuple[Step, ...]
    volume_cap: int | None = None  # the most volume a ladder period counts; volume above it is not counted


@dataclass(frozen=True, slots=True)
class BonusStep(Node):
    target: int
    pay_money: int | None  # minor units, or
    pay_rate: Fraction | None  # a rate of the period basis volume (as counted under the bonus's volume cap)
    strict: bool = False  # written `above`: the target is reached by a volume more than `target`


@dataclass(frozen=True, slots=True)
class Bonus(Node):
    id: str
    title: Text
    basis: str
    period: str
    kind: str  # one_off | cumulative
    when: Expr | None
    steps: tuple[BonusStep, ...]
    cap: int | None
    volume_cap: int | None = None  # the most volume a bonus period counts; volume above it is not counted


@dataclass(frozen=True, slots=True)
class Requirement:
    """A simple part of a tier qualification, for next-step hints: `scope.name op value`."""

    field: tuple[str, str]
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class Tier(Node):
    id: str
    title: Text
    qualify: Expr
    uplift: Expr | None
    benefits: tuple[str, ...]
    requirements: tuple[Requirement, ...] | None  # None when the qualification is not a plain conjunction
    assigned: bool = False  # the vendor decides it (the partners file states it); `qualify` is then `false`


@dataclass(frozen=True, slots=True)
class Review(Node):
    """How tiers are reviewed at the first day of each cadence period (runtime.decisions.reviews)."""

    window: str  # REVIEW_WINDOWS
    months: int | None  # the window's length when `window` is `months` (1..36), else None
    keep: int = 1  # a tier reached at a review is in force for at least this many review periods
    grace: int = 0  # reviews a partner may miss its tier (after `keep`) before it is demoted


REVIEW_WINDOWS = ("year_to_date", "since_last_review", "months")


@dataclass(frozen=True, slots=True)
class Tiers(Node):
    cadence: str
    levels: tuple[Tier, ...]  # best first
    review: Review | None = None  # None: the partners file's tier holds all along


@dataclass(frozen=True, slots=True)
class Benefit(Node):
    id: str
    kind: str
    title: Text
    when: Expr | None
    value: Expr | None


@dataclass(frozen=True, slots=True)
class MarginCap(Node):
    id: str
    title: Text
    when: Expr
    cap: Expr


@dataclass(frozen=True, slots=True)
class PassThrough(Node):
    id: str
    title: Text
    amount: Expr  # the cost
    fee: Expr
    fee_cap: int | None = None  # minor units: the most one transaction's fee line may be
    billed: Expr | None = None  # what the partner billed the customer for the cost (None: not stated)
    markup: str = "none"  # allowed | none: whether billing above cost is allowed at all
    max_markup: Expr | None = None  # the largest markup over cost, as a rate of the cost
    action: str = "hold"  # what a markup the program does not allow does (PRICE_ACTIONS)


@dataclass(frozen=True, slots=True)
class PriceRules(Node):
    ceiling: str | None
    max_discount: Expr | None
    max_channel_margin: Expr | None
    margin_caps: tuple[MarginCap, ...]
    pass_through: tuple[PassThrough, ...]
    zero_price: tuple[str, ...] = ()  # products (a transaction's `product`) that may have a unit price of 0
    ceiling_action: str = "reject"  # what each rule's violation does (PRICE_ACTIONS), defaults applied
    max_discount_action: str = "flag"
    min_fee: int | None = None  # the smallest fee line of a sale, minor units
    min_fee_action: str = "flag"


PRICE_ACTIONS: tuple[str, ...] = ("reject", "flag", "hold")
"""What a price rule's violation does: the line is rejected, settled and listed, or held for review."""


@dataclass(frozen=True, slots=True)
class PriceCheck:
    """One kind of price-rule violation: its runtime code, the rule it breaks and what it does by default."""

    kind: str
    code: str
    rule: str
    default: str


PRICE_CHECKS: dict[str, PriceCheck] = {c.kind: c for c in (
    PriceCheck("catalog_price", "E554", "catalog: list price", "reject"),
    PriceCheck("above_list", "E550", "price rules: ceiling", "reject"),
    PriceCheck("below_floor", "E551", "price rules: max discount", "flag"),
    PriceCheck("fee_below_minimum", "E552", "price rules: min fee", "flag"),
    PriceCheck("above_cost", "E553", "pass-through", "hold"),
)}
"""The kinds of price-rule violation (the one table the quote, the plans, the SQL engine and the guide read)."""


@dataclass(frozen=True, slots=True)
class CatalogItem(Node):
    """One SKU: its category, unit and list prices by start date (oldest first)."""

    sku: str
    title: Text
    category: str
    unit: str
    prices: tuple[tuple[datetime.date, int], ...]

    def price_on(self, day: datetime.date) -> int | None:
        """The list price in force on a day (None before the first)."""
        found = None
        for start, price in self.prices:
            if start <= day:
                found = price
        return found


@dataclass(frozen=True, slots=True)
class Catalog(Node):
    """The SKUs a version sells; what a stated list price that disagrees with it does (PRICE_ACTIONS)."""

    categories: tuple[str, ...]
    action: str
    items: tuple[CatalogItem, ...]


ITEM_FIELDS: dict[str, str] = {"sku": "text", "category": "enum", "unit": "text", "list_price": "money"}
"""What rules read of a transaction's catalog item (`item.category` …), by name → kind. The runtime carries
them as the transaction's fields `item.<name>` (see `runtime.catalog`)."""


@dataclass(frozen=True, slots=True)
class Level(Node):
    level: int
    title: Text
    margin: Expr


@dataclass(frozen=True, slots=True)
class ResellerKey(Node):
    """One key of the reseller routing order: a condition over `partner` and `applicant`, or a count to keep low
    (`children`, or a declared integer partner input)."""

    prefer: Expr | None
    fewest: str | None
    title: Text


@dataclass(frozen=True, slots=True)
class ResellerRouting(Node):
    """How the 1st-tier distributor of a would-be reseller is chosen: keys strongest first, then turns."""

    order: tuple[ResellerKey, ...]
    among_equals: str  # rotate


LEVEL_1_IN_TURN = ResellerRouting((), "rotate")
"""`new_resellers: level_1` without an order: the 1st-tier distributors take would-be resellers in turn."""


@dataclass(frozen=True, slots=True)
class Hierarchy(Node):
    model: str  # nested | stacked
    max_depth: int
    levels: tuple[Level, ...]
    new_resellers: str | None  # level_1 | vendor
    routing: ResellerRouting | None = None  # stated with the mapping form of `new_resellers`


@dataclass(frozen=True, slots=True)
class ConflictRule(Node):
    rule: str
    by: str | None
    when: Expr | None
    title: Text
    needs_registration: bool = True  # exclusivity: False when the right owns a matching deal without a registration
    applies: str = "at_close"  # customer_choice: at_close | when_documented
    order: tuple[str, ...] = ()  # tie_break by order: partner ids, the favoured first


@dataclass(frozen=True, slots=True)
class Conflicts(Node):
    expires_after: Duration | None
    renewals: int
    renewal_period: Duration | None
    precedence: tuple[ConflictRule, ...]
    otherwise: str | None


@dataclass(frozen=True, slots=True)
class RoutingKey(Node):
    by: str | None
    prefer: Expr | None
    title: Text


@dataclass(frozen=True, slots=True)
class LeadRouting(Node):
    eligible: Expr | None
    order: tuple[RoutingKey, ...]
    among_equals: str
    skip_when: Expr | None
    new_resellers: str | None


@dataclass(frozen=True, slots=True)
class Version(Node):
    """One version of the program, with every section in force (revisions already applied)."""

    version: str
    effective_from: datetime.date
    effective_until: datetime.date | None  # inclusive; None: until the next version, or open
    note: Text
    contracts: tuple[Contract, ...]
    ladders: tuple[Ladder, ...]
    bonuses: tuple[Bonus, ...]
    tiers: Tiers | None
    benefits: tuple[Benefit, ...]
    price_rules: PriceRules | None
    hierarchy: Hierarchy | None
    conflicts: Conflicts | None
    lead_routing: LeadRouting | None
    # The instants the version is in force between (UTC): from `starts_at`, until before `ends_at`. None where
    # the program wrote a date: the start of `effective_from`, the end of `effective_until`, in the program's zone.
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    catalog: Catalog | None = None


@dataclass(frozen=True, slots=True)
class InputDecl:
    """A declared input field and its type (enumerations by name)."""

    scope: str
    name: str
    type: str
    description: Text = field(default_factory=dict)  # what the field means, by language, for guides
    # The range a value must lie in (inclusive), as runtime values of the type; None: no bound.
    min: Any = None
    max: Any = None
    values: tuple[Any, ...] | None = None  # the values allowed, or None: any value of the type
    item: str | None = None  # a `list` input: the type of each member (an enumeration, `text` or `dated`)


AMOUNT_KINDS: tuple[str, ...] = (
    "margin",  # the margin of the partner that buys from the vendor (level 1): list amount × margin
    "level_margin",  # the margin of each level below level 1 in a distributor chain
    "pass_through_fee",  # the partner's fee on an amount passed through at cost
    "referral_fee",  # a referral contract's fee
    "ladder",  # a ladder's settlement line (and its clawback)
    "bonus",  # a bonus line (and its clawback)
    "refund",  # the reversal of a sale's lines by a refund
)
"""The kinds of amount a program may give a rounding mode of their own (`rounding.modes`)."""

ROUNDING_POINTS: tuple[str, ...] = ("margin", "wholesale")
"""Where a margin is rounded: the partner's margin (wholesale = list − rounded margin), or the wholesale price."""

MARGINAL_ROUNDINGS: tuple[str, ...] = ("total", "per_bracket")
"""How a marginal ladder is rounded: once on the exact sum over its brackets, or each bracket's line."""


@dataclass(frozen=True, slots=True)
class Rounding:
    """Where and how the program rounds: a unit, a default mode, a mode per kind of amount, the margin's point."""

    unit: int  # minor units, e.g. 1 (¥1) or 100 (¥100)
    mode: str  # the default: down | half_up | half_even | up
    modes: tuple[tuple[str, str], ...] = ()  # (AMOUNT_KINDS entry, mode), sorted, where the program sets one
    point: str = "margin"  # one of ROUNDING_POINTS
    marginal: str = "total"  # one of MARGINAL_ROUNDINGS

    def mode_for(self, kind: str) -> str:
        """The mode that rounds one kind of amount (`AMOUNT_KINDS`); the default where the program sets none."""
        assert kind in AMOUNT_KINDS, kind
        return next((mode for k, mode in self.modes if k == kind), self.mode)


@dataclass(frozen=True, slots=True)
class Pilot:
    """The program's pilot size: how many partners it means to have active (an open bound is None)."""

    min: int | None
    max: int | None
    at: Loc | None = None

    def admits(self, count: int) -> bool:
        """Whether `count` active partners are inside the pilot size."""
        return (self.min is None or self.min <= count) and (self.max is None or count <= self.max)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A compiled program."""

    program_id: str
    title: Text
    description: Text
    currency: str
    minor_unit: int  # digits: 0 for JPY
    rounding: Rounding
    fiscal_year_start: int
    source: str  # the program file as named when compiled
    enums: dict[str, tuple[str, ...]]
    inputs: tuple[InputDecl, ...]
    versions: tuple[Version, ...]  # in date order
    payout_cap: int | None = None  # minor units: the most a partner's statement total may be for one period
    payout_cap_at: Loc | None = None  # where the program states it
    time_zone: str = instants.DEFAULT_TIME_ZONE  # IANA name: decides the calendar date of an instant
    pilot: Pilot | None = None  # the pilot size the program states (an advisory, W306); None: none stated

    @property
    def rounding_mode(self) -> str:
        """The program's default rounding mode (`rounding.mode`)."""
        return self.rounding.mode

    @property
    def rounding_unit(self) -> int:
        """The unit every amount is rounded to, in minor units."""
        return self.rounding.unit

    def version_on(self, day: datetime.date) -> Version | None:
        """The version in force on a day, taken at its start (00:00 in the program's time zone)."""
        return self.version_at(instants.start_of_day(day, self.time_zone))

    def version_at(self, instant: datetime.datetime) -> Version | None:
        """The version in force at an instant: the latest that starts at or before it and has not ended."""
        for version in reversed(self.versions):
            if self.starts_at(version) <= instant:
                end = self.ends_at(version)
                return None if end is not None and instant >= end else version
        return None

    def starts_at(self, version: Version) -> datetime.datetime:
        """The instant a version comes into force (UTC)."""
        return version.starts_at or instants.start_of_day(version.effective_from, self.time_zone)

    def ends_at(self, version: Version) -> datetime.datetime | None:
        """The instant a version stops being in force (UTC, exclusive), or None when it has no end of its own."""
        if version.ends_at is not None:
            return version.ends_at
        if version.effective_until is None:
            return None
        return instants.start_of_day(version.effective_until + datetime.timedelta(days=1), self.time_zone)

    def split_days(self) -> frozenset[datetime.date]:
        """The calendar days on which a version starts or ends other than at midnight: on those days the
        version in force depends on the time of day, not only on the date."""
        found: set[datetime.date] = set()
        for version in self.versions:
            for moment in (version.starts_at, version.ends_at):
                if moment is not None and not instants.is_midnight(moment, self.time_zone):
                    found.add(instants.local_date(moment, self.time_zone))
        return frozenset(found)


# --- JSON ------------------------------------------------------------------------------------------
# The codec lives in runtime/ir_json.py; `canonical_json` and `digest` define the artifact's identity.


def canonical_json(data: Any) -> str:
    """The canonical text of JSON data: sorted keys, no insignificant whitespace, UTF-8 kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(data: Any) -> str:
    """SHA-256 of the canonical text, hex."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
