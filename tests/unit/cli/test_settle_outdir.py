"""`ppl settle --out`: written whole and locked. Settlements racing into one directory end with one consistent
set of files or fail clearly; a symlinked directory is refused; a failed settlement leaves the last one whole."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from ppl.cli import main
from ppl.common import EXIT_OK, EXIT_USAGE
from runtime.io.outdir import lock

ROOT = Path(__file__).resolve().parents[3]
SETTLE = ["settle", "programs/ad_agency.yaml", "--partners", "examples/data/partners.csv", "--transactions",
          "examples/data/transactions.csv", "--period", "FY2026", "--color", "never"]


def _consistent(out: Path) -> None:
    """statements.json's totals are the sums of lines.csv, partner by partner and kind by kind."""
    sums: dict[tuple[str, str], int] = defaultdict(int)
    with open(out / "lines.csv", encoding="utf-8", newline="") as handle:
        for line in csv.DictReader(handle):
            sums[line["partner"], line["kind"]] += int(line["amount"])
    data = json.loads((out / "statements.json").read_text(encoding="utf-8"))
    for statement in data["statements"]:
        for kind, amount in statement["totals"].items():
            assert sums.pop((statement["partner"], kind)) == amount
    assert not sums
    names = {p.name for p in (out / "statements").iterdir()}
    assert len(names) == len(data["statements"])


def test_racing_settlements_into_one_directory_leave_one_consistent_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # Two different inputs, so that files mixed from both runs could not add up.
    half = tmp_path / "half.csv"
    lines = (ROOT / "examples/data/transactions.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    half.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = []
    for n in range(4):
        argv = [*SETTLE, "--out", str(out), "--engine", "rows" if n % 2 else "duckdb"]
        if n % 2:
            argv[argv.index("--transactions") + 1] = str(half)
        runs.append(subprocess.Popen([sys.executable, "-m", "ppl", *argv], cwd=ROOT, env=env, text=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    results = []
    for run in runs:
        _, err = run.communicate(timeout=300)
        results.append((run.returncode, err))
    assert {status for status, _ in results} <= {EXIT_OK, EXIT_USAGE}
    assert any(status == EXIT_OK for status, _ in results)
    for status, err in results:
        assert "Traceback" not in err
        if status == EXIT_USAGE:
            assert "is being written by another ppl" in err
    _consistent(out)
    assert sorted(os.listdir(tmp_path)) == ["half.csv", "out"]  # no temporary directory or lock left behind


@pytest.mark.parametrize("engine", ["rows", "duckdb"])
def test_a_locked_directory_fails_at_once_and_is_left_as_it_was(engine: str, tmp_path: Path, in_root: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main([*SETTLE, "--out", str(out), "--engine", engine]) == EXIT_OK
    before = (out / "lines.csv").read_bytes()
    with lock(out):
        assert main([*SETTLE, "--out", str(out), "--engine", engine, "--period", "2026-04"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"ppl settle: {out} is being written by another ppl (it holds {out}.lock); " \
        "run again when it has finished, or write somewhere else"
    assert (out / "lines.csv").read_bytes() == before
    _consistent(out)


def test_a_failed_settlement_leaves_the_last_one_whole(tmp_path: Path, in_root: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main([*SETTLE, "--out", str(out)]) == EXIT_OK
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    status = main([*SETTLE, "--out", str(out), "--transactions", str(broken)])
    assert status == EXIT_USAGE and "Traceback" not in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert sorted(os.listdir(tmp_path)) == ["broken.parquet", "out"]


def test_a_symlinked_out_directory_is_refused_unless_asked(tmp_path: Path, in_root: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    assert main([*SETTLE, "--out", str(link)]) == EXIT_USAGE
    assert "is a symbolic link; ppl does not write through one" in capsys.readouterr().err
    assert os.listdir(real) == []
    assert main([*SETTLE, "--out", str(link), "--follow-symlinks"]) == EXIT_OK
    assert link.is_symlink()
    _consistent(real)


def test_an_out_directory_holding_other_files_is_refused(tmp_path: Path, in_root: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert main([*SETTLE, "--out", str(tmp_path)]) == EXIT_USAGE
    assert "holds files ppl does not write there (notes.txt)" in capsys.readouterr().err
    assert os.listdir(tmp_path) == ["notes.txt"]
