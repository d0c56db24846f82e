"""Liveness, readiness and metrics: what an orchestrator and a Prometheus server read (no key needed)."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from runtime.service import schemas
from runtime.service.deps import ServiceState, StateDep
from runtime.service.exact import ExactRoute
from runtime.service.metrics import CONTENT_TYPE
from runtime.service.problems import http_problem

router = APIRouter(tags=["health"], route_class=ExactRoute)


@router.get("/healthz", response_model=schemas.Health, summary="Liveness")
def healthz() -> JSONResponse:
    """The process answers."""
    return JSONResponse({"status": "ok", "checks": {}})


def _log_writable(st: ServiceState) -> str | None:
    """Why the decision log cannot take a decision, or None when it can (as far as can be told without writing)."""
    path = getattr(st.log, "path", None)
    if getattr(st.log, "closed", False) is True:
        return "the decision log is closed"
    if isinstance(path, str | Path):
        target = Path(path)
        where = target if target.exists() else target.parent
        if not os.access(where, os.W_OK):
            return f"the decision log `{target}` is not writable"
    return None


@router.get("/readyz", response_model=schemas.Health, summary="Readiness",
            responses={503: {"model": schemas.ProblemModel, "content": {"application/problem+json": {}}}})
def readyz(st: StateDep) -> JSONResponse:
    """Ready when rule sets are loaded and the decision log takes decisions; a 503 problem otherwise."""
    programs = len(st.bundles.catalog.default)
    if not programs:
        raise http_problem(503, "no rule set is loaded", "not_ready")
    if (problem := _log_writable(st)) is not None:
        raise http_problem(503, problem, "not_ready")
    return JSONResponse({"status": "ready", "checks": {"programs": str(programs), "decision_log": "ok"}})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
def metrics(st: StateDep) -> Response:
    """The service's metrics in Prometheus' text format."""
    return Response(st.metrics.render(), media_type=CONTENT_TYPE)
