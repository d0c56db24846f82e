"""Tier reviews: the review dates of a settled period, the window each reads, the decision at a review, and the
timeline of tiers the reviews make.

Follows docs/reference/tiers-and-benefits.md ("Reviews") and docs/computation.md ("Tier reviews"). A review is
held on the first day of each cadence period, counted from the program's `fiscal_year_start`; the tier it decides
is in force from that day until the next review. `decide` is the one decision both engines use: it reads the
candidate tier (the first tier whose qualification holds on the window's figures) and the partner's standing.
A settlement of a program year that carries the months before the year (`Carried`, from the settlement ledger) also
holds the review on the year's first day, with the standing the previous year left, and its windows read the
carried months where they reach before the year.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from runtime import ir
from runtime.decisions._slots import partner_env
from runtime.engine import EvaluationError
from runtime.labels import rule_label
from runtime.loaded import LoadedVersion, Runtime
from runtime.model import Partner, Period, TierDecision, Volumes

CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}
"""The months between two reviews, by `tiers.cadence`."""


@dataclass(frozen=True, slots=True)
class Standing:
    """A partner's tier between reviews, and what `keep` and `grace` count for it."""

    tier: str | None
    since: datetime.date | None = None  # the review that reached the tier (None: the partners file's tier)
    periods: int = 0  # review periods the tier has been in force since `since` (read only when `since` is set)
    grace_used: int = 0  # reviews in grace since the tier was last met


def decide(levels: tuple[str, ...], review: ir.Review, standing: Standing, candidate: str | None,
           day: datetime.date) -> tuple[str, Standing]:
    """The outcome of a review on `day` and the standing after it, for a partner whose best qualifying tier is
    `candidate` (None: no tier qualifies). `levels` are the tier ids, best first; a tier not among them (or None)
    ranks below them all.

    >>> r = ir.Review("year_to_date", None, keep=2, grace=1)
    >>> decide(("gold", "silver"), r, Standing("silver"), "gold", datetime.date(2026, 7, 1))[0]
    'promoted'
    """
    def rank(tier: str | None) -> int:
        return levels.index(tier) if tier in levels else len(levels)

    if rank(candidate) < rank(standing.tier):
        return "promoted", Standing(candidate, day)
    in_force = standing.periods + 1
    if rank(candidate) == rank(standing.tier):
        return "met", dataclasses.replace(standing, periods=in_force, grace_used=0)
    if standing.since is not None and in_force < review.keep:
        return "kept", dataclasses.replace(standing, periods=in_force)
    if standing.grace_used < review.grace:
        return "grace", dataclasses.replace(standing, periods=in_force, grace_used=standing.grace_used + 1)
    return "demoted", Standing(candidate, day)


def _first_of(month: int) -> datetime.date:
    return datetime.date(month // 12, month % 12 + 1, 1)


def _month(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


@dataclass(frozen=True, slots=True)
class Carried:
    """What a settlement of a program year reads from before the year (from the settlement ledger): the monthly
    figures of the months recorded before it, and each partner's standing at the end of the years before."""

    recorded: frozenset[int]  # the months (indices) before the year whose figures were recorded
    months: Mapping[str, Mapping[int, Volumes]]  # by partner, then month: the figures (months left out: zero)
    standings: Mapping[str, Standing]  # by partner: the standing after its last recorded decision

    def reaches(self, period: Period) -> bool:
        """Whether the month before the period's first is recorded: the review on its first day can be held."""
        return _month(period.start) - 1 in self.recorded

    def figures(self, partner: str, months: Iterable[int]) -> Volumes:
        """A partner's recorded figures over months."""
        found = self.months.get(partner, {})
        sums = [0] * 5
        for month in months:
            if (v := found.get(month)) is not None:
                for i, x in enumerate((v.sales, v.purchases, v.list_sales, v.quantity, v.deals)):
                    sums[i] += x
        return Volumes(*sums)


def standing_after(decisions: Iterable[TierDecision]) -> Standing | None:
    """A partner's standing after its decisions (oldest first), as `decide` left it (None: no decision).

    >>> d = TierDecision("r", datetime.date(2026, 7, 1), datetime.date(2026, 4, 1), datetime.date(2026, 6, 30),
    ...                  Volumes(), "member", "gold", "promoted", None, "")
    >>> standing_after([d])
    Standing(tier='gold', since=datetime.date(2026, 7, 1), periods=0, grace_used=0)
    """
    standing: Standing | None = None
    for d in decisions:
        now = standing if standing is not None else Standing(d.previous)
        match d.outcome:
            case "promoted" | "demoted":
                standing = Standing(d.tier, d.review)
            case "met":
                standing = dataclasses.replace(now, periods=now.periods + 1, grace_used=0)
            case "kept":
                standing = dataclasses.replace(now, periods=now.periods + 1)
            case "grace":
                standing = dataclasses.replace(now, periods=now.periods + 1, grace_used=now.grace_used + 1)
            case _:
                standing = now
    return standing


def review_dates(rt: Runtime, period: Period, carried: Carried | None = None) -> tuple[datetime.date, ...]:
    """The reviews inside a settled period: each first day of a cadence period after its first day and up to its
    last, where the version in force has a `tiers.review`. A review on the period's first day is held only when
    the months before it are `carried` from the ledger (else it would read no settled month: there the partners
    file's tier holds)."""
    found = []
    first = _month(period.start) + (0 if carried is not None and carried.reaches(period) else 1)
    for month in range(first, _month(period.end) + 1):
        version = rt.version_on(_first_of(month))
        tiers = version.rules.tiers if version is not None else None
        if tiers is None or tiers.review is None:
            continue
        if (month - (rt.ruleset.fiscal_year_start - 1)) % CADENCE_MONTHS[tiers.cadence] == 0:
            found.append(_first_of(month))
    return tuple(found)


def window_months(review: ir.Review, cadence: str, day: datetime.date, fiscal_year_start: int) -> range:
    """The whole months a review on `day` reads (as month indices: year × 12 + month − 1).

    `year_to_date` reads the program year before the review; at the year's first day, the whole year before it.
    `since_last_review` reads the cadence period before the review; `months` the N months before it.
    """
    end = _month(day)
    match review.window:
        case "year_to_date":
            start = end - (end - (fiscal_year_start - 1)) % 12
            return range(start if start < end else end - 12, end)
        case "since_last_review":
            return range(end - CADENCE_MONTHS[cadence], end)
        case "months":
            assert review.months is not None
            return range(end - review.months, end)
    raise AssertionError(f"unknown review window {review.window!r}")


@dataclass(frozen=True, slots=True)
class Timeline:
    """The tiers the reviews of a period put in force: for each partner whose tier a review changes, its tier from
    each review on (aligned with `reviews`); every other partner holds the partners file's tier all along."""

    reviews: tuple[datetime.date, ...]
    tiers: Mapping[str, tuple[str | None, ...]]
    decisions: tuple[TierDecision, ...] = dataclasses.field(default=(), compare=False)

    def segment(self, day: datetime.date) -> int:
        """How many reviews were held on or before `day` (0: before the first)."""
        return bisect.bisect_right(self.reviews, day)

    def tier_on(self, partner: Partner, day: datetime.date) -> str | None:
        """The tier in force for a partner on a day."""
        segment, tiers = self.segment(day), self.tiers.get(partner.id)
        return partner.tier if segment == 0 or tiers is None else tiers[segment - 1]

    def partners_in(self, partners: Mapping[str, Partner], segment: int) -> Mapping[str, Partner]:
        """The partners with the tiers in force between review `segment` and the next (0: before the first)."""
        if segment == 0 or not self.tiers:
            return partners
        return {pid: p if pid not in self.tiers else dataclasses.replace(p, tier=self.tiers[pid][segment - 1])
                for pid, p in partners.items()}

    def history(self, partner: str) -> tuple[TierDecision, ...]:
        """The decisions of one partner, oldest first."""
        return tuple(d for d in self.decisions if d.partner == partner)


Figures = Callable[[str, Iterable[int]], Volumes]
"""A partner's figures over months (month indices), from a settlement pass."""


def review_tiers(rt: Runtime, partners: Mapping[str, Partner], period: Period, reviews: tuple[datetime.date, ...],
                 figures: Figures, carried: Carried | None = None) -> Timeline:
    """The timeline the reviews decide on a settlement pass's monthly figures (one review after another, each
    standing carried to the next); the months and standings from before the period are `carried`."""
    if carried is not None and carried.reaches(period):
        figures = _joined(figures, carried, _month(period.start))
    else:
        carried = None
    standings = {pid: carried.standings.get(pid, Standing(p.tier)) if carried is not None else Standing(p.tier)
                 for pid, p in partners.items()}
    held: dict[str, list[str | None]] = {pid: [] for pid in partners}
    decisions: list[TierDecision] = []
    for day in reviews:
        version = rt.version_on(day)
        assert version is not None and version.rules.tiers is not None  # INVARIANT: review_dates checked both
        for pid in sorted(partners):
            partner = partners[pid]
            if (partner.joined is None or partner.joined < day) and (partner.left is None or day <= partner.left):
                decision, standings[pid] = _review_one(rt, version, partner, standings[pid], day,
                                                       _readable(period, carried), figures)
                decisions.append(decision)
            held[pid].append(standings[pid].tier)
    changed = {pid: tuple(tiers) for pid, tiers in held.items() if any(t != partners[pid].tier for t in tiers)}
    return Timeline(reviews, changed, tuple(decisions))


def _joined(figures: Figures, carried: Carried, start: int) -> Figures:
    """The pass's figures for the months from `start` on, the carried ones before it."""
    def read(partner: str, months: Iterable[int]) -> Volumes:
        wanted = list(months)
        a = figures(partner, [m for m in wanted if m >= start])
        b = carried.figures(partner, [m for m in wanted if m < start])
        return Volumes(a.sales + b.sales, a.purchases + b.purchases, a.list_sales + b.list_sales,
                       a.quantity + b.quantity, a.deals + b.deals)
    return read


def _readable(period: Period, carried: Carried | None) -> Period:
    """The period a review window may read: the settled period, from the earliest month of the unbroken run of
    carried months before it."""
    if carried is None:
        return period
    first = _month(period.start)
    while first - 1 in carried.recorded:
        first -= 1
    return Period(_first_of(first), period.end)


def _review_one(rt: Runtime, version: LoadedVersion, partner: Partner, standing: Standing, day: datetime.date,
                period: Period, figures: Figures) -> tuple[TierDecision, Standing]:
    """One partner's decision at one review."""
    tiers = version.rules.tiers
    assert tiers is not None and tiers.review is not None
    months = window_months(tiers.review, tiers.cadence, day, rt.ruleset.fiscal_year_start)
    first = max(months.start, _month(period.start))
    read = figures(partner.id, range(first, months.stop))
    start, end = _first_of(first), day - datetime.timedelta(days=1)
    clipped = f"; window from {start.isoformat()}, the first settled month" if first > months.start else ""

    def decision(outcome: str, after: Standing, rule: ir.RuleRef | None, reason: str) -> TierDecision:
        return TierDecision(partner.id, day, start, end, read, standing.tier, after.tier, outcome, rule,
                            reason + clipped)

    assigned = {t.id: t for t in tiers.levels if t.assigned}
    if partner.tier in assigned:
        tier = assigned[partner.tier]
        return decision("assigned", standing, ir.RuleRef.tier(tier.id, tier.at),
                        f"`{tier.id}` is assigned by the vendor: not reviewed"), standing
    slots = version.period(partner_env(dataclasses.replace(partner, tier=standing.tier), None, read, day))
    candidate: ir.Tier | None = None
    for tier in tiers.levels:
        if tier.assigned:
            continue
        try:
            qualifies = slots[ir.tier_slot(tier.id, "qualify")]
        except EvaluationError as exc:
            return decision("undecided", standing, None, f"{rule_label(ir.RuleRef.tier(tier.id))} could not be "
                            f"evaluated: {exc.message}; the tier in force holds"), standing
        if qualifies:
            candidate = tier
            break
    outcome, after = decide(tuple(t.id for t in tiers.levels), tiers.review, standing,
                            candidate.id if candidate else None, day)
    rule = ir.RuleRef.tier(candidate.id, candidate.at) if candidate is not None else None
    return decision(outcome, after, rule, _reason(outcome, standing, after, candidate, tiers.review)), after


def _named(tier: str | None) -> str:
    return f"`{tier}`" if tier is not None else "no tier"


def _reason(outcome: str, before: Standing, after: Standing, candidate: ir.Tier | None, review: ir.Review) -> str:
    """The decision in one sentence."""
    found = f"qualifies for {_named(candidate.id if candidate else None)}"
    match outcome:
        case "promoted":
            return f"{found}: promoted from {_named(before.tier)}"
        case "met":
            return f"{found}: the tier holds"
        case "kept":
            assert before.since is not None
            return (f"{found}; {_named(before.tier)} was earned at {before.since.isoformat()} and is kept for "
                    f"{review.keep} reviews ({after.periods} of {review.keep} in force)")
        case "grace":
            return (f"{found}; {_named(before.tier)} holds in grace ({after.grace_used} of {review.grace} "
                    f"review{'s' if review.grace != 1 else ''} in grace)")
        case "demoted":
            return f"{found}: demoted from {_named(before.tier)}"
    raise AssertionError(f"unknown outcome {outcome!r}")


def settle_timeline(rt: Runtime, partners: Mapping[str, Partner], period: Period,
                    run: Callable[[Timeline], Figures], carried: Carried | None = None) -> Timeline | None:
    """The timeline a settlement settles with, found by passes without outputs (None: no review in the period).

    `run` settles the period with a timeline and returns the pass's monthly figures. Pass k settles with the
    timeline of pass k − 1's figures (the first with the partners file's tiers); review j reads only months before
    it, so after j + 1 passes it no longer changes: the passes end when the timeline stops changing, and after at
    most one pass per review. `carried`: the months and standings from before the period (the ledger's), which
    hold the review on its first day and let windows reach back before it.
    """
    reviews = review_dates(rt, period, carried)
    if not reviews:
        return None
    timeline = Timeline(reviews, {})
    for _ in reviews:
        found = review_tiers(rt, partners, period, reviews, run(timeline), carried)
        if found.tiers == timeline.tiers:
            return found
        timeline = found
    return timeline
