"""Many processes register one customer at the same moment: exactly one is accepted, and nothing is lost."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.store import Registry
from tests.unit.runtime.store._registry_program import JST, at, compile_test_program

PROCESSES = 12
MOMENT = at(6, 1)
# Every partner is a `member` holding kansai, and the deal is in kanto: no rule tells them apart, so the
# registration that commits first holds the customer and the others are rejected naming it.
PARTNERS = {f"p{n:02d}": Partner(f"p{n:02d}", "reseller", "member", fields={"territory": "kansai"})
            for n in range(PROCESSES)}
NAMES = ("株式会社ABC", "ＡＢＣ（株）", "㈱ABC", "ABC Co., Ltd.", "abc", "ABC 株式会社")


def _attempt(path: str, partner: str, barrier: Barrier, results: Any) -> None:
    """One process: open the registry (a fresh file: migrations race too), wait for all, then register."""
    try:
        rt = Runtime(compile_test_program())  # not via JSON: ir_json mis-decodes enum tier requirements
        barrier.wait(timeout=300)
        with Registry(path, rt, PARTNERS) as registry:
            barrier.wait(timeout=300)
            began = time.time()  # wall clock: comparable across processes
            outcome = registry.register(partner, NAMES[int(partner[1:]) % len(NAMES)], MOMENT,
                                        deal_fields={"region": "kanto"})
            ended = time.time()
        results.put((partner, outcome.accepted, outcome.claim, outcome.owner, outcome.rule, None, began, ended))
    except Exception as exc:  # noqa: BLE001 - report any failure to the test rather than lose it in the child
        results.put((partner, False, None, None, None, repr(exc), 0.0, 0.0))


def test_simultaneous_registrations_in_separate_processes_accept_exactly_one(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    path = str(tmp_path / "deals.db")  # not created yet
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    workers = [ctx.Process(target=_attempt, args=(path, partner, barrier, results))
               for partner in PARTNERS]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    got = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(timeout=120)
    elapsed = time.perf_counter() - started
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    assert [g[5] for g in got] == [None] * PROCESSES, got

    accepted = [g for g in got if g[1]]
    assert len(accepted) == 1, got
    winner = accepted[0][2]
    rejected = [g for g in got if not g[1]]
    assert len(rejected) == PROCESSES - 1
    assert all(g[3] == winner and g[4] == "otherwise (vendor_decides)" for g in rejected), got
    assert len({g[2] for g in got}) == PROCESSES  # every claim got its own id

    with Registry(path, Runtime(compile_test_program()), PARTNERS) as registry:
        claims = registry.admin_view()
        history = registry.history()
    assert len(claims) == PROCESSES  # no lost writes
    assert Counter(c.status for c in claims) == {"active": 1, "rejected": PROCESSES - 1}
    assert {c.partner for c in claims} == set(PARTNERS)
    assert Counter(e.event for e in history) == {"register": PROCESSES, "accept": 1, "reject": PROCESSES - 1}
    assert {e.registration for e in history} == {c.id for c in claims}
    assert all(c.registered_at == MOMENT and c.registered_at.utcoffset() == JST.utcoffset(None) for c in claims)
    racing = max(g[7] for g in got) - min(g[6] for g in got)
    print(f"\n{PROCESSES} processes, 1 accepted ({winner}), {PROCESSES - 1} rejected; registrations took "
          f"{racing * 1000:.0f} ms, {elapsed:.1f}s with process start-up")
