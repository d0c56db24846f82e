"""Routing endpoints: a lead ranked and a would-be reseller routed as `ppl route` does, logged before the answer;
vendor keys only (a ranking names other partners)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.service.deps import MemoryLog
from tests.service.conftest import SELLER, TestKeys
from tests.service.decision_support import OTHER, V1, artifact, cli_json, problem, service

LEAD = {"id": "L-1", "date": "2026-06-01", "industry": "retail"}
AT = "2026-06-01T10:00:00+09:00"


@pytest.fixture
def client(bundle: Path, keys: TestKeys, log: MemoryLog, tmp_path: Path) -> Iterator[TestClient]:
    with service(bundle, keys, log, str(tmp_path / "registry.db")) as c:
        yield c


def test_a_lead_is_ranked_as_ppl_route_ranks_it(client: TestClient, keys: TestKeys, log: MemoryLog, bundle: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    answer = client.post(f"{V1}/route/lead", json={"lead": LEAD}, headers=keys.header(keys.vendor))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    [printed] = cli_json(["route", *artifact(bundle), "--lead", json.dumps(LEAD), "--format", "json"], capsys)
    assert body["routing"] == printed
    assert body["routing"]["order"] and body["ruleset"]["version"] == printed["version"] == "2026.04"
    [decision] = log.decisions
    assert (decision.id, decision.kind, decision.input["lead"]) == (body["decision_id"], "route_lead", LEAD)


@pytest.mark.parametrize(("lead", "field", "code"), [
    ({"id": "L-1", "industry": "retail"}, "body.lead.date", "E520"),
    ({**LEAD, "date": "June"}, "body.lead.date", "E521"),
    ({**LEAD, "industry": "retial"}, "body.lead.industry", "E522"),
    ({**LEAD, "colour": "red"}, "body.lead.colour", "invalid_request"),
])
def test_a_bad_lead_is_a_422_naming_the_field(client: TestClient, keys: TestKeys, lead: dict[str, Any], field: str,
                                               code: str) -> None:
    body = problem(client.post(f"{V1}/route/lead", json={"lead": lead}, headers=keys.header(keys.vendor)), 422)
    assert (body["field"], body["code"]) == (field, code)


def test_a_reseller_is_routed_and_recorded_as_ppl_route_does(client: TestClient, keys: TestKeys, log: MemoryLog,
                                                              bundle: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.db")
    for n, at in enumerate((AT, "2026-06-02T10:00:00+09:00"), 1):
        answer = client.post(f"{V1}/route/reseller", json={"applicant": f"new-{n}", "at": at,
                                                           "fields": {"focus": "retail"}},
                             headers=keys.header(keys.vendor))
        assert answer.status_code == 200, answer.text
        printed = cli_json(["route", *artifact(bundle), "--new-reseller", f"new-{n}", "--at", at, "--field",
                            "focus=retail", "--registry", db, "--format", "json"], capsys)
        assert answer.json()["route"] == printed
        assert printed["recorded"] is True and printed["partner"]
    assert [d.kind for d in log.decisions] == ["route_reseller", "route_reseller"]


def test_without_a_registry_a_reseller_is_routed_and_not_recorded(bundle: Path, keys: TestKeys, log: MemoryLog,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    with service(bundle, keys, log) as c:
        answer = c.post(f"{V1}/route/reseller", json={"applicant": "new-1", "date": "2026-06-01",
                                                      "fields": {"focus": "games"}}, headers=keys.header(keys.vendor))
        missing = c.post(f"{V1}/route/reseller", json={"applicant": "new-2", "date": "2026-06-01"},
                         headers=keys.header(keys.vendor))
    printed = cli_json(["route", *artifact(bundle), "--new-reseller", "new-1", "--date", "2026-06-01", "--field",
                        "focus=games", "--format", "json"], capsys)
    assert answer.json()["route"] == printed and printed["recorded"] is False
    body = problem(missing, 422)
    assert body["code"] == "E500" and "applicant.focus" in body["detail"]


@pytest.mark.parametrize(("payload", "field", "code"), [
    ({"applicant": "a", "at": AT, "date": "2026-06-01"}, "body.at", "invalid_request"),
    ({"applicant": "a", "date": "2026-13-01"}, "body.date", "E521"),
    ({"applicant": "a", "fields": {"focus": "cars"}}, "body.fields.focus", "E522"),
    ({"applicant": "a", "fields": {"size": 3}}, "body.fields.size", "invalid_request"),
    ({"applicant": "a\u202e"}, "body.applicant", "E525"),
    ({}, "body.applicant", "invalid_request"),
])
def test_a_bad_application_is_a_422_naming_the_field(client: TestClient, keys: TestKeys, payload: dict[str, Any],
                                                      field: str, code: str) -> None:
    body = problem(client.post(f"{V1}/route/reseller", json=payload, headers=keys.header(keys.vendor)), 422)
    assert (body["field"], body["code"]) == (field, code)


@pytest.mark.parametrize(("path", "payload"), [
    ("/route/lead", {"lead": LEAD}),
    ("/route/reseller", {"applicant": "new-1"}),
])
def test_routing_refuses_a_partner_key_and_shows_no_partner(client: TestClient, keys: TestKeys, log: MemoryLog,
                                                             path: str, payload: dict[str, Any]) -> None:
    answer = client.post(f"{V1}{path}", json=payload, headers=keys.header(keys.partner))
    problem(answer, 403)
    assert OTHER not in answer.text and "ag1-01" not in answer.text and SELLER not in answer.text
    assert log.decisions == []
