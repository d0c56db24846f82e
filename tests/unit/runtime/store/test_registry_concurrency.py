"""Many processes register one customer at the same moment: exactly one is accepted, and nothing is lost.

Each trial is a fresh registry file that `PROCESSES` processes open at once (the migrations race too) and
then fill with `PER_PROCESS` registrations each, all for one customer at one instant. The suite runs a
few trials; `PPL_REGISTRY_TRIALS=100 pytest tests/unit/runtime/store/test_registry_concurrency.py -s`
runs a hundred, and prints how long they took.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.store import Registry
from tests.unit.runtime.store._registry_program import JST, at, compile_test_program

PROCESSES = 8
PER_PROCESS = 8
REQUESTS = PROCESSES * PER_PROCESS
TRIALS = int(os.environ.get("PPL_REGISTRY_TRIALS", "2"))
MOMENT = at(6, 1)
# Every partner is a `member` holding kansai, and the deal is in kanto: no rule tells them apart, so the
# registration that commits first holds the customer and the others are rejected naming it.
PARTNERS = {f"p{n:02d}": Partner(f"p{n:02d}", "reseller", "member", fields={"territory": "kansai"})
            for n in range(REQUESTS)}
NAMES = ("株式会社ABC", "ＡＢＣ（株）", "㈱ABC", "ABC Co., Ltd.", "abc", "ABC 株式会社")


def _worker(paths: list[str], index: int, barrier: Barrier, results: Any) -> None:
    """One process: for each trial, open the trial's fresh file with the others, then register its partners."""
    rt = Runtime(compile_test_program())
    mine = [f"p{index * PER_PROCESS + n:02d}" for n in range(PER_PROCESS)]
    for trial, path in enumerate(paths):
        try:
            barrier.wait(timeout=300)
            with Registry(path, rt, PARTNERS) as registry:
                barrier.wait(timeout=300)
                for partner in mine:
                    outcome = registry.register(partner, NAMES[int(partner[1:]) % len(NAMES)], MOMENT,
                                                deal_fields={"region": "kanto"})
                    results.put((trial, partner, outcome.accepted, outcome.claim, outcome.owner, outcome.rule,
                                 outcome.arrival, None))
        except Exception as exc:  # noqa: BLE001 - report any failure to the test rather than lose it in the child
            results.put((trial, mine[0], False, None, None, None, None, repr(exc)))


def _check_trial(path: str, got: list[tuple[Any, ...]]) -> str:
    """The trial's answers and its file agree: one accepted, every other held by it with a reason, nothing lost."""
    assert [g[7] for g in got] == [None] * REQUESTS, got
    accepted = [g for g in got if g[2]]
    assert len(accepted) == 1, got
    winner = str(accepted[0][3])
    assert all(g[4] == winner and g[5] == "otherwise (vendor_decides)" and g[6] == "held"
               for g in got if not g[2]), got
    assert len({g[3] for g in got}) == REQUESTS  # every claim got its own id
    with Registry(path, Runtime(compile_test_program()), PARTNERS) as registry:
        claims, events, history = registry.admin_view(), registry.events(), registry.history()
    assert len(claims) == REQUESTS  # no lost writes
    assert Counter(c.status for c in claims) == {"active": 1, "rejected": REQUESTS - 1}
    assert {c.partner for c in claims} == set(PARTNERS)
    assert len(events) == REQUESTS and {e.id for e in events} == {c.id for c in claims}  # events = requests
    assert Counter(e.status for e in events) == {"accepted": 1, "held": REQUESTS - 1}
    assert all(e.holder == winner for e in events)
    assert Counter(e.event for e in history) == {"register": REQUESTS, "accept": 1, "reject": REQUESTS - 1}
    assert all(c.registered_at == MOMENT and c.registered_at.utcoffset() == JST.utcoffset(None) for c in claims)
    return winner


def test_simultaneous_registrations_in_separate_processes_accept_exactly_one(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    paths = [str(tmp_path / f"deals-{trial:03d}.db") for trial in range(TRIALS)]  # not created yet
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(paths, index, barrier, results)) for index in range(PROCESSES)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    got: dict[int, list[tuple[Any, ...]]] = {trial: [] for trial in range(TRIALS)}
    for _ in range(TRIALS * REQUESTS):
        answer = results.get(timeout=600)
        got[answer[0]].append(answer)
        assert answer[7] is None, answer
    for worker in workers:
        worker.join(timeout=120)
    elapsed = time.perf_counter() - started
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    failures = 0
    for trial, path in enumerate(paths):
        try:
            _check_trial(path, got[trial])
        except AssertionError:
            failures += 1
            raise
    print(f"\n{TRIALS} trials of {REQUESTS} registrations from {PROCESSES} processes: {failures} failed; "
          f"{elapsed:.1f}s with process start-up ({elapsed / TRIALS:.2f}s a trial)")
