"""A quote's next steps: what the partner still needs for the next ladder step, bonus target and tier.

Follows docs/computation.md ("A quote", step 14). Hints are words for people; a condition that
cannot be evaluated gives no hint rather than an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from runtime import ir
from runtime.decisions._limits import counted, least_reaching, step_reaches
from runtime.decisions._slots import PartnerSlots, QuoteCache
from runtime.engine import EvaluationError
from runtime.labels import rule_label
from runtime.loaded import LoadedVersion
from runtime.model import Partner, Volumes
from runtime.money import format_amount, format_rate

_BASIS = {"purchases": "purchases", "sales": "sales", "list_sales": "sales at list price", "quantity": "units"}


class Hints:
    """The next steps of one quote, for the partner that earns the ladder and bonuses and for the seller."""

    def __init__(self, ruleset: ir.RuleSet, version: LoadedVersion, cache: QuoteCache,
                 volumes: Mapping[str, Volumes]) -> None:
        self.ruleset = ruleset
        self.version = version
        self.rules = version.rules
        self.cache = cache
        self.volumes = volumes

    def money(self, value: int | Fraction) -> str:
        return format_amount(value, self.ruleset.currency, self.ruleset.minor_unit)

    def next_steps(self, partner: Partner, contract: ir.Contract, seller: Partner) -> tuple[str, ...]:
        """Ladder and bonus hints for `partner` under `contract`, then the tier hint for `seller`."""
        steps: list[str] = []
        volumes = self.volumes.get(partner.id) or Volumes()
        if contract.ladder is not None:
            ladder = self.version.index.ladders[contract.ladder]
            volume = volumes.basis(ladder.basis)
            upcoming = next((s for s in ladder.steps if not step_reaches(counted(volume, ladder.volume_cap), s)),
                            None)
            if upcoming is not None:
                more = least_reaching(upcoming.start, upcoming.strict) - volume
                steps.append(f"{self._volume(more, ladder.basis)} more {_BASIS[ladder.basis]} this period reach "
                             f"the {format_rate(upcoming.rate)} step of {rule_label(ir.RuleRef.ladder(ladder.id))}")
        assert self.version.period_slots is not None
        period_slots = PartnerSlots(self.version.period_slots, self.cache, partner, None, {})
        for bonus in self.rules.bonuses:
            if bonus.id not in contract.bonuses:
                continue
            if bonus.when is not None:
                try:
                    if not period_slots[ir.bonus_slot(bonus.id)]:
                        continue
                except EvaluationError:
                    continue
            volume = volumes.basis(bonus.basis)
            target = next((s for s in bonus.steps if not step_reaches(counted(volume, bonus.volume_cap), s)), None)
            if target is not None:
                more = least_reaching(target.target, target.strict) - volume
                steps.append(f"{self._volume(more, bonus.basis)} more {_BASIS[bonus.basis]} this "
                             f"period reach the next target of {rule_label(ir.RuleRef.bonus(bonus.id))}")
        steps.extend(self.tier_steps(seller))
        return tuple(steps)

    def _volume(self, amount: int, basis: str) -> str:
        return f"{amount:,} units" if basis == "quantity" else self.money(amount)

    def tier_steps(self, partner: Partner) -> list[str]:
        """What the partner lacks for the next better tier, when its qualification is plain enough to say."""
        if self.rules.tiers is None:
            return []
        levels = self.rules.tiers.levels
        index = next((i for i, t in enumerate(levels) if t.id == partner.tier), len(levels))
        if index == 0:
            return []
        better = levels[index - 1]
        if better.requirements is None:
            return []
        env = self.cache.partner_env(partner)
        missing: list[str] = []
        for req in better.requirements:
            current = env.get(f"{req.field[0]}.{req.field[1]}")
            if _meets(current, req):
                continue
            gap = _gap(current, req)
            if gap is None:  # a requirement that more volume cannot meet, such as the partner's level
                shown = req.value if not isinstance(req.value, bool) else str(req.value).lower()
                tier = rule_label(ir.RuleRef.tier(better.id))
                return [f"{tier} requires `{req.field[0]}.{req.field[1]} {req.op} {shown}`"]
            name = f"{req.field[0]}.{req.field[1]}"
            if isinstance(gap, bool):
                missing.append(f"`{name}`")
            else:
                shown = self.money(gap) if _is_money_field(self.ruleset, req.field) else _count(gap)
                missing.append(f"{shown} more `{name}`")
        if not missing:
            return []
        return [f"{' and '.join(missing)} qualify for {rule_label(ir.RuleRef.tier(better.id))}"]


def _count(value: int | Fraction) -> str:
    """A count for people: 1,200, or an exact fraction as a decimal (1.5) when the field holds one."""
    if isinstance(value, int) or value.denominator == 1:
        return f"{int(value):,}"
    return format_rate(value / 100).removesuffix("%")


def _is_money_field(ruleset: ir.RuleSet, field: tuple[str, str]) -> bool:
    if field[0] == "period":
        return field[1] in ("sales", "purchases", "list_sales")
    return any(i.scope == field[0] and i.name == field[1] and i.type == "money" for i in ruleset.inputs)


def _meets(current: Any, req: ir.Requirement) -> bool:
    """Whether a value already meets a requirement (False when it cannot be told)."""
    target = req.value
    try:
        return bool({"==": current == target, "!=": current != target,
                     ">=": current is not None and current >= target, ">": current is not None and current > target,
                     "<=": current is not None and current <= target, "<": current is not None and current < target,
                     }[req.op])
    except TypeError:
        return False


def _gap(current: Any, req: ir.Requirement) -> int | Fraction | bool | None:
    """How far a value is from meeting a requirement (None when it already does or cannot say)."""
    if req.op == "==" and req.value is True:
        return True if current is not True else None
    if not isinstance(current, int | Fraction) or isinstance(current, bool):
        return None
    target = req.value
    if not isinstance(target, int | Fraction):
        return None
    if req.op == ">=" and current < target:
        return target - current
    if req.op == ">" and current <= target:
        return target - current + (1 if isinstance(target, int) else 0)
    return None
