"""The distributor hierarchy: level numbering, margins that fall with depth, and what the price rules leave."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from compiler.consts import const_value, format_rate
from compiler.context import Context
from policy_lang import ast
from policy_lang import diagnostics as dg


def check_hierarchy(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield diagnostics for level numbering, margins rising with depth and channel margins over the limit."""
    for view in ctx.views:
        body = view.body
        if body.hierarchy is not None:
            yield from _levels(body.hierarchy)
        yield from _channel(body)


def _levels(hierarchy: ast.Hierarchy) -> Iterator[dg.Diagnostic]:
    seen: set[int] = set()
    for expected, level in enumerate(hierarchy.levels, 1):
        if level.level in seen:
            yield dg.error("E342", f"hierarchy level {level.level} is defined twice", level.span)
        elif level.level != expected:
            yield dg.error("E342", f"hierarchy level {level.level} is out of sequence; expected level {expected}",
                           level.span, hint="number the levels 1, 2, 3 … in order")
        if level.level > hierarchy.max_depth:
            yield dg.error("E342", f"hierarchy level {level.level} is deeper than `max_depth` {hierarchy.max_depth}",
                           level.span, hint="raise `max_depth` or remove the level")
        seen.add(level.level)
    if hierarchy.model != "nested":
        return
    for parent, child in zip(hierarchy.levels, hierarchy.levels[1:], strict=False):
        p, c = const_value(parent.margin), const_value(child.margin)
        if p is not None and c is not None and c > p:
            yield dg.error("E340", f"hierarchy level {child.level} earns {format_rate(c)}, more than level "
                           f"{parent.level}'s {format_rate(p)}", child.margin.span,
                           labels=[dg.Label(parent.margin.span, f"level {parent.level}'s margin")]
                           if parent.margin.span else (),
                           hint="in a nested hierarchy each level buys from the one above; deeper levels earn less")


def _max_extra(body: ast.Body, contract: ast.Contract | None) -> Decimal:
    """The largest tier uplift plus the largest ladder rate a partner could add on top of its base margin."""
    return sum(_extras(body, contract), Decimal(0))


def _extras(body: ast.Body, contract: ast.Contract | None) -> tuple[Decimal, Decimal]:
    """The largest tier uplift and the largest ladder rate a partner could add on top of its base margin."""
    uplift = max((const_value(t.margin_uplift) or Decimal(0) for t in body.tiers.levels) if body.tiers else (),
                 default=Decimal(0))
    ladder_rate = Decimal(0)
    ladders = {ladder.id.name: ladder for ladder in body.ladders or ()}
    if contract is not None and contract.ladder is not None and contract.ladder.name in ladders:
        ladder_rate = max((const_value(s.rate) or Decimal(0) for s in ladders[contract.ladder.name].steps),
                          default=Decimal(0))
    return uplift, ladder_rate


def _channel(body: ast.Body) -> Iterator[dg.Diagnostic]:
    rules = body.price_rules
    limit = const_value(rules.max_channel_margin) if rules is not None else None
    limit_span = rules.max_channel_margin.span if rules is not None and rules.max_channel_margin else None
    label = [dg.Label(limit_span, "the price rules allow this much")] if limit_span else []
    for contract in body.contracts or ():
        if contract.kind == "referral":
            continue
        uplift, ladder_rate = _extras(body, contract)
        margin_expr = contract.margin
        base = const_value(margin_expr)
        parts = [f"margin {format_rate(base)}"] if base is not None else []
        if base is None and body.hierarchy is not None and body.hierarchy.levels:
            h = body.hierarchy
            margins = [const_value(level.margin) for level in h.levels]
            if any(m is None for m in margins):
                continue
            known = [m for m in margins if m is not None]
            base = sum(known, Decimal(0)) if h.model == "stacked" else known[0]
            parts = [f"levels {' + '.join(format_rate(m) for m in known)}" if h.model == "stacked"
                     else f"level 1's margin {format_rate(known[0])}"]
            margin_expr = h.levels[0].margin
        if base is None or margin_expr is None:
            continue
        if max(base, uplift, ladder_rate) >= 1:
            continue  # one rate alone is 100% or more: reported as a rate out of range (E330)
        parts += [f"{what} up to {format_rate(rate)}" for what, rate in (("tier uplift", uplift),
                                                                          ("ladder", ladder_rate)) if rate]
        total = base + uplift + ladder_rate
        breakdown = " + ".join(parts)
        if total >= 1:
            yield dg.error("E341", f"contract `{contract.id.name}`: margins can reach {format_rate(total)} of list "
                           f"({breakdown}), leaving the vendor nothing", margin_expr.span, labels=label,
                           hint="lower the margins, uplifts or ladder rates")
        elif limit is not None and total > limit:
            yield dg.error("E341", f"contract `{contract.id.name}`: the channel can keep up to {format_rate(total)} "
                           f"of list ({breakdown}), more than `max_channel_margin` {format_rate(limit)}",
                           margin_expr.span, labels=label, hint="lower the margins, or raise `max_channel_margin`")
    discount = const_value(rules.max_discount) if rules is not None else None
    if rules is None or discount is None or rules.max_discount is None:
        return
    deepest: tuple[Decimal, str] | None = None
    if body.hierarchy is not None and body.hierarchy.levels:
        last = body.hierarchy.levels[-1]
        value = const_value(last.margin)
        if value is not None:
            deepest = (value, f"level {last.level}'s margin")
    else:
        by_contract: list[tuple[Decimal, str]] = []
        for c in body.contracts or ():
            m = const_value(c.margin)
            if c.kind != "referral" and m is not None:
                by_contract.append((m, c.id.name))
        if by_contract:
            low = min(by_contract)
            deepest = (low[0], f"contract `{low[1]}`'s margin")
    if deepest is not None and discount > deepest[0]:
        yield dg.warning("W305", f"the maximum discount {format_rate(discount)} exceeds {deepest[1]} "
                         f"{format_rate(deepest[0])}", rules.max_discount.span,
                         hint="a partner could sell below its own purchase price; lower `max_discount`")
