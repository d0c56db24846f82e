"""Names: duplicate ids, references to constructs that do not exist, declared types, required keys by kind."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from compiler.consts import const_value
from compiler.context import Context
from compiler.types import BUILTIN_FIELDS, TYPE_NAMES
from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.currency import CURRENCIES
from policy_lang.suggest import closest


def check_names(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield diagnostics for duplicate ids, unknown references, unknown types and kind-specific requirements."""
    program = ctx.program
    if program.currency.name not in CURRENCIES:
        close = closest(program.currency.name, list(CURRENCIES))
        yield dg.error("E311", f"unknown currency `{program.currency.name}`", program.currency.span,
                       hint=f"did you mean `{close}`?" if close else "use an ISO 4217 code such as JPY")
    unit = program.rounding.unit
    if unit is not None:
        value = const_value(unit)
        if value is None:
            yield dg.error("E307", "the rounding unit must be a constant amount", unit.span,
                           hint="write an amount such as `¥1` or `¥100`")
        elif value <= 0:
            yield dg.error("E207", f"the rounding unit must be more than zero, not {value}", unit.span,
                           hint="write an amount such as `¥1` or `¥100`")
        # A unit finer than the currency is E309 of `check_types`, as for every amount.
    for field in program.inputs:
        if (field.scope, field.name.name) in BUILTIN_FIELDS:
            yield dg.error("E300", f"`{field.scope}.{field.name.name}` is built in and cannot be declared again",
                           field.name.span, hint="remove the declaration; the built-in field is always available")
        yield from _fact_type(field, ctx)
        type_name = field.type_name.name
        if type_name in ("list", "dated"):
            continue
        if type_name not in TYPE_NAMES and type_name not in ctx.enums:
            close = closest(type_name, list(TYPE_NAMES) + list(ctx.enums))
            yield dg.error("E310", f"unknown type `{type_name}` for `{field.scope}.{field.name.name}`",
                           field.type_name.span,
                           hint=f"did you mean `{close}`?" if close else f"types: {', '.join(TYPE_NAMES)}, "
                           "or an enumeration under `enums`")
    for enum in program.enums:
        if enum.name.name in ("tier", "contract"):
            yield dg.error("E300", f"enumeration `{enum.name.name}` is built in", enum.name.span,
                           hint="tiers and contracts are enumerated from their own sections")
    for body in ctx.all_bodies():
        for items in (body.contracts, body.ladders, body.bonuses, body.benefits,
                      body.tiers.levels if body.tiers else None,
                      body.price_rules.margin_caps if body.price_rules else None,
                      body.price_rules.pass_through if body.price_rules else None):
            yield from _duplicates(items or ())
    for view in ctx.views:
        yield from _references(view.body)


def _fact_type(field: ast.InputField, ctx: Context) -> Iterator[dg.Diagnostic]:
    """E310 for a list or dated record where it cannot stand: outside `partner`, or a list of another type."""
    type_name, name = field.type_name.name, f"{field.scope}.{field.name.name}"
    if type_name not in ("list", "dated"):
        return
    if field.scope != "partner":
        yield dg.error("E310", f"`{name}`: lists and dated records are partner inputs", field.type_name.span,
                       hint="declare it under `inputs:` → `partner:`")
        return
    item = field.item
    if type_name == "list" and item is not None and item.name not in ("text", "dated") and \
            item.name not in ctx.enums:
        close = closest(item.name, ["text", "dated", *ctx.enums])
        yield dg.error("E310", f"unknown type `{item.name}` for the members of `{name}`", item.span,
                       hint=f"did you mean `{close}`?" if close else "a list holds the members of an enumeration, "
                       "texts (`{list: text}`) or dated records (`{list: dated}`)")


def _duplicates(items: Iterable[ast.Contract | ast.Ladder | ast.Bonus | ast.Benefit | ast.Tier | ast.MarginCap
                                 | ast.PassThrough]) -> Iterator[dg.Diagnostic]:
    seen: dict[str, ast.Ident] = {}
    for item in items:
        kind = type(item).__name__.lower().replace("marginc", "margin c").replace("passt", "pass-t")
        if item.id.name in seen:
            yield dg.error("E300", f"duplicate {kind} id `{item.id.name}`", item.id.span,
                           labels=_first(seen[item.id.name]), hint="give each one its own id")
        else:
            seen[item.id.name] = item.id


def _first(ident: ast.Ident) -> list[dg.Label]:
    return [dg.Label(ident.span, "first defined here")] if ident.span is not None else []


def _unknown(kind: str, ref: ast.Ident, known: Iterable[str], where: str) -> dg.Diagnostic:
    names = list(known)
    close = closest(ref.name, names)
    hint = f"did you mean `{close}`?" if close else (
        f"defined {kind}s: {', '.join(f'`{n}`' for n in names)}" if names else f"the program defines no {kind}")
    return dg.error("E301", f"in {where}: unknown {kind} `{ref.name}`", ref.span, hint=hint)


def _references(body: ast.Body) -> Iterator[dg.Diagnostic]:
    ladders = [ladder.id.name for ladder in body.ladders or ()]
    bonuses = [bonus.id.name for bonus in body.bonuses or ()]
    benefits = [benefit.id.name for benefit in body.benefits or ()]
    for contract in body.contracts or ():
        where = f"contract `{contract.id.name}`"
        if contract.ladder is not None and contract.ladder.name not in ladders:
            yield _unknown("ladder", contract.ladder, ladders, where)
        for ref in contract.bonuses:
            if ref.name not in bonuses:
                yield _unknown("bonus", ref, bonuses, where)
        yield from _contract_keys(contract, body)
    for tier in body.tiers.levels if body.tiers else ():
        for ref in tier.benefits:
            if ref.name not in benefits:
                yield _unknown("benefit", ref, benefits, f"tier `{tier.id.name}`")


def _contract_keys(contract: ast.Contract, body: ast.Body) -> Iterator[dg.Diagnostic]:
    where = f"contract `{contract.id.name}`"
    if contract.kind == "referral":
        if contract.fee is None:
            yield dg.error("E202", f"{where} is a referral contract without a `fee`", contract.id.span,
                           hint="add `fee:` (a percentage of the deal or an amount, e.g. `10%`)")
        for key, value in (("margin", contract.margin), ("ladder", contract.ladder), ("services", contract.services),
                           ("margin_cap", contract.margin_cap)):
            if value is not None:
                yield dg.error("E203", f"`{key}` does not apply to a referral contract", value.span,
                               hint="referral partners earn a `fee`; use kind `distributor` to earn a margin")
        return
    if contract.margin is None and body.hierarchy is None:
        yield dg.error("E202", f"{where} has no `margin` and the program has no hierarchy to set one",
                       contract.id.span, hint="add `margin:` (e.g. `15%`) or a `hierarchy` with level margins")
    for key, value in (("fee", contract.fee), ("fee_cap", contract.fee_cap)):
        if value is not None:
            yield dg.error("E203", f"`{key}` applies only to referral contracts", value.span,
                           hint="distributors and solution partners earn a `margin`")
    if contract.kind == "distributor" and contract.services is not None:
        yield dg.error("E203", "`services` applies only to solution partners", contract.services.span,
                       hint="use kind `solution_partner` for partners that add their own services")
