"""The money impact of a revision of each example program, for a chosen partner, against figures worked out by
hand from the rows (tests/unit/impact/_impact_data.py), never by asking ppl to settle."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime import impact as mi
from tests.unit.impact._impact_data import AD, REGIONAL, SAAS, Example, impact_of, rulesets


def _partner(impact: mi.Impact, partner: str) -> mi.PartnerImpact:
    return next(p for p in impact.partners if p.partner == partner)


def _kinds(p: mi.PartnerImpact) -> dict[str, tuple[int, int]]:
    return {k.kind: (k.before, k.after) for k in p.kinds}


def test_a_higher_ladder_rate_and_a_lower_bonus_target_pay_a_saas_reseller_more(tmp_path: Path) -> None:
    # r1 is a Tier 2 reseller: margin 15% + 1% tier uplift = 16%, so it buys at 84% of the list price.
    #   s1: list ¥150,000,000 sold at list: margin 150,000,000 × 16% = 24,000,000; purchases 126,000,000
    #   s2: 2 × list ¥20,000,000 = 40,000,000 sold at 2 × 19,000,000 = 38,000,000; wholesale 40,000,000 × 84%
    #       = 33,600,000, so its margin is 38,000,000 − 33,600,000 = 4,400,000
    # purchases 126,000,000 + 33,600,000 = 159,600,000 ≥ ¥1億: ladder step 2 on the list amounts
    # 150,000,000 + 40,000,000 = 190,000,000
    #   before: 2% × 190,000,000 = 3,800,000;   after: 3% × 190,000,000 = 5,700,000
    # sales 150,000,000 + 38,000,000 = 188,000,000: below ¥3億 before (no bonus), above ¥1.5億 after (¥3,000万;
    # Tier 2 is not tier3, so the bonus applies)
    before = 24_000_000 + 4_400_000 + 3_800_000
    after = 24_000_000 + 4_400_000 + 5_700_000 + 30_000_000
    impact = impact_of(SAAS, tmp_path)
    r1 = _partner(impact, "r1")
    assert (r1.before, r1.after, r1.difference) == (32_200_000, 64_100_000, 31_900_000) == (before, after,
                                                                                          after - before)
    assert _kinds(r1) == {"margin": (28_400_000, 28_400_000), "ladder": (3_800_000, 5_700_000),
                          "bonus": (0, 30_000_000)}
    assert r1.standings == (mi.StandingChange("bonus", "growth", None, 30_000_000),)
    # r2 (Tier 3, no uplift, below every step): 10,000,000 × 15% = 1,500,000 on both sides
    r2 = _partner(impact, "r2")
    assert (r2.before, r2.after, r2.difference, r2.standings) == (1_500_000, 1_500_000, 0, ())
    assert (impact.before, impact.after) == (before + 1_500_000, after + 1_500_000)
    assert impact.losers == ()


def test_a_lower_bracket_threshold_moves_a_trading_company_onto_the_next_ladder_step(tmp_path: Path) -> None:
    # t1: 3 × ¥300,000,000 = 900,000,000 of sales at the 10% margin of a Tier 3 trading company: 90,000,000
    # The marginal ladder's first bracket (5%) began above ¥10億 and now above ¥8億, so 900,000,000 −
    # 800,000,000 = 100,000,000 of the sales lie inside it: 5% × 900,000,000 list × 100,000,000 / 900,000,000
    # = 5,000,000
    impact = impact_of(REGIONAL, tmp_path)
    t1 = _partner(impact, "t1")
    assert (t1.before, t1.after, t1.difference) == (90_000_000, 95_000_000, 5_000_000)
    assert _kinds(t1) == {"margin": (90_000_000, 90_000_000), "ladder": (0, 5_000_000)}
    assert t1.standings == (mi.StandingChange("ladder_step", "annual-sales", None, 2),)
    # t2: 50,000,000 × 10% = 5,000,000, far below either threshold
    assert (_partner(impact, "t2").before, _partner(impact, "t2").difference) == (5_000_000, 0)
    assert impact.difference == 5_000_000
    assert [p.partner for p in impact.movers()] == ["t1"]


def test_a_higher_bonus_target_makes_an_agency_lose_though_it_crosses_a_ladder_step(tmp_path: Path) -> None:
    # a1 is a 1st-tier registered agency: the level margin is 20% (no tier uplift).
    #   x1: list ¥600,000,000 sold at list: margin 120,000,000; purchases 600,000,000 × 80% = 480,000,000
    # ladder: 480,000,000 < ¥5億 before (step 1, 0%); ≥ ¥4.5億 after: 1% × 600,000,000 = 6,000,000
    # bonus: sales 600,000,000 ≥ ¥5億 before: ¥1,000万; below the new ¥7億 target after: 0
    before, after = 120_000_000 + 10_000_000, 120_000_000 + 6_000_000
    impact = impact_of(AD, tmp_path)
    a1 = _partner(impact, "a1")
    assert (a1.before, a1.after, a1.difference) == (before, after, -4_000_000)
    assert _kinds(a1) == {"margin": (120_000_000, 120_000_000), "ladder": (0, 6_000_000),
                          "bonus": (10_000_000, 0)}
    assert a1.standings == (mi.StandingChange("ladder_step", "annual-spend", None, 2),
                            mi.StandingChange("bonus", "agency-growth", 10_000_000, None))
    assert a1.loses and impact.losers == (a1,)
    # a2: 100,000,000 × 20% = 20,000,000 on both sides
    assert (_partner(impact, "a2").before, _partner(impact, "a2").difference) == (20_000_000, 0)
    assert impact.difference == -4_000_000


@pytest.mark.parametrize("example", [SAAS, REGIONAL, AD], ids=lambda e: e.program)
def test_a_program_compared_with_itself_moves_nothing(example: Example, tmp_path: Path) -> None:
    unchanged = Example(example.program, (), example.partners, example.transactions, example.period)
    impact = impact_of(unchanged, tmp_path)
    assert impact.difference == 0 and impact.before == impact.after > 0
    assert all(p.difference == 0 and not p.standings for p in impact.partners)
    assert all(k.difference == 0 for p in impact.partners for k in p.kinds)
    assert all(k.difference == 0 for k in impact.kinds)
    assert impact.losers == impact.movers() == impact.changed == ()
    assert "No partner's figures change." in mi.render_markdown(impact)


def test_the_reconciliation_counts_rows_rejected_on_one_side_only(tmp_path: Path) -> None:
    # A sale below the discount floor is flagged (paid) by the program and rejected once the revision says
    # `reject`; a row with a bad date is rejected by both.
    rows = SAAS.transactions + "s4,2026-05-22,r2,10000000,8000000,1,0\ns5,2026-05-32,r2,1,1,1,0\n"
    flagged = Example(SAAS.program, (("  max_discount: 10%\n  max_channel_margin: 30%\n  # The 30-day",
                                      "  max_discount: {rate: 10%, action: reject}\n  max_channel_margin: 30%\n"
                                      "  # The 30-day"),), SAAS.partners, rows, SAAS.period)
    impact = impact_of(flagged, tmp_path)
    assert (impact.old.read, impact.old.accepted, impact.old.rejected) == (5, 4, 1)
    assert (impact.new.read, impact.new.accepted, impact.new.rejected) == (5, 3, 2)
    assert (impact.rejected_old_only, impact.rejected_new_only) == (0, 1)
    assert dict(impact.new.codes) == {"E521": 1, "E551": 1}
    # s4 paid r2 8,000,000 − 10,000,000 × 85% = −500,000 before; rejected after
    r2 = _partner(impact, "r2")
    assert (r2.before, r2.after) == (1_500_000 - 500_000, 1_500_000)


@pytest.mark.parametrize("example", [SAAS, REGIONAL, AD], ids=lambda e: e.program)
def test_the_columnar_engine_finds_the_same_impact(example: Example, tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    pytest.importorskip("sqlglot")
    from runtime.sql import engine

    rows = impact_of(example, tmp_path / "rows")
    old, new = rulesets(example, tmp_path / "duckdb")
    if engine.refused(old) or engine.refused(new):
        with pytest.raises(mi.EngineRefused):
            impact_of(example, tmp_path / "duckdb", "duckdb")
        return
    columnar = impact_of(example, tmp_path / "duckdb", "duckdb")
    assert (columnar.old.engine, columnar.new.engine) == ("duckdb", "duckdb")
    assert columnar.partners == rows.partners and columnar.kinds == rows.kinds
