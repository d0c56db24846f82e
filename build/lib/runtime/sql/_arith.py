"""Exact numbers in SQL: integer numerators over compile-time scales, and the small builders the queries share.

A numeric value is a `Num(sql, scale)`: the SQL integer `sql` divided by the compile-time constant
`scale` (> 0). Money is in minor units (scale 1); a rate such as 15% is `3` over `20`. Sums and
comparisons bring both sides to a common scale by multiplying with constants, so no SQL value is
ever a DOUBLE and no division happens until a line is rounded (`runtime.sql._rounding`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from runtime.money import MAX_AMOUNT

WIDE = {"duckdb": "HUGEINT"}  # the exact integer type per dialect; others use DECIMAL(38, 0)

DECIMAL_PLACES = 10
"""Percent and number inputs are DECIMAL columns read exactly to this many decimal places."""


class Refused(Exception):
    """Constructs this back end does not translate; each reason names one (and where it was written)."""

    def __init__(self, *reasons: str) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


def exact_at_ceiling(scale: int, minor_unit: int) -> bool:
    """Whether SQL computes an amount at the ceiling (`runtime.money.MAX_AMOUNT`) times a rate over `scale`
    exactly: every numerator of a rate up to 100% fits a BIGINT (a BIGINT run then fails only by overflowing,
    and is run again in the wide type), and its product with the amount fits DECIMAL(38, 0) (and HUGEINT).

    >>> exact_at_ceiling(10**6, 0), exact_at_ceiling(10**18, 2), exact_at_ceiling(10**20, 0)
    (True, True, False)
    """
    return scale < 2**63 and MAX_AMOUNT * 10**minor_unit * scale < 10**38


def wide_type(dialect: str) -> exp.DataType:
    """The exact integer type amounts and numerators are computed in."""
    return exp.DataType.build(WIDE.get(dialect, "DECIMAL(38, 0)"))


@dataclass(frozen=True, slots=True)
class Num:
    """`sql / scale`: an exact number (scale is a positive compile-time constant)."""

    sql: exp.Expr
    scale: int


@dataclass(frozen=True, slots=True)
class Other:
    """A boolean, text or date value."""

    sql: exp.Expr
    kind: str  # bool | text | date


Value = Num | Other


def col(name: str, table: str | None = None) -> exp.Column:
    """A column, optionally of a table or alias."""
    return exp.column(name, table=table)


def lit(value: int) -> exp.Expr:
    """A small integer literal (structure, not a program value)."""
    return exp.Literal.number(value) if value >= 0 else exp.Neg(this=exp.Literal.number(-value))


def text(value: str) -> exp.Expr:
    """A text literal."""
    return exp.Literal.string(value)


def typed(value: int, dialect: str) -> exp.Expr:
    """A program value: an integer literal cast to the exact integer type."""
    return exp.Cast(this=lit(value), to=wide_type(dialect))


def paren(e: exp.Expr) -> exp.Expr:
    """`e`, parenthesised unless it is atomic."""
    return e if isinstance(e, exp.Column | exp.Literal | exp.Cast | exp.Paren) else exp.Paren(this=e)


def mul(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.Mul(this=paren(a), expression=paren(b))


def times(a: exp.Expr, k: int) -> exp.Expr:
    return a if k == 1 else mul(a, lit(k))


def add(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.Add(this=paren(a), expression=paren(b))


def sub(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.Sub(this=paren(a), expression=paren(b))


def is_null(e: exp.Expr) -> exp.Expr:
    return exp.Is(this=paren(e), expression=exp.Null())


def not_null(e: exp.Expr) -> exp.Expr:
    return exp.Not(this=is_null(e))


def rescale(n: Num, scale: int) -> exp.Expr:
    """`n`'s numerator over `scale` (a multiple of `n.scale`)."""
    assert scale % n.scale == 0
    return times(n.sql, scale // n.scale)


def case(arms: Sequence[tuple[exp.Expr, exp.Expr]], default: exp.Expr | None = None) -> exp.Expr:
    """CASE WHEN … THEN … [ELSE …] END (the default alone when there are no arms)."""
    if not arms:
        return default if default is not None else exp.Null()
    out = exp.Case()
    for cond, then in arms:
        out = out.when(cond, then)
    return out.else_(default) if default is not None else out


def all_of(conds: Sequence[exp.Expr]) -> exp.Expr:
    return exp.and_(*conds) if conds else exp.true()


def any_of(conds: Sequence[exp.Expr]) -> exp.Expr:
    return exp.or_(*conds) if conds else exp.false()


def align(a: Num, b: Num) -> tuple[exp.Expr, exp.Expr, int]:
    scale = math.lcm(a.scale, b.scale)
    return rescale(a, scale), rescale(b, scale), scale


_CMP: dict[str, type[exp.Expr]] = {"==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT,
                                   ">=": exp.GTE}


def compare(op: str, a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return _CMP[op](this=paren(a), expression=paren(b))


def is_(column: str, value: int | str) -> exp.Expr:
    """`column = value` for a small integer or a text literal."""
    return exp.EQ(this=col(column), expression=lit(value) if isinstance(value, int) else text(value))


def date(day: str) -> exp.Expr:
    """A date literal (ISO text cast to DATE)."""
    return exp.cast(text(day), "DATE")
