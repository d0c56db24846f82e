"""Dates and durations for the operators: durations in their base unit (days or months), and calendar
shifts (31 Jan + 1mo = 28/29 Feb)."""

from __future__ import annotations

import calendar
import datetime
from fractions import Fraction
from typing import Any, Final

from runtime import ir
from runtime.engine._values import _bad

_DURATION_UNITS: Final = {"d": ("d", 1), "w": ("d", 7), "mo": ("mo", 1), "y": ("mo", 12)}


def _base(d: ir.Duration) -> tuple[str, int]:
    """A duration in its base unit: days (d, w) or months (mo, y)."""
    unit, scale = _DURATION_UNITS[d.unit]
    return unit, d.amount * scale


def _same_base(a: ir.Duration, b: ir.Duration, verb: str) -> tuple[str, int, int]:
    (ua, na), (ub, nb) = _base(a), _base(b)
    if ua != ub:
        _bad(f"cannot {verb} a duration in days and one in months")
    return ua, na, nb


def _whole(value: Any) -> int | None:
    if type(value) is int:
        return value
    if type(value) is Fraction and value.denominator == 1:
        return value.numerator
    return None


def _shift(day: datetime.date, d: ir.Duration, sign: int) -> datetime.date:
    """A date moved by a duration; months and years follow the calendar (31 Jan + 1mo = 28/29 Feb)."""
    unit, amount = _base(d)
    try:
        if unit == "d":
            return day + datetime.timedelta(days=sign * amount)
        year, month = divmod(day.year * 12 + day.month - 1 + sign * amount, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return datetime.date(year, month + 1, min(day.day, last))
    except (OverflowError, ValueError):
        _bad(f"the date {day.isoformat()} moved by {d.amount}{d.unit} is out of range")


def _combine(a: ir.Duration, b: ir.Duration, sign: int) -> ir.Duration:
    if a.unit == b.unit:
        return ir.Duration(a.amount + sign * b.amount, a.unit)
    unit, na, nb = _same_base(a, b, "add" if sign > 0 else "subtract")
    return ir.Duration(na + sign * nb, unit)
