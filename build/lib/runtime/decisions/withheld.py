"""Withheld benefits: the benefits of a partner's tier whose condition fails on a date, and why in words.

A failing `valid_on` names the record and its date ("NDA expired on 2026-08-31", "Controllers not valid
until 2026-10-01", "no `nda` on file"); a count of records valid on a date names the count and the records
not valid then; any other condition is stated as written ("condition not met: `partner.open_leads < 20`").
A record is named by its `name`, else by its input (`` `nda` ``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from runtime import ir
from runtime.canon import format_expr
from runtime.decisions._pricing import _title as title_of
from runtime.engine import EvalContext, EvaluationError, evaluate
from runtime.engine import operators as ops
from runtime.loaded import Runtime
from runtime.model import Figure, Partner, Withheld


def withheld_benefits(version: ir.Version, partner: Partner, env: Mapping[str, Any], ctx: EvalContext,
                      currency: str = "JPY", minor_unit: int = 0) -> tuple[Withheld, ...]:
    """The benefits of the partner's tier (under `version`) that their `when` withholds in `env`, in program order."""
    tier = next((t for t in version.tiers.levels if t.id == partner.tier), None) if version.tiers else None
    if tier is None:
        return ()
    found = []
    for benefit in version.benefits:
        if benefit.id not in tier.benefits or benefit.when is None:
            continue
        reasons = benefit_reasons(benefit.when, env, ctx, currency, minor_unit)
        if reasons:
            found.append(Withheld(_title(benefit), reasons, ir.RuleRef.benefit(benefit.id, benefit.at), benefit.at))
    return tuple(found)


def benefits_on(version: ir.Version, partner: Partner, env: Mapping[str, Any],
                rt: Runtime) -> tuple[tuple[Figure, ...], tuple[Withheld, ...]]:
    """The benefits of the partner's tier granted and withheld in `env` (a statement's: `as_of` its last day).

    Both are empty unless some benefit of the version has a condition, so that a program whose benefits are
    unconditional states them in its guide alone.
    """
    tier = next((t for t in version.tiers.levels if t.id == partner.tier), None) if version.tiers else None
    if tier is None or not any(b.when is not None for b in version.benefits):
        return (), ()
    ruleset = rt.ruleset
    withheld = withheld_benefits(version, partner, env, rt.context, ruleset.currency, ruleset.minor_unit)
    kept = {w.rule.id for w in withheld}
    granted = []
    for benefit in version.benefits:
        if benefit.id in tier.benefits and benefit.id not in kept:
            try:
                value = evaluate(benefit.value, env, rt.context) if benefit.value is not None else 0
            except EvaluationError:
                value = 0
            granted.append(Figure(_title(benefit), value, ir.RuleRef.benefit(benefit.id, benefit.at), benefit.at))
    return tuple(granted), withheld


def _title(benefit: ir.Benefit) -> str:
    return title_of(benefit.title, benefit.id)


def benefit_reasons(when: ir.Expr, env: Mapping[str, Any], ctx: EvalContext, currency: str = "JPY",
                    minor_unit: int = 0) -> tuple[str, ...]:
    """Why a condition fails in `env` (empty when it holds)."""
    try:
        if ops.truth(evaluate(when, env, ctx)):
            return ()
    except EvaluationError as error:
        return (f"its condition cannot be decided: {error.message}",)
    return tuple(_Why(env, ctx, currency, minor_unit).why(when))


class _Why:
    def __init__(self, env: Mapping[str, Any], ctx: EvalContext, currency: str, minor_unit: int) -> None:
        self.env, self.ctx, self.currency, self.minor_unit = env, ctx, currency, minor_unit

    def value(self, expr: ir.Expr) -> Any:
        return evaluate(expr, self.env, self.ctx)

    def holds(self, expr: ir.Expr) -> bool:
        try:
            return bool(ops.truth(self.value(expr)))
        except EvaluationError:
            return False

    def why(self, expr: ir.Expr) -> list[str]:
        """The reasons a failing condition fails, most specific first."""
        match expr:
            case ir.And(left=a, right=b):
                return self.why(a) if not self.holds(a) else self.why(b)
            case ir.Or(left=a, right=b):
                return self.why(a) + self.why(b)
            case ir.Call(function="valid_on", args=(record, day)):
                return [self.record_reason(record, day)]
            case ir.Compare(left=ir.Call(function="count_valid_on", args=(items, day))):
                return [self.not_met(expr), *self.records_reasons(items, day)]
        return [self.not_met(expr)]

    def not_met(self, expr: ir.Expr) -> str:
        return f"condition not met: `{format_expr(expr, self.currency, self.minor_unit)}`"

    def record_reason(self, record_expr: ir.Expr, day_expr: ir.Expr) -> str:
        try:
            record, day = self.value(record_expr), self.value(day_expr)
        except EvaluationError as error:
            return f"its condition cannot be decided: {error.message}"
        if not isinstance(record, ir.Dated):
            return f"no {_input_name(record_expr)} on file"
        return record_words(record, day, _input_name(record_expr))

    def records_reasons(self, items_expr: ir.Expr, day_expr: ir.Expr) -> list[str]:
        try:
            records, day = self.value(items_expr), self.value(day_expr)
        except EvaluationError:
            return []
        if not records:
            return [f"no {_input_name(items_expr)} on file"]
        return [record_words(r, day, _input_name(items_expr)) for r in _sorted(records)
                if isinstance(r, ir.Dated) and not r.valid_on(day)]


def record_words(record: ir.Dated, day: datetime.date, input_name: str) -> str:
    """A record not valid on `day`, in words: "NDA expired on 2026-08-31", "X not valid until 2026-10-01"."""
    label = record.name or input_name
    if day < record.start:
        return f"{label} not valid until {record.start.isoformat()}"
    if record.until is not None and record.until < day:
        return f"{label} expired on {record.until.isoformat()}"
    return f"{label} in force since {record.start.isoformat()}"  # not the reason: another part of the condition


def _input_name(expr: ir.Expr) -> str:
    return f"`{expr.name}`" if isinstance(expr, ir.Field) else f"`{format_expr(expr)}`"


def _sorted(records: Iterable[Any]) -> list[ir.Dated]:
    return sorted((r for r in records if isinstance(r, ir.Dated)), key=lambda r: (r.start, r.name))
