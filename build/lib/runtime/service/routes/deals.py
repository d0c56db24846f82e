"""Deal endpoints: a conflict decided over a set of claims, and the deal registration registry (register, renew,
withdraw, read; the customer's choice, the close and a deal's history for the vendor).

The registry (`runtime.store.Registry`, an SQLite file or a PostgreSQL database) decides every request by
replaying the customer's deal. A partner key registers only as itself, reads only its own registrations and
is never told who holds a customer it lost: the registry already hides the holder's partner, customer text
and time, and the answers here leave out the holder's registration id too. A partner's requests are
stamped by the service when they arrive; a vendor key may give the instant (`at`), e.g. to enter claims
made on paper.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from runtime import ids
from runtime.decisions import conflicts
from runtime.decisions.quote import QuoteError
from runtime.engine import EvaluationError
from runtime.io.deal_inputs import InputProblem, declared_values, parse_instant, unknown_partner
from runtime.io.deal_json import claim_reason_json, deal_json, jsonable
from runtime.service.context import Caller, Problem, ServedProgram
from runtime.service.deps import CallerDep, ServedDep, ServiceState, StateDep, decided, require, ruleset_json
from runtime.service.exact import ExactRoute
from runtime.service.problems import http_problem
from runtime.service.routes import _deal_models as m
from runtime.service.routes._shared import (
    decision_problem,
    errors,
    input_problem,
    instant,
    registry,
    registry_problem,
    stamped,
    version_at,
)
from runtime.store import Outcome, Registration, Registry, RegistryError

router = APIRouter(prefix="/v1/programs/{program}", tags=["deals"], route_class=ExactRoute)
VendorDep = Annotated[Caller, Depends(require("vendor", "admin"))]
RegistrationId = Annotated[str, Path(min_length=1, max_length=200, description="a registration's id (R000001)")]
Customer = Annotated[str, Path(min_length=1, max_length=200, description="the customer's name, as written")]
_OTHER = "another registration"


# --- what a partner may read ------------------------------------------------------------------------


def _hide(text: str | None, others: Iterable[str | None]) -> str | None:
    """A message with the ids of other partners' registrations replaced by words."""
    for other in others:
        if text is not None and other:
            text = re.sub(rf"(?<![\w-]){re.escape(other)}(?![\w-])", _OTHER, text)
    return text


def outcome_view(outcome: Outcome, who: Caller) -> dict[str, Any]:
    """An outcome as JSON (`ppl registry … --format json`); for a partner key, without the holder's id."""
    data: dict[str, Any] = jsonable(outcome)
    if who.role == "partner" and outcome.owner not in (None, outcome.claim):
        data["owner"] = None
        data["message"] = _hide(outcome.message, [outcome.owner])
    return data


def registration_view(registration: Registration, who: Caller) -> dict[str, Any]:
    """A registration as JSON; for a partner key, without the ids of the registrations that beat it."""
    data: dict[str, Any] = jsonable(registration)
    if who.role == "partner":
        others = [r for r in (registration.holder, registration.superseded_by) if r and r != registration.id]
        data["holder"] = None if registration.holder != registration.id else registration.holder
        data["superseded_by"] = None
        data["message"] = _hide(registration.message, others)
        data["end_message"] = _hide(registration.end_message, others)
    return data


# --- inputs -------------------------------------------------------------------------------------------


def _deal_fields(values: Mapping[str, Any], program: ServedProgram, where: str) -> dict[str, Any]:
    try:
        return declared_values(values, "deal", program.runtime.ruleset, strict=True)
    except InputProblem as exc:
        raise input_problem(exc, where) from None


def _partner(text: str, program: ServedProgram, where: str) -> str:
    """A partner id in its canonical form, known to the program; a 422 problem otherwise."""
    try:
        partner = ids.canonical_id(text, "partner")
    except ids.IdProblem as exc:
        raise Problem(422, "Invalid value", f"{exc.reason} [{exc.code}]", exc.code, where) from None
    if partner not in program.partners:
        raise Problem(422, "Invalid value", unknown_partner(partner, program.partners), "E511", where)
    return partner


def _customer(text: str, where: str) -> str:
    try:
        return ids.check_name(text, "customer").strip()
    except ids.IdProblem as exc:
        raise Problem(422, "Invalid value", f"{exc.reason} [{exc.code}]", exc.code, where) from None


def _claimant(who: Caller, given: str | None, program: ServedProgram) -> str | None:
    """Who registers: a partner key itself (naming another partner is a 403); a vendor key whom it names (null:
    the vendor's direct sales)."""
    if who.role == "partner":
        if given is not None and given != who.partner:
            raise http_problem(403, "a partner key registers only as its own partner", "forbidden", "body.partner")
        return who.partner
    return None if given is None else _partner(given, program, "body.partner")


def _find(reg: Registry, who: Caller, registration: str) -> Registration:
    """A registration the caller may act on (a partner key: its own); a 404 problem otherwise, in the same words
    whether the id is unknown or another partner's."""
    try:
        found = reg.mine(who.partner, include_inactive=True) if who.role == "partner" else reg.admin_view()
    except RegistryError as exc:
        raise registry_problem(exc, 403) from None
    for candidate in found:
        if candidate.id == registration:
            return candidate
    mine = " of yours" if who.role == "partner" else ""
    raise http_problem(404, f"no registration `{registration}`{mine}", "not_found")


def _events(reg: Registry, customer: str, corporate_number: str | None, at: datetime.datetime) -> list[Any]:
    """The requests of the customer's deal as the registry recorded them (what the decision replayed)."""
    return [jsonable(e) for e in reg.deal(customer, corporate_number, at).recorded]


def _answer(st: ServiceState, who: Caller, program: ServedProgram, kind: str, log_input: dict[str, Any],
            outcome: Outcome, at: datetime.datetime) -> JSONResponse:
    version = version_at(program, at)
    output = {"ruleset": ruleset_json(program, version), "outcome": outcome_view(outcome, who)}
    decision = decided(st, who, program, kind, log_input, output, version)
    return JSONResponse({"decision_id": decision.id, **output})


# --- a set of claims, without the registry -------------------------------------------------------------


def _claims(body: m.ConflictIn, program: ServedProgram) -> list[conflicts.Claim]:
    out: list[conflicts.Claim] = []
    for index, claim in enumerate(body.claims):
        where = f"body.claims.{index}"
        partner = None if claim.partner is None else _partner(claim.partner, program, f"{where}.partner")
        try:
            claim_id = ids.canonical_id(claim.id, "registration")
            at = parse_instant(claim.registered_at, "`registered_at`")
        except ids.IdProblem as exc:
            raise Problem(422, "Invalid value", f"{exc.reason} [{exc.code}]", exc.code, f"{where}.id") from None
        except InputProblem as exc:
            raise input_problem(exc, f"{where}.registered_at") from None
        out.append(conflicts.Claim(claim_id, partner, at, claim.renewals, claim.customer_choice))
    return out


@router.post("/deals/conflict", response_model=m.ConflictAnswer, responses=errors(401, 403, 404, 422, 503),
             summary="Decide who owns a deal claimed more than once")
def conflict(body: m.ConflictIn, who: VendorDep, program: ServedDep, st: StateDep) -> JSONResponse:
    """Decide who owns a customer's deal at its instant from a set of claims, replayed in order of arrival (the
    registry's own decision, without the registry); vendor keys only: the answer names every claimant."""
    try:
        at = parse_instant(body.at, "`at`")
    except InputProblem as exc:
        raise input_problem(exc, "body.at") from None
    deal = conflicts.Deal(_customer(body.customer, "body.customer"), at,
                          _deal_fields(body.fields, program, "body.fields"))
    claims = _claims(body, program)
    try:
        ownership = conflicts.decide(program.runtime, deal, claims, program.partners)
    except (QuoteError, EvaluationError) as exc:
        raise decision_problem(exc, "body") from None
    partner_of = {c.id: c.partner for c in claims}
    owner, decided_by = ownership.owner, ownership.decided_by
    version = ownership.version or None
    output = {"ruleset": ruleset_json(program, version),
              "owner": {"claim": owner.id, "partner": owner.partner} if owner else None,
              "vendor_decides": ownership.vendor_decides,
              "decided_by": claim_reason_json(decided_by, partner_of) if decided_by and owner else None,
              "reasons": [claim_reason_json(r, partner_of) for r in ownership.reasons]}
    decision = decided(st, who, program, "conflict", body.model_dump(), output, version)
    return JSONResponse({"decision_id": decision.id, **output})


# --- the registry: a partner's requests ------------------------------------------------------------------


@router.post("/registrations", response_model=m.OutcomeAnswer, responses=errors(401, 403, 404, 422, 503),
             summary="Register a deal")
def register(body: m.RegisterIn, who: CallerDep, program: ServedDep, st: StateDep) -> JSONResponse:
    """Claim a customer: accepted when the claim would own the deal now, else rejected with its status on arrival
    and the rule (a partner key is not told who holds the customer)."""
    claimant = _claimant(who, body.partner, program)
    customer = _customer(body.customer, "body.customer")
    fields = _deal_fields(body.fields, program, "body.fields")
    given = instant(body.at, who, "body.at")
    stamps: list[datetime.datetime] = []

    def request(reg: Registry, at: datetime.datetime) -> Outcome:
        stamps.append(at)
        return reg.register(claimant, customer, at, corporate_number=body.corporate_number, deal_fields=fields)

    with registry(st, program) as reg:
        try:
            outcome = stamped(given, lambda at: request(reg, at))
            events = _events(reg, customer, body.corporate_number, stamps[-1])
        except RegistryError as exc:
            raise registry_problem(exc, field="body") from None
    log_input = {"request": body.model_dump(), "partner": claimant, "at": stamps[-1].isoformat(), "events": events}
    return _answer(st, who, program, "register", log_input, outcome, stamps[-1])


def _own_request(kind: str, registration: str, body: m.ActIn | None, who: Caller, program: ServedProgram,
                 st: ServiceState) -> JSONResponse:
    given = instant(body.at if body is not None else None, who, "body.at")
    stamps: list[datetime.datetime] = []
    with registry(st, program) as reg:
        found = _find(reg, who, registration)
        act = reg.renew if kind == "renew" else reg.withdraw

        def request(at: datetime.datetime) -> Outcome:
            stamps.append(at)
            return act(found.partner, found.id, at)

        try:
            outcome = stamped(given, request)
            events = _events(reg, found.customer, found.corporate_number, stamps[-1])
        except RegistryError as exc:
            raise registry_problem(exc, field="body") from None
    log_input = {"registration": found.id, "partner": found.partner, "at": stamps[-1].isoformat(), "events": events}
    return _answer(st, who, program, kind, log_input, outcome, stamps[-1])


@router.post("/registrations/{registration}/renew", response_model=m.OutcomeAnswer,
             responses=errors(401, 403, 404, 422, 503), summary="Renew a registration")
def renew(registration: RegistrationId, who: CallerDep, program: ServedDep, st: StateDep,
          body: m.ActIn | None = None) -> JSONResponse:
    """Renew a registration in force (a partner key: its own), within the program's renewals."""
    return _own_request("renew", registration, body, who, program, st)


@router.post("/registrations/{registration}/withdraw", response_model=m.OutcomeAnswer,
             responses=errors(401, 403, 404, 422, 503), summary="Withdraw a registration")
def withdraw(registration: RegistrationId, who: CallerDep, program: ServedDep, st: StateDep,
             body: m.ActIn | None = None) -> JSONResponse:
    """Withdraw a registration in force (a partner key: its own): the customer is free for others from then on."""
    return _own_request("withdraw", registration, body, who, program, st)


@router.get("/registrations", response_model=m.RegistrationsAnswer, responses=errors(401, 403, 404, 422, 503),
            summary="List registrations")
def registrations(who: CallerDep, program: ServedDep, st: StateDep,
                  inactive: Annotated[bool, Query(alias="all", description="also those no longer in force, and "
                                                  "rejected claims")] = False) -> JSONResponse:
    """A partner key's own registrations; a vendor key's, every partner's (oldest first)."""
    with registry(st, program) as reg:
        try:
            found = reg.mine(who.partner, include_inactive=inactive) if who.role == "partner" \
                else reg.admin_view()
        except RegistryError as exc:
            raise registry_problem(exc, 403) from None
    if who.role != "partner" and not inactive:
        found = [r for r in found if r.status == "active"]
    return JSONResponse({"ruleset": ruleset_json(program, None),
                         "registrations": [registration_view(r, who) for r in found]})


@router.get("/registrations/{registration}", response_model=m.RegistrationAnswer,
            responses=errors(401, 403, 404, 422, 503), summary="A registration and its outcome")
def registration(registration: RegistrationId, who: CallerDep, program: ServedDep, st: StateDep) -> JSONResponse:
    """A registration (a partner key: its own) and the outcome of its claim as it stands now."""
    with registry(st, program) as reg:
        found = _find(reg, who, registration)
        outcome = reg.outcome(found.partner, found.id)
    return JSONResponse({"ruleset": ruleset_json(program, version_at(program, found.registered_at)),
                         "registration": registration_view(found, who), "outcome": outcome_view(outcome, who)})


# --- the registry: the vendor's requests --------------------------------------------------------------------


VendorRequest = Callable[[Registry, str, datetime.datetime], Outcome]
"""A vendor's request on a customer's deal: given the registry, the customer's name and the instant."""


def _vendor_request(kind: str, customer: str, corporate_number: str | None, given: datetime.datetime | None,
                    request: VendorRequest, who: Caller, program: ServedProgram, st: ServiceState,
                    log_input: dict[str, Any]) -> JSONResponse:
    name = _customer(customer, "path.customer")
    stamps: list[datetime.datetime] = []
    with registry(st, program) as reg:
        def act(at: datetime.datetime) -> Outcome:
            stamps.append(at)
            return request(reg, name, at)

        try:
            outcome = stamped(given, act)
            events = _events(reg, name, corporate_number, stamps[-1])
        except RegistryError as exc:
            raise registry_problem(exc, field="body") from None
    log_input |= {"customer": name, "at": stamps[-1].isoformat(), "events": events}
    return _answer(st, who, program, kind, log_input, outcome, stamps[-1])


@router.post("/deals/{customer}/choice", response_model=m.OutcomeAnswer, responses=errors(401, 403, 404, 422, 503),
             summary="Record the customer's documented choice")
def choose(customer: Customer, body: m.ChoiceIn, who: VendorDep, program: ServedDep, st: StateDep) -> JSONResponse:
    """Record that the customer documented its choice of a partner (null: direct sales); vendor keys only."""
    chosen = None if body.partner is None else _partner(body.partner, program, "body.partner")
    return _vendor_request("choose", customer, body.corporate_number, instant(body.at, who, "body.at"),
                           lambda reg, name, at: reg.choose(name, chosen, at, body.corporate_number),
                           who, program, st, {"request": body.model_dump()})


@router.post("/deals/{customer}/close", response_model=m.OutcomeAnswer, responses=errors(401, 403, 404, 422, 503),
             summary="Close the customer's deal")
def close(customer: Customer, body: m.CloseIn, who: VendorDep, program: ServedDep, st: StateDep) -> JSONResponse:
    """Close the customer's deal: its owner then is recorded; vendor keys only."""
    fields = _deal_fields(body.fields, program, "body.fields")
    return _vendor_request("close", customer, body.corporate_number, instant(body.at, who, "body.at"),
                           lambda reg, name, at: reg.close_deal(name, at, fields, body.corporate_number),
                           who, program, st, {"request": body.model_dump()})


@router.get("/deals/{customer}", response_model=m.DealAnswer, responses=errors(401, 403, 404, 422, 503),
            summary="A customer's deal: its history and owner")
def deal(customer: Customer, who: VendorDep, program: ServedDep, st: StateDep,
         corporate_number: Annotated[str | None, Query(max_length=32)] = None,
         at: Annotated[str | None, Query(max_length=64, description="the instant to give the owner at (default: "
                                         "now)")] = None) -> JSONResponse:
    """A customer's deal replayed: every request's status on arrival, the changes of owner, the owner at `at`;
    vendor keys only."""
    del who
    name = _customer(customer, "path.customer")
    try:
        when = parse_instant(at, "`at`") if at is not None else datetime.datetime.now(datetime.UTC)
    except InputProblem as exc:
        raise input_problem(exc, "query.at") from None
    with registry(st, program) as reg:
        try:
            view = reg.deal(name, corporate_number, when)
        except RegistryError as exc:
            if exc.message.startswith("no request names"):
                raise http_problem(404, exc.message, "not_found") from None
            raise registry_problem(exc, field="query") from None
    return JSONResponse({"ruleset": ruleset_json(program, view.owner.version or None), "deal": deal_json(view)})
