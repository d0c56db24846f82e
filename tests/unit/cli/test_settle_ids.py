"""Ids on the command line: repeated transaction ids are rejected by default on both engines, hostile ids in
partners files, `quote --transaction` and registrations are refused with their code and no traceback."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ppl.cli import main
from tests.unit.cli.test_runtime_commands import PARTNERS, PROGRAM, ROOT, TRANSACTIONS, run, settle, statements


def _codes(out: Path) -> list[tuple[int, str]]:
    with open(out / "rejects.csv", encoding="utf-8", newline="") as handle:
        return [(int(r["row"]), r["code"]) for r in csv.DictReader(handle)]


def _doubled(tmp_path: Path) -> tuple[Path, int]:
    """The sample transactions, then row 2 again under its full-width id (`Ｔ000002` is `T000002`)."""
    lines = (ROOT / TRANSACTIONS).read_text(encoding="utf-8").splitlines()
    repeat = lines[2].split(",", 1)
    wide = repeat[0].translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    path = tmp_path / "doubled.csv"
    path.write_text("\n".join([*lines, f"{wide},{repeat[1]}"]) + "\n", encoding="utf-8")
    return path, len(lines)


@pytest.mark.parametrize("engine", ["rows", "duckdb"])
def test_a_full_width_repeat_of_an_id_is_rejected_by_default(engine: str, in_root: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    path, last = _doubled(tmp_path)
    status, out, _ = run(settle(tmp_path / "out", "--engine", engine, transactions=str(path)), capsys)
    assert status == 0
    assert (last, "E524") in _codes(tmp_path / "out")
    assert "E524 duplicate transaction id" in out
    counts = statements(tmp_path / "out")["reconciliation"]
    assert counts["read"] == last == counts["accepted"] + counts["rejected"] + counts["held"]


@pytest.mark.parametrize("engine", ["rows", "duckdb"])
def test_allow_duplicate_ids_settles_the_repeat_and_unique_ids_still_parses(engine: str, in_root: Path,
                                                                            tmp_path: Path,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path, last = _doubled(tmp_path)
    status, _, _ = run(settle(tmp_path / "allowed", "--engine", engine, "--allow-duplicate-ids",
                              transactions=str(path)), capsys)
    assert status == 0 and (last, "E524") not in _codes(tmp_path / "allowed")
    status, _, _ = run(settle(tmp_path / "old", "--engine", engine, "--unique-ids", transactions=str(path)), capsys)
    assert status == 0 and (last, "E524") in _codes(tmp_path / "old")


def test_unique_ids_is_hidden_from_help_and_allow_duplicate_ids_is_shown(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["settle", "--help"])
    text = capsys.readouterr().out
    assert "--allow-duplicate-ids" in text and "--unique-ids" not in text


def test_a_partners_file_with_a_hostile_id_is_an_input_error_naming_the_row(in_root: Path, tmp_path: Path,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    lines = (ROOT / PARTNERS).read_text(encoding="utf-8").splitlines()
    lines[3] = "\u0430" + lines[3]  # Cyrillic а before a Latin id
    partners = tmp_path / "partners.csv"
    partners.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, out, err = run(settle(tmp_path / "out", partners=str(partners)), capsys)
    assert status != 0 and out == ""
    assert "row 3: partner id" in err and "U+0430 CYRILLIC SMALL LETTER A" in err and "[E526]" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("field", "value", "code"), [
    ("id", "T\u200d1", "E525"), ("partner", "ag1\u202e-01", "E525"), ("partner", "\u0430g1-01", "E526"),
    ("product", "r" * 300, "E528"),
])
def test_quote_refuses_a_hostile_id_in_its_transaction(field: str, value: str, code: str, in_root: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    txn = {"id": "Q-1", "date": "2026-05-01", "partner": "ag1-01", "product": "reserved", "list_price": 100000,
           "sell_price": 100000, "quantity": 1, "placement": "in_feed", "ad_spend": 0, field: value}
    status, out, err = run(["quote", PROGRAM, "--partners", PARTNERS, "--transaction", json.dumps(txn)], capsys)
    assert status != 0 and out == ""
    assert f"`{field}`" in err and f"[{code}]" in err and "Traceback" not in err


def test_quote_takes_a_full_width_partner_as_its_ascii_self(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    txn = {"id": "Q-1", "date": "2026-05-01", "partner": "ａｇ１－０１", "product": "reserved", "list_price": 100000,
           "sell_price": 100000, "quantity": 1, "placement": "in_feed", "ad_spend": 0}
    status, out, _ = run(["quote", PROGRAM, "--partners", PARTNERS, "--transaction", json.dumps(txn),
                          "--format", "json"], capsys)
    assert status == 0 and json.loads(out)["partner"] == "ag1-01"


def test_explain_finds_a_transaction_by_its_full_width_id_and_refuses_a_hostile_one(
        in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["explain", PROGRAM, "--partners", PARTNERS, "--transactions", TRANSACTIONS, "--id"]
    status, out, _ = run([*argv, "Ｔ000002"], capsys)
    assert status == 0 and "Transaction `T000002`" in out
    status, out, err = run([*argv, "T0\u200b02"], capsys)
    assert (status, out) == (2, "") and "[E525]" in err and "Traceback" not in err
