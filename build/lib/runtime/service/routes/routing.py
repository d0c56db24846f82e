"""Routing endpoints: the order in which partners are offered a lead, and where a would-be reseller goes.

Both are vendor keys' only: a lead's ranking and a reseller's routing name the partners left out and why.
A lead is read like `ppl route --lead` (`runtime.io.deal_inputs.parse_lead`); an inquiry like `ppl route
--new-reseller`, and, when the service keeps a registry, recorded there so the next one is routed knowing it.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from runtime import ids
from runtime.decisions.quote import QuoteError
from runtime.decisions.resellers import Application, ResellerRoute, route_new_reseller
from runtime.decisions.routing import route
from runtime.engine import EvaluationError
from runtime.io.deal_inputs import InputProblem, declared_values, parse_instant, parse_lead, start_of_day
from runtime.io.deal_json import jsonable, reseller_json
from runtime.service.context import Caller, Problem, ServedProgram
from runtime.service.deps import ServedDep, StateDep, decided, require, ruleset_json
from runtime.service.exact import ExactRoute
from runtime.service.routes import _deal_models as m
from runtime.service.routes._shared import decision_problem, errors, input_problem, registry_problem, version_at
from runtime.store import Applications, RegistryError

router = APIRouter(prefix="/v1/programs/{program}/route", tags=["routing"], route_class=ExactRoute)
VendorDep = Annotated[Caller, Depends(require("vendor", "admin"))]


@router.post("/lead", response_model=m.RoutingAnswer, responses=errors(401, 403, 404, 422, 503),
             summary="Rank the partners for a lead")
def route_lead(body: m.LeadIn, who: VendorDep, program: ServedDep, st: StateDep) -> JSONResponse:
    """The order in which partners are offered a lead, with the reasons, and who was left out (vendor keys only:
    the ranking names other partners)."""
    try:
        lead = parse_lead(body.lead, program.runtime.ruleset, "lead", strict=True)
    except InputProblem as exc:
        raise input_problem(exc, "body.lead") from None
    try:
        routing = route(program.runtime, lead, program.partners)
    except (QuoteError, EvaluationError) as exc:
        raise decision_problem(exc, "body.lead") from None
    output = {"ruleset": ruleset_json(program, routing.version), "routing": jsonable(routing)}
    log_input = {"lead": dict(body.lead), "partners": sorted(program.partners)}
    decision = decided(st, who, program, "route_lead", log_input, output, routing.version)
    return JSONResponse({"decision_id": decision.id, **output})


def _received(body: m.ApplicantIn, program: ServedProgram) -> datetime.datetime:
    """When the inquiry was received: `at`, else the start of `date` in the program's time zone, else now."""
    if body.at is not None and body.date is not None:
        raise Problem(422, "Invalid value", "give `at` or `date`, not both", "invalid_request", "body.at")
    try:
        if body.at is not None:
            return parse_instant(body.at, "`at`")
        if body.date is not None:
            return start_of_day(body.date, program.runtime.ruleset)
    except InputProblem as exc:
        raise input_problem(exc, "body.at" if body.at is not None else "body.date") from None
    return datetime.datetime.now(datetime.UTC)


def _application(body: m.ApplicantIn, program: ServedProgram) -> Application:
    try:
        applicant = ids.canonical_id(body.applicant, "applicant")
    except ids.IdProblem as exc:
        raise Problem(422, "Invalid value", f"{exc.reason} [{exc.code}]", exc.code, "body.applicant") from None
    try:
        fields = declared_values(body.fields, "applicant", program.runtime.ruleset, strict=True)
    except InputProblem as exc:
        raise input_problem(exc, "body.fields") from None
    return Application(applicant, _received(body, program), fields)


@router.post("/reseller", response_model=m.ResellerAnswer, responses=errors(401, 403, 404, 422, 503),
             summary="Route a would-be reseller")
def route_reseller(body: m.ApplicantIn, who: VendorDep, program: ServedDep, st: StateDep) -> JSONResponse:
    """Where a company that asks to resell goes (the vendor, or a 1st-tier distributor) and why; recorded in the
    registry when the service keeps one, so the next inquiry is routed knowing this one (vendor keys only)."""
    application = _application(body, program)
    answer: ResellerRoute
    try:
        if st.registry is None:
            answer = route_new_reseller(program.runtime, application, program.partners)
        else:
            with Applications(st.registry, program.runtime, program.partners) as applications:
                answer = applications.apply(application.applicant, application.at, application.fields)
    except (QuoteError, EvaluationError) as exc:
        raise decision_problem(exc, "body") from None
    except RegistryError as exc:
        raise registry_problem(exc, field="body") from None
    version = answer.version or version_at(program, application.at)
    output = {"ruleset": ruleset_json(program, version), "route": reseller_json(answer, st.registry is not None)}
    log_input: dict[str, Any] = {"request": body.model_dump(), "at": application.at.isoformat()}
    decision = decided(st, who, program, "route_reseller", log_input, output, version)
    return JSONResponse({"decision_id": decision.id, **output})
