"""Thresholds and limits: when a volume has reached a ladder step or a bonus target, and what caps keep.

The one place these meanings are written (docs/computation.md, "Thresholds" and "Limits"); the
reference quote, the quote plans, row settlement, the hints, the guides and the SQL statement all
read them from here.

Volumes are whole numbers (minor units of money, or units), so `above X` (more than X) is the same
as `from X + 1`: the least volume that reaches a threshold is the one figure every engine compares
with.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from runtime import ir


def least_reaching(threshold: int, strict: bool) -> int:
    """The least volume that reaches a threshold: itself for `from`/`target`, one unit more for `above`.

    >>> least_reaching(1000, False), least_reaching(1000, True)
    (1000, 1001)
    """
    return threshold + 1 if strict else threshold


def reaches(volume: int | Fraction, threshold: int, strict: bool) -> bool:
    """Whether a volume has reached a threshold: `volume >= threshold`, or `volume > threshold` for `above`."""
    return volume > threshold if strict else volume >= threshold


def step_reaches(volume: int | Fraction, step: ir.Step | ir.BonusStep) -> bool:
    """Whether a volume has reached a ladder step or a bonus target."""
    if isinstance(step, ir.Step):
        return reaches(volume, step.start, step.strict)
    return reaches(volume, step.target, step.strict)


def counted(volume: int, volume_cap: int | None) -> int:
    """The volume a ladder or bonus counts: volume above its `volume_cap` is not counted."""
    return volume if volume_cap is None or volume <= volume_cap else volume_cap


def counted_share(volume: int, volume_cap: int | None) -> Fraction:
    """The share of a period's volume (and so of its list amounts) that a ladder or bonus counts: 1 below the cap."""
    if volume_cap is None or volume <= volume_cap:
        return Fraction(1)
    return Fraction(volume_cap, volume)


def capped_line(amount: int, cap: int | None) -> int:
    """A line under a per-line cap (money): at most `cap` either way; a refund's line at most `-cap`.

    The cap applies to the rounded line, so a capped line is the cap exactly.

    >>> capped_line(120_000, 100_000), capped_line(-120_000, 100_000), capped_line(90_000, 100_000)
    (100000, -100000, 90000)
    """
    if cap is None:
        return amount
    if amount > cap:
        return cap
    if amount < -cap:
        return -cap
    return amount


def margin_cap_note(cap: int | None, money: Callable[[int], str]) -> str:
    """What a margin line's label adds when the contract's per-line `margin_cap` limits it."""
    return f", margin capped at {money(cap)}" if cap is not None else ""


def fee_cap_note(cap: int | None, money: Callable[[int], str]) -> str:
    """What a capped fee line's label adds: `, capped at ¥1,000,000`."""
    return f", capped at {money(cap)}" if cap is not None else ""


def payout_excess(total: int, cap: int | None) -> int:
    """How much a partner's total for a period exceeds the program's `payout_cap` (0 when it does not)."""
    if cap is None or total <= cap:
        return 0
    return total - cap
