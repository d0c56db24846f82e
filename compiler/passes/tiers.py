"""Assigned tiers: a tier the vendor decides (`assigned: true`) states no qualification, and a qualification
does not require the tier it decides.

A tier is either *qualified* (`qualify:`, a condition over the partner's figures) or *assigned* (`assigned: true`:
the vendor decides and the partners file states it). A tier with neither is a schema error (E202).
"""

from __future__ import annotations

from collections.abc import Iterator

from compiler.context import Context
from policy_lang import ast
from policy_lang import diagnostics as dg


def check_tiers(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield E363 for a tier both assigned and qualified, W307 for a qualification that requires the tier itself."""
    for body in ctx.all_bodies():
        for tier in body.tiers.levels if body.tiers else ():
            if tier.qualify is None:
                continue
            if tier.assigned:
                yield dg.error("E363", f"tier `{tier.id.name}` is assigned and also states a qualification",
                               tier.qualify.span,
                               hint="the vendor decides an assigned tier and the partners file states it: remove "
                                    "`qualify:`, or `assigned: true` to let the qualification decide")
                continue
            read = _own_tier_test(tier.qualify, tier.id.name)
            if read is not None:
                yield dg.warning("W307", f"tier `{tier.id.name}`'s qualification requires the partner to be in "
                                 f"`{tier.id.name}` already", read.span,
                                 hint="a tier the vendor decides is written `assigned: true`, without `qualify:`")


_TIER = ("partner", "tier")


def _own_tier_test(qualify: ast.Expr, tier_id: str) -> ast.Expr | None:
    """A conjunct of the qualification that holds only for a partner the partners file already places in the tier
    (`partner.tier == gold`, `partner.tier in [gold]`); None when there is none. A disjunction such as
    `partner.tier == gold or period.deals >= 20` (keep the tier, or earn it) is a real qualification."""
    for part in _conjuncts(qualify):
        match part:
            case ast.Comparison(op="==", left=ast.Name(parts=left), right=ast.Name(parts=right)) \
                    if {left, right} == {_TIER, (tier_id,)}:
                return part
            case ast.Membership(negated=False, item=ast.Name(parts=item), collection=ast.ListLit(items=items)) \
                    if item == _TIER and all(isinstance(i, ast.Name) and i.parts == (tier_id,) for i in items):
                return part
    return None


def _conjuncts(expr: ast.Expr) -> Iterator[ast.Expr]:
    """The parts of `a and b and c`."""
    if isinstance(expr, ast.Logical) and expr.op == "and":
        yield from _conjuncts(expr.left)
        yield from _conjuncts(expr.right)
    else:
        yield expr
