"""`ppl settle` reports how it settled: the engine and why `auto` chose it, how its quotes were answered (plans,
the reference path and why, refusals), and the rows the DuckDB engine staged through Python; as text on standard
error, and as JSON on standard output with `--format json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ppl.cli import main
from tests.unit.cli.test_settle_engines import _REFUSED, _files, _settle


def _json(capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, object], str]:
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert isinstance(data, dict)
    return data, captured.err


def test_the_rows_engine_reports_quotes_taken_by_plans(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partners, transactions = _files(tmp_path, "saas_reseller")
    assert _settle("saas_reseller", partners, transactions, tmp_path / "out", "--engine", "rows",
                   "--format", "json") == 0
    data, err = _json(capsys)
    assert data["engine"] == "compiled" and data["engine_reason"] == "--engine rows"
    plans = data["plans"]
    assert isinstance(plans, dict)
    assert plans["planned"] > 0 and plans["no_plan"] == 0 and plans["errors"] == 0
    assert plans["planned"] + plans["refused"] >= data["accepted"]
    assert data["staged_rows"] == 0
    assert "engine: compiled (--engine rows)" in err
    assert f"quotes: {plans['planned']:,} by plans, 0 by the reference path" in err
    assert "staged through Python" not in err  # the rows engine stages every row: nothing to report


def test_auto_says_why_it_chose_duckdb_and_counts_the_rows_staged_through_python(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partners, transactions = _files(tmp_path, "ad_agency")
    assert _settle("ad_agency", partners, transactions, tmp_path / "out", "--format", "json") == 0
    data, err = _json(capsys)
    assert data["engine"] == "duckdb"
    assert data["engine_reason"] == "auto: the duckdb engine settles every rule of this program"
    assert isinstance(data["staged_rows"], int) and data["staged_rows"] >= 0
    assert f"rows staged through Python: {data['staged_rows']:,}" in err
    assert "engine: duckdb (auto: the duckdb engine settles every rule of this program)" in err


def test_auto_says_why_it_did_not_choose_duckdb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = tmp_path / "refused.yaml"
    program.write_text(_REFUSED, encoding="utf-8")
    partners = tmp_path / "p.csv"
    partners.write_text("id,contract\nP1,sp\n", encoding="utf-8")
    transactions = tmp_path / "t.csv"
    transactions.write_text("id,date,partner,list_price,sell_price,quantity\nT1,2026-05-01,P1,1000,900,2\n"
                            "T2,2026-05-02,ghost,1000,900,2\n", encoding="utf-8")
    assert main(["settle", str(program), "--partners", str(partners), "--transactions", str(transactions),
                 "--period", "FY2026", "--out", str(tmp_path / "out"), "--color", "never", "--format", "json"]) == 0
    data, err = _json(capsys)
    assert data["engine"] == "compiled"
    reason = data["engine_reason"]
    assert isinstance(reason, str) and reason.startswith("auto: the duckdb engine does not settle this program (")
    assert "division" in reason
    assert data["rejected"] == 1
    assert data["plans"] == {"planned": 1, "no_plan": 0, "errors": 0, "refused": 1,
                             "by_reason": {"refused: E511": 1}}
    assert "  refused: E511: 1" in err


def test_the_text_summary_is_unchanged_on_standard_output(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    partners, transactions = _files(tmp_path, "saas_reseller")
    assert _settle("saas_reseller", partners, transactions, tmp_path / "out", "--engine", "rows") == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Settled FY2026")
    assert "quotes:" not in captured.out and "quotes:" in captured.err
