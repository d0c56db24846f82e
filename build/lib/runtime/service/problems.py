"""Problem details (RFC 9457): every answer that is not a decision, as `application/problem+json`.

A problem has the standard members `type`, `title`, `status`, `detail` and `instance`, plus ppl's
`code` (a diagnostic code such as E511, or a service code such as `not_found`), `field` when one part of
the request is at fault, and `errors` (each bad field with its location) for a body that does not validate.
The handlers here turn `Problem`, FastAPI's validation errors, Starlette's HTTP errors (404, 405) and any
other exception into one; the last one logs the exception and says nothing of it to the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from runtime.service.context import Problem

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:ppl:problem:"
"""A problem's `type` is this prefix and its code: a stable identifier, not a page to fetch."""

_log = logging.getLogger("ppl.service")

_HTTP_CODES: Mapping[int, tuple[str, str]] = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    413: ("too_large", "Request too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("invalid_request", "Invalid request"),
    500: ("internal", "Internal error"),
    503: ("unavailable", "Service unavailable"),
}


def problem_json(problem: Problem, instance: str) -> dict[str, Any]:
    """The body of a problem: the RFC 9457 members, ppl's code, the field when there is one, and extras."""
    body: dict[str, Any] = {"type": TYPE_PREFIX + problem.code, "title": problem.title, "status": problem.status,
                            "detail": problem.detail, "instance": instance, "code": problem.code}
    if problem.field is not None:
        body["field"] = problem.field
    body.update(problem.extra)
    return body


def problem_response(problem: Problem, instance: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """A problem as a response with its status and media type."""
    return JSONResponse(problem_json(problem, instance), status_code=problem.status, media_type=MEDIA_TYPE,
                        headers=dict(headers or {}))


def http_problem(status: int, detail: str, code: str | None = None, field: str | None = None,
                 extra: Mapping[str, Any] | None = None) -> Problem:
    """A problem with the usual title and code of an HTTP status (`code` overrides the code)."""
    default_code, title = _HTTP_CODES.get(status, ("error", "Error"))
    return Problem(status, title, detail, code or default_code, field, extra)


def field_path(loc: Sequence[int | str]) -> str:
    """A validation error's location as a dotted path: `body.transaction.quantity`, `query.lang`.

    >>> field_path(("body", "transactions", 2, "id"))
    'body.transactions.2.id'
    """
    return ".".join(str(part) for part in loc)


def validation_problem(errors: Sequence[Any]) -> Problem:
    """A 422 problem naming each field of a request that does not validate, by its location."""
    listed = [{"field": field_path(e.get("loc", ())), "reason": str(e.get("msg", "invalid")),
               "type": str(e.get("type", "invalid"))} for e in errors]
    first = listed[0]["field"] if listed else None
    named = ", ".join(f"`{e['field']}`: {e['reason']}" for e in listed[:5])
    more = f" and {len(listed) - 5} more" if len(listed) > 5 else ""
    return http_problem(422, f"the request does not validate: {named}{more}", "invalid_request", first,
                        {"errors": listed})


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem_response(exc, request.url.path, headers)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(validation_problem(exc.errors()), request.url.path)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _HTTP_CODES.get(exc.status_code, ("", "error"))[1]
    if exc.status_code == 400:  # a body that cannot even be decoded: a request to fix, like any bad body
        return problem_response(http_problem(422, "the body is not JSON text (UTF-8)", field="body"),
                                request.url.path)
    if exc.status_code == 404:
        detail = f"no resource at `{request.url.path}`"
    elif exc.status_code == 405:
        detail = f"`{request.method}` is not allowed on `{request.url.path}`"
    return problem_response(http_problem(exc.status_code, detail), request.url.path, exc.headers)


async def _on_error(request: Request, exc: Exception) -> JSONResponse:
    _log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(http_problem(500, "the service failed to answer; the error is logged"),
                            request.url.path)


def install_handlers(app: FastAPI) -> None:
    """Render every error of `app` as problem details."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_error)
