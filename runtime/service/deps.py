"""What endpoints depend on: the service's state, the caller, the served program, roles, and `decided`.

The dependencies are `async def` although they do no I/O: FastAPI runs a plain `def` dependency in a worker
thread, a hand-off per dependency per request that measured at most of a quote's cost under load.

Every endpoint that decides calls `decided(...)`, which appends the decision to the decision log before
the answer is returned (the log's `append` returns only when the decision is durable), counts it, and
gives the endpoint the decision's id for its answer.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import datetime
import random
import threading
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from runtime.service.auth import Keys
from runtime.service.bundles import Bundles, ReloadResult
from runtime.service.context import Caller, Decision, DecisionLog, Problem, Role, ServedProgram, SubmittingLog
from runtime.service.metrics import Metrics
from runtime.service.problems import http_problem

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer ppl_<id>_<secret>`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key, in place of a bearer token")

request_notes: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("ppl_request_notes",
                                                                                      default=None)
"""What a request's log line tells besides the HTTP facts: the caller's key id, the decision ids (set per
request by the logging middleware; endpoints running in a worker thread share the same dict)."""


class MemoryLog:
    """A decision log that keeps decisions in a list: for tests, and for a service run without a log file."""

    def __init__(self) -> None:
        self.decisions: list[Decision] = []
        self._lock = threading.Lock()
        self.closed = False

    def append(self, decision: Decision) -> None:
        """Keep the decision (in memory: nothing survives the process)."""
        with self._lock:
            self.decisions.append(decision)

    def submit(self, decision: Decision) -> concurrent.futures.Future[None]:
        """Keep the decision; the future is done already."""
        self.append(decision)
        done: concurrent.futures.Future[None] = concurrent.futures.Future()
        done.set_result(None)
        return done

    def close(self) -> None:
        """Nothing to release."""
        self.closed = True


@dataclass(slots=True)
class ServiceState:
    """Everything a service holds: its bundles, keys, decision log, stores and metrics.

    `registry` and `ledger` are what the deal and settlement endpoints open: an SQLite path or a
    `postgresql://` URL (None: not configured, and those endpoints answer 503).
    """

    bundles: Bundles
    keys: Keys
    log: DecisionLog
    registry: str | None = None
    ledger: str | None = None
    metrics: Metrics = field(default_factory=Metrics)
    quoters: Any = None  # runtime.service.routes.quotes.QuoterCache, set by the app
    on_reload: list[Callable[[ReloadResult], None]] = field(default_factory=list)
    submitting: SubmittingLog | None = field(init=False, default=None)  # the log, when it takes submissions

    def __post_init__(self) -> None:
        self.submitting = self.log if isinstance(self.log, SubmittingLog) else None

    def reload(self) -> ReloadResult:
        """Reload the bundles and the keys file; count the result.

        Raises:
            BundleError: the bundle path is gone or empty (nothing is swapped).
            KeysError: the keys file became unreadable (the bundles are reloaded, the old keys kept).
        """
        try:
            result = self.bundles.reload()
        except Exception:
            self.metrics.reloads.labels("refused").inc()
            raise
        self.metrics.reloads.labels("ok" if result.ok else "refused").inc()
        self.metrics.refused.inc(len(result.refused))
        self.metrics.artifacts.set(len(self.bundles.catalog.by_hash))
        for hook in self.on_reload:
            hook(result)
        self.keys.reload()
        return result


async def state(request: Request) -> ServiceState:
    """The service's state (FastAPI dependency)."""
    found: ServiceState = request.app.state.ppl
    return found


StateDep = Annotated[ServiceState, Depends(state)]
"""A parameter that receives the service's state."""


async def caller(st: StateDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                 api_key: Annotated[str | None, Depends(_api_key)]) -> Caller:
    """The authenticated caller (FastAPI dependency); a 401 problem without a key or with a bad one."""
    key = credentials.credentials if credentials is not None else api_key
    if not key:
        raise http_problem(401, "an API key is required: `Authorization: Bearer <key>` or `X-API-Key: <key>`",
                           "unauthenticated")
    found = known_caller(st, key)
    if found is None:
        raise http_problem(401, "the API key is not valid", "bad_key")
    return found


def known_caller(st: ServiceState, key: str) -> Caller | None:
    """The caller a key authenticates (its id noted for the request's log line), or None for a bad key."""
    found = st.keys.authenticate(key.strip())
    if found is not None and (notes := request_notes.get()) is not None:
        notes["key"] = found.key_id
    return found


CallerDep = Annotated[Caller, Depends(caller)]
"""A parameter that receives the authenticated caller."""


def require(*roles: Role) -> Callable[..., Awaitable[Caller]]:
    """A dependency that gives the caller when its role is one of `roles`, else a 403 problem."""

    async def allowed(who: CallerDep) -> Caller:
        if who.role not in roles:
            raise http_problem(403, f"a key of role `{who.role}` may not do this; it needs one of "
                                    f"{', '.join(roles)}", "forbidden")
        return who

    return allowed


_PIN = Query(description="pin a rule set by its hash (sha256:…); default: the program's current one",
             max_length=80)


async def served(program: str, st: StateDep, ruleset: Annotated[str | None, _PIN] = None) -> ServedProgram:
    """The served artifact of the path's program (FastAPI dependency); a 404 problem for an unknown program or
    hash. The catalog is read once, so the request keeps this artifact whatever a reload does meanwhile."""
    found = st.bundles.catalog.find(program, ruleset)
    if found is None:
        what = f"program `{program}`" if ruleset is None else f"rule set `{ruleset}` of program `{program}`"
        raise http_problem(404, f"no {what} is served", "unknown_program" if ruleset is None else "unknown_ruleset")
    return found


ServedDep = Annotated[ServedProgram, Depends(served)]
"""A parameter that receives the served artifact of the path's program (pinned by `?ruleset=`)."""


def new_decision(who: Caller, program: ServedProgram, kind: str, input: Mapping[str, Any],
                 output: Mapping[str, Any], version: str | None) -> Decision:
    """The record of a decision made now (not yet logged)."""
    return Decision(decision_id(), datetime.datetime.now(datetime.UTC), kind, program.program, program.hash,
                    version, who, input, output)


def decision_id() -> str:
    """A new random (version 4) UUID. Its bits come from the `random` module, seeded from the system's entropy at
    start and again in every forked child, not from a system call per decision: an id must be unique, not secret."""
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


_UNLOGGED = ("Decision log unavailable", "the decision could not be logged, so it is not answered; try again",
             "log_unavailable")


def _counted(st: ServiceState, decision: Decision) -> Decision:
    st.metrics.decisions.labels(decision.kind, decision.program).inc()
    notes = request_notes.get()
    if notes is not None:
        notes.setdefault("decisions", []).append(decision.id)
    return decision


def logged(st: ServiceState, decision: Decision) -> Decision:
    """Append a decision to the decision log (durable before the answer) and count it; a 503 problem when it
    cannot be logged."""
    try:
        st.log.append(decision)
    except Exception as exc:
        raise Problem(503, *_UNLOGGED) from exc
    return _counted(st, decision)


async def logged_async(st: ServiceState, decision: Decision) -> Decision:
    """`logged` for an event loop: a log that takes submissions is awaited without a thread per request;
    another log's append runs in a worker thread."""
    try:
        if st.submitting is not None:
            await asyncio.wrap_future(st.submitting.submit(decision))
        else:
            await run_in_threadpool(st.log.append, decision)
    except Exception as exc:
        raise Problem(503, *_UNLOGGED) from exc
    return _counted(st, decision)


def decided(st: ServiceState, who: Caller, program: ServedProgram, kind: str, input: Mapping[str, Any],
            output: Mapping[str, Any], version: str | None) -> Decision:
    """Make the decision record, append it to the decision log (durable before the answer), count it."""
    return logged(st, new_decision(who, program, kind, input, output, version))


def ruleset_json(program: ServedProgram, version: str | None) -> dict[str, Any]:
    """The `ruleset` member of every decision's answer: the program, the artifact's hash, the version in force."""
    return {"program": program.program, "hash": program.hash, "version": version}
