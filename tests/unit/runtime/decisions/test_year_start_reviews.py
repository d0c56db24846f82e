"""The review on the program year's first day: held only when the months before the year are carried (from the
settlement ledger), reading them and the standing the previous year left; the standing a run's decisions leave is
what `decide` left. Hand-worked figures (quarterly reviews, program year from April)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime import ir
from runtime.decisions import Carried, review_dates, standing_after
from runtime.decisions.reviews import Standing, decide
from runtime.decisions.settle import settle
from runtime.model import Line, Partner, Period, TierDecision, Volumes
from runtime.store import Ledger
from tests.unit.runtime.decisions.decision_helpers import build, partners, sale
from tests.unit.runtime.decisions.test_tier_reviews import program

FY2027 = Period(datetime.date(2027, 4, 1), datetime.date(2027, 7, 31))
JAN, FEB, MAR = 2027 * 12, 2027 * 12 + 1, 2027 * 12 + 2  # month indices of January to March 2027


def _carried(sales: int, standing: Standing) -> Carried:
    return Carried(frozenset({JAN, FEB, MAR}), {"r": {FEB: Volumes(sales=sales)}}, {"r": standing})


def test_the_years_first_review_is_held_only_with_the_months_before_it() -> None:
    rt = build(program("since_last_review"))
    days = [datetime.date(2027, 4, 1), datetime.date(2027, 7, 1)]
    assert review_dates(rt, FY2027) == (days[1],)
    assert review_dates(rt, FY2027, _carried(0, Standing("member"))) == tuple(days)
    assert review_dates(rt, FY2027, Carried(frozenset({JAN}), {}, {})) == (days[1],)  # March not recorded


@pytest.mark.parametrize("engine", ["compiled", "interpreted"])
def test_the_years_first_review_reads_the_carried_months_and_standing(engine: str) -> None:
    rt = build(program("since_last_review", keep=2, grace=1), engine)
    who = partners(Partner("r", "reseller", "member"))
    txns = [sale("r", 100_000, day=datetime.date(2027, 4, 10))]
    # gold since 2026-07-01, two periods in force, grace unused: Q4's ¥300,000 puts it in grace
    in_grace = _carried(300_000, Standing("gold", datetime.date(2026, 7, 1), 2, 0))
    [first, _] = settle(rt, txns, who, FY2027, carried=in_grace).statements[0].tier_history
    assert (first.window_start, first.figures.sales, first.previous, first.tier, first.outcome) == (
        datetime.date(2027, 1, 1), 300_000, "gold", "gold", "grace")
    # its grace used up: demoted at the year's first review
    used = _carried(300_000, Standing("gold", datetime.date(2026, 7, 1), 2, 1))
    assert settle(rt, txns, who, FY2027, carried=used).statements[0].tier_history[0].outcome == "demoted"
    # Q4's ¥1,200,000 promotes the partners file's member from the year's first day: the April sale at 18%
    lines: list[Line] = []
    promoted = settle(rt, txns, who, FY2027, on_line=lines.append, carried=_carried(1_200_000, Standing("member")))
    assert promoted.statements[0].tier_history[0].outcome == "promoted"
    assert [line.amount for line in lines] == [18_000]


def test_a_months_window_reads_the_carried_months_as_far_back_as_they_run_unbroken() -> None:
    rt = build(program("{months: 6}"))
    who = partners(Partner("r", "reseller", "member"))
    carried = Carried(frozenset({JAN - 1, FEB, MAR}), {"r": {JAN - 1: Volumes(sales=900_000),
                                                              FEB: Volumes(sales=500_000)}}, {})
    # December is recorded but January is not: the 04-01 window reads February and March only, and says so
    [first, _] = settle(rt, [], who, FY2027, carried=carried).statements[0].tier_history
    assert (first.window_start, first.figures.sales) == (datetime.date(2027, 2, 1), 500_000)
    assert first.reason.endswith("; window from 2027-02-01, the first settled month")
    # with January recorded, the window runs back to October and reads December's ¥900,000 too
    whole = Carried(carried.recorded | {JAN, JAN - 2, JAN - 3}, carried.months, {})
    [first, _] = settle(rt, [], who, FY2027, carried=whole).statements[0].tier_history
    assert (first.window_start, first.figures.sales, first.tier) == (datetime.date(2026, 10, 1), 1_400_000, "gold")


@given(st.lists(st.sampled_from(["gold", "silver", None]), min_size=1, max_size=8),
       st.sampled_from(["gold", "silver", None]), st.integers(1, 3), st.integers(0, 2))
def test_the_standing_after_a_partners_decisions_is_what_decide_left(candidates: list[str | None], tier: str | None,
                                                                    keep: int, grace: int) -> None:
    review = ir.Review("since_last_review", None, keep=keep, grace=grace)
    standing, decisions = Standing(tier), []
    for i, candidate in enumerate(candidates):
        day = datetime.date(2020 + i, 4, 1)
        outcome, after = decide(("gold", "silver"), review, standing, candidate, day)
        decisions.append(TierDecision("r", day, day, day, Volumes(), standing.tier, after.tier, outcome, None, ""))
        standing = after
    assert standing_after(decisions) == standing


def test_a_run_records_its_months_and_a_later_year_reads_the_last_runs() -> None:
    sha, d = "a" * 64, datetime.date
    with Ledger(":memory:") as ledger:
        def record(as_of: datetime.date, sales: int, tiers: tuple[TierDecision, ...] = ()) -> None:
            ledger.record("p", as_of, sha, {"r": {"margin": sales}}, currency="JPY", minor_unit=0,
                          fiscal_year_start=4, tiers=tiers,
                          months={"r": {as_of.year * 12 + as_of.month - 1: Volumes(sales=sales)}})
        assert ledger.carried("p", 2027) is None
        record(d(2026, 12, 31), 100)
        promoted = TierDecision("r", d(2027, 1, 1), d(2026, 10, 1), d(2026, 12, 31), Volumes(), "member", "gold",
                                "promoted", None, "")
        record(d(2027, 3, 31), 200, (promoted,))
        carried = ledger.carried("p", 2027)
        assert carried is not None
        # the year's last run (as of 2027-03-31) covers April 2026 to March 2027; December's figures were not
        # recorded by it (only March's were), so they read as zero
        assert carried.recorded == frozenset(range(2026 * 12 + 3, 2027 * 12 + 3))
        assert carried.months == {"r": {MAR: Volumes(sales=200)}}
        assert carried.standings == {"r": Standing("gold", d(2027, 1, 1))}
        assert ledger.carried("p", 2026) is None
