"""The inputs of the deal decisions from raw values: instants, declared deal, lead and applicant fields, leads.

`ppl conflicts`, `ppl registry` and `ppl route` read these values from options and files, and the service
from request bodies; both convert them here, so a value means the same wherever it comes from. Every
refusal is an `InputProblem`: a `ValueError` whose text is the message shown (in the program's words, with
the code in brackets when one fits) and whose `field` names the value at fault.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from runtime import ids, instants, ir
from runtime.decisions.routing import Lead
from runtime.io.values import ValueProblem, declared, is_empty, parse_date, parse_text, parse_value
from runtime.model import Partner

EXAMPLE_TIME = "2026-06-01T10:00:00+09:00"
"""How an instant is written: a date and time with its UTC offset."""


class InputProblem(ValueError):
    """A raw value a deal decision cannot take: the message shown, the field at fault and the code (when known)."""

    def __init__(self, message: str, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


def parse_instant(text: str, what: str) -> datetime.datetime:
    """A date and time with a UTC offset.

    >>> parse_instant("2026-06-01T10:00:00+09:00", "`at`").isoformat()
    '2026-06-01T10:00:00+09:00'

    Raises:
        InputProblem: not a date and time, or without an offset (E530); the message says which.
    """
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputProblem(f"{what} `{text}` is not a date and time; write it like {EXAMPLE_TIME}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputProblem(f"{what} `{text}` has no timezone; write it with an offset, like {EXAMPLE_TIME} [E530]",
                           code="E530")
    return moment


def start_of_day(raw: object, ruleset: ir.RuleSet) -> datetime.datetime:
    """The instant a day (YYYY-MM-DD) begins in the program's time zone, in that zone.

    Raises:
        InputProblem: not a date; the message is the reason.
    """
    try:
        day = instants.start_of_day(parse_date(raw), ruleset.time_zone)
    except ValueProblem as exc:
        raise InputProblem(exc.reason, code=exc.code) from None
    return day.astimezone(instants.zone(ruleset.time_zone))


def unknown_field(name: str, scope: str, known: Sequence[str]) -> str:
    """The refusal of an undeclared field, with the closest declared name or the declared ones."""
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean `{close[0]}`?" if close else f"the program declares {', '.join(known) or 'none'}"
    return f"unknown {scope} field `{name}`; {hint}"


def unknown_partner(name: str, partners: Mapping[str, Partner]) -> str:
    """The refusal of a partner id that is not in the partners file, with the closest one."""
    close = difflib.get_close_matches(name, sorted(partners), n=1)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    return f"unknown partner `{name}`: not in the partners file{hint}"


def declared_values(values: Mapping[str, Any], scope: str, ruleset: ir.RuleSet, strict: bool,
                    builtin: Iterable[str] = ()) -> dict[str, Any]:
    """The declared inputs of a scope (`deal`, `lead`, `applicant`) from raw values, converted by their types.

    Raises:
        InputProblem: a bad value, or (when strict) a key that is neither declared nor built in; `field` names it.
    """
    inputs = declared(ruleset, scope)
    if strict:
        for name in values:
            if name not in inputs and name not in builtin:
                raise InputProblem(unknown_field(name, scope, sorted(inputs)), name)
    out: dict[str, Any] = {}
    for name, type_name in inputs.items():
        raw = values.get(name)
        if is_empty(raw):
            continue
        try:
            out[name] = parse_value(raw, type_name, ruleset)
        except ValueProblem as exc:
            raise InputProblem(f"`{name}`: {exc.reason} [{exc.code}]", name, exc.code) from None
    return out


def parse_lead(values: Mapping[str, Any], ruleset: ir.RuleSet, default_id: str, strict: bool) -> Lead:
    """A lead from raw values: `id` (default `default_id`), `date` and the declared lead inputs.

    Raises:
        InputProblem: a bad id, a missing or bad date, a bad value, or (when strict) an undeclared key.
    """
    try:
        lead_id = default_id if is_empty(values.get("id")) else ids.canonical_id(parse_text(values["id"]), "lead id")
    except ids.IdProblem as exc:  # the identity policy (`runtime.ids`)
        raise InputProblem(f"{exc.reason} [{exc.code}]", "id", exc.code) from None
    except ValueProblem as exc:
        raise InputProblem(f"`id`: {exc.reason}", "id", exc.code) from None
    if is_empty(values.get("date")):
        raise InputProblem("`date` is missing", "date", "E520")
    try:
        date = parse_date(values["date"])
    except ValueProblem as exc:
        raise InputProblem(f"`date`: {exc.reason}", "date", exc.code) from None
    fields = declared_values(values, "lead", ruleset, strict, builtin=("id", "date"))
    return Lead(lead_id, date, fields)
