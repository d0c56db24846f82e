"""A period line's label states the bases it used: its terms, rounded once, are its amount."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.decisions import settle
from runtime.loaded import Runtime
from runtime.model import Line, Partner, Period, Transaction
from tests.unit.lines.line_terms_helpers import recomputes, stated
from tests.unit.runtime.decisions.decision_helpers import build, partners, refund, sale

FY2026 = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
P = partners(Partner("p", "reseller", None))
PERIOD_KINDS = ("ladder", "ladder_clawback", "bonus", "bonus_clawback")


def pct(value: int, per: int) -> Decimal:
    """A percentage written as the program writes it: 150 hundredths → 1.5."""
    return Decimal(value) / per


def header(mode: str, unit: int, per_bracket: bool) -> str:
    marginal = "\n    marginal_ladder: per_bracket" if per_bracket else ""
    return ("ppl: 1\nprogram:\n  id: lines\n  title: Lines\n  version: \"2026.04\"\n  effective_from: 2026-04-01\n"
            f"  currency: JPY\n  rounding:\n    mode: {mode}\n    unit: ¥{unit}{marginal}\n"
            "  fiscal_year_start: 4\n")


@dataclass(frozen=True, slots=True)
class Plan:
    """A generated program: a ladder (and a bonus), with or without a margin cap and volume caps."""

    mode: str
    ladder_mode: str
    unit: int
    per_bracket: bool
    steps: tuple[tuple[int, int], ...]  # threshold (yen), rate in hundredths of a percent
    ladder_cap: int | None
    margin_cap: int | None  # in tenths of a percent, above the 10% margin
    bonus_rate: int  # hundredths of a percent, on the second target
    bonus_cap: int | None
    bonus_volume_cap: int | None

    def program(self) -> str:
        steps = "".join(f"      - {{from: ¥{start}, rate: {pct(rate, 100)}%}}\n" for start, rate in self.steps)
        ladder_cap = f"    volume_cap: ¥{self.ladder_cap:,}\n" if self.ladder_cap else ""
        bonus_cap = f"    cap: ¥{self.bonus_cap:,}\n" if self.bonus_cap else ""
        bonus_volume = f"    volume_cap: ¥{self.bonus_volume_cap:,}\n" if self.bonus_volume_cap else ""
        caps = ("price_rules:\n  margin_caps:\n    - id: hardware-cap\n      when: transaction.category == hardware\n"
                f"      cap: {10 + pct(self.margin_cap, 10)}%\n") if self.margin_cap is not None else ""
        return (
            "inputs:\n  transaction:\n    category: category\nenums:\n  category: [software, hardware]\n"
            "contracts:\n  - id: reseller\n    kind: distributor\n    margin: 10%\n    ladder: volume\n"
            "    bonuses: [growth]\n"
            f"ladders:\n  - id: volume\n    basis: list_sales\n    period: quarter\n    mode: {self.ladder_mode}\n"
            f"{ladder_cap}    steps:\n{steps}"
            "bonuses:\n  - id: growth\n    basis: sales\n    period: half_year\n    kind: cumulative\n"
            f"{bonus_cap}{bonus_volume}    steps:\n      - target: ¥1,000,000\n        pay: ¥30,000\n"
            f"      - target: ¥3,000,000\n        pay: {pct(self.bonus_rate, 100)}%\n{caps}")

    def runtime(self) -> Runtime:
        return build(self.program(), "compiled", header(self.mode, self.unit, self.per_bracket))


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    thresholds = sorted(draw(st.sets(st.integers(1, 400).map(lambda k: k * 25_000), min_size=1, max_size=3)))
    rates = [draw(st.integers(0, 1000)) for _ in range(len(thresholds) + 1)]
    steps = ((0, rates[0]), *zip(thresholds, rates[1:], strict=True))
    ladder_cap = draw(st.none() | st.integers(thresholds[-1], thresholds[-1] + 2_000_000))
    return Plan(draw(st.sampled_from(["down", "half_up", "half_even", "up"])),
                draw(st.sampled_from(["retroactive", "marginal"])), draw(st.sampled_from([1, 1, 10, 100])),
                draw(st.booleans()), steps, ladder_cap, draw(st.none() | st.integers(0, 60)),
                draw(st.integers(1, 500)), draw(st.none() | st.integers(30_000, 200_000)),
                draw(st.none() | st.integers(3_000_000, 9_000_000)))


@st.composite
def transactions(draw: st.DrawFn) -> list[Transaction]:
    days = st.dates(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
    sales = [sale("p", draw(st.integers(1, 3_000_000)), draw(st.integers(1, 3)),
                  day=draw(days), category=draw(st.sampled_from(["software", "hardware"])))
             for _ in range(draw(st.integers(1, 12)))]
    refunds = [refund(s, draw(st.integers(1, s.quantity)), day=max(s.date, draw(days)))
               for s in draw(st.lists(st.sampled_from(sales), max_size=3, unique_by=lambda t: t.id))]
    return [*sales, *refunds]


def period_lines(rt: Runtime, txns: list[Transaction]) -> list[Line]:
    result = settle(rt, sorted(txns, key=lambda t: t.date), P, FY2026)
    return [line for s in result.statements for line in s.period_lines if line.kind in PERIOD_KINDS]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), transactions())
def test_every_ladder_and_bonus_line_recomputes_from_the_bases_it_states(plan: Plan,
                                                                         txns: list[Transaction]) -> None:
    rt = plan.runtime()
    rounding = rt.ruleset.rounding
    for line in period_lines(rt, txns):
        kind = "ladder" if line.kind.startswith("ladder") else "bonus"
        assert recomputes(line, rounding.unit, rounding.mode_for(kind)), line.label


def test_a_ladder_under_a_margin_cap_states_the_limited_rate_on_its_own_base() -> None:
    # 2% from ¥1,000,000; the hardware cap of 11% leaves 1% above the 10% margin for the ladder.
    plan = Plan("down", "retroactive", 1, False, ((0, 0), (1_000_000, 200)), None, 10, 100, None, None)
    rt = plan.runtime()
    txns = [sale("p", 1_234_567, category="software"), sale("p", 765_433, category="hardware")]
    [ladder] = [line for line in period_lines(rt, txns) if line.kind == "ladder"]
    # 2% × ¥1,234,567 + 1% × ¥765,433 = 24,691.34 + 7,654.33 = 32,345.67, rounded down
    assert ladder.amount == 32_345
    assert ladder.label == ("ladder `volume` step 2: 2% on ¥1,234,567 + 1% (limited by a margin cap) on ¥765,433 "
                            "(volume ¥2,000,000)")
    assert stated(ladder).terms == ((Fraction(2, 100), 1_234_567), (Fraction(1, 100), 765_433))


def test_a_volume_cap_states_the_counted_share_of_the_list_amounts() -> None:
    # 1% from ¥1,000,000, counted up to ¥1,500,000: on ¥2,000,000 at list, ¥1,500,000 is counted.
    plan = Plan("down", "retroactive", 1, False, ((0, 0), (1_000_000, 100)), 1_500_000, None, 100, None, None)
    rt = plan.runtime()
    [ladder] = [line for line in period_lines(rt, [sale("p", 2_000_000)]) if line.kind == "ladder"]
    assert ladder.amount == 15_000
    assert ladder.label == ("ladder `volume` step 2: 1% on ¥1,500,000 (volume ¥2,000,000; net volume ¥2,000,000 "
                            "counted up to ¥1,500,000, so that share of ¥2,000,000 at list)")


def test_a_clawback_states_what_is_owed_on_which_base_and_what_was_paid() -> None:
    plan = Plan("down", "retroactive", 1, False, ((0, 0), (1_000_000, 200)), None, None, 100, None, None)
    rt = plan.runtime()
    first = sale("p", 600_000, 2, day=datetime.date(2026, 4, 10))
    lines = period_lines(rt, [first, refund(first, 1, day=datetime.date(2026, 5, 1))])
    [claw] = [line for line in lines if line.kind == "ladder_clawback"]
    assert claw.amount == -12_000  # 2% of the net ¥600,000 at list was paid; step 1 owes nothing
    assert claw.label == ("ladder `volume`: refunds bring the volume to ¥600,000, step 1: 0% on ¥600,000 = ¥0 owed, "
                          "¥12,000 paid")

