"""Rounding and formatting of amounts, as the program states them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from runtime.engine import round_to

SYMBOLS = {"JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}


def round_line(value: int | Fraction, unit: int, mode: str) -> int:
    """Round an exact amount to a line amount: a multiple of `unit` minor units, in the program's mode."""
    rounded = round_to(value, unit, mode)
    assert isinstance(rounded, int) or rounded.denominator == 1
    return int(rounded)


def format_amount(minor: int | Fraction, currency: str, minor_unit: int) -> str:
    """An amount for people: ¥1,200,000 or $12.50 or 1,000.00 CHF."""
    value = Fraction(minor) / 10**minor_unit
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole = int(value)
    text = f"{whole:,}"
    if minor_unit:
        cents = round((value - whole) * 10**minor_unit)
        text += f".{int(cents):0{minor_unit}d}"
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def format_rate(rate: Fraction) -> str:
    """A rate as a percentage: 3/20 → 15%, 1/8 → 12.5%."""
    pct = rate * 100
    if pct.denominator == 1:
        return f"{pct.numerator}%"
    exact = (Decimal(pct.numerator) / Decimal(pct.denominator)).quantize(Decimal("0.0001"))
    return f"{exact.normalize():f}%"
