"""The service application: `create_app` builds the FastAPI app over a bundle, a keys file and a decision log.

Reloading: `SIGHUP` (when the app runs in the main thread of a process, as under uvicorn), `POST
/v1/admin/reload`, and with `watch` a thread that polls the bundle's files for a change.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from runtime.service import problems
from runtime.service.auth import Keys
from runtime.service.bundles import BundleError, Bundles, mtimes
from runtime.service.context import DecisionLog
from runtime.service.deps import MemoryLog, ServiceState
from runtime.service.logging import RequestLog
from runtime.service.metrics import Metrics
from runtime.service.routes import admin, deals, documents, health, quotes, routing, settlements

API_VERSION = "1"
WATCH_INTERVAL = 1.0
"""Seconds between two looks at the bundle's files under `watch`."""

_log = logging.getLogger("ppl.service")


def safe_reload(st: ServiceState, why: str) -> None:
    """Reload for a signal or a watched change: a failure is logged, and the old rule sets keep serving."""
    try:
        result = st.reload()
    except Exception as exc:  # noqa: BLE001 - a reload that fails leaves the service as it was
        _log.error("reload (%s) failed: %s", why, exc)
        return
    for refusal in result.refused:
        _log.warning("reload (%s) refused %s: %s", why, refusal.path, refusal.reason)
    _log.info("reload (%s): %d loaded, %d refused", why, len(result.loaded), len(result.refused))


class Watcher:
    """A thread that reloads the bundle when its files' modification times or sizes change."""

    def __init__(self, st: ServiceState, interval: float = WATCH_INTERVAL) -> None:
        self.st = st
        self.interval = interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="ppl-bundle-watch", daemon=True)

    def _run(self) -> None:
        seen = mtimes(self.st.bundles.path)
        while not self.stop.wait(self.interval):
            now = mtimes(self.st.bundles.path)
            if now != seen:
                seen = now
                safe_reload(self.st, "watch")

    def start(self) -> None:
        """Start polling."""
        self.thread.start()

    def close(self) -> None:
        """Stop polling and wait for the thread."""
        self.stop.set()
        self.thread.join(timeout=5)


def _on_sighup(st: ServiceState) -> Any:
    """Install a SIGHUP handler that reloads; the previous handler, or None outside the main thread."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"):
        return None

    def handler(signum: int, frame: Any) -> None:
        del signum, frame
        threading.Thread(target=safe_reload, args=(st, "SIGHUP"), name="ppl-reload", daemon=True).start()

    return signal.signal(signal.SIGHUP, handler)


def _lifespan(st: ServiceState, watch: bool, interval: float) -> Any:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        del app
        previous = _on_sighup(st)
        watcher = Watcher(st, interval) if watch else None
        if watcher is not None:
            watcher.start()
        try:
            yield
        finally:
            if watcher is not None:
                watcher.close()
            if previous is not None:
                signal.signal(signal.SIGHUP, previous)
            st.log.close()

    return lifespan


def create_app(bundle: Path, keys: Path, *, partners: Mapping[str, Path] | None = None,
               log: DecisionLog | None = None, registry: str | None = None, ledger: str | None = None,
               watch: bool = False, trusted_keys: Sequence[str | Path] = (), engine: str = "compiled",
               watch_interval: float = WATCH_INTERVAL) -> FastAPI:
    """The service over a bundle (a directory of `*.ruleset.json`, or one artifact) and a keys file.

    Args:
        partners: a partners file per program id, instead of `<stem>.partners.csv` beside the artifact.
        log: where decisions go (default: a `MemoryLog`).
        registry, ledger: an SQLite path or a `postgresql://` URL for the deal and settlement endpoints.
        watch: reload when the bundle's files change.
        trusted_keys: Ed25519 public keys; when given, only artifacts signed by one of them are served.

    Raises:
        BundleError: the bundle has no artifact, or one of its artifacts is refused at start.
        KeysError: the keys file cannot be read or holds a bad record.
    """
    accepted = Keys(keys)  # the cheaper file first: a bad keys file stops the start before any artifact is read
    bundles = Bundles(bundle, partners, trusted_keys, engine)
    first = bundles.reload()
    if first.refused:
        raise BundleError("; ".join(f"{r.path}: {r.reason}" for r in first.refused))
    metrics = Metrics()
    st = ServiceState(bundles, accepted, log if log is not None else MemoryLog(), registry, ledger, metrics)
    st.quoters = quotes.QuoterCache(metrics.add_fallbacks)
    metrics.watch_fallbacks(st.quoters.fallbacks)
    metrics.reloads.labels("ok").inc()
    metrics.artifacts.set(len(bundles.catalog.by_hash))
    app = FastAPI(title="ppl decision service", version=API_VERSION, lifespan=_lifespan(st, watch, watch_interval),
                  description="Quotes, settlements and deal decisions over compiled partner programs; every answer "
                  "names the rule set it was made with, and every decision is logged.")
    app.state.ppl = st
    problems.install_handlers(app)
    for module in (health, admin, quotes, deals, routing, settlements, documents):
        app.include_router(module.router)
    app.add_middleware(RequestLog, metrics=metrics)
    return app
