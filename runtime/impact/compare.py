"""Comparing two settlements of the same period, statement by statement: `compare_settlements`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from runtime import ir
from runtime.decisions import Settlement
from runtime.impact.model import (
    Impact,
    ImpactError,
    KindChange,
    PartnerImpact,
    Reconciliation,
    StandingChange,
    StandingKind,
)
from runtime.io.writers import ordered_kinds
from runtime.model import Statement

_EMPTY: Mapping[str, int] = {}


def standing(statement: Statement | None) -> dict[tuple[StandingKind, str], str | int | None]:
    """What a statement's partner stands at: its tier, the highest step of each ladder that pays it, what each
    bonus pays it; keyed by (what, ladder or bonus id)."""
    if statement is None:
        return {}
    found: dict[tuple[StandingKind, str], str | int | None] = {("tier", ""): statement.tier}
    for line in statement.period_lines:
        if line.kind == "ladder" and line.rule.step is not None:
            key: tuple[StandingKind, str] = ("ladder_step", line.rule.id)
            step = found.get(key)
            found[key] = max(line.rule.step, step) if isinstance(step, int) else line.rule.step
        elif line.kind == "bonus":
            key = ("bonus", line.rule.id)
            paid = found.get(key)
            found[key] = line.amount + (paid if isinstance(paid, int) else 0)
    return found


def standing_changes(old: Statement | None, new: Statement | None) -> tuple[StandingChange, ...]:
    """What moves between two statements of a partner: tier first, then ladders, then bonuses, each by id."""
    before, after = standing(old), standing(new)
    order = {"tier": 0, "ladder_step": 1, "bonus": 2}
    changes = []
    for what, rule_id in sorted(set(before) | set(after), key=lambda k: (order[k[0]], k[1])):
        was, now = before.get((what, rule_id)), after.get((what, rule_id))
        if was != now:
            changes.append(StandingChange(what, rule_id, was, now))
    return tuple(changes)


def kind_changes(before: Mapping[str, int], after: Mapping[str, int]) -> tuple[KindChange, ...]:
    """The amount of each kind of line either side carries, in statement order."""
    kinds = ordered_kinds({**before, **after})
    return tuple(KindChange(k, before.get(k, 0), after.get(k, 0)) for k in kinds)


def partner_impact(partner: str, old: Statement | None, new: Statement | None) -> PartnerImpact:
    """One partner's statements compared (a missing statement earns nothing)."""
    return PartnerImpact(partner, old.total if old else 0, new.total if new else 0,
                         kind_changes(old.totals if old else _EMPTY, new.totals if new else _EMPTY),
                         standing_changes(old, new))


def reconciliation(ruleset: ir.RuleSet, settlement: Settlement, engine: str,
                   codes: Mapping[str, int]) -> Reconciliation:
    """How a settlement read its rows, and which version of which program settled them."""
    version = ruleset.version_on(settlement.period.end)
    return Reconciliation(ruleset.program_id, version.version if version else "", engine, settlement.read,
                          settlement.accepted, settlement.rejected, settlement.held,
                          tuple(sorted((c, n) for c, n in codes.items() if n)))


def check_comparable(old: ir.RuleSet, new: ir.RuleSet) -> None:
    """Refuse two rule sets whose amounts are in different currencies or minor units (E586).

    Raises:
        ImpactError: E586.
    """
    if (old.currency, old.minor_unit) != (new.currency, new.minor_unit):
        raise ImpactError("E586", f"the old program pays in {old.currency} ({old.minor_unit} decimals) and the new "
                          f"one in {new.currency} ({new.minor_unit} decimals): their amounts cannot be compared",
                          "compare two programs that pay in the same currency")


def compare_settlements(old: Reconciliation, new: Reconciliation, before: Settlement, after: Settlement,
                        currency: str, minor_unit: int, rejected_old: Iterable[int] = (),
                        rejected_new: Iterable[int] = ()) -> Impact:
    """The impact of a change from the two settlements of one period, statement by statement.

    `rejected_old` and `rejected_new` are the rows each side rejected, to count those rejected on one side only.

    Raises:
        ImpactError: E587 when the two sides did not read the same rows.
    """
    if before.read != after.read or before.period != after.period:
        raise ImpactError("E587", f"the two settlements read {before.read:,} and {after.read:,} rows of "
                          f"{before.period} and {after.period}: the transactions changed between them",
                          "settle a file that stays as it is while both settlements read it")
    old_statements = {s.partner: s for s in before.statements}
    new_statements = {s.partner: s for s in after.statements}
    partners = tuple(partner_impact(pid, old_statements.get(pid), new_statements.get(pid))
                     for pid in sorted(set(old_statements) | set(new_statements)))
    totals_before: Counter[str] = Counter()
    totals_after: Counter[str] = Counter()
    for s in before.statements:
        totals_before.update(s.totals)
    for s in after.statements:
        totals_after.update(s.totals)
    old_rows, new_rows = set(rejected_old), set(rejected_new)
    return Impact(before.period, currency, minor_unit, old, new, partners,
                  kind_changes(totals_before, totals_after), len(old_rows - new_rows), len(new_rows - old_rows))
