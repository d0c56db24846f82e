"""Health, readiness, metrics and the request log."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from runtime.service.deps import MemoryLog
from tests.service.conftest import PROGRAM, TXN, TestKeys

QUOTE = f"/v1/programs/{PROGRAM}/quote"


def test_healthz_and_readyz_answer_without_a_key(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "checks": {}}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_readyz_is_a_503_problem_when_the_decision_log_cannot_take_decisions(client: TestClient,
                                                                             log: MemoryLog) -> None:
    log.close()
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json()["code"] == "not_ready"


def test_a_decision_the_log_refuses_is_not_answered(client: TestClient, keys: TestKeys, log: MemoryLog,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(decision: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(log, "append", refuse)
    answer = client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.vendor))
    assert answer.status_code == 503 and answer.json()["code"] == "log_unavailable"
    assert "quote" not in answer.json()


def test_metrics_count_requests_decisions_reloads_and_fallbacks(client: TestClient, keys: TestKeys) -> None:
    for _ in range(3):
        client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.vendor))
    client.post(QUOTE, json={"transaction": {}}, headers=keys.header(keys.vendor))
    client.post("/v1/admin/reload", headers=keys.header(keys.admin))
    text = client.get("/metrics").text
    assert f'ppl_decisions_total{{kind="quote",program="{PROGRAM}"}} 3.0' in text
    assert 'ppl_http_requests_total{method="POST",route="/v1/programs/{program}/quote",status="200"} 3.0' in text
    assert 'ppl_http_requests_total{method="POST",route="/v1/programs/{program}/quote",status="422"} 1.0' in text
    assert 'ppl_http_request_duration_seconds_count{method="POST",route="/v1/programs/{program}/quote"} 4.0' in text
    assert 'ppl_bundle_reloads_total{result="ok"} 2.0' in text
    assert f'ppl_quote_fallbacks_total{{program="{PROGRAM}"}} 0.0' in text
    assert "ppl_artifacts_loaded 1.0" in text


def test_each_request_is_one_json_log_line_with_the_key_id_and_never_the_key(
        client: TestClient, keys: TestKeys, log: MemoryLog, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ppl.service.access"):
        client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.vendor))
        client.get("/nothing", headers=keys.header(keys.vendor))
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ppl.service.access"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("POST", QUOTE, 200), ("GET", "/nothing", 404)]
    assert lines[0]["key"] == "vendor1" and lines[0]["decisions"] == [log.decisions[0].id]
    assert lines[0]["duration_ms"] > 0
    assert keys.vendor not in caplog.text and keys.vendor.split("_", 2)[2] not in caplog.text
