"""The quote lane answers exactly what the quote endpoint answers: the same requests are sent to a service with
the lane and to one without it, and the answers (status, content type, body less the decision id) and the
logged decisions are compared."""

from __future__ import annotations

import copy
import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.service import deps, quote_lane
from runtime.service.app import create_app
from runtime.service.decision_log import JsonLinesLog, read_log
from runtime.service.deps import MemoryLog
from tests.service.conftest import PROGRAM, ROOT, TXN, TestKeys

QUOTE = f"/v1/programs/{PROGRAM}/quote"
UUID = re.compile(rb'"decision_id":"[0-9a-f-]{36}"')


def _rows(limit: int = 60) -> list[dict[str, Any]]:
    with open(ROOT / "examples" / "data" / "transactions.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:limit]
    return [{k: int(v) if v.lstrip("-").isdigit() and k != "id" else v for k, v in row.items() if v} for row in rows]


LANE_ANSWERS: list[str] = []
"""The ids of the decisions the lane logged (and so answered) in the running test."""


@pytest.fixture
def pair(bundle: Path, keys: TestKeys, monkeypatch: pytest.MonkeyPatch) \
        -> Iterator[tuple[TestClient, TestClient, MemoryLog, MemoryLog]]:
    """A service with the lane and one without, over the same bundle and keys, each with its memory log."""
    logged_async = deps.logged_async

    async def counted(st: Any, decision: Any) -> Any:
        LANE_ANSWERS.append(decision.id)
        return await logged_async(st, decision)

    monkeypatch.setattr(quote_lane, "logged_async", counted)
    LANE_ANSWERS.clear()
    with_log, without_log = MemoryLog(), MemoryLog()
    with TestClient(create_app(bundle, keys.path, log=with_log), raise_server_exceptions=False) as lane, \
            TestClient(create_app(bundle, keys.path, log=without_log, quote_lane=False),
                       raise_server_exceptions=False) as plain:
        yield lane, plain, with_log, without_log


def _same(pair: tuple[TestClient, TestClient, MemoryLog, MemoryLog], content: bytes, headers: dict[str, str],
          path: str = QUOTE) -> int:
    """Send one request to both services; assert the answers and the logged decisions agree; the status."""
    lane, plain, with_log, without_log = pair
    before = len(with_log.decisions), len(without_log.decisions)
    a = lane.post(path, content=content, headers=headers)
    b = plain.post(path, content=content, headers=headers)
    assert a.status_code == b.status_code, (a.text, b.text)
    assert a.headers.get("content-type") == b.headers.get("content-type")
    assert UUID.sub(b"ID", a.content) == UUID.sub(b"ID", b.content)
    logged = with_log.decisions[before[0]:], without_log.decisions[before[1]:]
    assert len(logged[0]) == len(logged[1]) == (1 if a.status_code == 200 else 0)
    for x, y in zip(*logged, strict=True):
        assert (x.kind, x.program, x.ruleset_hash, x.version, x.caller, x.input, x.output) == \
            (y.kind, y.program, y.ruleset_hash, y.version, y.caller, y.input, y.output)
        assert json.loads(a.content)["decision_id"] == x.id
    plain_case = path == QUOTE and "Authorization" in headers and headers.get("Content-Type") == "application/json"
    if a.status_code == 200 and plain_case:
        assert LANE_ANSWERS[-1:] == [logged[0][0].id], "a plain quote is answered by the lane"
    status: int = a.status_code
    return status


def _json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def test_the_lane_answers_every_example_transaction_as_the_endpoint_does(pair: Any, keys: TestKeys) -> None:
    statuses = [_same(pair, _json({"transaction": row}), {**keys.header(keys.vendor),
                                                          "Content-Type": "application/json"}) for row in _rows()]
    assert statuses.count(200) > 40 and set(statuses) <= {200, 422}


def test_the_lane_gives_a_partner_key_its_own_view_and_leaves_refusals_to_the_endpoint(
        pair: Any, keys: TestKeys) -> None:
    json_type = {"Content-Type": "application/json"}
    body = _json({"transaction": TXN})
    assert _same(pair, body, {**keys.header(keys.partner), **json_type}) == 200
    assert _same(pair, body, {**keys.header(keys.other), **json_type}) == 403
    assert _same(pair, body, {"Authorization": "Bearer ppl_nobody_secret", **json_type}) == 401
    assert _same(pair, body, json_type) == 401
    assert _same(pair, body, {"X-API-Key": keys.vendor, **json_type}) == 200
    assert _same(pair, body, {**keys.header(keys.vendor), "Content-Type": "text/plain"}) == 422
    assert _same(pair, body, {**keys.header(keys.vendor), **json_type}, "/v1/programs/nothing/quote") == 404
    assert _same(pair, body, {**keys.header(keys.vendor), **json_type}, QUOTE + "?ruleset=sha256:00") == 404


@pytest.mark.parametrize("content", [
    b"", b"{", b"[]", b'{"transaction": 1}', b'{"transaction": {}}', "{\"transaction\": {\"id\": \"\u00e9\"}}".encode(),
    b'{"transaction": {"id": "T1", "date": "2026-05-01", "partner": "ag3-01", "product": "reserved", '
    b'"list_price": 1000000.5, "sell_price": 1000000, "quantity": 2}}',
    b'{"transaction": {"id": "T1", "date": "2026-05-01", "partner": "ag3-01", "product": "reserved", '
    b'"list_price": 1000000, "sell_price": 1000000, "quantity": 2}, "volumes": {"ag1-01": {"sales": 5}}}',
    b'{"transaction": {"id": "T1", "date": "2026-05-01", "partner": "ag3-01", "product": "reserved", '
    b'"list_price": 1000000, "sell_price": 1000000, "quantity": 2}, "extra": true}',
    b"[" * 100_000,
], ids=["empty", "torn", "a-list", "not-an-object", "no-fields", "unicode-id", "a-fraction-of-a-yen", "volumes",
        "an-unknown-member", "nested-too-deep"])
def test_the_lane_and_the_endpoint_agree_on_odd_bodies(pair: Any, keys: TestKeys, content: bytes) -> None:
    _same(pair, content, {**keys.header(keys.vendor), "Content-Type": "application/json"})


def test_a_body_over_the_lanes_limit_is_answered_by_the_endpoint(pair: Any, keys: TestKeys) -> None:
    padded = dict(TXN, id="T" + "x" * (1 << 20))
    assert _same(pair, _json({"transaction": padded}), {**keys.header(keys.vendor),
                                                        "Content-Type": "application/json"}) in (200, 422)


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15), st.text(max_size=12),
                    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(sorted(TXN) + ["extra"]), _VALUES, max_size=3),
       dropped=st.sets(st.sampled_from(sorted(TXN)), max_size=2), key=st.sampled_from(["vendor", "partner", "other"]))
def test_the_lane_and_the_endpoint_agree_on_changed_transactions(
        pair: Any, keys: TestKeys, changes: dict[str, Any], dropped: set[str], key: str) -> None:
    txn = {k: v for k, v in copy.deepcopy(TXN).items() if k not in dropped}
    txn.update(changes)
    _same(pair, _json({"transaction": txn}), {**keys.header(getattr(keys, key)), "Content-Type": "application/json"})


def test_the_lanes_decisions_reach_a_json_lines_log_before_their_answers(
        bundle: Path, keys: TestKeys, tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    log = JsonLinesLog(path)
    with TestClient(create_app(bundle, keys.path, log=log)) as client:
        ids = []
        for row in _rows(30):
            answer = client.post(QUOTE, json={"transaction": row}, headers=keys.header(keys.vendor))
            if answer.status_code == 200:
                ids.append(answer.json()["decision_id"])
                assert path.read_bytes().count(b"\n") == len(ids)  # written before the answer came back
    assert [d.id for d in read_log(path)] == ids and ids
    assert log.syncs >= 1


def test_the_lanes_answers_are_counted_and_logged_under_the_endpoints_route(
        pair: Any, keys: TestKeys, caplog: pytest.LogCaptureFixture) -> None:
    lane = pair[0]
    with caplog.at_level("INFO", logger="ppl.service.access"):
        assert lane.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.partner)).status_code == 200
    [line] = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ppl.service.access"]
    assert line["route"] == "/v1/programs/{program}/quote" and line["key"] == "p-ag3-01" and line["status"] == 200
    assert len(line["decisions"]) == 1
    metrics = lane.get("/metrics", headers=keys.header(keys.admin)).text
    assert 'ppl_http_requests_total{method="POST",route="/v1/programs/{program}/quote",status="200"} 1.0' in metrics
    assert f'ppl_decisions_total{{kind="quote",program="{PROGRAM}"}} 1.0' in metrics
