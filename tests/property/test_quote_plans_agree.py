"""Property tests: a quote's generated plan gives exactly what the reference path gives.

For each example program, and for variants of its rule set (every rounding mode, rounding units of
1, 10 and 100, the hierarchy nested or stacked, either engine), random partners, period volumes and
transactions are quoted three ways: `Quoter.quote` (the plan's explained variant), `Quoter.figures`
(its plain variant) and `Quoter.reference` (the oracle). They must give equal quotes, sources
included, or fail with the same error. Partners and transactions are made from the program's own
declarations, so they carry its fields, tiers, contracts, caps and ladder steps, and are often
wrong on purpose: fields missing or of the wrong type, levels that are not a partner's place in its
chain, unknown partners and contracts, dates outside every version. The quoters are made `checked`, so
that such inputs reach the engines, which must refuse them alike, instead of the checks of inputs built
in Python (tests/unit/test_python_api.py).

Every call also checks that the plan really ran (`Quoter.plan_stats`): a quote the reference path
answers is answered by a plan, never by the reference path standing in for one (no program here has
a rule a plan cannot express, so no `NoPlan` is expected); a quote the rules refuse is refused by the
plan itself (a price rule's rejection), re-run on the reference path for its located error (counted
as refused), or refused before any plan (no version in force, an unknown SKU). `PPL_STRICT_PLANS=1`
(set for the suite) makes a plan that fails where the reference path answers raise.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.lower import compile_program
from compiler.pipeline import check
from policy_lang import diagnostics as dg
from runtime import ir
from runtime.decisions.quote import PlanStats, QuoteError, Quoter, figures_of
from runtime.engine import EvaluationError
from runtime.engine.operators import ROUNDING_MODES
from runtime.loaded import Runtime
from runtime.model import Partner, Transaction, Volumes

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ("saas_reseller", "ad_agency", "regional_trading")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VOLUME_BASES = ("sales", "purchases", "list_sales", "quantity", "deals")


@functools.cache
def ruleset(program: str) -> ir.RuleSet:
    result = check([str(ROOT / "programs" / f"{program}.yaml")])
    assert not dg.has_errors(result.diagnostics) and len(result.programs) == 1
    return compile_program(result.programs[0])


SKUS = ("A-1", "B-2", "C-3")


def _catalog(action: str, start: datetime.date) -> ir.Catalog:
    """Three SKUs in two categories, one with a price change; a stated list price that disagrees does `action`."""
    return ir.Catalog(("plan", "hardware"), action, (
        ir.CatalogItem("A-1", {}, "plan", "seat", ((start, 15),)),
        ir.CatalogItem("B-2", {}, "hardware", "device", ((start, 99_995), (datetime.date(2026, 10, 1), 1_234_567))),
        ir.CatalogItem("C-3", {}, "plan", "seat", ((start, 0),))))


PriceVariant = tuple[str, str, int | None, str, str, str, str, str | None]
"""Price rules put on every version: ceiling action, discount action, minimum fee and its action, a billed
amount on each pass-through (none, at cost, 10% above), its markup rule (none, allowed, at most 5%) and action,
and a catalog (None: none) with the action of a list price that disagrees with it."""


def _priced(v: ir.Version, prices: PriceVariant | None) -> ir.Version:
    if prices is None:
        return v
    ceiling, discount, min_fee, min_fee_action, billed, markup, action, catalog = prices
    if catalog is not None:
        v = dataclasses.replace(v, catalog=_catalog(catalog, v.effective_from))
    if v.price_rules is None:
        return v
    rules = v.price_rules

    def passed(p: ir.PassThrough) -> ir.PassThrough:
        if billed == "none":
            return p
        amount = p.amount if billed == "cost" else ir.Arith("*", p.amount, ir.Const("percent", Fraction(11, 10)))
        max_markup = ir.Const("percent", Fraction(5, 100)) if markup == "max" else None
        return dataclasses.replace(p, billed=amount, markup="allowed" if markup == "allowed" else "none",
                                   max_markup=max_markup, action=action)

    return dataclasses.replace(v, price_rules=dataclasses.replace(
        rules, ceiling_action=ceiling, max_discount_action=discount, min_fee=min_fee, min_fee_action=min_fee_action,
        pass_through=tuple(passed(p) for p in rules.pass_through)))


@functools.cache
def runtime(program: str, rounding: ir.Rounding, model: str, engine: str,
            prices: PriceVariant | None = None) -> Runtime:
    """The program's rule set with its rounding, hierarchy model and price rules' actions replaced."""
    base = ruleset(program)
    versions = tuple(_priced(dataclasses.replace(v, hierarchy=dataclasses.replace(v.hierarchy, model=model))
                             if v.hierarchy is not None else v, prices) for v in base.versions)
    return Runtime(dataclasses.replace(base, rounding=rounding, versions=versions), engine)


@st.composite
def roundings(draw: st.DrawFn) -> ir.Rounding:
    """A unit, a default mode, a mode for some kinds of amount, a rounding point and a marginal rounding."""
    modes = st.sampled_from(sorted(ROUNDING_MODES))
    kinds = draw(st.lists(st.sampled_from(ir.AMOUNT_KINDS), unique=True, max_size=4))
    by_kind = tuple((kind, draw(modes)) for kind in sorted(kinds))
    return ir.Rounding(draw(st.sampled_from([1, 10, 100])), draw(modes), by_kind,
                       draw(st.sampled_from(ir.ROUNDING_POINTS)), draw(st.sampled_from(ir.MARGINAL_ROUNDINGS)))


ACTIONS = st.sampled_from(ir.PRICE_ACTIONS)
PRICES: st.SearchStrategy[PriceVariant | None] = st.none() | st.tuples(
    ACTIONS, ACTIONS, st.sampled_from([None, 1, 50_000, 10**9]), ACTIONS, st.sampled_from(["none", "cost", "above"]),
    st.sampled_from(["none", "allowed", "max"]), ACTIONS, st.none() | ACTIONS)


@st.composite
def runtimes(draw: st.DrawFn, program: str) -> Runtime:
    return runtime(program, draw(roundings()), draw(st.sampled_from(["nested", "stacked"])),
                   draw(st.sampled_from(["compiled", "interpreted"])), draw(PRICES))


# --- values from the program's declarations -------------------------------------------------------------


def values_of(rules: ir.RuleSet, type_: str) -> st.SearchStrategy[Any]:
    """A value of a declared type, as a reader would give it."""
    match type_:
        case "money" | "integer":
            return st.integers(-10, 10) | st.integers(0, 5_000_000) | st.sampled_from([0, 10**9])
        case "number" | "percent":
            return st.fractions(-1, 2, max_denominator=1000) | st.integers(0, 100)
        case "boolean":
            return st.booleans()
        case "date":
            return st.dates(datetime.date(2025, 1, 1), datetime.date(2028, 1, 1))
        case "text":
            return st.text("abc", max_size=3)
    return st.sampled_from(rules.enums[type_])


def wrong_values(rules: ir.RuleSet, type_: str) -> st.SearchStrategy[Any]:
    """A value a field of that type must not hold: another type, or a member no enumeration has."""
    other = st.sampled_from(["12O0", "banner", None, 1.5, True, 7, Fraction(1, 3), datetime.date(2026, 1, 1)])
    return other.filter(lambda v: not _fits(rules, type_, v))


def _fits(rules: ir.RuleSet, type_: str, value: Any) -> bool:
    if type_ in ("money", "integer"):
        return type(value) is int
    if type_ in ("number", "percent"):
        return type(value) in (int, Fraction)
    if type_ == "boolean":
        return type(value) is bool
    if type_ == "date":
        return type(value) is datetime.date
    if type_ == "text":
        return type(value) is str
    return value in rules.enums[type_]


@st.composite
def fields_of(draw: st.DrawFn, rules: ir.RuleSet, scope: str) -> dict[str, Any]:
    """The declared fields of a scope: mostly right, some missing, some of the wrong type."""
    found: dict[str, Any] = {}
    for decl in rules.inputs:
        if decl.scope != scope:
            continue
        kind = draw(st.sampled_from(["right"] * 8 + ["missing", "wrong"]))
        if kind == "right":
            found[decl.name] = draw(values_of(rules, decl.type))
        elif kind == "wrong":
            found[decl.name] = draw(wrong_values(rules, decl.type))
    return found


def _contracts(rules: ir.RuleSet) -> list[str]:
    return sorted({c.id for v in rules.versions for c in v.contracts})


def _tiers(rules: ir.RuleSet) -> list[str]:
    return sorted({t.id for v in rules.versions if v.tiers for t in v.tiers.levels})


@st.composite
def partner_sets(draw: st.DrawFn, rules: ir.RuleSet) -> dict[str, Partner]:
    """Partners in distributor chains: each a level below its parent, or (now and then) not."""
    contract = st.sampled_from([*_contracts(rules) * 4, "ghost-contract"])
    tier = st.sampled_from([*_tiers(rules) * 3, None, "ghost-tier"])
    found: dict[str, Partner] = {}
    for n in range(draw(st.integers(1, 7))):
        parent = draw(st.sampled_from([None, *found, *found, "nobody"])) if n else None
        level = found[parent].level + 1 if parent in found else 1
        if draw(st.integers(0, 9)) == 0:
            level = draw(st.integers(0, 4))  # not its place in its chain
        pid = f"p{n}"
        found[pid] = Partner(pid, draw(contract), draw(tier), level, parent, draw(fields_of(rules, "partner")))
    return found


def _boundaries(rules: ir.RuleSet) -> list[int]:
    """Every ladder step's start and end and every bonus target, with the values either side of them."""
    edges = {0}
    for v in rules.versions:
        for ladder in v.ladders:
            for step in ladder.steps:
                edges.update(e for e in (step.start, step.end) if e is not None)
        for bonus in v.bonuses:
            edges.update(s.target for s in bonus.steps)
    return sorted({e + d for e in edges for d in (-1, 0, 1)})


@st.composite
def volume_sets(draw: st.DrawFn, rules: ir.RuleSet, partners: dict[str, Partner]) -> dict[str, Volumes]:
    volume = st.sampled_from(_boundaries(rules)) | st.integers(0, 3 * 10**9)
    return {pid: Volumes(**{b: draw(volume) for b in VOLUME_BASES})
            for pid in partners if draw(st.integers(0, 4))}  # a few partners have no volumes yet


def _days(rules: ir.RuleSet) -> list[datetime.date]:
    """Around every version's first and last day: inside, and just outside, every version."""
    one = datetime.timedelta(days=1)
    edges = [d for v in rules.versions for d in (v.effective_from, v.effective_until) if d is not None]
    return sorted({d + k * one for d in edges for k in (-1, 0, 1)} | {datetime.date(2020, 1, 1)})


@st.composite
def transactions(draw: st.DrawFn, rules: ir.RuleSet, partners: dict[str, Partner], n: int) -> Transaction:
    seller = draw(st.sampled_from(sorted(partners)) | st.sampled_from([*partners, "stranger"]))
    contract = draw(st.sampled_from([None] * 6 + ["", "ghost", *_contracts(rules)]))
    list_price = draw(st.sampled_from([0, 1, 5, 15, 25, 99_995, 1_234_567]) | st.integers(0, 5_000_000))
    sell = draw(st.sampled_from(["list", "above", "small", "deep", "free", "any"]))
    sell_price = {"list": list_price, "above": list_price + draw(st.integers(1, 10_000)),
                  "small": list_price * draw(st.integers(85, 99)) // 100, "deep": list_price // 3, "free": 0,
                  "any": draw(st.integers(0, 6_000_000))}[sell]
    quantity = draw(st.sampled_from([1, 1, 2, 3, 0, -1, -3]) | st.integers(-50, 50))
    product = draw(st.sampled_from(["", "licence", "reserved", "spare_parts"]))
    inside = st.dates(rules.versions[0].effective_from, datetime.date(2027, 12, 31))
    day = draw(inside | inside | st.sampled_from(_days(rules)))
    sku = draw(st.sampled_from([None, None, *SKUS, "Z-9"]))  # with a catalog: its SKUs and an unknown one
    return Transaction(f"t{n}", day, seller, list_price, sell_price, quantity,
                       contract, product, draw(fields_of(rules, "transaction")), sku=sku)


@st.composite
def cases(draw: st.DrawFn, program: str) -> tuple[Runtime, dict[str, Partner], dict[str, Volumes],
                                                    list[Transaction]]:
    rt = draw(runtimes(program))
    people = draw(partner_sets(rt.ruleset))
    volumes = draw(volume_sets(rt.ruleset, people))
    txns = [draw(transactions(rt.ruleset, people, n)) for n in range(draw(st.integers(1, 12)))]
    return rt, people, volumes, txns


flags = st.fixed_dictionaries({k: st.booleans() for k in ("include_ladder", "next_steps", "benefits", "violations")})


# --- agreement ------------------------------------------------------------------------------------------


Outcome = tuple[Any, Exception | None]


def outcome(call: Callable[[], Any]) -> Outcome:
    """What a call gives: its value, or the error it raised."""
    try:
        return call(), None
    except Exception as exc:  # noqa: BLE001 - every error is compared, not only the expected kinds
        return None, exc


def described(error: Exception | None) -> tuple[Any, ...] | None:
    """An error as the caller sees it: its class, code, message and place (its text, for an unexpected one)."""
    if error is None:
        return None
    if isinstance(error, QuoteError | EvaluationError):
        return type(error), error.code, error.message, error.at
    return type(error), str(error)


def assert_same(found: Outcome, expected: Outcome) -> None:
    assert described(found[1]) == described(expected[1])
    assert found[0] == expected[0]


REFUSED_BEFORE_A_PLAN = frozenset({"E510", "E555"})
"""Codes raised before a plan is looked up: no version in force on the date, a SKU the catalog lacks."""


def assert_planned(before: PlanStats, after: PlanStats, calls: int, error: Exception | None) -> None:
    """The `calls` quotes made between two readings of a quoter's counts ran on its plan (see the module's text)."""
    planned, refused = after.planned - before.planned, after.refused - before.refused
    assert after.no_plan == before.no_plan, after.by_reason
    assert after.errors == before.errors == 0, after.by_reason
    if error is None:
        assert (planned, refused) == (calls, 0), after.by_reason
    elif isinstance(error, QuoteError | EvaluationError) and error.code in REFUSED_BEFORE_A_PLAN:
        assert (planned, refused) == (0, 0), after.by_reason
    else:  # the plan refused it itself (a rejected price), or raised and the reference path refused it
        assert planned + refused == calls, after.by_reason


def assert_agrees(quoter: Quoter, txn: Transaction, fast_first: bool) -> None:
    """The plan's quote and figures are the reference's, or all three fail with the same error; the plan ran."""
    before = quoter.plan_stats
    made = outcome(lambda: quoter.quote(txn)) if fast_first else None  # the plan is made before the reference runs
    reference = outcome(lambda: quoter.reference(txn))
    if made is not None:
        assert_same(made, reference)
    assert_same(outcome(lambda: quoter.quote(txn)), reference)
    expected, error = reference
    assert_same(outcome(lambda: quoter.figures(txn)), (None if error else figures_of(expected), error))
    assert_planned(before, quoter.plan_stats, 3 if fast_first else 2, error)


@pytest.mark.parametrize("program", PROGRAMS)
@SETTINGS
@given(data=st.data())
def test_plans_agree_with_the_reference_path(program: str, data: st.DataObject) -> None:
    rt, people, volumes, txns = data.draw(cases(program))
    options = data.draw(flags)
    shared = Quoter(rt, people, volumes, **options, checked=True)
    for txn in txns:
        fresh = Quoter(rt, people, volumes, **data.draw(flags), checked=True)
        assert_agrees(fresh, txn, fast_first=data.draw(st.booleans()))
    for txn in [*txns, *txns]:  # a reused quoter answers from the plans it keeps
        assert_agrees(shared, txn, fast_first=True)


@pytest.mark.parametrize("program", PROGRAMS)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_figures_alone_agree_with_the_reference_path(program: str, data: st.DataObject) -> None:
    # A quoter asked only for figures makes its plans from the plain variant's first call.
    rt, people, volumes, txns = data.draw(cases(program))
    quoter = Quoter(rt, people, volumes, **data.draw(flags), checked=True)
    for txn in [*txns, *txns]:
        before = quoter.plan_stats
        found = outcome(lambda: quoter.figures(txn))  # noqa: B023 - called at once
        expected, error = outcome(lambda: quoter.reference(txn))  # noqa: B023 - called at once
        assert_same(found, (None if error else figures_of(expected), error))
        assert_planned(before, quoter.plan_stats, 1, error)
