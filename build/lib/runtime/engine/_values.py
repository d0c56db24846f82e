"""What every operator shares: the evaluation error and context, and the kinds of runtime values.

Re-exported by `runtime.engine.operators`, the one table of operator semantics."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final, NoReturn

from runtime import ir
from runtime.engine.rounding import ROUNDING_MODES as ROUNDING_MODES  # the modes of `round_to`

Number = int | Fraction


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
