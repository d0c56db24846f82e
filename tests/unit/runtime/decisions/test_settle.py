"""Settlement: ladders retroactive and marginal, bonuses, refunds and clawbacks, versions, tiers."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from runtime.decisions import settle
from runtime.ir import RuleRef
from runtime.loaded import Runtime
from runtime.model import Partner, Period
from tests.unit.runtime.decisions.decision_helpers import partners, refund, sale

FY2026 = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))

LADDER = """\
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
      - from: ¥1,000,000
        rate: 2%
      - from: ¥2,000,000
        rate: 5%
bonuses:
  - id: growth
    basis: sales
    period: fiscal_year
    kind: cumulative
    steps:
      - target: ¥1,500,000
        pay: ¥30,000
      - target: ¥2,500,000
        pay: ¥20,000
    cap: ¥40,000
tiers:
  cadence: yearly
  levels:
    - id: gold
      qualify: period.sales >= ¥2,000,000
    - id: member
      qualify: true
"""

P = partners(Partner("p", "reseller", "member"))


def lines_of(statement: object) -> dict[str, int]:
    return {line.kind: line.amount for line in statement.period_lines}  # type: ignore[attr-defined]


def test_retroactive_ladder_re_rates_the_whole_period(make: Callable[..., Runtime]) -> None:
    rt = make(LADDER.format(mode="retroactive"))
    result = settle(rt, [sale("p", 1_200_000), sale("p", 900_000)], P, FY2026)
    [s] = result.statements
    assert lines_of(s)["ladder"] == 105_000  # 5% of ¥2,100,000
    assert s.totals["margin"] == 210_000


def test_marginal_ladder_rates_each_bracket_and_rounds_once(make: Callable[..., Runtime]) -> None:
    rt = make(LADDER.format(mode="marginal"))
    [s] = settle(rt, [sale("p", 1_200_000), sale("p", 900_000)], P, FY2026).statements
    ladder = [line for line in s.period_lines if line.kind == "ladder"]
    # 2% of the ¥1,000,000 inside step 2 and 5% of the ¥100,000 inside step 3, one line: ¥20,000 + ¥5,000
    assert [line.amount for line in ladder] == [25_000]
    assert "2% on ¥1,000,000 + 5% on ¥100,000" in ladder[0].label


def test_exactly_at_the_threshold_and_one_yen_below(make: Callable[..., Runtime]) -> None:
    rt = make(LADDER.format(mode="retroactive"))
    at = settle(rt, [sale("p", 2_000_000)], P, FY2026).statements[0]
    below = settle(rt, [sale("p", 1_999_999)], P, FY2026).statements[0]
    assert lines_of(at)["ladder"] == 100_000
    assert lines_of(below)["ladder"] == 39_999  # 2% of ¥1,999,999 = 39,999.98, rounded down


def test_refund_that_crosses_a_threshold_back_shows_the_clawback(make: Callable[..., Runtime]) -> None:
    rt = make(LADDER.format(mode="retroactive"))
    first = sale("p", 1_000_000, quantity=2)
    result = settle(rt, [first, refund(first, 1)], P, FY2026)
    [s] = result.statements
    lines = lines_of(s)
    assert lines["ladder"] == 50_000  # 5% reached on ¥2,000,000 gross, applied to ¥1,000,000 net
    assert lines["ladder_clawback"] == -30_000  # net ¥1,000,000 is only the 2% step: ¥20,000 in all
    assert lines["ladder"] + lines["ladder_clawback"] == 20_000
    assert lines["bonus"] == 30_000 and lines["bonus_clawback"] == -30_000
    assert s.totals["margin"] == 100_000


def test_bonus_steps_are_cumulative_up_to_the_cap(make: Callable[..., Runtime]) -> None:
    rt = make(LADDER.format(mode="retroactive"))
    [s] = settle(rt, [sale("p", 3_000_000)], P, FY2026).statements
    assert lines_of(s)["bonus"] == 40_000  # 30,000 + 20,000, capped at 40,000


def test_next_tier_is_evaluated_from_the_period(make: Callable[..., Runtime]) -> None:
    rt = make(LADDER.format(mode="retroactive"))
    [s] = settle(rt, [sale("p", 2_000_000)], P, FY2026).statements
    assert s.tier == "member" and s.next_tier is not None and s.next_tier.rule == RuleRef.tier("gold")


def test_statement_lines_add_up_and_counts_reconcile(make: Callable[..., Runtime]) -> None:
    rt = make(LADDER.format(mode="retroactive"))
    seen: list[object] = []
    rejected: list[object] = []
    txns = [sale("p", 10_001 * i) for i in range(1, 40)] + [sale("ghost", 1000),
                                                           sale("p", 5, day=datetime.date(2027, 4, 1))]
    result = settle(rt, txns, P, FY2026, on_line=seen.append, on_reject=rejected.append)
    assert (result.read, result.accepted, result.rejected) == (41, 39, 2)
    [s] = result.statements
    assert s.totals["margin"] == sum(line.amount for line in seen if line.kind == "margin")  # type: ignore[attr-defined]
    assert {r.code for r in rejected} == {"E511", "E514"}  # type: ignore[attr-defined]


VERSIONS = """\
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
revisions:
  - version: "2026.10"
    effective_from: 2026-10-01
    contracts:
      - id: reseller
        kind: distributor
        margin: 12%
"""


def test_each_transaction_is_judged_by_the_version_in_force_on_its_date(make: Callable[..., Runtime]) -> None:
    rt = make(VERSIONS)
    seen: list[object] = []
    settle(rt, [sale("p", 1_000_000, day=datetime.date(2026, 9, 30)),
                sale("p", 1_000_000, day=datetime.date(2026, 10, 1))],
           partners(Partner("p", "reseller")), FY2026, on_line=seen.append)
    assert [(line.version, line.amount) for line in seen] == [("2026.04", 100_000), ("2026.10", 120_000)]  # type: ignore[attr-defined]


CHAIN = """\
contracts:
  - id: agency
    kind: distributor
hierarchy:
  model: nested
  max_depth: 3
  levels:
    - {level: 1, margin: 20%}
    - {level: 2, margin: 15%}
    - {level: 3, margin: 10%}
"""


def test_chain_statements_add_up_to_customer_paid_less_vendor_received(make: Callable[..., Runtime]) -> None:
    rt = make(CHAIN)
    ps = partners(Partner("a1", "agency", level=1), Partner("a2", "agency", level=2, parent="a1"),
                  Partner("a3", "agency", level=3, parent="a2"))
    returned = sale("a3", 99_999, quantity=3)
    txns = [sale("a3", 1_234_567, sell_price=1_200_001), sale("a2", 777_777), returned, refund(returned, 1)]
    result = settle(rt, txns, ps, FY2026)
    # The refund takes back a third of what the customer paid for `returned`: 99,999 × 3 × 1/3.
    paid = sum(t.sell_price * t.quantity for t in txns[:3]) - 99_999
    vendor = result.statements[0].volumes.purchases  # a1 pays the vendor for every transaction
    assert sum(s.totals.get("margin", 0) for s in result.statements) == paid - vendor


def test_only_partners_the_vendor_contracts_directly_earn_its_ladder(make: Callable[..., Runtime]) -> None:
    rt = make(CHAIN.replace("    kind: distributor\n", "    kind: distributor\n    ladder: volume\n") + """\
ladders:
  - id: volume
    basis: purchases
    period: fiscal_year
    mode: retroactive
    steps:
      - from: ¥0
        rate: 0%
      - from: ¥1,000,000
        rate: 1%
""")
    ps = partners(Partner("a1", "agency", level=1), Partner("a2", "agency", level=2, parent="a1"))
    result = settle(rt, [sale("a2", 2_000_000)], ps, FY2026)
    by_partner = {s.partner: lines_of(s) for s in result.statements}
    assert by_partner["a1"] == {"ladder": 20_000} and by_partner["a2"] == {}


CAPPED = """\
inputs:
  transaction:
    category: category
enums:
  category: [software, hardware]
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
    ladder: volume
ladders:
  - id: volume
    basis: list_sales
    period: fiscal_year
    mode: retroactive
    steps:
      - from: ¥0
        rate: 0%
      - from: ¥1,000,000
        rate: 5%
price_rules:
  margin_caps:
    - id: hardware-cap
      when: transaction.category == hardware
      cap: 12%
"""


def test_under_a_margin_cap_the_ladder_adds_only_the_headroom(make: Callable[..., Runtime]) -> None:
    rt = make(CAPPED)
    result = settle(rt, [sale("p", 1_000_000, category="software"), sale("p", 1_000_000, category="hardware")],
                    partners(Partner("p", "reseller")), FY2026)
    # software earns the full 5%; hardware only the 2% the 12% cap leaves above the 10% margin
    assert lines_of(result.statements[0])["ladder"] == 50_000 + 20_000


def test_a_partner_missing_a_field_gets_a_problem_not_a_crash(make: Callable[..., Runtime]) -> None:
    rt = make(LADDER.format(mode="retroactive").replace("qualify: period.sales >= ¥2,000,000",
                                                        "qualify: partner.certified >= 2")
              .replace("tiers:", "inputs:\n  partner:\n    certified: integer\ntiers:"))
    [s] = settle(rt, [sale("p", 100)], P, FY2026).statements
    assert s.next_tier is None and s.problems and "partner.certified" in s.problems[0]
