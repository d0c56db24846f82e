"""Every answer that is not a decision is problem details (RFC 9457) with ppl's code, never a bare 500."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.service import problems
from tests.service.conftest import PROGRAM, TXN, TestKeys

QUOTE = f"/v1/programs/{PROGRAM}/quote"
MEMBERS = {"type", "title", "status", "detail", "instance", "code"}


def _problem(answer: Any, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert MEMBERS <= set(body)
    assert body["status"] == status and body["code"] == code and body["type"] == f"urn:ppl:problem:{code}"
    return body


def test_an_unknown_path_is_a_404_problem(client: TestClient) -> None:
    body = _problem(client.get("/v2/nothing"), 404, "not_found")
    assert body["instance"] == "/v2/nothing"


def test_a_wrong_method_is_a_405_problem(client: TestClient, keys: TestKeys) -> None:
    body = _problem(client.get(QUOTE, headers=keys.header(keys.vendor)), 405, "method_not_allowed")
    assert "`GET`" in body["detail"]


@pytest.mark.parametrize(("body", "field"), [
    ({}, "body.transaction"),
    ({"transaction": TXN, "extra": 1}, "body.extra"),
    ({"transaction": [1, 2]}, "body.transaction"),
    ({"transaction": {"id": {"nested": 1}}}, "body.transaction.id.str"),
    ({"transaction": TXN, "volumes": {"ag1-01": {"sales": "lots"}}}, "body.volumes.ag1-01.sales"),
])
def test_a_body_that_does_not_validate_is_a_422_naming_the_field(
        client: TestClient, keys: TestKeys, body: dict[str, Any], field: str) -> None:
    found = _problem(client.post(QUOTE, json=body, headers=keys.header(keys.vendor)), 422, "invalid_request")
    assert found["field"] == field or found["field"].startswith(field.rsplit(".", 1)[0])
    assert found["errors"] and all({"field", "reason", "type"} <= set(e) for e in found["errors"])


def test_a_body_that_is_not_json_is_a_422_not_a_500(client: TestClient, keys: TestKeys) -> None:
    answer = client.post(QUOTE, content=b"\xff{not json", headers={**keys.header(keys.vendor),
                                                                   "content-type": "application/json"})
    found = _problem(answer, 422, "invalid_request")
    assert found["field"].startswith("body")


def test_an_unexpected_error_is_a_500_problem_that_tells_nothing_of_the_internals(
        client: TestClient, keys: TestKeys, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from runtime import io as rio

    def broken(*args: object) -> object:
        raise RuntimeError("secret internals at /srv/ppl")

    monkeypatch.setattr(rio, "quote_json", broken)
    with caplog.at_level(logging.ERROR, logger="ppl.service"):
        answer = client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.vendor))
    body = _problem(answer, 500, "internal")
    assert "secret" not in answer.text and "RuntimeError" not in answer.text
    assert body["detail"] == "the service failed to answer; the error is logged"
    assert any("secret internals" in str(r.exc_info) for r in caplog.records)


def test_a_problem_carries_its_extras_and_field() -> None:
    found = problems.problem_json(problems.http_problem(422, "bad", "E521", "body.x", {"hint": "h"}), "/p")
    assert found == {"type": "urn:ppl:problem:E521", "title": "Invalid request", "status": 422, "detail": "bad",
                     "instance": "/p", "code": "E521", "field": "body.x", "hint": "h"}
