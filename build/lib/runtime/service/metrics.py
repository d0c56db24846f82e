"""Prometheus metrics of one service: requests, latency, decisions, quote fallbacks, reloads.

Each app has its own `CollectorRegistry`, so two apps in one process (tests) count apart. Quote
fallbacks (quotes answered by the reference path instead of a generated plan) are read at scrape time
from the quoters the service keeps, plus those of quoters it has let go.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _Fallbacks(Collector):
    """`ppl_quote_fallbacks_total{program}`, counted when scraped."""

    def __init__(self, read: Callable[[], Mapping[str, int]]) -> None:
        self.read = read

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily("ppl_quote_fallbacks", "Quotes answered by the reference path instead of a "
                                     "generated plan", labels=["program"])
        for program, count in sorted(self.read().items()):
            family.add_metric([program], count)
        yield family


class Metrics:
    """The counters and histograms of one service."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("ppl_http_requests", "HTTP requests answered", ["route", "method", "status"],
                                registry=self.registry)
        self.latency = Histogram("ppl_http_request_duration_seconds", "Time to answer a request",
                                 ["route", "method"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.decisions = Counter("ppl_decisions", "Decisions made and logged", ["kind", "program"],
                                 registry=self.registry)
        self.reloads = Counter("ppl_bundle_reloads", "Bundle reloads, by result", ["result"], registry=self.registry)
        self.refused = Counter("ppl_artifacts_refused", "Rule set artifacts refused by a reload",
                               registry=self.registry)
        self.artifacts = Gauge("ppl_artifacts_loaded", "Rule set artifacts available by hash",
                               registry=self.registry)
        self._lock = threading.Lock()
        self._released: dict[str, int] = {}  # fallbacks of quoters no longer kept, by program
        self._live: Callable[[], Mapping[str, int]] = dict
        self.registry.register(_Fallbacks(self._fallbacks))

    def watch_fallbacks(self, live: Callable[[], Mapping[str, int]]) -> None:
        """Read the fallbacks of the quoters the service keeps with `live` (program → count) at scrape time."""
        self._live = live

    def add_fallbacks(self, program: str, count: int) -> None:
        """Count the fallbacks of a quoter the service lets go."""
        if count:
            with self._lock:
                self._released[program] = self._released.get(program, 0) + count

    def _fallbacks(self) -> dict[str, int]:
        with self._lock:
            total = dict(self._released)
        for program, count in self._live().items():
            total[program] = total.get(program, 0) + count
        return total

    def render(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return generate_latest(self.registry)
