"""No hidden values: a JSON object that names a key twice, or a CSV header that names a column twice, is an error
naming the key (and the row), never the last value silently paid on."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ppl.cli import main
from runtime import ir_json, strict_json
from runtime.io.records import ReadError, RecordFile

PROGRAM = "programs/ad_agency.yaml"
PARTNERS = "examples/data/partners.csv"
SALE = {"date": "2026-06-01", "partner": "ag1-01", "product": "reserved", "list_price": 1000000,
        "sell_price": 1000000, "quantity": 1, "placement": "in_feed", "ad_spend": 0}
# The same sale with its list price written twice: Python's `json` would keep the second, ¥100,000,000.
HIDDEN = ('{"id": "T2", "date": "2026-06-01", "partner": "ag1-01", "product": "reserved", "list_price": 1000000, '
          '"sell_price": 1000000, "quantity": 1, "placement": "in_feed", "ad_spend": 0, "list_price": 100000000}')


def test_strict_json_refuses_a_repeated_key_at_any_depth() -> None:
    assert strict_json.loads('{"a": {"b": 1, "c": [{"d": 2}]}}') == {"a": {"b": 1, "c": [{"d": 2}]}}
    with pytest.raises(strict_json.DuplicateKey) as found:
        strict_json.loads('{"a": {"b": 1, "c": [{"d": 2, "d": 3}]}}')
    assert found.value.key == "d" and "`d` appears twice" in str(found.value)


def test_a_json_lines_row_with_a_repeated_key_is_rejected_with_its_row_and_the_rest_are_read(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"id": "T1", **SALE}) + "\n" + HIDDEN + "\n" + json.dumps({"id": "T3", **SALE}) + "\n",
                    encoding="utf-8")
    with RecordFile(path) as records:
        found = [(r.row, r.problem, r.values.get("id")) for r in records]
    assert found == [(1, None, "T1"),
                     (2, "the line names `list_price` twice; which value is meant cannot be told", None),
                     (3, None, "T3")]


@pytest.mark.parametrize("engine", ["rows", "duckdb"])
def test_a_settlement_rejects_the_row_that_hides_a_value_and_counts_reconcile(
        in_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"id": "T1", **SALE}) + "\n" + HIDDEN + "\n", encoding="utf-8")
    out = tmp_path / "out"
    status = main(["settle", PROGRAM, "--transactions", str(path), "--partners", PARTNERS, "--period", "FY2026",
                   "--out", str(out), "--engine", engine, "--format", "json"])
    summary = json.loads(capsys.readouterr().out)
    assert status == 0
    assert (summary["read"], summary["accepted"], summary["rejected"]) == (2, 1, 1)
    with open(out / "rejects.csv", encoding="utf-8", newline="") as handle:
        rejects = list(csv.DictReader(handle))
    assert len(rejects) == 1 and rejects[0]["row"] == "2" and "`list_price` twice" in rejects[0]["reason"]


def test_a_partners_file_with_a_repeated_key_names_the_key_and_the_row(
        in_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partners = tmp_path / "partners.jsonl"
    partners.write_text('{"id": "ag1-01", "contract": "agency", "level": 1, "level": 2}\n', encoding="utf-8")
    status = main(["settle", PROGRAM, "--transactions", "examples/data/transactions.csv", "--partners",
                   str(partners), "--period", "FY2026", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2
    assert "row 1" in err and "`level` twice" in err


def test_quote_refuses_a_transaction_that_names_a_key_twice(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["quote", PROGRAM, "--partners", PARTNERS, "--transaction", HIDDEN])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert "--transaction names `list_price` twice" in err


def test_a_rule_set_artifact_that_names_a_key_twice_is_refused() -> None:
    text = '{"format": "x", "ruleset": {}, "format": "y"}'
    with pytest.raises(ir_json.ArtifactError, match="an object names `format` twice"):
        ir_json.loads(text)


def test_a_csv_header_that_names_a_column_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,list_price,partner,list_price\nT1,1000000,ag1-01,100000000\n", encoding="utf-8")
    with pytest.raises(ReadError, match="names column `list_price` twice"):
        RecordFile(path)


def test_route_refuses_a_lead_that_names_a_key_twice(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["route", PROGRAM, "--partners", PARTNERS, "--lead",
                   '{"id": "L1", "date": "2026-06-01", "date": "2027-06-01"}'])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert "--lead names `date` twice" in err


def test_a_rule_set_artifact_nested_too_deeply_is_refused_without_a_traceback() -> None:
    with pytest.raises(ir_json.ArtifactError, match="nested too deeply"):
        ir_json.loads("[" * 100_000 + "]" * 100_000)


def test_quote_refuses_a_transaction_nested_too_deeply(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["quote", PROGRAM, "--partners", PARTNERS, "--transaction", "[" * 100_000 + "]" * 100_000])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "") and "nested too deeply" in err and "Traceback" not in err
