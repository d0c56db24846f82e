"""Lead routing and reseller routing must refer to what the program has: tiers to rank by, a hierarchy to route to."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.context import Context
from policy_lang import diagnostics as dg


def check_routing(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield E362 where routing names tiers, a hierarchy or a level the version in force does not have."""
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
