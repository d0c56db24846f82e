"""The section on statements over the year: each statement settles the program year to its date and pays the
difference from what the year's earlier statements paid; a retroactive ladder's true-up, a marginal ladder that
re-rates nothing, a bonus step paid once and clawed back once.

The worked examples are settled to several as-of dates against a ledger (`Cases.settle_year`), as
`ppl settle --as-of DATE --ledger DB` settles them; nothing here computes money.
"""

from __future__ import annotations

import calendar
import datetime
import functools
from collections.abc import Callable, Sequence

from runtime import ir
from runtime.decisions import least_reaching
from runtime.decisions.quote import ladder_step
from runtime.guides._cases import YearCase
from runtime.guides._context import Context
from runtime.guides._model import Block, Examples, Para, Section, Table
from runtime.guides._reviews import steady
from runtime.guides._rich import Rich, capital, rich
from runtime.guides._volumes import bonus_partner
from runtime.model import Partner, Period, Transaction
from runtime.store import LedgerError


def statements(ctx: Context) -> Section | None:
    """How statements settle the year to date, with a worked example for every ladder and bonus a contract has."""
    contracts = ctx.version.contracts
    ladders = [(lad, users) for lad in ctx.version.ladders if (users := [c for c in contracts if c.ladder == lad.id])]
    bonuses = [(b, users) for b in ctx.version.bonuses if (users := [c for c in contracts if b.id in c.bonuses])]
    if not ladders and not bonuses:
        return None
    say = ctx.say
    blocks: list[Block] = [Para(say("year.intro")), Para(say("year.owed"))]
    for ladder, users in ladders:
        title, basis, period = ctx.text(ladder.title, ladder.id), ctx.basis(ladder.basis), ctx.period(ladder.period)
        blocks.append(Para(say(f"year.ladder.{ladder.mode}", title=title, basis=basis, period=period)))
        blocks.extend(_example(functools.partial(_ladder_example, ctx, ladder, users[0])))
    for bonus, users in bonuses:
        title, basis, period = ctx.text(bonus.title, bonus.id), ctx.basis(bonus.basis), ctx.period(bonus.period)
        blocks.append(Para(say("year.bonus", title=title, basis=basis, period=period)))
        blocks.extend(_example(functools.partial(_bonus_example, ctx, bonus, users)))
    return Section("statements", say("year"), tuple(blocks))


def _example(build: Callable[[], Examples | None]) -> list[Block]:
    """A worked example, or none when the rule set gives none (or has a currency the ledger cannot record: a
    hand-made rule set)."""
    try:
        found = build()
    except LedgerError:
        return []
    return [] if found is None else [found]


# --- dates and sales ----------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def statement_dates(period: Period, count: int) -> list[datetime.date]:
    """`count` statement dates inside a ladder or bonus period, the last on its last day: quarter ends when the
    period has room for them, else month ends spread over it, else days spread over a short period.

    >>> statement_dates(Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31)), 2)
    [datetime.date(2026, 6, 30), datetime.date(2026, 9, 30)]
    """
    start, end = period.start, period.end
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months >= count:
        step = 3 if months >= 3 * count else None
        picks = [step * i if step else -(-months * i // count) for i in range(1, count + 1)]
        index = start.year * 12 + start.month - 1
        days = [_month_end((index + m - 1) // 12, (index + m - 1) % 12 + 1) for m in picks]
        return [min(day, end) for day in days]
    length = (end - start).days + 1
    return [start + datetime.timedelta(days=length * i // count - 1) for i in range(1, count + 1)]


def _sale(ctx: Context, partner: Partner, basis: str, volume: int, day: datetime.date) -> Transaction:
    """One sale on a day that adds at least `volume` to a partner's basis volume (the engine finds its price)."""
    cases = ctx.cases
    if basis == "quantity":
        return cases.sale(partner.id, cases.list_price, quantity=max(volume, 1), day=day)
    return cases.sale(partner.id, cases.list_price_for(partner, basis, max(volume, 1)), day=day)


def _added(ctx: Context, partner: Partner, basis: str, sale: Transaction) -> int:
    """The basis volume a sample sale adds, as the engine quotes it."""
    if basis == "quantity":
        return sale.quantity
    return ctx.cases.volume_of(partner, basis, sale.list_price)


def _day_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=1)


# --- ladders ------------------------------------------------------------------------------------------


def _ladder_volumes(ladder: ir.Ladder) -> tuple[int, int] | None:
    """The volumes of a first and a second statement, None for a ladder without a step to cross.

    Retroactive: at the step below the top one (or half the only step above zero), then at the top step, which
    re-rates the whole period. Marginal: inside the step below the top one, then inside the top step, so that both
    statements earn in the steps they reach.
    """
    starts = [s.start for s in ladder.steps if s.start > 0]
    if not starts:
        return None
    if ladder.mode == "marginal":
        below = starts[-2] if len(starts) > 1 else 0
        return max((below + starts[-1]) // 2, 1), starts[-1] + max(starts[-1] // 4, 1)
    reached = [least_reaching(s.start, s.strict) for s in ladder.steps if s.start > 0]
    return reached[-2] if len(reached) > 1 else max(reached[-1] // 2, 1), reached[-1]


def _ladder_example(ctx: Context, ladder: ir.Ladder, contract: ir.Contract) -> Examples | None:
    volumes = _ladder_volumes(ladder)
    if volumes is None:
        return None
    say, fmt = ctx.say, ctx.fmt
    tier = ctx.tier_ids()[-1]
    partner = steady(ctx, ctx.cases.partner("partner-a", contract.id, tier))
    dates = statement_dates(ctx.cases.period(ladder.period), 2)
    first = _sale(ctx, partner, ladder.basis, volumes[0], ctx.cases.period(ladder.period).start)
    second = _sale(ctx, partner, ladder.basis, volumes[1] - _added(ctx, partner, ladder.basis, first),
                   _day_after(dates[0]))
    case = ctx.cases.settle_year([first, second], [partner], dates, partner.id, ladder.basis, ("ladder",))
    rows = []
    for index, as_of in enumerate(dates):
        volume = case.statements[index].volumes.basis(ladder.basis)
        _, step = ladder_step(ladder, volume)
        rows.append((rich(fmt.date(as_of)), rich(fmt.volume(volume, ladder.basis)),
                     ctx.rate(step.rate if step else 0), *_figures(ctx, case, index, "ladder")))
    basis, period = ctx.basis(ladder.basis), ctx.period(ladder.period)
    headers = (say("col.as_of"), capital(say("col.to_date", basis=basis)), say("col.reached"), *_figure_headers(ctx))
    intro = say("year.ladder.example", who=ctx.who(tier, contract), first=fmt.date(first.date),
                second=fmt.date(second.date), period=period)
    return Examples(intro, Table(headers, tuple(rows), (1, 2, 3, 4, 5), "ppl-year-ladder"))


def _figures(ctx: Context, case: YearCase, index: int, kind: str) -> tuple[Rich, Rich, Rich]:
    line = case.line(index, kind)
    return ctx.money(line.earned), ctx.money(line.paid_before), ctx.money(line.payable)


def _figure_headers(ctx: Context) -> tuple[Rich, Rich, Rich]:
    return ctx.say("col.earned_to_date"), ctx.say("col.paid_before"), ctx.say("col.payable_now")


# --- bonuses ------------------------------------------------------------------------------------------


def _bonus_example(ctx: Context, bonus: ir.Bonus, users: Sequence[ir.Contract]) -> Examples | None:
    found = bonus_partner(ctx, bonus, list(users))
    if found is None or not bonus.steps:
        return None
    partner, contract, tier = found
    partner = steady(ctx, partner)
    say, fmt = ctx.say, ctx.fmt
    target = least_reaching(bonus.steps[0].target, bonus.steps[0].strict)
    dates = statement_dates(ctx.cases.period(bonus.period), 4)
    txns = []
    start = ctx.cases.period(bonus.period).start
    below = target * 3 // 4
    if below > 0:
        txns.append(_sale(ctx, partner, bonus.basis, below, start))
    reached = target - sum(_added(ctx, partner, bonus.basis, t) for t in txns)
    big = _sale(ctx, partner, bonus.basis, reached, _day_after(dates[0]))
    refund = ctx.cases.refund(big, _day_after(dates[1]))
    case = ctx.cases.settle_year([*txns, big, refund], [partner], dates, partner.id, bonus.basis,
                                 ("bonus", "bonus_clawback"))
    rows = []
    for index, as_of in enumerate(dates):
        volume = rich(fmt.volume(case.statements[index].volumes.basis(bonus.basis), bonus.basis))
        kinds = [k for k in ("bonus", "bonus_clawback") if any(x.kind == k for x in case.runs[index])] or ["bonus"]
        for n, kind in enumerate(kinds):
            shown = (rich(fmt.date(as_of)), volume) if n == 0 else (rich(""), rich(""))
            rows.append((*shown, say(f"line.{kind}"), *_figures(ctx, case, index, kind)))
    to_date = capital(say("col.to_date", basis=ctx.basis(bonus.basis)))
    headers = (say("col.as_of"), to_date, say("col.line"), *_figure_headers(ctx))
    intro = say("year.bonus.example", who=ctx.who(tier, contract), sale=fmt.date(big.date),
                refund=fmt.date(refund.date))
    return Examples(intro, Table(headers, tuple(rows), (1, 3, 4, 5), "ppl-year-bonus"))
