"""A loaded rule set: each version's expressions turned, once, into its entry functions.

Two entries per version: `transaction` (everything a quote reads: margins, uplifts, caps, fees,
pass-through, benefits) and `period` (tier qualifications and bonus conditions at period end).
The `compiled` engine generates one Python function per entry; the `interpreted` engine walks the
IR instead and is the reference the compiled one is tested against.

Decisions that read only a few slots of an entry (a quote reads the margin of one contract, the
caps and the seller's pass-through, not every slot of every contract) read them through a
`SlotTable`: the same slots, each evaluated on its own when it is read, and each classified by the
fields it reads, so that a slot that reads no field is evaluated once per version and one that reads
only `partner.*` and `period.*` fields can be kept per partner by the caller.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from runtime import instants, ir
from runtime.engine import EvalContext, EvaluationError, compile_entry, evaluate
from runtime.engine import operators as ops

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
        for key, expr in ((ir.contract_slot(c.id, "margin"), c.margin), (ir.contract_slot(c.id, "fee"), c.fee),
                          (ir.contract_slot(c.id, "services"), c.services)):
            if expr is not None:
                slots.append((key, expr))
    for t in version.tiers.levels if version.tiers else ():
        if t.uplift is not None:
            slots.append((ir.tier_slot(t.id, "uplift"), t.uplift))
    for lv in version.hierarchy.levels if version.hierarchy else ():
        slots.append((ir.level_slot(lv.level), lv.margin))
    if (rules := version.price_rules) is not None:
        if rules.max_discount is not None:
            slots.append((ir.price_slot("max_discount"), rules.max_discount))
        for cap in rules.margin_caps:
            slots.extend(((ir.cap_slot(cap.id, "when"), cap.when), (ir.cap_slot(cap.id, "cap"), cap.cap)))
        for p in rules.pass_through:
            slots.extend(((ir.pass_slot(p.id, "amount"), p.amount), (ir.pass_slot(p.id, "fee"), p.fee)))
            if p.billed is not None:
                slots.append((ir.pass_slot(p.id, "billed"), p.billed))
            if p.max_markup is not None:
                slots.append((ir.pass_slot(p.id, "max_markup"), p.max_markup))
    for b in version.benefits:
        if b.when is not None:
            slots.append((ir.benefit_slot(b.id, "when"), b.when))
        if b.value is not None:
            slots.append((ir.benefit_slot(b.id, "value"), b.value))
    return slots


def period_slots(version: ir.Version) -> list[tuple[str, ir.Expr]]:
    """The expressions evaluated at period end: tier qualifications and bonus conditions."""
    tiers = version.tiers.levels if version.tiers else ()
    slots: list[tuple[str, ir.Expr]] = [(ir.tier_slot(t.id, "qualify"), t.qualify) for t in tiers]
    slots.extend((ir.bonus_slot(b.id), b.when) for b in version.bonuses if b.when is not None)
    return slots


def deal_slots(version: ir.Version) -> list[tuple[str, ir.Expr]]:
    """The expressions a conflict decision evaluates for one claimant: exclusivity conditions."""
    rules = version.conflicts.precedence if version.conflicts else ()
    return [(ir.conflict_slot(i), r.when) for i, r in enumerate(rules) if r.when is not None]


def lead_slots(version: ir.Version) -> list[tuple[str, ir.Expr]]:
    """The expressions lead routing evaluates for one partner: eligibility, capacity, preferences."""
    routing = version.lead_routing
    if routing is None:
        return []
    slots = [(ir.routing_slot("eligible"), routing.eligible), (ir.routing_slot("skip_when"), routing.skip_when)]
    slots.extend((ir.routing_slot("prefer", i), k.prefer) for i, k in enumerate(routing.order))
    return [(key, expr) for key, expr in slots if expr is not None]


def reseller_slots(version: ir.Version) -> list[tuple[str, ir.Expr]]:
    """The expressions reseller routing evaluates for one distributor and one applicant: its preferences."""
    routing = version.hierarchy.routing if version.hierarchy is not None else None
    keys = routing.order if routing is not None else ()
    return [(ir.reseller_slot(i), k.prefer) for i, k in enumerate(keys) if k.prefer is not None]


CONSTANT: Final = "constant"
"""A slot that reads no field: one value per version."""
PARTNER: Final = "partner"
"""A slot that reads only `partner.*` and `period.*` fields: one value per partner and period volumes."""
TRANSACTION: Final = "transaction"
"""A slot that reads only `transaction.*` fields (but not `transaction.contract`, which falls back to the
partner's contract): the same value for every partner of a transaction's chain."""
MIXED: Final = "mixed"
"""A slot that reads both: evaluated on the whole environment of one partner and one transaction."""


def slot_kind(expr: ir.Expr) -> str:
    """What a slot's value depends on: CONSTANT, PARTNER, TRANSACTION or MIXED (by the fields it reads)."""
    fields = ops.fields_in_order([expr])
    scopes = {f.scope for f in fields}
    if not scopes:
        return CONSTANT
    if scopes <= {"partner", "period"}:
        return PARTNER
    if scopes == {"transaction"} and all(f.name != "contract" for f in fields):
        return TRANSACTION
    return MIXED


class SlotTable:
    """The slots of one entry, each evaluated on its own when it is read.

    It serves the decisions that need a few slots of an entry, not all of them. A slot's value depends
    only on the fields it reads (see `slot_kind`): a CONSTANT slot is evaluated once and kept here;
    callers may keep PARTNER slots per partner. A failing slot raises its `EvaluationError` from
    `evaluate` (or `constant`), so a slot that is never read never fails a decision, as with
    `SlotValues`. Every slot's function is generated once, at load, with the code the entry's
    one-by-one fallback uses, so its value and its error are those of the whole entry.
    """

    __slots__ = ("name", "kinds", "_exprs", "_functions", "_constants", "_ctx", "_program_id", "_engine")

    def __init__(self, name: str, slots: Sequence[tuple[str, ir.Expr]], ctx: EvalContext, program_id: str,
                 engine: str) -> None:
        self.name = name
        self.kinds: dict[str, str] = {key: slot_kind(expr) for key, expr in slots}
        self._exprs = dict(slots)
        self._functions: dict[str, Callable[[Env], tuple[Any, ...]]] = {}
        self._constants: dict[str, Any] = {}  # key → value, or the EvaluationError it raised
        self._ctx = ctx
        self._program_id = program_id
        self._engine = engine
        for key in self._exprs:  # INVARIANT: nothing is generated after load
            self._functions[key] = self._function(key)

    def __contains__(self, key: object) -> bool:
        return key in self.kinds

    def __repr__(self) -> str:
        return f"<SlotTable {self.name!r} ({len(self.kinds)} slots)>"

    def evaluate(self, key: str, env: Env) -> Any:
        """The value of one slot for an environment ("scope.name" → value).

        Raises:
            KeyError: the entry has no such slot.
            EvaluationError: the slot's expression failed (a missing or ill-typed field, …).
        """
        function = self._functions.get(key)
        if function is None:
            function = self._functions[key] = self._function(key)
        return function(env)[0]

    def constant(self, key: str) -> Any:
        """The value of a CONSTANT slot, evaluated the first time it is asked for.

        Raises:
            EvaluationError: the slot's expression failed (a fresh copy of the error each time).
        """
        try:
            value = self._constants[key]
        except KeyError:
            value = self._constants[key] = outcome(lambda: self.evaluate(key, {}))
        return value_of(value)

    def _function(self, key: str) -> Callable[[Env], tuple[Any, ...]]:
        expr, ctx = self._exprs[key], self._ctx
        if self._engine == "interpreted":
            return lambda env: (evaluate(expr, env, ctx),)
        return compile_entry(f"{self.name}:{key}", [(key, expr)], ctx, self._program_id)


def outcome(run: Callable[[], Any]) -> Any:
    """What `run()` gives: its value, or the `EvaluationError` it raised (to be kept and raised later)."""
    try:
        return run()
    except EvaluationError as exc:
        return exc


def value_of(outcome: Any) -> Any:
    """A kept outcome's value; a kept error is raised as a fresh copy, so tracebacks do not pile up."""
    if isinstance(outcome, EvaluationError):
        raise EvaluationError(outcome.code, outcome.message, outcome.at)
    return outcome


@dataclass(frozen=True, slots=True)
class VersionIndex:
    """A version's rules by id, and the slot keys a quote reads for them, for lookups in the hot path.

    Where ids repeat, the first wins, as a scan from the start would find it.
    """

    contracts: Mapping[str, ir.Contract] = field(default_factory=dict)
    tiers: Mapping[str, ir.Tier] = field(default_factory=dict)
    levels: Mapping[int, ir.Level] = field(default_factory=dict)
    ladders: Mapping[str, ir.Ladder] = field(default_factory=dict)
    # Each margin cap, with its `when` and `cap` slots.
    caps: tuple[tuple[ir.MarginCap, ir.SlotKey, ir.SlotKey], ...] = ()
    # By tier id: the benefits the tier has, in the program's order, with their `when` and `value` slots.
    benefits: Mapping[str, tuple[tuple[ir.Benefit, ir.SlotKey, ir.SlotKey], ...]] = field(default_factory=dict)


def index_version(version: ir.Version) -> VersionIndex:
    """Look-up tables for a version's contracts, tiers, hierarchy levels, ladders, caps and benefits."""
    def first(pairs: Sequence[tuple[Any, Any]]) -> dict[Any, Any]:
        found: dict[Any, Any] = {}
        for key, value in pairs:
            found.setdefault(key, value)
        return found

    tiers = first([(t.id, t) for t in (version.tiers.levels if version.tiers else ())])
    caps = version.price_rules.margin_caps if version.price_rules else ()
    return VersionIndex(first([(c.id, c) for c in version.contracts]), tiers,
                        first([(lv.level, lv) for lv in (version.hierarchy.levels if version.hierarchy else ())]),
                        first([(lad.id, lad) for lad in version.ladders]),
                        tuple((c, ir.cap_slot(c.id, "when"), ir.cap_slot(c.id, "cap")) for c in caps),
                        {tier_id: tuple((b, ir.benefit_slot(b.id, "when"), ir.benefit_slot(b.id, "value"))
                                        for b in version.benefits if b.id in tier.benefits)
                         for tier_id, tier in tiers.items()})


@dataclass(frozen=True, slots=True, eq=False)  # equal only to itself, and hashed as fast: it holds functions
class LoadedVersion:
    """A version with its entry functions (and their slots one by one, for decisions that read only a few)."""

    rules: ir.Version
    transaction: Callable[[Env], Slots]
    period: Callable[[Env], Slots]
    deal: Callable[[Env], Slots]
    lead: Callable[[Env], Slots]
    transaction_slots: SlotTable | None = None  # the `transaction` entry's slots
    period_slots: SlotTable | None = None  # the `period` entry's slots
    index: VersionIndex = field(default_factory=VersionIndex)
    reseller: Callable[[Env], Slots] = field(default=lambda env: SlotValues())  # reseller routing's preferences


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
        self.versions = tuple(self._load(v) for v in ruleset.versions)
        self._by_day: dict[datetime.date, LoadedVersion | None] = {}
        # Days on which a version starts or ends other than at midnight: there the instant decides, not the date.
        self.split_days = ruleset.split_days()
        # Generated quote plans' code by source (see runtime.decisions._fast): plans of one shape share it.
        self.plan_code: dict[Any, Any] = {}

    def _load(self, version: ir.Version) -> LoadedVersion:
        program_id, ctx, engine = self.ruleset.program_id, self.context, self.engine
        def entry(name: str, slots: Callable[[ir.Version], list[tuple[str, ir.Expr]]]) -> Callable[[Env], Slots]:
            return _entry(f"{version.version}:{name}", slots(version), ctx, program_id, engine)

        def table(name: str, slots: Callable[[ir.Version], list[tuple[str, ir.Expr]]]) -> SlotTable:
            return SlotTable(f"{version.version}:{name}", slots(version), ctx, program_id, engine)

        return LoadedVersion(version, entry("transaction", transaction_slots), entry("period", period_slots),
                             entry("deal", deal_slots), entry("lead", lead_slots),
                             table("transaction", transaction_slots), table("period", period_slots),
                             index_version(version), entry("reseller", reseller_slots))

    def version_on(self, day: datetime.date) -> LoadedVersion | None:
        """The version in force on a day (None when no version covers it); remembered per day."""
        try:
            return self._by_day[day]
        except KeyError:
            pass
        rules = self.ruleset.version_on(day)
        found = next((v for v in self.versions if v.rules is rules), None) if rules is not None else None
        self._by_day[day] = found
        return found

    def version_at(self, instant: datetime.datetime) -> LoadedVersion | None:
        """The version in force at an instant: by its calendar date, unless a version changes during that day."""
        day = instants.local_date(instant, self.ruleset.time_zone)
        if day not in self.split_days:
            return self.version_on(day)
        rules = self.ruleset.version_at(instant)
        return next((v for v in self.versions if v.rules is rules), None) if rules is not None else None

    def version_for(self, day: datetime.date, at: datetime.datetime | None) -> LoadedVersion | None:
        """The version in force for a transaction: at its instant when it has one, else at the start of its day."""
        return self.version_on(day) if at is None else self.version_at(at)
