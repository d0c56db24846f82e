"""Price rules: what each rule's action and markup settings need to make sense; the catalog's SKUs and the
zero-price products in the canonical form of ids (`runtime.ids`), the form rows are matched in."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.context import Context
from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.source import Span
from policy_lang.suggest import closest
from runtime import ids


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
        spans = rules.zero_price_spans or (None,) * len(rules.zero_price)
        for product, span in zip(rules.zero_price, spans, strict=True):
            yield from canonical_id(product, "zero-price product", span or rules.span)


def canonical_id(name: str, what: str, span: Span | None) -> Iterator[dg.Diagnostic]:
    """E314 when an id the program matches against rows is not in the canonical form rows are read in."""
    try:
        canonical = ids.canonical_id(name, what)
    except ids.IdProblem as problem:
        yield dg.error("E314", f"{problem.reason} [{problem.code}]", span,
                       hint="rows with such an id are refused, so the program would match none; write the id "
                       "in plain characters")
        return
    if canonical != name:
        yield dg.error("E314", f"{what} `{name}` is not in its canonical form: rows read it as `{canonical}`", span,
                       hint=f"write `{canonical}`")


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


def check_catalog(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield diagnostics for SKUs listed twice, categories the catalog does not declare and price changes out of
    date order."""
    for body in ctx.all_bodies():
        catalog = body.catalog
        if catalog is None:
            continue
        categories = [c.name for c in catalog.categories]
        seen: dict[str, ast.Ident] = {}
        for item in catalog.items:
            yield from canonical_id(item.sku.name, "SKU", item.sku.span)
            first = seen.setdefault(item.sku.name, item.sku)
            if first is not item.sku:
                yield dg.error("E384", f"in the catalog: SKU `{item.sku.name}` is listed twice", item.sku.span,
                               labels=[dg.Label(first.span, "first listed here")] if first.span else (),
                               hint="list each SKU once; a price that changes on a date goes under its `prices`")
            if item.category.name not in categories:
                close = closest(item.category.name, categories)
                yield dg.error("E385", f"in catalog item `{item.sku.name}`: unknown category `{item.category.name}`",
                               item.category.span,
                               hint=f"did you mean `{close}`?" if close else
                               f"the catalog's categories: {', '.join(f'`{c}`' for c in categories)}")
            for before, after in zip(item.prices, item.prices[1:], strict=False):
                if after.start <= before.start:
                    yield dg.error("E386", f"in catalog item `{item.sku.name}`: the price from {after.start} does not "
                                   f"come after the price from {before.start}", after.span,
                                   hint="list a SKU's price changes in date order, one per date")
