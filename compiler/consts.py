"""Constant folding for static checks: the exact value of an expression made only of literals."""

from __future__ import annotations

from decimal import Decimal

from policy_lang import ast


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
        return f"¥{amount:,.0f}" if amount == amount.to_integral_value() else f"¥{amount:,}"
    return f"{amount:,} {currency}"
