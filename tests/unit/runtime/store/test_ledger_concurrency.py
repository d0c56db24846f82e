"""Processes recording settlement runs at once serialise, on SQLite and on PostgreSQL: a repeat is recorded once,
corrections add up."""

from __future__ import annotations

import datetime
import multiprocessing
from multiprocessing.synchronize import Barrier
from typing import Any

from runtime.store import Ledger

PROCESSES = 6
PROGRAM = "reseller-2026"
SHA = "c" * 64
AS_OF = datetime.date(2026, 6, 30)


def _record(path: str, margin: int, barrier: Barrier, results: Any) -> None:
    """One process: open the ledger (a fresh file: migrations race too), wait for all, then record."""
    try:
        barrier.wait(timeout=300)
        with Ledger(path) as ledger:
            barrier.wait(timeout=300)
            run = ledger.record(PROGRAM, AS_OF, SHA, {"alpha": {"margin": margin}}, currency="JPY", minor_unit=0,
                                fiscal_year_start=4)
        results.put((run.id, run.payable()["alpha"]["margin"], None))
    except Exception as exc:  # noqa: BLE001 - report any failure to the test rather than lose it in the child
        results.put((0, 0, repr(exc)))


def _race(path: str, margins: list[int]) -> list[tuple[int, int, str | None]]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(margins))
    results = ctx.Queue()
    workers = [ctx.Process(target=_record, args=(str(path), margin, barrier, results)) for margin in margins]
    for worker in workers:
        worker.start()
    got = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * len(workers)
    assert [g[2] for g in got] == [None] * len(workers), got
    return got


def test_the_same_run_recorded_by_several_processes_at_once_is_recorded_and_paid_once(store_target: str) -> None:
    path = store_target  # not created yet
    got = _race(path, [100_000] * PROCESSES)
    assert {run_id for run_id, _, _ in got} == {1}
    with Ledger(path) as ledger:
        assert len(ledger.runs()) == 1
        assert ledger.paid_to_date(PROGRAM, 2026) == {"alpha": {"margin": 100_000}}


def test_corrections_recorded_at_once_each_pay_the_difference_from_the_one_before(store_target: str) -> None:
    path = store_target
    margins = [100_000 + 1_000 * n for n in range(PROCESSES)]
    _race(path, margins)
    with Ledger(path) as ledger:
        runs = ledger.runs()
        assert [run.id for run in runs] == list(range(1, PROCESSES + 1))
        earned = [run.earned()["alpha"]["margin"] for run in runs]
        assert sorted(earned) == margins
        # Each run was decided against every commit before it: it pays exactly the difference.
        assert [run.payable()["alpha"]["margin"] for run in runs] == \
            [now - before for now, before in zip(earned, [0, *earned[:-1]], strict=True)]
        assert ledger.paid_to_date(PROGRAM, 2026) == {"alpha": {"margin": earned[-1]}}
