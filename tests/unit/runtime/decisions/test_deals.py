"""A deal's history: statuses on arrival, the owner at every instant, the customer's choice, territories that own
deals without a registration, and tie-breaks by order and by partner id."""

from __future__ import annotations

import datetime

import pytest

from runtime import ir
from runtime.decisions.deals import Event, owner_at, replay
from runtime.model import Partner
from tests.unit.runtime.decisions.decision_helpers import build, partners

JST = datetime.timezone(datetime.timedelta(hours=9))


def at(month: int, day: int, hour: int = 10, second: int = 0, micro: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, second, micro, tzinfo=JST)


def program(chain: str, choice: str = "", territory: str = "") -> str:
    return f"""\
inputs:
  partner:
    territory: region
  deal:
    region: region
enums:
  region: [kanto, kansai, kyushu]
contracts:
  - id: reseller
    kind: distributor
    margin: 15%
tiers:
  cadence: quarterly
  levels:
    - id: gold
      qualify: partner.territory == kansai
    - id: member
      qualify: true
conflicts:
  registration:
    expires_after: 90d
    renewals: 1
  precedence:
    - rule: exclusivity
      by: territory
      when: partner.territory == deal.region
{territory}    - rule: customer_choice
{choice}    - rule: partner_over_direct
    - rule: first_registration
{chain}  otherwise: vendor_decides
"""


TIER = "    - rule: tie_break\n      by: higher_tier\n"
PARTNERS = partners(Partner("a", "reseller", "member", fields={"territory": "kansai"}),
                    Partner("b", "reseller", "gold", fields={"territory": "kansai"}),
                    Partner("c", "reseller", "member", fields={"territory": "kanto"}),
                    Partner("d", "reseller", "member"),  # no territory: no placeholder needed
                    Partner("e", "reseller", "member"))
KYUSHU = {"region": "kyushu"}


def register(rid: str, partner: str | None, when: datetime.datetime, fields: dict[str, str] = KYUSHU) -> Event:
    return Event("register", rid, when, partner, fields)


def test_each_registration_gets_its_status_on_arrival_with_the_rule() -> None:
    rt = build(program(TIER))
    history = replay(rt, "ABC", [register("r1", "a", at(6, 1)), register("r2", "d", at(6, 2)),
                                 register("r3", "a", at(6, 3)), register("r4", "c", at(6, 4))], PARTNERS)
    got = [(x.event.id, x.status, x.reason.rule_id, x.holder) for x in history.arrivals]
    assert got == [("r1", "accepted", "registration", "r1"), ("r2", "held", "first_registration", "r1"),
                   ("r3", "duplicate", "registration", "r1"), ("r4", "held", "first_registration", "r1")]


def test_a_rejected_registration_does_not_come_back_when_the_holder_expires() -> None:
    rt = build(program(TIER))
    events = [register("r1", "a", at(4, 1)), register("r2", "d", at(5, 1))]  # r1 protected until 30 June
    assert owner_at(rt, "ABC", events, PARTNERS, at(6, 29)).owner.id == "r1"  # type: ignore[union-attr]
    after = owner_at(rt, "ABC", events, PARTNERS, at(6, 30))
    assert after.owner is None
    assert {r.claim: r.outcome for r in after.reasons} == {"r1": "expired", "r2": "lost"}
    again = owner_at(rt, "ABC", [*events, register("r3", "d", at(7, 1))], PARTNERS, at(7, 2))
    assert again.owner is not None and again.owner.id == "r3"
    history = replay(rt, "ABC", events, PARTNERS)
    history.owner_at(at(7, 1))
    assert [(c.previous, c.owner, c.cause) for c in replay(rt, "ABC", [*events, register("r3", "d", at(7, 1))],
                                                             PARTNERS).changes] == [
        (None, "r1", "r1"), ("r1", None, "expiry of r1"), (None, "r3", "r3")]


def test_the_customers_choice_applies_at_the_close_not_when_the_partner_registers() -> None:
    rt = build(program(TIER))
    events = [register("r1", "a", at(6, 1)), register("r2", "d", at(6, 5)),
              Event("choose", "c1", at(6, 8), "d"), Event("close", "k", at(6, 20))]
    history = replay(rt, "ABC", events, PARTNERS)
    statuses = [(x.event.id, x.status) for x in history.arrivals]
    assert statuses == [("r1", "accepted"), ("r2", "held"), ("c1", "pending"), ("c1", "applied"), ("k", "closed")]
    assert history.owner_at(at(6, 10)).owner.id == "r1"  # type: ignore[union-attr]
    closed = history.owner_at(at(6, 20))
    assert closed.owner is not None and closed.owner.id == "r2" and closed.decided_by.rule_id == "customer_choice"  # type: ignore[union-attr]


def test_a_choice_applied_when_documented_changes_the_owner_from_its_instant() -> None:
    rt = build(program(TIER, choice="      applies: when_documented\n"))
    events = [register("r1", "a", at(6, 1)), register("r2", "d", at(6, 5)), Event("choose", "c1", at(6, 8), "d")]
    history = replay(rt, "ABC", events, PARTNERS)
    assert history.arrivals[-1].status == "applied"
    assert history.owner_at(at(6, 8)).owner.id == "r2"  # type: ignore[union-attr]
    assert [(c.at, c.owner) for c in history.changes][-1] == (at(6, 8), "r2")


def test_the_choice_does_not_override_a_rule_listed_before_it() -> None:
    rt = build(program(TIER))
    kansai = {"region": "kansai"}
    events = [register("r1", "a", at(6, 1), kansai), register("r2", "d", at(6, 5), kansai),
              Event("choose", "c1", at(6, 8), "d"), Event("close", "k", at(6, 20))]
    history = replay(rt, "ABC", events, PARTNERS)
    applied = [x for x in history.arrivals if x.event.id == "c1"][-1]
    assert applied.status == "not_applied" and applied.reason.rule_id == "exclusivity"
    assert history.owner_at(at(6, 20)).owner.id == "r1"  # type: ignore[union-attr]


def test_a_territory_that_needs_no_registration_owns_the_deal_and_partners_without_one_need_no_value() -> None:
    rt = build(program(TIER, territory="      needs_registration: false\n"))
    events = [register("r1", "d", at(6, 1), {"region": "kanto"})]
    history = replay(rt, "ABC", events, PARTNERS)
    assert history.arrivals[0].status == "held" and history.arrivals[0].holder == "territory:c"
    assert history.owner_at(at(6, 2)).owner.id == "territory:c"  # type: ignore[union-attr]


def test_without_needs_registration_exclusivity_wins_only_among_registrations() -> None:
    rt = build(program(TIER))
    history = replay(rt, "ABC", [register("r1", "d", at(6, 1), {"region": "kanto"})], PARTNERS)
    assert history.arrivals[0].status == "accepted"
    later = replay(rt, "ABC", [register("r1", "d", at(6, 1), {"region": "kanto"}),
                               register("r2", "c", at(6, 9), {"region": "kanto"})], PARTNERS)
    assert [x.status for x in later.arrivals] == ["accepted", "accepted"]
    assert later.owner_at(at(6, 9)).owner.id == "r2"  # type: ignore[union-attr]
    assert later.owner_at(at(6, 8)).owner.id == "r1"  # type: ignore[union-attr]


@pytest.mark.parametrize(("chain", "winner"), [
    ("    - rule: tie_break\n      by: order\n      order: [e, d]\n", "e"),
    ("    - rule: tie_break\n      by: partner_id\n", "d"),
])
def test_a_tie_at_the_same_second_in_any_notation_goes_by_the_written_tie_break(chain: str, winner: str) -> None:
    rt = build(program(chain))
    utc_same_second = datetime.datetime(2026, 6, 1, 1, 0, 0, 900_000, tzinfo=datetime.UTC)
    history = replay(rt, "ABC", [register("r1", "d", at(6, 1, micro=300_000)),
                                 register("r2", "e", utc_same_second)], PARTNERS)
    owner = history.owner_at(at(6, 2)).owner
    assert owner is not None and owner.partner == winner
    assert history.owner_at(at(6, 2)).decided_by.rule_id == "tie_break"  # type: ignore[union-attr]


def test_vendor_decides_keeps_the_first_arrival_in_force_and_says_so() -> None:
    rt = build(program(TIER))
    history = replay(rt, "ABC", [register("r1", "d", at(6, 1)), register("r2", "e", at(6, 1))], PARTNERS)
    assert [x.status for x in history.arrivals] == ["accepted", "held"]
    assert history.arrivals[1].reason.rule_id == "otherwise"
    ownership = history.owner_at(at(6, 2))
    assert ownership.owner.id == "r1" and ownership.vendor_decides  # type: ignore[union-attr]


def test_renewal_withdrawal_and_close_each_act_from_their_own_instant() -> None:
    rt = build(program(TIER))
    events = [register("r1", "a", at(4, 1)), Event("renew", "r1", at(6, 20), "a"),
              Event("renew", "r1", at(6, 21), "a"), Event("withdraw", "r1", at(8, 1), "a"),
              register("r2", "d", at(8, 2)), Event("close", "k", at(8, 10)), register("r3", "e", at(8, 11))]
    history = replay(rt, "ABC", events, PARTNERS)
    assert [(x.event.kind, x.status) for x in history.arrivals] == [
        ("register", "accepted"), ("renew", "renewed"), ("renew", "refused"), ("withdraw", "withdrawn"),
        ("register", "accepted"), ("close", "closed"), ("register", "closed")]
    assert history.owner_at(at(7, 31)).owner.id == "r1"  # type: ignore[union-attr]
    assert history.owner_at(at(8, 1)).owner is None
    assert history.owner_at(at(8, 12)).owner.id == "r2"  # type: ignore[union-attr]


def test_a_registration_outside_the_program_or_the_partners_membership_is_rejected_as_outside() -> None:
    rt = build(program(TIER))
    left = partners(*PARTNERS.values(), Partner("gone", "reseller", "member", left=datetime.date(2026, 5, 31)))
    history = replay(rt, "ABC", [register("r0", "a", at(3, 1)), register("r1", "gone", at(6, 1))], left)
    assert [(x.status, x.reason.rule_id) for x in history.arrivals] == [("outside", "program"),
                                                                         ("outside", "membership")]


def test_a_territory_granted_from_a_date_owns_the_deal_only_from_that_day_and_the_history_says_why() -> None:
    rt = build("""\
inputs:
  partner:
    territory: region
    granted: dated
  deal:
    region: region
enums:
  region: [kanto, kansai]
contracts:
  - id: reseller
    kind: distributor
    margin: 15%
conflicts:
  registration:
    expires_after: 90d
  precedence:
    - rule: exclusivity
      by: territory
      when: partner.territory == deal.region and partner.granted.valid_on(deal.date)
      needs_registration: false
    - rule: first_registration
    - rule: tie_break
      by: partner_id
  otherwise: vendor_decides
""")
    grant = ir.Dated(datetime.date(2026, 7, 1))
    people = partners(Partner("k", "reseller", None, fields={"territory": "kanto", "granted": grant}),
                      Partner("x", "reseller", None))
    history = replay(rt, "ABC", [register("r1", "x", at(6, 1), {"region": "kanto"})], people)
    assert history.arrivals[0].status == "accepted"
    assert history.owner_at(at(6, 30, hour=23)).owner.id == "r1"  # type: ignore[union-attr]
    july = history.owner_at(at(7, 1, hour=0))
    assert july.owner is not None and july.owner.id == "territory:k" and july.decided_by.rule_id == "exclusivity"  # type: ignore[union-attr]
    changes = history.changes_until(at(8, 1))
    assert [(c.owner, c.cause) for c in changes] == [("r1", "r1"), ("territory:k", "`k`: granted from 2026-07-01")]
    assert history.changes_until(at(8, 1)) == changes  # asking does not change the history
