"""The one table of operator semantics, shared by the generated code and the reference interpreter.

Values: money is an `int` of minor units or a `Fraction` once multiplied by a rate; percent and
number are `int` or `Fraction`; integer is `int`; boolean `bool`; text and enum members `str`; date
`datetime.date`; duration `ir.Duration`. Arithmetic is exact and rounding happens only where asked.

Every function here raises `EvaluationError` without a location; the engine that called it adds
the location of the node that failed.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, Final

from runtime import ir
from runtime.engine import rounding
from runtime.engine._dates import _base, _combine, _same_base, _shift, _whole
from runtime.engine._fields import check_field as check_field
from runtime.engine._fields import children as children
from runtime.engine._fields import field_classes as field_classes
from runtime.engine._fields import fields_in_order as fields_in_order
from runtime.engine._fields import missing_field as missing_field
from runtime.engine._values import _NUMBER_CLASSES, _bad, _describe
from runtime.engine._values import EvalContext as EvalContext
from runtime.engine._values import EvaluationError as EvaluationError
from runtime.engine._values import Number as Number
from runtime.engine._values import family as family
from runtime.engine._values import located as located
from runtime.engine.rounding import ROUNDING_MODES as ROUNDING_MODES

# --- arithmetic ---------------------------------------------------------------------------------------


def add(a: Any, b: Any) -> Any:
    """`a + b`: numbers exactly; date + duration; duration + duration."""
    fa, fb = family(a), family(b)
    if fa == fb == "number":
        return a + b
    if fa == "date" and fb == "duration":
        return _shift(a, b, 1)
    if fa == "duration" and fb == "date":
        return _shift(b, a, 1)
    if fa == fb == "duration":
        return _combine(a, b, 1)
    _bad(f"cannot add {_describe(a)} and {_describe(b)}")


def sub(a: Any, b: Any) -> Any:
    """`a - b`: numbers exactly; date − duration; date − date (days); duration − duration."""
    fa, fb = family(a), family(b)
    if fa == fb == "number":
        return a - b
    if fa == "date" and fb == "duration":
        return _shift(a, b, -1)
    if fa == fb == "date":
        return ir.Duration((a - b).days, "d")
    if fa == fb == "duration":
        return _combine(a, b, -1)
    _bad(f"cannot subtract {_describe(b)} from {_describe(a)}")


def mul(a: Any, b: Any) -> Any:
    """`a * b`: numbers exactly; a duration times a whole number."""
    fa, fb = family(a), family(b)
    if fa == fb == "number":
        return a * b
    if fa == "duration" and (k := _whole(b)) is not None:
        return ir.Duration(a.amount * k, a.unit)
    if fb == "duration" and (k := _whole(a)) is not None:
        return ir.Duration(b.amount * k, b.unit)
    _bad(f"cannot multiply {_describe(a)} by {_describe(b)}")


def _divide_numbers(a: Number, b: Number) -> Number:
    if b == 0:
        raise EvaluationError("E501", "division by zero")
    if type(a) is int and type(b) is int:
        q, r = divmod(a, b)
        return q if r == 0 else Fraction(a, b)
    result = Fraction(a) / b
    return result.numerator if result.denominator == 1 else result


def div(a: Any, b: Any) -> Any:
    """`a / b`, exact: an `int` when it divides, a `Fraction` otherwise; E501 on division by zero."""
    fa, fb = family(a), family(b)
    if fa == fb == "number":
        return _divide_numbers(a, b)
    if fa == "duration" and fb == "number":
        if b == 0:
            raise EvaluationError("E501", "division by zero")
        for unit, amount in ((a.unit, a.amount), _base(a)):
            if (whole := _whole(Fraction(amount) / b)) is not None:
                return ir.Duration(whole, unit)
        _bad(f"{a.amount}{a.unit} does not divide into whole {'days' if _base(a)[0] == 'd' else 'months'}")
    if fa == fb == "duration":
        _, na, nb = _same_base(a, b, "divide")
        return _divide_numbers(na, nb)
    _bad(f"cannot divide {_describe(a)} by {_describe(b)}")


def neg(a: Any) -> Any:
    """`-a` for a number or a duration."""
    fa = family(a)
    if fa == "number":
        return -a
    if fa == "duration":
        return ir.Duration(-a.amount, a.unit)
    _bad(f"cannot negate {_describe(a)}")


ARITHMETIC: Final[dict[str, Callable[[Any, Any], Any]]] = {"+": add, "-": sub, "*": mul, "/": div}


# --- comparison and logic --------------------------------------------------------------------------


def _order(a: Any, b: Any, op: str) -> tuple[Any, Any]:
    """Two values that may be ordered against each other (durations as base amounts)."""
    fa, fb = family(a), family(b)
    if fa == fb == "duration":
        _, na, nb = _same_base(a, b, "compare")
        return na, nb
    if fa != fb or fa == "other":
        _bad(f"`{op}` cannot compare {_describe(a)} with {_describe(b)}")
    return a, b


def eq(a: Any, b: Any) -> bool:
    """`a == b`; durations are equal when they are the same length (7d == 1w; 30d != 1mo)."""
    if type(a) is ir.Duration and type(b) is ir.Duration:
        (ua, na), (ub, nb) = _base(a), _base(b)
        return ua == ub and na == nb
    return bool(a == b)


def ne(a: Any, b: Any) -> bool:
    """`a != b`."""
    return not eq(a, b)


def lt(a: Any, b: Any) -> bool:
    """`a < b` for two numbers, dates, texts, conditions or durations of one kind (days or months)."""
    x, y = _order(a, b, "<")
    return bool(x < y)


def le(a: Any, b: Any) -> bool:
    """`a <= b`."""
    x, y = _order(a, b, "<=")
    return bool(x <= y)


def gt(a: Any, b: Any) -> bool:
    """`a > b`."""
    x, y = _order(a, b, ">")
    return bool(x > y)


def ge(a: Any, b: Any) -> bool:
    """`a >= b`."""
    x, y = _order(a, b, ">=")
    return bool(x >= y)


COMPARISONS: Final[dict[str, Callable[[Any, Any], bool]]] = {"==": eq, "!=": ne, "<": lt, "<=": le, ">": gt,
                                                             ">=": ge}


def truth(a: Any) -> bool:
    """A condition's value; anything but true or false is E502."""
    if type(a) is bool:
        return a
    _bad(f"expected a condition (true/false), found {_describe(a)}")


def not_(a: Any) -> bool:
    """`not a`."""
    return not truth(a)


def member(item: Any, values: Sequence[Any]) -> bool:
    """`item in [values…]`, by `eq`."""
    return any(eq(item, v) for v in values)


# --- functions ---------------------------------------------------------------------------------------


def round_to(value: Number, unit: Number, mode: str) -> Number:
    """`value` rounded to a multiple of `unit` in `mode` (see `runtime.engine.rounding.ROUNDING_RULES`); exact.

    Returns an `int` when the result is integral. A unit of zero or less is E502.

    >>> round_to(1250, 100, "half_even"), round_to(-1250, 100, "half_up"), round_to(Fraction(7, 2), 1, "down")
    (1200, -1300, 3)
    """
    rounding.rule_for(mode)  # an unknown mode is a ValueError before anything else
    if unit <= 0:
        _bad("the rounding unit must be more than zero")
    return rounding.round_number(value, unit, mode)


_WHOLE: Final = object()  # `round(x)` without a unit: to a whole number; a duration stays as it is


@functools.cache  # one function per mode: the generated code binds it once under one name
def _rounder(mode: str) -> Callable[..., Any]:
    def rounded(value: Any, unit: Any = _WHOLE) -> Any:
        if type(value) in _NUMBER_CLASSES:
            if unit is _WHOLE:
                unit = 1
            if type(unit) in _NUMBER_CLASSES:
                return round_to(value, unit, mode)
        elif type(value) is ir.Duration:
            if unit is _WHOLE:
                return value
            if type(unit) is ir.Duration:
                base, n, step = _same_base(value, unit, "round")
                return ir.Duration(int(round_to(n, step, mode)), base)
            if type(unit) in _NUMBER_CLASSES and type(whole := round_to(value.amount, unit, mode)) is int:
                return ir.Duration(whole, value.unit)  # `round(90d)` is lowered as `round(90d, 1)`
        _bad(f"cannot round {_describe(value)} to {_describe(unit)}")

    return rounded


def _extreme(args: tuple[Any, ...], pick: Callable[[Any, Any], bool], numeric: Callable[..., Any]) -> Any:
    if all(type(a) in _NUMBER_CLASSES for a in args):
        return numeric(args)
    best = args[0]
    for a in args[1:]:
        if pick(a, best):  # like Python's min and max: the first of equals wins
            best = a
    if family(best) != "duration":
        _bad(f"cannot take the least or greatest of {_describe(best)}")
    return best


def minimum(*args: Any) -> Any:
    """`min(a, b, …)` of numbers, or of durations of one kind (days or months)."""
    return _extreme(args, lt, min)


def maximum(*args: Any) -> Any:
    """`max(a, b, …)` of numbers, or of durations of one kind (days or months)."""
    return _extreme(args, gt, max)


def absolute(a: Any) -> Any:
    """`abs(a)` for a number or a duration."""
    fa = family(a)
    if fa == "number":
        return abs(a)
    if fa == "duration":
        return ir.Duration(abs(a.amount), a.unit)
    _bad(f"cannot take the absolute value of {_describe(a)}")


def clamp(x: Any, lo: Any, hi: Any) -> Any:
    """`clamp(x, lo, hi)` = `min(max(x, lo), hi)`."""
    return minimum(maximum(x, lo), hi)


# --- dated facts and lists -------------------------------------------------------------------------


def valid_on(record: Any, day: Any) -> bool:
    """`x.valid_on(d)`: whether a dated record is in force on a date; false without a record."""
    if type(day) is not datetime.date:
        _bad(f"`valid_on` needs a date, found {_describe(day)}")
    if record is None:
        return False
    if type(record) is not ir.Dated:
        _bad(f"`valid_on` needs a dated record, found {_describe(record)}")
    return record.valid_on(day)


def count(items: Any) -> int:
    """`count(x)`: the members of a list."""
    if type(items) is not tuple:
        _bad(f"`count` needs a list, found {_describe(items)}")
    return len(items)


def count_valid_on(items: Any, day: Any) -> int:
    """`count(x, valid_on: d)`: the dated records of a list in force on a date."""
    return sum(1 for record in count_list(items) if valid_on(record, day))


def count_list(items: Any) -> tuple[Any, ...]:
    """A list value, checked."""
    count(items)
    return tuple(items)


def contains(items: Any, item: Any) -> bool:
    """`v in x` for a list input: whether the list holds the value."""
    return any(eq(member, item) for member in count_list(items))


def fact_from(record: Any) -> datetime.date:
    """`x.from`: the first day of a dated record.

    Raises:
        EvaluationError: E500 when the partner has no such record.
    """
    return _record(record).start


def fact_until(record: Any) -> datetime.date:
    """`x.until`: the last day of a dated record; `9999-12-31` for an open-ended one.

    Raises:
        EvaluationError: E500 when the partner has no such record.
    """
    until = _record(record).until
    return until if until is not None else datetime.date.max


def _record(record: Any) -> ir.Dated:
    if record is None:
        raise EvaluationError("E500", "the partner has no such record on file")
    if type(record) is not ir.Dated:
        _bad(f"expected a dated record, found {_describe(record)}")
    return record


NUMERIC_CALLS: Final[dict[str, Callable[..., Any]]] = {"min": min, "max": max, "abs": abs}
"""Python's own functions, equal to the ones below when every argument is a number."""

_ARITY: Final = {"min": (1, None), "max": (1, None), "abs": (1, 1), "clamp": (3, 3), "round": (1, 2),
                 "floor": (1, 2), "ceil": (1, 2), "valid_on": (2, 2), "count": (1, 1), "count_valid_on": (2, 2),
                 "contains": (2, 2), "fact_from": (1, 1), "fact_until": (1, 1)}
_FACT_CALLS: Final[dict[str, Callable[..., Any]]] = {
    "valid_on": valid_on, "count": count, "count_valid_on": count_valid_on, "contains": contains,
    "fact_from": fact_from, "fact_until": fact_until}

FUNCTION_ARITY: Final[dict[str, tuple[int, int | None]]] = _ARITY
"""The functions of the language and how many arguments each takes (least, most; None: any number)."""


def function(name: str, nargs: int, ctx: EvalContext) -> Callable[..., Any]:
    """The function `name` of the language, for a call with `nargs` arguments in a program's context.

    Raises:
        ValueError: the IR names an unknown function or passes the wrong number of arguments (a compiler bug).
    """
    if name not in _ARITY:
        raise ValueError(f"unknown function {name!r} in the rule set")
    lo, hi = _ARITY[name]
    if nargs < lo or (hi is not None and nargs > hi):
        raise ValueError(f"function {name!r} called with {nargs} arguments in the rule set")
    if name in _FACT_CALLS:
        return _FACT_CALLS[name]
    match name:
        case "min":
            return minimum
        case "max":
            return maximum
        case "abs":
            return absolute
        case "clamp":
            return clamp
        case "round":
            return _rounder(ctx.rounding_mode)
        case "floor":
            return _rounder("floor")
    return _rounder("ceiling")
