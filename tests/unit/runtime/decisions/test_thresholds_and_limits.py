"""Strict thresholds (`above`) and limits (volume caps, a pass-through fee cap, the payout cap), on every engine.

Each case is settled by the row engine and by the SQL statement (`tests/unit/runtime/sql/_harness.py`
compares every total and period line); quotes go through the plans and the reference path. Figures are
worked out by hand in the comments: one sale, list = sell, so every volume basis is the sale's amount.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from fractions import Fraction

import pytest

from runtime.decisions import settle
from runtime.decisions._limits import capped_line, counted, least_reaching, reaches
from runtime.decisions.quote import Quoter, figures_of
from runtime.ir import RuleRef
from runtime.loaded import Runtime
from runtime.model import Line, Partner, Period, Statement, Volumes
from tests.unit.runtime.decisions.decision_helpers import HEADER, partners, sale
from tests.unit.runtime.sql._harness import assert_same

FY = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
P = partners(Partner("p", "reseller", None))

THRESHOLDS = """\
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
    ladder: volume
    bonuses: [growth]
ladders:
  - id: volume
    basis: list_sales
    period: fiscal_year
    mode: {mode}
    steps:
      - from: ¥0
        rate: 0%
      - {key}: ¥1,000,000
        rate: 2%
      - {key}: ¥2,000,000
        rate: 5%
bonuses:
  - id: growth
    basis: sales
    period: fiscal_year
    kind: {kind}
    steps:
      - {bkey}: ¥1,000,000
        pay: ¥30,000
      - {bkey}: ¥2,000,000
        pay: 1%
"""


def thresholds(make: Callable[..., Runtime], mode: str, kind: str, strict: bool) -> Runtime:
    return make(THRESHOLDS.format(mode=mode, kind=kind, key="above" if strict else "from",
                                  bkey="above" if strict else "target"))


def settled(rt: Runtime, amount: int) -> Statement:
    """One sale of `amount` settled by the row engine, after the SQL statement is checked to agree."""
    txns = [sale("p", amount)]
    assert_same(rt, txns, P, FY)
    [statement] = settle(rt, txns, P, FY).statements
    return statement


def total(statement: Statement, kind: str) -> int:
    return sum(line.amount for line in statement.period_lines if line.kind == kind)


def test_the_one_meaning_of_a_threshold() -> None:
    assert [reaches(v, 1000, False) for v in (999, 1000, 1001)] == [False, True, True]  # from: at least (以上)
    assert [reaches(v, 1000, True) for v in (999, 1000, 1001)] == [False, False, True]  # above: more than (超)
    assert least_reaching(1000, False) == 1000 and least_reaching(1000, True) == 1001
    assert counted(1500, 1200) == 1200 and counted(900, 1200) == 900 and counted(900, None) == 900
    assert capped_line(1500, 1000) == 1000 and capped_line(-1500, 1000) == -1000 and capped_line(7, None) == 7


# (volume, retroactive ladder, one-off bonus, cumulative bonus) with `from`/`target` (以上):
#   ¥999,999    nothing reached.
#   ¥1,000,000  step 2 (2%): 2% × 1,000,000 = 20,000; target 1 pays ¥30,000 (one-off and cumulative).
#   ¥1,000,001  2% × 1,000,001 = 20,000.02 → 20,000 (down); ¥30,000.
#   ¥1,999,999  2% × 1,999,999 = 39,999.98 → 39,999; ¥30,000.
#   ¥2,000,000  step 3 (5%): 100,000; one-off pays target 2 only, 1% × 2,000,000 = 20,000; cumulative 30,000 + 20,000.
#   ¥2,000,001  5% × 2,000,001 = 100,000.05 → 100,000; 1% × 2,000,001 = 20,000.01 → 20,000; 50,000.01 → 50,000.
INCLUSIVE = [(999_999, 0, 0, 0), (1_000_000, 20_000, 30_000, 30_000), (1_000_001, 20_000, 30_000, 30_000),
             (1_999_999, 39_999, 30_000, 30_000), (2_000_000, 100_000, 20_000, 50_000),
             (2_000_001, 100_000, 20_000, 50_000)]
# With `above` (超) a volume exactly at a threshold has not reached it:
#   ¥1,000,000  nothing reached (not more than ¥1,000,000).
#   ¥2,000,000  step 2 still (2% × 2,000,000 = 40,000); only target 1 (¥30,000), one-off and cumulative alike.
#   other volumes as with `from`.
STRICT = [(999_999, 0, 0, 0), (1_000_000, 0, 0, 0), (1_000_001, 20_000, 30_000, 30_000),
          (1_999_999, 39_999, 30_000, 30_000), (2_000_000, 40_000, 30_000, 30_000),
          (2_000_001, 100_000, 20_000, 50_000)]


@pytest.mark.parametrize("strict", [False, True], ids=["from", "above"])
@pytest.mark.parametrize("kind", ["one_off", "cumulative"])
def test_retroactive_ladder_and_bonus_on_the_boundary(make: Callable[..., Runtime], kind: str, strict: bool) -> None:
    rt = thresholds(make, "retroactive", kind, strict)
    for volume, ladder, one_off, cumulative in STRICT if strict else INCLUSIVE:
        statement = settled(rt, volume)
        assert total(statement, "ladder") == ladder, volume
        assert total(statement, "bonus") == (one_off if kind == "one_off" else cumulative), volume


# A marginal bracket holds the volume beyond its threshold, written `from` or `above` alike: the amounts are the
# same; only which step the volume "has reached" differs (and at a threshold the new bracket holds nothing yet).
#   ¥1,000,000  bracket 2 holds 0: nothing.  ¥1,999,999: 2% × 999,999 = 19,999.98 → 19,999.
#   ¥2,000,000  2% × 1,000,000 = 20,000.  ¥2,000,001: 20,000 + 5% × 1 = 20,000.05 → at most 20,000 (down).
MARGINAL = {999_999: 0, 1_000_000: 0, 1_000_001: 0, 1_999_999: 19_999, 2_000_000: 20_000, 2_000_001: 20_000}


@pytest.mark.parametrize("strict", [False, True], ids=["from", "above"])
def test_marginal_ladder_brackets_are_the_same_for_from_and_above(make: Callable[..., Runtime], strict: bool) -> None:
    rt = thresholds(make, "marginal", "one_off", strict)
    for volume, expected in MARGINAL.items():
        assert total(settled(rt, volume), "ladder") == expected, volume


@pytest.mark.parametrize("strict", [False, True], ids=["from", "above"])
def test_quotes_and_hints_on_the_boundary(make: Callable[..., Runtime], strict: bool) -> None:
    rt = thresholds(make, "retroactive", "cumulative", strict)
    txn = sale("p", 1000)
    # At ¥2,000,000 of period volume: `from` has reached the 5% step; `above` is still at 2% and needs ¥1 more.
    quoter = Quoter(rt, P, volumes={"p": Volumes(2_000_000, 0, 2_000_000, 0, 0)})
    q, ref = quoter.quote(txn), quoter.reference(txn)
    assert q == ref and figures_of(q) == quoter.figures(txn)
    assert q.margin == (Fraction(15, 100) if strict is False else Fraction(12, 100))
    steps = " | ".join(q.next_steps)
    if strict:
        assert "¥1 more sales at list price this period reach the 5% step" in steps
        assert "¥1 more sales this period reach the next target" in steps
    else:
        assert "step of ladder" not in steps and "target of bonus" not in steps
    # One yen below: `from` needs ¥1, `above` ¥2.
    quoter = Quoter(rt, P, volumes={"p": Volumes(1_999_999, 0, 1_999_999, 0, 0)})
    q = quoter.quote(txn)
    assert q == quoter.reference(txn)
    assert f"¥{2 if strict else 1} more sales at list price this period reach the 5% step" in " | ".join(q.next_steps)


CAPS = """\
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
    ladder: volume
    bonuses: [growth]
ladders:
  - id: volume
    basis: list_sales
    period: fiscal_year
    mode: {mode}
    volume_cap: ¥1,500,000
    steps:
      - from: ¥0
        rate: 0%
      - above: ¥1,000,000
        rate: 2%
bonuses:
  - id: growth
    basis: sales
    period: fiscal_year
    kind: cumulative
    volume_cap: ¥1,500,000
    steps:
      - target: ¥1,000,000
        pay: 1%
"""


@pytest.mark.parametrize("mode", ["retroactive", "marginal"])
def test_volume_above_the_volume_cap_is_not_counted(make: Callable[..., Runtime], mode: str) -> None:
    rt = make(CAPS.format(mode=mode))
    statement = settled(rt, 2_000_000)
    # Retroactive: 2% on the counted share ¥1,500,000 of ¥2,000,000 = ¥30,000.
    # Marginal: the bracket above ¥1,000,000 ends at the cap: 2% × ¥500,000 = ¥10,000.
    assert total(statement, "ladder") == (30_000 if mode == "retroactive" else 10_000)
    # The bonus pays 1% of the counted ¥1,500,000: ¥15,000 (not ¥20,000).
    assert total(statement, "bonus") == 15_000
    below = settled(rt, 1_200_000)  # under the cap every yen counts: 2% × 1,200,000 = 24,000 (retroactive)
    assert total(below, "ladder") == (24_000 if mode == "retroactive" else 4_000)  # marginal: 2% × 200,000
    assert total(below, "bonus") == 12_000


def test_a_pass_through_fee_is_capped_per_line(make: Callable[..., Runtime]) -> None:
    rt = make("""\
inputs:
  transaction:
    ad_spend: money
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
price_rules:
  pass_through:
    - id: media
      amount: transaction.ad_spend
      fee: 20%
      fee_cap: ¥150,000
""")
    # 20% of ¥1,000,000 = ¥200,000, capped at ¥150,000; 20% of ¥500,000 = ¥100,000 stays; a refund of the
    # ¥1,000,000 placement reverses the capped fee: −¥150,000.
    big, small = sale("p", 10_000, ad_spend=1_000_000), sale("p", 10_000, ad_spend=500_000)
    quoter = Quoter(rt, P)
    for txn, fee in ((big, 150_000), (small, 100_000)):
        q = quoter.quote(txn)
        assert q == quoter.reference(txn) and figures_of(q) == quoter.figures(txn)
        [line] = [line for line in q.lines if line.kind == "fee"]
        assert line.amount == fee
        assert ("capped at ¥150,000" in line.label) == (fee == 150_000)
    refund = dataclasses.replace(sale("p", 10_000, quantity=-1, ad_spend=1_000_000), refund_of=big.id)
    lines: list[Line] = []
    settle(rt, [big, small, refund], P, FY, on_line=lines.append)
    assert [line.amount for line in lines if line.kind == "fee"] == [150_000, 100_000, -150_000]
    assert_same(rt, [big, small, refund], P, FY)


def test_the_payout_cap_adds_a_cap_line_and_the_statement_adds_up(make: Callable[..., Runtime]) -> None:
    header = HEADER + "  payout_cap: ¥100,000\n"
    rt = make("""\
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
    bonuses: [growth]
bonuses:
  - id: growth
    basis: sales
    period: fiscal_year
    kind: one_off
    steps:
      - target: ¥500,000
        pay: ¥20,000
""", header)
    txns = [sale("p", 600_000), sale("p", 500_000)]
    assert_same(rt, txns, P, FY)
    [s] = settle(rt, txns, P, FY).statements
    # Margin 10% × ¥1,100,000 = ¥110,000, bonus ¥20,000: ¥130,000 earned, ¥30,000 above the cap.
    assert s.totals["margin"] == 110_000 and s.totals["bonus"] == 20_000
    assert s.totals["cap"] == -30_000 and s.total == 100_000
    cap = s.period_lines[-1]
    assert (cap.kind, cap.amount, cap.rule) == ("cap", -30_000, RuleRef.payout_cap())
    assert cap.at is not None and cap.at.line == 10
    # Under the cap nothing is added.
    [small] = settle(rt, [sale("p", 100_000)], P, FY).statements
    assert "cap" not in small.totals and small.total == 10_000
