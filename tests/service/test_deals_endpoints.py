"""Deal endpoints: conflicts, the registry's requests and reads, each logged before the answer; a partner key acts
only as itself and never learns who holds a customer it lost."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.service.deps import MemoryLog
from tests.service.conftest import SELLER, TestKeys
from tests.service.decision_support import OTHER, V1, artifact, cli_json, problem, service

AT = "2026-06-01T10:00:00+09:00"
LATER = "2026-06-02T10:00:00+09:00"


@pytest.fixture
def registry_db(tmp_path: Path) -> str:
    return str(tmp_path / "registry.db")


@pytest.fixture
def client(bundle: Path, keys: TestKeys, log: MemoryLog, registry_db: str) -> Iterator[TestClient]:
    with service(bundle, keys, log, registry_db) as c:
        yield c


def _register(client: TestClient, key: str, keys: TestKeys, **body: Any) -> Any:
    return client.post(f"{V1}/registrations", json={"customer": "株式会社ABC"} | body, headers=keys.header(key))


def test_a_partner_registers_a_customer_and_the_decision_is_logged_before_the_answer(
        client: TestClient, keys: TestKeys, log: MemoryLog) -> None:
    answer = _register(client, keys.partner, keys)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["outcome"]["accepted"] is True and body["outcome"]["claim"] == "R000001"
    assert body["outcome"]["arrival"] == "accepted" and body["outcome"]["status"] == "active"
    assert body["ruleset"]["program"] == "newswave-agencies" and body["ruleset"]["hash"].startswith("sha256:")
    [decision] = log.decisions
    assert decision.id == body["decision_id"] and decision.kind == "register"
    assert decision.input["partner"] == SELLER and decision.input["events"][0]["id"] == "R000001"
    assert decision.output == {k: v for k, v in body.items() if k != "decision_id"}


def test_a_registration_at_an_instant_answers_what_ppl_registry_prints(
        client: TestClient, keys: TestKeys, bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _register(client, keys.vendor, keys, partner=SELLER, at=AT).json()
    second = _register(client, keys.vendor, keys, partner=OTHER, at=LATER).json()
    db = str(tmp_path / "cli.db")
    for partner, at, answer in ((SELLER, AT, first), (OTHER, LATER, second)):
        printed = cli_json(["registry", "--db", db, *artifact(bundle), "register", "--as", partner, "--customer",
                            "株式会社ABC", "--at", at, "--format", "json"], capsys)
        assert answer["outcome"] == printed
    assert second["outcome"]["accepted"] is False and second["outcome"]["owner"] == "R000001"
    assert first["ruleset"]["version"] == "2026.04"


def test_a_partner_that_loses_a_customer_is_not_told_who_holds_it(client: TestClient, keys: TestKeys) -> None:
    an_hour_ago = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)).astimezone()
    _register(client, keys.vendor, keys, partner=SELLER, at=an_hour_ago.isoformat())
    held = client.get(f"{V1}/registrations", headers=keys.header(keys.vendor)).json()["registrations"][0]
    answer = _register(client, keys.other, keys)
    assert answer.status_code == 200
    outcome = answer.json()["outcome"]
    assert outcome["accepted"] is False and outcome["arrival"] == "held" and outcome["owner"] is None
    assert outcome["message"] == "another claimant registered first"
    for secret in (SELLER, held["id"], held["registered_at"], held["registered_at"][:16]):
        assert secret not in answer.text


def test_a_partner_that_ties_with_the_holder_is_not_told_its_id(client: TestClient, keys: TestKeys) -> None:
    _register(client, keys.vendor, keys, partner=SELLER, at=AT)
    answer = _register(client, keys.vendor, keys, partner=OTHER, at=AT)
    assert "R000001" in answer.json()["outcome"]["message"]  # the vendor is told which claim it is tied with
    mine = client.get(f"{V1}/registrations/R000002", headers=keys.header(keys.other))
    assert mine.json()["outcome"]["message"] == "no rule tells this claim from another registration; that claim " \
                                                "stays in force unless the vendor decides otherwise"
    assert "R000001" not in mine.text and SELLER not in mine.text


def test_a_partner_reads_only_its_own_registrations(client: TestClient, keys: TestKeys) -> None:
    _register(client, keys.partner, keys)
    _register(client, keys.other, keys)
    mine = client.get(f"{V1}/registrations?all=true", headers=keys.header(keys.other))
    assert [r["id"] for r in mine.json()["registrations"]] == ["R000002"]
    assert mine.json()["registrations"][0]["holder"] is None
    assert SELLER not in mine.text and "R000001" not in mine.text
    everyone = client.get(f"{V1}/registrations?all=true", headers=keys.header(keys.vendor)).json()
    assert [(r["id"], r["partner"], r["holder"]) for r in everyone["registrations"]] == [
        ("R000001", SELLER, None), ("R000002", OTHER, "R000001")]
    active = client.get(f"{V1}/registrations", headers=keys.header(keys.vendor)).json()
    assert [r["id"] for r in active["registrations"]] == ["R000001"]


def test_a_registration_and_its_outcome_are_read_by_their_partner_only(client: TestClient, keys: TestKeys) -> None:
    _register(client, keys.partner, keys)
    own = client.get(f"{V1}/registrations/R000001", headers=keys.header(keys.partner))
    assert own.status_code == 200
    assert own.json()["registration"]["customer"] == "株式会社ABC" and own.json()["outcome"]["status"] == "active"
    theirs = client.get(f"{V1}/registrations/R000001", headers=keys.header(keys.other))
    body = problem(theirs, 404)
    assert body["detail"] == "no registration `R000001` of yours"
    assert SELLER not in theirs.text and "株式会社ABC" not in theirs.text
    assert client.get(f"{V1}/registrations/R000001", headers=keys.header(keys.vendor)).status_code == 200


@pytest.mark.parametrize("action", ["renew", "withdraw"])
def test_a_partner_renews_and_withdraws_its_own_registration_and_no_other(
        client: TestClient, keys: TestKeys, log: MemoryLog, action: str) -> None:
    _register(client, keys.partner, keys)
    theirs = client.post(f"{V1}/registrations/R000001/{action}", headers=keys.header(keys.other))
    problem(theirs, 404)
    assert SELLER not in theirs.text and "株式会社ABC" not in theirs.text
    own = client.post(f"{V1}/registrations/R000001/{action}", headers=keys.header(keys.partner))
    assert own.status_code == 200, own.text
    outcome = own.json()["outcome"]
    assert outcome["accepted"] is True and outcome["action"] == action
    assert outcome["arrival"] == {"renew": "renewed", "withdraw": "withdrawn"}[action]
    assert [d.kind for d in log.decisions] == ["register", action]


def test_a_renewal_beyond_the_programs_renewals_is_refused_as_a_decision(client: TestClient, keys: TestKeys) -> None:
    _register(client, keys.vendor, keys, partner=SELLER, at=AT)
    answers = [client.post(f"{V1}/registrations/R000001/renew", json={"at": at}, headers=keys.header(keys.vendor))
               for at in ("2026-07-01T10:00:00+09:00", "2026-07-02T10:00:00+09:00", "2026-07-03T10:00:00+09:00")]
    assert [a.json()["outcome"]["arrival"] for a in answers] == ["renewed", "renewed", "refused"]
    assert answers[2].json()["outcome"]["message"] == "the program allows 2 renewals, and this registration has " \
                                                      "used them"


def test_a_partner_key_registers_only_as_itself_and_is_stamped_by_the_service(
        client: TestClient, keys: TestKeys, log: MemoryLog) -> None:
    body = problem(_register(client, keys.partner, keys, partner=OTHER), 403)
    assert body["field"] == "body.partner"
    body = problem(_register(client, keys.partner, keys, at=AT), 403)
    assert body["field"] == "body.at"
    assert log.decisions == []


@pytest.mark.parametrize(("payload", "field", "code"), [
    ({}, "body.customer", "invalid_request"),
    ({"customer": "X", "colour": "red"}, "body.colour", "invalid_request"),
    ({"customer": "X", "at": "tomorrow"}, "body.at", "invalid_request"),
    ({"customer": "X", "at": "2026-06-01T10:00:00"}, "body.at", "E530"),
    ({"customer": "X", "partner": "nobody"}, "body.partner", "E511"),
    ({"customer": "X", "fields": {"region": "kanto"}}, "body.fields.region", "invalid_request"),
    ({"customer": "X\u200b"}, "body.customer", "E525"),
])
def test_a_bad_registration_is_a_422_naming_the_field(client: TestClient, keys: TestKeys, payload: dict[str, Any],
                                                       field: str, code: str) -> None:
    answer = client.post(f"{V1}/registrations", json=payload, headers=keys.header(keys.vendor))
    body = problem(answer, 422)
    assert (body["field"], body["code"]) == (field, code)


def test_a_service_without_a_registry_answers_503(bundle: Path, keys: TestKeys, log: MemoryLog) -> None:
    with service(bundle, keys, log) as c:
        body = problem(_register(c, keys.partner, keys), 503)
        assert body["code"] == "no_registry"
        assert c.get(f"{V1}/registrations", headers=keys.header(keys.partner)).status_code == 503


def test_the_vendor_records_a_choice_and_a_close_and_reads_the_deal_as_ppl_registry_does(
        client: TestClient, keys: TestKeys, log: MemoryLog, bundle: Path, registry_db: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    vendor = keys.header(keys.vendor)
    _register(client, keys.vendor, keys, partner=SELLER, at=AT)
    _register(client, keys.vendor, keys, partner=OTHER, at=LATER)
    choice = client.post(f"{V1}/deals/株式会社ABC/choice", json={"partner": OTHER, "at": "2026-06-03T10:00:00+09:00"},
                         headers=vendor)
    assert choice.status_code == 200, choice.text
    assert choice.json()["outcome"]["arrival"] == "pending"
    close = client.post(f"{V1}/deals/株式会社ABC/close", json={"at": "2026-06-10T10:00:00+09:00"}, headers=vendor)
    assert close.status_code == 200, close.text
    assert [d.kind for d in log.decisions] == ["register", "register", "choose", "close"]
    at = "2026-06-20T10:00:00+09:00"
    deal = client.get(f"{V1}/deals/株式会社ABC", params={"at": at}, headers=vendor)
    assert deal.status_code == 200, deal.text
    printed = cli_json(["registry", "--db", registry_db, *artifact(bundle), "deal", "--customer", "株式会社ABC",
                        "--at", at, "--format", "json"], capsys)
    assert deal.json()["deal"] == printed
    assert printed["owner"]["partner"] == OTHER  # the customer_choice rule comes first in this program
    problem(client.get(f"{V1}/deals/nobody", headers=vendor), 404)


def test_the_vendor_decides_a_conflict_over_a_set_of_claims(client: TestClient, keys: TestKeys,
                                                             log: MemoryLog) -> None:
    claims = [{"id": "A", "partner": SELLER, "registered_at": AT},
              {"id": "B", "partner": OTHER, "registered_at": LATER, "customer_choice": True}]
    answer = client.post(f"{V1}/deals/conflict", json={"customer": "ABC", "at": "2026-06-10T10:00:00+09:00",
                                                       "claims": claims}, headers=keys.header(keys.vendor))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["owner"] == {"claim": "B", "partner": OTHER}
    assert body["decided_by"]["rule"] == "customer_choice" and body["decided_by"]["at"]
    assert {r["claim"]: r["outcome"] for r in body["reasons"]} == {"B": "owner", "A": "lost"}
    assert body["ruleset"]["version"] == "2026.04"
    assert log.decisions[0].kind == "conflict" and log.decisions[0].id == body["decision_id"]


@pytest.mark.parametrize(("claims", "field", "code"), [
    ([{"id": "A", "partner": "nobody", "registered_at": AT}], "body.claims.0.partner", "E511"),
    ([{"id": "A", "partner": None, "registered_at": "June"}], "body.claims.0.registered_at", "invalid_request"),
    ([{"id": "A", "registered_at": AT}, {"id": "A", "registered_at": AT}], "body", "E533"),
    ([], "body.claims", "invalid_request"),
])
def test_a_bad_conflict_is_a_422_naming_the_field(client: TestClient, keys: TestKeys, claims: list[Any],
                                                   field: str, code: str) -> None:
    answer = client.post(f"{V1}/deals/conflict", json={"customer": "ABC", "at": LATER, "claims": claims},
                         headers=keys.header(keys.vendor))
    body = problem(answer, 422)
    assert (body["field"], body["code"]) == (field, code)


@pytest.mark.parametrize(("method", "path", "payload"), [
    ("post", "/deals/conflict", {"customer": "ABC", "at": AT, "claims": [{"id": "A", "registered_at": AT}]}),
    ("post", "/deals/株式会社ABC/choice", {"partner": OTHER}),
    ("post", "/deals/株式会社ABC/close", {}),
    ("get", "/deals/株式会社ABC", None),
])
def test_the_vendors_deal_endpoints_refuse_a_partner_key(client: TestClient, keys: TestKeys, log: MemoryLog,
                                                          method: str, path: str, payload: Any) -> None:
    _register(client, keys.partner, keys)
    log.decisions.clear()
    answer = client.request(method.upper(), f"{V1}{path}", json=payload, headers=keys.header(keys.other))
    problem(answer, 403)
    assert SELLER not in answer.text and "R000001" not in answer.text
    assert log.decisions == []


def test_concurrent_registrations_of_one_customer_accept_exactly_one(client: TestClient, keys: TestKeys,
                                                                      log: MemoryLog) -> None:
    from concurrent.futures import ThreadPoolExecutor

    callers = [keys.partner, keys.other] * 8
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda key: _register(client, key, keys, customer="Race Corp"), callers))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers if a.status_code != 200]
    accepted = [a.json()["outcome"]["claim"] for a in answers if a.json()["outcome"]["accepted"]]
    assert len(accepted) == 1
    assert len(log.decisions) == 16 and len({d.id for d in log.decisions}) == 16
