"""`ppl diff OLD NEW --transactions FILE --partners FILE --period P`: the semantic changes, then the money impact;
the gates set the exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ppl.cli import main
from tests.unit.impact._impact_data import AD, SAAS, Example, write_files


def _diff(example: Example, tmp_path: Path, *options: str) -> int:
    old, new, partners, transactions = write_files(example, tmp_path)
    return main(["diff", str(old), str(new), "--transactions", str(transactions), "--partners", str(partners),
                 "--period", example.period, "--engine", "rows", "--color", "never", *options])


def test_the_changes_come_first_then_the_money(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _diff(SAAS, tmp_path) == 0
    out = capsys.readouterr().out
    assert out.index("ladder step `annual-volume` 2") < out.index("Money impact over 2026-05-01..2026-05-31")
    assert "r1              ¥32,200,000  ¥64,100,000  +¥31,900,000" in out


def test_markdown_holds_both_sections(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _diff(AD, tmp_path, "--format", "markdown") == 0
    out = capsys.readouterr().out
    assert out.startswith("### Semantic changes to `newswave-agencies`")
    assert "\n### Money impact\n" in out
    assert "| **`a1`** | **¥130,000,000** | **¥126,000,000** | **-¥4,000,000** |" in out


def test_json_adds_the_impact_to_the_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _diff(AD, tmp_path, "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "ppl-diff/1" and data["impact"]["format"] == "ppl-impact/1"
    assert data["impact"]["totals"]["difference"] == -4_000_000


def test_a_gate_sets_the_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _diff(AD, tmp_path, "--fail-if-any-partner-loses") == 1
    assert "1 partner(s) would earn less: a1" in capsys.readouterr().err
    assert _diff(AD, tmp_path / "again", "--max-total-change", "¥4,000,000") == 0


def test_an_impact_without_its_data_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new, _, transactions = write_files(SAAS, tmp_path)
    assert main(["diff", str(old), str(new), "--transactions", str(transactions)]) == 2
    assert "the money impact needs --partners, --period" in capsys.readouterr().err


def test_a_folder_given_as_the_transactions_is_a_usage_error(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    old, new, partners, _ = write_files(SAAS, tmp_path)
    (tmp_path / "rows.csv").mkdir()
    assert main(["diff", str(old), str(new), "--transactions", str(tmp_path / "rows.csv"), "--partners",
                 str(partners), "--period", SAAS.period, "--engine", "rows"]) == 2
    assert "cannot read" in capsys.readouterr().err
