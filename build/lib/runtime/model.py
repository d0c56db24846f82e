"""The runtime's inputs and results: partners, transactions, quotes, lines and statements.

Amounts are integer minor units of the program currency; rates are Fractions. Every figure that a
rule produced names the rule (a typed `RuleRef`; `runtime.labels` puts it in words) and where it was written.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

from runtime.ir import Loc, RuleRef


@dataclass(frozen=True, slots=True)
class Partner:
    """A partner and its standing: contract, tier, place in the hierarchy, declared fields.

    Attributes:
        id: the partner's id, in its canonical form (`runtime.ids`).
        contract: the id of its contract, one of the program's.
        tier: the id of its tier (None: none, or the program has no tiers).
        level: its level in the distributor hierarchy (1: buys from the vendor).
        parent: the partner one level up, which this one buys from (None at level 1).
        fields: the declared `partner.*` inputs, each as the runtime value of its type (money in integer
            minor units, a whole number as an int, a number or percentage as an int or a `Fraction`, a date
            as a `datetime.date`, an enumeration member as its str).
        joined: the first day the partner is in the program (None: since always).
        left: the last day (None: until further notice).
    """

    id: str
    contract: str
    tier: str | None = None
    level: int = 1
    parent: str | None = None  # the partner one level up, which this one buys from
    fields: Mapping[str, Any] = field(default_factory=dict)  # declared `partner.*` inputs, runtime values
    # Membership: the first and last day the partner is in the program (None: since always, until further notice).
    joined: datetime.date | None = None
    left: datetime.date | None = None


UNSTATED = -1
"""A unit price a refund row does not state (it takes its sale's); prices read from input are never negative."""


@dataclass(frozen=True, slots=True)
class Transaction:
    """One sale (positive quantity), or a refund of an earlier sale (`refund_of`; negative quantity: the units
    returned). A refund's prices may be `UNSTATED`.

    Attributes:
        id: the transaction's id, in its canonical form.
        date: the day of the sale (a `datetime.date`), which picks the version in force.
        partner: the id of the selling partner.
        list_price: the list price of one unit, in integer minor units (¥1,200,000 is 1200000).
        sell_price: the price the partner sold one unit at, in integer minor units.
        quantity: the units sold (negative in a refund: the units returned).
        contract: the contract the sale is under (None: the partner's).
        product: the product sold ("" for none).
        fields: the declared `transaction.*` inputs, each as the runtime value of its type.
        at: the instant of the sale with its UTC offset, when known; `date` is then its calendar date in the
            program's time zone.
        refund_of: the id of the sale a refund reverses.
        sku: the catalog item sold, whose fields join `fields` as `item.*` when it is quoted.
    """

    id: str
    date: datetime.date
    partner: str  # the selling partner
    list_price: int  # per unit, minor units
    sell_price: int  # per unit, minor units
    quantity: int
    contract: str | None = None  # defaults to the partner's contract
    product: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)  # declared `transaction.*` inputs
    # The instant, when the row gave a timestamp (UTC); `date` is then its calendar date in the program's time zone.
    at: datetime.datetime | None = None
    refund_of: str | None = None  # the id of the sale this refund reverses (an earlier row of the same input)
    sku: str | None = None  # the catalog item sold (its fields join `fields` as `item.*` when quoted)


@dataclass(frozen=True, slots=True)
class Volumes:
    """A partner's volumes in a period (net of refunds), each an int: sales and purchases in minor units, the
    list amount of its sales, the units sold and the deals closed."""

    sales: int = 0
    purchases: int = 0
    list_sales: int = 0
    quantity: int = 0
    deals: int = 0

    def basis(self, name: str) -> int:
        """The volume a ladder or bonus measures."""
        value: int = getattr(self, name)
        return value


TIER_OUTCOMES = ("promoted", "met", "kept", "grace", "demoted", "assigned", "undecided")
"""What a tier review decided for a partner (docs/reference/tiers-and-benefits.md, "Reviews")."""


@dataclass(frozen=True, slots=True)
class TierDecision:
    """A tier review's decision for one partner: the figures it read, the tier before and after, and why."""

    partner: str
    review: datetime.date  # the review date: the new tier is in force from it until the next review
    window_start: datetime.date  # the first day of the window read
    window_end: datetime.date  # its last day (the day before the review)
    figures: Volumes  # the `period.*` figures over the window
    previous: str | None  # the tier in force before the review
    tier: str | None  # the tier in force from the review
    outcome: str  # TIER_OUTCOMES
    rule: RuleRef | None  # the tier whose qualification held (None: none held, or not reviewed)
    reason: str


@dataclass(frozen=True, slots=True)
class Figure:
    """A number a rule produced: a rate or an amount, with the rule and its source."""

    name: str
    value: int | Fraction
    rule: RuleRef
    at: Loc | None = None


@dataclass(frozen=True, slots=True)
class Withheld:
    """A benefit of the partner's tier that its condition withholds on a date, with the reasons in words
    ("NDA expired on 2026-08-31", "no `nda` on file", "condition not met: `partner.open_leads < 20`")."""

    name: str
    reasons: tuple[str, ...]
    rule: RuleRef
    at: Loc | None = None


@dataclass(frozen=True, slots=True)
class Share:
    """What one level of a distributor chain pays, receives and keeps on a transaction."""

    partner: str
    level: int
    margin: Fraction
    pays: int  # to the level above (the vendor for level 1)
    receives: int  # from the level below (the customer for the selling partner)
    keeps: int
    rule: RuleRef
    at: Loc | None = None


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a quote or statement."""

    partner: str
    # margin | pass_through | fee | services | referral_fee | ladder | ladder_clawback | bonus | bonus_clawback | cap
    kind: str
    label: str
    amount: int
    rule: RuleRef
    version: str
    at: Loc | None = None
    transaction: str | None = None


@dataclass(frozen=True, slots=True)
class Violation:
    """A price-rule violation: reported, never corrected; what it does is its action (`ir.PRICE_ACTIONS`)."""

    kind: str  # above_list | below_floor | fee_below_minimum | above_cost (`ir.PRICE_CHECKS`)
    message: str
    rule: RuleRef
    at: Loc | None = None
    action: str = "flag"  # reject | flag | hold
    code: str = ""  # the runtime code of the kind (E550–E553)


@dataclass(frozen=True, slots=True)
class Quote:
    """Everything the program says about one transaction."""

    transaction: str
    partner: str
    version: str
    contract: str
    kind: str
    list_amount: int
    sell_amount: int
    rates: tuple[Figure, ...]  # base margin, uplift, ladder rate, caps: how the margin came about
    margin: Fraction  # the margin of the partner that buys from the vendor
    wholesale: int | None  # what the vendor receives for the product (None for referrals)
    chain: tuple[Share, ...]
    lines: tuple[Line, ...]  # every amount the transaction pays a partner or passes through
    benefits: tuple[Figure, ...]
    violations: tuple[Violation, ...]
    next_steps: tuple[str, ...]
    # Under a margin cap: the most a ladder may add to this transaction's margin (None: no cap applies).
    ladder_headroom: Fraction | None = None
    withheld: tuple[Withheld, ...] = ()  # benefits of the seller's tier whose condition fails on the date

    @property
    def partner_gross(self) -> int:
        """What the selling partner keeps on the product."""
        return self.chain[-1].keeps if self.chain else 0


ChainShare = tuple[str, int, Fraction, int, int, int]
"""One level of a distributor chain in `QuoteFigures`: partner, level, margin, pays, receives, keeps."""
Amount = tuple[str, str, int]
"""One line in `QuoteFigures`: partner, kind, amount."""


class QuoteFigures(NamedTuple):
    """A quote's numbers alone: what the fast path gives when no explanation is asked for.

    The same numbers as the `Quote` of the same transaction (see `Quoter.figures`), without the rules,
    labels, sources and next steps that explain them.
    """

    transaction: str
    partner: str
    version: str
    contract: str
    margin: Fraction  # the margin of the partner that buys from the vendor (0 for a referral)
    wholesale: int | None  # what the vendor receives for the product (None for referrals)
    chain: tuple[ChainShare, ...]  # level 1 first; empty for a referral
    lines: tuple[Amount, ...]
    benefits: tuple[tuple[str, int | Fraction], ...]  # (name, value)
    violations: tuple[str, ...]  # the kinds: above_list, below_floor, fee_below_minimum, above_cost

    @property
    def partner_gross(self) -> int:
        """What the selling partner keeps on the product."""
        return self.chain[-1][5] if self.chain else 0


@dataclass(frozen=True, slots=True)
class Period:
    """A settlement period: first and last day, inclusive (`runtime.io.parse_period` reads `FY2026`, `2026-04`).

    >>> import datetime
    >>> str(Period(datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)))
    '2026-04-01..2026-06-30'
    """

    start: datetime.date
    end: datetime.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, datetime.date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


NOT_EARNED: tuple[str, ...] = ("pass_through", "services")
"""Line kinds a statement shows but the partner does not earn: money passed on at cost, its own revenue."""


@dataclass(frozen=True, slots=True)
class Statement:
    """One partner's statement for a period: period lines, totals by kind, volumes, next tier."""

    partner: str
    period: Period
    transactions: int
    totals: Mapping[str, int]  # by line kind, including the transaction lines
    period_lines: tuple[Line, ...]  # ladder, bonus and clawback lines
    volumes: Volumes
    gross_volumes: Volumes  # sales only, before refunds
    tier: str | None  # in force at the period's end
    next_tier: Figure | None
    problems: tuple[str, ...] = ()  # rules that could not be evaluated for this partner, and why
    tier_history: tuple[TierDecision, ...] = ()  # the tier reviews in the period, oldest first
    # Under a program whose benefits have conditions: the benefits of the partner's tier granted and withheld as
    # of the period's last day (both empty otherwise).
    benefits: tuple[Figure, ...] = ()
    withheld: tuple[Withheld, ...] = ()

    @property
    def total(self) -> int:
        """What the partner earns for the period: every line except pass-through costs."""
        return sum(v for k, v in self.totals.items() if k not in NOT_EARNED)
