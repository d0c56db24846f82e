"""Lead routing: eligibility, capacity, tier and preference order, rotation among equals, new resellers."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable

from runtime.decisions import Application, Routed, route_new_reseller
from runtime.decisions.routing import Lead, route
from runtime.loaded import Runtime
from runtime.model import Partner
from tests.unit.runtime.decisions.decision_helpers import partners

ROUTING = """\
inputs:
  partner:
    region: region
    segment: segment
    open_leads: integer
    lead_capacity: integer
  lead:
    region: region
    segment: segment
enums:
  region: [kanto, kansai]
  segment: [enterprise, smb]
contracts:
  - id: agency
    kind: distributor
tiers:
  cadence: quarterly
  levels:
    - id: tier1
      qualify: partner.open_leads >= 100
    - id: tier2
      qualify: true
hierarchy:
  model: nested
  max_depth: 2
  levels:
    - {level: 1, margin: 20%}
    - {level: 2, margin: 10%}
  new_resellers: level_1
lead_routing:
  eligible: partner.region == lead.region
  order:
    - by: tier
    - prefer: partner.segment == lead.segment
      title: {en: same segment}
  among_equals: rotate
  skip_when: partner.open_leads >= partner.lead_capacity
  new_resellers: hierarchy
"""


def p(pid: str, tier: str, region: str = "kanto", segment: str = "smb", open_leads: int = 0, level: int = 1,
      parent: str | None = None) -> Partner:
    return Partner(pid, "agency", tier, level, parent,
                   {"region": region, "segment": segment, "open_leads": open_leads, "lead_capacity": 5})


PARTNERS = partners(p("a", "tier2"), p("b", "tier1"), p("c", "tier2", segment="enterprise"),
                    p("d", "tier2", region="kansai"), p("e", "tier1", open_leads=5), p("f", "tier2"),
                    p("g", "tier2", level=2, parent="a"))
LEAD = Lead("L-1", datetime.date(2026, 6, 1), {"region": "kanto", "segment": "enterprise"})


def test_tier1_first_then_matching_segment_then_the_rest(make: Callable[..., Runtime]) -> None:
    result = route(make(ROUTING), LEAD, PARTNERS)
    order = [x.partner for x in result.order]
    assert order[:2] == ["b", "c"]
    assert sorted(order[2:]) == ["a", "f", "g"]
    assert result.order[0].why[0] == "tier `tier1`" and result.order[1].why[1] == "same segment: yes"


def test_ineligible_and_full_partners_are_left_out_with_the_reason(make: Callable[..., Runtime]) -> None:
    result = route(make(ROUTING), LEAD, PARTNERS)
    assert {(x.partner, x.reason) for x in result.left_out} == {("d", "not eligible for this lead"),
                                                                  ("e", "at capacity")}
    assert all(x.at is not None for x in result.left_out)


def test_equals_take_turns_deterministically(make: Callable[..., Runtime]) -> None:
    rt = make(ROUTING)
    firsts: Counter[str] = Counter()
    for i in range(300):
        lead = Lead(f"L-{i}", datetime.date(2026, 6, 1), {"region": "kanto", "segment": "smb"})
        order = route(rt, lead, partners(p("a", "tier2"), p("f", "tier2"), p("h", "tier2")))
        again = route(rt, lead, partners(p("a", "tier2"), p("f", "tier2"), p("h", "tier2")))
        assert order == again
        firsts[order.order[0].partner] += 1
    assert set(firsts) == {"a", "f", "h"} and min(firsts.values()) > 60


def test_new_resellers_go_to_the_first_tier_distributors_in_turn(make: Callable[..., Runtime]) -> None:
    rt = make(ROUTING)
    earlier: list[Routed] = []
    for n in range(8):
        application = Application(f"applicant-{n}", datetime.datetime(2026, 6, 1, 9, n, tzinfo=datetime.UTC))
        answer = route_new_reseller(rt, application, PARTNERS, earlier)
        earlier.append(Routed(application, answer.partner))
        assert answer.reasons[0].rule == "new resellers are introduced to a 1st-tier distributor"
    assert [r.partner for r in earlier] == ["a", "b", "c", "d", "e", "f", "a", "b"]
