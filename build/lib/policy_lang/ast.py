"""The typed model of a program: expression nodes and program constructs, each with a span.

Nodes are frozen, slotted dataclasses; the span is keyword-only and left out of equality so
trees compare by value. Collections are tuples.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from policy_lang.source import Span


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every node: carries where it was written."""

    span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)


# --- expressions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expr(Node):
    """Base of expression nodes."""


@dataclass(frozen=True, slots=True)
class NumberLit(Expr):
    """A plain number: `1_000`, `2.5`, `10億` (units already applied)."""

    value: Decimal


@dataclass(frozen=True, slots=True)
class PercentLit(Expr):
    """A percentage: `15%` holds 15 (the rate is value / 100)."""

    value: Decimal


@dataclass(frozen=True, slots=True)
class MoneyLit(Expr):
    """An amount of money in a currency: `¥1,000,000`, `1000000 JPY`, `$12.50`, `3000万円`."""

    amount: Decimal
    currency: str  # ISO 4217 code, e.g. "JPY"


@dataclass(frozen=True, slots=True)
class DateLit(Expr):
    """A calendar date: `2026-04-01`."""

    value: datetime.date


@dataclass(frozen=True, slots=True)
class DurationLit(Expr):
    """A length of time: `90d`, `2w`, `6mo`, `1y`."""

    amount: int
    unit: str  # one of DURATION_UNITS


DURATION_UNITS = ("d", "w", "mo", "y")


@dataclass(frozen=True, slots=True)
class BoolLit(Expr):
    """`true` or `false`."""

    value: bool


@dataclass(frozen=True, slots=True)
class TextLit(Expr):
    """A quoted text: `"gold"`."""

    value: str


@dataclass(frozen=True, slots=True)
class ListLit(Expr):
    """A list: `[kanto, kansai]`."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Name(Expr):
    """A dotted name: `partner.tier`, or a bare enumeration member such as `tier1`."""

    parts: tuple[str, ...]

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    """`-x` or `not x`."""

    op: str  # "-" | "not"
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    """Arithmetic: `a + b`, `a - b`, `a * b`, `a / b`."""

    op: str  # "+" | "-" | "*" | "/"
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Comparison(Expr):
    """`a == b`, `!=`, `<`, `<=`, `>`, `>=`."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Logical(Expr):
    """`a and b`, `a or b`."""

    op: str  # "and" | "or"
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Membership(Expr):
    """`x in [a, b]` or `x not in [a, b]`."""

    negated: bool
    item: Expr
    collection: Expr


@dataclass(frozen=True, slots=True)
class Conditional(Expr):
    """`if cond then a else b`."""

    condition: Expr
    then: Expr
    otherwise: Expr


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """A call of a built-in function: `min(a, b)`, `round(x, ¥1000)`, `count(partner.certifications,
    valid_on: as_of)`, or a method of a value: `partner.nda.valid_on(transaction.date)`.

    A method call holds its receiver as the first argument (`method=True`); named arguments are the
    last ones, `keywords` naming them in order.
    """

    function: str
    args: tuple[Expr, ...]
    keywords: tuple[str, ...] = ()
    method: bool = False

    @property
    def positional(self) -> tuple[Expr, ...]:
        """The arguments written without a name (with a method's receiver first)."""
        return self.args[:len(self.args) - len(self.keywords)]

    def keyword(self, name: str) -> Expr | None:
        """The argument named `name`, if given."""
        named = self.args[len(self.args) - len(self.keywords):]
        return next((arg for word, arg in zip(self.keywords, named, strict=True) if word == name), None)


ARITHMETIC = ("+", "-", "*", "/")
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
FUNCTIONS = ("min", "max", "abs", "round", "floor", "ceil", "clamp", "count")
METHODS = ("valid_on",)
"""Methods of a dated record: `partner.nda.valid_on(as_of)`."""
RECORD_FIELDS = ("from", "until")
"""The dates of a dated record: `partner.nda.until`."""


# --- program constructs ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ident(Node):
    """An id as written, with its place: the id of a construct or a reference to one."""

    name: str


@dataclass(frozen=True, slots=True)
class Text(Node):
    """Reader-facing text: one string for every language, or one per language code."""

    values: tuple[tuple[str, str], ...]  # (language, text); language "" means "any"

    def get(self, lang: str) -> str | None:
        by_lang = dict(self.values)
        return by_lang.get(lang, by_lang.get(""))


@dataclass(frozen=True, slots=True)
class Pilot(Node):
    """The program's pilot size: how many partners it means to have active (an open bound is None)."""

    min: int | None
    max: int | None


@dataclass(frozen=True, slots=True)
class Rounding(Node):
    """How amounts are rounded where the program rounds."""

    mode: str  # "down" | "half_up" | "half_even" | "up": the default for every kind of amount
    unit: Expr | None
    modes: tuple[tuple[str, str], ...] = ()  # (kind of amount, mode), where the program sets one
    point: str = "margin"  # "margin" | "wholesale": which figure of a sale is rounded
    marginal: str = "total"  # "total" | "per_bracket": how a marginal ladder is rounded


@dataclass(frozen=True, slots=True)
class EnumDecl(Node):
    """A program enumeration: `region: [kanto, kansai]`."""

    name: Ident
    members: tuple[Ident, ...]


@dataclass(frozen=True, slots=True)
class InputField(Node):
    """A declared input field: `partner.certified_engineers: integer`."""

    scope: str  # "partner" | "transaction" | "deal" | "lead" | "applicant"
    name: Ident
    type_name: Ident
    description: Text | None = None
    min: Expr | None = None  # the smallest value allowed (inclusive)
    max: Expr | None = None  # the largest value allowed (inclusive)
    values: tuple[Expr, ...] | None = None  # the values allowed
    item: Ident | None = None  # a list (`type_name` is `list`): the type of each member


@dataclass(frozen=True, slots=True)
class Contract(Node):
    """A contract type and how a partner under it earns."""

    id: Ident
    kind: str  # "distributor" | "solution_partner" | "referral"
    title: Text | None
    description: Text | None
    margin: Expr | None
    ladder: Ident | None
    bonuses: tuple[Ident, ...]
    services: Expr | None
    fee: Expr | None
    fee_cap: Expr | None
    margin_cap: Expr | None = None  # the most the margin of one transaction line may be (money)


@dataclass(frozen=True, slots=True)
class LadderStep(Node):
    """One bracket of a margin ladder."""

    start: Expr  # written `from`, or `above` when `strict`
    end: Expr | None  # written `to`
    rate: Expr
    strict: bool = False  # `above`: reached by a volume more than `start`


@dataclass(frozen=True, slots=True)
class Ladder(Node):
    """An extra margin depending on period volume."""

    id: Ident
    title: Text | None
    description: Text | None
    basis: str  # "purchases" | "sales" | "list_sales" | "quantity"
    period: str  # "month" | "quarter" | "half_year" | "fiscal_year"
    mode: str  # "retroactive" | "marginal"
    steps: tuple[LadderStep, ...]
    volume_cap: Expr | None = None  # the most volume a period counts


@dataclass(frozen=True, slots=True)
class BonusStep(Node):
    """One target of a bonus."""

    target: Expr  # written `target`, or `above` when `strict`
    pay: Expr
    strict: bool = False  # `above`: reached by a volume more than `target`


@dataclass(frozen=True, slots=True)
class Bonus(Node):
    """An extra payout once period targets are passed."""

    id: Ident
    title: Text | None
    description: Text | None
    basis: str
    period: str
    kind: str  # "one_off" | "cumulative"
    when: Expr | None
    steps: tuple[BonusStep, ...]
    cap: Expr | None
    volume_cap: Expr | None = None  # the most volume a period counts


@dataclass(frozen=True, slots=True)
class Tier(Node):
    """A partner level with its qualification (or `assigned: true`: the vendor decides), uplift and benefits."""

    id: Ident
    title: Text | None
    description: Text | None
    qualify: Expr | None  # None when the tier is assigned
    margin_uplift: Expr | None
    benefits: tuple[Ident, ...]
    assigned: bool = False


@dataclass(frozen=True, slots=True)
class Review(Node):
    """`tiers.review`: the window a review reads, and how long a reached tier is kept before demotion."""

    window: str  # year_to_date | since_last_review | months
    months: int | None  # the window's months when `window` is `months`
    keep: int = 1
    grace: int = 0
    # Where each key was written (None: left out), for the checks that point at one of them.
    months_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)
    keep_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)
    grace_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Tiers(Node):
    """Ordered partner levels, best first, how often they are re-evaluated and how a review decides."""

    cadence: str
    levels: tuple[Tier, ...]
    review: Review | None = None


@dataclass(frozen=True, slots=True)
class Benefit(Node):
    """An entitlement attached to tiers, possibly gated."""

    id: Ident
    kind: str
    title: Text | None
    description: Text | None
    when: Expr | None
    value: Expr | None


@dataclass(frozen=True, slots=True)
class MarginCap(Node):
    """A ceiling on the total margin of some transactions."""

    id: Ident
    title: Text | None
    when: Expr
    cap: Expr


@dataclass(frozen=True, slots=True)
class PassThrough(Node):
    """A cost passed through at cost, with the partner's fee on top."""

    id: Ident
    title: Text | None
    amount: Expr  # the cost
    fee: Expr
    fee_cap: Expr | None = None  # the most one transaction's fee line may be (money)
    billed: Expr | None = None  # what the partner billed the customer for the cost
    markup: str | None = None  # "allowed" | "none"
    max_markup: Expr | None = None  # the largest markup over cost, a rate of the cost
    action: str | None = None  # what a markup the program does not allow does (None: the default)
    markup_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)
    action_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class PriceRules(Node):
    """What partners may charge and keep."""

    ceiling: str | None  # "list_price" | "none"
    max_discount: Expr | None
    max_channel_margin: Expr | None
    margin_caps: tuple[MarginCap, ...]
    pass_through: tuple[PassThrough, ...]
    zero_price: tuple[str, ...] = ()  # products that may be sold at a unit price of 0
    # What a violation does (`runtime.ir.PRICE_ACTIONS`); None: not stated, the rule's default applies.
    ceiling_action: str | None = None
    max_discount_action: str | None = None
    min_fee: Expr | None = None  # the smallest fee line of a sale
    min_fee_action: str | None = None
    ceiling_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)
    zero_price_spans: tuple[Span | None, ...] = field(default=(), kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CatalogPrice(Node):
    """A SKU's list price from a date on."""

    start: datetime.date
    list_price: Expr


@dataclass(frozen=True, slots=True)
class CatalogItem(Node):
    """One SKU of the price catalog."""

    sku: Ident
    title: Text | None
    category: Ident
    unit: str
    list_price: Expr
    prices: tuple[CatalogPrice, ...]


@dataclass(frozen=True, slots=True)
class Catalog(Node):
    """The SKUs partners sell; its categories are an enumeration (`item.category`)."""

    categories: tuple[Ident, ...]
    action: str | None  # what a stated list price that disagrees does (None: the default, reject)
    items: tuple[CatalogItem, ...]


@dataclass(frozen=True, slots=True)
class HierarchyLevel(Node):
    """One level of the distributor hierarchy."""

    level: int
    title: Text | None
    margin: Expr


@dataclass(frozen=True, slots=True)
class ResellerKey(Node):
    """One key of the reseller routing order: a `prefer` condition or a `fewest` count."""

    prefer: Expr | None
    fewest: Ident | None  # `children` or a declared integer partner input
    title: Text | None


@dataclass(frozen=True, slots=True)
class ResellerRouting(Node):
    """How the 1st-tier distributor of a would-be reseller is chosen (the mapping form of `new_resellers`)."""

    order: tuple[ResellerKey, ...]
    among_equals: str | None  # "rotate"
    order_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)
    among_equals_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Hierarchy(Node):
    """The distributor hierarchy."""

    model: str  # "nested" | "stacked"
    max_depth: int
    levels: tuple[HierarchyLevel, ...]
    new_resellers: str | None  # "level_1" | "vendor": the scalar, or the mapping form's `to`
    routing: ResellerRouting | None = None  # the mapping form's `order` and `among_equals`
    new_resellers_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Registration(Node):
    """How long a deal registration protects a partner."""

    expires_after: Expr
    renewals: int
    renewal_period: Expr | None


@dataclass(frozen=True, slots=True)
class ConflictRule(Node):
    """One rule of the conflict precedence chain."""

    rule: str
    by: str | None
    when: Expr | None
    title: Text | None
    needs_registration: bool | None = None  # exclusivity: False when the right owns a deal without a registration
    applies: str | None = None  # customer_choice: "at_close" | "when_documented"
    order: tuple[str, ...] | None = None  # tie_break by order: partner ids, the favoured first


@dataclass(frozen=True, slots=True)
class Conflicts(Node):
    """Who owns a deal when several claim it."""

    registration: Registration | None
    precedence: tuple[ConflictRule, ...]
    otherwise: str | None


@dataclass(frozen=True, slots=True)
class RoutingKey(Node):
    """One key of the lead-routing order."""

    by: str | None
    prefer: Expr | None
    title: Text | None


@dataclass(frozen=True, slots=True)
class LeadRouting(Node):
    """Which partners get an inbound lead first."""

    eligible: Expr | None
    order: tuple[RoutingKey, ...]
    among_equals: str
    skip_when: Expr | None
    new_resellers: str | None
    new_resellers_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)
    among_equals_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Body(Node):
    """The rule sections of one version; None means "not stated" (a revision keeps the earlier one)."""

    contracts: tuple[Contract, ...] | None = None
    ladders: tuple[Ladder, ...] | None = None
    bonuses: tuple[Bonus, ...] | None = None
    tiers: Tiers | None = None
    benefits: tuple[Benefit, ...] | None = None
    price_rules: PriceRules | None = None
    hierarchy: Hierarchy | None = None
    catalog: Catalog | None = None
    conflicts: Conflicts | None = None
    lead_routing: LeadRouting | None = None


@dataclass(frozen=True, slots=True)
class Revision(Node):
    """A later version of the program that replaces some sections from its date."""

    version: Ident
    effective_from: datetime.date
    effective_until: datetime.date | None
    note: Text | None
    body: Body
    from_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)
    until_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)
    # Where `effective_from`/`effective_until` is a timestamp: the instant (UTC); the dates above are then the
    # calendar dates in the program's time zone (the last day in force, for `effective_until`).
    from_instant: datetime.datetime | None = field(default=None, kw_only=True)
    until_instant: datetime.datetime | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class Program(Node):
    """A whole program file."""

    id: Ident
    title: Text
    description: Text | None
    version: Ident
    effective_from: datetime.date
    effective_until: datetime.date | None
    currency: Ident
    rounding: Rounding
    fiscal_year_start: int
    cliff_tolerance: Expr | None
    enums: tuple[EnumDecl, ...]
    inputs: tuple[InputField, ...]
    body: Body
    revisions: tuple[Revision, ...]
    payout_cap: Expr | None = None  # the most a partner's total may be in one settlement period (money)
    time_zone: Ident | None = field(default=None, kw_only=True)  # IANA name; None: the default, Asia/Tokyo
    pilot: Pilot | None = field(default=None, kw_only=True)  # the pilot size; None: the program states none
    from_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)
    until_span: Span | None = field(default=None, kw_only=True, compare=False, repr=False)
    # Where `effective_from`/`effective_until` is a timestamp: the instant (UTC); the dates above are then the
    # calendar dates in the program's time zone (the last day in force, for `effective_until`).
    from_instant: datetime.datetime | None = field(default=None, kw_only=True)
    until_instant: datetime.datetime | None = field(default=None, kw_only=True)
