"""POST /v1/programs/{program}/quote: one transaction quoted, explained by rule, logged before the answer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from runtime.service.deps import MemoryLog
from tests.service.conftest import PROGRAM, SELLER, TXN, TestKeys


def test_a_vendor_key_quotes_a_transaction_with_its_rule_set_and_decision_id(
        client: TestClient, keys: TestKeys, log: MemoryLog) -> None:
    answer = client.post(f"/v1/programs/{PROGRAM}/quote", json={"transaction": TXN}, headers=keys.header(keys.vendor))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["ruleset"]["program"] == PROGRAM
    assert body["ruleset"]["hash"].startswith("sha256:")
    assert body["ruleset"]["version"] == body["quote"]["version"]
    assert body["quote"]["partner"] == SELLER
    assert all(f["rule"] for f in body["quote"]["rates"])
    [decision] = log.decisions
    assert decision.id == body["decision_id"]
    assert decision.kind == "quote"
    assert decision.input["transaction"] == TXN
    assert set(decision.input["partners"]) == {"ag3-01", "ag2-01", "ag1-01"}
    assert decision.output == {k: v for k, v in body.items() if k != "decision_id"}
