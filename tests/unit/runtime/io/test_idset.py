"""The id set behind `ppl settle`'s duplicate check: exact answers, and memory that does not grow with the ids."""

from __future__ import annotations

import random
from pathlib import Path

from runtime.io.idset import IdSet


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_an_id_is_new_once_before_and_after_the_set_spills() -> None:
    with IdSet(memory_ids=100, filter_bits=1 << 12) as seen:
        ids = [f"T-{n}" for n in range(1_000)]
        assert all(seen.add(i) for i in ids)
        assert seen.spilled and len(seen) == 1_000
        rng = random.Random(7)
        for i in rng.sample(ids, 200):
            assert not seen.add(i)
            assert i in seen
        assert seen.add("T-1000") and "T-1001" not in seen
        assert len(seen) == 1_001


def test_a_small_filter_with_many_false_positives_still_answers_exactly() -> None:
    with IdSet(memory_ids=10, filter_bits=64) as seen:  # nearly every bit set: most lookups go to the disk
        assert [seen.add(f"{n % 300}") for n in range(600)] == [True] * 300 + [False] * 300


def test_two_million_ids_stream_through_in_bounded_memory() -> None:
    """A Python set of two million ids takes about 190 MB; the spilling set stays within its batch, its filter and
    SQLite's page cache."""
    before = peak = _rss_mb()
    with IdSet(memory_ids=20_000, filter_bits=1 << 23) as seen:
        for n in range(2_000_000):
            seen.add(f"T{n:09d}")
            if n % 200_000 == 0:
                peak = max(peak, _rss_mb())
        peak = max(peak, _rss_mb())
        assert len(seen) == 2_000_000 and not seen.add("T000000000") and seen.add("T002000000")
    assert peak - before < 48
