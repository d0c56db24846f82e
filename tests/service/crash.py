"""Killing a process that logs decisions with SIGKILL under load, then checking the log it left.

`kill_midway` runs a command that prints the id of each decision it has answered (one per line,
only after the log's `append` returned), kills it with SIGKILL once enough are answered, and gives
back every id it printed. `check_log` reads the log and reports what a crash left: every answered id
must be in it, and the only records that are not decisions are lines cut short by a kill. The
service's own crash test drives `ppl serve` and a client the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from runtime.service.decision_log import Skipped, read_log

ROOT = Path(__file__).resolve().parents[2]

WRITER = r"""
import datetime, os, sys, threading, uuid
from runtime.service.context import Caller, Decision
from runtime.service.decision_log import open_log

target, threads, pad = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
log = open_log(target)

def work(worker):
    for n in range(10**9):
        d = Decision(str(uuid.uuid4()), datetime.datetime.now(datetime.UTC), "quote", "load", "sha256:0", "1",
                     Caller("load", "vendor"), {"worker": worker, "n": n, "pad": "x" * (pad + n % 97)}, {"n": n})
        log.append(d)
        os.write(1, (d.id + "\n").encode())  # answered: one write, atomic on a pipe

for w in range(threads):
    threading.Thread(target=work, args=(w,), daemon=True).start()
threading.Event().wait()
"""
"""A process that appends decisions to the log named by its first argument from many threads, without end."""


def writer_command(target: str | Path, threads: int = 16, pad: int = 3000) -> list[str]:
    """The command that runs `WRITER` on a log target with this ppl's Python."""
    return [sys.executable, "-c", WRITER, str(target), str(threads), str(pad)]


def kill_midway(argv: Sequence[str], answered: int, timeout: float = 60.0) -> list[str]:
    """Run `argv`, SIGKILL it once it has printed `answered` ids, and return every id it printed.

    Raises:
        AssertionError: it ended, or printed too few ids in `timeout` seconds.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(list(argv), stdout=subprocess.PIPE, cwd=ROOT, env=env)
    assert proc.stdout is not None
    ids: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        while len(ids) < answered:
            line = proc.stdout.readline()
            assert line, f"the writer ended (status {proc.poll()}) after {len(ids)} answers"
            ids.append(line.decode().strip())
            assert time.monotonic() < deadline, f"only {len(ids)} answers in {timeout} s"
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read()
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    ids += [line.decode() for line in rest.split(b"\n") if len(line) == 36]  # whole ids only
    return ids


@dataclass(frozen=True, slots=True)
class CrashReport:
    """What a log holds after crashes: answered = logged − written but not answered; lost must be empty."""

    answered: int  # decisions the writer answered (its append returned)
    logged: int  # decisions read from the log
    lost: tuple[str, ...]  # answered, but not in the log
    skipped: tuple[Skipped, ...]  # records of the log that are not decisions

    @property
    def torn(self) -> int:
        """Lines cut short by a kill (the last line with no end, or such a line the log was reopened after)."""
        return len(self.skipped)

    def __str__(self) -> str:
        return (f"{self.answered:,} answered, {self.logged:,} logged ({self.logged - self.answered + len(self.lost):,} "
                f"written but not answered), {len(self.lost):,} lost, {self.torn:,} torn line(s) skipped")


def check_log(target: str | Path, answered: Iterable[str]) -> CrashReport:
    """Read the log a killed process left and set it against the ids it answered."""
    skipped: list[Skipped] = []
    logged = [d.id for d in read_log(target, skipped.append)]
    ids = list(answered)
    present = set(logged)
    assert len(present) == len(logged), "a decision is in the log twice"
    return CrashReport(len(ids), len(logged), tuple(i for i in ids if i not in present), tuple(skipped))
