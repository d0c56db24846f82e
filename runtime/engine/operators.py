"""The one table of operator semantics, shared by the generated code and the reference interpreter.

Values: money is an `int` of minor units or a `Fraction` once multiplied by a rate; percent and
number are `int` or `Fraction`; integer is `int`; boolean `bool`; text and enum members `str`; date
`datetime.date`; duration `ir.Duration`. Arithmetic is exact and rounding happens only where asked.

Every function here raises `EvaluationError` without a location; the engine that called it adds
the location of the node that failed.
"""

from __future__ import annotations

import calendar
import datetime
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final, NoReturn

from runtime import ir

Number = int | Fraction

ROUNDING_MODES: Final = frozenset({"down", "up", "half_up", "half_even", "floor", "ceiling"})
"""Modes of `round_to`: toward zero, away from zero, halves away from zero, halves to even, toward
−∞, toward +∞. A program chooses one of the first four; `floor` and `ceil` use the last two."""

_NUMERIC_TYPES: Final = ("money", "percent", "number", "integer")


class EvaluationError(Exception):
    """A runtime error in an expression: E500 missing field, E501 division by zero, E502 bad value."""

    def __init__(self, code: str, message: str, at: ir.Loc | None = None) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.at = at

    def __str__(self) -> str:
        where = f"{self.at}: " if self.at is not None else ""
        return f"{where}error[{self.code}]: {self.message}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (EvaluationError, (self.code, self.message, self.at))


@dataclass(frozen=True, slots=True)
class EvalContext:
    """What an expression needs from its program: the rounding mode (and unit) for `round`."""

    rounding_mode: str  # down | up | half_up | half_even
    rounding_unit: int  # minor units; `round` in the IR always carries its unit

    def __post_init__(self) -> None:
        if self.rounding_mode not in ROUNDING_MODES:
            raise ValueError(f"unknown rounding mode {self.rounding_mode!r}")


def _bad(message: str) -> NoReturn:
    raise EvaluationError("E502", message)


def located(error: Exception, at: ir.Loc | None) -> EvaluationError:
    """The evaluation error for an exception raised while evaluating the node at `at`.

    An `EvaluationError` without a location gets this one; Python's own arithmetic errors (which
    the operators below avoid, but a misbehaving input could still provoke) become E501 or E502.
    """
    if isinstance(error, EvaluationError):
        if error.at is None:
            error.at = at
        return error
    if isinstance(error, ZeroDivisionError):
        return EvaluationError("E501", "division by zero", at)
    return EvaluationError("E502", "a value of the wrong kind", at)


# --- kinds of values ------------------------------------------------------------------------------

_NUMBER_CLASSES: Final = frozenset({int, Fraction})
_FAMILY: Final[dict[type, str]] = {int: "number", Fraction: "number", bool: "boolean", str: "text",
                                   datetime.date: "date", ir.Duration: "duration"}
_WORDS: Final = {"number": "a number", "boolean": "a condition (true/false)", "text": "text", "date": "a date",
                 "duration": "a duration", "other": "an unsupported value"}


def family(value: Any) -> str:
    """The kind of a runtime value: number, boolean, text, date, duration or other."""
    return _FAMILY.get(type(value), "other")


def _describe(value: Any) -> str:
    if value is None:
        return "no value"
    if isinstance(value, float):
        return "an inexact (floating-point) number"
    return _WORDS[family(value)]


# --- reading fields ---------------------------------------------------------------------------------

_FIELD_WORDS: Final = {"money": "an amount in minor units", "percent": "a percentage", "number": "a number",
                       "integer": "a whole number", "boolean": "true or false", "text": "text", "date": "a date",
                       "duration": "a duration"}
_DURATION_UNITS: Final = {"d": ("d", 1), "w": ("d", 7), "mo": ("mo", 1), "y": ("mo", 12)}


def field_classes(type_: str) -> frozenset[type]:
    """The classes a field of this type may hold that need no further check (enumerations hold text)."""
    if type_ in _NUMERIC_TYPES:
        return frozenset({int}) if type_ == "integer" else frozenset({int, Fraction})
    if type_ == "boolean":
        return frozenset({bool})
    if type_ == "date":
        return frozenset({datetime.date})
    if type_ == "duration":
        return frozenset()  # always checked in full: the amount and unit too
    return frozenset({str})  # text, and enumerations (whether typed "enum" or by the enumeration's name)


def check_field(key: str, type_: str, value: Any) -> Any:
    """The value of field `key` if it holds its declared type.

    Raises:
        EvaluationError: E500 when the value is None (nothing given), E502 when it has the wrong type.
    """
    if type(value) in field_classes(type_):
        return value
    if value is None:
        raise EvaluationError("E500", f"field `{key}` has no value")
    if type_ == "duration" and type(value) is ir.Duration and type(value.amount) is int \
            and value.unit in _DURATION_UNITS:
        return value
    words = _FIELD_WORDS.get(type_, f"a `{type_}` member" if type_ != "enum" else "a member of its enumeration")
    _bad(f"field `{key}` should be {words}, found {_describe(value)}")


def missing_field(key: str) -> EvaluationError:
    """The error for a field the environment does not have."""
    return EvaluationError("E500", f"missing field `{key}`")


def children(node: ir.Expr) -> tuple[ir.Expr, ...]:
    """The sub-expressions of a node, in evaluation order."""
    match node:
        case ir.Const() | ir.Field():
            return ()
        case ir.ListOf(items=items) | ir.Call(args=items):
            return items
        case ir.Neg(operand=x) | ir.Not(operand=x):
            return (x,)
        case ir.Arith(left=a, right=b) | ir.Compare(left=a, right=b) | ir.And(left=a, right=b) | ir.Or(left=a, right=b):
            return (a, b)
        case ir.In(item=item, items=items):
            return (item, *items)
        case ir.If(condition=c, then=t, otherwise=o):
            return (c, t, o)
    raise AssertionError(f"unknown IR node {node!r}")


def fields_in_order(exprs: Iterable[ir.Expr]) -> list[ir.Field]:
    """Each distinct field (by key and type) the expressions read, in order of first appearance.

    INVARIANT: both engines read (and check) the fields of an expression in this order, all of them
    before evaluating anything, so a missing or malformed field fails the same way in either.
    """
    found: dict[tuple[str, str, str], ir.Field] = {}
    stack = list(reversed(list(exprs)))
    while stack:  # iterative: expressions may be nested a few hundred levels deep
        node = stack.pop()
        if isinstance(node, ir.Field):
            found.setdefault((node.scope, node.name, node.type), node)
        else:
            stack.extend(reversed(children(node)))
    return list(found.values())


# --- dates and durations ---------------------------------------------------------------------------


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
    """`value` rounded to a multiple of `unit` in `mode` (see ROUNDING_MODES); exact.

    Returns an `int` when the result is integral. A unit of zero or less is E502.

    >>> round_to(1250, 100, "half_even"), round_to(-1250, 100, "half_up"), round_to(Fraction(7, 2), 1, "down")
    (1200, -1300, 3)
    """
    if mode not in ROUNDING_MODES:
        raise ValueError(f"unknown rounding mode {mode!r}")
    if unit <= 0:
        _bad("the rounding unit must be more than zero")
    q, r = divmod(value, unit)  # q rounds toward −∞ and 0 <= r < unit, for ints and Fractions alike
    if r:
        if mode == "ceiling" or (mode == "down" and value < 0) or (mode == "up" and value > 0):
            q += 1
        elif mode in ("half_up", "half_even"):
            twice = 2 * r
            tie_up = value > 0 if mode == "half_up" else q % 2 == 1
            if twice > unit or (twice == unit and tie_up):
                q += 1
    result = q * unit
    if type(result) is Fraction and result.denominator == 1:
        return result.numerator
    return result


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


NUMERIC_CALLS: Final[dict[str, Callable[..., Any]]] = {"min": min, "max": max, "abs": abs}
"""Python's own functions, equal to the ones below when every argument is a number."""

_ARITY: Final = {"min": (1, None), "max": (1, None), "abs": (1, 1), "clamp": (3, 3), "round": (1, 2),
                 "floor": (1, 2), "ceil": (1, 2)}


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
