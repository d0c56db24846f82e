"""Helpers shared by `ppl conflicts`, `ppl registry` and `ppl route`: options, and JSON output.

The values themselves (instants, declared fields, leads) are converted by `runtime.io.deal_inputs`, which the
service uses too."""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Sequence
from typing import Any

from ppl.common import CommandError
from runtime import ids, ir
from runtime.io.deal_inputs import EXAMPLE_TIME as EXAMPLE_TIME
from runtime.io.deal_inputs import declared_values as declared_values
from runtime.io.deal_inputs import parse_instant
from runtime.io.deal_inputs import unknown_partner as unknown_partner
from runtime.io.deal_json import jsonable as jsonable

# --- values ----------------------------------------------------------------------------------------


def timestamp(text: str, what: str) -> datetime.datetime:
    """A date and time with a UTC offset (`runtime.io.deal_inputs.parse_instant`).

    Raises:
        ValueError: not a date and time, or without an offset; the message says which.
    """
    return parse_instant(text, what)


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


def print_json(value: Any) -> None:
    """Write results to standard output as indented JSON (see `jsonable`)."""
    sys.stdout.write(json.dumps(jsonable(value), ensure_ascii=False, indent=1) + "\n")


def place(at: object) -> str:
    """Where a rule is written, as a suffix (`  [file:line:col]`), or nothing."""
    return f"  [{at}]" if at else ""


def who(partner: str | None) -> str:
    """A claimant in words: a partner, or the vendor's direct sales."""
    return f"partner {partner}" if partner is not None else "direct sales"
