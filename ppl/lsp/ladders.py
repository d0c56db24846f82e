"""A ladder step or a bonus step in words, the way the guide reads them, with an example the engine's own
rules compute: the compiled rule set's thresholds, rates, volume caps and rounding.

A `from` step is reached at its threshold (以上) and ends below the next `from` (未満) or at the next `above`
(以下); an `above` step starts past its threshold (超).
"""

from __future__ import annotations

from fractions import Fraction

from runtime import ir
from runtime.decisions import least_reaching
from runtime.money import format_amount, format_rate, round_line

_PERIODS = {"month": "month", "quarter": "quarter", "half_year": "half year", "fiscal_year": "fiscal year"}
_BASES = {"purchases": "purchases", "sales": "sales", "list_sales": "sales at list price", "quantity": "quantity"}


def _volume(ruleset: ir.RuleSet, basis: str, value: int) -> str:
    return f"{value:,} units" if basis == "quantity" else format_amount(value, ruleset.currency, ruleset.minor_unit)


def _volume_ja(ruleset: ir.RuleSet, basis: str, value: int) -> str:
    return f"{value:,}個" if basis == "quantity" else format_amount(value, ruleset.currency, ruleset.minor_unit)


def step_range(ruleset: ir.RuleSet, ladder: ir.Ladder, index: int) -> tuple[str, str]:
    """A step's range and rate in English and Japanese: `from ¥10,000,000 up to but not including ¥50,000,000: 12%`."""
    step = ladder.steps[index]
    following = ladder.steps[index + 1] if index + 1 < len(ladder.steps) else None
    end = step.end if step.end is not None else following.start if following is not None else None
    inclusive_end = following is not None and following.strict and end == following.start
    low, low_ja = _volume(ruleset, ladder.basis, step.start), _volume_ja(ruleset, ladder.basis, step.start)
    english = f"{'above' if step.strict else 'from'} {low}"
    japanese = f"{low_ja}{'超' if step.strict else '以上'}"
    if end is None:
        english += " with no upper limit"
    else:
        high, high_ja = _volume(ruleset, ladder.basis, end), _volume_ja(ruleset, ladder.basis, end)
        english += f" up to and including {high}" if inclusive_end else f" up to but not including {high}"
        japanese += f"{high_ja}{'以下' if inclusive_end else '未満'}"
    rate = format_rate(step.rate)
    return f"{english}: {rate}", f"{japanese}: {rate}"


def _marginal_paid(ladder: ir.Ladder, index: int, volume: int) -> Fraction:
    """What the brackets below step `index` pay at `volume`, exactly: each holds the volume beyond its threshold,
    up to the next one."""
    total = Fraction(0)
    for below in range(index):
        step = ladder.steps[below]
        top = ladder.steps[below + 1].start
        total += max(0, min(volume, top) - step.start) * step.rate
    return total


def cap_note(ruleset: ir.RuleSet, ladder: ir.Ladder) -> str | None:
    """The ladder's volume cap in words, if it has one."""
    if ladder.volume_cap is None:
        return None
    return (f"The ladder counts at most {_volume(ruleset, ladder.basis, ladder.volume_cap)} of "
            f"{_BASES.get(ladder.basis, ladder.basis)} a {_PERIODS.get(ladder.period, ladder.period)}.")


def step_example(ruleset: ir.RuleSet, ladder: ir.Ladder, index: int) -> str:
    """A computed example at the least volume that reaches the step (under the ladder's volume cap)."""
    step = ladder.steps[index]
    volume = least_reaching(step.start, step.strict)
    counted = volume if ladder.volume_cap is None else min(volume, ladder.volume_cap)
    basis, period = _BASES.get(ladder.basis, ladder.basis), _PERIODS.get(ladder.period, ladder.period)
    shown = _volume(ruleset, ladder.basis, volume)
    mode, unit = ruleset.rounding.mode_for("ladder"), ruleset.rounding_unit
    rate = format_rate(step.rate)
    if ladder.basis == "quantity":
        return f"Example: {period} {basis} of {shown} reach this step: its rate is {rate}."
    if ladder.mode == "marginal":
        paid = round_line(_marginal_paid(ladder, index, counted), unit, mode)
        more = 10 ** (6 + ruleset.minor_unit)
        return (f"Example: at {period} {basis} of {shown} the brackets below pay "
                f"{format_amount(paid, ruleset.currency, ruleset.minor_unit)}; each further "
                f"{format_amount(more, ruleset.currency, ruleset.minor_unit)} inside this step adds "
                f"{format_amount(more * step.rate, ruleset.currency, ruleset.minor_unit)} ({rate}).")
    amount = round_line(counted * step.rate, unit, mode)
    return (f"Example: {period} {basis} of {shown} reach this step, and all of the period's sales at list price "
            f"are settled at {rate}: {format_amount(amount, ruleset.currency, ruleset.minor_unit)} on {shown} of them "
            f"(rounded {mode}).")


def bonus_step_text(ruleset: ir.RuleSet, bonus: ir.Bonus, index: int) -> str:
    """A bonus step in words: its target (以上 or 超) and what it pays."""
    step = bonus.steps[index]
    target = _volume(ruleset, bonus.basis, step.target)
    if step.pay_money is not None:
        pay = format_amount(step.pay_money, ruleset.currency, ruleset.minor_unit)
    else:
        pay = f"{format_rate(step.pay_rate or Fraction(0))} of the period's {_BASES.get(bonus.basis, bonus.basis)}"
    reached = f"more than {target}" if step.strict else f"{target} or more"
    return f"Pays {pay} once the {_PERIODS.get(bonus.period, bonus.period)}'s " \
           f"{_BASES.get(bonus.basis, bonus.basis)} reach {reached} ({bonus.kind.replace('_', '-')})."
