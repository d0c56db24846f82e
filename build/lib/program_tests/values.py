"""Values of a test file as the language writes them, read from located YAML with diagnostics.

Amounts, rates and numbers are read with the expression parser (`¥1,200,000`, `3億`, `-¥30,000`,
`15%`), so they mean exactly what they mean in programs; declared inputs are read by their type.
Every mistake becomes a diagnostic at the value's place in the test file.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.expr_parser import parse_expression
from policy_lang.source import Locator, Span
from policy_lang.suggest import closest
from policy_lang.yaml_loader import YamlDate, YMap, YNode, YScalar, YSeq
from runtime import instants, ir
from runtime.io import facts
from runtime.io.values import ValueProblem, parse_value
from runtime.model import Partner

CUT_AMOUNT = re.compile(r",\d{3}")
# A YAML timestamp (https://yaml.org/type/timestamp.html), which is also what ISO 8601 writes:
# `2026-06-10T10:00:00+09:00`, `2026-06-10 01:00:00Z`, `2026-06-10 10:00:00 +9`.
TIMESTAMP = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d*))?"
                       r"(?:[ \t]*(Z|[-+]\d{1,2}(?::?\d{2})?))?")
TIMESTAMP_EXAMPLE = "2026-06-10T10:00:00+09:00"
FLOW_HINT = ("inside `{…}` or `[…]` a comma ends a value: quote the amount (`\"¥1,200,000\"`), write it without "
             "commas (`¥120万`), or put the key on its own line")


@dataclass(frozen=True, slots=True)
class Check:
    """One expected figure: where it is in the result, its value, how to show it, and where it is written."""

    path: tuple[str, ...]  # ("margin",), ("lines", "fee"), ("statements", "gold", "totals", "ladder") …
    expected: Any
    kind: str  # money | rate | figure | count | text | ids | list | instant | contains | code | flag | order | one_of
    # | same_order
    span: Span


def cut_amounts(found: Iterable[dg.Diagnostic]) -> list[dg.Diagnostic]:
    """Say what `{list_price: ¥1,200,000}` means to YAML (`¥1` and the keys `200`, `000`): once a line."""
    out: list[dg.Diagnostic] = []
    lines: set[tuple[str, int]] = set()
    for d in found:
        if d.code == "E103" and d.span is not None and re.fullmatch(r"key `\d{3}` .*", d.message):
            if (d.span.file, d.span.line) not in lines:
                lines.add((d.span.file, d.span.line))
                out.append(dg.error("E103", "an amount is cut at a `,`: YAML reads the digits after it as a key",
                                    d.span, FLOW_HINT))
            continue
        out.append(d)
    return out


def number(expr: ast.Expr) -> tuple[str, Decimal] | None:
    """A literal amount, number or percentage (with an optional minus): its kind and value."""
    match expr:
        case ast.Unary(op="-", operand=inner):
            found = number(inner)
            return (found[0], -found[1]) if found else None
        case ast.MoneyLit(amount=amount, currency=currency):
            return f"money:{currency}", amount
        case ast.NumberLit(value=value):
            return "number", value
        case ast.PercentLit(value=value):
            return "percent", value
    return None


class ValueReader:
    """Reads located YAML values of one test file, collecting diagnostics (never raising)."""

    def __init__(self, ruleset: ir.RuleSet) -> None:
        self.ruleset = ruleset
        self.diagnostics: list[dg.Diagnostic] = []
        self.partners: dict[str, Partner] = {}
        self.inputs = {(i.scope, i.name): i.type for i in ruleset.inputs}
        versions = ruleset.versions
        self.contracts = {c.id for v in versions for c in v.contracts}
        self.tiers = {t.id for v in versions if v.tiers for t in v.tiers.levels}
        self.benefits = {b.id for v in versions for b in v.benefits}

    def error(self, code: str, message: str, where: YNode | Span, hint: str | None = None) -> None:
        self.diagnostics.append(dg.error(code, message, where if isinstance(where, Span) else where.span, hint))

    # --- shapes ----------------------------------------------------------------------------------

    def mapping(self, node: YNode, what: str, allowed: Sequence[str], required: Sequence[str] = ()) \
            -> dict[str, YNode] | None:
        if not isinstance(node, YMap):
            self.error("E201", f"{what} must be a mapping", node)
            return None
        found: dict[str, YNode] = {}
        for key, value in node.items:
            if key.value not in allowed:
                near = closest(str(key.value), allowed)
                self.error("E203", f"unknown key `{key.value}` in {what}", key,
                           f"did you mean `{near}`?" if near else f"the keys here are {', '.join(allowed)}")
                continue
            found[str(key.value)] = value
        for name in required:
            if name not in found:
                self.error("E202", f"{what} has no `{name}`", node)
        return found if all(k in found for k in required) else None

    def items(self, node: YNode, what: str) -> list[YNode]:
        if not isinstance(node, YSeq):
            self.error("E201", f"{what} must be a list", node)
            return []
        return node.items

    def entries(self, node: YNode, what: str) -> list[tuple[YScalar, YNode]]:
        if not isinstance(node, YMap):
            self.error("E201", f"{what} must be a mapping", node)
            return []
        return node.items

    # --- scalars ---------------------------------------------------------------------------------

    def text(self, node: YNode, what: str) -> str | None:
        if not isinstance(node, YScalar) or not isinstance(node.value, str | int) or isinstance(node.value, bool):
            self.error("E201", f"{what} must be text", node)
            return None
        return str(node.value)

    def literal(self, node: YNode, what: str, example: str) -> tuple[str, Decimal] | None:
        """A literal as the language writes it: `¥1,200,000`, `3億`, `-¥30,000`, `15%`, `2`."""
        if not isinstance(node, YScalar) or isinstance(node.value, bool) or node.value is None \
                or isinstance(node.value, YamlDate):
            self.error("E201", f"{what} must be {example}", node)
            return None
        if node.plain and CUT_AMOUNT.match(node.source.text, node.end):
            self.error("E122", f"{what}: the amount is cut at a `,`", node, FLOW_HINT)
            return None
        if isinstance(node.value, str):
            text, locate = node.value, node.locator()
        else:
            text = str(node.value)

            def at_scalar(start: int, end: int) -> Span:
                return node.span

            locate = at_scalar
        return self._parse_literal(text, locate, node, what, example)

    def _parse_literal(self, text: str, locate: Locator, node: YNode, what: str, example: str) \
            -> tuple[str, Decimal] | None:
        try:
            expr = parse_expression(text, locate)
        except dg.CompileError as exc:
            self.diagnostics.extend(exc.diagnostics)
            return None
        found = number(expr)
        if found is None:
            self.error("E201", f"{what} must be {example}, not `{text}`", node)
        return found

    def money(self, node: YNode, what: str) -> int | None:
        found = self.literal(node, what, "an amount such as ¥1,200,000 or 3億")
        if found is None:
            return None
        kind, value = found
        currency = self.ruleset.currency
        if kind == "percent":
            self.error("E201", f"{what} must be an amount such as ¥1,200,000, not a percentage", node)
            return None
        if kind.startswith("money:") and kind != f"money:{currency}":
            self.error("E305", f"{what} is in {kind[6:]}; the program's currency is {currency}", node)
            return None
        minor = Fraction(value) * 10**self.ruleset.minor_unit
        if minor.denominator != 1:
            self.error("E309", f"{what} is finer than the smallest unit of {currency}", node)
            return None
        return int(minor)

    def rate(self, node: YNode, what: str) -> Fraction | None:
        found = self.literal(node, what, "a percentage such as 15%")
        if found is None:
            return None
        if found[0] != "percent":
            self.error("E201", f"{what} must be a percentage such as 15%", node)
            return None
        return Fraction(found[1]) / 100

    def figure(self, node: YNode, what: str) -> int | Fraction | None:
        """A rate (`15%`) or an amount (`¥5,000,000`): what a quote's rate figures hold."""
        found = self.literal(node, what, "a percentage such as 15% or an amount such as ¥5,000,000")
        if found is None:
            return None
        return Fraction(found[1]) / 100 if found[0] == "percent" else self.money(node, what)

    def integer(self, node: YNode, what: str) -> int | None:
        found = self.literal(node, what, "a whole number")
        if found is None:
            return None
        if found[0] != "number" or found[1] != found[1].to_integral_value():
            self.error("E201", f"{what} must be a whole number", node)
            return None
        return int(found[1])

    def date(self, node: YNode, what: str) -> datetime.date | None:
        try:
            if isinstance(node, YScalar) and isinstance(node.value, str):
                return datetime.date.fromisoformat(node.value.strip())
        except ValueError:
            pass
        self.error("E400", f"{what} must be a date (YYYY-MM-DD)", node)
        return None

    def day(self, node: YNode, what: str) -> tuple[datetime.date | None, datetime.datetime | None]:
        """A transaction's date: a date, or a timestamp with its offset and its calendar date in the program's
        time zone (a timestamp without an offset is E530)."""
        if isinstance(node, YScalar) and isinstance(node.value, str) and len(node.value.strip()) > 10:
            moment = self.timestamp(node, what)
            if moment is None:
                return None, None
            if moment.utcoffset() is None:
                self.error("E530", f"{what} `{node.value.strip()}` has no UTC offset", node,
                           f"write it with its offset, such as {TIMESTAMP_EXAMPLE}, or write the date alone")
                return None, None
            return instants.local_date(moment, self.ruleset.time_zone), instants.as_utc(moment)
        return self.date(node, what), None

    def timestamp(self, node: YNode, what: str) -> datetime.datetime | None:
        """A moment, quoted or not (YAML reads an unquoted one as a timestamp); naive when written without offset."""
        found = TIMESTAMP.fullmatch(node.value.strip()) if isinstance(node, YScalar) and isinstance(node.value, str) \
            else None
        if found is not None:
            year, month, day, hour, minute, second, fraction, offset = found.groups()
            try:
                zone = None if offset is None else _zone(offset)
                return datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                                         int((fraction or "").ljust(6, "0")[:6]), zone)
            except ValueError:
                pass
        self.error("E400", f"{what} must be a date and time with its offset, such as {TIMESTAMP_EXAMPLE}", node)
        return None

    def flag(self, node: YNode, what: str) -> bool | None:
        if isinstance(node, YScalar) and isinstance(node.value, bool):
            return node.value
        self.error("E201", f"{what} must be `true` or `false`", node)
        return None

    def value(self, node: YNode, type_name: str, what: str) -> Any:
        """A declared input's value, by its type."""
        if type_name == "money":
            return self.money(node, what)
        if type_name in ("percent", "number"):
            found = self.literal(node, what, "a number or a percentage")
            return None if found is None else Fraction(found[1]) / (100 if found[0] == "percent" else 1)
        if type_name == "integer":
            return self.integer(node, what)
        if type_name in ("dated", "list"):
            return self.fact(node, type_name, what)
        raw = node.value if isinstance(node, YScalar) else None
        try:
            return parse_value(raw, type_name, self.ruleset)
        except ValueProblem as exc:
            self.error(exc.code, f"{what}: {exc.reason}", node)
            return None

    def fact(self, node: YNode, type_name: str, what: str) -> Any:
        """A dated record (`{from: …, until: …, name: …}`) or a list, as the partners file would give it."""
        decl = next(i for i in self.ruleset.inputs if f"`{i.scope}.{i.name}`" == what)
        raw = _plain(node)
        if type_name == "dated":
            values = [raw]
        elif isinstance(raw, list):
            values = raw
        else:
            self.error("E201", f"{what} must be a list", node)
            return None
        try:
            found = tuple(dict.fromkeys(facts.parse_record(v, decl, self.ruleset) for v in values))
        except ValueProblem as exc:
            self.error(exc.code, f"{what}: {exc.reason}", node)
            return None
        return found[0] if type_name == "dated" else found

    def fields(self, node: YNode, scope: str, owner: str) -> dict[str, Any]:
        declared = {name: t for (s, name), t in self.inputs.items() if s == scope}
        found: dict[str, Any] = {}
        for key, value in self.entries(node, f"the fields of {owner}"):
            name = str(key.value)
            if name not in declared:
                near = closest(name, declared)
                self.error("E302", f"unknown field `{scope}.{name}` in {owner}", key,
                           f"did you mean `{near}`?" if near else f"the program declares no `{scope}` input "
                           f"`{name}`")
                continue
            parsed = self.value(value, declared[name], f"`{scope}.{name}`")
            if parsed is not None:
                found[name] = parsed
        return {**self.no_facts(), **found} if scope == "partner" else found

    def no_facts(self) -> dict[str, Any]:
        """A partner's dated facts and lists when it states none: no record, empty lists (as in a partners file)."""
        return {d.name: facts.empty_value(d) for d in facts.fact_inputs(self.ruleset).values()}

    def known(self, node: YNode, value: str, pool: Iterable[str], what: str) -> bool:
        names = set(pool)
        if value in names:
            return True
        near = closest(value, names)
        self.error("E301", f"unknown {what} `{value}`", node,
                   f"did you mean `{near}`?" if near else f"known: {', '.join(sorted(names)) or 'none'}")
        return False


def _plain(node: YNode) -> Any:
    """A YAML node as plain data: mappings, lists and scalars (dates as their text)."""
    if isinstance(node, YMap):
        return {str(k.value): _plain(v) for k, v in node.items}
    if isinstance(node, YSeq):
        return [_plain(v) for v in node.items]
    return node.value if isinstance(node, YScalar) else None


def _zone(offset: str) -> datetime.timezone:
    """`Z`, `+9`, `+09`, `+0900` or `+09:00` as a fixed offset (ValueError beyond a day)."""
    if offset == "Z":
        return datetime.UTC
    sign = -1 if offset[0] == "-" else 1
    hours, _, minutes = offset[1:].partition(":")
    if not minutes and len(hours) > 2:
        hours, minutes = hours[:-2], hours[-2:]
    return datetime.timezone(sign * datetime.timedelta(hours=int(hours), minutes=int(minutes or 0)))
