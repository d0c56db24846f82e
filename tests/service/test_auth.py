"""Who may call what: API keys hashed at rest, roles, and a partner key that sees only its own data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from runtime.service.auth import Keys, KeysError, hash_key, key_id, new_key, read_keys, write_keys
from runtime.service.deps import MemoryLog
from tests.service.conftest import PROGRAM, SELLER, TXN, TestKeys

QUOTE = f"/v1/programs/{PROGRAM}/quote"
OTHER = "ag3-02"


def test_without_a_key_every_program_endpoint_is_a_401_problem(client: TestClient) -> None:
    for method, path in (("post", QUOTE), ("post", f"/v1/programs/{PROGRAM}/quotes"), ("get", "/v1/programs"),
                         ("post", "/v1/admin/reload")):
        answer = client.request(method, path, json={"transaction": TXN})
        assert answer.status_code == 401, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("key", ["nonsense", "ppl_vendor1_wrongsecret", "ppl_ghost_x", "ppl__", "Bearer"])
def test_a_bad_key_is_a_401_problem(client: TestClient, key: str) -> None:
    answer = client.post(QUOTE, json={"transaction": TXN}, headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 401 and answer.json()["code"] == "bad_key"


def test_a_key_may_come_in_the_x_api_key_header(client: TestClient, keys: TestKeys) -> None:
    assert client.post(QUOTE, json={"transaction": TXN}, headers={"X-API-Key": keys.vendor}).status_code == 200


def test_only_an_admin_key_may_reload(client: TestClient, keys: TestKeys) -> None:
    for key in (keys.vendor, keys.partner):
        answer = client.post("/v1/admin/reload", headers=keys.header(key))
        assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    assert client.post("/v1/admin/reload", headers=keys.header(keys.admin)).status_code == 200


def test_a_partner_key_quotes_its_own_sale_and_its_seller_defaults_to_itself(
        client: TestClient, keys: TestKeys, log: MemoryLog) -> None:
    own = client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.partner))
    assert own.status_code == 200 and own.json()["quote"]["partner"] == SELLER
    unnamed = {k: v for k, v in TXN.items() if k != "partner"}
    implied = client.post(QUOTE, json={"transaction": unnamed}, headers=keys.header(keys.partner))
    assert implied.status_code == 200 and implied.json()["quote"]["partner"] == SELLER
    assert log.decisions[-1].caller.partner == SELLER and log.decisions[-1].input["transaction"] == unnamed


@pytest.mark.parametrize("seller", [OTHER, "ag1-01", "no-such-partner"])
def test_a_partner_key_quoting_as_another_partner_is_a_403_that_says_nothing_of_it(
        client: TestClient, keys: TestKeys, log: MemoryLog, seller: str) -> None:
    answer = client.post(QUOTE, json={"transaction": {**TXN, "partner": seller}}, headers=keys.header(keys.partner))
    assert answer.status_code == 403
    assert seller not in answer.text
    assert answer.json()["detail"] == "a partner key quotes only its own sales"
    batch = client.post(f"/v1/programs/{PROGRAM}/quotes", json={"transactions": [TXN, {**TXN, "partner": seller}]},
                        headers=keys.header(keys.partner))
    assert batch.status_code == 403 and seller not in batch.text
    assert log.decisions == []


def test_whether_the_other_partner_exists_cannot_be_told_from_the_answer(client: TestClient, keys: TestKeys) -> None:
    answers = [client.post(QUOTE, json={"transaction": {**TXN, "partner": p}}, headers=keys.header(keys.partner))
               for p in (OTHER, "no-such-partner")]
    assert answers[0].status_code == answers[1].status_code == 403
    assert answers[0].json() == answers[1].json()


def test_a_partner_key_sees_its_own_level_of_the_chain_only(client: TestClient, keys: TestKeys) -> None:
    vendor = client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.vendor)).json()["quote"]
    partner = client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.partner)).json()["quote"]
    [own] = [s for s in vendor["chain"] if s["partner"] == SELLER]
    assert partner["chain"] == [own]
    assert partner["lines"] == [line for line in vendor["lines"] if line["partner"] == SELLER]
    assert (partner["margin"], partner["wholesale"], partner["rates"]) == (None, None, [])
    assert partner["partner_gross"] == vendor["partner_gross"]
    text = json.dumps(partner)
    assert "ag1-01" not in text and "ag2-01" not in text


def test_the_decision_log_keeps_the_whole_quote_a_partner_key_sees_a_part_of(
        client: TestClient, keys: TestKeys, log: MemoryLog) -> None:
    vendor = client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.vendor)).json()
    partner = client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.partner)).json()
    logged = {d.id: d for d in log.decisions}
    assert logged[partner["decision_id"]].output["quote"] == vendor["quote"]  # replay compares whole quotes
    assert logged[partner["decision_id"]].caller.partner == SELLER
    assert partner["quote"] != vendor["quote"]


def test_a_partner_key_gives_volumes_only_for_itself(client: TestClient, keys: TestKeys) -> None:
    answer = client.post(QUOTE, json={"transaction": TXN, "volumes": {"ag1-01": {"sales": 1}}},
                         headers=keys.header(keys.partner))
    assert answer.status_code == 403 and "ag1-01" not in answer.text


def test_a_partner_key_cannot_read_the_full_explanation_of_a_chain(client: TestClient, keys: TestKeys) -> None:
    answer = client.post(f"/v1/programs/{PROGRAM}/explain", json={"transaction": TXN},
                         headers=keys.header(keys.partner))
    assert answer.status_code == 403 and "ag1-01" not in answer.text


def test_a_revoked_key_stops_working_after_a_reload(client: TestClient, keys: TestKeys) -> None:
    records = read_keys(keys.path)
    write_keys(keys.path, [r for r in records.values() if r.id != "vendor1"])
    assert client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.vendor)).status_code == 200
    assert client.post("/v1/admin/reload", headers=keys.header(keys.admin)).status_code == 200
    assert client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.vendor)).status_code == 401


def test_the_keys_file_holds_hashes_never_keys(keys: TestKeys) -> None:
    text = keys.path.read_text(encoding="utf-8")
    for key in (keys.admin, keys.vendor, keys.partner):
        assert key not in text and key.split("_", 2)[2] not in text
        assert hash_key(key) in text
    assert keys.path.stat().st_mode & 0o077 == 0


def test_a_key_is_its_id_and_a_high_entropy_secret() -> None:
    key, record = new_key("partner", "p1", "k-1")
    assert key.startswith("ppl_k-1_") and len(key) > 40
    assert key_id(key) == "k-1" and record.hash == hash_key(key)


@pytest.mark.parametrize(("content", "message"), [
    ("not json", "not JSON"),
    ('{"keys": {}}', "a `keys` list"),
    ('{"keys": [{"id": "a_b", "role": "admin", "hash": "sha256:' + "0" * 64 + '"}]}', "`id`"),
    ('{"keys": [{"id": "a", "role": "root", "hash": "sha256:' + "0" * 64 + '"}]}', "`role`"),
    ('{"keys": [{"id": "a", "role": "partner", "hash": "sha256:' + "0" * 64 + '"}]}', "names its `partner`"),
    ('{"keys": [{"id": "a", "role": "admin", "hash": "plain"}]}', "`hash`"),
    ('{"keys": [{"id": "a", "role": "admin", "hash": "sha256:' + "0" * 64 + '"}, '
     '{"id": "a", "role": "admin", "hash": "sha256:' + "1" * 64 + '"}]}', "already used"),
])
def test_a_bad_keys_file_is_refused_with_the_reason(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "keys.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KeysError, match=message):
        read_keys(path)


def test_a_yaml_keys_file_is_read_like_a_json_one(tmp_path: Path) -> None:
    key, record = new_key("vendor", key_id_="v1")
    path = tmp_path / "keys.yaml"
    write_keys(path, [record])
    assert "keys:" in path.read_text(encoding="utf-8")
    found = Keys(path).authenticate(key)
    assert found is not None and (found.key_id, found.role, found.partner) == ("v1", "vendor", None)
