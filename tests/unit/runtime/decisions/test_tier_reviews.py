"""Tier reviews at settlement: the tier decided at a review is in force from the review date, each review reads its
window's figures, `keep` and `grace` hold a tier before demotion, and the passes settle a distributor reviewed on
what a reviewed reseller pays it. Hand-worked figures throughout (quarterly reviews, program year from April)."""

from __future__ import annotations

import datetime

import pytest

from runtime import ir
from runtime.decisions import Settler, review_dates
from runtime.decisions.reviews import Standing, decide, window_months
from runtime.decisions.settle import settle
from runtime.model import Line, Partner, Period, Statement, Transaction
from tests.unit.runtime.decisions.decision_helpers import build, partners, sale

YEAR = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
ENGINES = ["compiled", "interpreted"]


def program(window: str, keep: int = 1, grace: int = 0, gold: str = "¥1,000,000") -> str:
    return f"""
contracts:
  - id: reseller
    kind: distributor
    margin: 15%
tiers:
  cadence: quarterly
  review:
    window: {window}
    keep: {keep}
    grace: {grace}
  levels:
    - id: gold
      qualify: period.sales >= {gold}
      margin_uplift: 3%
    - id: vip
      assigned: true
      margin_uplift: 5%
    - id: member
      qualify: true
"""


def day(month: int, d: int = 15) -> datetime.date:
    return datetime.date(2026 if month >= 4 else 2027, month, d)


def settled(body: str, txns: list[Transaction], who: dict[str, Partner], engine: str = "compiled",
            period: Period = YEAR) -> tuple[dict[str, Statement], list[Line]]:
    lines: list[Line] = []
    result = settle(build(body, engine), txns, who, period, on_line=lines.append)
    return {s.partner: s for s in result.statements}, lines


def outcomes(statement: Statement) -> list[tuple[str, str | None, str]]:
    return [(d.review.isoformat(), d.tier, d.outcome) for d in statement.tier_history]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_promotion_changes_the_margin_uplift_from_the_review_date(engine: str) -> None:
    txns = [sale("r", 600_000, day=day(5)), sale("r", 600_000, day=day(6, 30)), sale("r", 100_000, day=day(7, 1)),
            sale("r", 100_000, day=day(12))]
    statements, lines = settled(program("year_to_date"), txns, partners(Partner("r", "reseller", "member")), engine)
    # 15% before the review of 2026-07-01, 15% + 3% (gold) from it: the line of 07-01 itself is gold
    assert [line.amount for line in lines] == [90_000, 90_000, 18_000, 18_000]
    assert statements["r"].tier == "gold"
    first = statements["r"].tier_history[0]
    assert (first.review, first.window_start, first.window_end) == (day(7, 1), day(4, 1), day(6, 30))
    assert (first.figures.sales, first.previous, first.tier, first.outcome) == (1_200_000, "member", "gold",
                                                                                "promoted")
    assert first.rule == ir.RuleRef.tier("gold")
    assert first.reason == "qualifies for `gold`: promoted from `member`"


# Quarterly sales of one partner, Q1 (Apr–Jun) … Q4 (Jan–Mar): each sale is dated the 15th of a quarter's middle
# month, so the four reviews (07-01, 10-01, 01-01) read whole quarters. Member from the partners file.
QUARTERS = [1_200_000, 100_000, 100_000, 100_000]


def _quarter_sales(amounts: list[int]) -> list[Transaction]:
    return [sale("r", amount, day=day(m)) for amount, m in zip(amounts, (5, 8, 11, 2), strict=True) if amount]


@pytest.mark.parametrize(("window", "keep", "grace", "expected"), [
    # since_last_review: Q1 1.2M promotes; Q2 0.1M is kept (reached 07-01, keep 2: 1 of 2 in force); Q3 0.1M is
    # the one review of grace; Q4 is not reviewed within the year (the next review is 2027-04-01).
    ("since_last_review", 2, 1, [("2026-07-01", "gold", "promoted"), ("2026-10-01", "gold", "kept"),
                                 ("2027-01-01", "gold", "grace")]),
    # keep 1, grace 0: demoted at the first review that misses
    ("since_last_review", 1, 0, [("2026-07-01", "gold", "promoted"), ("2026-10-01", "member", "demoted"),
                                 ("2027-01-01", "member", "met")]),
    # keep 2, grace 0: kept once, then demoted
    ("since_last_review", 2, 0, [("2026-07-01", "gold", "promoted"), ("2026-10-01", "gold", "kept"),
                                 ("2027-01-01", "member", "demoted")]),
    # year to date: Q1–Q2 1.3M and Q1–Q3 1.4M still reach gold
    ("year_to_date", 1, 0, [("2026-07-01", "gold", "promoted"), ("2026-10-01", "gold", "met"),
                            ("2027-01-01", "gold", "met")]),
    # the last 3 months are the quarter before the review: as since_last_review
    ("{months: 3}", 1, 1, [("2026-07-01", "gold", "promoted"), ("2026-10-01", "gold", "grace"),
                           ("2027-01-01", "member", "demoted")]),
    # the last 6 months: 1.3M at 10-01 (met), then Q2–Q3 0.2M: gold was reached two reviews ago, so keep 2 no
    # longer holds it and the one review of grace does
    ("{months: 6}", 2, 1, [("2026-07-01", "gold", "promoted"), ("2026-10-01", "gold", "met"),
                           ("2027-01-01", "gold", "grace")]),
])
def test_keep_and_grace_over_the_reviews_of_a_year(window: str, keep: int, grace: int,
                                                   expected: list[tuple[str, str, str]]) -> None:
    statements, _ = settled(program(window, keep, grace), _quarter_sales(QUARTERS),
                            partners(Partner("r", "reseller", "member")))
    assert outcomes(statements["r"]) == expected
    assert statements["r"].tier == expected[-1][1]


def test_four_reviews_promoted_kept_grace_demoted() -> None:
    """Settled to the next program year's first quarter: the fourth review (2027-04-01) demotes."""
    period = Period(datetime.date(2026, 4, 1), datetime.date(2027, 4, 30))
    txns = _quarter_sales(QUARTERS)
    statements, lines = settled(program("since_last_review", keep=2, grace=1), txns,
                                partners(Partner("r", "reseller", "member")), period=period)
    assert outcomes(statements["r"]) == [("2026-07-01", "gold", "promoted"), ("2026-10-01", "gold", "kept"),
                                         ("2027-01-01", "gold", "grace"), ("2027-04-01", "member", "demoted")]
    reasons = [d.reason for d in statements["r"].tier_history]
    assert reasons[1] == ("qualifies for `member`; `gold` was earned at 2026-07-01 and is kept for 2 reviews "
                          "(1 of 2 in force)")
    assert reasons[2] == "qualifies for `member`; `gold` holds in grace (1 of 1 review in grace)"
    assert reasons[3] == "qualifies for `member`: demoted from `gold`"
    # Q1 at 15%, Q2–Q4 at 18% (gold in force from 07-01 to 2027-03-31)
    assert [line.amount for line in lines] == [180_000, 18_000, 18_000, 18_000]


def test_a_window_before_the_settled_period_counts_the_settled_months_and_says_so() -> None:
    period = Period(datetime.date(2026, 4, 1), datetime.date(2026, 9, 30))
    statements, _ = settled(program("{months: 12}"), [sale("r", 1_200_000, day=day(5))],
                            partners(Partner("r", "reseller", "member")), period=period)
    (decision,) = statements["r"].tier_history
    assert (decision.window_start, decision.window_end) == (day(4, 1), day(6, 30))
    assert decision.reason.endswith("; window from 2026-04-01, the first settled month")


def test_a_partner_joining_after_a_review_is_first_reviewed_at_the_next() -> None:
    who = partners(Partner("r", "reseller", "member", joined=datetime.date(2026, 8, 1)))
    statements, _ = settled(program("since_last_review"), [sale("r", 1_200_000, day=day(8))], who)
    # not reviewed at 07-01 (before it joined); the review of 10-01 reads its first quarter
    assert outcomes(statements["r"]) == [("2026-10-01", "gold", "promoted"), ("2027-01-01", "member", "demoted")]


def test_a_partner_holding_an_assigned_tier_is_not_reviewed() -> None:
    statements, lines = settled(program("since_last_review"), [sale("v", 100_000, day=day(5)),
                                                               sale("v", 100_000, day=day(8))],
                                partners(Partner("v", "reseller", "vip")))
    assert {d.outcome for d in statements["v"].tier_history} == {"assigned"}
    assert statements["v"].tier_history[0].reason == "`vip` is assigned by the vendor: not reviewed"
    assert statements["v"].tier == "vip"
    assert [line.amount for line in lines] == [20_000, 20_000]


def test_without_a_review_in_the_period_the_partners_file_tier_holds() -> None:
    period = Period(datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    statements, lines = settled(program("since_last_review"), [sale("r", 1_200_000, day=day(5))],
                                partners(Partner("r", "reseller", "member")), period=period)
    assert statements["r"].tier_history == () and statements["r"].tier == "member"
    assert [line.amount for line in lines] == [180_000]


def test_reviews_fall_on_the_first_day_of_each_cadence_period_after_the_period_start() -> None:
    rt = build(program("year_to_date"))
    assert review_dates(rt, YEAR) == (day(7, 1), day(10, 1), datetime.date(2027, 1, 1))


@pytest.mark.parametrize(("window", "review", "first", "last"), [
    ("year_to_date", datetime.date(2026, 10, 1), datetime.date(2026, 4, 1), datetime.date(2026, 9, 1)),
    # at the program year's first day, year to date is the whole year before it
    ("year_to_date", datetime.date(2027, 4, 1), datetime.date(2026, 4, 1), datetime.date(2027, 3, 1)),
    ("since_last_review", datetime.date(2027, 1, 1), datetime.date(2026, 10, 1), datetime.date(2026, 12, 1)),
    ("months", datetime.date(2027, 1, 1), datetime.date(2026, 7, 1), datetime.date(2026, 12, 1)),
])
def test_the_window_a_review_reads(window: str, review: datetime.date, first: datetime.date,
                                   last: datetime.date) -> None:
    months = window_months(ir.Review(window, 6 if window == "months" else None), "quarterly", review, 4)
    as_day = [datetime.date(m // 12, m % 12 + 1, 1) for m in months]
    assert (as_day[0], as_day[-1]) == (first, last)


def test_decide_keeps_a_tier_reached_at_a_review_only() -> None:
    review = ir.Review("year_to_date", None, keep=3)
    on = datetime.date(2026, 10, 1)
    # the partners file's gold is not protected by keep: demoted at once
    assert decide(("gold", "member"), review, Standing("gold"), "member", on)[0] == "demoted"
    reached = Standing("gold", datetime.date(2026, 7, 1))
    assert decide(("gold", "member"), review, reached, "member", on) == (
        "kept", Standing("gold", datetime.date(2026, 7, 1), 1))


HIERARCHY = """
contracts:
  - id: reseller
    kind: distributor
hierarchy:
  model: nested
  max_depth: 2
  levels:
    - level: 1
      margin: 20%
    - level: 2
      margin: if partner.tier == gold then 12% else 10%
tiers:
  cadence: quarterly
  review:
    window: since_last_review
  levels:
    - id: gold
      qualify: period.sales >= ¥1,790,000
      margin_uplift: 5%
    - id: member
      qualify: true
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_distributor_is_reviewed_on_what_a_reviewed_reseller_pays_it(engine: str) -> None:
    """R (level 2) pays D 90% of list as a member, 88% as gold. R sells ¥1,790,000 in Q1 and is gold from 07-01;
    in Q2 it sells 2 × ¥1,000,000 and pays D 2 × ¥880,000 = ¥1,760,000, under D's gold threshold. Settled with
    the partners file's tiers alone, R would pay ¥1,800,000 and D would wrongly be promoted at 10-01."""
    who = partners(Partner("D", "reseller", "member"), Partner("R", "reseller", "member", level=2, parent="D"))
    txns = [sale("R", 1_790_000, day=day(5)), sale("R", 1_000_000, day=day(8)), sale("R", 1_000_000, day=day(9)),
            sale("R", 1_000_000, day=day(11))]
    statements, lines = settled(HIERARCHY, txns, who, engine)
    assert outcomes(statements["R"])[:2] == [("2026-07-01", "gold", "promoted"), ("2026-10-01", "gold", "met")]
    d_at_october = statements["D"].tier_history[1]
    assert (d_at_october.figures.sales, d_at_october.tier, d_at_october.outcome) == (1_760_000, "member", "met")
    assert [(line.partner, line.amount) for line in lines] == [
        ("D", 179_000), ("R", 179_000),  # Q1: D keeps 10% (20% − 10%), R 10%
        ("D", 80_000), ("R", 120_000), ("D", 80_000), ("R", 120_000), ("D", 80_000), ("R", 120_000)]


def test_the_passes_quote_each_stretch_between_reviews_with_its_own_tiers() -> None:
    rt = build(program("since_last_review"))
    settler = Settler(rt, partners(Partner("r", "reseller", "member")), YEAR)
    assert settler.quoter_on(day(5)) is settler.quoter  # without a timeline, one quoter
