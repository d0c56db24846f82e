"""The quote endpoints: one transaction, one explained, a batch; validated like file rows, logged before the answer."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from runtime.service.deps import MemoryLog
from tests.service.conftest import PROGRAM, SELLER, TXN, TestKeys

QUOTE = f"/v1/programs/{PROGRAM}/quote"


def _post(client: TestClient, keys: TestKeys, path: str, body: dict[str, Any], key: str | None = None) -> Any:
    return client.post(path, json=body, headers=keys.header(key or keys.vendor))


def test_a_vendor_key_quotes_a_transaction_with_its_rule_set_and_decision_id(
        client: TestClient, keys: TestKeys, log: MemoryLog) -> None:
    answer = _post(client, keys, QUOTE, {"transaction": TXN})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["ruleset"]["program"] == PROGRAM
    assert body["ruleset"]["hash"].startswith("sha256:")
    assert body["ruleset"]["version"] == body["quote"]["version"] == "2026.04"
    quote = body["quote"]
    assert quote["partner"] == SELLER and quote["list_amount"] == 2_000_000
    assert [s["partner"] for s in quote["chain"]] == ["ag1-01", "ag2-01", "ag3-01"]
    assert all(f["rule"] for f in quote["rates"] + quote["chain"] + quote["lines"])
    [decision] = log.decisions
    assert decision.id == body["decision_id"] and decision.kind == "quote"
    assert decision.ruleset_hash == body["ruleset"]["hash"] and decision.version == "2026.04"
    assert decision.caller.key_id == "vendor1"
    assert decision.output == {k: v for k, v in body.items() if k != "decision_id"}


def test_the_logged_input_is_the_transaction_as_received_the_chain_rows_and_the_volumes(
        client: TestClient, keys: TestKeys, log: MemoryLog) -> None:
    volumes = {"ag1-01": {"sales": 5, "purchases": 7}}
    assert _post(client, keys, QUOTE, {"transaction": TXN, "volumes": volumes}).status_code == 200
    logged = log.decisions[0].input
    assert set(logged) == {"transaction", "partners", "volumes"}
    assert logged["transaction"] == TXN
    assert list(logged["partners"]) == ["ag3-01", "ag2-01", "ag1-01"]
    assert logged["partners"]["ag3-01"]["parent"] == "ag2-01"
    assert logged["volumes"] == {"ag1-01": {"sales": 5, "purchases": 7, "list_sales": 0, "quantity": 0, "deals": 0}}


def test_the_answer_is_the_json_of_ppl_quote(client: TestClient, keys: TestKeys) -> None:
    from runtime import io as rio
    from runtime.decisions.quote import quote as reference
    from runtime.service.bundles import Bundles

    served = client.app.state.ppl.bundles.catalog.find(PROGRAM)  # type: ignore[attr-defined]
    assert isinstance(client.app.state.ppl.bundles, Bundles)  # type: ignore[attr-defined]
    txn = rio.parse_transaction(TXN, served.runtime.ruleset)
    expected = rio.quote_json(reference(served.runtime, txn, served.partners))  # type: ignore[arg-type]
    assert _post(client, keys, QUOTE, {"transaction": TXN}).json()["quote"] == expected


def test_a_fractional_json_number_is_read_exactly_and_a_finer_than_yen_price_is_rejected(
        client: TestClient, keys: TestKeys) -> None:
    ok = _post(client, keys, QUOTE, {"transaction": {**TXN, "list_price": 1000000.0, "sell_price": "1000000"}})
    assert ok.status_code == 200 and ok.json()["quote"]["list_amount"] == 2_000_000
    fine = _post(client, keys, QUOTE, {"transaction": {**TXN, "list_price": 0.5}})
    assert fine.status_code == 422
    assert (fine.json()["code"], fine.json()["field"]) == ("E523", "body.transaction.list_price")


def test_a_rejected_transaction_is_a_422_problem_with_the_reject_code_and_field(
        client: TestClient, keys: TestKeys, log: MemoryLog) -> None:
    answer = _post(client, keys, QUOTE, {"transaction": {**TXN, "quantity": "many"}})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "E521" and problem["field"] == "body.transaction.quantity"
    assert "`many`" in problem["detail"]
    assert log.decisions == []


def test_a_transaction_the_program_cannot_quote_is_a_422_problem_with_its_code(
        client: TestClient, keys: TestKeys) -> None:
    answer = _post(client, keys, QUOTE, {"transaction": {**TXN, "partner": "nobody"}})
    assert answer.status_code == 422 and answer.json()["code"] == "E511"
    early = _post(client, keys, QUOTE, {"transaction": {**TXN, "date": "2001-01-01"}})
    assert early.status_code == 422 and early.json()["code"] == "E510"


def test_the_explain_endpoint_adds_the_explanation_of_ppl_quote(client: TestClient, keys: TestKeys,
                                                                log: MemoryLog) -> None:
    answer = _post(client, keys, f"/v1/programs/{PROGRAM}/explain", {"transaction": TXN})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    explanation = body["explanation"]
    assert explanation["lang"] == "en"
    assert explanation["text"].startswith(f"Transaction `T1` on 2026-05-01 by partner `{SELLER}`")
    assert explanation["lines"] == explanation["text"].splitlines()
    assert "hierarchy level 3" in explanation["text"]
    assert log.decisions[-1].kind == "explain"


def test_an_explanation_in_a_language_it_does_not_speak_is_a_422_naming_the_parameter(
        client: TestClient, keys: TestKeys) -> None:
    for lang in ("ja", "fr"):
        bad = _post(client, keys, f"/v1/programs/{PROGRAM}/explain?lang={lang}", {"transaction": TXN})
        assert bad.status_code == 422 and bad.json()["field"] == "query.lang"
    assert _post(client, keys, f"/v1/programs/{PROGRAM}/explain?lang=en", {"transaction": TXN}).status_code == 200


def test_a_batch_quotes_the_good_rows_and_reports_each_rejected_one_with_its_index(
        client: TestClient, keys: TestKeys, log: MemoryLog) -> None:
    rows = [TXN, {**TXN, "id": "T2", "quantity": "x"}, {**TXN, "id": "T3", "partner": "nobody"},
            {**TXN, "id": "T4", "partner": "ag1-01"}]
    answer = _post(client, keys, f"/v1/programs/{PROGRAM}/quotes", {"transactions": rows})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [q["index"] for q in body["quotes"]] == [0, 3]
    assert [q["quote"]["transaction"] for q in body["quotes"]] == ["T1", "T4"]
    assert [(r["index"], r["id"], r["code"], r["field"]) for r in body["rejected"]] == [
        (1, "T2", "E521", "quantity"), (2, "T3", "E511", None)]
    assert body["counts"] == {"received": 4, "quoted": 2, "rejected": 2}
    assert body["ruleset"]["version"] == "2026.04"
    [decision] = log.decisions
    assert decision.kind == "quote_batch"
    assert decision.input["transactions"] == rows
    assert set(decision.input["partners"]) == {"ag1-01", "ag2-01", "ag3-01"}


def test_a_batch_over_the_limit_is_a_422_naming_the_field(client: TestClient, keys: TestKeys) -> None:
    answer = _post(client, keys, f"/v1/programs/{PROGRAM}/quotes", {"transactions": [TXN] * 1001})
    assert answer.status_code == 422 and answer.json()["field"] == "body.transactions"


def test_volumes_change_the_quote_as_period_to_date_figures(client: TestClient, keys: TestKeys) -> None:
    plain = _post(client, keys, QUOTE, {"transaction": TXN}).json()["quote"]
    big = {"ag1-01": {"purchases": 2_000_000_000, "sales": 2_000_000_000}}
    with_volumes = _post(client, keys, QUOTE, {"transaction": TXN, "volumes": big}).json()["quote"]
    assert with_volumes["rates"] != plain["rates"]


def test_a_pinned_rule_set_answers_and_an_unknown_hash_is_a_404(client: TestClient, keys: TestKeys) -> None:
    current = _post(client, keys, QUOTE, {"transaction": TXN}).json()["ruleset"]["hash"]
    pinned = _post(client, keys, f"{QUOTE}?ruleset={current}", {"transaction": TXN})
    assert pinned.status_code == 200 and pinned.json()["ruleset"]["hash"] == current
    bare = _post(client, keys, f"{QUOTE}?ruleset={current.removeprefix('sha256:')}", {"transaction": TXN})
    assert bare.status_code == 200
    unknown = _post(client, keys, f"{QUOTE}?ruleset=sha256:{'0' * 64}", {"transaction": TXN})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_ruleset"
    program = _post(client, keys, "/v1/programs/nope/quote", {"transaction": TXN})
    assert program.status_code == 404 and program.json()["code"] == "unknown_program"


def test_an_amount_finer_than_a_yen_is_refused_however_many_digits_it_has(client: TestClient, keys: TestKeys) -> None:
    # 1000000.000000000001 is 1000000.0 as a float: read as written, it is a fraction of a yen, refused as in a file
    for written in ("1000000.000000000001", "1000000.5"):
        body = '{"transaction": {"id": "T1", "date": "2026-05-01", "partner": "ag3-01", "product": "reserved", ' \
               f'"list_price": {written}, "sell_price": 1000000, "quantity": 2, "placement": "in_feed", ' \
               '"ad_spend": 0}}'
        answer = client.post("/v1/programs/newswave-agencies/quote", content=body,
                             headers={**keys.header(keys.vendor), "Content-Type": "application/json"})
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "E523" and answer.json()["field"] == "body.transaction.list_price"


def test_a_whole_amount_written_with_a_fraction_quotes_as_the_integer(client: TestClient, keys: TestKeys) -> None:
    body = '{"transaction": {"id": "T1", "date": "2026-05-01", "partner": "ag3-01", "product": "reserved", ' \
           '"list_price": 1000000.0, "sell_price": 1000000, "quantity": 2, "placement": "in_feed", "ad_spend": 0}}'
    answer = client.post("/v1/programs/newswave-agencies/quote", content=body,
                         headers={**keys.header(keys.vendor), "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["quote"]["list_amount"] == 2_000_000
