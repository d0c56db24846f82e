"""Exact integer division and line rounding in SQL, as `runtime.decisions._rounding.round_ratio` does it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

from sqlglot import exp

from runtime.engine import rounding
from runtime.sql._arith import Refused, add, case, lit, mul, paren, sub, times, wide_type


def pmod(n: exp.Expr, d: exp.Expr) -> exp.Expr:
    """`n mod d` in [0, d) for d > 0, whatever sign the engine's `%` gives a negative n."""
    inner = exp.Mod(this=paren(n), expression=paren(d))
    return exp.Mod(this=exp.Paren(this=add(inner, d)), expression=paren(d))


def exact_div(n: exp.Expr, d: exp.Expr, dialect: str) -> exp.Expr:
    """`n / d` where d divides n exactly: integer division in the engine's exact type."""
    if dialect == "trino":  # Trino divides DECIMAL(38, 0) exactly when d divides n; its IntDiv goes via DOUBLE
        return exp.Cast(this=exp.Div(this=paren(n), expression=paren(d), typed=True, safe=False),
                        to=wide_type(dialect))
    return exp.IntDiv(this=paren(n), expression=paren(d))


def _fact(fact: rounding.Fact, n: exp.Expr, q: exp.Expr, r: exp.Expr, step: exp.Expr) -> exp.Expr:
    """A fact of `runtime.engine.rounding` about `q, r = divmod(n, step)` as a SQL condition."""
    zero = lit(0)
    match fact:
        case rounding.Fact.R_NONZERO:
            return exp.NEQ(this=r.copy(), expression=zero)
        case rounding.Fact.N_NEGATIVE:
            return exp.LT(this=paren(n.copy()), expression=zero)
        case rounding.Fact.N_POSITIVE:
            return exp.GT(this=paren(n.copy()), expression=zero)
        case rounding.Fact.TWICE_R_ABOVE_STEP:
            return exp.GT(this=mul(lit(2), r.copy()), expression=step.copy())
        case rounding.Fact.TWICE_R_IS_STEP:
            return exp.EQ(this=mul(lit(2), r.copy()), expression=step.copy())
        case rounding.Fact.Q_ODD:
            return exp.NEQ(this=pmod(q.copy(), lit(2)), expression=zero)
    assert_never(fact)


def _all(parts: Sequence[exp.Expr]) -> exp.Expr:
    return exp.and_(*parts) if parts else exp.true()


def _any(parts: Sequence[exp.Expr]) -> exp.Expr:
    return exp.or_(*parts) if parts else exp.false()


def round_ratio(n: exp.Expr, d: exp.Expr | int, unit: int, mode: str, dialect: str) -> exp.Expr:
    """`n / d` (d > 0) rounded to a multiple of `unit` in `mode`, as `runtime.decisions._rounding.round_ratio`:
    `(q + bump) × unit` with `q, r = divmod(n, d × unit)`, bump as the rule of `mode` in
    `runtime.engine.rounding.ROUNDING_RULES` says.

    `n` should be a column or a small expression: it is repeated.
    """
    rule = rounding.ROUNDING_RULES.get(mode)
    if rule is None:
        raise Refused(f"the rounding mode `{mode}`")
    step = lit(d * unit) if isinstance(d, int) else times(d, unit)
    r = pmod(n, step)
    q = exact_div(sub(n, r), step, dialect)
    up = rounding.fold(rule.bump, lambda fact: _fact(fact, n, q, r, step), _all, _any)
    bumped = add(q, case([(up, lit(1))], lit(0)))
    return times(bumped, unit)
