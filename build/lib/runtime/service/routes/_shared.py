"""What the deal, routing, settlement and document endpoints share: their error responses in the OpenAPI
document, the registry they open, the instant a request is decided at, and refusals as problems."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from runtime.decisions.quote import QuoteError
from runtime.engine import EvaluationError
from runtime.io.deal_inputs import InputProblem, parse_instant
from runtime.service import schemas
from runtime.service.context import Caller, Problem, ServedProgram
from runtime.service.deps import ServiceState
from runtime.service.problems import http_problem
from runtime.store import Registry, RegistryError, TimeOrderError

_T = TypeVar("_T")
_log = logging.getLogger("ppl.service")

STAMP_ATTEMPTS = 3
"""How often a request stamped by the service's clock is stamped again after losing a race to a later stamp."""


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The problem responses of an endpoint, for the OpenAPI document."""
    return {status: {"model": schemas.ProblemModel, "content": {"application/problem+json": {}}}
            for status in statuses}


def version_at(program: ServedProgram, at: datetime.datetime) -> str | None:
    """The program version in force at an instant (None: none is)."""
    found = program.runtime.version_at(at)
    return found.rules.version if found is not None else None


def version_on(program: ServedProgram, day: datetime.date) -> str | None:
    """The program version in force on a day (None: none is)."""
    found = program.runtime.ruleset.version_on(day)
    return found.version if found is not None else None


def registry_target(st: ServiceState) -> str:
    """The registry the service is configured with; a 503 problem when it has none."""
    if st.registry is None:
        raise http_problem(503, "this service keeps no deal registry; start it with a registry (an SQLite file or "
                                "a postgresql:// URL)", "no_registry")
    return st.registry


@contextmanager
def registry(st: ServiceState, program: ServedProgram) -> Iterator[Registry]:
    """The deal registry opened for the served program, closed after the request; its refusals as problems."""
    try:
        opened = Registry(registry_target(st), program.runtime, program.partners)
    except RegistryError as exc:  # the file or database is unusable: the caller is told nothing of where it is
        _log.error("the deal registry cannot be opened: %s", exc)
        raise http_problem(503, "the deal registry cannot be opened; the error is logged",
                           "registry_unavailable") from None
    try:
        yield opened
    finally:
        opened.close()


def registry_problem(exc: RegistryError, status: int = 422, field: str | None = None) -> Problem:
    """A registry's refusal of a request as a problem with its code (`registry` when it has none)."""
    where = f"{exc.at}: " if exc.at else ""
    return Problem(status, "Request refused", f"{where}{exc.message}", exc.code or "registry", field)


def decision_problem(exc: QuoteError | EvaluationError, field: str | None = None) -> Problem:
    """A decision that cannot be made (no version in force, a missing field a rule reads …) as a 422 problem."""
    where = f"{exc.at}: " if exc.at else ""
    return Problem(422, "Not decided", f"{where}{exc.message}", exc.code, field)


def input_problem(exc: InputProblem, where: str) -> Problem:
    """A value the decision cannot take as a 422 problem naming the field (`where`, then the field at fault)."""
    field = f"{where}.{exc.field}" if exc.field else where
    return Problem(422, "Invalid value", exc.message, exc.code or "invalid_request", field)


def instant(text: str | None, who: Caller, where: str) -> datetime.datetime | None:
    """The instant a request gives (a vendor's or admin's only: a partner's requests are stamped by the service,
    so that none is dated before it was made); None: stamp it now."""
    if text is None:
        return None
    if who.role == "partner":
        raise http_problem(403, "a partner's request is stamped by the service when it arrives; leave out `at`",
                           "forbidden", where)
    try:
        return parse_instant(text, "`at`")
    except InputProblem as exc:
        raise input_problem(exc, where) from None


def stamped(at: datetime.datetime | None, request: Callable[[datetime.datetime], _T]) -> _T:
    """Carry out a registry request at `at`, or now; a request stamped now that loses a race to a later stamp (the
    registry records in time order) is stamped again."""
    for attempt in range(STAMP_ATTEMPTS):
        when = at if at is not None else datetime.datetime.now(datetime.UTC)
        try:
            return request(when)
        except TimeOrderError:
            if at is not None or attempt == STAMP_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
