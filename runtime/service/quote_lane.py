"""The quote lane: `POST /v1/programs/{program}/quote` answered on the event loop, without FastAPI's machinery.

A single quote is the request a service answers most, and FastAPI's routing, dependency solving and worker
thread cost several times the quote itself. The lane is an ASGI middleware in front of the FastAPI app that
answers the plain case of that one endpoint with the endpoint's own parts: the key is checked by
`deps.known_caller`, the program found in the same catalog, the body read as `ExactRequest` reads it
(fractions as `Decimal`) into the same `QuoteIn` model, the decision made by `quotes.quote_decision`, logged
by `deps.logged_async` (durable before the answer) and answered as the endpoint answers (`encoding.JSONAnswer`).

Everything else goes to the FastAPI app, with the body the lane read handed on unchanged: another method or
path, a query string (`?ruleset=`), a key not given as `Authorization: Bearer`, a body that is not JSON, over
`MAX_BODY` bytes, or that the model refuses — and every request that would not be answered 200 (a bad key,
an unknown program, a rejected or refused transaction, a log that cannot take the decision). So every error
answer is made in one place, the endpoint's, and the lane answers only what the endpoint would answer alike
(`tests/service/test_quote_lane.py` sends the same requests through both and compares the answers).
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime.service import schemas
from runtime.service.answers import JSONAnswer
from runtime.service.context import Problem
from runtime.service.deps import ServiceState, known_caller, logged_async
from runtime.service.routes.quotes import quote_decision

PREFIX = "/v1/programs/"
SUFFIX = "/quote"
QUOTE_PATH = PREFIX + "{program}" + SUFFIX
"""The path template of the endpoint the lane answers for."""
MAX_BODY = 1 << 20
"""Bodies larger than this (bytes) are left to the FastAPI app."""

_log = logging.getLogger("ppl.service")


class QuoteLane:
    """The ASGI middleware that answers plain single quotes (see the module); `route` is the FastAPI route of the
    endpoint, recorded in the scope so that logs and metrics name it as they do for the endpoint."""

    def __init__(self, app: ASGIApp, st: ServiceState, route: Any) -> None:
        self.app = app
        self.st = st
        self.route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        program = _program(scope)
        if program is None:
            await self.app(scope, receive, send)
            return
        body, complete = await _read(receive)
        answer = await self._answer(scope, program, body) if complete else None
        if answer is None:
            await self.app(scope, _replay(body, complete, receive), send)
            return
        scope["route"] = self.route
        await send({"type": "http.response.start", "status": 200, "headers": answer.raw_headers})
        await send({"type": "http.response.body", "body": answer.body})

    async def _answer(self, scope: Scope, name: str, body: bytes) -> JSONAnswer | None:
        """The 200 answer of a plain quote, or None to leave the request to the endpoint."""
        key = _bearer(scope)
        if key is None or not _json_body(scope):
            return None
        who = known_caller(self.st, key)
        program = self.st.bundles.catalog.find(name, None)
        if who is None or program is None:
            return None
        try:
            request = schemas.QuoteIn.model_validate(json.loads(body, parse_float=Decimal))
            decision, answer = quote_decision(self.st, who, program, request)
        except (ValueError, ValidationError, RecursionError, Problem):
            return None  # the endpoint answers it, with the problem it makes
        except Exception:  # noqa: BLE001 - a bug: the endpoint meets it again and answers it as one
            _log.exception("the quote lane left a request to the endpoint after an unexpected error")
            return None
        try:
            await logged_async(self.st, decision)
        except Problem:
            return None  # the endpoint tries the log again, and answers 503 if it still cannot take it
        return JSONAnswer(answer)


def _program(scope: Scope) -> str | None:
    """The program of a plain `POST /v1/programs/{program}/quote` (no query string), else None."""
    if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("query_string"):
        return None
    path: str = scope.get("path", "")
    if not (path.startswith(PREFIX) and path.endswith(SUFFIX)):
        return None
    name = path[len(PREFIX):-len(SUFFIX)]
    return name if name and "/" not in name else None


def _header(scope: Scope, name: bytes) -> bytes | None:
    found = [value for key, value in scope.get("headers", ()) if key.lower() == name]
    return found[0] if len(found) == 1 else None


def _bearer(scope: Scope) -> str | None:
    """The key of an `Authorization: Bearer <key>` header (None: no such header, or a key given otherwise)."""
    if _header(scope, b"x-api-key") is not None:
        return None
    value = _header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, key = value.decode("latin-1").partition(" ")
    return key if scheme.lower() == "bearer" and key.strip() else None


def _json_body(scope: Scope) -> bool:
    value = _header(scope, b"content-type")
    return value is not None and value.split(b";")[0].strip().lower() == b"application/json"


async def _read(receive: Receive) -> tuple[bytes, bool]:
    """The request's body, and whether it is whole (False: it is over `MAX_BODY`, or the client went away)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > MAX_BODY:
            return b"".join(chunks), False


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A `receive` that gives the body read so far, then whatever the client still sends."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay
