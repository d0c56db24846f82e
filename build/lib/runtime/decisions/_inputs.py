"""Inputs built in Python, checked as file rows are: the error, and the checks of one value, id, date or field.

A row read from a file is parsed and checked by `runtime.io` and is a valid object when it arrives. An
object built in Python arrives as it was built, so before a decision reads it, it is held to the same
rules (`runtime.input_rules`, which the readers apply too) and to the types the decisions read: an
amount is an `int` of minor units (never a string, a float or a Decimal), a date a `datetime.date`,
an instant a `datetime.datetime` with its UTC offset, a declared field a value of its declared type.
A mistake raises `InputError`, which names the object, the field, the value and what was expected, with
the code the file reader gives the same mistake where it has one. The checks of whole objects are in
`runtime.decisions._input_objects`.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from runtime import ids, ir
from runtime import input_rules as rules
from runtime.model import Volumes
from runtime.money import MAX_AMOUNT_DIGITS, format_amount, over_ceiling


class InputError(ValueError):
    """An input built in Python that a decision cannot take: what, which field, the value, what was expected.

    Attributes:
        subject: the object in words (``transaction `T-1` ``, ``partner `P-1` ``).
        field: the field at fault (`list_price`, `fields["region"]`).
        value: the value as given.
        expected: what the field takes, or why the value is refused.
        code: the code a file reader gives the same mistake (`E521` …), or None where it has none.
    """

    def __init__(self, subject: str, field: str, value: object, expected: str, code: str | None = None) -> None:
        self.subject, self.field, self.value, self.expected, self.code = subject, field, value, expected, code
        suffix = f" [{code}]" if code else ""
        super().__init__(f"{subject}: `{field}` is {given(value)}: {expected}{suffix}")


def given(value: object) -> str:
    """A value as an error shows it: its repr, shortened, and its type.

    >>> given("1,200"), given(None)
    ("'1,200' (str)", 'None')
    """
    if value is None:
        return "None"
    return f"{rules.shown(repr(value))} ({type(value).__name__})"


def _expected_type(type_name: str, ruleset: ir.RuleSet) -> str:
    """What a declared type takes in Python, in words."""
    match type_name:
        case "money":
            example = 1200 * 10**ruleset.minor_unit
            return (f"an amount in minor units of {ruleset.currency}, an int "
                    f"({format_amount(example, ruleset.currency, ruleset.minor_unit)} is {example})")
        case "integer":
            return "a whole number, an int"
        case "number" | "percent":
            return "an exact number, an int or a fractions.Fraction (15% is Fraction(3, 20))"
        case "boolean":
            return "True or False"
        case "date":
            return "a datetime.date"
        case "duration":
            return "a runtime.ir.Duration"
        case "text":
            return "text, a str"
        case "dated":
            return "a runtime.ir.Dated record, or None"
        case "list":
            return "a tuple of members"
    members = ruleset.enums.get(type_name, ())
    return f"a `{type_name}`: one of {', '.join(members)}"


_TYPES: dict[str, tuple[type, ...]] = {
    "money": (int,), "integer": (int,), "number": (int, Fraction), "percent": (int, Fraction), "boolean": (bool,),
    "duration": (ir.Duration,), "text": (str,), "dated": (ir.Dated, type(None)), "list": (tuple, list),
}
"""The Python types of each declared type's runtime values (a `date` is checked apart: a datetime is no date)."""


def _of_type(value: object, type_name: str, ruleset: ir.RuleSet) -> bool:
    if type_name == "date":
        return type(value) is datetime.date
    if isinstance(value, bool) and type_name != "boolean":
        return False
    kinds = _TYPES.get(type_name)
    if kinds is None:  # an enumeration
        return isinstance(value, str)
    return isinstance(value, kinds)


def check_value(subject: str, name: str, value: object, decl: ir.InputDecl, ruleset: ir.RuleSet) -> None:
    """A declared field's value: of its type, and within the program's rules for it (range, members, ceiling).

    Raises:
        InputError: the value is not of the declared type (E521), not a member of its enumeration (E522), too
            large an amount (E521) or outside the input's range (E561).
    """
    field_name = f'fields["{name}"]'
    if not _of_type(value, decl.type, ruleset):
        raise InputError(subject, field_name, value, f"expected {_expected_type(decl.type, ruleset)} "
                         f"(`{decl.scope}.{name}` is declared `{decl.type}`)", rules.BAD_VALUE)
    try:
        if decl.type == "list":
            _check_members(value, decl, ruleset)
        elif decl.type in ruleset.enums:
            rules.parse_member(value, decl.type, ruleset.enums[decl.type])
        elif decl.type == "money" and over_ceiling(value, ruleset.minor_unit):  # type: ignore[arg-type]
            raise rules.ValueProblem(rules.BAD_VALUE, f"too large for an amount (more than "
                                     f"{MAX_AMOUNT_DIGITS} digits)")
        if decl.values is not None or decl.min is not None or decl.max is not None:
            rules.check_range(value, decl, ruleset)
    except rules.ValueProblem as problem:
        raise InputError(subject, field_name, value, problem.reason, problem.code) from None


def _check_members(value: Any, decl: ir.InputDecl, ruleset: ir.RuleSet) -> None:
    """Each member of a list input: a dated record, a member of the list's enumeration, or text."""
    for member in value:
        if decl.item == "dated":
            if not isinstance(member, ir.Dated):
                raise rules.ValueProblem(rules.BAD_VALUE, f"member {given(member)} is not a runtime.ir.Dated record")
        elif decl.item in ruleset.enums:
            rules.parse_member(member, decl.item or "", ruleset.enums[decl.item or ""])
        elif not isinstance(member, str):
            raise rules.ValueProblem(rules.BAD_VALUE, f"member {given(member)} is not text")


_DECLARED: dict[int, tuple[ir.RuleSet, dict[str, dict[str, ir.InputDecl]]]] = {}


def declared(ruleset: ir.RuleSet, scope: str) -> dict[str, ir.InputDecl]:
    """The declared inputs of a scope by name (worked out once per rule set)."""
    found = _DECLARED.get(id(ruleset))
    if found is None or found[0] is not ruleset:
        if len(_DECLARED) > 64:
            _DECLARED.clear()
        by_scope: dict[str, dict[str, ir.InputDecl]] = {}
        for decl in ruleset.inputs:
            by_scope.setdefault(decl.scope, {})[decl.name] = decl
        found = _DECLARED[id(ruleset)] = (ruleset, by_scope)
    return found[1].get(scope, {})


def check_fields(subject: str, fields: object, scope: str, ruleset: ir.RuleSet) -> None:
    """An object's `fields`: a mapping of the scope's declared inputs to values of their types.

    Raises:
        InputError: not a mapping, a name the program does not declare, or a value `check_value` refuses.
    """
    if not isinstance(fields, Mapping):
        raise InputError(subject, "fields", fields, f"expected a mapping of declared `{scope}.*` inputs to values")
    if not fields:
        return
    decls = declared(ruleset, scope)
    for name, value in fields.items():
        decl = decls.get(name) if isinstance(name, str) else None
        if decl is None:
            known = tuple(decls)
            raise InputError(subject, "fields", name, rules.unknown_reason(f"`{scope}` input", str(name), known)
                             if known else f"the program declares no `{scope}` inputs")
        check_value(subject, name, value, decl, ruleset)


def check_id(subject: str, name: str, value: object, *, optional: bool = False, what: str | None = None) -> None:
    """An id: a non-empty str in its canonical form (`runtime.ids`), as the readers make every id.

    Raises:
        InputError: not text (E521), empty (E520), refused by the identity policy (its code), or not canonical.
    """
    if type(value) is str and value and value.isascii() and value.isprintable() and value == value.strip() \
            and len(value) <= ids.MAX_ID_LENGTH:
        return  # the common case: printable ASCII is its own canonical form
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise InputError(subject, name, value, "expected an id, a str" + (", or None" if optional else ""),
                         rules.BAD_VALUE)
    if not value.strip():
        raise InputError(subject, name, value, f"`{name}` is missing", rules.MISSING)
    try:
        canonical = ids.canonical_id(value, what or rules.ID_WORDS.get(name, name))
    except ids.IdProblem as problem:
        raise InputError(subject, name, value, problem.reason, problem.code) from None
    if canonical != value:
        raise InputError(subject, name, value, f"an id is given in its canonical form, `{canonical}`",
                         rules.BAD_VALUE)


def check_date(subject: str, name: str, value: object, *, optional: bool = False) -> None:
    """A calendar day: a `datetime.date`, never a datetime or text.

    Raises:
        InputError: E521.
    """
    if type(value) is datetime.date or (value is None and optional):
        return
    hint = ("; a datetime is an instant: give its calendar date here" if isinstance(value, datetime.datetime)
            else "; text is read only from files (`datetime.date.fromisoformat`)" if isinstance(value, str) else "")
    raise InputError(subject, name, value, f"expected a datetime.date{', or None' if optional else ''}{hint}",
                     rules.BAD_VALUE)


def check_instant(subject: str, name: str, value: object) -> None:
    """An instant: a `datetime.datetime` with its UTC offset.

    Raises:
        InputError: not a datetime (E521), or one without an offset (E530).
    """
    if not isinstance(value, datetime.datetime):
        raise InputError(subject, name, value, "expected a datetime.datetime with its UTC offset", rules.BAD_VALUE)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(subject, name, value, "the instant has no UTC offset; give it one, e.g. "
                         "tzinfo=datetime.timezone(datetime.timedelta(hours=9))", rules.NAIVE_TIMESTAMP)


def check_int(subject: str, name: str, value: object, what: str = "a whole number, an int") -> None:
    """A whole number: an int, never a bool, a float, a Decimal or text.

    Raises:
        InputError: E521.
    """
    if type(value) is not int:
        raise InputError(subject, name, value, f"expected {what}", rules.BAD_VALUE)


def check_flag(subject: str, name: str, value: object) -> None:
    """True or False.

    Raises:
        InputError: E521.
    """
    if type(value) is not bool:
        raise InputError(subject, name, value, "expected True or False", rules.BAD_VALUE)


_VOLUMES = tuple(part.name for part in dataclasses.fields(Volumes))


def check_volumes(volumes: object) -> None:
    """Period volumes by partner id: each a `Volumes` of ints.

    Raises:
        InputError: not a mapping of ids to `Volumes`, or a volume that is not an int.
    """
    if not isinstance(volumes, Mapping):
        raise InputError("the volumes", "volumes", volumes, "expected a mapping of partner ids to Volumes")
    for key, found in volumes.items():
        if type(found) is Volumes and all(type(getattr(found, name)) is int for name in _VOLUMES):
            continue
        subject = f"the volumes of `{rules.shown(key)}`"
        if not isinstance(found, Volumes):
            raise InputError(subject, str(key), found, "expected a runtime.model.Volumes")
        for name in _VOLUMES:
            check_int(subject, name, getattr(found, name))
