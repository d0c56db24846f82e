"""IR expressions → sqlglot expressions, exact: numbers as integer numerators over a static scale.

A numeric value is a `Num(sql, scale)`: the SQL integer `sql` divided by the compile-time constant
`scale` (> 0). Money is in minor units (scale 1); a rate such as 15% is `3` over `20`. Sums and
comparisons bring both sides to a common scale by multiplying with constants, so no SQL value is
ever a DOUBLE and no division happens until a line is rounded (`round_ratio`, integers only).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from sqlglot import exp

from runtime import ir

WIDE = {"duckdb": "HUGEINT"}  # the exact integer type per dialect; others use DECIMAL(38, 0)


class Refused(Exception):
    """A construct this back end does not translate yet; the message names it (and where it was written)."""


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
    """A boolean or text value."""

    sql: exp.Expr
    kind: str  # bool | text


Value = Num | Other
Resolve = Callable[[ir.Field], exp.Expr]  # a field → its column; raises Refused when it has none


def lit(value: int) -> exp.Expr:
    """A small integer literal (structure, not a program value)."""
    return exp.Literal.number(value) if value >= 0 else exp.Neg(this=exp.Literal.number(-value))


def typed(value: int, dialect: str) -> exp.Expr:
    """A program value: an integer literal cast to the exact integer type."""
    return exp.Cast(this=lit(value), to=wide_type(dialect))


def paren(e: exp.Expr) -> exp.Expr:
    return e if isinstance(e, exp.Column | exp.Literal | exp.Cast | exp.Paren) else exp.Paren(this=e)


def mul(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.Mul(this=paren(a), expression=paren(b))


def times(a: exp.Expr, k: int) -> exp.Expr:
    return a if k == 1 else mul(a, lit(k))


def rescale(n: Num, scale: int) -> exp.Expr:
    """`n`'s numerator over `scale` (a multiple of `n.scale`)."""
    assert scale % n.scale == 0
    return times(n.sql, scale // n.scale)


def add(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.Add(this=paren(a), expression=paren(b))


def sub(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.Sub(this=paren(a), expression=paren(b))


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


def align(a: Num, b: Num) -> tuple[exp.Expr, exp.Expr, int]:
    scale = math.lcm(a.scale, b.scale)
    return rescale(a, scale), rescale(b, scale), scale


_CMP: dict[str, type[exp.Expr]] = {"==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT,
                                         ">=": exp.GTE}


def compare(op: str, a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return _CMP[op](this=paren(a), expression=paren(b))


def _where(node: ir.Expr) -> str:
    return f" at {node.at}" if node.at is not None else ""


class Translator:
    """Translates the IR expressions of one program for one dialect."""

    def __init__(self, resolve: Resolve, dialect: str) -> None:
        self.resolve = resolve
        self.dialect = dialect

    def num(self, node: ir.Expr) -> Num:
        value = self.value(node)
        if not isinstance(value, Num):
            raise Refused(f"expected a number{_where(node)}")
        return value

    def cond(self, node: ir.Expr) -> exp.Expr:
        value = self.value(node)
        if not (isinstance(value, Other) and value.kind == "bool"):
            raise Refused(f"expected a condition{_where(node)}")
        return value.sql

    def value(self, node: ir.Expr) -> Value:  # noqa: C901 — one arm per IR form
        match node:
            case ir.Const(type=t, value=v):
                return self.const(node, t, v)
            case ir.Field(type=t):
                column = self.resolve(node)
                if t in ("money", "integer"):
                    return Num(exp.Cast(this=column, to=wide_type(self.dialect)), 1)
                if t == "boolean":
                    return Other(column, "bool")
                if t in ("text", "enum"):
                    return Other(column, "text")
                raise Refused(f"a field of type {t} (`{node.scope}.{node.name}`){_where(node)}")
            case ir.Neg(operand=x):
                n = self.num(x)
                return Num(exp.Neg(this=paren(n.sql)), n.scale)
            case ir.Not(operand=x):
                return Other(exp.Not(this=paren(self.cond(x))), "bool")
            case ir.Arith(op=op, left=left, right=right):
                return self.arith(node, op, self.num(left), right)
            case ir.Compare(op=op, left=left, right=right):
                return Other(self.compare(node, op, self.value(left), self.value(right)), "bool")
            case ir.And(left=left, right=right):
                return Other(exp.and_(self.cond(left), self.cond(right)), "bool")
            case ir.Or(left=left, right=right):
                return Other(exp.or_(self.cond(left), self.cond(right)), "bool")
            case ir.In(negated=negated, item=item, items=items):
                first = self.value(item)
                found = exp.or_(*(self.compare(node, "==", first, self.value(i)) for i in items)) if items \
                    else exp.false()
                return Other(exp.Not(this=exp.Paren(this=found)) if negated else exp.Paren(this=found), "bool")
            case ir.If(condition=c, then=then, otherwise=otherwise):
                return self.choose(node, self.cond(c), self.value(then), self.value(otherwise))
            case ir.Call(function=fn, args=args):
                return self.call(node, fn, args)
            case ir.ListOf():
                raise Refused(f"a list outside `in`{_where(node)}")
        raise Refused(f"the expression form {type(node).__name__}{_where(node)}")

    def const(self, node: ir.Expr, t: str, v: object) -> Value:
        if t in ("money", "integer", "percent", "number") and isinstance(v, int | Fraction) \
                and not isinstance(v, bool):
            f = Fraction(v)
            return Num(typed(f.numerator, self.dialect), f.denominator)
        if t == "boolean" and isinstance(v, bool):
            return Other(exp.true() if v else exp.false(), "bool")
        if t in ("text", "enum") and isinstance(v, str):
            return Other(exp.Literal.string(v), "text")
        raise Refused(f"a constant of type {t}{_where(node)}")

    def arith(self, node: ir.Expr, op: str, left: Num, right_node: ir.Expr) -> Num:
        if op == "/":
            if not (isinstance(right_node, ir.Const) and isinstance(right_node.value, int | Fraction)
                    and right_node.value):
                raise Refused(f"division by anything but a non-zero constant{_where(node)}")
            divisor = Fraction(right_node.value)
            numerator = times(left.sql, divisor.denominator)
            if divisor < 0:
                numerator = exp.Neg(this=paren(numerator))
            return Num(numerator, left.scale * abs(divisor.numerator))
        right = self.num(right_node)
        if op == "*":
            return Num(mul(left.sql, right.sql), left.scale * right.scale)
        a, b, scale = align(left, right)
        return Num(add(a, b) if op == "+" else sub(a, b), scale)

    def compare(self, node: ir.Expr, op: str, left: Value, right: Value) -> exp.Expr:
        if isinstance(left, Num) and isinstance(right, Num):
            a, b, _ = align(left, right)
            return compare(op, a, b)
        if isinstance(left, Other) and isinstance(right, Other) and left.kind == right.kind and op in ("==", "!="):
            return compare(op, left.sql, right.sql)
        raise Refused(f"the comparison `{op}` of these operands{_where(node)}")

    def choose(self, node: ir.Expr, cond: exp.Expr, then: Value, otherwise: Value) -> Value:
        if isinstance(then, Num) and isinstance(otherwise, Num):
            a, b, scale = align(then, otherwise)
            return Num(case([(cond, a)], b), scale)
        if isinstance(then, Other) and isinstance(otherwise, Other) and then.kind == otherwise.kind:
            return Other(case([(cond, then.sql)], otherwise.sql), then.kind)
        raise Refused(f"`if` with branches of different types{_where(node)}")

    def call(self, node: ir.Expr, fn: str, args: tuple[ir.Expr, ...]) -> Value:
        if fn in ("min", "max") and len(args) >= 1:
            nums = [self.num(a) for a in args]
            scale = math.lcm(*(n.scale for n in nums))
            result = rescale(nums[0], scale)
            for n in nums[1:]:
                other = rescale(n, scale)
                result = case([(compare("<=" if fn == "min" else ">=", result, other), result)], other)
            return Num(result, scale)
        if fn == "abs" and len(args) == 1:
            n = self.num(args[0])
            return Num(exp.Abs(this=n.sql), n.scale)
        raise Refused(f"the function `{fn}`{_where(node)}")


# --- exact integer division and rounding ------------------------------------------------------------


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
