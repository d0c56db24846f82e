"""Structured request logs: one JSON line per request (method, path, status, duration, key id, decisions).

A pure ASGI middleware, so that it costs one dict per request; it also counts the request and its latency
in the metrics. A key's secret never reaches a log line: only the id of the key that authenticated.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime.service.deps import request_notes
from runtime.service.metrics import Metrics

access_log = logging.getLogger("ppl.service.access")
"""The logger of request lines; its records carry the line as JSON in their message."""


def _route(scope: Scope) -> str:
    """The route template that answered (`/v1/programs/{program}/quote`), or `unmatched`: a bounded label."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestLog:
    """Log every HTTP request as one JSON line, and count it in the metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        notes: dict[str, Any] = {}
        token = request_notes.set(notes)
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            request_notes.reset(token)
            self._record(scope, status, time.perf_counter() - start, notes)

    def _record(self, scope: Scope, status: int, seconds: float, notes: dict[str, Any]) -> None:
        route, method = _route(scope), str(scope.get("method", ""))
        counted = self._series.get((route, method, status))
        if counted is None:  # the labels are bounded (route templates, methods, statuses): remember each series
            counted = self._series[route, method, status] = (self.metrics.requests.labels(route, method, str(status)),
                                                             self.metrics.latency.labels(route, method))
        counted[0].inc()
        counted[1].observe(seconds)
        if access_log.isEnabledFor(logging.INFO):
            line = {"method": method, "path": scope.get("path", ""), "route": route, "status": status,
                    "duration_ms": round(seconds * 1000, 3), "key": notes.get("key"),
                    "decisions": notes.get("decisions", [])}
            access_log.info(json.dumps(line, ensure_ascii=False))
