"""Reading fields for the operators: the classes a field type may hold, checks, and the fields an expression reads."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from fractions import Fraction
from typing import Any, Final

from runtime import ir
from runtime.engine._dates import _DURATION_UNITS
from runtime.engine._values import _NUMERIC_TYPES, EvaluationError, _bad, _describe

_FIELD_WORDS: Final = {"money": "an amount in minor units", "percent": "a percentage", "number": "a number",
                       "integer": "a whole number", "boolean": "true or false", "text": "text", "date": "a date",
                       "duration": "a duration", "list": "a list", "dated": "a dated record"}


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
    if type_ == "list":
        return frozenset({tuple})  # of texts (enumeration members) or of `ir.Dated`, checked when read from input
    if type_ == "dated":
        return frozenset({ir.Dated, type(None)})  # None: the partner has no such record
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
    """The error for a field the environment does not have.

    A catalog item's field (`item.category`) is carried among the transaction's fields; it is missing when the
    row names no catalog SKU, so it is named as the program writes it and the message says why.

    >>> missing_field("transaction.item.category").message
    'missing field `item.category`: the transaction names no catalog `sku`'
    """
    if key.startswith("transaction.item."):
        return EvaluationError("E500", f"missing field `{key.removeprefix('transaction.')}`: the transaction names "
                               "no catalog `sku`")
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
