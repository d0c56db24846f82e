"""Line rounding on integers: `round_line` without building Fractions, for the hot path of a quote.

A line amount is an exact ratio `numerator / denominator` of minor units (an amount times a rate
p/q is `amount * p / q`), rounded once to the program's unit in its mode. `round_ratio` gives the
same result as `runtime.money.round_line(Fraction(numerator, denominator), unit, mode)` for every
mode, sign and unit; a property test holds the two together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Final, NamedTuple, cast

from runtime import ir
from runtime.decisions._limits import capped_line
from runtime.engine import rounding
from runtime.money import round_line


class _Rounders(dict[str, Callable[[int, int, int], int]]):
    """Each mode's compiled rounder, by mode: a plain dict lookup on the hot path, filled on first use."""

    def __missing__(self, mode: str) -> Callable[[int, int, int], int]:
        rounder = self[mode] = cast(Callable[[int, int, int], int], rounding.ratio_rounder(mode))
        return rounder


_ROUNDERS: Final = _Rounders()


def round_ratio(numerator: int, denominator: int, unit: int, mode: str) -> int:
    """`numerator / denominator` rounded to a multiple of `unit` in `mode`, as `runtime.engine.round_to` does.

    The rule of `mode` in `runtime.engine.rounding.ROUNDING_RULES`, compiled once per mode.

    Args:
        numerator: any integer.
        denominator: more than zero (a Fraction's denominator).
        unit: the rounding unit, more than zero.
        mode: one of `runtime.engine.operators.ROUNDING_MODES`.

    Raises:
        ValueError: `mode` is not a rounding mode.

    >>> round_ratio(1250, 1, 100, "half_even"), round_ratio(-1250, 1, 100, "half_up"), round_ratio(7, 2, 1, "down")
    (1200, -1300, 3)
    """
    return _ROUNDERS[mode](numerator, denominator, unit)


def round_amount(value: int | Fraction, unit: int, mode: str) -> int:
    """`round_line(value, unit, mode)`, on integers when the value is an int or a Fraction."""
    if type(value) is int:
        return value if unit == 1 else round_ratio(value, 1, unit, mode)
    if type(value) is Fraction:
        return round_ratio(value.numerator, value.denominator, unit, mode)
    return round_line(value, unit, mode)  # anything else (a bool, say): exactly as before


def round_times(amount: int, rate: int | Fraction, unit: int, mode: str) -> int:
    """`round_line(amount * rate, unit, mode)` for an integer amount, without an intermediate Fraction."""
    if type(amount) is int and type(rate) is Fraction:
        return round_ratio(amount * rate.numerator, rate.denominator, unit, mode)
    return round_amount(amount * rate, unit, mode)


def round_complement(amount: int, rate: Fraction, unit: int, mode: str) -> int:
    """`round_line(amount * (1 - rate), unit, mode)`: a price at list less a margin."""
    if type(amount) is int and type(rate) is Fraction:
        return round_ratio(amount * (rate.denominator - rate.numerator), rate.denominator, unit, mode)
    return round_amount(amount * (1 - rate), unit, mode)


def margin_kind(level: int) -> str:
    """The kind of amount (`ir.AMOUNT_KINDS`) of a chain level's margin: level 0 is the vendor's direct partner."""
    return "margin" if level == 0 else "level_margin"


def price_terms(depth: int, stacked: bool, rounding: ir.Rounding) -> list[PriceTerms]:
    """How the price each level of a distributor chain pays is made of rounded amounts (docs/computation.md,
    "A quote", steps 6 and 8), for a chain of `depth` levels (0: the vendor's direct partner).

    The one statement of where a sale is rounded, read by the reference path (`chain_prices`), the quote
    plans' code generator and the SQL emitter; each turns a term's levels into its own rate expression:

    - rounding point `margin` (the default): each level's margin amount `list amount × mⱼ` is rounded in its
      kind's mode and the price is the list amount less it (`nested`: less level k's own margin; `stacked`:
      less the margins of level k and of every level below it), so margin + price = list amount exactly;
    - rounding point `wholesale`: the price `list amount × (1 − margin)` is rounded in the level's mode, and
      the margin is what is left.

    >>> rounding = ir.Rounding(1, "down", (("level_margin", "up"),))
    >>> [(t.sign, t.levels, t.mode) for t in price_terms(2, True, rounding)[0].terms]
    [(-1, (0,), 'down'), (-1, (1,), 'up')]
    """
    out = []
    for k in range(depth):
        below = tuple(range(k, depth)) if stacked else (k,)
        if rounding.point == "wholesale":
            out.append(PriceTerms(0, (Term(1, below, True, rounding.mode_for(margin_kind(k)), k == 0),)))
        else:
            out.append(PriceTerms(1, tuple(Term(-1, (j,), False, rounding.mode_for(margin_kind(j)), j == 0)
                                           for j in below)))
    return out


class Term(NamedTuple):
    """`sign × round(list amount × rate, unit, mode)`, rate = Σ of the levels' margins (or 1 less that sum)."""

    sign: int
    levels: tuple[int, ...]
    complement: bool
    mode: str
    capped: bool = False  # the level-1 partner's margin, which a contract's per-line `margin_cap` limits

    def rate(self, margins: Sequence[Fraction]) -> Fraction:
        """The term's rate, given every level's margin."""
        total = sum((margins[j] for j in self.levels), Fraction(0))
        return 1 - total if self.complement else total

    def amount(self, list_amount: int, margins: Sequence[Fraction], unit: int, cap: int | None = None) -> int:
        """The rounded amount, under the level-1 margin cap where it applies: the margin amount is at most `cap`
        either way (for a rounded price, the list amount less the price is)."""
        rounded = round_times(list_amount, self.rate(margins), unit, self.mode)
        if cap is None or not self.capped:
            return rounded
        if self.complement:
            return list_amount - capped_line(list_amount - rounded, cap)
        return capped_line(rounded, cap)


class PriceTerms(NamedTuple):
    """One level's price: `list amount × base + Σ` of its rounded terms."""

    base: int  # 1 (the list amount less rounded margins) or 0 (a rounded price)
    terms: tuple[Term, ...]


def chain_prices(list_amount: int, margins: Sequence[Fraction], stacked: bool, rounding: ir.Rounding,
                 margin_cap: int | None = None) -> list[int]:
    """What each level of a chain pays the level above it (level 0: the vendor), rounded as `price_terms` says.

    >>> r = ir.Rounding(1, "down")
    >>> chain_prices(999, [Fraction(3, 20)], False, r)  # margin 149.85 → ¥149, wholesale 999 − 149
    [850]
    >>> chain_prices(999, [Fraction(3, 20)], False, ir.Rounding(1, "down", point="wholesale"))  # 849.15 → ¥849
    [849]
    >>> chain_prices(999, [Fraction(3, 20)], False, r, margin_cap=100)  # the margin ¥149 is capped at ¥100
    [899]
    """
    unit = rounding.unit
    return [list_amount * priced.base + sum(term.sign * term.amount(list_amount, margins, unit, margin_cap)
                                            for term in priced.terms)
            for priced in price_terms(len(margins), stacked, rounding)]
