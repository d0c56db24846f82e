"""IR expressions → sqlglot expressions, exact: numbers as integer numerators over a static scale.

See `runtime.sql._arith` for the representation. What cannot be translated exactly, or could give a
number other than the row engine's, raises `Refused` naming the construct and where it was written.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from sqlglot import exp

from runtime import ir
from runtime.sql import _facts
from runtime.sql._arith import (
    DECIMAL_PLACES,
    Num,
    Other,
    Refused,
    Value,
    add,
    align,
    case,
    compare,
    lit,
    mul,
    paren,
    rescale,
    sub,
    times,
    typed,
    wide_type,
)
from runtime.sql._rounding import round_ratio

Resolve = Callable[[ir.Field], exp.Expr]  # a field → its column; raises Refused when it has none

_ORDERED = ("num", "date")  # kinds whose values `<`, `<=`, `>`, `>=` order the same in SQL as in the row engine


def _where(node: ir.Expr) -> str:
    return f" at {node.at}" if node.at is not None else ""


def _unit(node: ir.Expr) -> Fraction | None:
    """The value of a constant rounding unit (None when the unit is not a constant number)."""
    if isinstance(node, ir.Const) and isinstance(node.value, int | Fraction) and not isinstance(node.value, bool):
        return Fraction(node.value)
    return None


class Translator:
    """Translates the IR expressions of one program for one dialect.

    Args:
        resolve: a field → the column that holds it (raises Refused for a field the rule cannot read).
        dialect: the sqlglot dialect.
        mode: the program's rounding mode, for `round(…)`.
    """

    def __init__(self, resolve: Resolve, dialect: str, mode: str = "half_up") -> None:
        self.resolve = resolve
        self.dialect = dialect
        self.mode = mode

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
            case ir.Field():
                return self.field(node)
            case ir.Neg(operand=operand):
                n = self.num(operand)
                return Num(exp.Neg(this=paren(n.sql)), n.scale)
            case ir.Not(operand=operand):
                return Other(exp.Not(this=paren(self.cond(operand))), "bool")
            case ir.Arith(op=op, left=left, right=right):
                value = self.value(left)
                if not isinstance(value, Num):
                    raise Refused(f"arithmetic on a {value.kind} value{_where(node)} (dates and durations are "
                                  "compared, not added)")
                return self.arith(node, op, value, right)
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

    def field(self, node: ir.Field) -> Value:
        column, t = self.resolve(node), node.type
        if t in ("money", "integer"):
            return Num(exp.Cast(this=column, to=wide_type(self.dialect)), 1)
        if t in ("percent", "number"):
            # An exact DECIMAL column: its value times 10^DECIMAL_PLACES is a whole number.
            scale = 10**DECIMAL_PLACES
            return Num(exp.Cast(this=mul(column, lit(scale)), to=wide_type(self.dialect)), scale)
        if t == "boolean":
            return Other(column, "bool")
        if t == "date":
            return Other(column, "date")
        if t == "duration":
            raise Refused(f"a duration field (`{node.scope}.{node.name}`){_where(node)}")
        if t in ("dated", "list"):  # a STRUCT (NULL: no record), a LIST of texts or of STRUCTs
            return Other(column, t)
        return Other(column, "text")  # text, or a member of an enumeration

    def const(self, node: ir.Expr, t: str, v: object) -> Value:
        if t in ("money", "integer", "percent", "number") and isinstance(v, int | Fraction) \
                and not isinstance(v, bool):
            f = Fraction(v)
            return Num(typed(f.numerator, self.dialect), f.denominator)
        if t == "boolean" and isinstance(v, bool):
            return Other(exp.true() if v else exp.false(), "bool")
        if t == "date" and hasattr(v, "isoformat"):
            return Other(exp.cast(exp.Literal.string(v.isoformat()), "DATE"), "date")
        if t in ("text", "enum") and isinstance(v, str):
            return Other(exp.Literal.string(v), "text")
        raise Refused(f"a constant of type {t}{_where(node)}")

    def arith(self, node: ir.Expr, op: str, left: Num, right_node: ir.Expr) -> Num:
        if op == "/":
            divisor = _unit(right_node)
            if not divisor:
                raise Refused(f"division by anything but a non-zero constant{_where(node)} (the row engine "
                              "rejects a transaction that divides by zero, and the SQL has no rejects)")
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
        if isinstance(left, Other) and isinstance(right, Other) and left.kind == right.kind and (
                op in ("==", "!=") or left.kind in _ORDERED):
            return compare(op, left.sql, right.sql)
        raise Refused(f"the comparison `{op}` of these operands{_where(node)} (text and conditions are compared "
                      "only with `==` and `!=`)")

    def choose(self, node: ir.Expr, cond: exp.Expr, then: Value, otherwise: Value) -> Value:
        if isinstance(then, Num) and isinstance(otherwise, Num):
            a, b, scale = align(then, otherwise)
            return Num(case([(cond, a)], b), scale)
        if isinstance(then, Other) and isinstance(otherwise, Other) and then.kind == otherwise.kind:
            return Other(case([(cond, then.sql)], otherwise.sql), then.kind)
        raise Refused(f"`if` with branches of different types{_where(node)}")

    def extreme(self, fn: str, nums: list[Num]) -> Num:
        scale = math.lcm(*(n.scale for n in nums))
        result = rescale(nums[0], scale)
        for n in nums[1:]:
            other = rescale(n, scale)
            result = case([(compare("<=" if fn == "min" else ">=", result, other), result)], other)
        return Num(result, scale)

    def call(self, node: ir.Expr, fn: str, args: tuple[ir.Expr, ...]) -> Value:
        if fn in ("min", "max") and len(args) >= 1:
            return self.extreme(fn, [self.num(a) for a in args])
        if fn == "abs" and len(args) == 1:
            n = self.num(args[0])
            return Num(exp.Abs(this=n.sql), n.scale)
        if fn == "clamp" and len(args) == 3:
            x, lo, hi = (self.num(a) for a in args)
            return self.extreme("min", [self.extreme("max", [x, lo]), hi])
        if fn in ("round", "floor", "ceil") and len(args) in (1, 2):
            return self.rounded(node, {"round": self.mode, "floor": "floor", "ceil": "ceiling"}[fn], args)
        if fn in _facts.FACT_CALLS and self.dialect == "duckdb":
            return _facts.call(node, fn, [self.value(a) for a in args], self.dialect)
        raise Refused(f"the function `{fn}`{_where(node)}")

    def rounded(self, node: ir.Expr, mode: str, args: tuple[ir.Expr, ...]) -> Num:
        """`round(x, unit)` for a constant unit: the multiple k·unit nearest x in `mode`, exactly."""
        value = self.num(args[0])
        unit = _unit(args[1]) if len(args) == 2 else Fraction(1)
        if unit is None or unit <= 0:
            raise Refused(f"rounding to a unit that is not a constant amount more than zero{_where(node)}")
        # x / unit = (n · b) / (scale · a) for x = n / scale and unit = a / b
        k = round_ratio(paren(times(value.sql, unit.denominator)), value.scale * unit.numerator, 1, mode,
                        self.dialect)
        return Num(times(paren(k), unit.numerator), unit.denominator)
