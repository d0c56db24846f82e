"""Settlement of a large generated transactions file, in a child process whose peak memory is measured.

The ad_agency program is compiled once and written as an artifact; for each size a seeded generator
writes the partners (about 300, in a three-level hierarchy) and the transactions into a temporary
directory, and `python -m bench.settle_child` settles fiscal year 2026 from them, streaming, lines
and rejects to CSV as `ppl settle` does. The child reports its own peak resident set size (VmHWM;
see bench/settle_child.py for why not `ru_maxrss`); wall time is measured by the parent, from start
to exit. A child that only loads the rule set and the partners gives the baseline the rows add to.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.data import write_settlement_files
from bench.quotes import ROOT, compile_ruleset
from runtime import ir_json

PROGRAM = "ad_agency"
PERIOD = "FY2026"


@dataclass(frozen=True, slots=True)
class SettleRun:
    """One settlement: its size, what the settler counted, times and peak memory."""

    rows: int
    csv_mb: float
    generate_s: float
    read: int
    accepted: int
    rejected: int
    statements: int
    wall_s: float
    stream_s: float
    finish_s: float
    peak_mb: float

    @property
    def rows_per_s(self) -> float:
        """Rows settled per second of the child's wall time (start-up, reading and writing included)."""
        return self.read / self.wall_s


class SettleError(Exception):
    """The child process failed."""


def _settle(artifact: Path, partners: Path, transactions: Path, out: Path,
            logs: Path) -> tuple[dict[str, float], float]:
    """Run the child; (its report, wall seconds)."""
    started = time.perf_counter()
    with open(logs / "stdout", "wb") as stdout, open(logs / "stderr", "wb") as stderr:
        child = subprocess.Popen([sys.executable, "-m", "bench.settle_child", str(artifact), str(partners),
                                  str(transactions), PERIOD, str(out)], cwd=ROOT, stdout=stdout, stderr=stderr)
        child.wait()
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise SettleError(f"settlement child exited with {child.returncode}: "
                          f"{(logs / 'stderr').read_text(encoding='utf-8', errors='replace')[-2000:]}")
    report: dict[str, float] = json.loads((logs / "stdout").read_text(encoding="utf-8"))
    return report, wall


def measure(sizes: tuple[int, ...], progress: bool = True) -> list[SettleRun]:
    """Generate and settle each size in turn (one at a time: the files of a size are removed before the next).

    Size 0 (a file with only its header) gives the baseline: the child's imports, rule set and partners.
    """
    runs = []
    with tempfile.TemporaryDirectory(prefix="ppl-bench-") as tmp:
        root = Path(tmp)
        artifact = root / f"{PROGRAM}.ruleset.json"
        artifact.write_text(ir_json.dumps(compile_ruleset(PROGRAM)), encoding="utf-8")
        for rows in sizes:
            work = root / str(rows)
            work.mkdir()
            if progress:
                print(f"  generating {rows:,} transactions…", file=sys.stderr, flush=True)
            started = time.perf_counter()
            partners, transactions = write_settlement_files(work / "input", rows)
            generated = time.perf_counter() - started
            if progress:
                print(f"  settling {rows:,} transactions in a child process…", file=sys.stderr, flush=True)
            report, wall = _settle(artifact, partners, transactions, work / "out", work)
            runs.append(SettleRun(rows, transactions.stat().st_size / 1e6, generated, int(report["read"]),
                                  int(report["accepted"]), int(report["rejected"]), int(report["statements"]), wall,
                                  report["stream_s"], report["finish_s"], report["peak_kib"] / 1024))
            shutil.rmtree(work)
    return runs
