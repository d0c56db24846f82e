"""Sections on volume: margin ladders (table, chart, settled examples) and bonus steps."""

from __future__ import annotations

from collections.abc import Sequence

from runtime import ir
from runtime.decisions import least_reaching
from runtime.decisions.quote import ladder_step, partner_env
from runtime.engine import EvaluationError
from runtime.guides._charts import Bar, ladder_chart
from runtime.guides._context import Context, section_id
from runtime.guides._model import Block, Examples, Figure, Para, Section, Table
from runtime.guides._reviews import steady
from runtime.guides._rich import Rich, capital, plain, rich
from runtime.model import Partner, Statement, Transaction


def ladders(ctx: Context) -> Section | None:
    """Every margin ladder of the version."""
    if not ctx.version.ladders:
        return None
    return Section("ladders", ctx.say("ladders"), (), tuple(_ladder(ctx, lad) for lad in ctx.version.ladders))


def _next_start(steps: tuple[ir.Step, ...], index: int) -> int | None:
    step = steps[index]
    if step.end is not None:
        return step.end
    return steps[index + 1].start if index + 1 < len(steps) else None


def _ladder(ctx: Context, ladder: ir.Ladder) -> Section:
    say, fmt = ctx.say, ctx.fmt
    users = [c for c in ctx.version.contracts if c.ladder == ladder.id]
    basis, period = ctx.basis(ladder.basis), ctx.period(ladder.period)
    titles = [ctx.text(c.title, c.id) for c in users] or [rich(say.word("none"))]
    blocks: list[Block] = [Para(say("ladder.basis", basis=basis, period=period, contracts=ctx.listing(titles))),
                           Para(say(f"ladder.{ladder.mode}")), Para(say("ladder.settled"))]
    if ladder.volume_cap is not None:
        blocks.append(Para(say("ladder.volume_cap", cap=fmt.volume(ladder.volume_cap, ladder.basis, short=True),
                               basis=basis, period=period)))
    # With a step written `above` (超), every threshold says whether it is reached at (以上) or only past it.
    worded = any(step.strict for step in ladder.steps)
    rows = []
    for index, step in enumerate(ladder.steps):
        end = _next_start(ladder.steps, index)
        start = fmt.volume(step.start, ladder.basis, short=True)
        if not worded:
            rows.append((rich(str(index + 1)), rich(start), rich(fmt.volume(end, ladder.basis, short=True))
                         if end is not None else say("ladder.open"), ctx.rate(step.rate)))
            continue
        following = ladder.steps[index + 1] if index + 1 < len(ladder.steps) else None
        shown_end = say("threshold.up_to" if following is not None and following.strict else "threshold.below",
                        volume=fmt.volume(end, ladder.basis, short=True)) if end is not None else say("ladder.open")
        rows.append((rich(str(index + 1)), say("threshold.above" if step.strict else "threshold.from", volume=start),
                     shown_end, ctx.rate(step.rate)))
    headers = (say("col.step"), say("col.threshold" if worded else "col.from", basis=basis),
               say("col.until" if worded else "col.below"), say("col.rate"))
    blocks.append(Table(headers, tuple(rows), (0, 1, 2, 3), "ppl-ladder-steps"))
    title = ctx.text(ladder.title, ladder.id)
    caption = say("ladder.chart", title=title, basis=basis)
    bars = [Bar(s.start, s.end, s.rate, fmt.volume(s.start, ladder.basis, short=True), fmt.rate(s.rate))
            for s in ladder.steps]
    axis = basis[:1].upper() + basis[1:] if ctx.lang == "en" else basis
    blocks.append(Figure(ladder_chart(ladder.id, plain(caption), axis, say.word("col.rate"), bars), caption,
                         "ppl-ladder"))
    if users:
        blocks.append(_ladder_examples(ctx, ladder, users[0]))
    return Section(section_id("ladder", ladder.id), title, tuple(blocks))


def points(starts: Sequence[int], basis: str, inside: Sequence[int | None] | None = None,
           strict: Sequence[bool] | None = None) -> list[tuple[str, int, int]]:
    """Volumes worth showing: just below and at every threshold above zero, one unit past a threshold written
    `above` (the least volume that reaches it), and inside each step, if given."""
    out = []
    for index, start in enumerate(starts):
        if start <= 0:
            continue
        below = start - (1 if basis == "quantity" or start < 100 else start // 100)
        out += [("ex.just_below", below, start), ("ex.at_step", start, start)]
        if strict is not None and strict[index]:
            out.append(("ex.just_above", least_reaching(start, True), start))
        if inside is not None and inside[index] is not None:
            out.append(("ex.inside", inside[index] or start, start))
    return out


def one_sale(ctx: Context, partner: Partner, basis: str, volume: int, day_version: ir.Version | None = None) \
        -> Transaction:
    """A single sale that brings a partner's period volume to `volume` (the engine finds its price)."""
    cases = ctx.cases
    day = (day_version or ctx.version).effective_from
    if basis == "quantity":
        return cases.sale(partner.id, cases.list_price, quantity=volume, day=day)
    return cases.sale(partner.id, cases.list_price_for(partner, basis, volume), day=day)


def settle_ladder(ctx: Context, ladder: ir.Ladder, partner: Partner, volume: int,
                  version: ir.Version | None = None, volumes_shown: bool = True) -> Statement:
    """Settle the ladder period of one sale of a given volume."""
    txn = one_sale(ctx, partner, ladder.basis, volume, version)
    shown = (f"volume:{ladder.basis}", "volume:list_sales", "total:ladder") if volumes_shown else ("total:ladder",)
    return ctx.cases.settle([txn], [partner], ctx.cases.period(ladder.period, version), partner.id, shown)


def _ladder_examples(ctx: Context, ladder: ir.Ladder, contract: ir.Contract) -> Examples:
    say, fmt = ctx.say, ctx.fmt
    tier = ctx.tier_ids()[-1]
    partner = ctx.cases.partner("partner-a", contract.id, tier)
    starts = [s.start for s in ladder.steps]
    inside = None
    if ladder.mode == "marginal":
        inside = []
        for index, step in enumerate(ladder.steps):
            end = _next_start(ladder.steps, index)
            inside.append((step.start + end) // 2 if end is not None else step.start * 5 // 4)
    rows = []
    for key, volume, start in points(starts, ladder.basis, inside, [s.strict for s in ladder.steps]):
        statement = settle_ladder(ctx, ladder, partner, volume)
        reached = statement.volumes.basis(ladder.basis)
        _, reached_step = ladder_step(ladder, reached)
        rows.append((say(key, step=fmt.volume(start, ladder.basis, short=True)),
                     rich(fmt.volume(reached, ladder.basis)), ctx.money(statement.volumes.list_sales),
                     ctx.rate(reached_step.rate if reached_step else 0), ctx.money(statement.totals.get("ladder", 0))))
    basis, period = ctx.basis(ladder.basis), ctx.period(ladder.period)
    headers = (rich(""), capital(say("col.volume", basis=basis, period=period)), say("col.list_sales"),
               say("col.reached"), say("col.ladder_paid"))
    intro = say("ladder.examples", who=ctx.who(tier, contract), basis=basis, period=period)
    return Examples(intro, Table(headers, tuple(rows), (1, 2, 3, 4), "ppl-ladder-examples"))


# --- bonuses ----------------------------------------------------------------------------------------


def bonuses(ctx: Context) -> Section | None:
    """Every bonus of the version."""
    if not ctx.version.bonuses:
        return None
    return Section("bonuses", ctx.say("bonuses"), (), tuple(_bonus(ctx, b) for b in ctx.version.bonuses))


def _pay(ctx: Context, step: ir.BonusStep, basis: str) -> Rich:
    if step.pay_money is not None:
        return ctx.short(step.pay_money)
    return ctx.say("bonus.pay_rate", rate=ctx.rate(step.pay_rate or 0), basis=basis)


def _bonus(ctx: Context, bonus: ir.Bonus) -> Section:
    say, fmt = ctx.say, ctx.fmt
    basis, period = ctx.basis(bonus.basis), ctx.period(bonus.period)
    users = [c for c in ctx.version.contracts if bonus.id in c.bonuses]
    facts = [say("bonus.basis", basis=basis, period=period), say(f"bonus.{bonus.kind}")]
    if bonus.cap is not None:
        facts.append(say("bonus.cap", cap=ctx.short(bonus.cap), period=period))
    if bonus.volume_cap is not None:
        facts.append(say("bonus.volume_cap", cap=fmt.volume(bonus.volume_cap, bonus.basis, short=True), basis=basis,
                         period=period))
    if bonus.when is not None:
        facts.append(say("bonus.when", condition=ctx.speak.condition(bonus.when)))
    if users:
        facts.append(say("bonus.contracts", contracts=ctx.listing([ctx.text(c.title, c.id) for c in users])))
    blocks: list[Block] = [Para(rich(*_spaced(ctx, facts)))]
    rows = tuple((say("target.above" if s.strict else "target.at_least",
                      volume=fmt.volume(s.target, bonus.basis, short=True)), _pay(ctx, s, basis)) for s in bonus.steps)
    blocks.append(Table((say("col.target", basis=basis), say("col.pays")), rows, (0, 1), "ppl-bonus-steps"))
    example = _bonus_examples(ctx, bonus, users)
    if example is not None:
        blocks.append(example)
    return Section(section_id("bonus", bonus.id), ctx.text(bonus.title, bonus.id), tuple(blocks))


def _spaced(ctx: Context, parts: list[Rich]) -> list[Rich]:
    out: list[Rich] = []
    for index, part in enumerate(parts):
        if index and ctx.lang == "en":
            out.append(rich(" "))
        out.append(part)
    return out


def bonus_partner(ctx: Context, bonus: ir.Bonus, users: list[ir.Contract],
                  version: ir.Version | None = None) -> tuple[Partner, ir.Contract, str | None] | None:
    """The lowest tier whose partners the bonus pays (asked of the engine), with a contract that has it."""
    if not users:
        return None
    loaded = ctx.cases.loaded(version)
    for tier in reversed(ctx.tier_ids()):
        partner = ctx.cases.partner("partner-a", users[0].id, tier)
        if bonus.when is None:
            return partner, users[0], tier
        try:
            if loaded.period(partner_env(partner, None, None)).get(ir.bonus_slot(bonus.id)):
                return partner, users[0], tier
        except EvaluationError:
            continue
    return None


def settle_bonus(ctx: Context, bonus: ir.Bonus, partner: Partner, volume: int,
                 version: ir.Version | None = None, volumes_shown: bool = True) -> Statement:
    """Settle the bonus period of one sale of a given volume."""
    txn = one_sale(ctx, partner, bonus.basis, volume, version)
    shown = (f"volume:{bonus.basis}", "total:bonus") if volumes_shown else ("total:bonus",)
    return ctx.cases.settle([txn], [partner], ctx.cases.period(bonus.period, version), partner.id, shown)


def _bonus_examples(ctx: Context, bonus: ir.Bonus, users: list[ir.Contract]) -> Examples | None:
    found = bonus_partner(ctx, bonus, users)
    if found is None:
        return None
    partner, contract, tier = found
    partner = steady(ctx, partner)  # a partner that holds its tier through the year's reviews
    say, fmt = ctx.say, ctx.fmt
    rows = []
    for key, volume, start in points([s.target for s in bonus.steps], bonus.basis,
                                     strict=[s.strict for s in bonus.steps]):
        statement = settle_bonus(ctx, bonus, partner, volume)
        rows.append((say(key, step=fmt.volume(start, bonus.basis, short=True)),
                     rich(fmt.volume(statement.volumes.basis(bonus.basis), bonus.basis)),
                     ctx.money(statement.totals.get("bonus", 0))))
    basis, period = ctx.basis(bonus.basis), ctx.period(bonus.period)
    headers = (rich(""), capital(say("col.volume", basis=basis, period=period)), say("col.bonus_paid"))
    intro = say("bonus.examples", who=ctx.who(tier, contract), basis=basis, period=period)
    return Examples(intro, Table(headers, tuple(rows), (1, 2), "ppl-bonus-examples"))
