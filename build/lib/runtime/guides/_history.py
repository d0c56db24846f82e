"""The versions of a program, and what changed from one to the next (compared in the rule set)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from runtime import ir
from runtime.guides._cases import last_day
from runtime.guides._context import Context, section_id
from runtime.guides._model import Block, Bullets, Examples, Para, Section, Table
from runtime.guides._rich import Rich, join, rich
from runtime.guides._volumes import bonus_partner, points, settle_bonus, settle_ladder

Aspect = tuple[str, Rich, Rich]


def versions(ctx: Context) -> Section:
    """The table of versions, the changes in this version, and any later version."""
    say, fmt, rs = ctx.say, ctx.fmt, ctx.ruleset
    none = rich(say.word("none"))
    rows = []
    for v in rs.versions:
        until = last_day(rs, v)
        name = say("versions.this", version=v.version) if v is ctx.version else rich(v.version)
        rows.append((name, rich(fmt.date(v.effective_from)), rich(fmt.date(until)) if until else none,
                     ctx.text(v.note, "") if fmt.has_text(v.note) else none))
    headers = (say("col.version"), say("col.start"), say("col.end"), say("col.note"))
    blocks: list[Block] = [Table(headers, tuple(rows), (), "ppl-versions")]
    position = next(i for i, v in enumerate(rs.versions) if v is ctx.version)
    children: tuple[Section, ...] = ()
    if position == 0:
        blocks.append(Para(say("versions.first", version=ctx.version.version)))
    else:
        children = (_changes(ctx, rs.versions[position - 1], ctx.version),)
    if position + 1 < len(rs.versions):
        nxt = rs.versions[position + 1]
        blocks.append(Para(say("versions.later", version=nxt.version, date=fmt.date(nxt.effective_from))))
    return Section("versions", say("versions"), tuple(blocks), children)


def _changes(ctx: Context, old: ir.Version, new: ir.Version) -> Section:
    say = ctx.say
    lines = diff(ctx, old, new)
    blocks: list[Block] = [Bullets(tuple(lines)) if lines else Para(say("versions.none"))]
    example = _compare(ctx, old, new)
    if example is not None:
        blocks.append(example)
    title = say("versions.changes", version=new.version, previous=old.version)
    return Section(section_id("changes", new.version), title, tuple(blocks))


def diff(ctx: Context, old: ir.Version, new: ir.Version) -> list[Rich]:
    """Every difference between two consecutive versions, in words."""
    out: list[Rich] = []
    out += _by_id(ctx, "what.contract", old.contracts, new.contracts, _contract_aspects)
    out += _by_id(ctx, "what.ladder", old.ladders, new.ladders, _ladder_aspects)
    out += _by_id(ctx, "what.bonus", old.bonuses, new.bonuses, _bonus_aspects)
    old_tiers, new_tiers = old.tiers.levels if old.tiers else (), new.tiers.levels if new.tiers else ()
    if old.tiers and new.tiers and old.tiers.cadence != new.tiers.cadence:
        out.append(ctx.say("change.section", what=ctx.say("what.tiers"),
                           old=ctx.say.word(f"cadence.{old.tiers.cadence}"),
                           new=ctx.say.word(f"cadence.{new.tiers.cadence}")))
    out += _by_id(ctx, "what.tier", old_tiers, new_tiers, _tier_aspects)
    out += _by_id(ctx, "what.benefit", old.benefits, new.benefits, _benefit_aspects)
    for key, before, after in (("what.catalog", old.catalog, new.catalog),
                               ("what.price_rules", old.price_rules, new.price_rules),
                               ("what.hierarchy", old.hierarchy, new.hierarchy),
                               ("what.conflicts", old.conflicts, new.conflicts),
                               ("what.routing", old.lead_routing, new.lead_routing)):
        if before != after:
            out.append(ctx.say("change.other_section", what=ctx.say(key)))
    return out


def _by_id(ctx: Context, what: str, old: Sequence[Any], new: Sequence[Any],
           aspects: Callable[[Context, Any, Any], list[Aspect]]) -> list[Rich]:
    say = ctx.say
    before = {item.id: item for item in old}
    after = {item.id: item for item in new}
    out: list[Rich] = []
    for item in new:
        title = ctx.text(item.title, item.id)
        if item.id not in before:
            out.append(say("change.added", what=say(what), title=title))
        elif before[item.id] != item:
            found = aspects(ctx, before[item.id], item)
            if not found:
                out.append(say("change.other", what=say(what), title=title))
            for aspect, was, now in found:
                out.append(say("change.changed", what=say(what), title=title, aspect=say(aspect), old=was, new=now))
    for item in old:
        if item.id not in after:
            out.append(say("change.removed", what=say(what), title=ctx.text(item.title, item.id)))
    return out


def _value(ctx: Context, expr: ir.Expr | None) -> Rich:
    return ctx.speak.value(expr) if expr is not None else rich(ctx.say.word("none"))


def _steps(ctx: Context, ladder: ir.Ladder) -> Rich:
    parts = [ctx.say("step.summary_above" if s.strict else "step.summary", rate=ctx.rate(s.rate),
                     start=ctx.fmt.volume(s.start, ladder.basis, True)) for s in ladder.steps]
    return join(parts, ", " if ctx.lang == "en" else "、")


def _targets(ctx: Context, bonus: ir.Bonus) -> Rich:
    parts = []
    for s in bonus.steps:
        pay = ctx.short(s.pay_money) if s.pay_money is not None else ctx.rate(s.pay_rate or 0)
        parts.append(ctx.say("target.summary_above" if s.strict else "target.summary", pay=pay,
                             target=ctx.fmt.volume(s.target, bonus.basis, True)))
    return join(parts, ", " if ctx.lang == "en" else "、")


def _contract_aspects(ctx: Context, old: ir.Contract, new: ir.Contract) -> list[Aspect]:
    out: list[Aspect] = []
    if old.margin != new.margin:
        out.append(("aspect.margin", _value(ctx, old.margin), _value(ctx, new.margin)))
    if old.fee != new.fee or old.fee_cap != new.fee_cap:
        out.append(("aspect.fee", _value(ctx, old.fee), _value(ctx, new.fee)))
    return out


def _ladder_aspects(ctx: Context, old: ir.Ladder, new: ir.Ladder) -> list[Aspect]:
    return [("aspect.steps", _steps(ctx, old), _steps(ctx, new))] if old.steps != new.steps else []


def _bonus_aspects(ctx: Context, old: ir.Bonus, new: ir.Bonus) -> list[Aspect]:
    out: list[Aspect] = []
    if old.steps != new.steps:
        out.append(("aspect.steps", _targets(ctx, old), _targets(ctx, new)))
    if old.cap != new.cap:
        none = rich(ctx.say.word("none"))
        out.append(("aspect.cap", ctx.short(old.cap) if old.cap else none, ctx.short(new.cap) if new.cap else none))
    if old.when != new.when:
        out.append(("aspect.qualify", _condition(ctx, old.when), _condition(ctx, new.when)))
    return out


def _condition(ctx: Context, expr: ir.Expr | None) -> Rich:
    return ctx.speak.condition(expr) if expr is not None else rich(ctx.say.word("none"))


def _held(ctx: Context, tier: ir.Tier) -> Rich:
    """Who holds a tier: the vendor decides an assigned one, its qualification decides the others."""
    return ctx.say("tiers.assigned_cell") if tier.assigned else _condition(ctx, tier.qualify)


def _tier_aspects(ctx: Context, old: ir.Tier, new: ir.Tier) -> list[Aspect]:
    out: list[Aspect] = []
    if old.qualify != new.qualify or old.assigned != new.assigned:
        out.append(("aspect.qualify", _held(ctx, old), _held(ctx, new)))
    if old.uplift != new.uplift:
        out.append(("aspect.uplift", _value(ctx, old.uplift), _value(ctx, new.uplift)))
    if old.benefits != new.benefits:
        out.append(("aspect.benefits", rich(", ".join(old.benefits)), rich(", ".join(new.benefits))))
    return out


def _benefit_aspects(ctx: Context, old: ir.Benefit, new: ir.Benefit) -> list[Aspect]:
    out: list[Aspect] = []
    if old.value != new.value:
        out.append(("aspect.value", _value(ctx, old.value), _value(ctx, new.value)))
    if old.when != new.when:
        out.append(("aspect.qualify", _condition(ctx, old.when), _condition(ctx, new.when)))
    return out


def _compare(ctx: Context, old: ir.Version, new: ir.Version) -> Examples | None:
    """The same volumes settled under both versions, for every ladder and bonus whose steps changed."""
    say, fmt = ctx.say, ctx.fmt
    rows: list[tuple[Rich, ...]] = []
    for ladder in new.ladders:
        before = next((lad for lad in old.ladders if lad.id == ladder.id), None)
        users = [c for c in new.contracts if c.ladder == ladder.id and any(o.id == c.id for o in old.contracts)]
        if before is None or before.steps == ladder.steps or not users:
            continue
        changed = sorted({s.start for s in ladder.steps} ^ {s.start for s in before.steps})
        partner = ctx.cases.partner("partner-a", users[0].id, ctx.tier_ids()[-1])
        for key, volume, start in points(changed, ladder.basis):
            was = settle_ladder(ctx, before, partner, volume, old, volumes_shown=False)
            now = settle_ladder(ctx, ladder, partner, volume, new, volumes_shown=False)
            rows.append((ctx.text(ladder.title, ladder.id), say(key, step=fmt.volume(start, ladder.basis, True)),
                         ctx.money(was.totals.get("ladder", 0)), ctx.money(now.totals.get("ladder", 0))))
    for bonus in new.bonuses:
        earlier = next((b for b in old.bonuses if b.id == bonus.id), None)
        users = [c for c in new.contracts if bonus.id in c.bonuses]
        found = bonus_partner(ctx, bonus, users, new)
        if earlier is None or earlier.steps == bonus.steps or found is None:
            continue
        changed = sorted({s.target for s in bonus.steps} ^ {s.target for s in earlier.steps})
        for key, volume, start in points(changed, bonus.basis):
            was = settle_bonus(ctx, earlier, found[0], volume, old, volumes_shown=False)
            now = settle_bonus(ctx, bonus, found[0], volume, new, volumes_shown=False)
            rows.append((ctx.text(bonus.title, bonus.id), say(key, step=fmt.volume(start, bonus.basis, True)),
                         ctx.money(was.totals.get("bonus", 0)), ctx.money(now.totals.get("bonus", 0))))
    if not rows:
        return None
    headers = (say("col.rule"), rich(""), say("col.under", version=old.version), say("col.under", version=new.version))
    return Examples(say("change.examples"), Table(headers, tuple(rows), (2, 3), "ppl-change-examples"))

