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
    """Yield E363 for a tier both assigned and qualified, W307 for a qualification that requires the tier itself,
    and the review checks (`check_review`)."""
    for body in ctx.all_bodies():
        if body.tiers is not None and body.tiers.review is not None:
            yield from check_review(body.tiers)
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
_REVIEWS_A_YEAR = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "yearly": 1}
MAX_WINDOW_MONTHS = 36
MAX_REVIEWS = 120  # `keep` and `grace`: ten years of monthly reviews


def check_review(tiers: ast.Tiers) -> Iterator[dg.Diagnostic]:
    """E364 for a review key out of range; W308 when every tier is assigned (nothing to review); W309 when `keep` or
    `grace` outlasts two years of reviews (the review reads as never demoting)."""
    review = tiers.review
    assert review is not None
    if review.months is not None and not 1 <= review.months <= MAX_WINDOW_MONTHS:
        yield dg.error("E364", f"tier review: a window of {review.months} months is out of range",
                       review.months_span or review.span,
                       hint=f"a `{{months: N}}` window reads 1 to {MAX_WINDOW_MONTHS} whole months before the review")
    if not 1 <= review.keep <= MAX_REVIEWS:
        yield dg.error("E364", f"tier review: `keep: {review.keep}` is out of range", review.keep_span or review.span,
                       hint="`keep` is how many review periods a reached tier stays in force: 1 (the default) to "
                       f"{MAX_REVIEWS}")
    if not 0 <= review.grace <= MAX_REVIEWS:
        yield dg.error("E364", f"tier review: `grace: {review.grace}` is out of range",
                       review.grace_span or review.span,
                       hint="`grace` is how many reviews a partner may miss its tier: 0 (the default) to "
                       f"{MAX_REVIEWS}")
    if tiers.levels and all(t.assigned for t in tiers.levels):
        yield dg.warning("W308", "tier review: every tier is assigned, so the reviews decide nothing", review.span,
                         hint="remove `review:`, or give a tier a `qualify:`")
    most = 2 * _REVIEWS_A_YEAR.get(tiers.cadence, 1)
    for key, value, span in (("keep", review.keep, review.keep_span), ("grace", review.grace, review.grace_span)):
        if value > most:
            yield dg.warning("W309", f"tier review: `{key}: {value}` is more than the {most} reviews of two years, "
                             "so the review reads as never demoting", span or review.span,
                             hint=f"with a {tiers.cadence} cadence there are {most // 2} reviews a year")


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
