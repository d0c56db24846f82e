"""The registry through its Python API: the conflict scenarios, renewals, withdrawals, expiry, identity."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from runtime.loaded import Runtime
from runtime.store import Registry, RegistryError, TimeOrderError
from tests.unit.runtime.store._registry_program import JST, PARTNERS, at, build


@pytest.fixture(scope="module", params=["compiled", "interpreted"])
def rt(request: pytest.FixtureRequest) -> Runtime:
    return build(str(request.param))


@pytest.fixture
def registry(store_target: str, rt: Runtime) -> Iterator[Registry]:
    with Registry(store_target, rt, PARTNERS) as opened:
        yield opened


KANSAI = {"region": "kansai"}  # alpha, bravo and delta all hold kansai: exclusivity does not tell them apart
KANTO = {"region": "kanto"}  # only kanto-co holds kanto


def events(registry: Registry, registration: str) -> list[str]:
    return [e.event for e in registry.history() if e.registration == registration]


# --- the five scenarios ----------------------------------------------------------------------------


def test_first_registration_wins_expires_and_is_renewed_once(registry: Registry) -> None:
    first = registry.register("alpha", "株式会社ABC", at(6, 1), deal_fields=KANSAI)
    assert first.accepted and first.owner == first.claim and first.rule == "registration"
    assert first.expires_at == at(8, 30)  # 90 days

    second = registry.register("bravo", "ＡＢＣ（株）", at(6, 2), deal_fields=KANSAI)
    assert not second.accepted and second.status == "rejected"
    assert second.owner == first.claim and second.rule == "first_registration"
    assert second.at is not None and second.at.startswith("registry.yaml:")

    renewed = registry.renew("alpha", first.claim, at(8, 1))
    assert renewed.accepted and renewed.expires_at == at(9, 29)  # one renewal of 30 days
    again = registry.renew("alpha", first.claim, at(8, 2))
    assert not again.accepted and "allows 1 renewal" in again.message

    assert registry.register("bravo", "abc", at(9, 28), deal_fields=KANSAI).owner == first.claim
    later = registry.register("bravo", "abc", at(9, 30), deal_fields=KANSAI)
    assert later.accepted and later.message == "the only claim in force"
    assert registry.outcome("alpha", first.claim).status == "expired"
    assert events(registry, first.claim) == ["register", "accept", "renew", "reject", "expire"]
    late = registry.renew("alpha", first.claim, at(10, 1))
    assert not late.accepted and "expired" in late.message


def test_a_renewal_after_expiry_is_refused_and_the_registration_expires(registry: Registry) -> None:
    first = registry.register("alpha", "ABC", at(6, 1), deal_fields=KANSAI)
    late = registry.renew("alpha", first.claim, at(8, 30))  # expiry is exclusive: 8/30 10:00 has ended it
    assert not late.accepted and late.status == "expired" and "expired at 2026-08-30T10:00:00+09:00" in late.message
    assert registry.mine("alpha") == []


def test_the_same_instant_goes_to_the_higher_tier_and_equals_leave_the_holder_in_place(registry: Registry) -> None:
    member = registry.register("alpha", "ABC", at(6, 1), deal_fields=KANSAI)
    gold = registry.register("bravo", "ABC", at(6, 1), deal_fields=KANSAI)
    assert gold.accepted and gold.rule == "tie_break (higher_tier)"
    displaced = registry.outcome("alpha", member.claim)
    assert displaced.status == "superseded" and displaced.owner == gold.claim
    assert displaced.rule == "tie_break (higher_tier)"

    holder = registry.register("alpha", "XYZ", at(6, 1), deal_fields=KANSAI)
    equal = registry.register("delta", "XYZ", at(6, 1), deal_fields=KANSAI)  # same tier, same instant
    assert not equal.accepted and equal.owner == holder.claim and equal.rule == "otherwise (vendor_decides)"
    assert registry.outcome("alpha", holder.claim).status == "active"


def test_the_customers_documented_choice_applies_at_the_close_not_when_the_chosen_partner_registers(
        registry: Registry) -> None:
    first = registry.register("alpha", "株式会社ABC", at(6, 1), deal_fields=KANSAI)
    second = registry.register("bravo", "ABC", at(6, 5), deal_fields=KANSAI)
    assert not second.accepted and second.arrival == "held" and second.owner == first.claim
    chosen = registry.choose("ＡＢＣ（株）", "bravo", at(6, 6))
    assert chosen.accepted and chosen.arrival == "pending" and chosen.owner == first.claim
    assert registry.outcome("alpha", first.claim).status == "active"  # the program applies it at the close
    closed = registry.close_deal("abc", at(6, 10))
    assert closed.arrival == "closed" and closed.owner == second.claim and closed.rule == "customer_choice"
    lost = registry.outcome("alpha", first.claim)
    assert lost.status == "superseded" and lost.owner == second.claim and lost.rule == "customer_choice"
    assert lost.message == "the customer chose another claimant"
    won = registry.outcome("bravo", second.claim)
    assert won.status == "active" and won.arrival == "held" and won.rule == "customer_choice"
    assert events(registry, second.claim) == ["register", "reject", "accept"]
    assert events(registry, first.claim) == ["register", "accept", "supersede"]


def test_after_the_close_the_next_registration_opens_a_new_deal(registry: Registry) -> None:
    first = registry.register("alpha", "ABC", at(6, 1), deal_fields=KANSAI)
    assert registry.close_deal("ABC", at(6, 10)).owner == first.claim
    again = registry.register("bravo", "ABC", at(6, 11), deal_fields=KANSAI)
    assert again.accepted and again.rule == "registration"
    deal = registry.deal("ABC", at=at(6, 12))
    assert [a.event.id for a in deal.arrivals] == [again.claim]
    closed = registry.deal("ABC", at=at(6, 5))
    assert [a.status for a in closed.arrivals] == ["accepted", "closed"]
    assert closed.owner.owner is not None and closed.owner.owner.id == first.claim


def test_a_partner_beats_the_vendors_direct_sales(registry: Registry) -> None:
    direct = registry.register(None, "ABC", at(5, 1), deal_fields=KANTO)
    assert direct.accepted
    partner = registry.register("alpha", "ABC", at(6, 1), deal_fields=KANTO)
    assert partner.accepted and partner.rule == "partner_over_direct"
    assert registry.outcome(None, direct.claim).status == "superseded"
    again = registry.register(None, "ABC", at(6, 2), deal_fields=KANTO)
    assert not again.accepted and again.owner == partner.claim and again.rule == "partner_over_direct"


def test_exclusivity_beats_an_earlier_registration(registry: Registry) -> None:
    first = registry.register("alpha", "株式会社ABC", at(6, 1), deal_fields=KANTO)
    exclusive = registry.register("kanto-co", "ＡＢＣ（株）", at(6, 5), deal_fields=KANTO)
    assert exclusive.accepted and exclusive.rule == "exclusivity (territory)"
    lost = registry.outcome("alpha", first.claim)
    assert lost.status == "superseded" and lost.owner == exclusive.claim
    assert "exclusive right" in lost.message and lost.at is not None
    assert events(registry, first.claim) == ["register", "accept", "supersede"]


def test_a_new_claim_cannot_redescribe_the_deal_to_take_it(registry: Registry) -> None:
    first = registry.register("kanto-co", "ABC", at(6, 1), deal_fields=KANTO)
    grab = registry.register("alpha", "ABC", at(6, 2), deal_fields=KANSAI)  # alpha holds kansai
    assert not grab.accepted and grab.owner == first.claim and grab.rule == "exclusivity (territory)"


# --- requests ---------------------------------------------------------------------------------------


def test_a_withdrawn_registration_frees_the_customer(registry: Registry) -> None:
    first = registry.register("alpha", "ABC", at(6, 1), deal_fields=KANSAI)
    gone = registry.withdraw("alpha", first.claim, at(6, 3))
    assert gone.accepted and gone.status == "withdrawn"
    assert registry.register("bravo", "ABC", at(6, 4), deal_fields=KANSAI).accepted
    twice = registry.withdraw("alpha", first.claim, at(6, 5))
    assert not twice.accepted and "withdrawn" in twice.message


def test_expire_marks_every_registration_past_its_end(registry: Registry) -> None:
    for n, partner in enumerate(("alpha", "bravo", "delta")):
        registry.register(partner, f"customer {n}", at(6, 1 + n), deal_fields=KANSAI)
    assert registry.expire(at(8, 31)) == 2  # 6/1 and 6/2 ended; 6/3 lasts until 9/1
    assert registry.expire(at(8, 31)) == 0
    assert Counter(r.status for r in registry.admin_view()) == {"expired": 2, "active": 1}
    assert [e.event for e in registry.history()].count("expire") == 2


def test_a_partner_cannot_register_a_customer_it_already_holds(registry: Registry) -> None:
    first = registry.register("alpha", "ABC", at(6, 1), deal_fields=KANSAI)
    again = registry.register("alpha", "株式会社ABC", at(6, 2), deal_fields=KANSAI)
    assert not again.accepted and again.owner == first.claim and "renew it" in again.message


def test_customers_match_by_corporate_number_first(registry: Registry) -> None:
    first = registry.register("alpha", "国税庁", at(6, 1), corporate_number="7000012050002", deal_fields=KANSAI)
    by_number = registry.register("bravo", "National Tax Agency", at(6, 2), corporate_number="7-0000-1205-0002",
                                  deal_fields=KANSAI)
    assert by_number.owner == first.claim and not by_number.accepted
    other = registry.register("bravo", "国税庁", at(6, 2), corporate_number="1180301018771", deal_fields=KANSAI)
    assert other.accepted  # the same name, another company: the numbers decide
    by_name = registry.register("delta", "国税庁", at(6, 3), deal_fields=KANSAI)  # no number: the name decides
    assert not by_name.accepted


def test_requests_are_checked_before_anything_is_written(registry: Registry) -> None:
    naive = datetime.datetime(2026, 6, 1, 10)
    cases: list[tuple[Callable[[], object], str | None, str]] = [
        (lambda: registry.register("alpha", "ABC", naive), "E530", "no timezone"),
        (lambda: registry.register("zulu", "ABC", at(6, 1)), "E511", "unknown partner `zulu`"),
        (lambda: registry.register("alpha", "ABC", at(6, 1), deal_fields={"regoin": "kanto"}), None,
         "unknown deal field `regoin`"),
        (lambda: registry.register("alpha", "ABC", at(6, 1), corporate_number="123"), None, "13 digits"),
        (lambda: registry.register("alpha", "・・・", at(6, 1)), None, "no name left"),
        (lambda: registry.expire(naive), "E530", "no timezone"),
    ]
    for call, code, words in cases:
        with pytest.raises(RegistryError) as exc:
            call()
        assert exc.value.code == code, exc.value
        assert words in str(exc.value)
    assert registry.history() == [] and registry.admin_view() == []


def test_a_claim_outside_the_program_is_recorded_as_rejected_outside(registry: Registry) -> None:
    early = registry.register("alpha", "ABC", at(3, 1), deal_fields=KANSAI)  # before the program's first version
    assert not early.accepted and early.arrival == "outside" and early.status == "rejected"
    assert early.owner is None and "no version of program `registry-test` is in force on 2026-03-01" in early.message
    assert [(e.kind, e.status) for e in registry.events()] == [("register", "outside")]


def test_a_claim_earlier_than_the_registration_in_force_is_refused(registry: Registry) -> None:
    registry.register("alpha", "ABC", at(6, 2), deal_fields=KANSAI)
    with pytest.raises(TimeOrderError, match="time order"):
        registry.register("bravo", "ABC", at(6, 1), deal_fields=KANSAI)
    assert len(registry.admin_view()) == 1


def test_a_missing_deal_field_read_by_a_rule_is_an_error(registry: Registry) -> None:
    registry.register("alpha", "ABC", at(6, 1))  # alone: no rule is consulted
    with pytest.raises(RegistryError) as exc:
        registry.register("bravo", "ABC", at(6, 2))  # exclusivity reads deal.region
    assert exc.value.code == "E500" and exc.value.at is not None


def test_times_keep_their_offset_and_compare_as_instants(registry: Registry) -> None:
    utc = datetime.datetime(2026, 6, 1, 0, 30, tzinfo=datetime.UTC)  # 09:30 in Japan
    first = registry.register("alpha", "ABC", at(6, 1, 9, 0), deal_fields=KANSAI)
    later = registry.register("bravo", "ABC", utc, deal_fields=KANSAI)
    assert not later.accepted and later.owner == first.claim
    [mine] = registry.mine("bravo", include_inactive=True)
    assert mine.registered_at == utc and mine.registered_at.utcoffset() == datetime.timedelta(0)
    assert registry.mine("alpha")[0].registered_at.utcoffset() == JST.utcoffset(None)


def test_the_deal_shows_an_expiry_after_the_last_request_as_a_change_at_its_own_instant(registry: Registry) -> None:
    first = registry.register("alpha", "ABC", at(6, 1), deal_fields=KANSAI)
    assert [c.cause for c in registry.deal("ABC", at=at(8, 1)).changes] == [first.claim]
    later = registry.deal("ABC", at=at(9, 1))
    assert [(c.at, c.owner, c.cause) for c in later.changes] == [
        (at(6, 1), first.claim, first.claim), (at(8, 30), None, f"expiry of {first.claim}")]
    assert later.owner.owner is None and later.owner_at(at(8, 29)).owner is not None
