"""`ppl ledger`: show and export the settlement runs a ledger file holds; a file that is no ledger is an error."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

import pytest

from ppl.cli import main
from ppl.common import EXIT_OK, EXIT_USAGE
from runtime.store import CSV_COLUMNS, Ledger

PROGRAM = "reseller-2026"
SHA = "d" * 64


@pytest.fixture
def ledger_file(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    with Ledger(path) as ledger:
        for as_of, earned in ((datetime.date(2026, 6, 30), {"alpha": {"margin": 100_000, "bonus": 50_000},
                                                            "bravo": {"margin": 20_000}}),
                              (datetime.date(2026, 9, 30), {"alpha": {"margin": 180_000},
                                                            "bravo": {"margin": 20_000}})):
            ledger.record(PROGRAM, as_of, SHA, earned, currency="JPY", minor_unit=0, fiscal_year_start=4,
                          recorded_at=datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC))
    return path


def test_show_lists_each_run_with_earned_paid_before_and_payable(
        ledger_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "show", "--db", str(ledger_file)]) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"run 1: {PROGRAM} FY2026 as of 2026-06-30, recorded 2026-10-01T00:00:00+00:00, rule set " \
        "dddddddddddd"
    assert out[1].split() == ["partner", "kind", "earned", "paid", "before", "payable"]
    assert "run 2: reseller-2026 FY2026 as of 2026-09-30" in out[6]
    assert [line.split() for line in out[8:]] == [["alpha", "margin", "¥180,000", "¥100,000", "¥80,000"],
                                                   ["alpha", "bonus", "¥0", "¥50,000", "-¥50,000"],
                                                   ["bravo", "margin", "¥20,000", "¥20,000", "¥0"]]


def test_show_takes_the_db_before_the_action_too_and_keeps_one_partners_lines(
        ledger_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "--db", str(ledger_file), "show", "--partner", "bravo", "--format", "json"]) == EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert [[x["partner"] for x in run["lines"]] for run in document["runs"]] == [["bravo"], ["bravo"]]


def test_export_writes_every_run_as_csv_or_json(ledger_file: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ledger", "export", "--db", str(ledger_file)]) == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 6
    assert [(r["run"], r["partner"], r["kind"], r["payable"]) for r in rows[3:]] == \
        [("2", "alpha", "margin", "80000"), ("2", "alpha", "bonus", "-50000"), ("2", "bravo", "margin", "0")]
    target = tmp_path / "ledger.json"
    assert main(["ledger", "export", "--db", str(ledger_file), "--format", "json", "--output", str(target)]) == EXIT_OK
    with Ledger(ledger_file) as ledger:
        assert json.loads(target.read_text(encoding="utf-8"))["runs"] == [run.to_json() for run in ledger.runs()]


@pytest.mark.parametrize(("argv", "message"), [
    (["ledger", "show"], "ppl ledger: show: name the ledger file with --db FILE\n"),
    (["ledger", "export", "--db", "{tmp}/none.db"], "ppl ledger: --db: there is no ledger file {tmp}/none.db [E107]\n"
     "ppl ledger: hint: `ppl settle --as-of DATE --ledger FILE` creates it\n"),
    (["ledger", "show", "--db", "{tmp}/text.db"], "ppl ledger: --db: {tmp}/text.db is not a ledger: it is not an "
     "SQLite database [E107]\nppl ledger: hint: name a file that does not exist yet, and ppl creates the ledger "
     "there\n"),
    (["ledger", "export", "--db", "{ledger}", "--output", "{tmp}"], "ppl ledger: cannot write {tmp}: Is a directory\n"),
])
def test_a_missing_or_unreadable_ledger_is_a_usage_error_with_status_2(
        argv: list[str], message: str, ledger_file: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "text.db").write_text("not a database", encoding="utf-8")

    def fill(text: str) -> str:
        return text.replace("{tmp}", str(tmp_path)).replace("{ledger}", str(ledger_file))

    assert main([fill(a) for a in argv]) == EXIT_USAGE
    assert capsys.readouterr() == ("", fill(message))
    assert not (tmp_path / "none.db").exists()  # reading never creates a ledger
