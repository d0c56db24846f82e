"""Helpers shared by `ppl conflicts`, `ppl registry` and `ppl route`: timestamps, declared values and JSON
output."""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from ppl.common import CommandError
from runtime import ids, ir
from runtime.io.values import (
    ValueProblem,
    declared,
    is_empty,
    parse_value,
)
from runtime.model import Partner

EXAMPLE_TIME = "2026-06-01T10:00:00+09:00"


# --- values ----------------------------------------------------------------------------------------


def timestamp(text: str, what: str) -> datetime.datetime:
    """A date and time with a UTC offset.

    Raises:
        ValueError: not a date and time, or without an offset; the message says which.
    """
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} `{text}` is not a date and time; write it like {EXAMPLE_TIME}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} `{text}` has no timezone; write it with an offset, like {EXAMPLE_TIME} [E530]")
    return moment


def moment(text: str | None, what: str = "--at") -> datetime.datetime:
    """A timestamp option; without one, now (in the local offset)."""
    if text is None:
        return datetime.datetime.now().astimezone()
    try:
        return timestamp(text, what)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def id_value(text: str, what: str) -> str:
    """An id given on the command line in its canonical form (`runtime.ids`); a refusal is a usage error that says
    why, with its code."""
    try:
        return ids.canonical_id(text, what)
    except ids.IdProblem as exc:
        raise CommandError(f"{exc.reason} [{exc.code}]") from None


def _unknown_field(name: str, scope: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean `{close[0]}`?" if close else f"the program declares {', '.join(known) or 'none'}"
    return f"unknown {scope} field `{name}`; {hint}"


def unknown_partner(name: str, partners: Mapping[str, Partner]) -> str:
    close = difflib.get_close_matches(name, sorted(partners), n=1)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    return f"unknown partner `{name}`: not in the partners file{hint}"


def declared_values(values: Mapping[str, Any], scope: str, ruleset: ir.RuleSet, strict: bool,
                     builtin: Iterable[str] = ()) -> dict[str, Any]:
    """The declared inputs of a scope from raw values, converted by their types.

    Raises:
        ValueError: a bad value, or (when strict) a key that is neither declared nor built in.
    """
    inputs = declared(ruleset, scope)
    if strict:
        for name in values:
            if name not in inputs and name not in builtin:
                raise ValueError(_unknown_field(name, scope, sorted(inputs)))
    out: dict[str, Any] = {}
    for name, type_name in inputs.items():
        raw = values.get(name)
        if is_empty(raw):
            continue
        try:
            out[name] = parse_value(raw, type_name, ruleset)
        except ValueProblem as exc:
            raise ValueError(f"`{name}`: {exc.reason} [{exc.code}]") from None
    return out


def field_options(given: Sequence[str] | None, scope: str, ruleset: ir.RuleSet) -> dict[str, Any]:
    """`--field NAME=VALUE` options as the declared fields of a scope (`deal`, `applicant`), converted by their
    types; a malformed, repeated or unknown field is a usage error naming it."""
    values: dict[str, str] = {}
    for item in given or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"--field `{item}`: write it as NAME=VALUE, e.g. --field region=kanto")
        if name.strip() in values:
            raise CommandError(f"--field: `{name.strip()}` is given twice")
        values[name.strip()] = value
    try:
        return declared_values(values, scope, ruleset, strict=True)
    except ValueError as exc:
        raise CommandError(f"--field: {exc}") from None


def jsonable(value: Any) -> Any:
    """Results as JSON values: dataclasses as objects, times in ISO 8601, exact numbers as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return str(value)
    return value


def print_json(value: Any) -> None:
    """Write results to standard output as indented JSON (see `jsonable`)."""
    sys.stdout.write(json.dumps(jsonable(value), ensure_ascii=False, indent=1) + "\n")


def place(at: object) -> str:
    """Where a rule is written, as a suffix (`  [file:line:col]`), or nothing."""
    return f"  [{at}]" if at else ""


def who(partner: str | None) -> str:
    """A claimant in words: a partner, or the vendor's direct sales."""
    return f"partner {partner}" if partner is not None else "direct sales"
