"""Converting one text or JSON value into the runtime value of a declared type.

Every failure is a `ValueProblem` with a stable code and a reason in the program's words; the
readers turn it into a rejected row (transactions) or an error naming the row (partners). The rules
that hold for a value however it arrives (its codes, ranges, enumeration members, the ceiling of a
line) live in the core, `runtime.input_rules`, and are re-exported here.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from runtime import ids, instants, ir
from runtime.input_rules import BAD_VALUE as BAD_VALUE
from runtime.input_rules import MAX_QUANTITY as MAX_QUANTITY
from runtime.input_rules import MISSING as MISSING
from runtime.input_rules import NAIVE_TIMESTAMP as NAIVE_TIMESTAMP
from runtime.input_rules import OUT_OF_RANGE as OUT_OF_RANGE
from runtime.input_rules import TOO_FINE as TOO_FINE
from runtime.input_rules import UNKNOWN_MEMBER as UNKNOWN_MEMBER
from runtime.input_rules import ValueProblem as ValueProblem
from runtime.input_rules import check_range as check_range
from runtime.input_rules import line_amount_problem as line_amount_problem
from runtime.input_rules import line_amount_reason as line_amount_reason
from runtime.input_rules import parse_member as parse_member
from runtime.input_rules import shown as _shown
from runtime.money import MAX_AMOUNT_DIGITS, SYMBOLS, over_ceiling

CODES: dict[str, str] = {
    MISSING: "missing field",
    BAD_VALUE: "bad value",
    UNKNOWN_MEMBER: "unknown enumeration member",
    TOO_FINE: "amount finer than the currency",
    **ids.CODES,
}
"""The codes of rejected rows that readers give, with their titles."""

_MAX_DIGITS = 30  # more is never an amount; also keeps int() clear of Python's digit limit
# INVARIANT: digits are ASCII (`re.ASCII`): Python's `\d` and `Decimal` also take the digits of other scripts
# (Arabic-Indic `١٢٣`, Devanagari `१२३` …), which no one types for yen; full-width digits, the documented Japanese
# form, are translated to ASCII first (`_FULLWIDTH`).
_PLAIN = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", re.ASCII)
_UNITS = {"万": 10**4, "億": 10**8}
_INTEGER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)", re.ASCII)
_RATE = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DURATION = re.compile(r"(\d+)(d|w|mo|y)", re.ASCII)
_FULLWIDTH = str.maketrans("０１２３４５６７８９，．－％", "0123456789,.-%")


def _foreign_digits(text: str) -> ValueProblem | None:
    """A value written with the digits of another script than ASCII or full-width (which is translated first)."""
    found = next((c for c in text if not c.isascii() and unicodedata.category(c) == "Nd"), None)
    if found is None:
        return None
    return ValueProblem(BAD_VALUE, f"`{_shown(text)}` has the digit `{found}` ({unicodedata.name(found, 'a digit')}); "
                        "numbers are written with the digits 0-9 (full-width ０-９ too)")


def _decimal_text(raw: object, what: str) -> str:
    """A JSON number or a string, as text; anything else is a bad value."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise ValueProblem(BAD_VALUE, f"expected {what}, got `{_shown(raw)}`")
    if isinstance(raw, Decimal):
        if not raw.is_finite() or abs(raw.adjusted()) > _MAX_DIGITS:
            raise ValueProblem(BAD_VALUE, f"expected {what}, got `{raw}`")
        return format(raw, "f")
    return str(raw)


def parse_money(raw: object, currency: str, minor_unit: int) -> int:
    """An amount in minor units, no larger than MAX_AMOUNT_DIGITS whole units (see `_parse_money`).

    >>> parse_money("¥1,200,000", "JPY", 0)
    1200000
    """
    minor = _parse_money(raw, currency, minor_unit)
    if over_ceiling(minor, minor_unit):  # more than 15 digits in whole units: a typing mistake or hostile input
        raise ValueProblem(BAD_VALUE, f"`{_shown(str(raw))}` is too large for an amount "
                           f"(more than {MAX_AMOUNT_DIGITS} digits)")
    return minor


def _parse_money(raw: object, currency: str, minor_unit: int) -> int:
    """An amount in minor units: `1200000`, `¥1,200,000`, `12.50`, `1,200,000 JPY`, `3000万`, `1.5億`.

    Raises:
        ValueProblem: not an amount (E521), or finer than the currency's minor unit (E523).

    >>> parse_money("¥1,200,000", "JPY", 0), parse_money("12.50", "USD", 2), parse_money("3000万", "JPY", 0)
    (1200000, 1250, 30000000)
    """
    scale: int = 10**minor_unit
    if isinstance(raw, str):  # the common case, plain digits, without the general parse
        plain = raw.strip()
        if plain.isascii() and plain.isdigit() and len(plain) <= _MAX_DIGITS:
            return int(plain) * scale
    elif isinstance(raw, int) and not isinstance(raw, bool) and len(str(abs(raw))) <= _MAX_DIGITS:
        return raw * scale
    text = _decimal_text(raw, "an amount").strip().translate(_FULLWIDTH)
    shown = text
    negative = text.startswith("-")
    text = text.removeprefix("-").strip()
    symbol = SYMBOLS.get(currency)
    for prefix in (symbol, "￥" if currency == "JPY" else None, currency):
        if prefix and text.startswith(prefix):
            text = text[len(prefix):].strip()
            if not negative and text.startswith("-"):  # ¥-1,000
                negative, text = True, text[1:]
            break
    for suffix in (currency, "円" if currency == "JPY" else None):
        if suffix and text.endswith(suffix):
            text = text[: -len(suffix)].strip()
            break
    unit = 1
    if text[-1:] in _UNITS:
        unit, text = _UNITS[text[-1]], text[:-1]
    if not _PLAIN.fullmatch(text) or len(text) > _MAX_DIGITS:
        if (foreign := _foreign_digits(shown)) is not None:
            raise foreign
        other = next((c for c, s in SYMBOLS.items() if c != currency and (s in shown or c in shown)), None)
        if other is not None:
            raise ValueProblem(BAD_VALUE, f"`{_shown(shown)}` is in {other}; the program's currency is {currency}")
        raise ValueProblem(BAD_VALUE, f"`{_shown(shown)}` is not an amount of money")
    minor = Fraction(Decimal(text.replace(",", ""))) * unit * scale
    if minor.denominator != 1:
        smallest = format(Decimal(1).scaleb(-minor_unit), "f")
        raise ValueProblem(TOO_FINE, f"`{_shown(shown)}` is finer than the smallest unit of {currency} ({smallest}); "
                           "amounts are never rounded on input")
    value = int(minor)
    return -value if negative else value


def parse_integer(raw: object) -> int:
    """A whole number: `12`, `-3`, `1,200`."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, Decimal) and raw.is_finite() and abs(raw.adjusted()) <= _MAX_DIGITS \
            and raw == raw.to_integral_value():
        return int(raw)
    if isinstance(raw, str):
        plain = raw.strip()
        if plain.isascii() and plain.lstrip("-").isdigit() and len(plain) <= _MAX_DIGITS and plain.count("-") <= 1 \
                and not plain.endswith("-"):
            return int(plain)
    text = _decimal_text(raw, "a whole number").strip().translate(_FULLWIDTH)
    if not _INTEGER.fullmatch(text) or len(text) > _MAX_DIGITS:
        raise _foreign_digits(text) or ValueProblem(BAD_VALUE, f"`{_shown(text)}` is not a whole number")
    return int(text.replace(",", ""))


def parse_rate(raw: object) -> Fraction:
    """A number or a rate, exactly: `15%` → 3/20, `0.15` → 3/20, `2` → 2."""
    text = _decimal_text(raw, "a number").strip().translate(_FULLWIDTH)
    percent = text.endswith("%")
    digits = text[:-1].strip() if percent else text
    if not _RATE.fullmatch(digits) or len(digits) > _MAX_DIGITS:
        raise _foreign_digits(text) or ValueProblem(BAD_VALUE, f"`{_shown(text)}` is not a number")
    value = Fraction(Decimal(digits))
    return value / 100 if percent else value


def parse_boolean(raw: object) -> bool:
    """`true` or `false` (any case), or a JSON boolean."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise ValueProblem(BAD_VALUE, f"`{_shown(raw)}` is not `true` or `false`")


def parse_date(raw: object) -> datetime.date:
    """An ISO date: `2026-04-01`."""
    text = raw.strip() if isinstance(raw, str) else ""
    if _DATE.fullmatch(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueProblem(BAD_VALUE, f"`{_shown(raw)}` is not a date (YYYY-MM-DD)")


def parse_day(raw: object, time_zone: str) -> tuple[datetime.date, datetime.datetime | None]:
    """A transaction's `date`: an ISO date, or a timestamp with its UTC offset and then its calendar date in the
    program's time zone (`2026-09-30T15:00:00Z` is 2026-10-01 in Asia/Tokyo), with the instant.

    Raises:
        ValueProblem: E530 for a timestamp without an offset; E521 for anything else that is no date.
    """
    if isinstance(raw, datetime.datetime):  # a Parquet timestamp handed over as a value
        raw = raw.isoformat()
    text = raw.strip() if isinstance(raw, str) else ""
    if len(text) > 10 and instants.looks_like_timestamp(text):
        try:
            instant = instants.parse_instant(text)
        except instants.NaiveTimestamp:
            raise ValueProblem(NAIVE_TIMESTAMP, f"timestamp `{_shown(text)}` has no UTC offset; write it with "
                               f"its offset, e.g. `{_shown(text)}+09:00`") from None
        except ValueError:
            raise ValueProblem(BAD_VALUE, f"`{_shown(text)}` is not a real timestamp") from None
        return instants.local_date(instant, time_zone), instant
    return parse_date(raw), None


def parse_duration(raw: object) -> ir.Duration:
    """A calendar length: `90d`, `2w`, `3mo`, `1y`."""
    match = _DURATION.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        raise ValueProblem(BAD_VALUE, f"`{_shown(raw)}` is not a duration (such as 90d, 2w, 3mo or 1y)")
    return ir.Duration(int(match[1]), match[2])


def parse_text(raw: object) -> str:
    """Text, trimmed: a JSON string or number."""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, int | Decimal) and not isinstance(raw, bool):
        return str(raw)
    raise ValueProblem(BAD_VALUE, f"`{_shown(raw)}` is not text")


def parse_value(raw: object, type_name: str, ruleset: ir.RuleSet) -> Any:
    """A value of a declared type (money, integer, number, percent, boolean, date, duration, text or an enum).

    Raises:
        ValueProblem: the value is not of the type.
    """
    match type_name:
        case "money":
            return parse_money(raw, ruleset.currency, ruleset.minor_unit)
        case "integer":
            return parse_integer(raw)
        case "number" | "percent":
            return parse_rate(raw)
        case "boolean":
            return parse_boolean(raw)
        case "date":
            return parse_date(raw)
        case "duration":
            return parse_duration(raw)
        case "text":
            return parse_text(raw)
    members = ruleset.enums.get(type_name)
    if members is not None:
        return parse_member(raw, type_name, members)
    return parse_text(raw)


def is_empty(raw: object) -> bool:
    """No value: an absent key, JSON null, or an empty or blank cell."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def declared(ruleset: ir.RuleSet, scope: str) -> Mapping[str, str]:
    """The declared inputs of a scope: name → type name."""
    return {i.name: i.type for i in ruleset.inputs if i.scope == scope}
