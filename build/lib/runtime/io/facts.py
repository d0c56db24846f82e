"""Dated facts of partners: the JSON cells of the partners file and the rows of a `--partner-facts` file.

A partner input of type `dated` holds one record (`{"from": …, "until": … or null, "name": …}`), one of type
`{list: dated}` a list of them, and one of type `{list: region}` (or `{list: text}`) a list of values. The
partners file carries them in a column of the input's name: a CSV cell holding JSON, or a JSON Lines field
holding the value itself. A second file (`--partner-facts`, CSV or JSON Lines) adds records keyed by partner
id: `partner`, `fact` (the input's name), `from`, `until`, `name`, or `value` for a list of values.

A record that cannot be used is rejected (E529) with its file, row and reason, and the partner's other facts
still count; `FactReport` counts the records read, accepted and rejected, which reconcile.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from runtime import ids, ir, strict_json
from runtime.io.records import RecordFile
from runtime.io.values import ValueProblem, is_empty, parse_date, parse_member, parse_text
from runtime.model import Partner

CODE: Final = "E529"
"""The code of a rejected fact record."""

MAX_NESTING: Final = 2
"""The deepest JSON a fact cell holds: a list of records. Anything deeper is refused before it is parsed."""

FACTS_COLUMNS: Final = ("partner", "fact", "from", "until", "name", "value")
"""The columns of a `--partner-facts` file."""

_RECORD_KEYS: Final = ("from", "until", "name")


@dataclass(frozen=True, slots=True)
class FactRejected:
    """A fact record that was not used, and why."""

    file: str
    row: int
    reason: str
    partner: str = ""
    fact: str = ""

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}: {self.reason} [{CODE}]"


@dataclass(slots=True)
class FactReport:
    """The fact records read from the partners file and `--partner-facts`: read = accepted + rejected."""

    read: int = 0
    accepted: int = 0
    rejected: list[FactRejected] = field(default_factory=list)

    def reject(self, problem: FactRejected) -> None:
        """Count one record read and rejected."""
        self.read += 1
        self.rejected.append(problem)

    def accept(self, records: int = 1) -> None:
        """Count records read and accepted."""
        self.read += records
        self.accepted += records

    def summary(self) -> dict[str, int]:
        """`{"read", "accepted", "rejected"}` for summaries."""
        return {"read": self.read, "accepted": self.accepted, "rejected": len(self.rejected)}


@dataclass(frozen=True, slots=True)
class _Where:
    file: str
    row: int
    partner: str
    fact: str

    def problem(self, reason: str) -> FactRejected:
        return FactRejected(self.file, self.row, f"partner `{self.partner}`: `{self.fact}`: {reason}", self.partner,
                            self.fact)


def fact_inputs(ruleset: ir.RuleSet) -> dict[str, ir.InputDecl]:
    """The partner inputs that hold dated facts or lists, by name."""
    return {d.name: d for d in ruleset.inputs if d.scope == "partner" and d.type in ("dated", "list")}


def empty_value(decl: ir.InputDecl) -> Any:
    """The value of a fact input a partner has no record of: None for one record, an empty list otherwise."""
    return None if decl.type == "dated" else ()


def parse_fact_cell(raw: object, decl: ir.InputDecl, ruleset: ir.RuleSet, where: tuple[str, int, str],
                    report: FactReport) -> Any:
    """The value of a fact input from a partners file cell: JSON text (CSV) or the value itself (JSON Lines).

    Every record of the cell is counted in `report`; a bad one is rejected there, and the others are kept.
    """
    at = _Where(*where, decl.name)
    if is_empty(raw):
        return empty_value(decl)
    value = raw
    if isinstance(raw, str):
        try:
            value = _json(raw.strip())
        except ValueError as exc:
            report.reject(at.problem(str(exc)))
            return empty_value(decl)
    if decl.type == "dated":
        if isinstance(value, list):
            report.reject(at.problem("holds a list; a `dated` input holds one record `{\"from\": …, \"until\": …}`"))
            return None
        found = _records([value], decl, ruleset, at, report)
        return found[0] if found else None
    if not isinstance(value, list):
        report.reject(at.problem(f"is not a list; write `[…]` (found {_shape(value)})"))
        return ()
    return _records(value, decl, ruleset, at, report)


def _json(text: str) -> Any:
    """A cell's JSON, strictly (no repeated key) and no deeper than a list of records."""
    if strict_json.nesting_over(text, MAX_NESTING) is not None:
        raise ValueError(f"the JSON is nested deeper than {MAX_NESTING} levels (a list of records)")
    try:
        return strict_json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except strict_json.DuplicateKey as exc:
        raise ValueError(f"the JSON names `{exc.key}` twice in one record; which value is meant cannot be told") \
            from None
    except ValueError as exc:
        reason = getattr(exc, "msg", None) or str(exc)
        raise ValueError(f"the cell is not valid JSON: {reason}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"`{name}` is not a JSON value")


def _records(values: Iterable[Any], decl: ir.InputDecl, ruleset: ir.RuleSet, at: _Where,
             report: FactReport) -> tuple[Any, ...]:
    """Each member parsed, the bad ones rejected; the good ones in order, without repeats."""
    found: dict[Any, None] = {}  # in order, without repeats
    for value in values:
        try:
            member = parse_record(value, decl, ruleset)
        except ValueProblem as exc:
            report.reject(at.problem(exc.reason))
            continue
        report.accept()
        found[member] = None
    return tuple(found)


def parse_record(value: Any, decl: ir.InputDecl, ruleset: ir.RuleSet) -> Any:
    """One member of a fact input: an `ir.Dated` for a dated record, else a member of the list's type.

    Raises:
        ValueProblem: the value is not of that shape.
    """
    if decl.type == "dated" or decl.item == "dated":
        if not isinstance(value, dict):
            raise ValueProblem(CODE, f"a dated record is an object with `from`, `until` and `name`, "
                                     f"not {_shape(value)}")
        unknown = sorted(k for k in value if k not in _RECORD_KEYS)
        if unknown:
            raise ValueProblem(CODE, f"unknown key `{ids.shown_id(str(unknown[0]))}`; a dated record has "
                                     f"`from`, `until` and `name`")
        return dated(value.get("from"), value.get("until"), value.get("name"))
    return _member(value, decl, ruleset)


def dated(start: object, until: object, name: object) -> ir.Dated:
    """A dated record from its parts as read.

    Raises:
        ValueProblem: no `from`, a date that is not YYYY-MM-DD, `until` before `from`, or a refused name.
    """
    if is_empty(start):
        raise ValueProblem(CODE, "the record has no `from` date")
    first = _day(start, "from")
    last = None if is_empty(until) else _day(until, "until")
    if last is not None and last < first:
        raise ValueProblem(CODE, f"`until` {last} is before `from` {first}")
    title = ""
    if not is_empty(name):
        try:
            title = ids.check_name(parse_text(name), "the record's name")
        except ids.IdProblem as exc:
            raise ValueProblem(CODE, exc.reason) from None
    return ir.Dated(first, last, title)


def _day(raw: object, key: str) -> datetime.date:
    try:
        return parse_date(raw)
    except ValueProblem as exc:
        raise ValueProblem(CODE, f"`{key}`: {exc.reason}") from None


def _member(value: Any, decl: ir.InputDecl, ruleset: ir.RuleSet) -> str:
    try:
        text = ids.canonical_id(parse_text(value), "the value")
    except ids.IdProblem as exc:
        raise ValueProblem(CODE, exc.reason) from None
    members = ruleset.enums.get(decl.item or "")
    if members is None:
        return text
    try:
        return parse_member(text, decl.item or "", members)
    except ValueProblem as exc:
        raise ValueProblem(CODE, exc.reason) from None


def _shape(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"`{ids.shown_id(str(value))}`"


def read_partner_facts(path: str | Path, ruleset: ir.RuleSet, partners: Mapping[str, Partner],
                       report: FactReport) -> dict[str, Partner]:
    """The partners with the records of a `--partner-facts` file added (CSV or JSON Lines, one record a row).

    Raises:
        ReadError: the file cannot be read at all (a bad header, not UTF-8, too large).
    """
    inputs = fact_inputs(ruleset)
    added: dict[tuple[str, str], list[Any]] = {}
    rows: dict[tuple[str, str], int] = {}
    name = str(path)
    with RecordFile(path, ("partner", "fact")) as records:
        for record in records:
            if record.problem is not None:
                report.reject(FactRejected(name, record.row, record.problem))
                continue
            found = _fact_row(record.values, inputs, ruleset, partners, (name, record.row), rows)
            if isinstance(found, FactRejected):
                report.reject(found)
                continue
            key, member = found
            report.accept()
            added.setdefault(key, []).append(member)
            rows.setdefault(key, record.row)
    return _merged(partners, inputs, added)


def _fact_row(values: Mapping[str, Any], inputs: Mapping[str, ir.InputDecl], ruleset: ir.RuleSet,
              partners: Mapping[str, Partner], where: tuple[str, int],
              rows: Mapping[tuple[str, str], int]) -> tuple[tuple[str, str], Any] | FactRejected:
    """One row of a facts file: ((partner, fact), the member) or why it is rejected."""
    file, row = where
    try:
        partner = ids.canonical_id(parse_text(values.get("partner") or ""), "partner id")
        fact = ids.canonical_id(parse_text(values.get("fact") or ""), "fact")
    except (ids.IdProblem, ValueProblem) as exc:
        return FactRejected(file, row, exc.reason)
    if not partner or not fact:
        return FactRejected(file, row, "the row names no `partner` or no `fact`")
    if partner not in partners:
        return FactRejected(file, row, f"unknown partner `{ids.shown_id(partner)}`", partner, fact)
    decl = inputs.get(fact)
    if decl is None:
        known = ", ".join(f"`{n}`" for n in inputs) or "none"
        return FactRejected(file, row, f"partner `{partner}`: unknown fact `{ids.shown_id(fact)}`; the program's "
                            f"dated facts and lists are {known}", partner, fact)
    at = _Where(file, row, partner, fact)
    if decl.type == "dated" and ((partner, fact) in rows or partners[partner].fields.get(fact) is not None):
        first = rows.get((partner, fact))
        seen = f"in row {first}" if first is not None else "in the partners file"
        return at.problem(f"a `dated` input holds one record, and the partner has one {seen}")
    try:
        if decl.type == "list" and decl.item != "dated":
            return (partner, fact), _member(values.get("value"), decl, ruleset)
        return (partner, fact), dated(values.get("from"), values.get("until"), values.get("name"))
    except ValueProblem as exc:
        return at.problem(exc.reason)


def _merged(partners: Mapping[str, Partner], inputs: Mapping[str, ir.InputDecl],
            added: Mapping[tuple[str, str], list[Any]]) -> dict[str, Partner]:
    out = dict(partners)
    for (partner_id, fact), members in added.items():
        partner = out[partner_id]
        fields = dict(partner.fields)
        if inputs[fact].type == "dated":
            fields[fact] = members[0]
        else:
            merged = dict.fromkeys(fields.get(fact) or ())  # in order, without repeats
            merged.update(dict.fromkeys(members))
            fields[fact] = tuple(merged)
        out[partner_id] = dataclasses.replace(partner, fields=fields)
    return out
