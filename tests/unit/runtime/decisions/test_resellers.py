"""Would-be resellers: the routing's keys, the count of children, turns in receipt order, repeats, the vendor."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from runtime.decisions import Application, QuoteError, ResellerRoute, Routed, route_new_reseller
from runtime.engine import EvaluationError
from runtime.loaded import Runtime
from runtime.model import Partner
from tests.unit.runtime.decisions.decision_helpers import partners

JST = datetime.timezone(datetime.timedelta(hours=9))

ROUTED = """\
inputs:
  partner:
    region: region
    open_leads: integer
  applicant:
    region: region
enums:
  region: [kanto, kansai, kyushu]
contracts:
  - id: agency
    kind: distributor
  - id: introducer
    kind: referral
    fee: 5%
hierarchy:
  model: nested
  max_depth: 2
  levels:
    - {level: 1, margin: 20%}
    - {level: 2, margin: 10%}
  new_resellers:
    to: level_1
    order:
      - prefer: partner.region == applicant.region
        title: {en: same region}
      - fewest: children
    among_equals: rotate
"""

BY_LEADS = ROUTED.replace("      - fewest: children\n", "      - fewest: open_leads\n")


def p(pid: str, region: str = "kanto", open_leads: int = 0, level: int = 1, parent: str | None = None,
      contract: str = "agency", **more: Any) -> Partner:
    return Partner(pid, contract, None, level, parent, {"region": region, "open_leads": open_leads}, **more)


# kanto: a (one child, a2), b, c; kansai: k. x is an introducer; a2 is a 2nd-tier agency under a.
PARTNERS = partners(p("a"), p("b"), p("c"), p("k", "kansai"), p("x", contract="introducer"),
                    p("a2", level=2, parent="a"))


def at(minute: int) -> datetime.datetime:
    return datetime.datetime(2026, 6, 1, 9, minute, tzinfo=JST)


def apply_all(rt: Runtime, applications: Sequence[tuple[str, str]],
              who: Mapping[str, Partner] = PARTNERS) -> list[ResellerRoute]:
    """Route (applicant, region) applications one minute apart, each knowing the ones before it."""
    earlier: list[Routed] = []
    routes = []
    for minute, (applicant, region) in enumerate(applications):
        application = Application(applicant, at(minute), {"region": region})
        routes.append(route_new_reseller(rt, application, who, earlier))
        earlier.append(Routed(application, routes[-1].partner))
    return routes


def test_a_distributor_in_the_applicants_region_with_the_fewest_children_gets_it(
        make: Callable[..., Runtime]) -> None:
    route = route_new_reseller(make(ROUTED), Application("n1", at(0), {"region": "kanto"}), PARTNERS)
    assert route.partner == "b"  # a has a child; b and c none: the first by id
    assert [(r.key, r.found) for r in route.reasons] == [
        ("to", ""), ("prefer", "yes"), ("fewest", "children 0"),
        ("among_equals", "the first application among b, c: the first by id")]
    assert all(r.at is not None for r in route.reasons)
    assert {(x.partner, x.key) for x in route.left_out} == {("k", "prefer"), ("a", "fewest"), ("c", "among_equals")}
    assert route.version == "2026.04"


def test_the_applications_routed_before_count_as_children_and_equals_take_turns(make: Callable[..., Runtime]) -> None:
    routes = apply_all(make(ROUTED), [(f"n{i}", "kanto") for i in range(7)])
    # b, c (a has a2); then a, b, c all have one: after c comes a; then b, c (two each with a); then a, b, c …
    assert [r.partner for r in routes] == ["b", "c", "a", "b", "c", "a", "b"]


def test_no_distributor_in_the_region_leaves_every_distributor_in(make: Callable[..., Runtime]) -> None:
    route = route_new_reseller(make(ROUTED), Application("n1", at(0), {"region": "kyushu"}), PARTNERS)
    assert route.partner == "b"  # b, c and k have no child
    assert ("prefer", "no distributor meets it") in [(r.key, r.found) for r in route.reasons]


def test_the_only_distributor_of_a_region_needs_no_turn(make: Callable[..., Runtime]) -> None:
    routes = apply_all(make(ROUTED), [("n1", "kansai"), ("n2", "kansai")])
    assert [r.partner for r in routes] == ["k", "k"]
    assert "among_equals" not in [r.key for r in routes[1].reasons]


def test_an_applicant_that_applied_before_goes_where_it_went_and_takes_no_turn(make: Callable[..., Runtime]) -> None:
    routes = apply_all(make(ROUTED), [("n1", "kanto"), ("n1", "kanto"), ("n2", "kanto")])
    assert [r.partner for r in routes] == ["b", "b", "c"]
    assert routes[1].reasons[1].key == "applied_before"


def test_fewest_counts_a_declared_integer_input(make: Callable[..., Runtime]) -> None:
    who = partners(p("a", open_leads=1), p("b", open_leads=5), p("c", open_leads=1))
    routes = apply_all(make(BY_LEADS), [("n1", "kanto"), ("n2", "kanto"), ("n3", "kanto")], who)
    assert [r.partner for r in routes] == ["a", "c", "a"]  # open leads are the file's: the turns go a, c, a
    assert routes[0].left_out[0].reason == "fewest open_leads: open_leads 5, more than 1"


def test_a_partner_without_the_counted_input_is_refused_with_e500(make: Callable[..., Runtime]) -> None:
    who = partners(p("a"), Partner("b", "agency", None, 1, None, {"region": "kanto"}))
    with pytest.raises(QuoteError) as exc:
        route_new_reseller(make(BY_LEADS), Application("n1", at(0), {"region": "kanto"}), who)
    assert exc.value.code == "E500" and "`b`" in exc.value.message


def test_an_applicant_without_a_field_the_preference_reads_is_refused(make: Callable[..., Runtime]) -> None:
    with pytest.raises(EvaluationError) as exc:
        route_new_reseller(make(ROUTED), Application("n1", at(0)), PARTNERS)
    assert exc.value.code == "E500" and "applicant.region" in exc.value.message


def test_partners_that_are_not_members_on_the_day_are_no_candidates(make: Callable[..., Runtime]) -> None:
    who = partners(p("a", left=datetime.date(2026, 5, 31)), p("b", joined=datetime.date(2026, 6, 2)), p("c"))
    route = route_new_reseller(make(ROUTED), Application("n1", at(0), {"region": "kanto"}), who)
    assert route.partner == "c" and route.left_out == ()


def test_without_a_first_tier_distributor_the_vendor_handles_it(make: Callable[..., Runtime]) -> None:
    route = route_new_reseller(make(ROUTED), Application("n1", at(0), {"region": "kanto"}),
                               partners(p("x", contract="introducer")))
    assert route.partner is None and "no 1st-tier distributor" in route.reasons[0].found


def test_the_vendor_handles_it_when_the_program_says_so(make: Callable[..., Runtime]) -> None:
    rt = make(ROUTED.replace("    to: level_1\n    order:\n      - prefer: partner.region == applicant.region\n"
                             "        title: {en: same region}\n      - fewest: children\n"
                             "    among_equals: rotate\n", "    to: vendor\n"))
    route = route_new_reseller(rt, Application("n1", at(0), {"region": "kanto"}), PARTNERS)
    assert route.partner is None and route.reasons[0].rule == "the vendor handles inquiries from new resellers itself"


def test_a_time_without_an_offset_and_a_time_outside_the_program_are_refused(make: Callable[..., Runtime]) -> None:
    rt = make(ROUTED)
    with pytest.raises(QuoteError) as naive:
        route_new_reseller(rt, Application("n1", datetime.datetime(2026, 6, 1, 9), {"region": "kanto"}), PARTNERS)
    with pytest.raises(QuoteError) as early:
        route_new_reseller(rt, Application("n1", datetime.datetime(2026, 3, 31, 9, tzinfo=JST),
                                           {"region": "kanto"}), PARTNERS)
    assert (naive.value.code, early.value.code) == ("E530", "E510")


def test_the_same_history_gives_the_same_answers(make: Callable[..., Runtime]) -> None:
    rt = make(ROUTED)
    history = [(f"n{i}", ("kanto", "kansai", "kyushu")[i % 3]) for i in range(12)]
    assert apply_all(rt, history) == apply_all(rt, history)
