"""Run the fuzz targets for a while: `python -m tests.fuzz.run [--seconds N] [TARGET …]` (what `make fuzz` does).

Each target first replays its committed corpus, then runs Hypothesis in rounds until its time is up. A
finding (an input the target answers with anything but its documented result or error, or more slowly than
the deadline) is shrunk, written to `tests/fuzz/findings/<target>-<time>.txt` (the report and traceback)
and `.input` (the bytes, ready to be added to the corpus once fixed), and the run exits with status 1.
"""

from __future__ import annotations

import argparse
import datetime
import signal
import sys
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.reporting import with_reporter

from tests.fuzz.targets import TARGETS, Target, corpus_files

FINDINGS = Path(__file__).resolve().parent / "findings"
DEADLINE = datetime.timedelta(seconds=10)
ROUND = 100
"""Examples per Hypothesis round; rounds repeat, each with a fresh random seed, until the time is up."""
HANG_SECONDS = 60
"""An input still running after this long is a finding even before Hypothesis's deadline can judge it."""


class Hang(Exception):
    """An input that ran for longer than `HANG_SECONDS`."""


def _hang(signum: int, frame: object) -> None:
    raise Hang(f"one input ran for more than {HANG_SECONDS} s")


def _record(target: Target, data: bytes | None, report: list[str], error: BaseException) -> Path:
    FINDINGS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S")
    base = FINDINGS / f"{target.name}-{stamp}"
    text = [f"target: {target.name} ({target.about})", *report, "".join(traceback.format_exception(error))]
    base.with_suffix(".txt").write_text("\n".join(text), encoding="utf-8")
    if data is not None:
        base.with_suffix(".input").write_bytes(data)
    return base.with_suffix(".txt")


def fuzz(target: Target, seconds: float) -> Path | None:
    """Fuzz one target for `seconds`; the report of its first finding, or None."""
    last: list[bytes] = []
    for path in corpus_files(target.name):
        try:
            target.run(path.read_bytes())
        except Exception as exc:  # noqa: BLE001 - anything a seed raises is the finding to report
            return _record(target, path.read_bytes(), [f"corpus seed: {path.name}"], exc)
    strategy = target.strategy()

    @settings(max_examples=ROUND, deadline=DEADLINE, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def one_round(data: st.DataObject) -> None:
        value = data.draw(strategy, label="input")
        last[:] = [value]
        signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
        try:
            target.run(value)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    signal.signal(signal.SIGALRM, _hang)
    end = time.monotonic() + seconds
    rounds = 0
    report: list[str] = []
    while time.monotonic() < end:
        report.clear()
        try:
            with with_reporter(lambda text: report.append(str(text))):
                one_round()
        except Exception as exc:  # noqa: BLE001 - a finding: whatever escaped the target
            return _record(target, last[0] if last else None, report, exc)
        rounds += 1
    print(f"{target.name}: {rounds} rounds of {ROUND} examples, no finding", flush=True)
    return None


def main(argv: list[str] | None = None) -> int:
    """Fuzz the named targets (all by default) for `--seconds` each; 1 when anything was found."""
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.run", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="time per target (default: 600)")
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help=f"the targets to run (default: all): {', '.join(TARGETS)}")
    args = parser.parse_args(argv)
    unknown = [name for name in args.targets if name not in TARGETS]
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)} (choose from {', '.join(TARGETS)})")
    found = []
    for name in args.targets or list(TARGETS):
        print(f"{name}: fuzzing for {args.seconds:.0f} s", flush=True)
        report = fuzz(TARGETS[name], args.seconds)
        if report is not None:
            print(f"{name}: FINDING, see {report}", flush=True)
            found.append(report)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
