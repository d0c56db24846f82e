"""Settlement endpoints: a period settled as a job with the code of `ppl settle` (the same statements, to the
byte), its progress reconciled, the decision logged before the result shows; a partner key reads its own
statement and nothing else."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.service.deps import MemoryLog
from tests.service.conftest import SELLER, TXN, TestKeys
from tests.service.decision_support import OTHER, V1, artifact, cli, problem, service

COLUMNS = ("id", "date", "partner", "product", "list_price", "sell_price", "quantity", "placement", "ad_spend")
ROWS = [{**TXN, "id": "T1"}, {**TXN, "id": "T2", "quantity": 5}, {**TXN, "id": "T3", "date": "2026-05-20"},
        {**TXN, "id": "T4", "partner": OTHER, "quantity": 7}, {**TXN, "id": "T5", "partner": "nobody"},
        {**TXN, "id": "T1"}, {**TXN, "id": "T6", "date": "2026-06-01"}]


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def client(bundle: Path, keys: TestKeys, log: MemoryLog) -> Iterator[TestClient]:
    with service(bundle, keys, log) as c:
        yield c


def _finished(client: TestClient, location: str, key: str, keys: TestKeys) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status: dict[str, Any] = client.get(location, headers=keys.header(key)).json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.05)
    raise AssertionError("the settlement did not finish in 60 s")


def _start_csv(client: TestClient, keys: TestKeys) -> Any:
    return client.post(f"{V1}/settlements?period=2026-05", content=_csv(ROWS).encode(),
                       headers={**keys.header(keys.vendor), "Content-Type": "text/csv"})


@pytest.fixture
def settled(tmp_path: Path, bundle: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """What `ppl settle` writes for the same transactions and period."""
    source = tmp_path / "transactions.csv"
    source.write_text(_csv(ROWS), encoding="utf-8")
    out = tmp_path / "out"
    status, _ = cli(["settle", *artifact(bundle), "--transactions", str(source), "--period", "2026-05", "--engine",
                     "rows", "--out", str(out)], capsys)
    assert status == 0
    return out


def test_a_csv_settlement_runs_as_a_job_and_its_statements_are_ppl_settles(
        client: TestClient, keys: TestKeys, log: MemoryLog, settled: Path) -> None:
    started = _start_csv(client, keys)
    assert started.status_code == 202, started.text
    location = started.headers["location"]
    assert location == f"{V1}/settlements/{started.json()['job']}"
    assert started.json()["ruleset"]["version"] == "2026.04"
    status = _finished(client, location, keys.vendor, keys)
    assert status["status"] == "done", status
    progress, summary = status["progress"], status["summary"]
    assert progress["read"] == progress["accepted"] + progress["rejected"] + progress["held"] == len(ROWS)
    assert summary["reconciliation"] == {k: progress[k] for k in ("read", "accepted", "rejected", "held")}
    expected = json.loads((settled / "statements.json").read_text(encoding="utf-8"))
    assert summary["total"] == expected["total"] and summary["totals"] == expected["totals"]
    [decision] = log.decisions
    assert (decision.id, decision.kind) == (status["decision_id"], "settle")
    assert decision.input["format"] == "csv" and decision.input["transactions"] == _csv(ROWS)
    for partner in (SELLER, OTHER):
        got = client.get(f"{location}/statements/{partner}", headers=keys.header(keys.vendor)).json()
        assert got["statement"] == next(s for s in expected["statements"] if s["partner"] == partner)
        assert got["decision_id"] == decision.id
        md = client.get(f"{location}/statements/{partner}?format=md", headers=keys.header(keys.vendor))
        assert md.headers["content-type"].startswith("text/markdown")
        assert (md.headers["x-ppl-decision"], md.headers["x-ppl-version"]) == (decision.id, "2026.04")
        assert md.text == (settled / "statements" / f"{partner}.md").read_text(encoding="utf-8")
        page = client.get(f"{location}/statements/{partner}?format=html", headers=keys.header(keys.vendor))
        assert page.headers["content-type"].startswith("text/html") and page.text.startswith("<!DOCTYPE html>")
        assert "<table>" in page.text and f"Statement of {partner}" in page.text
        assert (page.headers["x-ppl-decision"], page.headers["x-ppl-version"]) == (decision.id, "2026.04")


def test_the_rejected_rows_are_those_of_rejects_csv(client: TestClient, keys: TestKeys, settled: Path) -> None:
    location = _start_csv(client, keys).headers["location"]
    _finished(client, location, keys.vendor, keys)
    got = client.get(f"{location}/rejects", headers=keys.header(keys.vendor)).json()
    with open(settled / "rejects.csv", encoding="utf-8", newline="") as handle:
        expected = [(int(r["row"]), r["id"], r["code"], r["reason"]) for r in csv.DictReader(handle)]
    assert [(r["row"], r["id"], r["code"], r["reason"]) for r in got["rejects"]] == expected
    assert {r["code"] for r in got["rejects"]} == {"E511", "E524", "E514"}


def test_a_json_settlement_settles_the_same_rows_as_the_csv(client: TestClient, keys: TestKeys) -> None:
    locations = [_start_csv(client, keys).headers["location"],
                 client.post(f"{V1}/settlements", json={"period": "2026-05", "transactions": ROWS},
                             headers=keys.header(keys.vendor)).headers["location"]]
    statements = []
    for location in locations:
        assert _finished(client, location, keys.vendor, keys)["status"] == "done"
        statements.append(client.get(f"{location}/statements/{SELLER}", headers=keys.header(keys.vendor)).json())
    assert statements[0]["statement"] == statements[1]["statement"]


def test_a_partner_key_reads_its_own_statement_and_nothing_else(client: TestClient, keys: TestKeys) -> None:
    location = _start_csv(client, keys).headers["location"]
    done = _finished(client, location, keys.vendor, keys)
    theirs = next(s for s in done["summary"]["statements"] if s["partner"] == OTHER)
    own = client.get(f"{location}/statements/{SELLER}", headers=keys.header(keys.partner))
    assert own.status_code == 200 and own.json()["statement"]["partner"] == SELLER
    refused = [client.get(f"{location}/statements/{OTHER}", headers=keys.header(keys.partner)),
               client.get(f"{location}/statements/{OTHER}?format=md", headers=keys.header(keys.partner)),
               client.get(f"{location}/statements/{OTHER}?format=html", headers=keys.header(keys.partner)),
               client.get(location, headers=keys.header(keys.partner)),
               client.get(f"{location}/rejects", headers=keys.header(keys.partner)),
               _start_csv_as(client, keys, keys.partner)]
    for answer in refused:
        body = problem(answer, 403)
        assert OTHER not in body["detail"] and str(theirs["total"]) not in answer.text
        assert "statement" not in body and "summary" not in body


def _start_csv_as(client: TestClient, keys: TestKeys, key: str) -> Any:
    return client.post(f"{V1}/settlements?period=2026-05", content=_csv(ROWS).encode(),
                       headers={**keys.header(key), "Content-Type": "text/csv"})


@pytest.mark.parametrize(("payload", "field"), [
    ({"transactions": ROWS}, "body.period"),
    ({"period": "May", "transactions": ROWS}, "body.period"),
    ({"period": "2026-05", "transactions": {"id": "T1"}}, "body.transactions"),
    ({"period": "2026-05", "transactions": ROWS, "engine": "duckdb"}, "body.engine"),
])
def test_a_bad_settlement_body_is_a_422_naming_the_field(client: TestClient, keys: TestKeys, payload: Any,
                                                          field: str) -> None:
    body = problem(client.post(f"{V1}/settlements", json=payload, headers=keys.header(keys.vendor)), 422)
    assert body["field"] == field


def test_a_csv_settlement_needs_its_period_and_a_known_media_type(client: TestClient, keys: TestKeys) -> None:
    answer = client.post(f"{V1}/settlements", content=_csv(ROWS).encode(),
                         headers={**keys.header(keys.vendor), "Content-Type": "text/csv"})
    assert problem(answer, 422)["field"] == "query.period"
    answer = client.post(f"{V1}/settlements?period=2026-05", content=b"<rows/>",
                         headers={**keys.header(keys.vendor), "Content-Type": "application/xml"})
    problem(answer, 415)


@pytest.mark.parametrize("text", ["", "id,date,partner\nT1,2026-05-01,ag3-01\n"])
def test_transactions_that_cannot_be_read_are_a_422_and_no_job(client: TestClient, keys: TestKeys, text: str) -> None:
    answer = client.post(f"{V1}/settlements?period=2026-05", content=text.encode(),
                         headers={**keys.header(keys.vendor), "Content-Type": "text/csv"})
    body = problem(answer, 422)
    assert (body["code"], body["field"]) == ("unreadable", "body")
    assert body["detail"].startswith("the transactions: ") and "/tmp" not in body["detail"]


def test_an_unknown_job_is_a_404(client: TestClient, keys: TestKeys) -> None:
    for path in ("/settlements/nope", f"/settlements/nope/statements/{SELLER}", "/settlements/nope/rejects"):
        key = keys.partner if "statements" in path else keys.vendor
        problem(client.get(f"{V1}{path}", headers=keys.header(key)), 404)


def test_a_statement_page_makes_no_markup_of_a_value() -> None:
    from runtime.io.cells import md_text
    from runtime.service.routes.settlements import statement_page

    page = statement_page(f"| partner |\n|---|\n| {md_text('<script>alert(1)</script>')} |\n", "p<1>")
    assert "<script>" not in page and "&lt;script&gt;" in page and "Statement of p&lt;1&gt;" in page


def test_a_json_row_with_an_amount_finer_than_a_yen_is_rejected_not_rounded(client: TestClient, keys: TestKeys) -> None:
    body = ('{"period": "2026-05", "transactions": [{"id": "F1", "date": "2026-05-01", "partner": "ag3-01", '
            '"product": "reserved", "list_price": 1000000.000000000001, "sell_price": 1000000, "quantity": 2, '
            '"placement": "in_feed", "ad_spend": 0}]}')
    started = client.post(f"{V1}/settlements", content=body,
                          headers={**keys.header(keys.vendor), "Content-Type": "application/json"})
    assert started.status_code == 202, started.text
    location = started.headers["location"]
    assert _finished(client, location, keys.vendor, keys)["progress"]["rejected"] == 1
    [reject] = client.get(f"{location}/rejects", headers=keys.header(keys.vendor)).json()["rejects"]
    assert (reject["id"], reject["code"]) == ("F1", "E523")
