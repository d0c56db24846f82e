"""Hypothesis strategies for rule set IR: well-typed expressions and environments to evaluate them in.

Expressions are typed by the kind of value they produce (number, boolean, text, date, duration)
and read the fields of `FIELDS`. Environments give those fields values of their type, and now and
then leave one out (E500) or give it a value of the wrong type (E502). Well-typed expressions can
still fail: a division by zero (E501), a rounding unit of zero, a duration in days against one in
months, a date moved out of range. Every node gets a distinct location, so tests can compare where
errors point.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import itertools
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from runtime import ir

KINDS = ("number", "boolean", "text", "date", "duration")

FIELDS: dict[str, tuple[ir.Field, ...]] = {
    "number": (ir.Field("transaction", "list_price", "money"), ir.Field("transaction", "quantity", "integer"),
               ir.Field("partner", "margin", "percent"), ir.Field("period", "ratio", "number")),
    "boolean": (ir.Field("partner", "nda_signed", "boolean"),),
    "text": (ir.Field("partner", "tier", "enum"), ir.Field("transaction", "product", "text")),
    "date": (ir.Field("transaction", "date", "date"), ir.Field("deal", "date", "date")),
    "duration": (ir.Field("deal", "age", "duration"),),
    "record": (ir.Field("partner", "nda", "dated"),),
    "records": (ir.Field("partner", "certifications", "list"),),
    "members": (ir.Field("partner", "regions", "list"),),
}
"""The fields expressions read, by the kind of value they hold (dated facts and lists are read, never built)."""

TEXTS = ("tier1", "tier2", "gold", "", "__import__('os')", "a\"b'\nc")

_DURATION_UNITS = ("d", "w", "mo", "y")


# --- values ------------------------------------------------------------------------------------------


def fractions() -> st.SearchStrategy[Fraction]:
    """Exact rates and numbers, with small denominators so that results are often whole."""
    return st.builds(Fraction, st.integers(-2000, 2000), st.sampled_from((1, 2, 3, 4, 20, 100, 1000)))


def numbers() -> st.SearchStrategy[int | Fraction]:
    """Amounts in minor units, counts, rates: ints (zero often) and Fractions."""
    return st.one_of(st.integers(-3, 3), st.integers(-10**7, 10**7), fractions())


def dates() -> st.SearchStrategy[datetime.date]:
    """Mostly ordinary dates; now and then one near the ends of the calendar."""
    return st.one_of(st.dates(datetime.date(2000, 1, 1), datetime.date(2040, 12, 31)), st.dates())


def durations() -> st.SearchStrategy[ir.Duration]:
    """Durations in every unit, negative ones included."""
    return st.builds(ir.Duration, st.integers(-400, 400), st.sampled_from(_DURATION_UNITS))


def texts() -> st.SearchStrategy[str]:
    """Member names and text, including some that look like Python code."""
    return st.one_of(st.sampled_from(TEXTS), st.text(max_size=4))


def records() -> st.SearchStrategy[ir.Dated]:
    """Dated records: from a day, until a day on or after it or open-ended (None)."""
    def record(start: datetime.date, days: int | None, name: str) -> ir.Dated:
        until = None if days is None else min(start + datetime.timedelta(days=days), datetime.date.max)
        return ir.Dated(start, until, name)
    return st.builds(record, st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)),
                     st.one_of(st.none(), st.integers(0, 800)), st.sampled_from(("", "NDA", "Sensors")))


def values(kind: str) -> st.SearchStrategy[Any]:
    """Runtime values of a kind."""
    return {"number": numbers(), "boolean": st.booleans(), "text": texts(), "date": dates(),
            "duration": durations(), "record": st.one_of(st.none(), records()),
            "records": st.lists(records(), max_size=4).map(tuple),
            "members": st.lists(texts(), max_size=4).map(tuple)}[kind]


def _field_values(f: ir.Field) -> st.SearchStrategy[Any]:
    if f.type == "integer":
        return st.integers(-5, 10**6)
    if f.type == "money":
        return st.one_of(st.integers(-10**7, 10**7), st.integers(-2, 2))
    kind = next(k for k, fields in FIELDS.items() if f in fields)
    return values(kind)


MISSING = object()
"""Marks a field an environment leaves out."""

_WRONG = st.sampled_from(("12", 1.5, None, True, 7, Fraction(1, 3), datetime.date(2020, 1, 1),
                          datetime.datetime(2020, 1, 1), ir.Duration(1, "d"),
                          ir.Duration("1", "d"), (1, 2)))  # type: ignore[arg-type]  # deliberately ill-typed


def environments() -> st.SearchStrategy[dict[str, Any]]:
    """Flat environments for the fields of FIELDS: mostly good values, sometimes one missing or wrong."""
    def choice(f: ir.Field) -> st.SearchStrategy[Any]:
        good = _field_values(f)
        return st.integers(0, 24).flatmap(lambda n: st.just(MISSING) if n == 0 else _WRONG if n == 1 else good)

    every = {f"{f.scope}.{f.name}": choice(f) for fields in FIELDS.values() for f in fields}
    return st.fixed_dictionaries(every).map(lambda env: {k: v for k, v in env.items() if v is not MISSING})


# --- expressions ---------------------------------------------------------------------------------------


def _consts(kind: str) -> st.SearchStrategy[ir.Expr]:
    if kind == "number":
        return st.one_of(st.builds(ir.Const, st.just("money"), st.integers(-10**6, 10**6)),
                         st.builds(ir.Const, st.just("integer"), st.integers(-3, 12)),
                         st.builds(ir.Const, st.just("percent"), fractions()),
                         st.builds(ir.Const, st.just("number"), fractions()))
    type_ = {"boolean": "boolean", "text": "text", "date": "date", "duration": "duration"}[kind]
    return st.builds(ir.Const, st.just(type_), values(kind))


def _leaves(kind: str) -> st.SearchStrategy[ir.Expr]:
    if kind in ("record", "records", "members"):
        return st.sampled_from(FIELDS[kind])
    return st.one_of(_consts(kind), st.sampled_from(FIELDS[kind]))


@functools.cache
def expressions(kind: str, depth: int) -> st.SearchStrategy[ir.Expr]:
    """Well-typed expressions of a kind, at most `depth` levels above the leaves (without locations)."""
    if depth == 0:
        return _leaves(kind)
    sub = functools.partial(expressions, depth=depth - 1)
    cond = sub("boolean")
    options: list[st.SearchStrategy[ir.Expr]] = [
        _leaves(kind),
        st.builds(ir.If, cond, sub(kind), sub(kind)),
    ]
    if kind == "number":
        n = sub("number")
        options += [
            st.builds(ir.Neg, n),
            st.builds(ir.Arith, st.sampled_from(("+", "-", "*", "/")), n, n),
            st.builds(ir.Arith, st.just("/"), sub("duration"), sub("duration")),
            st.builds(ir.Call, st.sampled_from(("min", "max")), st.lists(n, min_size=2, max_size=3).map(tuple)),
            st.builds(ir.Call, st.sampled_from(("abs", "round", "floor", "ceil")), st.tuples(n)),
            st.builds(ir.Call, st.sampled_from(("round", "floor", "ceil")), st.tuples(n, n)),
            st.builds(ir.Call, st.just("clamp"), st.tuples(n, n, n)),
            st.builds(ir.Call, st.just("count"), st.tuples(st.one_of(_leaves("records"), _leaves("members")))),
            st.builds(ir.Call, st.just("count_valid_on"), st.tuples(_leaves("records"), sub("date"))),
        ]
    elif kind == "boolean":
        options += [
            st.builds(ir.Not, cond),
            st.builds(ir.And, cond, cond),
            st.builds(ir.Or, cond, cond),
            *(st.builds(ir.Compare, st.sampled_from(("==", "!=", "<", "<=", ">", ">=")), sub(k), sub(k))
              for k in ("number", "date", "duration")),
            *(st.builds(ir.Compare, st.sampled_from(("==", "!=")), sub(k), sub(k)) for k in ("text", "boolean")),
            *(st.builds(ir.In, st.booleans(), sub(k), st.lists(sub(k), max_size=3).map(tuple))
              for k in ("number", "text", "duration")),
            *(st.builds(ir.In, st.booleans(), sub(k), st.lists(_consts(k), max_size=4).map(tuple))
              for k in ("number", "text", "date")),
            st.builds(ir.Call, st.just("valid_on"), st.tuples(_leaves("record"), sub("date"))),
            st.builds(ir.Call, st.just("contains"), st.tuples(_leaves("members"), sub("text"))),
        ]
    elif kind == "date":
        options += [
            st.builds(ir.Arith, st.sampled_from(("+", "-")), sub("date"), sub("duration")),
            st.builds(ir.Arith, st.just("+"), sub("duration"), sub("date")),
            st.builds(ir.Call, st.sampled_from(("fact_from", "fact_until")), st.tuples(_leaves("record"))),
        ]
    elif kind == "duration":
        d = sub("duration")
        options += [
            st.builds(ir.Arith, st.just("-"), sub("date"), sub("date")),
            st.builds(ir.Arith, st.sampled_from(("+", "-")), d, d),
            st.builds(ir.Arith, st.sampled_from(("*", "/")), d, sub("number")),
            st.builds(ir.Arith, st.just("*"), sub("number"), d),
            st.builds(ir.Neg, d),
            st.builds(ir.Call, st.sampled_from(("min", "max")), st.lists(d, min_size=2, max_size=3).map(tuple)),
            st.builds(ir.Call, st.sampled_from(("abs", "round")), st.tuples(d)),
            st.builds(ir.Call, st.sampled_from(("round", "floor", "ceil")), st.tuples(d, st.one_of(d, sub("number")))),
        ]
    return st.one_of(options)


def with_locations(expr: ir.Expr, file: str = "gen.yaml") -> ir.Expr:
    """The expression with a distinct location on every node (line = pre-order position)."""
    counter = itertools.count(1)

    def walk(node: Any) -> Any:
        if isinstance(node, tuple):
            return tuple(walk(n) for n in node)
        if not isinstance(node, ir.Expr):
            return node
        at = ir.Loc(file, next(counter), 1)
        changes = {f.name: walk(getattr(node, f.name)) for f in dataclasses.fields(node) if f.name != "at"}
        return dataclasses.replace(node, **changes, at=at)

    result: ir.Expr = walk(expr)
    return result


def exprs(depth: int = 4) -> st.SearchStrategy[ir.Expr]:
    """Well-typed expressions of any kind, each node located."""
    return st.one_of([expressions(k, depth) for k in KINDS]).map(with_locations)
