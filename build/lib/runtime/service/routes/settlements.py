"""Settlement endpoints: a period settled as a job, its progress, each partner's statement and the rejected rows.

A settlement runs the code of `ppl settle` with the row engine (`runtime.io.settling.settle_file`) on the
service's job runner (`runtime.service.jobs`) and writes the same files into the job's directory: a
partner's statement here is the entry of `statements.json` and the Markdown file that `ppl settle` writes
for the same transactions. Only a vendor (or admin) key starts a settlement, follows it and reads its
rejects, since they cover every partner; a partner key reads its own statement and nothing else.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import threading
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import Field, ValidationError

from runtime import io as rio
from runtime.io.settling import Progress, settle_file
from runtime.io.writers import statement_file_names
from runtime.model import Period
from runtime.service.context import Caller, Problem, ServedProgram
from runtime.service.deps import CallerDep, ServedDep, ServiceState, StateDep, decided, require, ruleset_json
from runtime.service.exact import ExactRoute
from runtime.service.jobs import Job, Jobs, JobsFull
from runtime.service.problems import http_problem, validation_problem
from runtime.service.routes._shared import errors, version_on
from runtime.service.schemas import Scalar, Strict

router = APIRouter(prefix="/v1/programs/{program}/settlements", tags=["settlements"], route_class=ExactRoute)
VendorDep = Annotated[Caller, Depends(require("vendor", "admin"))]
JobId = Annotated[str, PathParam(min_length=1, max_length=64, description="the job's id")]

MAX_BODY_BYTES = 64 * 1024 * 1024
"""The largest transactions body a settlement takes (a larger one is a 413 problem)."""
MAX_ROWS = 100_000
"""The most transactions a JSON body may list (write more as CSV)."""
LOGGED_BYTES = 1024 * 1024
"""Transactions up to this size are kept whole in the decision log; larger ones by their SHA-256 and count."""

_lock = threading.Lock()


class SettlementIn(Strict):
    """A period and its transactions, each with the keys of a transactions file."""

    period: str = Field(max_length=32, description="FY2026, 2026-04, 2026-04..2027-03 or 2026-04-01..2027-03-31")
    transactions: list[dict[str, Scalar]] = Field(max_length=MAX_ROWS)


_BODY = {"required": True, "content": {
    "application/json": {"schema": SettlementIn.model_json_schema()},
    "text/csv": {"schema": {"type": "string", "description": "a transactions file as CSV, with its header; the "
                            "period is the `period` query parameter"}}}}


def jobs_of(request: Request) -> Jobs:
    """The service's job runner, made with the first job."""
    found: Jobs | None = getattr(request.app.state, "ppl_jobs", None)
    if found is None:
        with _lock:
            found = getattr(request.app.state, "ppl_jobs", None)
            if found is None:
                found = Jobs()
                request.app.state.ppl_jobs = found
    return found


JobsDep = Annotated[Jobs, Depends(jobs_of)]


async def _body(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise http_problem(413, f"the transactions are larger than {MAX_BODY_BYTES:,} bytes; settle them with "
                                    "`ppl settle`", "too_large")
        chunks.append(chunk)
    return b"".join(chunks)


def _period(text: str | None, program: ServedProgram, where: str) -> Period:
    if text is None or not text.strip():
        raise Problem(422, "Invalid request", "the period is missing", "invalid_request", where)
    try:
        return rio.parse_period(text, program.runtime.ruleset.fiscal_year_start)
    except ValueError as exc:
        raise Problem(422, "Invalid value", str(exc), "invalid_request", where) from None


def _source(media: str, body: bytes, period: str | None) -> tuple[str | None, str, bytes, str]:
    """The period text, the field it came from, the transactions file's bytes and its suffix."""
    if media == "text/csv":
        return period, "query.period", body, ".csv"
    if media not in ("application/json", ""):
        raise http_problem(415, f"send the transactions as application/json or text/csv, not `{media}`")
    try:
        data = json.loads(body, parse_float=Decimal)  # a fraction as the exact Decimal written (runtime.service.exact)
    except (ValueError, UnicodeDecodeError):
        raise http_problem(422, "the body is not JSON", "bad_body", "body") from None
    try:
        parsed = SettlementIn.model_validate(data)
    except ValidationError as exc:
        located = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise validation_problem(located) from None
    # a fraction is written as the exact text it was sent as (a string the reader parses like a file cell)
    rows = "".join(json.dumps(row, ensure_ascii=False, default=_decimal_text) + "\n" for row in parsed.transactions)
    return parsed.period, "body.period", rows.encode("utf-8"), ".jsonl"


def _write(path: Path, data: bytes, program: ServedProgram) -> None:
    """Put the transactions into the job's directory, and check that they can be read (a CSV header with the
    required columns)."""
    path.write_bytes(data)
    rio.read_transactions(path, program.runtime.ruleset).close()


def job_json(job: Job, program: ServedProgram) -> dict[str, Any]:
    """A job as JSON: its status and progress; when done, the decision and the summary; when failed, why."""
    result = job.result or {}
    data: dict[str, Any] = {
        "job": job.id, "status": job.state, "program": job.program, "created": job.created.isoformat(),
        "started": job.started.isoformat() if job.started else None,
        "finished": job.finished.isoformat() if job.finished else None,
        "progress": dict(job.progress), "ruleset": result.get("ruleset") or ruleset_json(program, None),
        "decision_id": result.get("decision_id"), "summary": result.get("summary"), "error": None}
    if job.error is not None:
        data["error"] = {"status": job.error.status, "code": job.error.code, "detail": job.error.detail}
    return data


def _summary(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"period": data["period"], "currency": data["currency"], "reconciliation": data["reconciliation"],
            "totals": data["totals"], "total": data["total"], "partners": len(data["statements"]),
            "statements": [{"partner": s["partner"], "tier": s["tier"], "total": s["total"]}
                           for s in data["statements"]]}


def _settle(job: Job, st: ServiceState, who: Caller, program: ServedProgram, period: Period, source: Path,
            log_input: dict[str, Any]) -> dict[str, Any]:
    """The job: settle the file like `ppl settle`, then log the decision (before the result is shown)."""
    def report(p: Progress) -> None:
        job.progress = {"read": p.read, "accepted": p.accepted, "rejected": p.rejected, "held": p.held,
                        "bytes": p.position, "size": p.size}

    settlement, _written = settle_file(program.runtime, program.partners, period, source, job.workdir / "out",
                                       on_progress=report)
    job.progress = {"read": settlement.read, "accepted": settlement.accepted, "rejected": settlement.rejected,
                    "held": settlement.held, "bytes": source.stat().st_size, "size": source.stat().st_size}
    data = json.loads((job.workdir / "out" / "statements.json").read_text(encoding="utf-8"))
    version = data["program"]["version"]
    output = {"ruleset": ruleset_json(program, version), "job": job.id, "summary": _summary(data)}
    decision = decided(st, who, program, "settle", log_input, output, version)
    return {**output, "decision_id": decision.id}


@router.post("", status_code=202, responses=errors(401, 403, 404, 413, 415, 422, 503),
             openapi_extra={"requestBody": _BODY}, summary="Settle a period (a job)")
async def start(request: Request, who: VendorDep, program: ServedDep, st: StateDep, runner: JobsDep,
                period: Annotated[str | None, Query(max_length=32, description="with a CSV body: the period")]
                = None) -> JSONResponse:
    """Start settling a period over the transactions sent (a JSON object with `period` and `transactions`, or a
    CSV file with the period in the query); 202 with the job and its `Location` (vendor keys only)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await _body(request)
    text, where, rows, suffix = _source(media, body, period)
    parsed = _period(text, program, where)
    digest = "sha256:" + hashlib.sha256(rows).hexdigest()
    log_input: dict[str, Any] = {"period": text, "format": suffix[1:], "sha256": digest, "bytes": len(rows)}
    if len(rows) <= LOGGED_BYTES:
        log_input["transactions"] = rows.decode("utf-8", errors="replace")
    source = f"transactions{suffix}"
    try:
        job = runner.submit("settle", program.program, who.key_id,
                            lambda j: _settle(j, st, who, program, parsed, j.workdir / source, log_input),
                            lambda j: _write(j.workdir / source, rows, program))
    except JobsFull as exc:
        raise Problem(503, "Busy", str(exc), "busy") from None
    except rio.ReadError as exc:
        raise Problem(422, "Transactions not read", f"the transactions: {exc.message}", "unreadable", "body") from None
    location = f"/v1/programs/{program.program}/settlements/{job.id}"
    answer = job_json(job, program) | {"ruleset": ruleset_json(program, version_on(program, parsed.end))}
    return JSONResponse(answer, status_code=202, headers={"Location": location})


def _job(runner: Jobs, job_id: str, program: ServedProgram) -> Job:
    found = runner.get(job_id)
    if found is None or found.program != program.program:
        raise http_problem(404, f"no settlement job `{job_id}` of program `{program.program}` (jobs are kept in "
                                "memory, the latest ones only)", "not_found")
    return found


def _done(job: Job) -> Mapping[str, Any]:
    if job.state == "failed":
        raise http_problem(409, "the settlement failed; its status says why", "job_failed")
    if not job.finished_ok or job.result is None:
        raise http_problem(409, f"the settlement is {job.state}; ask again when its status is `done`", "not_done")
    return job.result


@router.get("/{job}", responses=errors(401, 403, 404, 422), summary="A settlement job's status")
def status(job: JobId, who: VendorDep, program: ServedDep, runner: JobsDep) -> JSONResponse:
    """A settlement's status and progress (rows read, accepted, rejected, held); when done, its decision id and
    summary (vendor keys only: the summary covers every partner)."""
    del who
    return JSONResponse(job_json(_job(runner, job, program), program))


@router.get("/{job}/statements/{partner}", responses={
    200: {"content": {"application/json": {}, "text/markdown": {"schema": {"type": "string"}},
                      "text/html": {"schema": {"type": "string"}}}},
    **errors(401, 403, 404, 409, 422)},
            summary="A partner's statement of a settlement")
def statement(job: JobId, partner: Annotated[str, PathParam(min_length=1, max_length=200)], who: CallerDep,
              program: ServedDep, runner: JobsDep, format: Literal["json", "md", "html"] = "json",
              lang: Literal["en"] = "en") -> Any:
    """A partner's statement (a partner key: its own only): the entry of `statements.json` (`json`), the
    Markdown statement (`md`) that `ppl settle` writes for the same transactions, or that statement as a
    standalone HTML page (`html`). Statements are written in English; the program guide is in English and
    Japanese."""
    del lang
    if not who.may_see(partner):
        raise http_problem(403, "a partner key reads only its own statement", "forbidden", "path.partner")
    found = _job(runner, job, program)
    result = _done(found)
    out = found.workdir / "out"
    data = json.loads((out / "statements.json").read_text(encoding="utf-8"))
    entry = next((s for s in data["statements"] if s["partner"] == partner), None)
    if entry is None:
        raise http_problem(404, "the settlement has no statement for this partner: it made no sale in the period",
                           "not_found")
    if format != "json":
        name = statement_file_names([s["partner"] for s in data["statements"]])[partner]
        text = (out / "statements" / name).read_text(encoding="utf-8")
        return PlainTextResponse(text if format == "md" else statement_page(text, partner),
                                 media_type=f"text/{'markdown' if format == 'md' else 'html'}; charset=utf-8",
                                 headers={"X-PPL-Decision": str(result["decision_id"]),
                                          "X-PPL-Program": program.program, "X-PPL-Ruleset": program.hash,
                                          "X-PPL-Version": str(result["ruleset"]["version"] or "")})
    return JSONResponse({"decision_id": result["decision_id"], "ruleset": result["ruleset"], "job": found.id,
                         "period": data["period"], "currency": data["currency"], "statement": entry})


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; line-height: 1.5; }}
table {{ border-collapse: collapse; display: block; overflow-x: auto; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.5rem; }}
td {{ font-variant-numeric: tabular-nums; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def statement_page(markdown_text: str, partner: str) -> str:
    """A Markdown statement as a standalone HTML page (Python-Markdown with tables). The statement's text cells
    are written with HTML's `&`, `<` and `>` as entities (`runtime.io.cells.md_text`), so no value becomes
    markup; wide tables scroll instead of overflowing a phone's screen."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables"], output_format="html")
    return _PAGE.format(title=f"Statement of {html.escape(partner)}", body=body)


def _decimal_text(value: object) -> str:
    """A body's fractional number (`Decimal`, runtime.service.exact) as JSON text: the digits as written."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _rows(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [{"row": int(r["row"]), "id": r["id"], "field": r["field"] or None, "code": r["code"],
                 "reason": r["reason"]} for r in csv.DictReader(handle)]


@router.get("/{job}/rejects", responses=errors(401, 403, 404, 409, 422), summary="A settlement's rejected rows")
def rejects(job: JobId, who: VendorDep, program: ServedDep, runner: JobsDep) -> JSONResponse:
    """The rows a settlement rejected and those a price rule held for review, as `rejects.csv` and `held.csv` list
    them (vendor keys only)."""
    del who
    found = _job(runner, job, program)
    result = _done(found)
    out = found.workdir / "out"
    return JSONResponse({"decision_id": result["decision_id"], "ruleset": result["ruleset"], "job": found.id,
                         "rejects": _rows(out / "rejects.csv"), "held": _rows(out / "held.csv")})
