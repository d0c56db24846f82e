"""The guide's tier reviews: when tiers are reviewed, the window a review reads, what a partner keeps and when it
moves down, and an example history that is what a settlement with the same figures decides."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from runtime import ir
from runtime.decisions import reviews, settle
from runtime.decisions.quote import partner_env
from runtime.guides import ReviewCase, build_guide, render_guide
from runtime.loaded import Runtime
from runtime.model import Period, Transaction, Volumes
from tests.unit.runtime.guides.conftest import compile_text

PROGRAM = (Path(__file__).resolve().parents[3] / "golden" / "guide_programs" / "reviewed_resellers.yaml").read_text(
    encoding="utf-8")
REVIEW = "  review:\n    window: since_last_review\n    keep: 2\n    grace: 1\n"


def reviewed(review: str) -> str:
    assert REVIEW in PROGRAM
    return PROGRAM.replace(REVIEW, review)


def review_part(text: str, lang: str = "en") -> str:
    guide = render_guide(compile_text(text), lang)
    start = guide.index("### Tier reviews" if lang == "en" else "### ティアの見直し")
    return guide[start:guide.index("\n## ", start)]


def history(text: str) -> ReviewCase:
    return next(c for c in build_guide(compile_text(text), "en").cases if isinstance(c, ReviewCase))


def test_the_guide_says_when_tiers_are_reviewed_and_what_a_review_reads() -> None:
    part = review_part(PROGRAM)
    assert "Tiers are reviewed every quarter, on the first day of each review period counted from the start of the " \
           "fiscal year: 1 July, 1 October, 1 January and 1 April." in part
    assert "A review reads your figures since the last review, up to the day before the review." in part
    assert "in force from the review date until the day before the next review" in part
    assert "kept for at least 2 review periods" in part
    assert "you keep it for up to 1 more review in grace" in part


def test_the_example_history_is_promoted_kept_in_grace_and_moved_down() -> None:
    part = review_part(PROGRAM)
    assert "| 1 July 2026 | 1 April 2026 to 30 June 2026 | ¥30M | Gold | Gold | promoted |" in part
    assert "| 1 October 2026 | 1 July 2026 to 30 September 2026 | ¥29.7M | Silver | Gold | kept: reached on " \
           "1 July 2026, kept for 2 review periods |" in part
    assert "| 1 January 2027 | 1 October 2026 to 31 December 2026 | ¥29.7M | Silver | Gold | in grace (1 of 1) |" \
           in part
    assert "| 1 April 2027 | 1 January 2027 to 31 March 2027 | ¥29.7M | Silver | Silver | moved down |" in part


def test_japanese_guides_explain_keep_grace_and_the_review_dates() -> None:
    part = review_part(PROGRAM, "ja")
    assert "各期の初日（7月1日、10月1日、1月1日、4月1日）に見直します。" in part
    assert "少なくとも2回の見直し期間は維持されます。" in part
    assert "1回までは猶予としてティアを維持し" in part
    assert "| 2027年1月1日 | 2026年10月1日〜2026年12月31日 | 2,970万円 | シルバー | ゴールド | " \
           "猶予（1回のうち1回目） |" in part


@pytest.mark.parametrize(("review", "said"), [
    ("  review:\n    window: year_to_date\n", "the review on the year's first day reads the whole year before"),
    ("  review:\n    window: {months: 12}\n", "A review reads your figures over the 12 months before the review."),
])
def test_each_window_is_explained(review: str, said: str) -> None:
    assert said in review_part(reviewed(review))


def test_without_keep_or_grace_a_partner_below_its_tier_moves_down_at_the_next_review() -> None:
    text = reviewed("  review:\n    window: since_last_review\n")
    part = review_part(text)
    assert "moves you to the tier they meet" in part and "kept for at least" not in part
    assert history(text).outcomes == ("promoted", "demoted")


def test_the_year_to_date_window_at_the_years_first_day_is_the_whole_year_before() -> None:
    part = review_part(reviewed("  review:\n    window: year_to_date\n    keep: 4\n"))
    assert "| 1 April 2027 | 1 April 2026 to 31 March 2027 |" in part


def test_without_a_review_the_tier_section_is_as_before() -> None:
    guide = render_guide(compile_text(PROGRAM.replace(REVIEW, "")), "en")
    assert "Tier reviews" not in guide and "Tiers are re-evaluated every quarter." in guide


def test_an_assigned_tier_is_said_not_to_be_reviewed() -> None:
    text = PROGRAM.replace("      qualify: period.sales >= ¥30,000,000\n", "      assigned: true\n")
    part = review_part(text)
    assert "A tier the vendor decides individually is not reviewed." in part
    assert "| Silver | Silver | promoted |" in part  # the best reviewed tier is the one reached


def test_the_history_is_the_runtimes_decisions_on_the_same_figures() -> None:
    ruleset = compile_text(PROGRAM)
    case = history(PROGRAM)
    rt = Runtime(ruleset, "interpreted")
    tiers = ruleset.versions[-1].tiers
    assert tiers is not None and tiers.review is not None
    standing = reviews.Standing(case.partner.tier)
    levels = tuple(t.id for t in tiers.levels)
    for day, candidate, outcome, tier in zip(case.dates, case.candidates, case.outcomes, case.tiers, strict=True):
        assert candidate == qualifies_for_again(rt, tiers, case, day)
        found, standing = reviews.decide(levels, tiers.review, standing, candidate, day)
        assert (found, standing.tier) == (outcome, tier)


def qualifies_for_again(rt: Runtime, tiers: ir.Tiers, case: ReviewCase, day: datetime.date) -> str | None:
    """The tier the reference engine finds for the case's figures at a review."""
    index = case.dates.index(day)
    volumes = {name: v for (scope, name), v in case.values[index].items() if scope == "period"}
    version = rt.version_on(day)
    assert version is not None
    slots = version.period(partner_env(case.partner, None, Volumes(**volumes)))
    return next(t.id for t in tiers.levels if not t.assigned and slots[ir.tier_slot(t.id, "qualify")])


def test_a_settlement_with_the_examples_figures_decides_the_same_history() -> None:
    ruleset = compile_text(PROGRAM)
    case = history(PROGRAM)
    sales = []
    for index, day in enumerate(case.dates):
        amount = case.values[index][("period", "sales")]
        inside = day - datetime.timedelta(days=40)  # a day of the window before the review
        sales.append(Transaction(f"s{index}", inside, case.partner.id, amount, amount, 1))
    period = Period(datetime.date(2026, 4, 1), case.dates[-1])
    statement = settle(Runtime(ruleset), sales, {case.partner.id: case.partner}, period).statements[0]
    decided = [(d.review, d.outcome, d.tier) for d in statement.tier_history]
    assert decided == list(zip(case.dates, case.outcomes, case.tiers, strict=True))


def test_the_year_examples_partner_keeps_its_tier_through_the_reviews() -> None:
    saas = (Path(__file__).resolve().parents[4] / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8")
    assert "\n  review:\n" in saas  # the CloudNote tiers are reviewed quarterly
    guide = render_guide(compile_text(saas), "en")
    year = guide[guide.index("## Statements over the year"):guide.index("## Tiers and benefits")]
    # The bonus pays Tier 2 but not Tier 3: the example partner's own fields meet Tier 2 at every review.
    assert "| 30 September 2027 | ¥300,000,000 | Bonus | ¥30,000,000 | ¥0 | ¥30,000,000 |" in year
