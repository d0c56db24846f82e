"""Ranges: every constant a rate expression can produce lies in [0 %, 100 %]; input ranges are well formed.

A rate written as one constant is checked by `check_ladders` (E330). Here the constant *branches* of a
rate that depends on something (`if partner.segment == enterprise then 120% else 15%`, `min(…, 5%)`)
are checked, each at its own place (E390); what an expression computes over inputs is checked by the
runtime, line by line (E560). Declared inputs may state `min`, `max` and `values` (E391–E393); the program's
pilot size, `min` and `max` (E394).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from compiler.consts import (
    CEILING_TEXT,
    const_value,
    finer_than,
    format_amount,
    format_magnitude,
    format_rate,
    is_percent,
    too_large,
)
from compiler.context import Context
from policy_lang import ast
from policy_lang import diagnostics as dg

_ORDERED = ("money", "integer", "number", "percent", "date")
"""Input types whose values have an order, so that `min` and `max` apply."""


def check_ranges(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield E390 for a constant branch of a rate outside [0 %, 100 %], E391–E393 for input ranges, E394 for
    an empty pilot size."""
    pilot = ctx.program.pilot
    if pilot is not None and pilot.min is not None and pilot.max is not None and pilot.min > pilot.max:
        yield dg.error("E394", f"the pilot size {pilot.min} to {pilot.max} is empty: `min` is above `max`",
                       pilot.span, hint="swap the two bounds")
    for body in ctx.all_bodies():
        for owner, what, expr in _rates(body):
            if expr is None or const_value(expr) is not None:
                continue  # absent, or one constant: E330's business
            for leaf in _branches(expr):
                value = const_value(leaf)
                if value is None or not is_percent(leaf) or 0 <= value <= 1:
                    continue
                yield dg.error("E390", f"in {owner}: the {what} can be {format_rate(value)}, outside 0% to 100%",
                               leaf.span,
                               hint="a rate above 100% would make a negative wholesale price or pay out more than the "
                               "sale" if value > 1 else "a rate below 0% would make the partner pay")
    for field in ctx.program.inputs:
        yield from _input_range(field, ctx)


def _rates(body: ast.Body) -> Iterator[tuple[str, str, ast.Expr | None]]:
    """Every rate expression of one body, with the rule that owns it and what it is."""
    for contract in body.contracts or ():
        yield f"contract `{contract.id.name}`", "margin", contract.margin
        yield f"contract `{contract.id.name}`", "fee", contract.fee
    for tier in body.tiers.levels if body.tiers else ():
        yield f"tier `{tier.id.name}`", "margin uplift", tier.margin_uplift
    if (rules := body.price_rules) is not None:
        yield "the price rules", "maximum discount", rules.max_discount
        yield "the price rules", "maximum channel margin", rules.max_channel_margin
        for cap in rules.margin_caps:
            yield f"margin cap `{cap.id.name}`", "cap", cap.cap
        for p in rules.pass_through:
            yield f"pass-through `{p.id.name}`", "fee", p.fee
    for level in body.hierarchy.levels if body.hierarchy else ():
        yield f"hierarchy level {level.level}", "margin", level.margin


def _branches(expr: ast.Expr) -> Iterator[ast.Expr]:
    """The values an expression can take without computing: the branches of `if`, the arguments of min/max."""
    match expr:
        case ast.Conditional(then=a, otherwise=b):
            yield from _branches(a)
            yield from _branches(b)
        case ast.Call(function="min" | "max", args=args):
            for arg in args:
                yield from _branches(arg)
        case _:
            yield expr


def _input_range(field: ast.InputField, ctx: Context) -> Iterator[dg.Diagnostic]:
    type_name = field.type_name.name
    name = f"`{field.scope}.{field.name.name}`"
    if type_name in ("dated", "list"):  # dated facts and lists: each record or member is checked as it is read
        for key, expr in (("min", field.min), ("max", field.max), ("values", (field.values or (None,))[0])):
            if expr is not None:
                yield dg.error("E391", f"input {name}: `{key}` does not apply to a `{type_name}` input", expr.span,
                               hint="a list of an enumeration holds only its members; a dated record's dates "
                                    "are checked as it is read")
        return
    bounds: dict[str, object] = {}
    for key, expr in (("min", field.min), ("max", field.max)):
        if expr is None:
            continue
        if type_name not in _ORDERED:
            yield dg.error("E391", f"input {name}: `{key}` does not apply to a `{type_name}` input", expr.span,
                           hint="list the values allowed under `values`" if type_name != "boolean" else
                           "a yes/no input has no range")
            continue
        value = _constant(expr, type_name, ctx)
        if value is None:
            yield _wrong_kind(name, key, type_name, expr)
        elif (problem := _bound_problem(name, key, type_name, value, expr, ctx)) is not None:
            yield problem
        else:
            bounds[key] = value
    low, high = bounds.get("min"), bounds.get("max")
    if low is not None and high is not None and field.min is not None and low > high:  # type: ignore[operator]
        yield dg.error("E392", f"input {name}: `min` is above `max`, so no value is allowed", field.min.span,
                       labels=[dg.Label(field.max.span, "`max` is set here")] if field.max and field.max.span
                       else (), hint="swap the two bounds")
    seen: dict[object, ast.Expr] = {}
    for expr in field.values or ():
        value = _constant(expr, type_name, ctx)
        if value is None:
            yield _wrong_kind(name, "values", type_name, expr)
            continue
        if (problem := _bound_problem(name, "values", type_name, value, expr, ctx)) is not None:
            yield problem
            continue
        first = seen[value].span if value in seen else None
        if value in seen:
            yield dg.error("E393", f"input {name}: a value is listed twice in `values`", expr.span,
                           labels=[dg.Label(first, "first listed here")] if first is not None else (),
                           hint="remove one of them")
        elif (low is not None and value < low) or (high is not None and value > high):  # type: ignore[operator]
            yield dg.error("E393", f"input {name}: an allowed value lies outside `min`..`max`", expr.span,
                           hint="widen the range or remove the value")
        seen.setdefault(value, expr)


def _bound_problem(name: str, key: str, type_name: str, value: object, expr: ast.Expr,
                   ctx: Context) -> dg.Diagnostic | None:
    """E313 for a bound over the magnitude ceiling, E309 for a money bound finer than the currency."""
    if not isinstance(value, Decimal):
        return None
    currency = ctx.currency if type_name == "money" else None
    if too_large(value if type_name != "percent" else value * 100):
        return dg.error("E313", f"input {name}: `{key}`: {format_magnitude(value, currency)} is too large: a "
                        f"program's amounts, counts and numbers stay below {CEILING_TEXT}", expr.span,
                        hint="check the number of digits")
    if currency is not None and finer_than(value, ctx.minor_unit):
        return dg.error("E309", f"input {name}: `{key}`: {format_amount(value, currency)} is finer than {currency} "
                        "allows", expr.span, hint="round it to the currency's smallest unit")
    return None


def _wrong_kind(name: str, key: str, type_name: str, expr: ast.Expr) -> dg.Diagnostic:
    example = {"money": "`¥0`", "integer": "`0`", "number": "`0.5`", "percent": "`0%`",
               "date": "`2026-04-01`", "text": '`"A"`', "boolean": "`true`"}.get(type_name, "a member's name")
    return dg.error("E391", f"input {name}: `{key}` must be a constant `{type_name}`", expr.span,
                    hint=f"write a literal of the input's type, such as {example}")


def _constant(expr: ast.Expr, type_name: str, ctx: Context) -> object | None:
    """The value of a constant of an input's type, comparable with the others of that type; None: not one."""
    match type_name:
        case "money" | "integer" | "number":
            value = const_value(expr)
            if value is None or is_percent(expr) or isinstance(expr, ast.MoneyLit) and type_name != "money":
                return None
            if type_name == "integer" and value != value.to_integral_value():
                return None
            return value
        case "percent":
            return const_value(expr) if is_percent(expr) else None
        case "date":
            return expr.value if isinstance(expr, ast.DateLit) else None
        case "text":  # a quoted text, or a word as YAML gives it (`values: [web, store]`)
            if isinstance(expr, ast.Name) and len(expr.parts) == 1:
                return expr.parts[0]
            return expr.value if isinstance(expr, ast.TextLit) else None
        case "boolean":
            return expr.value if isinstance(expr, ast.BoolLit) else None
    members = ctx.enums.get(type_name)
    if members is not None and isinstance(expr, ast.Name) and len(expr.parts) == 1 and expr.parts[0] in members:
        return expr.parts[0]
    return None

