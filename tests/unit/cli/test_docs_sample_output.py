"""The settlement summary shown in docs/cli.md is what `ppl settle` prints today."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from ppl.cli import main

ROOT = Path(__file__).resolve().parents[3]


def _summary(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("partners "))
    end = next(i for i, line in enumerate(lines[start:], start) if "ag1-04" in line)
    return [line.rstrip() for line in lines[start:end + 1]]


def test_the_documented_settlement_summary_matches_the_command(in_root: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = main(["settle", "programs/ad_agency.yaml", "--transactions", "examples/data/transactions.csv",
                       "--partners", "examples/data/partners.csv", "--period", "FY2026", "--out", str(tmp_path)])
    assert status == 0
    documented = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    if _summary(documented) != _summary(out.getvalue()):
        pytest.fail("docs/cli.md shows an outdated settlement summary; paste the current output of the command")
