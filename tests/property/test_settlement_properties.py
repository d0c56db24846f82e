"""Properties of quotes and statements over random programs and transactions.

- the compiled runtime and the reference interpreter produce identical statements and lines;
- statements reconcile: totals are the sums of their lines, and along a chain the levels' shares add
  up to what the customer paid less what the vendor received;
- for a ladder whose rates rise, retroactive never pays less than marginal;
- rounding never moves a line by a full rounding unit or more; margin + wholesale = list amount exactly;
- a ladder is one line, rounded once: less than a unit from its exact value.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from runtime.decisions import quote, settle
from runtime.loaded import Runtime
from runtime.model import Line, Partner, Period, Transaction

FY = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def programs(draw: st.DrawFn, mode: str | None = None, hierarchy: bool | None = None) -> dict[str, Any]:
    n = draw(st.integers(1, 4))
    thresholds = sorted(draw(st.sets(st.integers(1, 50_000_000), min_size=n - 1, max_size=n - 1)))
    rates = sorted(draw(st.lists(st.integers(0, 80), min_size=n, max_size=n)))  # tenths of a percent, rising
    return {
        "margin": draw(st.integers(0, 300)),  # tenths of a percent
        "mode": mode or draw(st.sampled_from(["retroactive", "marginal"])),
        "steps": list(zip([0, *thresholds], rates, strict=True)),
        "rounding": draw(st.sampled_from(["down", "up", "half_up", "half_even"])),
        "unit": draw(st.sampled_from([1, 10, 100])),
        "bonus": draw(st.sampled_from(["one_off", "cumulative"])),
        "hierarchy": draw(st.sampled_from(["nested", "stacked"])) if hierarchy or (
            hierarchy is None and draw(st.booleans())) else None,
    }


def _pct(tenths: int) -> str:
    """A rate in tenths of a percent, written as the language writes it: 125 → `12.5%`."""
    return f"{tenths // 10}.{tenths % 10}%" if tenths % 10 else f"{tenths // 10}%"


def build(spec: dict[str, Any], engine: str) -> Runtime:
    steps = "".join(f"      - from: ¥{start:,}\n        rate: {_pct(rate)}\n" for start, rate in spec["steps"])
    hierarchy = ""
    margin = f"    margin: {_pct(spec['margin'])}\n"
    if spec["hierarchy"]:
        margin = ""
        hierarchy = (f"hierarchy:\n  model: {spec['hierarchy']}\n  max_depth: 3\n  levels:\n"
                     "    - {level: 1, margin: 20%}\n    - {level: 2, margin: 8%}\n    - {level: 3, margin: 5%}\n")
        if spec["hierarchy"] == "nested":
            hierarchy = hierarchy.replace("margin: 8%", "margin: 15%").replace("margin: 5%", "margin: 10%")
    text = f"""\
ppl: 1
program:
  id: random
  title: Random
  version: "1"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {{mode: {spec['rounding']}, unit: ¥{spec['unit']}}}
  fiscal_year_start: 4
contracts:
  - id: c
    kind: distributor
{margin}    ladder: volume
    bonuses: [target]
ladders:
  - id: volume
    basis: list_sales
    period: fiscal_year
    mode: {spec['mode']}
    steps:
{steps}bonuses:
  - id: target
    basis: sales
    period: quarter
    kind: {spec['bonus']}
    steps:
      - target: ¥1,000,000
        pay: ¥10,000
      - target: ¥5,000,000
        pay: 1%
    cap: ¥60,000
{hierarchy}"""
    loaded = load_program_text("random.yaml", text)
    assert loaded.program is not None, dg.render_text(loaded.diagnostics, {"random.yaml": loaded.source})
    errors = [d for d in check_program(loaded.program) if d.severity is dg.Severity.ERROR]
    assert not errors, dg.render_text(errors, {"random.yaml": loaded.source}) + text
    return Runtime(compile_program(loaded.program), engine)


PARTNERS = {p.id: p for p in (Partner("a", "c", level=1), Partner("b", "c", level=2, parent="a"),
                              Partner("d", "c", level=3, parent="b"), Partner("e", "c", level=1))}


@st.composite
def transactions(draw: st.DrawFn, refunds: bool = True) -> list[Transaction]:
    out = []
    for i in range(draw(st.integers(1, 25))):
        list_price = draw(st.integers(1, 3_000_000))
        quantity = draw(st.integers(-3, 8) if refunds else st.integers(1, 8)) or 1
        sell = draw(st.integers(list_price * 8 // 10, list_price))
        day = datetime.date(2026, 4, 1) + datetime.timedelta(days=draw(st.integers(0, 364)))
        out.append(Transaction(f"t{i}", day, draw(st.sampled_from(sorted(PARTNERS))), list_price, sell, quantity))
    return out


def run(rt: Runtime, txns: list[Transaction], partners: dict[str, Partner]) -> tuple[Any, list[Line]]:
    lines: list[Line] = []
    return settle(rt, txns, partners, FY, on_line=lines.append), lines


def flat(spec: dict[str, Any]) -> dict[str, Partner]:
    return PARTNERS if spec["hierarchy"] else {k: Partner(k, "c") for k in PARTNERS}


@SETTINGS
@given(spec=programs(), txns=transactions())
def test_compiled_and_interpreted_statements_are_identical(spec: dict[str, Any], txns: list[Transaction]) -> None:
    partners = flat(spec)
    compiled, compiled_lines = run(build(spec, "compiled"), txns, partners)
    interpreted, interpreted_lines = run(build(spec, "interpreted"), txns, partners)
    assert compiled.statements == interpreted.statements
    assert compiled_lines == interpreted_lines


@SETTINGS
@given(spec=programs(), txns=transactions())
def test_statements_reconcile(spec: dict[str, Any], txns: list[Transaction]) -> None:
    partners = flat(spec)
    rt = build(spec, "compiled")
    result, lines = run(rt, txns, partners)
    assert result.read == result.accepted + result.rejected == len(txns)
    by_partner: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for line in lines:
        by_partner[line.partner][line.kind] += line.amount
    for statement in result.statements:
        expected = dict(by_partner[statement.partner])
        for line in statement.period_lines:
            expected[line.kind] = expected.get(line.kind, 0) + line.amount
        assert {k: v for k, v in statement.totals.items() if v or k in expected} == expected
    for txn in txns:
        q = quote(rt, txn, partners, include_ladder=False)
        assert sum(s.keeps for s in q.chain) == q.sell_amount - q.chain[0].pays


@SETTINGS
@given(spec=programs(hierarchy=False), txns=transactions(refunds=False))
def test_retroactive_never_pays_less_than_marginal_when_rates_rise(spec: dict[str, Any],
                                                                   txns: list[Transaction]) -> None:
    partners = flat(spec)
    totals = {}
    for mode in ("retroactive", "marginal"):
        result, _ = run(build({**spec, "mode": mode, "rounding": "down", "unit": 1}, "compiled"), txns, partners)
        totals[mode] = sum(s.totals.get("ladder", 0) for s in result.statements)
    # Each ladder is rounded down once, on its exact value, and rounding down keeps the order of the values.
    assert totals["retroactive"] >= totals["marginal"]


@SETTINGS
@given(spec=programs(hierarchy=False), txns=transactions())
def test_rounding_moves_a_line_by_less_than_one_unit(spec: dict[str, Any], txns: list[Transaction]) -> None:
    rt = build(spec, "compiled")
    partners = flat(spec)
    unit = spec["unit"]
    for txn in txns:
        q = quote(rt, txn, partners, include_ladder=False)
        # The margin is rounded (to a multiple of the unit, less than a unit off) and the wholesale is the
        # list amount less it: margin + wholesale = list amount exactly.
        assert q.wholesale is not None
        margin = q.list_amount - q.wholesale
        assert abs(margin - Fraction(q.list_amount) * q.margin) < unit
        assert margin % unit == 0


@SETTINGS
@given(spec=programs(hierarchy=False), txns=transactions(refunds=False))
def test_a_ladder_is_rounded_once_and_lands_less_than_one_unit_from_its_exact_value(
        spec: dict[str, Any], txns: list[Transaction]) -> None:
    result, _ = run(build(spec, "compiled"), txns, flat(spec))
    steps = [(start, Fraction(rate, 1000)) for start, rate in spec["steps"]]
    for statement in result.statements:
        volume = statement.volumes.list_sales  # the basis is list sales: L / B = 1
        if spec["mode"] == "retroactive":
            exact = volume * max((rate for start, rate in steps if volume >= start), default=Fraction(0))
        else:
            tops = [start for start, _ in steps[1:]] + [None]
            exact = sum((rate * (min(volume, top) if top is not None else volume) - rate * start
                         for (start, rate), top in zip(steps, tops, strict=True) if volume > start), Fraction(0))
        ladder = [line.amount for line in statement.period_lines if line.kind == "ladder"]
        assert len(ladder) <= 1  # one line: a marginal ladder too is rounded once, on its exact sum
        assert abs(sum(ladder) - exact) < spec["unit"]
