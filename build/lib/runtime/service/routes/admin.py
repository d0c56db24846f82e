"""The served programs, and reloading the bundle (admin keys only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from runtime.service import schemas
from runtime.service.auth import KeysError
from runtime.service.bundles import BundleError, ReloadResult
from runtime.service.context import Caller, ServedProgram
from runtime.service.deps import CallerDep, StateDep, require
from runtime.service.exact import ExactRoute
from runtime.service.problems import http_problem

router = APIRouter(prefix="/v1", tags=["programs"], route_class=ExactRoute)

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": schemas.ProblemModel, "content": {"application/problem+json": {}}} for status in (401, 403, 503)
}


def _artifact(served: ServedProgram, current: bool, who: Caller) -> dict[str, Any]:
    return {"hash": served.hash, "versions": [v.version for v in served.runtime.ruleset.versions],
            "format": served.format_version, "loaded_at": served.loaded_at.isoformat().replace("+00:00", "Z"),
            "path": served.path.name, "current": current,
            "partners": len(served.partners) if who.sees_all else None}


@router.get("/programs", response_model=schemas.ProgramsAnswer, responses=_ERRORS, summary="Served programs")
def programs(who: CallerDep, st: StateDep) -> JSONResponse:
    """Each served program: its current artifact and every artifact of it loaded so far, by hash (how many
    partners each serves is the vendor's business: null for a partner key)."""
    catalog = st.bundles.catalog
    out = [{"program": program, "current": current.hash,
            "artifacts": [_artifact(s, s is current, who) for s in catalog.history.get(program, ())]}
           for program, current in sorted(catalog.default.items())]
    return JSONResponse({"programs": out})


def reload_json(result: ReloadResult) -> dict[str, Any]:
    """A reload's result as JSON."""
    return {"ok": result.ok, "loaded": list(result.loaded),
            "refused": [{"path": r.path, "reason": r.reason} for r in result.refused],
            "current": dict(result.default)}


@router.post("/admin/reload", response_model=schemas.ReloadAnswer, responses=_ERRORS, summary="Reload the bundle")
def reload(who: Annotated[Caller, Depends(require("admin"))], st: StateDep) -> JSONResponse:
    """Load new or changed artifacts and swap them in; a refused artifact is reported and the old one serves."""
    del who
    try:
        result = st.reload()
    except (BundleError, KeysError) as exc:
        raise http_problem(503, str(exc), "reload_failed") from None
    return JSONResponse(reload_json(result))
