"""IR expression → canonical expression text, the fallback when no sentence form applies.

Mirrors the language's canonical form (as few parentheses as the grammar allows, one space around
binary operators, `¥1,000,000`, `15%`, `90d`, `2026-04-01`), written against the IR so that the
runtime needs nothing from the language package.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from runtime import ir
from runtime.money import format_amount, format_rate

_CONDITIONAL, _OR, _AND, _NOT, _COMPARISON, _SUM, _PRODUCT, _NEGATION, _ATOM = range(1, 10)


def format_expr(expr: ir.Expr, currency: str = "JPY", minor_unit: int = 0) -> str:
    """The canonical text of an IR expression.

    >>> format_expr(ir.Compare(">=", ir.Field("partner", "certified_engineers", "integer"), ir.Const("integer", 5)))
    'partner.certified_engineers >= 5'
    """
    return _format(expr, currency, minor_unit)[0]


def _number(value: int | Fraction) -> str:
    value = Fraction(value)
    if value.denominator == 1:
        digits = str(abs(value.numerator))
        if len(digits) > 4:
            head = len(digits) % 3 or 3
            digits = "_".join([digits[:head], *(digits[i:i + 3] for i in range(head, len(digits), 3))])
        return ("-" if value < 0 else "") + digits
    return format_rate(value / 100).rstrip("%")


def _const(node: ir.Const, currency: str, minor_unit: int) -> str:
    value = node.value
    if node.type == "money":
        return format_amount(value, currency, minor_unit)
    if node.type == "percent":
        return format_rate(Fraction(value))
    if node.type in ("number", "integer"):
        return _number(value)
    if node.type == "boolean":
        return "true" if value else "false"
    if node.type == "text":
        escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if node.type == "date" and isinstance(value, datetime.date):
        return value.isoformat()
    if node.type == "duration" and isinstance(value, ir.Duration):
        return f"{value.amount}{value.unit}"
    return str(value)


def _format(expr: ir.Expr, cur: str, mu: int) -> tuple[str, int]:
    def wrap(node: ir.Expr, loosest: int) -> str:
        text, strength = _format(node, cur, mu)
        return f"({text})" if strength < loosest else text

    match expr:
        case ir.Const():
            return _const(expr, cur, mu), _ATOM
        case ir.Field(scope=ir.AS_OF_SCOPE, name=ir.AS_OF_NAME):
            return ir.AS_OF_NAME, _ATOM
        case ir.Field(scope=scope, name=name):
            return f"{scope}.{name}", _ATOM
        case ir.ListOf(items=items):
            return "[" + ", ".join(wrap(i, _CONDITIONAL) for i in items) + "]", _ATOM
        case ir.Neg(operand=x):
            return "-" + wrap(x, _NEGATION), _NEGATION
        case ir.Not(operand=x):
            return "not " + wrap(x, _NOT), _NOT
        case ir.Arith(op=op, left=a, right=b):
            strength = _SUM if op in ("+", "-") else _PRODUCT
            return f"{wrap(a, strength)} {op} {wrap(b, strength + 1)}", strength
        case ir.Compare(op=op, left=a, right=b):
            return f"{wrap(a, _SUM)} {op} {wrap(b, _SUM)}", _COMPARISON
        case ir.And(left=a, right=b):
            return f"{wrap(a, _AND)} and {wrap(b, _AND + 1)}", _AND
        case ir.Or(left=a, right=b):
            return f"{wrap(a, _OR)} or {wrap(b, _OR + 1)}", _OR
        case ir.In(negated=negated, item=item, items=items):
            listed = "[" + ", ".join(wrap(i, _CONDITIONAL) for i in items) + "]"
            return f"{wrap(item, _SUM)} {'not in' if negated else 'in'} {listed}", _COMPARISON
        case ir.If(condition=c, then=t, otherwise=o):
            return f"if {wrap(c, _OR)} then {wrap(t, _OR)} else {wrap(o, _CONDITIONAL)}", _CONDITIONAL
        case ir.Call(function="valid_on", args=(record, day)):
            return f"{wrap(record, _ATOM)}.valid_on({wrap(day, _CONDITIONAL)})", _ATOM
        case ir.Call(function="count_valid_on", args=(items, day)):
            return f"count({wrap(items, _CONDITIONAL)}, valid_on: {wrap(day, _CONDITIONAL)})", _ATOM
        case ir.Call(function="contains", args=(items, item)):
            return f"{wrap(item, _SUM)} in {wrap(items, _SUM)}", _COMPARISON
        case ir.Call(function="fact_from" | "fact_until" as f, args=(record,)):
            return f"{wrap(record, _ATOM)}.{f.removeprefix('fact_')}", _ATOM
        case ir.Call(function=f, args=args):
            return f"{f}(" + ", ".join(wrap(a, _CONDITIONAL) for a in args) + ")", _ATOM
    raise AssertionError(f"unknown IR node {expr!r}")
