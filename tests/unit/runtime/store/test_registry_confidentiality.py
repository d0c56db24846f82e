"""A partner sees only its own claims: nothing it gets back names a competitor, its customer text or fields."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from runtime.loaded import Runtime
from runtime.store import Registry, RegistryError
from tests.unit.runtime.store._registry_program import PARTNERS, PROGRAM, at, build, compile_test_program

# What alpha wrote: none of it may reach bravo, whatever bravo asks.
SECRETS = ("alpha", "株式会社アルファ", "7000012050002", "alpha-secret-note")


def serialise(result: Any) -> str:
    """Everything a call returned or raised, as text (JSON of dataclasses; an error's message)."""
    if isinstance(result, BaseException):
        return f"{type(result).__name__}: {result}"
    if isinstance(result, list):
        return "[" + ", ".join(serialise(item) for item in result) + "]"
    assert dataclasses.is_dataclass(result) and not isinstance(result, type)
    return json.dumps(dataclasses.asdict(result), ensure_ascii=False, default=str)


def call(request: Callable[[], Any]) -> str:
    try:
        return serialise(request())
    except RegistryError as exc:
        return serialise(exc)


@pytest.fixture
def registry(store_target: str) -> Iterator[Registry]:
    with Registry(store_target, build(), PARTNERS) as opened:
        yield opened


def test_nothing_a_partner_gets_back_reveals_a_competitor(registry: Registry) -> None:
    held = registry.register("alpha", "株式会社アルファ", at(6, 1), corporate_number="7000012050002",
                             deal_fields={"region": "kansai", "note": "alpha-secret-note"})
    assert held.accepted
    rejected = registry.register("bravo", "アルファ", at(6, 2), deal_fields={"region": "kansai"})
    assert not rejected.accepted and rejected.owner == held.claim  # the holder's id and the rule, nothing more
    seen = [
        serialise(rejected),
        call(lambda: registry.register("bravo", "ｱﾙﾌｧ", at(6, 3), deal_fields={"region": "kansai"})),
        call(lambda: registry.mine("bravo")),
        call(lambda: registry.mine("bravo", include_inactive=True)),
        call(lambda: registry.outcome("bravo", rejected.claim)),
        call(lambda: registry.outcome("bravo", held.claim)),
        call(lambda: registry.renew("bravo", held.claim, at(6, 4))),
        call(lambda: registry.withdraw("bravo", held.claim, at(6, 4))),
    ]
    text = "\n".join(seen)
    for secret in SECRETS:
        assert secret not in text, (secret, text)
    assert held.claim in seen[0]  # the holder's registration id is what a rejection tells
    # Another partner's claim and a claim that does not exist read the same.
    for index, request in ((5, lambda: registry.outcome("bravo", "R999999")),
                           (6, lambda: registry.renew("bravo", "R999999", at(6, 4))),
                           (7, lambda: registry.withdraw("bravo", "R999999", at(6, 4)))):
        assert seen[index].startswith("RegistryError") and seen[index] == call(request).replace("R999999", held.claim)
    # bravo's own writing of the corporate number matches too; it learns the holder's id and nothing else
    by_number = registry.register("bravo", "Alpha KK", at(6, 5), corporate_number="7-0000-1205-0002",
                                  deal_fields={"region": "kansai"})
    assert not by_number.accepted and by_number.owner == held.claim
    for secret in SECRETS[:2] + SECRETS[3:]:
        assert secret not in serialise(by_number)
    # alpha's registration is untouched by bravo's attempts
    assert registry.outcome("alpha", held.claim).status == "active"


def test_the_partner_that_displaces_another_learns_nothing_of_it_and_the_loser_only_an_id(
        registry: Registry) -> None:
    first = registry.register("bravo", "株式会社ブラボー", at(6, 1), deal_fields={"region": "kansai",
                                                                           "note": "bravo-private"})
    chosen = registry.register("alpha", "ブラボー", at(6, 5), deal_fields={"region": "kansai"})
    assert not chosen.accepted and chosen.owner == first.claim  # the holder's id, nothing more
    assert registry.choose("ブラボー", "alpha", at(6, 6)).arrival == "pending"
    assert registry.close_deal("ブラボー", at(6, 7)).owner == chosen.claim
    alpha_sees = "\n".join([call(lambda: registry.mine("alpha", include_inactive=True)),
                            call(lambda: registry.outcome("alpha", chosen.claim))])
    assert registry.outcome("alpha", chosen.claim).status == "active"
    for secret in ("bravo", "株式会社ブラボー", "bravo-private", "2026-06-01"):
        assert secret not in alpha_sees, secret
    bravo_sees = "\n".join([call(lambda: registry.outcome("bravo", first.claim)),
                            call(lambda: registry.mine("bravo", include_inactive=True))])
    assert chosen.claim in bravo_sees  # the displacing registration's id, and the rule
    for secret in SECRETS:
        assert secret not in bravo_sees, secret


def test_direct_sales_and_partners_do_not_see_each_other(registry: Registry) -> None:
    direct = registry.register(None, "株式会社ダイレクト顧客", at(6, 1), deal_fields={"region": "kanto",
                                                                           "note": "vendor-internal"})
    partner = registry.register("alpha", "ダイレクト顧客", at(6, 2), deal_fields={"region": "kanto"})
    assert partner.accepted and partner.rule == "partner_over_direct"
    alpha_sees = "\n".join([serialise(partner), call(lambda: registry.mine("alpha", include_inactive=True))])
    for secret in ("株式会社ダイレクト顧客", "vendor-internal", direct.claim):
        assert secret not in alpha_sees, secret
    asked = call(lambda: registry.outcome("alpha", direct.claim))
    assert asked == call(lambda: registry.outcome("alpha", "R999999")).replace("R999999", direct.claim)
    assert [r.id for r in registry.mine(None, include_inactive=True)] == [direct.claim]
    assert registry.mine(None) == []  # superseded: no longer in force


def test_a_territory_that_owns_deals_without_a_registration_is_not_named_to_a_partner(store_target: str) -> None:
    text = PROGRAM.replace("      when: partner.territory == deal.region\n",
                           "      when: partner.territory == deal.region\n      needs_registration: false\n")
    with Registry(store_target, Runtime(compile_test_program(text)), PARTNERS) as registry:
        held = registry.register("alpha", "株式会社カントー", at(6, 1), deal_fields={"region": "kanto"})
        assert not held.accepted and held.arrival == "held" and held.rule == "exclusivity (territory)"
        seen = "\n".join([serialise(held), call(lambda: registry.outcome("alpha", held.claim)),
                          call(lambda: registry.mine("alpha", include_inactive=True))])
        assert "kanto-co" not in seen and "an exclusive territory" in seen
        # the administrator sees whose territory it is
        assert registry.deal("カントー", at=at(6, 2)).owner.owner.id == "territory:kanto-co"  # type: ignore[union-attr]


def test_the_vendors_choice_and_close_tell_a_partner_nothing_of_another(registry: Registry) -> None:
    mine = registry.register("alpha", "株式会社アルファ", at(6, 1), corporate_number="7000012050002",
                             deal_fields={"region": "kansai", "note": "alpha-secret-note"})
    other = registry.register("bravo", "Alpha KK", at(6, 2), corporate_number="7000012050002",
                              deal_fields={"region": "kansai"})
    registry.choose("アルファ", "bravo", at(6, 3), corporate_number="7000012050002")
    registry.close_deal("アルファ", at(6, 4), corporate_number="7000012050002")
    bravo_sees = "\n".join([call(lambda: registry.outcome("bravo", other.claim)),
                            call(lambda: registry.mine("bravo", include_inactive=True)),
                            call(lambda: registry.outcome("bravo", mine.claim))])
    assert other.claim in bravo_sees and registry.outcome("bravo", other.claim).status == "active"
    for secret in (*SECRETS[:2], SECRETS[3], "2026-06-01"):  # bravo wrote the corporate number itself
        assert secret not in bravo_sees, secret
    alpha_sees = "\n".join([call(lambda: registry.outcome("alpha", mine.claim)),
                            call(lambda: registry.mine("alpha", include_inactive=True))])
    assert "bravo" not in alpha_sees and "Alpha KK" not in alpha_sees and "2026-06-02" not in alpha_sees
    assert registry.outcome("alpha", mine.claim).owner == other.claim  # an id and the rule, nothing more
