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
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

from runtime import instants, ir
from runtime.engine import operators
from runtime.money import MAX_AMOUNT_DIGITS

SCOPES: tuple[str, ...] = ("partner", "transaction", "deal", "lead", "applicant", "period")
"""Where a field an expression reads lives."""

FUNCTIONS: tuple[str, ...] = tuple(operators.FUNCTION_ARITY)
"""The functions an expression may call."""

DURATION_UNITS: tuple[str, ...] = ("d", "w", "mo", "y")
"""The units of a duration."""

MAX_MINOR_UNIT = 4
MAX_MAGNITUDE = 10 ** (MAX_AMOUNT_DIGITS + MAX_MINOR_UNIT)
"""No number in a rule set reaches this: the magnitude ceiling (`runtime.money.MAX_AMOUNT`) in the finest minor
unit. The compiler refuses constants at the ceiling (E313); a hand-made artifact is held to it here, so that
every engine still holds every figure exactly."""
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
    (ir.Review, "window"): ir.REVIEW_WINDOWS,
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
    (ir.ResellerRouting, "among_equals"): ("rotate",),
    (ir.ConflictRule, "rule"): ("exclusivity", "customer_choice", "partner_over_direct", "direct_over_partner",
                                "first_registration", "tie_break"),
    (ir.ConflictRule, "by"): (None, "territory", "segment", "named_account", "higher_tier", "order", "partner_id",
                              "vendor_decides"),
    (ir.ConflictRule, "applies"): ("at_close", "when_documented"),
    (ir.Conflicts, "otherwise"): (None, "vendor_decides"),
    (ir.RoutingKey, "by"): (None, "tier"),
    (ir.LeadRouting, "among_equals"): ("rotate", "least_loaded"),
    (ir.LeadRouting, "new_resellers"): (None, "hierarchy", "vendor"),
    (ir.Field, "scope"): (*SCOPES, ir.AS_OF_SCOPE),  # `as_of` is the field `eval.as_of`
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
    "list": (), "dated": (),  # read from partners, never written as a constant
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
    try:
        _checker(ir.RuleSet)(ruleset)
    except _Wrong as wrong:
        raise ShapeError(wrong.path(), wrong.message) from None
    for i, decl in enumerate(ruleset.inputs):
        if decl.type not in ir.VALUE_TYPES and decl.type not in ruleset.enums:
            raise ShapeError(f"inputs[{i}].type", f"unknown type {decl.type!r}")
    counts = {"children", *(d.name for d in ruleset.inputs if d.scope == "partner" and d.type == "integer")}
    for i, version in enumerate(ruleset.versions):
        _check_references(version, f"versions[{i}]")
        routing = version.hierarchy.routing if version.hierarchy is not None else None
        for j, key in enumerate(routing.order if routing is not None else ()):
            if (key.prefer is None) == (key.fewest is None) or (key.fewest is not None and key.fewest not in counts):
                raise ShapeError(f"versions[{i}].hierarchy.routing.order[{j}]",
                                 "a key prefers a condition or counts `children` or an integer partner input")
    if ruleset.rounding.unit <= 0:
        raise ShapeError("rounding.unit", f"{ruleset.rounding.unit} is not a positive amount")
    if not 1 <= ruleset.fiscal_year_start <= 12:
        raise ShapeError("fiscal_year_start", f"{ruleset.fiscal_year_start} is not a month")
    if not 0 <= ruleset.minor_unit <= MAX_MINOR_UNIT:
        raise ShapeError("minor_unit", f"{ruleset.minor_unit} digits is not a currency's minor unit")
    if not instants.is_time_zone(ruleset.time_zone):
        raise ShapeError("time_zone", f"{ruleset.time_zone!r} is not a time zone")
    pilot = ruleset.pilot
    if pilot is not None and (any(b is not None and b < 0 for b in (pilot.min, pilot.max)) or (
            pilot.min is not None and pilot.max is not None and pilot.min > pilot.max)):
        raise ShapeError("pilot", f"{pilot.min} to {pilot.max} is not a pilot size")


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

Check = Callable[[Any], None]
"""A check of one value against one annotation; raises `_Wrong`."""


class _Wrong(Exception):
    """A value that does not fit; `parts` collects the path from the inside out as it propagates."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.parts: list[str] = []

    def path(self) -> str:
        return "".join(reversed(self.parts)).lstrip(".")


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


_WORDS: dict[Any, str] = {int: "a whole number", str: "text", bool: "true or false", Fraction: "a number",
                          datetime.date: "a date", datetime.datetime: "an instant with its UTC offset"}
_CHECKERS: dict[Any, Check] = {}


def _checker(hint: Any) -> Check:
    """The check of an annotation, built once per annotation (the walk then does no typing introspection)."""
    found = _CHECKERS.get(hint)
    if found is None:
        found = _CHECKERS[hint] = _build(hint)
    return found


def _ok(value: Any) -> None:
    return None


def _build(hint: Any) -> Check:
    origin = typing.get_origin(hint)
    if hint is Any:
        return _ok
    if origin in (typing.Union, types.UnionType):
        return _optional([o for o in typing.get_args(hint) if o is not type(None)])
    if origin is typing.Literal:
        return _words(frozenset(typing.get_args(hint)))
    if origin is tuple:
        args = typing.get_args(hint)
        return _items(args[0]) if len(args) == 2 and args[1] is Ellipsis else _fixed(args)
    if origin is dict:
        return _mapping(*typing.get_args(hint))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _record(hint)
    return _scalar(hint)


def _scalar(hint: type[Any]) -> Check:
    words = _WORDS.get(hint, hint.__name__)

    def check(value: Any) -> None:
        if not _fits_scalar(value, hint):
            raise _Wrong(f"expected {words}, found {_describe(value)}")
        _within_ceiling(value)
    return check


def _within_ceiling(value: Any) -> None:
    if type(value) in (int, Fraction) and not -MAX_MAGNITUDE < value < MAX_MAGNITUDE:
        raise _Wrong(f"the number {_shown_number(value)} is beyond the magnitude ceiling (10^{MAX_AMOUNT_DIGITS} "
                     "in whole currency units)")


def _shown_number(value: int | Fraction) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:27] + "…"


def _optional(kept: list[Any]) -> Check:
    if len(kept) > 1:  # `int | Fraction`: scalars, one of which must fit
        def check_any(value: Any) -> None:
            if value is not None and not any(_fits_scalar(value, o) for o in kept):
                raise _Wrong(f"expected a number, found {_describe(value)}")
            _within_ceiling(value)
        return check_any
    inner = _checker(kept[0])

    def check(value: Any) -> None:
        if value is not None:
            inner(value)
    return check


def _words(allowed: frozenset[str]) -> Check:
    def check(value: Any) -> None:
        if type(value) is not str or value not in allowed:
            raise _Wrong(f"unknown word {value!r}")
    return check


def _items(item_hint: Any) -> Check:
    def check(value: Any) -> None:
        if type(value) is not tuple:
            raise _Wrong(f"expected a list, found {_describe(value)}")
        item = _checker(item_hint)
        for i, x in enumerate(value):
            try:
                item(x)
            except _Wrong as wrong:
                wrong.parts.append(f"[{i}]")
                raise
    return check


def _fixed(args: tuple[Any, ...]) -> Check:
    def check(value: Any) -> None:
        if type(value) is not tuple:
            raise _Wrong(f"expected a list, found {_describe(value)}")
        if len(value) != len(args):
            raise _Wrong(f"expected {len(args)} items, found {len(value)}")
        for i, (x, item_hint) in enumerate(zip(value, args, strict=True)):
            try:
                _checker(item_hint)(x)
            except _Wrong as wrong:
                wrong.parts.append(f"[{i}]")
                raise
    return check


def _mapping(key_hint: Any, value_hint: Any) -> Check:
    def check(value: Any) -> None:
        if type(value) is not dict:
            raise _Wrong(f"expected an object, found {_describe(value)}")
        keys, items = _checker(key_hint), _checker(value_hint)
        for key, item in value.items():
            keys(key)
            try:
                items(item)
            except _Wrong as wrong:
                wrong.parts.append(f".{key}")
                raise
    return check


_PLANS: dict[type[Any], list[tuple[str, Check, tuple[str | None, ...] | None, bool]]] = {}


def _plan(cls: type[Any]) -> list[tuple[str, Check, tuple[str | None, ...] | None, bool]]:
    """Each field of a record class: its name, its check, the words it may hold, whether it must be non-empty."""
    found = _PLANS.get(cls)
    if found is None:
        hints = _hints(cls)
        found = _PLANS[cls] = [(f.name, _checker(hints[f.name]), VOCABULARY.get((cls, f.name)),
                                (cls, f.name) in NONEMPTY) for f in dataclasses.fields(cls)]
    return found


def _record(cls: type[Any]) -> Check:
    def check(value: Any) -> None:
        if not isinstance(value, cls):
            raise _Wrong(f"expected {_article(cls)}, found {_describe(value)}")
        for name, field_check, allowed, nonempty in _plan(type(value)):  # an expression: its node's own class
            item = getattr(value, name)
            try:
                field_check(item)
                if allowed is not None and item not in allowed:
                    raise _Wrong(f"unknown word {item!r}")
                if nonempty and not item:
                    raise _Wrong("expected at least one item, found none")
            except _Wrong as wrong:
                wrong.parts.append(f".{name}")
                raise
        if type(value) is ir.Const:
            _check_const(value)
        elif type(value) is ir.Call:
            _check_arity(value)
    return check


def _article(cls: type[Any]) -> str:
    name = "expression" if issubclass(cls, ir.Expr) else cls.__name__.lower()
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def _check_const(node: ir.Const) -> None:
    classes = _CONST_CLASSES[node.type]
    try:
        if type(node.value) not in classes:
            raise _Wrong(f"a {node.type} constant cannot be {_describe(node.value)}")
        if isinstance(node.value, ir.Duration):
            _checker(ir.Duration)(node.value)
        _within_ceiling(node.value)
    except _Wrong as wrong:
        wrong.parts.append(".value")
        raise


def _check_arity(node: ir.Call) -> None:
    lo, hi = operators.FUNCTION_ARITY[node.function]
    n = len(node.args)
    if n < lo or (hi is not None and n > hi):
        wrong = _Wrong(f"`{node.function}` cannot take {n} arguments")
        wrong.parts.append(".args")
        raise wrong


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
    review = version.tiers.review if version.tiers is not None else None
    if review is not None:
        _check_review(review, f"{path}.tiers.review")
    for i, t in enumerate(version.tiers.levels if version.tiers is not None else ()):
        if t.assigned and (t.qualify != ir.Const("boolean", False) or t.requirements is not None):
            raise ShapeError(f"{path}.tiers.levels[{i}].qualify", "an assigned tier qualifies by no rule")
        for j, name in enumerate(t.benefits):
            if name not in benefits:
                raise ShapeError(f"{path}.tiers.levels[{i}].benefits[{j}]", f"no benefit `{name}` in this version")


def _check_review(review: ir.Review, path: str) -> None:
    """A review's window length, `keep` and `grace` in the ranges the compiler holds them to (E364)."""
    if (review.window == "months") != (review.months is not None):
        raise ShapeError(f"{path}.months", "a `months` window states its months, and only it does")
    if review.months is not None and not 1 <= review.months <= 36:
        raise ShapeError(f"{path}.months", "a window is 1 to 36 months")
    if review.keep < 1:
        raise ShapeError(f"{path}.keep", "`keep` is at least 1")
    if review.grace < 0:
        raise ShapeError(f"{path}.grace", "`grace` is at least 0")
