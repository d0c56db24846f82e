"""Every figure a worked example prints is what the runtime computes for the same case.

The guide records each case it ran (a transaction, a period, a contested deal, a lead) with the
figures it shows from it. Here each case is run again through `quote`, `settle`, `decide` or
`route`, each figure is taken from the fresh result by this test's own reading of it, and the
figure, formatted, must appear in the rendered guide.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from runtime import ir
from runtime.decisions import QuoteError, decide, quote, route, settle
from runtime.guides import (
    DecideCase,
    Formatter,
    QuoteCase,
    RejectCase,
    RouteCase,
    SettleCase,
    YearCase,
    build_guide,
    render,
)
from runtime.labels import rule_label
from runtime.loaded import Runtime
from runtime.model import Quote, Statement
from runtime.money import format_rate
from runtime.store import Ledger, LedgerLine, earned_figures, year_to_date

STEMS = ("saas_reseller", "ad_agency", "regional_trading")


def _from_quote(q: Quote, name: str) -> Any:
    kind, _, arg = name.partition(":")
    if kind in ("list_amount", "sell_amount", "margin", "wholesale"):
        return getattr(q, kind)
    if kind == "keeps":
        return next(s.keeps for s in q.chain if s.partner == arg) if arg else q.chain[-1].keeps
    if kind == "pays":
        return next(s.pays for s in q.chain if s.partner == arg)
    if kind == "rate":
        return sum((f.value for f in q.rates if f.name == arg), Fraction(0))
    if kind == "uncapped":
        return sum((f.value for f in q.rates if f.name != "margin cap"), Fraction(0))
    if kind == "line":
        return sum(line.amount for line in q.lines if line.kind == arg)
    if kind == "violations":
        return ",".join(v.kind for v in q.violations)
    if kind == "benefits":
        return ",".join(rule_label(b.rule) for b in q.benefits)
    raise AssertionError(name)


def _from_statement(s: Statement, name: str) -> Any:
    kind, _, arg = name.partition(":")
    if kind == "volume":
        return getattr(s.volumes, arg)
    if kind == "total":
        return s.totals.get(arg, 0)
    if kind == "next_tier":
        return s.next_tier.name if s.next_tier else None
    raise AssertionError(name)


def _appears(text: str, shown: str) -> bool:
    return re.search(rf"(?<![\d.])(?<!\d,){re.escape(shown)}(?!\d|,\d)", text) is not None


def _printed(fmt: Formatter, name: str, value: Any, basis_is_quantity: bool) -> list[str]:
    """How a figure may be printed: an amount in full or as a threshold, or a rate."""
    if isinstance(value, Fraction):
        return [format_rate(value)]
    if isinstance(value, int) and not isinstance(value, bool):
        if basis_is_quantity:
            return [fmt.units(value)]
        return [fmt.money(value), fmt.money_short(value)]
    return []


def _year_again(rt: Runtime, case: YearCase, folder: Path) -> list[tuple[LedgerLine, ...]]:
    """The statements of a year case settled again to each as-of, on another engine, against a ledger file."""
    ruleset = rt.ruleset
    runs = []
    with Ledger(folder / f"{len(list(folder.iterdir()))}.db") as ledger:
        for as_of in case.as_of:
            settlement = settle(rt, [t for t in case.transactions if t.date <= as_of], case.partners,
                                year_to_date(as_of, ruleset.fiscal_year_start), checked=True)
            run = ledger.record(ruleset.program_id, as_of, "0" * 64, earned_figures(settlement.statements),
                                currency=ruleset.currency, minor_unit=ruleset.minor_unit,
                                fiscal_year_start=ruleset.fiscal_year_start)
            runs.append(tuple(line for line in run.lines if line.partner == case.partner))
    return runs


def _check_year(rt: Runtime, case: YearCase, text: str, fmt: Formatter, folder: Path) -> int:
    """A year case's ledger lines are what settling it again computes, and each figure shown is printed."""
    assert _year_again(rt, case, folder) == list(case.runs)
    checked = 0
    for statement, lines in zip(case.statements, case.runs, strict=True):
        volume = statement.volumes.basis(case.basis)
        assert _appears(text, fmt.units(volume) if case.basis == "quantity" else fmt.money(volume))
        for line in (x for x in lines if x.kind in case.kinds):
            for value in (line.earned, line.paid_before, line.payable):
                assert not value or _appears(text, fmt.money(value)), (line, fmt.money(value))
                checked += 1
    return checked


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("stem", STEMS)
def test_every_worked_example_matches_the_runtime(stem: str, lang: str, examples: Callable[[str], ir.RuleSet],
                                                  tmp_path: Path) -> None:
    ruleset = examples(stem)
    guide = build_guide(ruleset, lang)
    text = render(guide, "md")
    rt = Runtime(ruleset, "interpreted")  # the reference engine, not the one the guide used
    fmt = Formatter(ruleset, lang)
    kinds = {type(case) for case in guide.cases}
    assert {QuoteCase, SettleCase, YearCase} <= kinds
    checked = 0
    # The cases are the runtime's own objects (a transaction may carry its catalog item's `item.*` fields): they are
    # decided again as the guide decided them, `checked`, not held to the checks of inputs built in Python.
    for case in guide.cases:
        if isinstance(case, QuoteCase):
            fresh = quote(rt, case.transaction, case.partners, case.volumes, next_steps=False, checked=True)
            assert fresh == case.result
            for name, value in case.shown:
                assert _from_quote(fresh, name) == value, (case.transaction, name)
                if value and name != "rate:tier uplift":
                    printed = _printed(fmt, name, value, False)
                    assert not printed or any(_appears(text, p) for p in printed), (name, printed)
                checked += 1
        elif isinstance(case, SettleCase):
            settlement = settle(rt, case.transactions, case.partners, case.period, checked=True)
            fresh_statement = next(s for s in settlement.statements if s.partner == case.partner)
            assert fresh_statement == case.result
            for name, value in case.shown:
                assert _from_statement(fresh_statement, name) == value, (case.transactions, name)
                quantity = name == "volume:quantity"
                printed = _printed(fmt, name, value, quantity)
                assert not printed or any(_appears(text, p) for p in printed), (name, printed)
                checked += 1
        elif isinstance(case, YearCase):
            checked += _check_year(rt, case, text, fmt, tmp_path)
        elif isinstance(case, DecideCase):
            assert decide(rt, case.deal, case.claims, case.partners, checked=True) == case.result
        elif isinstance(case, RouteCase):
            assert route(rt, case.lead, case.partners, checked=True) == case.result
        elif isinstance(case, RejectCase):
            with pytest.raises(QuoteError) as rejected:
                quote(rt, case.transaction, case.partners, next_steps=False, checked=True)
            assert rejected.value.code == case.code and case.code in text
    assert checked > 20


def test_the_margin_table_row_is_the_quote_of_that_tier(examples: Callable[[str], ir.RuleSet]) -> None:
    ruleset = examples("saas_reseller")
    text = render(build_guide(ruleset, "en"), "md")
    rows = [line for line in text.splitlines() if line.startswith("| Reseller | Tier 2 |")]
    assert rows == ["| Reseller | Tier 2 | 15% | 1% | 16% | ¥1,008,000 | ¥192,000 |"]
