"""Literal decoding for the expression parser: numbers, amounts, percentages, durations, dates and text.

A malformed literal raises `_Malformed`, which the lexer callbacks turn into a diagnostic (E122)."""

from __future__ import annotations

import calendar
import datetime
import functools
import re
from decimal import Decimal, localcontext
from typing import Final

from policy_lang import ast

MAX_DIGITS: Final = 30
"""Most digits in one number as written; far beyond any real amount, and it keeps numbers exact."""


class _Malformed(Exception):
    """A literal that lexed but is not valid; raised by the decoders below."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


# --- literals -----------------------------------------------------------------------------------

_UNIT_EXPONENT: Final = {"万": 4, "億": 8, "兆": 12}
_SYMBOL_CURRENCY: Final = {"¥": "JPY", "￥": "JPY", "$": "USD", "€": "EUR", "£": "GBP"}
_MONTHS: Final = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December")  # not calendar.month_name: that follows the locale
_DATE_RE: Final = re.compile(r"([0-9]+)-([0-9]+)-([0-9]+)")
_PREFIX_RE: Final = re.compile(r"([¥￥$€£])([0-9][0-9_,.万億兆]*)(.*)")
_SUFFIX_CODE_RE: Final = re.compile(r"([0-9][0-9_,.万億兆]*)[ \t]*([A-Z]{3})")
_SUFFIX_YEN_RE: Final = re.compile(r"([0-9][0-9_,.万億兆]*)円")
_NUMBER_RE: Final = re.compile(r"([0-9][0-9_.万億兆]*)(.*)")
_DIGITS_RE: Final = re.compile(r"[0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?")
_GROUPED_RE: Final = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_SUFFIX_HINT: Final = ("a number may be followed by `%`, a duration unit (`d`, `w`, `mo`, `y`), "
                       "万, 億 or 兆, `円` or a currency code such as `JPY`")


@functools.lru_cache(maxsize=1024)
def _literal_node(text: str) -> ast.Expr:
    """Decode one LITERAL token into a literal node without a span (shared, so cached)."""
    if match := _DATE_RE.fullmatch(text):
        return ast.DateLit(_date(text, *match.groups()))
    if match := _PREFIX_RE.fullmatch(text):
        symbol, body, rest = match.groups()
        what = f"amount {_show(text)}"
        if rest:
            raise _Malformed(f"malformed {what}: unexpected {_show(rest)} after the amount",
                             f"write the currency once, as in {_show(symbol + body)}")
        return ast.MoneyLit(_amount(body, what, commas=True), _SYMBOL_CURRENCY[symbol])
    if match := _SUFFIX_CODE_RE.fullmatch(text):
        return ast.MoneyLit(_amount(match[1], f"amount {_show(text)}", commas=True), match[2])
    if match := _SUFFIX_YEN_RE.fullmatch(text):
        return ast.MoneyLit(_amount(match[1], f"amount {_show(text)}", commas=True), "JPY")
    match = _NUMBER_RE.fullmatch(text)
    assert match is not None, f"the LITERAL terminal admitted {text!r}"
    body, suffix = match.groups()
    if not suffix:
        return ast.NumberLit(_amount(body, f"number {_show(text)}", commas=False))
    if suffix in ("%", "％"):
        if any(unit in body for unit in _UNIT_EXPONENT):
            raise _Malformed(f"malformed percentage {_show(text)}: a percentage cannot use 万, 億 or 兆")
        return ast.PercentLit(_amount(body, f"percentage {_show(text)}", commas=False))
    if suffix in ast.DURATION_UNITS:
        if not _DIGITS_RE.fullmatch(body) or "." in body or len(body) > MAX_DIGITS:
            raise _Malformed(f"malformed duration {_show(text)}: a duration is a whole number of days, weeks, "
                             "months or years", "for example `90d`, `2w`, `6mo` or `1y`")
        return ast.DurationLit(int(body.replace("_", "")), suffix)
    raise _Malformed(f"malformed number {_show(text)}: unknown unit {_show(suffix)}", _suffix_hint(suffix))


def _suffix_hint(suffix: str) -> str:
    if suffix == "m":
        return "write `mo` for months"
    if len(suffix) == 3 and suffix.isalpha() and not suffix.isupper():
        return f"currency codes are written in capitals, as in `{suffix.upper()}`"
    return _SUFFIX_HINT


def _date(text: str, year: str, month: str, day: str) -> datetime.date:
    if len(year) != 4 or len(month) != 2 or len(day) != 2:
        raise _Malformed(f"malformed date {_show(text)}: write dates as YYYY-MM-DD",
                         "for example `2026-04-01`; to subtract numbers, put spaces around `-`")
    y, m, d = int(year), int(month), int(day)
    if y < 1:
        raise _Malformed(f"invalid date {_show(text)}: there is no year 0")
    if not 1 <= m <= 12:
        raise _Malformed(f"invalid date {_show(text)}: there is no month {m}")
    last = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last:
        raise _Malformed(f"invalid date {_show(text)}: {_MONTHS[m - 1]} {y} has {last} days")
    return datetime.date(y, m, d)


def _amount(body: str, what: str, *, commas: bool) -> Decimal:
    """The value of a number body such as ``1_000``, ``1,000.50``, ``1.5億`` or ``1億5,000万``."""
    parts = re.split("([万億兆])", body)
    coefficients, units = parts[0::2], parts[1::2]
    if not units:
        return _digits(body, what, commas=commas)
    exponents = [_UNIT_EXPONENT[unit] for unit in units]
    if any(a <= b for a, b in zip(exponents, exponents[1:], strict=False)):
        raise _Malformed(f"malformed {what}: write 兆, 億 and 万 from largest to smallest, each once")
    *leading, trailing = coefficients
    if (len(units) > 1 or trailing) and "." in body:
        raise _Malformed(f"malformed {what}: only a single unit may have a fraction, as in `1.5億`")
    # Enough precision that no digit of the literal is ever rounded away.
    with localcontext() as context:
        context.prec = max(28, 2 * len(body) + 16)
        total = Decimal(0)
        bound: int | None = None
        for coefficient, unit, exponent in zip(leading, units, exponents, strict=True):
            value = _digits(coefficient, what, commas=commas)
            if bound is not None and value >= 10 ** (bound - exponent):
                raise _Malformed(f"malformed {what}: {_show(coefficient + unit)} is too large to follow "
                                 f"a larger unit", "for example `1億5000万`")
            total += value.scaleb(exponent)
            bound = exponent
        if trailing:
            value = _digits(trailing, what, commas=commas)
            if value >= 10 ** exponents[-1]:
                raise _Malformed(f"malformed {what}: {_show(trailing)} after `{units[-1]}` is too large",
                                 "for example `1万5000`")
            total += value
        return Decimal(int(total)) if total == total.to_integral_value() else total


def _digits(text: str, what: str, *, commas: bool) -> Decimal:
    if not text:
        raise _Malformed(f"malformed {what}: 万, 億 and 兆 must follow a number")
    if sum(char.isdigit() for char in text) > MAX_DIGITS:
        raise _Malformed(f"malformed {what}: a number has at most {MAX_DIGITS} digits")
    if "," in text:
        assert commas, "the LITERAL terminal only admits `,` in money"
        if "_" in text:
            raise _Malformed(f"malformed {what}: group digits with `,` or `_`, not both")
        if not _GROUPED_RE.fullmatch(text):
            raise _Malformed(f"malformed {what}: digit groups after a `,` must have three digits",
                             "group digits in threes, as in `¥1,000,000`; to separate values in a list "
                             "or call, put a space after the `,`")
        return Decimal(text.replace(",", ""))
    if not _DIGITS_RE.fullmatch(text):
        raise _Malformed(f"malformed {what}: `_` may only stand between two digits",
                         "for example `1_000_000`")
    return Decimal(text.replace("_", ""))


_ESCAPES: Final = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t"}
_ESCAPE_RE: Final = re.compile(r"\\(.)", re.DOTALL)


def _text_value(token: str) -> str:
    """The value of a quoted text token, escapes resolved."""

    def unescape(match: re.Match[str]) -> str:
        char = match[1]
        if char not in _ESCAPES:
            escape = _show("\\" + char)
            raise _Malformed(f"unknown escape {escape} in text",
                             "the escapes are `\\\"`, `\\'`, `\\\\`, `\\n` and `\\t`")
        return _ESCAPES[char]

    return _ESCAPE_RE.sub(unescape, token[1:-1])



def _show(text: str) -> str:
    """User text for a one-line message: in backticks, shortened, control characters spelled out."""
    text = text if len(text) <= 30 else text[:29] + "…"
    return "`" + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text) + "`"
