"""Reseller applications in the registry's file: routed knowing the ones before, recorded, append-only."""

from __future__ import annotations

import dataclasses

import pytest

from runtime.decisions import Routed, route_new_reseller
from runtime.loaded import Runtime
from runtime.store import Applications, Registry, RegistryError
from tests.support.stores import database_error, raw
from tests.unit.runtime.store._applications_program import JST, PARTNERS, at, build
from tests.unit.runtime.store._registry_program import at as deal_at
from tests.unit.runtime.store._registry_program import build as build_registry_program


def test_each_application_is_routed_knowing_the_ones_recorded_before_it(store_target: str) -> None:
    path = store_target
    with Applications(path, build(), PARTNERS) as applications:
        first = applications.apply("n1", at(0), {"region": "kanto"})
        second = applications.apply("n2", at(1), {"region": "kanto"})
    with Applications(path, build(), PARTNERS) as applications:  # the running state outlives the process
        third = applications.apply("n3", at(2), {"region": "kanto"})
        records = applications.records()
    assert [first.partner, second.partner, third.partner] == ["b", "c", "a"]
    assert [r.seq for r in records] == [1, 2, 3]
    assert [r.route for r in records] == [first, second, third]
    assert records[0].fields == {"region": "kanto"} and records[0].route.at.utcoffset() == JST.utcoffset(None)


def test_the_recorded_routing_is_the_decision_replayed_over_the_receipt_order(store_target: str) -> None:
    rt = build()
    with Applications(store_target, rt, PARTNERS) as applications:
        for n, region in enumerate(("kanto", "kyushu", "kansai", "kanto", "kanto", "kyushu", "kanto")):
            applications.apply(f"n{n}", at(n), {"region": region})
        applications.apply("n0", at(9), {"region": "kanto"})  # a repeat
        routed = applications.routed()
        records = applications.records()
    earlier: list[Routed] = []
    for record, entry in zip(records, routed, strict=True):
        assert route_new_reseller(rt, entry.application, PARTNERS, earlier) == record.route
        earlier.append(entry)


def test_a_program_without_routing_records_the_vendor(store_target: str) -> None:
    with Applications(store_target, build_registry_program(), {}) as applications:
        route = applications.apply("n1", deal_at(6, 1))
        assert route.partner is None and applications.routed()[0].partner is None


def test_applications_share_the_database_with_the_deal_registry(store_target: str) -> None:
    path = store_target
    with Registry(path, build_registry_program(), {}) as registry:
        registry.register(None, "ABC", deal_at(6, 1), deal_fields={"region": "kanto"})
    with Applications(path, build(), PARTNERS) as applications:
        assert applications.apply("n1", at(0), {"region": "kanto"}).partner == "b"
    with Registry(path, build_registry_program(), {}) as registry:
        assert len(registry.admin_view()) == 1


@pytest.mark.parametrize(("applicant", "moment", "fields", "words"), [
    ("n1", at(0).replace(tzinfo=None), {"region": "kanto"}, "[E530]"),
    ("n1", at(0), {"regoin": "kanto"}, "unknown applicant field `regoin`; the program declares `region`"),
    ("n1", at(0), {"region": 1.5}, "not a value a program field can hold"),
    ("n\u200b1", at(0), {"region": "kanto"}, "[E525]"),
    ("n1", at(0), {}, "[E500]"),
    ("n1", at(0).replace(year=2025), {"region": "kanto"}, "[E510]"),
])
def test_a_bad_application_is_refused_with_its_reason_and_nothing_is_recorded(
        store_target: str, applicant: str, moment: object, fields: dict[str, object], words: str) -> None:
    with Applications(store_target, build(), PARTNERS) as applications:
        with pytest.raises(RegistryError) as exc:
            applications.apply(applicant, moment, fields)  # type: ignore[arg-type]
        assert words in str(exc.value)
        assert applications.records() == []


def test_recorded_applications_are_never_changed_or_deleted(store_target: str) -> None:
    path = store_target
    with Applications(path, build(), PARTNERS) as applications:
        applications.apply("n1", at(0), {"region": "kanto"})
    with raw(path) as db:
        for statement in ("UPDATE applications SET partner = 'c'", "DELETE FROM applications"):
            with pytest.raises(database_error(path), match="append-only"):
                db.execute(statement)
            db.rollback()


def test_a_database_of_another_program_is_refused(store_target: str) -> None:
    path = store_target
    with Applications(path, build(), PARTNERS):
        pass
    other = Runtime(dataclasses.replace(build().ruleset, program_id="another"))
    with pytest.raises(RegistryError, match="holds the registrations of program `registry-test`"):
        Applications(path, other, PARTNERS)
