"""Assigned tiers: a tier the vendor decides (`assigned: true`) states no qualification, and a qualification
does not read the tier it decides.

A tier is either *qualified* (`qualify:`, a condition over the partner's figures) or *assigned* (`assigned: true`:
the vendor decides and the partners file states it). A tier with neither is a schema error (E202).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from compiler.context import Context
from policy_lang import ast
from policy_lang import diagnostics as dg


def check_tiers(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield E363 for a tier both assigned and qualified, W307 for a qualification that reads `partner.tier`."""
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
            read = next((n for n in subexpressions(tier.qualify)
                         if isinstance(n, ast.Name) and n.parts == ("partner", "tier")), None)
            if read is not None:
                yield dg.warning("W307", f"tier `{tier.id.name}`'s qualification reads `partner.tier`, the tier "
                                 "the partners file states", read.span,
                                 hint="a tier the vendor decides is written `assigned: true`, without `qualify:`")


def subexpressions(expr: ast.Expr) -> Iterator[ast.Expr]:
    """The expression and every expression inside it, outermost first."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        inner: list[ast.Expr] = []
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if isinstance(value, ast.Expr):
                inner.append(value)
            elif isinstance(value, tuple):
                inner.extend(v for v in value if isinstance(v, ast.Expr))
        stack.extend(reversed(inner))
