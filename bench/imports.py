"""Import time: what `import runtime` costs a process, against a bare interpreter start, in fresh processes.

Each statement runs in a new interpreter (`python -c …`), round-robin with the bare start (`python -c pass`)
so that whatever else the machine does falls on both alike; the median of the runs is kept. The interpreter
inherits this process's environment, so where writing bytecode is off here (`PYTHONDONTWRITEBYTECODE`) it is off
there too, and a module of the tree with no cached `.pyc` is compiled on each start: the table says which.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = (
    ("import runtime", "import runtime"),
    ("import runtime + the engine and decisions (a quoting service)",
     "import runtime, runtime.ir_json, runtime.loaded, runtime.decisions"),
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Median milliseconds of a bare start and of each statement's start, over `runs` runs each."""

    runs: int
    bytecode_cache: bool
    bare_ms: float
    statement_ms: tuple[tuple[str, float], ...]  # (label, median ms of the whole start, bare start included)


def _start_ms(code: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    return (time.perf_counter() - started) * 1e3


def measure(runs: int) -> ImportResult:
    """Time `runs` fresh starts of each statement and of a bare interpreter, round-robin."""
    times: dict[str, list[float]] = {"pass": [], **{code: [] for _, code in STATEMENTS}}
    for _ in range(runs):
        for code, found in times.items():
            found.append(_start_ms(code))
    return ImportResult(runs, not os.environ.get("PYTHONDONTWRITEBYTECODE"), statistics.median(times["pass"]),
                        tuple((label, statistics.median(times[code])) for label, code in STATEMENTS))


def table(result: ImportResult) -> list[str]:
    """The import-time lines of the report."""
    cache = "on" if result.bytecode_cache else "off: a module with no cached .pyc is compiled at each start"
    out = [f"Import time: ms, median of {result.runs} fresh interpreters (writing bytecode {cache})",
           f"  bare `python -c pass`: {result.bare_ms:.1f}"]
    for label, ms in result.statement_ms:
        out.append(f"  {label}: {ms - result.bare_ms:.1f} more ({ms / result.bare_ms:.2f}× the bare start)")
    return out


def summary(result: ImportResult) -> dict[str, float]:
    """The JSON keys: `import_runtime_ms` (over the bare start) and its ratio to the bare start."""
    label, ms = result.statement_ms[0]
    return {"import_runtime_ms": round(ms - result.bare_ms, 1),
            "import_runtime_vs_bare": round(ms / result.bare_ms, 2),
            "import_quoting_core_ms": round(result.statement_ms[1][1] - result.bare_ms, 1)}
