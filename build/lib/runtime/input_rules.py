"""The rules an input value follows however it arrives: read from a file or built in Python.

The file readers (`runtime.io`) parse text into values and then apply these rules; the checks of
objects built in Python (`runtime.inputs`) apply the same rules to the values as given. Each rule is
written here once, with the code and the words of a refused value, so a partner or a transaction is
refused for the same reason on either path. Nothing here parses text.
"""

from __future__ import annotations

import datetime
import difflib
from decimal import Decimal
from fractions import Fraction
from typing import Any

from runtime import ir
from runtime.money import MAX_AMOUNT_DIGITS, format_amount, format_rate, over_ceiling

MISSING = "E520"  # a required field is missing or empty
BAD_VALUE = "E521"  # a value that is not of its field's type (or a row that cannot be read at all)
UNKNOWN_MEMBER = "E522"  # an enumeration value that is not one of the enumeration's members
NAIVE_TIMESTAMP = "E530"  # a timestamp without a UTC offset
OUT_OF_RANGE = "E561"  # a declared input's value outside its `min`/`max` or not one of its `values`
TOO_FINE = "E523"  # an amount finer than the currency's minor unit

MAX_QUANTITY = 10**9
"""The largest quantity one transaction row may carry."""


ID_WORDS = {"id": "transaction id", "refund_of": "`refund_of`", "sku": "SKU"}
"""An id field of a transaction in the words of a refused id's reason (others by their name; a partner's
`id` is the "partner id")."""


class ValueProblem(Exception):
    """A value that cannot be taken: a code and a reason."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def shown(value: object) -> str:
    """A value as a reason shows it: its text, shortened to 40 characters."""
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def line_amount_reason(price: str) -> str:
    """Why a row whose line amount (a price × its quantity) reaches the ceiling is rejected: the words of both
    engines (the DuckDB validator gives the same)."""
    return f"`{price}` × `quantity` is too large for one line (more than {MAX_AMOUNT_DIGITS} digits)"


def line_amount_problem(price: str, minor: int, quantity: int, minor_unit: int) -> ValueProblem | None:
    """E521 when a price times the row's quantity reaches the ceiling, so no engine multiplies past it.

    >>> line_amount_problem("sell_price", 999_999_999_999_999, 1, 0) is None
    True
    >>> line_amount_problem("sell_price", 10**6, -10**9, 0).reason
    '`sell_price` × `quantity` is too large for one line (more than 15 digits)'
    """
    if over_ceiling(minor * quantity, minor_unit):
        return ValueProblem(BAD_VALUE, line_amount_reason(price))
    return None


def negative_price_reason(name: str) -> str:
    """Why a negative price is refused: a refund is a negative quantity that names its sale."""
    return (f"`{name}` is negative; a refund names its sale in `refund_of` and returns units with a negative "
            "`quantity`")


def too_many_reason(quantity: int) -> str:
    """Why a quantity above `MAX_QUANTITY` is refused."""
    return f"quantity `{quantity:,}` is too large for one row (more than {MAX_QUANTITY:,})"


def check_range(value: Any, decl: ir.InputDecl, ruleset: ir.RuleSet) -> None:
    """A declared input's value against its `min`, `max` and `values`.

    Raises:
        ValueProblem: E561, naming the input.
    """
    def _plain(v: Any) -> str:
        return shown_value(v, decl.type, ruleset)
    if decl.values is not None and value not in decl.values:
        allowed = ", ".join(_plain(v) for v in decl.values)
        raise ValueProblem(OUT_OF_RANGE, f"`{decl.scope}.{decl.name}` is {_plain(value)}, not one of the values "
                           f"the program allows ({allowed})")
    if decl.min is not None and value < decl.min:
        raise ValueProblem(OUT_OF_RANGE, f"`{decl.scope}.{decl.name}` is {_plain(value)}, below its minimum "
                           f"{_plain(decl.min)}")
    if decl.max is not None and value > decl.max:
        raise ValueProblem(OUT_OF_RANGE, f"`{decl.scope}.{decl.name}` is {_plain(value)}, above its maximum "
                           f"{_plain(decl.max)}")


def shown_value(value: Any, type_name: str, ruleset: ir.RuleSet) -> str:
    """A runtime value as a reason shows it: ¥12,000, 15%, 1.5, a date in ISO form."""
    if type_name == "money" and isinstance(value, int):
        return format_amount(value, ruleset.currency, ruleset.minor_unit)
    if type_name == "percent" and isinstance(value, Fraction):
        return format_rate(value)
    if isinstance(value, Fraction):
        return f"{Decimal(value.numerator) / Decimal(value.denominator):f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_member(raw: object, enum: str, members: tuple[str, ...]) -> str:
    """A member of an enumeration, exactly as the program spells it."""
    if not isinstance(raw, str):
        raise ValueProblem(BAD_VALUE, f"`{shown(raw)}` is not a `{enum}`")
    text = raw.strip()
    if text in members:
        return text
    close = difflib.get_close_matches(text, members, n=1)
    hint = f"; did you mean `{close[0]}`?" if close else f"; expected one of {', '.join(members)}"
    raise ValueProblem(UNKNOWN_MEMBER, f"`{shown(text)}` is not a `{enum}`{hint}")


# --- partners --------------------------------------------------------------------------------------


def program_ids(ruleset: ir.RuleSet, what: str) -> tuple[str, ...]:
    """The ids of the program's contracts (`what` "contract") or tiers (else), over every version, in order."""
    found: dict[str, None] = {}
    for version in ruleset.versions:
        if what == "contract":
            found.update((c.id, None) for c in version.contracts)
        elif version.tiers is not None:
            found.update((t.id, None) for t in version.tiers.levels)
    return tuple(found)


def all_assigned(ruleset: ir.RuleSet) -> bool:
    """Whether every tier of the program is assigned (the partners file states each partner's tier)."""
    return all(t.assigned for v in ruleset.versions if v.tiers is not None for t in v.tiers.levels)


def unknown_reason(what: str, value: str, known: tuple[str, ...]) -> str:
    """Why a name the program does not know is refused, with the closest known one."""
    close = difflib.get_close_matches(value, known, n=1)
    hint = f"did you mean `{close[0]}`?" if close else f"the program has {', '.join(known) or 'none'}"
    return f"unknown {what} `{value}`; {hint}"


def no_tier_reason(partner_id: str, tiers: tuple[str, ...]) -> str:
    """Why a partner without a tier is refused when the vendor assigns every tier."""
    return (f"partner `{partner_id}` states no tier; the vendor assigns every tier, so the partners file names one "
            f"of {', '.join(tiers)}")


def left_problem(partner_id: str, joined: datetime.date | None, left: datetime.date | None) -> ValueProblem | None:
    """E521 when a partner leaves before it joins."""
    if joined is not None and left is not None and left < joined:
        return ValueProblem(BAD_VALUE, f"partner `{partner_id}` left on {left}, before it joined on {joined}")
    return None
