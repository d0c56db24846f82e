"""Many processes apply at once: every application is recorded once, routed knowing the ones recorded before it."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from multiprocessing.synchronize import Barrier
from typing import Any

from runtime.decisions import Routed, route_new_reseller
from runtime.store import Applications
from tests.unit.runtime.store._applications_program import PARTNERS, REGIONS, at, build

PROCESSES = 8
EACH = 4  # applications per process


def _apply(path: str, worker: int, barrier: Barrier, results: Any) -> None:
    """One process: open the file (a fresh one: migrations race too), wait for all, then apply EACH times."""
    try:
        rt = build()
        barrier.wait(timeout=300)
        got = []
        with Applications(path, rt, PARTNERS) as applications:
            barrier.wait(timeout=300)
            for n in range(EACH):
                applicant = f"w{worker}-{n}"
                route = applications.apply(applicant, at(n, worker), {"region": REGIONS[(worker + n) % 3]})
                got.append((applicant, route.partner))
        results.put((worker, got, None))
    except Exception as exc:  # noqa: BLE001 - report any failure to the test rather than lose it in the child
        results.put((worker, [], repr(exc)))


def test_simultaneous_applications_are_each_recorded_once_and_routed_in_receipt_order(store_target: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    path = store_target  # not created yet
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    workers = [ctx.Process(target=_apply, args=(path, w, barrier, results)) for w in range(PROCESSES)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    got = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    assert [g[2] for g in got] == [None] * PROCESSES, got

    rt = build()
    with Applications(path, rt, PARTNERS) as applications:
        records = applications.records()
        routed = applications.routed()
    answered = {applicant: partner for _, pairs, _ in got for applicant, partner in pairs}
    assert len(records) == PROCESSES * EACH == len(answered)  # nothing lost
    assert Counter(r.route.applicant for r in records) == Counter(answered.keys())  # each recorded once
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    earlier: list[Routed] = []
    for record, entry in zip(records, routed, strict=True):  # the recorded answers are the decision replayed
        assert route_new_reseller(rt, entry.application, PARTNERS, earlier) == record.route
        assert answered[record.route.applicant] == record.route.partner  # and what each process was told
        earlier.append(entry)
    print(f"\n{PROCESSES} processes, {len(records)} applications in {time.perf_counter() - started:.1f}s")
