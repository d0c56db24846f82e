"""Rounding and formatting of amounts, as the program states them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from runtime.engine import round_to

SYMBOLS = {"JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}

MAX_AMOUNT_DIGITS = 15
"""The magnitude ceiling: an amount, a count or a number is below 10^15 (in whole currency units for money,
under ¥1,000兆). A program constant at or above it is a check error (E313); a row's amount, or its line amount
(price × quantity), at or above it is a rejected row (E521). Every engine holds an amount under the ceiling
exactly, and its product with any rate: in minor units it is below 10^17 (two decimals), far inside a
64-bit integer (9.2 × 10^18), and an amount times a rate's numerator runs in 128 bits where it needs to."""

MAX_AMOUNT = 10**MAX_AMOUNT_DIGITS
"""The ceiling in whole units: 10^15. The largest amount is `MAX_AMOUNT - 1` (¥999,999,999,999,999)."""


def over_ceiling(minor: int, minor_unit: int) -> bool:
    """Whether an amount in minor units reaches the ceiling (10^15 whole units), whatever its sign.

    >>> over_ceiling(999_999_999_999_999, 0), over_ceiling(10**15, 0), over_ceiling(-10**17, 2)
    (False, True, True)
    """
    limit: int = MAX_AMOUNT * 10**minor_unit
    return abs(minor) >= limit


def round_line(value: int | Fraction, unit: int, mode: str) -> int:
    """Round an exact amount to a line amount: a multiple of `unit` minor units, in the program's mode."""
    rounded = round_to(value, unit, mode)
    assert isinstance(rounded, int) or rounded.denominator == 1
    return int(rounded)


def format_amount(minor: int | Fraction, currency: str, minor_unit: int) -> str:
    """An amount for people: ¥1,200,000 or $12.50 or 1,000.00 CHF.

    An amount given in fractions of a minor unit is rounded to a whole minor unit once, half to even,
    before it is split into whole units and cents, so a rounded-up cent carries into the whole units;
    an amount that rounds to zero has no sign.

    >>> format_amount(1_200_000, "JPY", 0), format_amount(1250, "USD", 2), format_amount(100_000, "CHF", 2)
    ('¥1,200,000', '$12.50', '1,000.00 CHF')
    >>> format_amount(Fraction(999, 2), "USD", 2), format_amount(Fraction(-1, 3), "EUR", 2)
    ('$5.00', '€0.00')
    """
    cents = round(Fraction(minor))  # half to even
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 10**minor_unit)
    text = f"{whole:,}" + (f".{part:0{minor_unit}d}" if minor_unit else "")
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def format_change(minor: int, currency: str, minor_unit: int) -> str:
    """A difference of amounts for people, with its sign: +¥1,000, -¥1,000, ¥0.

    >>> format_change(1000, "JPY", 0), format_change(-1000, "JPY", 0), format_change(0, "JPY", 0)
    ('+¥1,000', '-¥1,000', '¥0')
    """
    return ("+" if minor > 0 else "") + format_amount(minor, currency, minor_unit)


def format_rate(rate: Fraction) -> str:
    """A rate as a percentage: 3/20 → 15%, 1/8 → 12.5%; to four decimals, and a rate that rounds to zero is `0%`.

    >>> format_rate(Fraction(3, 20)), format_rate(Fraction(1, 8)), format_rate(Fraction(-1, 10**7))
    ('15%', '12.5%', '0%')
    """
    pct = rate * 100
    if pct.denominator == 1:
        return f"{pct.numerator}%"
    exact = (Decimal(pct.numerator) / Decimal(pct.denominator)).quantize(Decimal("0.0001"))
    if not exact:
        return "0%"  # a rate that rounds to zero is shown without a sign, never `-0%`
    return f"{exact.normalize():f}%"
