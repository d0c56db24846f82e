"""Lead routing and reseller routing must refer to what the program has: tiers to rank by, a hierarchy to route to,
integer inputs to count."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.context import Context
from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.suggest import closest

CHILDREN = "children"
"""`fewest: children`: the resellers under a distributor (in the partners file, and routed to it so far)."""


def check_routing(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield E362 where routing names tiers, a hierarchy or a level the version in force does not have (and the
    findings of `check_reseller_routing`)."""
    with_tiers = [view.version for view in ctx.views if view.body.tiers is not None]
    reported: set[object] = set()  # a routing key that several versions share is reported once
    for view in ctx.views:
        body = view.body
        routing = body.lead_routing
        if routing is None:
            continue
        for key in routing.order:
            if key.by == "tier" and body.tiers is None and key.span not in reported:
                reported.add(key.span)
                later = f"version `{view.version}` has no tiers (they start with version `{with_tiers[0]}`)" \
                    if with_tiers else "the program has no tiers"
                yield dg.error("E362", f"lead routing ranks by tier, but {later}", key.span,
                               hint="add a `tiers` section, or rank with `prefer:` conditions")
            if (key.by is None) == (key.prefer is None):
                yield dg.error("E208", "a routing preference needs exactly one of `by` and `prefer`", key.span,
                               hint="write `- by: tier` or `- prefer: partner.region == lead.region`")
        if routing.among_equals == "least_loaded" and ("partner", "open_leads") not in ctx.declared:
            yield dg.error("E362", "lead routing takes the least loaded partner first, but the program does not "
                           "declare `partner.open_leads`", routing.among_equals_span or routing.span,
                           hint="declare `open_leads: integer` under `inputs: partner:`, or use `among_equals: rotate`")
        if routing.new_resellers == "hierarchy":
            if body.hierarchy is None:
                yield dg.error("E362", "lead routing sends new resellers to the hierarchy, but the program has no "
                               "hierarchy", routing.new_resellers_span or routing.span,
                               hint="add a `hierarchy` section, or write `new_resellers: vendor`")
            elif body.hierarchy.new_resellers is None:
                yield dg.error("E362", "lead routing sends new resellers to the hierarchy, but the hierarchy does "
                               "not say where they go", routing.new_resellers_span or body.hierarchy.span,
                               hint="add `new_resellers: level_1` (or `vendor`) to the hierarchy")
        levels = {level.level for level in body.hierarchy.levels} if body.hierarchy else set()
        if body.hierarchy is not None and body.hierarchy.new_resellers == "level_1" and 1 not in levels:
            yield dg.error("E362", "the hierarchy routes new resellers to level 1, but defines no level 1",
                           body.hierarchy.new_resellers_span or body.hierarchy.span,
                           hint="add `- level: 1` with its margin")
    yield from check_reseller_routing(ctx)


def check_reseller_routing(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield E365, E366 and E208 where the mapping form of `hierarchy.new_resellers` cannot choose as written."""
    for body in ctx.all_bodies():
        hierarchy = body.hierarchy
        if hierarchy is None or hierarchy.routing is None:
            continue
        routing = hierarchy.routing
        if hierarchy.new_resellers == "vendor" and (routing.order or routing.among_equals is not None):
            yield dg.error("E366", "new resellers go to the vendor, so no distributor is chosen by this order",
                           routing.order_span or routing.among_equals_span or routing.span,
                           hint="write `to: level_1` to choose a 1st-tier distributor, or drop `order` and "
                                "`among_equals`")
        seen: list[object] = []
        for key in routing.order:
            if (key.prefer is None) == (key.fewest is None):
                yield dg.error("E208", "a reseller routing key needs exactly one of `prefer` and `fewest`", key.span,
                               hint="write `- prefer: partner.territory == applicant.region` or `- fewest: children`")
                continue
            if key.fewest is not None:
                yield from _fewest(ctx, key.fewest)
            said = key.prefer if key.prefer is not None else key.fewest
            if said in seen:
                yield dg.error("E366", "new resellers: this routing key repeats an earlier one, so it can never "
                               "decide", key.span, hint="remove it, or state another key")
            seen.append(said)


def _fewest(ctx: Context, name: ast.Ident) -> Iterator[dg.Diagnostic]:
    """E365 unless `fewest:` names `children` or a declared integer partner input."""
    if name.name == CHILDREN:
        return
    declared = ctx.declared.get(("partner", name.name))
    found = ctx.fields.get(("partner", name.name)) if declared is not None else None
    if found is not None and found.kind == "integer":
        ctx.used_fields.add(("partner", name.name))
        return
    if declared is not None:
        ctx.used_fields.add(("partner", name.name))  # used, if wrongly: its declaration is not the mistake
    integers = sorted(n for (scope, n), d in ctx.declared.items()
                      if scope == "partner" and (t := ctx.fields.get((scope, n))) is not None and t.kind == "integer")
    close = closest(name.name, [CHILDREN, *integers])
    what = f"`partner.{name.name}` is {found.describe()}" if found is not None else \
        f"the program declares no partner input `{name.name}`"
    yield dg.error("E365", f"new resellers: `fewest: {name.name}` counts nothing: {what}", name.span,
                   hint=f"did you mean `{close}`?" if close else
                   "write `fewest: children`, or declare an integer partner input (e.g. `open_leads: integer`)")
