"""Period line labels computed by hand: a marginal ladder under a margin cap, a capped bonus, a bonus on rates."""

from __future__ import annotations

import datetime

from runtime.decisions import settle
from runtime.model import Line
from tests.unit.lines.line_terms_helpers import recomputes
from tests.unit.lines.test_line_bases_recompute import FY2026, P, Plan
from tests.unit.runtime.decisions.decision_helpers import sale


def lines(plan: Plan, *amounts: tuple[int, str]) -> list[Line]:
    rt = plan.runtime()
    txns = [sale("p", amount, category=category, day=datetime.date(2026, 4, 10)) for amount, category in amounts]
    [statement] = settle(rt, txns, P, FY2026).statements
    return list(statement.period_lines)


def test_a_marginal_ladder_under_a_margin_cap_states_each_brackets_limited_base() -> None:
    # 2% from ¥1,000,000 and 5% from ¥2,000,000; hardware under an 11% cap gets at most 1% over the 10% margin.
    plan = Plan("down", "marginal", 1, False, ((0, 0), (1_000_000, 200), (2_000_000, 500)), None, 10, 100, None,
                None)
    [ladder] = [line for line in lines(plan, (1_500_000, "software"), (1_500_000, "hardware"))
                if line.kind == "ladder"]
    # volume ¥3,000,000: ¥1,000,000 inside step 2 and ¥1,000,000 inside step 3, each a third of the list amounts,
    # half of them hardware: 2% × 500,000 + 1% × 500,000 + 5% × 500,000 + 1% × 500,000 = 10,000 + 5,000 + 25,000
    # + 5,000
    assert ladder.amount == 45_000
    assert ladder.label == (
        "ladder `volume`: 2% on ¥500,000 + 1% (limited by a margin cap) on ¥500,000 + 5% on ¥500,000 + "
        "1% (limited by a margin cap) on ¥500,000 (marginal, volume ¥1,000,000 + ¥1,000,000 of ¥3,000,000 inside "
        "the steps, rounded once on the sum)")
    assert recomputes(ladder, 1, "down")


def test_a_capped_bonus_states_its_terms_their_sum_and_the_cap() -> None:
    # ¥30,000 at ¥1,000,000 and 1% of the volume at ¥3,000,000, capped at ¥50,000: ¥30,000 + ¥35,000 → ¥50,000
    plan = Plan("down", "retroactive", 1, False, ((0, 0),), None, None, 100, 50_000, None)
    [bonus] = [line for line in lines(plan, (3_500_000, "software")) if line.kind == "bonus"]
    assert bonus.amount == 50_000
    assert bonus.label == ("bonus `growth`, 2 targets reached on ¥3,500,000: ¥30,000 + 1% on ¥3,500,000 = ¥65,000, "
                           "capped at ¥50,000")
    assert recomputes(bonus, 1, "down")


def test_a_bonus_under_a_volume_cap_pays_its_rate_on_the_counted_volume() -> None:
    plan = Plan("down", "retroactive", 1, False, ((0, 0),), None, None, 100, None, 4_000_000)
    [bonus] = [line for line in lines(plan, (5_000_000, "software")) if line.kind == "bonus"]
    assert bonus.amount == 70_000  # ¥30,000 + 1% of the ¥4,000,000 counted
    assert bonus.label == ("bonus `growth`, 2 targets reached on ¥5,000,000 (counted up to ¥4,000,000): ¥30,000 + "
                           "1% on ¥4,000,000")
