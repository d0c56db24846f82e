"""Price rules: what each rule's action and markup settings need to make sense."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.context import Context
from policy_lang import ast
from policy_lang import diagnostics as dg


def check_prices(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield diagnostics for markup settings without a billed amount, and actions on a rule that is off."""
    for body in ctx.all_bodies():
        rules = body.price_rules
        if rules is None:
            continue
        if rules.ceiling == "none" and rules.ceiling_action is not None:
            yield dg.error("E382", f"in the price rules: an action `{rules.ceiling_action}` on a ceiling of `none`",
                           rules.ceiling_span or rules.span,
                           hint="with no ceiling no sale can break it; write `ceiling: none`, or `price: list_price`")
        for p in rules.pass_through:
            yield from _pass_through(p)


def _pass_through(p: ast.PassThrough) -> Iterator[dg.Diagnostic]:
    owner = f"in pass-through `{p.id.name}`"
    if p.billed is None:
        stated = [key for key, value in (("markup", p.markup), ("max_markup", p.max_markup), ("action", p.action))
                  if value is not None]
        if stated:
            span = {"markup": p.markup_span, "max_markup": p.max_markup.span if p.max_markup else None,
                    "action": p.action_span}[stated[0]]
            yield dg.error("E380", f"{owner}: `{stated[0]}` without the billed amount", span or p.span,
                           hint="a markup is what the partner billed above cost: add `billed:` (e.g. "
                           "`transaction.billed_amount`)")
        return
    if p.max_markup is not None and p.markup is not None:
        yield dg.error("E381", f"{owner}: both `markup: {p.markup}` and `max_markup`", p.markup_span or p.span,
                       labels=[dg.Label(p.max_markup.span, "max markup set here")] if p.max_markup.span else (),
                       hint="`max_markup` alone allows a markup up to its rate; `markup: allowed` allows any, "
                       "`markup: none` none")
    if p.markup == "allowed" and p.action is not None:
        yield dg.error("E383", f"{owner}: an action `{p.action}` on a markup that is allowed", p.action_span or p.span,
                       hint="with `markup: allowed` no line breaks the rule; remove `action`, or limit the markup "
                       "with `max_markup`")
