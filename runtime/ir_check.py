"""A decoded rule set checked against the IR's own declarations, before anything runs on it.

A rule set artifact is data from a file, not a promise from the compiler: anyone can write one by
hand, and its hash proves nothing about who did (see `runtime.signing`). `check_ruleset` walks the
decoded `RuleSet` and holds every field to the type its dataclass annotation states (`int`, `Text`,
`tuple[Step, ...]`, `Expr | None` …), every kind, mode, operator and function to the words the runtime
knows, and every name a contract or tier uses to a ladder, bonus or benefit of its version. What it
refuses is a `ShapeError` naming the place by a JSON-like path (`versions[0].contracts[2].title`),
so the engines only ever see the shapes the compiler writes.
"""

from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from runtime import instants, ir
from runtime.engine import operators

SCOPES: tuple[str, ...] = ("partner", "transaction", "deal", "lead", "period")
"""Where a field an expression reads lives."""

FUNCTIONS: tuple[str, ...] = tuple(operators.FUNCTION_ARITY)
"""The functions an expression may call."""

DURATION_UNITS: tuple[str, ...] = ("d", "w", "mo", "y")
"""The units of a duration."""

MAX_MINOR_UNIT = 4
"""The most decimal digits a currency's minor unit has (ISO 4217 knows none with more than four)."""

_PERIODS = ("month", "quarter", "half_year", "fiscal_year")
_BASES = ("purchases", "sales", "list_sales", "quantity")

VOCABULARY: dict[tuple[type[Any], str], tuple[str | None, ...]] = {
    (ir.Contract, "kind"): ("distributor", "solution_partner", "referral"),
    (ir.Ladder, "basis"): _BASES,
    (ir.Ladder, "period"): _PERIODS,
    (ir.Ladder, "mode"): ("retroactive", "marginal"),
    (ir.Bonus, "basis"): _BASES,
    (ir.Bonus, "period"): _PERIODS,
    (ir.Bonus, "kind"): ("one_off", "cumulative"),
    (ir.Tiers, "cadence"): ("monthly", "quarterly", "half_yearly", "yearly"),
    (ir.Benefit, "kind"): ("lead_priority", "roadmap_access", "co_selling", "mdf", "training", "support", "other"),
    (ir.PassThrough, "markup"): ("allowed", "none"),
    (ir.PassThrough, "action"): ir.PRICE_ACTIONS,
    (ir.PriceRules, "ceiling"): (None, "list_price", "none"),
    (ir.PriceRules, "ceiling_action"): ir.PRICE_ACTIONS,
    (ir.PriceRules, "max_discount_action"): ir.PRICE_ACTIONS,
    (ir.PriceRules, "min_fee_action"): ir.PRICE_ACTIONS,
    (ir.Catalog, "action"): ir.PRICE_ACTIONS,
    (ir.Hierarchy, "model"): ("nested", "stacked"),
    (ir.Hierarchy, "new_resellers"): (None, "level_1", "vendor"),
    (ir.ConflictRule, "rule"): ("exclusivity", "customer_choice", "partner_over_direct", "direct_over_partner",
                                "first_registration", "tie_break"),
    (ir.ConflictRule, "by"): (None, "territory", "segment", "named_account", "higher_tier", "vendor_decides"),
    (ir.Conflicts, "otherwise"): (None, "vendor_decides"),
    (ir.RoutingKey, "by"): (None, "tier"),
    (ir.LeadRouting, "among_equals"): ("rotate", "least_loaded"),
    (ir.LeadRouting, "new_resellers"): (None, "hierarchy", "vendor"),
    (ir.Field, "scope"): SCOPES,
    (ir.InputDecl, "scope"): SCOPES,
    (ir.Arith, "op"): tuple(operators.ARITHMETIC),
    (ir.Compare, "op"): tuple(operators.COMPARISONS),
    (ir.Requirement, "op"): tuple(operators.COMPARISONS),
    (ir.Call, "function"): FUNCTIONS,
    (ir.Duration, "unit"): DURATION_UNITS,
    (ir.Rounding, "mode"): tuple(operators.ROUNDING_MODES),
    (ir.Rounding, "point"): ir.ROUNDING_POINTS,
    (ir.Rounding, "marginal"): ir.MARGINAL_ROUNDINGS,
}
"""The words a field of the IR may hold: the rest of the runtime looks them up in its tables."""

NONEMPTY: frozenset[tuple[type[Any], str]] = frozenset({
    (ir.RuleSet, "versions"), (ir.Ladder, "steps"), (ir.Bonus, "steps"),
    (ir.Tiers, "levels"), (ir.Hierarchy, "levels"), (ir.Conflicts, "precedence"), (ir.LeadRouting, "order"),
    (ir.CatalogItem, "prices"),
})
"""The lists of the IR that hold at least one item (as the program's schema requires of their sources)."""

_CONST_CLASSES: dict[str, tuple[type[Any], ...]] = {
    "money": (int, Fraction), "percent": (int, Fraction), "number": (int, Fraction), "integer": (int,),
    "boolean": (bool,), "date": (datetime.date,), "text": (str,), "enum": (str,), "duration": (ir.Duration,),
}
"""What the value of a constant of each type is in memory."""


class ShapeError(ValueError):
    """A decoded rule set holds something the IR does not allow; `path` says where."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def check_ruleset(ruleset: ir.RuleSet) -> None:
    """Hold a decoded rule set to the IR's declarations.

    Raises:
        ShapeError: a field holds a value of another type, an unknown word, or a name that resolves to nothing.
    """
    _check(ruleset, ir.RuleSet, "")
    for i, decl in enumerate(ruleset.inputs):
        if decl.type not in ir.VALUE_TYPES and decl.type not in ruleset.enums:
            raise ShapeError(f"inputs[{i}].type", f"unknown type {decl.type!r}")
    for i, version in enumerate(ruleset.versions):
        _check_references(version, f"versions[{i}]")
    if ruleset.rounding.unit <= 0:
        raise ShapeError("rounding.unit", f"{ruleset.rounding.unit} is not a positive amount")
    if not 1 <= ruleset.fiscal_year_start <= 12:
        raise ShapeError("fiscal_year_start", f"{ruleset.fiscal_year_start} is not a month")
    if not 0 <= ruleset.minor_unit <= MAX_MINOR_UNIT:
        raise ShapeError("minor_unit", f"{ruleset.minor_unit} digits is not a currency's minor unit")
    if not instants.is_time_zone(ruleset.time_zone):
        raise ShapeError("time_zone", f"{ruleset.time_zone!r} is not a time zone")


def _describe(value: Any) -> str:
    match value:
        case None:
            return "nothing (null)"
        case bool():
            return "true or false"
        case int() | Fraction():
            return "a number"
        case str():
            return "text"
        case tuple() | list():
            return "a list"
        case dict():
            return "an object"
    return f"a {type(value).__name__.lower()}"


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    """The resolved annotations of an IR record (resolved once per class)."""
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls, vars(ir))
    return found


def _fits_scalar(value: Any, hint: type[Any]) -> bool:
    if hint is bool:
        return type(value) is bool
    if hint is int:
        return type(value) is int
    if hint is datetime.date:
        return type(value) is datetime.date
    if hint is datetime.datetime:
        return type(value) is datetime.datetime and value.tzinfo is not None
    return isinstance(value, hint)


def _check(value: Any, hint: Any, path: str) -> None:
    """`value` is of the annotated type `hint` (recursively for records and containers)."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return
        kept = [o for o in options if o is not type(None)]
        if len(kept) > 1:  # `int | Fraction`: scalars, one of which must fit
            if not any(_fits_scalar(value, o) for o in kept):
                raise ShapeError(path, f"expected a number, found {_describe(value)}")
            return
        hint = kept[0]
        origin = typing.get_origin(hint)
    if origin is typing.Literal:
        if value not in typing.get_args(hint) or type(value) is not str:
            raise ShapeError(path, f"unknown word {value!r}")
        return
    if origin is tuple:
        _check_tuple(value, typing.get_args(hint), path)
        return
    if origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        if type(value) is not dict:
            raise ShapeError(path, f"expected an object, found {_describe(value)}")
        for key, item in value.items():
            _check(key, key_hint, path)
            _check(item, value_hint, f"{path}.{key}")
        return
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        _check_record(value, hint, path)
        return
    if not _fits_scalar(value, hint):
        raise ShapeError(path, f"expected {_WORDS.get(hint, hint.__name__)}, found {_describe(value)}")


_WORDS: dict[Any, str] = {int: "a whole number", str: "text", bool: "true or false", Fraction: "a number",
                          datetime.date: "a date", datetime.datetime: "an instant with its UTC offset"}


def _check_tuple(value: Any, args: tuple[Any, ...], path: str) -> None:
    if type(value) is not tuple:
        raise ShapeError(path, f"expected a list, found {_describe(value)}")
    if len(args) == 2 and args[1] is Ellipsis:
        for i, item in enumerate(value):
            _check(item, args[0], f"{path}[{i}]")
        return
    if len(value) != len(args):
        raise ShapeError(path, f"expected {len(args)} items, found {len(value)}")
    for i, (item, item_hint) in enumerate(zip(value, args, strict=True)):
        _check(item, item_hint, f"{path}[{i}]")


def _check_record(value: Any, cls: type[Any], path: str) -> None:
    if not isinstance(value, cls):
        raise ShapeError(path, f"expected {_article(cls)}, found {_describe(value)}")
    cls = type(value)  # an expression: the node's own class
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        item = getattr(value, f.name)
        where = f"{path}.{f.name}" if path else f.name
        _check(item, hints[f.name], where)
        allowed = VOCABULARY.get((cls, f.name))
        if allowed is not None and item not in allowed:
            raise ShapeError(where, f"unknown word {item!r}")
        if (cls, f.name) in NONEMPTY and not item:
            raise ShapeError(where, "expected at least one item, found none")
    if isinstance(value, ir.Const):
        _check_const(value, path)
    elif isinstance(value, ir.Call):
        _check_arity(value, path)


def _article(cls: type[Any]) -> str:
    name = "expression" if issubclass(cls, ir.Expr) else cls.__name__.lower()
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def _check_const(node: ir.Const, path: str) -> None:
    classes = _CONST_CLASSES[node.type]
    if type(node.value) not in classes:
        raise ShapeError(f"{path}.value", f"a {node.type} constant cannot be {_describe(node.value)}")
    if isinstance(node.value, ir.Duration):
        _check(node.value, ir.Duration, f"{path}.value")
        if node.value.unit not in DURATION_UNITS:
            raise ShapeError(f"{path}.value", f"unknown duration unit {node.value.unit!r}")


def _check_arity(node: ir.Call, path: str) -> None:
    lo, hi = operators.FUNCTION_ARITY[node.function]
    n = len(node.args)
    if n < lo or (hi is not None and n > hi):
        raise ShapeError(f"{path}.args", f"`{node.function}` cannot take {n} arguments")


def _names(items: Iterator[str]) -> frozenset[str]:
    return frozenset(items)


def _check_references(version: ir.Version, path: str) -> None:
    """Every ladder, bonus and benefit a contract or tier names is one of the version's."""
    ladders = _names(lad.id for lad in version.ladders)
    bonuses = _names(b.id for b in version.bonuses)
    benefits = _names(b.id for b in version.benefits)
    for i, c in enumerate(version.contracts):
        if c.ladder is not None and c.ladder not in ladders:
            raise ShapeError(f"{path}.contracts[{i}].ladder", f"no ladder `{c.ladder}` in this version")
        for j, name in enumerate(c.bonuses):
            if name not in bonuses:
                raise ShapeError(f"{path}.contracts[{i}].bonuses[{j}]", f"no bonus `{name}` in this version")
    for i, t in enumerate(version.tiers.levels if version.tiers is not None else ()):
        for j, name in enumerate(t.benefits):
            if name not in benefits:
                raise ShapeError(f"{path}.tiers.levels[{i}].benefits[{j}]", f"no benefit `{name}` in this version")
