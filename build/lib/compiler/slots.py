"""Every place a program holds an expression, with what it must compute and which scopes it may read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from policy_lang import ast
from runtime import ir

MONEY: ir.ValueType = "money"
PERCENT: ir.ValueType = "percent"
BOOL: ir.ValueType = "boolean"
DURATION: ir.ValueType = "duration"
COUNT: ir.ValueType = "integer"


@dataclass(frozen=True, slots=True)
class Slot:
    """An expression's place: where it is (for messages), the kinds it may compute, the scopes it may read."""

    where: str
    want: tuple[ir.ValueType, ...]  # the value types it may compute
    scopes: tuple[str, ...] = ()


def _volume(basis: str) -> tuple[ir.ValueType, ...]:
    return (COUNT,) if basis == "quantity" else (MONEY,)


def body_slots(body: ast.Body) -> Iterator[tuple[ast.Expr, Slot]]:
    """The expressions of one version's sections."""
    pt = ("partner", "transaction", "item")
    for c in body.contracts or ():
        w = f"contract `{c.id.name}`"
        if c.margin is not None:
            yield c.margin, Slot(f"{w}: margin", (PERCENT,), pt)
        if c.services is not None:
            yield c.services, Slot(f"{w}: services", (MONEY,), pt)
        if c.fee is not None:
            yield c.fee, Slot(f"{w}: fee", (MONEY, PERCENT), pt)
        if c.fee_cap is not None:
            yield c.fee_cap, Slot(f"{w}: fee cap", (MONEY,))
        if c.margin_cap is not None:
            yield c.margin_cap, Slot(f"{w}: margin cap", (MONEY,))
    for ladder in body.ladders or ():
        w = f"ladder `{ladder.id.name}`"
        for i, step in enumerate(ladder.steps, 1):
            yield step.start, Slot(f"{w}: step {i} `{'above' if step.strict else 'from'}`", _volume(ladder.basis))
            if step.end is not None:
                yield step.end, Slot(f"{w}: step {i} `to`", _volume(ladder.basis))
            yield step.rate, Slot(f"{w}: step {i} rate", (PERCENT,))
        if ladder.volume_cap is not None:
            yield ladder.volume_cap, Slot(f"{w}: volume cap", _volume(ladder.basis))
    for bonus in body.bonuses or ():
        w = f"bonus `{bonus.id.name}`"
        if bonus.when is not None:
            yield bonus.when, Slot(f"{w}: condition", (BOOL,), ("partner", "period"))
        for i, bstep in enumerate(bonus.steps, 1):
            yield bstep.target, Slot(f"{w}: step {i} target", _volume(bonus.basis))
            yield bstep.pay, Slot(f"{w}: step {i} payout", (MONEY, PERCENT))
        if bonus.cap is not None:
            yield bonus.cap, Slot(f"{w}: cap", (MONEY,))
        if bonus.volume_cap is not None:
            yield bonus.volume_cap, Slot(f"{w}: volume cap", _volume(bonus.basis))
    for tier in body.tiers.levels if body.tiers else ():
        w = f"tier `{tier.id.name}`"
        if tier.qualify is not None:
            yield tier.qualify, Slot(f"{w}: qualification", (BOOL,), ("partner", "period"))
        if tier.margin_uplift is not None:
            yield tier.margin_uplift, Slot(f"{w}: margin uplift", (PERCENT,), ("partner",))
    for benefit in body.benefits or ():
        w = f"benefit `{benefit.id.name}`"
        if benefit.when is not None:
            yield benefit.when, Slot(f"{w}: condition", (BOOL,), ("partner",))
        if benefit.value is not None:
            yield benefit.value, Slot(f"{w}: value", (MONEY, PERCENT), ("partner",))
    if (rules := body.price_rules) is not None:
        if rules.max_discount is not None:
            yield rules.max_discount, Slot("price rules: max discount", (PERCENT,), pt)
        if rules.max_channel_margin is not None:
            yield rules.max_channel_margin, Slot("price rules: max channel margin", (PERCENT,))
        for cap in rules.margin_caps:
            yield cap.when, Slot(f"margin cap `{cap.id.name}`: condition", (BOOL,), pt)
            yield cap.cap, Slot(f"margin cap `{cap.id.name}`: cap", (PERCENT,), pt)
        for p in rules.pass_through:
            yield p.amount, Slot(f"pass-through `{p.id.name}`: amount", (MONEY,), pt)
            yield p.fee, Slot(f"pass-through `{p.id.name}`: fee", (PERCENT,), pt)
            if p.fee_cap is not None:
                yield p.fee_cap, Slot(f"pass-through `{p.id.name}`: fee cap", (MONEY,))
            if p.billed is not None:
                yield p.billed, Slot(f"pass-through `{p.id.name}`: billed amount", (MONEY,), pt)
            if p.max_markup is not None:
                yield p.max_markup, Slot(f"pass-through `{p.id.name}`: max markup", (PERCENT,), pt)
        if rules.min_fee is not None:
            yield rules.min_fee, Slot("price rules: min fee", (MONEY,))
    for item in body.catalog.items if body.catalog else ():
        yield item.list_price, Slot(f"catalog item `{item.sku.name}`: list price", (MONEY,))
        for price in item.prices:
            yield price.list_price, Slot(f"catalog item `{item.sku.name}`: list price from {price.start}", (MONEY,))
    for level in body.hierarchy.levels if body.hierarchy else ():
        yield level.margin, Slot(f"hierarchy level {level.level}: margin", (PERCENT,), pt)
    for reseller_key in body.hierarchy.routing.order if body.hierarchy and body.hierarchy.routing else ():
        if reseller_key.prefer is not None:
            yield reseller_key.prefer, Slot("new resellers: preference", (BOOL,), ("partner", "applicant"))
    if (conflicts := body.conflicts) is not None:
        if (reg := conflicts.registration) is not None:
            yield reg.expires_after, Slot("deal registration: expiry", (DURATION,))
            if reg.renewal_period is not None:
                yield reg.renewal_period, Slot("deal registration: renewal period", (DURATION,))
        for rule in conflicts.precedence:
            if rule.when is not None:
                yield rule.when, Slot(f"conflict rule `{rule.rule}`: condition", (BOOL,), ("partner", "deal"))
    if (routing := body.lead_routing) is not None:
        pl = ("partner", "lead")
        if routing.eligible is not None:
            yield routing.eligible, Slot("lead routing: eligibility", (BOOL,), pl)
        if routing.skip_when is not None:
            yield routing.skip_when, Slot("lead routing: capacity", (BOOL,), pl)
        for key in routing.order:
            if key.prefer is not None:
                yield key.prefer, Slot("lead routing: preference", (BOOL,), pl)


def program_slots(program: ast.Program) -> Iterator[tuple[ast.Expr, Slot]]:
    """Every expression of a program, each once: header, base sections and each revision's own sections."""
    if program.cliff_tolerance is not None:
        yield program.cliff_tolerance, Slot("program: cliff tolerance", (MONEY,))
    if program.payout_cap is not None:
        yield program.payout_cap, Slot("program: payout cap", (MONEY,))
    if program.rounding.unit is not None:
        yield program.rounding.unit, Slot("program: rounding unit", (MONEY,))
    yield from body_slots(program.body)
    for revision in program.revisions:
        yield from body_slots(revision.body)
