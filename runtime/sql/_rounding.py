"""Exact integer division and line rounding in SQL, as `runtime.decisions._rounding.round_ratio` does it."""

from __future__ import annotations

from sqlglot import exp

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


def round_ratio(n: exp.Expr, d: exp.Expr | int, unit: int, mode: str, dialect: str) -> exp.Expr:
    """`n / d` (d > 0) rounded to a multiple of `unit` in `mode`, as `runtime.decisions._rounding.round_ratio`.

    `n` should be a column or a small expression: it is repeated.
    """
    step = lit(d * unit) if isinstance(d, int) else times(d, unit)
    r = pmod(n, step)
    q = exact_div(sub(n, r), step, dialect)
    zero = lit(0)
    nonzero = exp.NEQ(this=r, expression=zero)
    twice = mul(lit(2), r)
    if mode == "down":
        up = exp.and_(nonzero, exp.LT(this=paren(n), expression=zero))
    elif mode == "up":
        up = exp.and_(nonzero, exp.GT(this=paren(n), expression=zero))
    elif mode == "ceiling":
        up = nonzero
    elif mode == "floor":
        up = exp.false()
    elif mode in ("half_up", "half_even"):
        tie_up = exp.GT(this=paren(n), expression=zero) if mode == "half_up" else \
            exp.NEQ(this=pmod(q, lit(2)), expression=zero)
        up = exp.or_(exp.GT(this=twice, expression=step),
                     exp.and_(exp.EQ(this=twice, expression=step), tie_up))
    else:
        raise Refused(f"the rounding mode `{mode}`")
    bumped = add(q, case([(up, lit(1))], lit(0)))
    return times(bumped, unit)
