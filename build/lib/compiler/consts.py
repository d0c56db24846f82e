"""Constant folding for static checks: the exact value of an expression made only of literals."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from policy_lang import ast
from runtime.money import MAX_AMOUNT, MAX_AMOUNT_DIGITS


def const_value(expr: ast.Expr | None) -> Decimal | None:
    """The exact value of a literal expression (percentages as rates: 15% → 0.15), else None.

    >>> const_value(ast.PercentLit(Decimal(15)))
    Decimal('0.15')
    """
    match expr:
        case ast.NumberLit(value=v):
            return v
        case ast.PercentLit(value=v):
            return v / 100
        case ast.MoneyLit(amount=a):
            return a
        case ast.Unary(op="-", operand=operand):
            inner = const_value(operand)
            return -inner if inner is not None else None
        case ast.Binary(op=op, left=left, right=right):
            a_value, b_value = const_value(left), const_value(right)
            if a_value is None or b_value is None:
                return None
            a, b = a_value, b_value
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if op == "/" and b != 0:
                return a / b
    return None


def finer_than(value: Decimal, digits: int) -> bool:
    """Whether an exact value has more decimals than a currency with `digits` minor digits allows.

    >>> finer_than(Decimal("1199.995"), 2), finer_than(Decimal("0.5"), 0), finer_than(Decimal("12.50"), 2)
    (True, True, False)
    """
    scaled = value.scaleb(digits)
    return scaled != scaled.to_integral_value()


def too_large(value: Decimal) -> bool:
    """Whether a constant reaches the magnitude ceiling (`runtime.money.MAX_AMOUNT`, 10^15), or is not finite.

    >>> too_large(Decimal(999_999_999_999_999)), too_large(Decimal(10**15)), too_large(Decimal("-Infinity"))
    (False, True, True)
    """
    return not value.is_finite() or abs(value) >= MAX_AMOUNT


def format_magnitude(value: Decimal, currency: str | None) -> str:
    """A constant over the ceiling, for messages: `amount `¥…``, `number `…`` in full up to 20 digits, else by
    its number of digits.

    >>> format_magnitude(Decimal(10**15), "JPY"), format_magnitude(Decimal("1e30"), None)
    ('amount `¥1,000,000,000,000,000`', 'a number of 31 digits')
    """
    if not value.is_finite():
        return "an infinite number"
    if value.adjusted() >= 20:
        return f"{'an amount' if currency else 'a number'} of {value.adjusted() + 1} digits"
    return f"amount `{format_amount(value, currency)}`" if currency else f"number `{value:,f}`"


def constant_parts(node: ast.Expr) -> Iterator[ast.Expr]:
    """The largest constant parts of a value: the expression itself when it folds to a constant, else the
    constants among its branches, arguments and operands (`if c then 0.5 else 1` gives `0.5` and `1`)."""
    if const_value(node) is not None:
        yield node
        return
    match node:
        case ast.Conditional(then=then, otherwise=otherwise):
            yield from constant_parts(then)
            yield from constant_parts(otherwise)
        case ast.Call(args=args):
            for arg in args:
                yield from constant_parts(arg)
        case ast.Unary(operand=operand):
            yield from constant_parts(operand)
        case ast.Binary(left=left, right=right):
            yield from constant_parts(left)
            yield from constant_parts(right)


CEILING_TEXT = f"10^{MAX_AMOUNT_DIGITS} (1,000兆)"
"""The ceiling in words, for messages."""


def is_percent(expr: ast.Expr | None) -> bool:
    """Whether a constant expression is written as a percentage."""
    match expr:
        case ast.PercentLit():
            return True
        case ast.Unary(operand=operand):
            return is_percent(operand)
        case ast.Binary(left=left, right=right):
            return is_percent(left) or is_percent(right)
    return False


def format_rate(rate: Decimal) -> str:
    """A rate as a percentage for messages: 0.15 → `15%`."""
    pct = (rate * 100).normalize()
    return f"{pct:f}%"


def format_amount(amount: Decimal, currency: str) -> str:
    """An amount for messages: ¥1,000,000 for yen, 1,000.50 USD otherwise."""
    if currency == "JPY":
        return f"¥{amount:,.0f}" if amount == amount.to_integral_value() else f"¥{amount:,f}"
    return f"{amount:,f} {currency}"
