"""Timing: contenders raced round-robin in one process, best of N passes over the same data.

Round-robin (pass 1 of every contender, then pass 2 of every contender, …) spreads whatever else the
machine is doing over all contenders alike; best-of-N keeps the pass that was least disturbed, and the
median is kept too, to show how noisy the run was.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Measured:
    """The pass times of one contender over `items` items."""

    items: int
    seconds: tuple[float, ...]

    @property
    def best(self) -> float:
        """The fastest pass, in seconds."""
        return min(self.seconds)

    @property
    def rate(self) -> float:
        """Items per second in the fastest pass."""
        return self.items / self.best

    @property
    def median_rate(self) -> float:
        """Items per second in the median pass."""
        return self.items / statistics.median(self.seconds)

    @property
    def per_item_us(self) -> float:
        """Microseconds per item in the fastest pass."""
        return self.best / self.items * 1e6


def race(contenders: Mapping[str, Callable[[], object]], items: int, repeats: int,
         warmup: int = 1) -> dict[str, Measured]:
    """Time each contender's pass (a call doing `items` items) `repeats` times, round-robin, after `warmup` passes."""
    for _ in range(warmup):
        for run in contenders.values():
            run()
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, run in contenders.items():
            gc.collect()
            started = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - started)
    return {name: Measured(items, tuple(times)) for name, times in seconds.items()}


def best_of(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    """(first, best) seconds of `repeats` calls of `run`; the first call is the cold one."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times[0], min(times)
