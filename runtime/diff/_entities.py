"""A rule set as the constructs a diff compares: each with its kind, id, place, attributes and parts.

An attribute holds the value compared (IR data, whose equality leaves positions out) and its text as the
program writes it (`runtime.canon`, `runtime.money`), so `¥1000000` and `¥1,000,000`, or `1億` and
`¥100,000,000`, are the same value and show the same way.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from runtime import ir
from runtime.canon import format_expr
from runtime.diff.changes import ConstructKind
from runtime.money import format_amount, format_rate


@dataclass(frozen=True, slots=True)
class Attr:
    """One attribute of a construct: its name, the value compared, its text (None: not stated), its place."""

    name: str
    value: object
    text: str | None
    at: ir.Loc | None


@dataclass(frozen=True, slots=True)
class Entity:
    """A construct: matched with the other side's by (kind, id, step), then compared attribute by attribute."""

    kind: ConstructKind
    id: str
    step: int | None
    at: ir.Loc | None
    attrs: tuple[Attr, ...]
    parts: tuple[Entity, ...] = ()

    @property
    def key(self) -> tuple[str, str, int | None]:
        """What names the construct on both sides."""
        return self.kind, self.id, self.step


class Texts:
    """Values written the way a program writes them, in a rule set's currency."""

    def __init__(self, ruleset: ir.RuleSet) -> None:
        self.currency = ruleset.currency
        self.minor_unit = ruleset.minor_unit

    def money(self, minor: int | None) -> str | None:
        """An amount in minor units: `¥1,000,000`."""
        return None if minor is None else format_amount(minor, self.currency, self.minor_unit)

    def volume(self, amount: int | None, basis: str) -> str | None:
        """A ladder or bonus volume: an amount, or a count for a `quantity` basis."""
        if amount is None:
            return None
        return f"{amount:,}" if basis == "quantity" else self.money(amount)

    def expr(self, expr: ir.Expr | None) -> str | None:
        """An expression in canonical form."""
        return None if expr is None else format_expr(expr, self.currency, self.minor_unit)

    def value(self, value: object, type_name: str) -> str | None:
        """A runtime value of a declared type (an input's bound)."""
        if value is None:
            return None
        kind = type_name if type_name in ir.VALUE_TYPES else "enum"
        return format_expr(ir.Const(ir.value_type(kind), value), self.currency, self.minor_unit)


def rate(value: Fraction | None) -> str | None:
    """A rate as a percentage: `12%`, `12.5%`."""
    return None if value is None else format_rate(value)


def text(value: ir.Text) -> str | None:
    """A text by language, as a YAML flow mapping (`{en: Tier 1, ja: Tier1}`), or the one text for any language."""
    if not value:
        return None
    if set(value) == {""}:
        return value[""]
    return "{" + ", ".join(f"{lang}: {value[lang]}" for lang in sorted(value)) + "}"


def words(items: Iterable[object]) -> str:
    """A list as YAML flow: `[growth, loyalty]`."""
    return "[" + ", ".join(str(i) for i in items) + "]"


def word(value: object) -> str | None:
    """A scalar as written; booleans as `true`/`false`."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, ir.Duration):
        return f"{value.amount}{value.unit}"
    if isinstance(value, datetime.date):  # a date, or an instant (a datetime)
        return value.isoformat()
    return str(value)


def plain(name: str, value: object, at: ir.Loc | None, shown: str | None = None) -> Attr:
    """An attribute whose text is the value as written (or `shown`)."""
    return Attr(name, value, shown if shown is not None or value is None else word(value), at)


def expr_attr(name: str, expr: ir.Expr | None, t: Texts, at: ir.Loc | None) -> Attr:
    """An expression attribute, placed where the expression is written when it is known."""
    return Attr(name, expr, t.expr(expr), expr.at if expr is not None and expr.at is not None else at)


def title(value: ir.Text, at: ir.Loc | None, name: str = "title") -> Attr:
    """A title or note (by language)."""
    return Attr(name, value, text(value), at)


def by_occurrence(names: Sequence[str]) -> Iterator[str]:
    """Ids for items that may repeat a name: the name, then `name#2`, `name#3` for later ones."""
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        yield name if seen[name] == 1 else f"{name}#{seen[name]}"
