"""Worked examples: cases generated from the rule set and decided by the runtime itself.

Nothing here computes money. A case is a transaction (or a period's transactions, a contested deal,
an inbound lead) built from the rule set's own values — a list price, each tier, the volume at and
just below each ladder step — and handed to `quote`, `settle`, `decide` or `route`. Every case is
recorded with the figures the guide prints from it, so a test can run it again and compare. The cases are
the runtime's own objects, made from the rule set (a transaction may carry its catalog item's `item.*`
fields), so they are handed over `checked`: they are not inputs to check.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from runtime import ir
from runtime.decisions import Claim, Deal, Lead, Ownership, QuoteError, Routing, decide, quote, route, settle
from runtime.decisions.quote import PriceRejected
from runtime.io.writers import ruleset_sha256
from runtime.labels import rule_label
from runtime.loaded import LoadedVersion, Runtime
from runtime.model import UNSTATED, Partner, Period, Quote, Share, Statement, Transaction, Volumes
from runtime.store import Ledger, LedgerLine, earned_figures, year_to_date
from runtime.store.migrations import MEMORY

Shown = tuple[tuple[str, Any], ...]
_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "fiscal_year": 12}
JST = datetime.timezone(datetime.timedelta(hours=9))
# The in-memory ledger of a worked example holds that example's runs only, under a key of its own: a program id
# the ledger's id policy refuses (a hand-made rule set) cannot stop the example.
_EXAMPLE_PROGRAM = "example"


@dataclass(frozen=True, slots=True)
class QuoteCase:
    """A quoted transaction and the figures the guide shows from it (see `figure` in the tests)."""

    transaction: Transaction
    partners: Mapping[str, Partner]
    volumes: Mapping[str, Volumes]
    result: Quote
    shown: Shown


@dataclass(frozen=True, slots=True)
class SettleCase:
    """A settled period and the figures the guide shows from one partner's statement."""

    transactions: tuple[Transaction, ...]
    partners: Mapping[str, Partner]
    period: Period
    partner: str
    result: Statement
    shown: Shown


@dataclass(frozen=True, slots=True)
class DecideCase:
    """A contested deal and the engine's decision."""

    deal: Deal
    claims: tuple[Claim, ...]
    partners: Mapping[str, Partner]
    result: Ownership


@dataclass(frozen=True, slots=True)
class RouteCase:
    """A routed lead and the engine's order."""

    lead: Lead
    partners: Mapping[str, Partner]
    result: Routing


@dataclass(frozen=True, slots=True)
class RejectCase:
    """A transaction the program rejects, and the code it is rejected with (a price rule's `reject`)."""

    transaction: Transaction
    partners: Mapping[str, Partner]
    code: str


@dataclass(frozen=True, slots=True)
class YearCase:
    """Statements over a program year: transactions settled to each as-of date against what the earlier dates paid
    (an in-memory ledger), and one partner's statement and ledger lines at each date."""

    transactions: tuple[Transaction, ...]
    partners: Mapping[str, Partner]
    as_of: tuple[datetime.date, ...]
    partner: str
    statements: tuple[Statement, ...]  # the partner's statement of the year to each as-of
    runs: tuple[tuple[LedgerLine, ...], ...]  # the partner's lines of the run recorded at each as-of
    basis: str  # the volume the guide shows from each statement
    kinds: tuple[str, ...]  # the kinds of line the guide shows from each run

    def line(self, index: int, kind: str) -> LedgerLine:
        """The partner's line of a kind in the run at an as-of (zeros when the run has none: nothing earned or
        paid)."""
        found = next((x for x in self.runs[index] if x.kind == kind), None)
        return found or LedgerLine(self.partner, kind, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class ReviewCase:
    """A worked history of tier reviews: at each review, the figures, the tier the engine finds them qualifying for,
    and the decision of `runtime.decisions.reviews.decide` (its outcome, the tier in force from the review)."""

    partner: Partner  # with the tier registered for it, in force until the first review
    review: ir.Review
    dates: tuple[datetime.date, ...]
    values: tuple[Mapping[tuple[str, str], Any], ...]  # a qualification's field (`period`, `sales`) → its value
    candidates: tuple[str | None, ...]
    outcomes: tuple[str, ...]
    tiers: tuple[str | None, ...]


Case = QuoteCase | SettleCase | DecideCase | RouteCase | RejectCase | YearCase | ReviewCase


def _default(type_name: str, ruleset: ir.RuleSet, day: datetime.date) -> Any:
    """A neutral value of a declared type: zero, yes, the first member of an enumeration, a dated record in force
    from the day on, an empty list."""
    match type_name:
        case "dated":
            return ir.Dated(day)
        case "list":
            return ()
        case "money" | "integer":
            return 0
        case "number" | "percent":
            return Fraction(0)
        case "boolean":
            return True
        case "date":
            return day
        case "duration":
            return ir.Duration(0, "d")
        case "text":
            return ""
    members = ruleset.enums.get(type_name)
    return members[0] if members else ""


def last_day(ruleset: ir.RuleSet, version: ir.Version) -> datetime.date | None:
    """The last day a version is in force: its own end, or the day before the next version starts."""
    later = [v.effective_from for v in ruleset.versions if v.effective_from > version.effective_from]
    ends = ([version.effective_until] if version.effective_until else []) + \
        ([min(later) - datetime.timedelta(days=1)] if later else [])
    return min(ends) if ends else None


def _last_day(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


class Cases:
    """Builds and runs the worked examples of one version of a rule set, and keeps them."""

    def __init__(self, runtime: Runtime, version: ir.Version) -> None:
        self.rt = runtime
        self.ruleset = runtime.ruleset
        self.version = version
        self.day = version.effective_from
        self.list_price = 1_200_000 * 10**self.ruleset.minor_unit
        self.recorded: list[Case] = []
        self._count = 0

    # --- inputs -------------------------------------------------------------------------------------

    def fields(self, scope: str, **values: Any) -> dict[str, Any]:
        """Every declared input of a scope, neutral unless given."""
        out = {i.name: _default(i.type, self.ruleset, self.day) for i in self.ruleset.inputs if i.scope == scope}
        out.update(values)
        return out

    def partner(self, pid: str, contract: str, tier: str | None, level: int = 1, parent: str | None = None,
                **values: Any) -> Partner:
        """A sample partner with every declared partner field."""
        return Partner(pid, contract, tier, level, parent, self.fields("partner", **values))

    def sale(self, partner: str, list_price: int, sell_price: int | None = None, quantity: int = 1,
             contract: str | None = None, day: datetime.date | None = None, **values: Any) -> Transaction:
        """A sample sale, on the version's first day unless another day is given.

        With a catalog, the sale is of the catalog's first item (its SKU, category and unit; `item.category`
        may be given), at the example's list price rather than the item's.
        """
        self._count += 1
        # On its first day a version that starts during the day is in force from its instant, not from 00:00.
        at = self.version.starts_at if day is None else None
        return Transaction(f"example-{self._count}", day or self.day, partner, list_price,
                           list_price if sell_price is None else sell_price, quantity, contract,
                           "", self.sale_fields(values), at)

    def sale_fields(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """A sample sale's fields: the declared inputs, and with a catalog the item sold (`item.category` may be
        given; its SKU, category and unit, not its list price, so that the example's list price stands)."""
        fields = self.fields("transaction", **{k: v for k, v in values.items() if not k.startswith("item.")})
        catalog = self.version.catalog
        if catalog is not None and catalog.items:
            first = catalog.items[0]
            category = values.get("item.category", first.category)
            item = next((i for i in catalog.items if i.category == category), first)
            fields.update({"item.sku": item.sku, "item.category": item.category, "item.unit": item.unit})
        return fields

    def loaded(self, version: ir.Version | None = None) -> LoadedVersion:
        """The runtime's entry functions of a version."""
        wanted = version or self.version
        return next(v for v in self.rt.versions if v.rules is wanted)

    def period(self, kind: str, version: ir.Version | None = None) -> Period:
        """The ladder or bonus period that contains a version's first day, cut to the days the version is in force."""
        version = version or self.version
        first = self.ruleset.fiscal_year_start - 1
        size = _MONTHS[kind]
        day = version.effective_from
        month = day.year * 12 + day.month - 1
        start = (month - first) // size * size + first
        end = start + size - 1
        begin = max(datetime.date(start // 12, start % 12 + 1, 1), version.effective_from)
        finish = _last_day(end // 12, end % 12 + 1)
        until = last_day(self.ruleset, version)
        return Period(begin, min(finish, until) if until else finish)

    # --- decisions ----------------------------------------------------------------------------------

    def quote(self, txn: Transaction, partners: Sequence[Partner], shown: Sequence[str],
              volumes: Mapping[str, Volumes] | None = None, include_ladder: bool = True) -> Quote:
        """Quote a transaction and record the figures the guide shows from it."""
        by_id = {p.id: p for p in partners}
        result = quote(self.rt, txn, by_id, volumes or {}, include_ladder=include_ladder, next_steps=False,
                       checked=True)
        self.recorded.append(QuoteCase(txn, by_id, dict(volumes or {}), result,
                                       tuple((name, quote_figure(result, name)) for name in shown)))
        return result

    def judge(self, txn: Transaction, partners: Sequence[Partner], shown: Sequence[str]) -> Quote | str:
        """Quote a transaction a price rule may reject: the quote, or the code it is rejected with."""
        by_id = {p.id: p for p in partners}
        try:
            return self.quote(txn, partners, shown)
        except PriceRejected as exc:
            self.recorded.append(RejectCase(txn, by_id, exc.code))
            return exc.code

    def settle(self, txns: Sequence[Transaction], partners: Sequence[Partner], period: Period, partner: str,
               shown: Sequence[str]) -> Statement:
        """Settle a period and record the figures the guide shows from one partner's statement."""
        by_id = {p.id: p for p in partners}
        settlement = settle(self.rt, txns, by_id, period, checked=True)
        statement = next(s for s in settlement.statements if s.partner == partner)
        self.recorded.append(SettleCase(tuple(txns), by_id, period, partner, statement,
                                        tuple((name, statement_figure(statement, name)) for name in shown)))
        return statement

    def settle_year(self, txns: Sequence[Transaction], partners: Sequence[Partner], as_ofs: Sequence[datetime.date],
                    partner: str, basis: str, kinds: Sequence[str]) -> YearCase:
        """Settle the program year to each as-of date, in order, against what the earlier dates paid, as
        `ppl settle --as-of DATE --ledger DB` does (the ledger here is in memory), and record one partner's figures.

        Raises:
            LedgerError: the ledger cannot record the rule set's currency (a hand-made rule set).
        """
        by_id = {p.id: p for p in partners}
        sha256, ruleset = ruleset_sha256(self.ruleset), self.ruleset
        statements, runs = [], []
        with Ledger(MEMORY) as ledger:
            for as_of in as_ofs:
                period = year_to_date(as_of, ruleset.fiscal_year_start)
                settlement = settle(self.rt, [t for t in txns if t.date <= as_of], by_id, period, checked=True)
                recorded = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time(), datetime.UTC)
                run = ledger.record(_EXAMPLE_PROGRAM, as_of, sha256, earned_figures(settlement.statements),
                                    currency=ruleset.currency, minor_unit=ruleset.minor_unit,
                                    fiscal_year_start=ruleset.fiscal_year_start, recorded_at=recorded)
                statements.append(next(s for s in settlement.statements if s.partner == partner))
                runs.append(tuple(line for line in run.lines if line.partner == partner))
        case = YearCase(tuple(txns), by_id, tuple(as_ofs), partner, tuple(statements), tuple(runs), basis, tuple(kinds))
        self.recorded.append(case)
        return case

    def decide(self, deal: Deal, claims: Sequence[Claim], partners: Sequence[Partner]) -> Ownership:
        """Decide a contested deal."""
        by_id = {p.id: p for p in partners}
        result = decide(self.rt, deal, claims, by_id, checked=True)
        self.recorded.append(DecideCase(deal, tuple(claims), by_id, result))
        return result

    def route(self, lead: Lead, partners: Sequence[Partner]) -> Routing:
        """Route an inbound lead."""
        by_id = {p.id: p for p in partners}
        result = route(self.rt, lead, by_id, checked=True)
        self.recorded.append(RouteCase(lead, by_id, result))
        return result

    def refund(self, sale: Transaction, day: datetime.date) -> Transaction:
        """A refund of the whole of a sample sale on a later day, stating no prices (they are the sale's)."""
        self._count += 1
        return dataclasses.replace(sale, id=f"example-{self._count}", date=day, list_price=UNSTATED,
                                   sell_price=UNSTATED, quantity=-sale.quantity, at=None, refund_of=sale.id)

    # --- searching for volumes ----------------------------------------------------------------------

    def list_price_for(self, partner: Partner, basis: str, target: int) -> int:
        """The smallest list price of one sale (sold at list) whose basis volume reaches a target.

        Found by quoting: the volume a sale adds is whatever the engine says it adds.
        """
        if basis in ("list_sales", "quantity"):
            return target

        def volume(price: int) -> int:
            return self.volume_of(partner, basis, price)

        low, high = 0, max(target, 1)
        while volume(high) < target:
            high *= 2
        while low < high:
            middle = (low + high) // 2
            if volume(middle) >= target:
                high = middle
            else:
                low = middle + 1
        return low

    def volume_of(self, partner: Partner, basis: str, price: int) -> int:
        """The basis volume one sale at a list price (sold at list, one unit) adds, as the engine quotes it."""
        if basis in ("list_sales", "quantity"):
            return price if basis == "list_sales" else 1
        txn = Transaction("search", self.day, partner.id, price, price, 1, None, "", self.sale_fields({}))
        q = quote(self.rt, txn, {partner.id: partner}, include_ladder=False, next_steps=False, checked=True)
        share = q.chain[0] if q.chain else None
        if share is None:
            return q.sell_amount
        return share.pays if basis == "purchases" else share.receives


def _in_chain(q: Quote, partner: str) -> Share:
    """The share of a partner the worked example put in the chain; a rule set (a hand-made one) that quotes
    another chain cannot give the example, which is a decision error rather than a figure of nobody."""
    found = next((s for s in q.chain if s.partner == partner), None)
    if found is None:
        raise QuoteError("E513", f"the worked example sells through `{partner}`, but the rule set quotes the chain "
                         f"{' → '.join(s.partner for s in q.chain) or '(none)'}")
    return found


def quote_figure(q: Quote, name: str) -> Any:
    """A figure of a quote by the name the guide records it under."""
    kind, _, arg = name.partition(":")
    match kind:
        case "list_amount":
            return q.list_amount
        case "sell_amount":
            return q.sell_amount
        case "margin":
            return q.margin
        case "uncapped":
            return sum((f.value for f in q.rates if f.name in ("base margin", "tier uplift", "ladder rate")),
                       Fraction(0))
        case "wholesale":
            return q.wholesale
        case "keeps":
            return _in_chain(q, arg).keeps if arg else q.partner_gross
        case "pays":
            return _in_chain(q, arg).pays
        case "rate":
            return sum((f.value for f in q.rates if f.name == arg), Fraction(0))
        case "line":
            return sum(line.amount for line in q.lines if line.kind == arg)
        case "violations":
            return ",".join(v.kind for v in q.violations)
        case "benefits":
            return ",".join(rule_label(b.rule) for b in q.benefits)
    raise AssertionError(f"unknown quote figure {name!r}")


def statement_figure(s: Statement, name: str) -> Any:
    """A figure of a statement by the name the guide records it under."""
    kind, _, arg = name.partition(":")
    match kind:
        case "volume":
            return s.volumes.basis(arg)
        case "total":
            return s.totals.get(arg, 0)
        case "next_tier":
            return s.next_tier.name if s.next_tier else None
    raise AssertionError(f"unknown statement figure {name!r}")


def deal_at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """A moment of a day in Japan time."""
    return datetime.datetime.combine(day, datetime.time(hour), JST)
