"""A loaded rule set: each version's expressions turned, once, into its entry functions.

Two entries per version: `transaction` (everything a quote reads: margins, uplifts, caps, fees,
pass-through, benefits) and `period` (tier qualifications and bonus conditions at period end).
The `compiled` engine generates one Python function per entry; the `interpreted` engine walks the
IR instead and is the reference the compiled one is tested against.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runtime import ir
from runtime.engine import EvalContext, EvaluationError, compile_entry, evaluate

Env = Mapping[str, Any]
Slots = Mapping[str, Any]


class SlotValues(dict[str, Any]):
    """Slot values by key; a slot whose expression failed raises its error when (and only when) it is read.

    A field is required only by the rules that apply: a partner without `nda_signed` is fine as long as
    no rule that applies to it reads that field.
    """

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, EvaluationError):
            raise value
        return value

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default


def transaction_slots(version: ir.Version) -> list[tuple[str, ir.Expr]]:
    """The expressions a quote evaluates, keyed by what they are."""
    slots: list[tuple[str, ir.Expr]] = []
    for c in version.contracts:
        for key, expr in (("margin", c.margin), ("fee", c.fee), ("services", c.services)):
            if expr is not None:
                slots.append((f"contract:{c.id}:{key}", expr))
    for t in version.tiers.levels if version.tiers else ():
        if t.uplift is not None:
            slots.append((f"tier:{t.id}:uplift", t.uplift))
    for lv in version.hierarchy.levels if version.hierarchy else ():
        slots.append((f"level:{lv.level}:margin", lv.margin))
    if (rules := version.price_rules) is not None:
        if rules.max_discount is not None:
            slots.append(("price:max_discount", rules.max_discount))
        for cap in rules.margin_caps:
            slots.extend(((f"cap:{cap.id}:when", cap.when), (f"cap:{cap.id}:cap", cap.cap)))
        for p in rules.pass_through:
            slots.extend(((f"pass:{p.id}:amount", p.amount), (f"pass:{p.id}:fee", p.fee)))
    for b in version.benefits:
        if b.when is not None:
            slots.append((f"benefit:{b.id}:when", b.when))
        if b.value is not None:
            slots.append((f"benefit:{b.id}:value", b.value))
    return slots


def period_slots(version: ir.Version) -> list[tuple[str, ir.Expr]]:
    """The expressions evaluated at period end: tier qualifications and bonus conditions."""
    slots = [(f"tier:{t.id}:qualify", t.qualify) for t in (version.tiers.levels if version.tiers else ())]
    slots.extend((f"bonus:{b.id}:when", b.when) for b in version.bonuses if b.when is not None)
    return slots


def deal_slots(version: ir.Version) -> list[tuple[str, ir.Expr]]:
    """The expressions a conflict decision evaluates for one claimant: exclusivity conditions."""
    rules = version.conflicts.precedence if version.conflicts else ()
    return [(f"conflict:{i}:when", r.when) for i, r in enumerate(rules) if r.when is not None]


def lead_slots(version: ir.Version) -> list[tuple[str, ir.Expr]]:
    """The expressions lead routing evaluates for one partner: eligibility, capacity, preferences."""
    routing = version.lead_routing
    if routing is None:
        return []
    slots = [("routing:eligible", routing.eligible), ("routing:skip_when", routing.skip_when)]
    slots.extend((f"routing:prefer:{i}", k.prefer) for i, k in enumerate(routing.order))
    return [(key, expr) for key, expr in slots if expr is not None]


@dataclass(frozen=True, slots=True)
class LoadedVersion:
    """A version with its entry functions."""

    rules: ir.Version
    transaction: Callable[[Env], Slots]
    period: Callable[[Env], Slots]
    deal: Callable[[Env], Slots]
    lead: Callable[[Env], Slots]


def _entry(name: str, slots: Sequence[tuple[str, ir.Expr]], ctx: EvalContext, program_id: str,
           engine: str) -> Callable[[Env], Slots]:
    keys = tuple(k for k, _ in slots)
    exprs = tuple(e for _, e in slots)
    if engine == "interpreted":

        def interpret(env: Env) -> Slots:
            values = SlotValues()
            for key, expr in zip(keys, exprs, strict=True):
                try:
                    values[key] = evaluate(expr, env, ctx)
                except EvaluationError as exc:
                    values[key] = exc
            return values

        return interpret
    compiled = compile_entry(name, slots, ctx, program_id)
    one_by_one: list[Callable[[Env], tuple[Any, ...]]] = []

    def run(env: Env) -> Slots:
        try:
            return SlotValues(zip(keys, compiled(env), strict=True))
        except EvaluationError:
            pass
        # Some slot failed: evaluate each on its own so that only the slots that failed carry the error.
        if not one_by_one:
            one_by_one.extend(compile_entry(f"{name}:{i}", [slot], ctx, program_id) for i, slot in enumerate(slots))
        values = SlotValues()
        for key, entry in zip(keys, one_by_one, strict=True):
            try:
                values[key] = entry(env)[0]
            except EvaluationError as exc:
                values[key] = exc
        return values

    return run


class Runtime:
    """A rule set ready to evaluate transactions."""

    def __init__(self, ruleset: ir.RuleSet, engine: str = "compiled") -> None:
        if engine not in ("compiled", "interpreted"):
            raise ValueError(f"unknown engine {engine!r}")
        self.ruleset = ruleset
        self.engine = engine
        self.context = EvalContext(ruleset.rounding_mode, ruleset.rounding_unit)
        self.versions = tuple(
            LoadedVersion(v, *(_entry(f"{v.version}:{name}", slots(v), self.context, ruleset.program_id, engine)
                               for name, slots in (("transaction", transaction_slots), ("period", period_slots),
                                                   ("deal", deal_slots), ("lead", lead_slots))))
            for v in ruleset.versions)

    def version_on(self, day: datetime.date) -> LoadedVersion | None:
        """The version in force on a day (None when no version covers it)."""
        rules = self.ruleset.version_on(day)
        return next((v for v in self.versions if v.rules is rules), None) if rules is not None else None
