"""The tier section's part on reviews (`tiers.review`): when tiers are reviewed, which figures over which window a
review reads, from when a new tier applies, what a partner keeps and when it moves down, and an example history.

The example's decisions are the runtime's: review dates and windows from `runtime.decisions.reviews`, the tier the
figures qualify for from the rule set's qualifications (evaluated by the engine), and each outcome from
`reviews.decide`, the decision both settlement engines use.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any

from runtime import ir
from runtime.decisions import reviews
from runtime.decisions.quote import partner_env
from runtime.engine import EvaluationError
from runtime.guides._cases import ReviewCase
from runtime.guides._context import Context
from runtime.guides._model import Block, Bullets, Examples, Section, Table
from runtime.guides._rich import Rich, capital, code, rich
from runtime.model import Partner, Period, Volumes

_MOST_ROWS = 8  # an example history longer than this (a large `keep` or `grace`) stops before the demotion
_VOLUMES = frozenset(f.name for f in dataclasses.fields(Volumes))

Values = Mapping[tuple[str, str], Any]  # a requirement's field (`period.sales`, `partner.x`) → its value


def review_section(ctx: Context, tiers: ir.Tiers) -> Section | None:
    """The subsection on reviews, or None when the tiers have no `review`."""
    review = tiers.review
    if review is None:
        return None
    say = ctx.say
    items: list[Rich] = [_dates(ctx, tiers), say(f"reviews.window.{review.window}", n=str(review.months or 0)),
                         say("reviews.in_force"), say("reviews.promote")]
    if review.keep > 1:
        items.append(say("reviews.keep", keep=str(review.keep)))
    if review.grace > 0:
        reviews_word = say.word("word.review" if review.grace == 1 else "word.reviews")
        items.append(say("reviews.grace", grace=str(review.grace), reviews=reviews_word))
    else:
        items.append(say("reviews.no_grace"))
    if any(t.assigned for t in tiers.levels):
        items.append(say("reviews.assigned"))
    blocks: list[Block] = [Bullets(tuple(items))]
    example = _example(ctx, tiers, review)
    if example is not None:
        blocks.append(example)
    return Section("tier-reviews", say("reviews"), tuple(blocks))


def _dates(ctx: Context, tiers: ir.Tiers) -> Rich:
    """When reviews are held: the review days of the year from the version's first day, as the runtime finds them."""
    start = ctx.version.effective_from
    days = reviews.review_dates(ctx.cases.rt, Period(start, _later(start, 366)))
    shown = ctx.listing([rich(ctx.fmt.day_of_year(d)) for d in days]) if days else rich("—")
    return ctx.say("reviews.dates", cadence=ctx.say.word(f"cadence.{tiers.cadence}"), dates=shown)


def _later(day: datetime.date, days: int) -> datetime.date:
    """A day some days later, or the last day there is."""
    return day + datetime.timedelta(days=days) if day <= datetime.date.max - datetime.timedelta(days=days) \
        else datetime.date.max


def _thresholds(tier: ir.Tier) -> tuple[Values, Values] | None:
    """The figures at a tier's thresholds, and the same with its first threshold just missed (None: a qualification
    that is not a plain conjunction of thresholds, or reads a figure a review has not)."""
    if not tier.requirements:
        return None
    at: dict[tuple[str, str], Any] = {}
    for req in tier.requirements:
        if req.field[0] not in ("partner", "period") or (req.field[0] == "period" and req.field[1] not in _VOLUMES):
            return None
        if req.op in (">=", "=="):
            at[req.field] = req.value
        elif req.op == ">" and isinstance(req.value, int) and not isinstance(req.value, bool):
            at[req.field] = req.value + 1
        else:
            return None
    first = tier.requirements[0].field
    value = at[first]
    if isinstance(value, bool):
        return at, {**at, first: not value}
    if isinstance(value, int) and value > 0:
        return at, {**at, first: value - (value // 100 if value >= 10_000 else 1)}
    return None


def steady(ctx: Context, partner: Partner) -> Partner:
    """A sample partner whose reviews keep its tier where the tier's qualification reads only the partner's own
    fields: those fields at the tier's thresholds (an example of something else, over a year of reviews, is then
    not one of a partner that moves down). Without reviews, the partner as it is."""
    tiers = ctx.version.tiers
    tier = next((t for t in tiers.levels if t.id == partner.tier), None) if tiers and tiers.review else None
    found = _thresholds(tier) if tier is not None else None
    if found is None or any(scope != "partner" for scope, _ in found[0]):
        return partner
    return dataclasses.replace(partner, fields={**partner.fields, **{name: v for (_, name), v in found[0].items()}})


def qualifies_for(ctx: Context, tiers: ir.Tiers, partner: Partner, values: Values) -> str | None:
    """The first tier (best first, not assigned) whose qualification the engine finds met by the figures.

    Raises:
        EvaluationError: a qualification cannot be evaluated on them.
    """
    fields = {name: v for (scope, name), v in values.items() if scope == "partner"}
    volumes = Volumes(**{name: v for (scope, name), v in values.items() if scope == "period"})
    env = partner_env(dataclasses.replace(partner, fields={**partner.fields, **fields}), None, volumes)
    slots = ctx.cases.loaded().period(env)
    return next((t.id for t in tiers.levels if not t.assigned and slots[ir.tier_slot(t.id, "qualify")]), None)


def _history(ctx: Context, tiers: ir.Tiers, review: ir.Review) -> ReviewCase | None:
    """Reviews of a partner that meets the best reviewed tier at the first review and misses it after, decided by
    the runtime until it moves down (or for `_MOST_ROWS` reviews); None when the qualifications give no such
    partner."""
    top = next((t for t in tiers.levels if not t.assigned), None)
    found = _thresholds(top) if top is not None else None
    contract = (ctx.resale_contracts() or list(ctx.version.contracts))[0]
    first = ctx.version.effective_from
    dates = reviews.review_dates(ctx.cases.rt, Period(first, _later(first, 3 * 366)))[:_MOST_ROWS]
    if top is None or found is None or not dates:
        return None
    meets, misses = found
    base = ctx.cases.partner("partner-a", contract.id, None)
    start = qualifies_for(ctx, tiers, base, misses)
    if start is None or qualifies_for(ctx, tiers, dataclasses.replace(base, tier=start), meets) != top.id:
        return None
    partner = dataclasses.replace(base, tier=start)
    standing, levels = reviews.Standing(start), tuple(t.id for t in tiers.levels)
    values: list[Values] = []
    candidates: list[str | None] = []
    outcomes: list[str] = []
    held: list[str | None] = []
    for day in dates:
        values.append(meets if not values else misses)
        candidates.append(qualifies_for(ctx, tiers, dataclasses.replace(partner, tier=standing.tier), values[-1]))
        outcome, standing = reviews.decide(levels, review, standing, candidates[-1], day)
        outcomes.append(outcome)
        held.append(standing.tier)
        if outcome == "demoted":
            break
    case = ReviewCase(partner, review, dates[:len(values)], tuple(values), tuple(candidates), tuple(outcomes),
                      tuple(held))
    ctx.cases.recorded.append(case)
    return case


def _example(ctx: Context, tiers: ir.Tiers, review: ir.Review) -> Examples | None:
    """The example history as a table: each review's window, figures, qualifying tier, tier and decision."""
    try:
        case = _history(ctx, tiers, review)
    except EvaluationError:
        return None
    if case is None:
        return None
    say, fmt, speak = ctx.say, ctx.fmt, ctx.speak
    fields = list(case.values[0])
    since = case.dates[0]
    rows = []
    for index, day in enumerate(case.dates):
        months = reviews.window_months(review, tiers.cadence, day, ctx.ruleset.fiscal_year_start)
        opened = datetime.date(months.start // 12, months.start % 12 + 1, 1)
        window = say("window.span", start=fmt.date(opened), end=fmt.date(day - datetime.timedelta(days=1)))
        shown = [_value(ctx, field, case.values[index][field]) for field in fields]
        outcome = case.outcomes[index]
        decided = say(f"outcome.{outcome}", since=fmt.date(since), keep=str(review.keep),
                      n=str(outcomes_so_far(case.outcomes[:index + 1], outcome)), grace=str(review.grace))
        rows.append((rich(fmt.date(day)), window, *shown, _tier(ctx, case.candidates[index]),
                     _tier(ctx, case.tiers[index]), decided))
    headers = (say("col.review"), say("col.window"), *(capital(speak.label(_field(ctx, f))) for f in fields),
               say("col.qualifies"), say("col.in_force"), say("col.decision"))
    numeric = tuple(2 + i for i, f in enumerate(fields) if _type(ctx, f) in ("money", "integer", "number"))
    top = speak.tier_title(case.tiers[0]) if case.tiers[0] is not None else rich(say.word("none"))
    intro = say("reviews.example", who=ctx.who(case.partner.tier, _contract(ctx, case.partner)), top=top)
    return Examples(intro, Table(headers, tuple(rows), numeric, "ppl-tier-reviews"))


def outcomes_so_far(outcomes: tuple[str, ...], outcome: str) -> int:
    """How many reviews in a row, up to the last, had this outcome (the count `kept` and `grace` show)."""
    count = 0
    for found in reversed(outcomes):
        if found != outcome:
            break
        count += 1
    return count


def _contract(ctx: Context, partner: Partner) -> ir.Contract:
    found = ctx.contract(partner.contract)
    assert found is not None  # INVARIANT: the example partner has one of the version's contracts
    return found


def _tier(ctx: Context, tier: str | None) -> Rich:
    return ctx.speak.tier_title(tier) if tier is not None else rich(ctx.say.word("none"))


def _type(ctx: Context, field: tuple[str, str]) -> str:
    scope, name = field
    if scope == "period":
        return "integer" if name in ("quantity", "deals") else "money"
    decl = next((i for i in ctx.ruleset.inputs if i.scope == scope and i.name == name), None)
    return decl.type if decl is not None else "integer"


def _field(ctx: Context, field: tuple[str, str]) -> ir.Field:
    kind = _type(ctx, field)
    simple = kind if kind in ("money", "integer", "number", "percent", "boolean", "date", "text") else None
    return ir.Field(field[0], field[1], ir.value_type(simple) if simple is not None else "enum")


def _value(ctx: Context, field: tuple[str, str], value: Any) -> Rich:
    if isinstance(value, bool):
        return rich(("yes" if value else "no") if ctx.lang == "en" else ("はい" if value else "いいえ"))
    if _type(ctx, field) == "money":
        return ctx.short(int(value))
    if isinstance(value, int):
        return rich(ctx.fmt.number(value))
    return rich(code(str(value)))
