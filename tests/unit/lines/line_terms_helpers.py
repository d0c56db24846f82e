"""Reading a period line's label back into its terms, and checking that they recompute to its amount."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from runtime.model import Line
from runtime.money import round_line

_TERM = re.compile(r"(?:(?P<rate>\d+(?:\.\d+)?)%(?P<limited> \(limited by a margin cap\))? on )?"
                   r"(?P<base>-?¥[\d,]+)")


@dataclass(frozen=True, slots=True)
class Stated:
    """What a ladder or bonus line's label states: its terms (rate or None for a fixed pay, base), the cap that
    limits their sum, and for a clawback what is owed and what was paid."""

    terms: tuple[tuple[Fraction | None, int], ...]
    capped: int | None = None
    owed: int | None = None
    paid: int | None = None


def yen(text: str) -> int:
    """An amount as a label writes it: ¥1,234 or -¥1,234."""
    return int(text.replace("¥", "").replace(",", ""))


def stated(line: Line) -> Stated:
    """The terms a label states: after its last `: `, before a closing note in parentheses."""
    text = line.label.rsplit(": ", 1)[1]
    text = re.sub(r" \([^()]*\)$", "", text)
    owed = paid = capped = None
    if line.kind.endswith("_clawback"):
        text, owes = text.rsplit(" = ", 1)
        owed_text, paid_text = owes.split(" owed, ")
        owed, paid = yen(owed_text), yen(paid_text.removesuffix(" paid"))
    if ", capped at " in text:
        text, cap = text.split(" = ")[0], text.rsplit(", capped at ", 1)[1]
        capped = yen(cap)
    if text == "no target reached":
        return Stated((), capped, owed, paid)
    terms = []
    for part in text.split(" + "):
        found = _TERM.fullmatch(part)
        assert found is not None, f"not a term: {part!r} in {line.label!r}"
        rate = Fraction(found["rate"]) / 100 if found["rate"] is not None else None
        terms.append((rate, yen(found["base"])))
    return Stated(tuple(terms), capped, owed, paid)


def recomputes(line: Line, unit: int, mode: str) -> bool:
    """Whether the terms a line states, rounded once as the program rounds the line's kind, give its amount.

    Bases are shown to the yen, so each may be up to half a yen from the base used: the amount must lie
    between the roundings of the stated sum less and plus that error (rounding is monotonic).
    """
    parts = stated(line)
    value = sum((base if rate is None else rate * base for rate, base in parts.terms), Fraction(0))
    slack = sum((rate / 2 for rate, _ in parts.terms if rate is not None), Fraction(0))
    if parts.capped is not None:
        assert value - slack >= parts.capped, line.label
        value, slack = Fraction(parts.capped), Fraction(0)
    low, high = round_line(value - slack, unit, mode), round_line(value + slack, unit, mode)
    amount = line.amount
    if parts.owed is not None and parts.paid is not None:
        assert amount == parts.owed - parts.paid, line.label
        amount = parts.owed
    return low <= amount <= high
