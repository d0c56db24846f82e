"""The terms of a period line: each rate on the base it really applies to, so the label recomputes to the amount.

A ladder or bonus line is one rounding (the program's, for its kind) of a sum of terms: a rate on a base,
or a fixed pay. Its label states those terms (docs/computation.md, "What a period line states"):

- a ladder rate applies to the list amounts, each group of them limited by its margin cap's headroom
  (a term per effective rate, the limited ones marked), scaled by the counted share under a volume cap
  or, for a marginal bracket, by the share of the volume inside it;
- a bonus step pays money, or its rate on the counted volume.

The amount is computed from the same terms, so Σ rate × base is the exact amount before its rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from runtime import ir
from runtime.decisions._limits import counted, step_reaches
from runtime.money import format_rate

LIMITED = "(limited by a margin cap)"


@dataclass(frozen=True, slots=True)
class LineTerm:
    """One term of a period line: `rate` on `base`, or a fixed pay of `base` when `rate` is None."""

    rate: Fraction | None
    base: Fraction
    limited: bool = False  # the rate is a margin cap's headroom, below the ladder's rate

    @property
    def value(self) -> Fraction:
        """What the term adds to the line, exactly."""
        return self.base if self.rate is None else self.rate * self.base


def ladder_terms(groups: Mapping[Fraction | None, int], rate: Fraction, scale: Fraction) -> list[LineTerm]:
    """A ladder rate's terms over list amounts grouped by margin-cap headroom (None: no cap applies).

    Each group gets min(rate, headroom); groups with the same effective rate are one term, whose base is
    their list amounts times `scale` (the counted share, or the share of the volume inside a bracket).
    Terms at the ladder's own rate come first, then the limited ones, highest rate first; a term with
    no base is left out unless no term has one.

    >>> [(t.rate, t.base, t.limited) for t in ladder_terms({None: 800, Fraction(1, 200): 200}, Fraction(1, 100),
    ...                                                      Fraction(1))]
    [(Fraction(1, 100), Fraction(800, 1), False), (Fraction(1, 200), Fraction(200, 1), True)]
    """
    merged: dict[tuple[bool, Fraction], Fraction] = {}
    for headroom, amount in groups.items():
        limited = headroom is not None and headroom < rate
        key = (limited, headroom if limited and headroom is not None else rate)
        merged[key] = merged.get(key, Fraction(0)) + amount * scale
    terms = [LineTerm(r, base, limited) for (limited, r), base in sorted(merged.items(), key=lambda kv: (
        kv[0][0], -kv[0][1])) if base]
    return terms or [LineTerm(rate, Fraction(0))]


def bonus_terms(bonus: ir.Bonus, volume: int) -> tuple[list[LineTerm], Fraction, int]:
    """What a bonus pays on a volume: the terms of the targets reached (a money pay, or a rate on the counted
    volume; a `one_off` bonus the highest only), the amount under the bonus's `cap`, and how many were reached."""
    volume = counted(volume, bonus.volume_cap)
    reached = [s for s in bonus.steps if step_reaches(volume, s)]
    if not reached:
        return [], Fraction(0), 0
    terms = [LineTerm(None, Fraction(s.pay_money)) if s.pay_money is not None
             else LineTerm(Fraction(s.pay_rate or 0), Fraction(volume)) for s in reached]
    if bonus.kind == "one_off":
        terms = terms[-1:]
    amount = terms_value(terms)
    if bonus.cap is not None:
        amount = min(amount, Fraction(bonus.cap))
    return terms, amount, len(reached)


def terms_value(terms: Iterable[LineTerm]) -> Fraction:
    """The exact sum of terms: the line's amount before its one rounding."""
    return sum((t.value for t in terms), Fraction(0))


def terms_text(terms: Sequence[LineTerm], base: Callable[[Fraction], str], pay: Callable[[Fraction], str]) -> str:
    """Terms as a label states them: `1% on ¥431,130,000 + 0.5% (limited by a margin cap) on ¥64,030,000`.

    `base` formats a rate's base (money, or units for a bonus on quantity), `pay` a fixed pay (money).
    """
    return " + ".join(pay(t.base) if t.rate is None else
                      f"{format_rate(t.rate)}{' ' + LIMITED if t.limited else ''} on {base(t.base)}" for t in terms)
