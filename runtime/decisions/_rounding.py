"""Line rounding on integers: `round_line` without building Fractions, for the hot path of a quote.

A line amount is an exact ratio `numerator / denominator` of minor units (an amount times a rate
p/q is `amount * p / q`), rounded once to the program's unit in its mode. `round_ratio` gives the
same result as `runtime.money.round_line(Fraction(numerator, denominator), unit, mode)` for every
mode, sign and unit; a property test holds the two together.
"""

from __future__ import annotations

from fractions import Fraction

from runtime.money import round_line


def round_ratio(numerator: int, denominator: int, unit: int, mode: str) -> int:
    """`numerator / denominator` rounded to a multiple of `unit` in `mode`, as `runtime.engine.round_to` does.

    Args:
        numerator: any integer.
        denominator: more than zero (a Fraction's denominator).
        unit: the rounding unit, more than zero.
        mode: one of `runtime.engine.operators.ROUNDING_MODES`.

    >>> round_ratio(1250, 1, 100, "half_even"), round_ratio(-1250, 1, 100, "half_up"), round_ratio(7, 2, 1, "down")
    (1200, -1300, 3)
    """
    step = denominator * unit
    # q rounds toward −∞ and 0 <= r < step: r / denominator is the remainder of value / unit.
    q, r = divmod(numerator, step)
    if r:
        if mode == "ceiling" or (mode == "down" and numerator < 0) or (mode == "up" and numerator > 0):
            q += 1
        elif mode == "half_up" or mode == "half_even":
            twice = 2 * r
            tie_up = numerator > 0 if mode == "half_up" else q % 2 == 1
            if twice > step or (twice == step and tie_up):
                q += 1
    return q * unit


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
