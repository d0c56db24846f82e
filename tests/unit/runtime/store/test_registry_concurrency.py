"""Many processes register one customer at the same moment: exactly one is accepted, and nothing is lost.

Each trial is a fresh registry (an SQLite file, or an empty PostgreSQL database) that `PROCESSES` processes
open at once (the migrations race too) and then fill with 8 registrations each, all for one customer at one
instant (`tests/support/registry_race.py`). The suite runs a few trials on each store;
`PPL_REGISTRY_TRIALS=100 pytest tests/unit/runtime/store/test_registry_concurrency.py -s` runs a hundred,
and prints how long they took.
"""

from __future__ import annotations

import os
from pathlib import Path

from runtime.store._db import is_url
from tests.support import postgres
from tests.support.registry_race import REQUESTS, check_trial, race, register_directly

PROCESSES = 8
TRIALS = int(os.environ.get("PPL_REGISTRY_TRIALS", "2"))


def _targets(store_target: str) -> list[str]:
    """`TRIALS` fresh registries on the store of `store_target`: files not created yet, or empty databases."""
    if not is_url(store_target):
        return [str(Path(store_target).with_name(f"deals-{trial:03d}.db")) for trial in range(TRIALS)]
    return [store_target, *(postgres.fresh_database(store_target) for _ in range(TRIALS - 1))]


def test_simultaneous_registrations_in_separate_processes_accept_exactly_one(store_target: str) -> None:
    targets = _targets(store_target)
    got, elapsed = race([register_directly] * PROCESSES, targets)
    failures = 0
    for target, answers in zip(targets, got, strict=True):
        try:
            check_trial(target, answers)
        except AssertionError:
            failures += 1
            raise
    store = "PostgreSQL" if is_url(store_target) else "SQLite"
    print(f"\n{store}: {TRIALS} trials of {REQUESTS} registrations from {PROCESSES} processes: {failures} failed; "
          f"{elapsed:.1f}s with process start-up ({elapsed / TRIALS:.2f}s a trial)")
