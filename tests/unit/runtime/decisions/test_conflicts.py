"""Deal conflicts: expiry and renewal, ties, the customer's choice, partner versus direct, exclusivity."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from runtime.decisions import QuoteError
from runtime.decisions.conflicts import Claim, Deal, decide, expires_at
from runtime.loaded import Runtime
from runtime.model import Partner
from tests.unit.runtime.decisions.decision_helpers import partners

JST = datetime.timezone(datetime.timedelta(hours=9))

RULES = """\
inputs:
  partner:
    territory: region
  deal:
    region: region
enums:
  region: [kanto, kansai]
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
    renewal_period: 30d
  precedence:
    - rule: exclusivity
      by: territory
      when: partner.territory == deal.region
    - rule: customer_choice
    - rule: partner_over_direct
    - rule: first_registration
    - rule: tie_break
      by: higher_tier
  otherwise: vendor_decides
"""

PARTNERS = partners(Partner("a", "reseller", "member", fields={"territory": "kansai"}),
                    Partner("b", "reseller", "gold", fields={"territory": "kansai"}),
                    Partner("c", "reseller", "member", fields={"territory": "kanto"}),
                    Partner("d", "reseller", "member", fields={"territory": "kansai"}))


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=JST)


def deal(when: datetime.datetime, region: str = "kanto") -> Deal:
    return Deal("株式会社ABC", when, {"region": region})


def test_first_registration_wins_and_the_loser_is_told_why(make: Callable[..., Runtime]) -> None:
    rt = make(RULES)
    result = decide(rt, deal(at(6, 10), "kansai"), [Claim("r2", "b", at(6, 2)), Claim("r1", "a", at(6, 1))],
                    PARTNERS)
    assert result.owner is not None and result.owner.id == "r1"
    assert result.decided_by is not None and result.decided_by.rule == "first_registration"
    [lost] = [r for r in result.reasons if r.outcome == "lost"]
    assert lost.claim == "r2" and "registered first" in lost.message and lost.at is not None


def test_an_expired_registration_no_longer_competes(make: Callable[..., Runtime]) -> None:
    rt = make(RULES)
    old = Claim("r1", "a", at(4, 1))  # 90 days end on 30 June
    result = decide(rt, deal(at(7, 10), "kansai"), [old, Claim("r2", "b", at(7, 2))], PARTNERS)
    assert result.owner is not None and result.owner.id == "r2"
    assert [r.outcome for r in result.reasons if r.claim == "r1"] == ["expired"]


def test_a_renewal_extends_the_registration_once(make: Callable[..., Runtime]) -> None:
    rt = make(RULES)
    start = at(4, 1)  # expires 30 June; renewed once for 30 days: 30 July
    claims = [Claim("r1", "a", start, renewals=1), Claim("r2", "b", at(7, 30))]
    assert decide(rt, deal(at(7, 29), "kansai"), claims, PARTNERS).owner.id == "r1"  # type: ignore[union-attr]
    assert decide(rt, deal(at(7, 31), "kansai"), claims, PARTNERS).owner.id == "r2"  # type: ignore[union-attr]
    twice = [Claim("r1", "a", start, renewals=5), Claim("r2", "b", at(7, 30))]  # only one renewal is allowed
    assert decide(rt, deal(at(7, 31), "kansai"), twice, PARTNERS).owner.id == "r2"  # type: ignore[union-attr]


def test_same_instant_goes_to_the_higher_tier(make: Callable[..., Runtime]) -> None:
    rt = make(RULES)
    result = decide(rt, deal(at(6, 10), "kansai"), [Claim("r1", "a", at(6, 1)), Claim("r2", "b", at(6, 1))],
                    PARTNERS)
    assert result.owner is not None and result.owner.id == "r2"
    assert result.decided_by is not None and result.decided_by.rule == "tie_break (higher_tier)"


def test_same_instant_same_tier_the_vendor_decides_and_the_first_arrival_stands_meanwhile(
        make: Callable[..., Runtime]) -> None:
    rt = make(RULES)
    result = decide(rt, deal(at(6, 10), "kansai"), [Claim("r1", "a", at(6, 1)), Claim("r2", "d", at(6, 1))],
                    PARTNERS)
    assert result.owner is not None and result.owner.id == "r1" and result.vendor_decides
    [lost] = [r for r in result.reasons if r.claim == "r2"]
    assert lost.rule_id == "otherwise" and "unless the vendor decides otherwise" in lost.message


def test_the_customers_documented_choice_overrides_registration_order(make: Callable[..., Runtime]) -> None:
    rt = make(RULES)
    result = decide(rt, deal(at(6, 10), "kansai"),
                    [Claim("r1", "a", at(6, 1)), Claim("r2", "b", at(6, 5), customer_choice=True)], PARTNERS)
    assert result.owner is not None and result.owner.id == "r2" and result.decided_by.rule == "customer_choice"  # type: ignore[union-attr]


def test_a_partner_beats_the_vendors_direct_sales(make: Callable[..., Runtime]) -> None:
    rt = make(RULES)
    result = decide(rt, deal(at(6, 10), "kanto"), [Claim("d1", None, at(5, 1)), Claim("r1", "a", at(6, 1))],
                    PARTNERS)
    assert result.owner is not None and result.owner.id == "r1"
    assert result.decided_by is not None and result.decided_by.rule == "partner_over_direct"


def test_exclusivity_beats_an_earlier_registration(make: Callable[..., Runtime]) -> None:
    rt = make(RULES)
    result = decide(rt, deal(at(6, 10), "kanto"), [Claim("r1", "a", at(6, 1)), Claim("r2", "c", at(6, 5))],
                    PARTNERS)
    assert result.owner is not None and result.owner.id == "r2"
    assert result.decided_by is not None and result.decided_by.rule == "exclusivity (territory)"
    [lost] = [r for r in result.reasons if r.outcome == "lost"]
    assert lost.claim == "r1" and "exclusive right" in lost.message


def test_naive_timestamps_are_refused(make: Callable[..., Runtime]) -> None:
    rt = make(RULES)
    with pytest.raises(QuoteError) as exc:
        decide(rt, deal(datetime.datetime(2026, 6, 10)), [Claim("r1", "a", at(6, 1))], PARTNERS)
    assert exc.value.code == "E530" and "timezone" in exc.value.message


def test_a_rule_set_with_an_enumeration_in_a_tier_requirement_reads_back(make: Callable[..., Runtime]) -> None:
    from runtime import ir_json

    rt = make(RULES)
    assert ir_json.loads(ir_json.dumps(rt.ruleset)) == rt.ruleset


def test_claims_with_one_id_and_unknown_partners_are_refused_up_front(make: Callable[..., Runtime]) -> None:
    rt = make(RULES)
    with pytest.raises(QuoteError) as exc:
        decide(rt, deal(at(6, 10)), [Claim("r1", "a", at(6, 1)), Claim("r1", "b", at(6, 2))], PARTNERS)
    assert exc.value.code == "E533"
    with pytest.raises(QuoteError) as exc:
        decide(rt, deal(at(6, 10)), [Claim("r1", "a", at(6, 1)), Claim("r2", "ghost", at(6, 2))], PARTNERS)
    assert exc.value.code == "E511"


def test_a_loser_is_not_told_when_the_winner_registered(make: Callable[..., Runtime]) -> None:
    rt = make(RULES)
    result = decide(rt, deal(at(6, 10), "kansai"), [Claim("r1", "a", at(6, 1)), Claim("r2", "b", at(6, 2))],
                    PARTNERS)
    [lost] = [r for r in result.reasons if r.outcome == "lost"]
    assert "2026" not in lost.message


def test_a_registration_written_in_utc_expires_on_the_program_calendar(make: Callable[..., Runtime]) -> None:
    # Registered 2026-05-31T15:30Z, which is 00:30 on 1 June in Tokyo (the program's time zone, the default).
    # 90 days on the Tokyo calendar: 1 June + 90 days = 30 August, 00:30 in Tokyo = 2026-08-29T15:30Z.
    rt = make(RULES)
    utc = datetime.UTC
    claim = Claim("r1", "a", datetime.datetime(2026, 5, 31, 15, 30, tzinfo=utc))
    conflicts = rt.ruleset.versions[0].conflicts
    assert conflicts is not None
    assert expires_at(claim, conflicts, rt.ruleset.time_zone) == \
        datetime.datetime(2026, 8, 29, 15, 30, tzinfo=utc)
    late = Claim("r2", "b", datetime.datetime(2026, 8, 29, 15, 30, tzinfo=utc))  # arrives as r1's protection ends
    still = decide(rt, deal(datetime.datetime(2026, 8, 29, 15, 29, tzinfo=utc), "kansai"), [claim, late], PARTNERS)
    assert still.owner is not None and still.owner.id == "r1"
    gone = decide(rt, deal(datetime.datetime(2026, 8, 29, 15, 30, tzinfo=utc), "kansai"), [claim, late], PARTNERS)
    assert gone.owner is not None and gone.owner.id == "r2"


def test_a_deal_before_the_first_day_in_tokyo_has_no_version(make: Callable[..., Runtime]) -> None:
    # 2026-03-31T14:59Z is 23:59 on 31 March in Tokyo: the program starts on 1 April (E510), a minute later it decides.
    rt = make(RULES)
    utc = datetime.UTC
    with pytest.raises(QuoteError) as error:
        decide(rt, deal(datetime.datetime(2026, 3, 31, 14, 59, tzinfo=utc)), [Claim("r1", "a", at(3, 1))], PARTNERS)
    assert error.value.code == "E510" and "2026-03-31" in error.value.message
    found = decide(rt, deal(datetime.datetime(2026, 3, 31, 15, 0, tzinfo=utc)), [Claim("r1", "c", at(3, 30))],
                   PARTNERS)
    assert found.version == "2026.04"
