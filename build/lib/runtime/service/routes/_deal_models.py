"""The request bodies and answers of the deal and routing endpoints (pydantic; they make the OpenAPI document)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from runtime.service.schemas import RulesetRef, Scalar, Strict

_AT = "an instant with its UTC offset, e.g. 2026-06-01T10:00:00+09:00; a vendor key only (default: when the " \
      "request arrives)"
_FIELDS = "the declared deal fields, by name (converted by their declared types)"
_NAME = 200


class ClaimIn(Strict):
    """One claim of a set to decide: a registration as a registrations file states it."""

    id: str = Field(min_length=1, max_length=_NAME)
    partner: str | None = Field(None, max_length=_NAME, description="the claimant; null: the vendor's direct sales")
    registered_at: str = Field(max_length=64, description="when it was registered, with its UTC offset")
    renewals: int = Field(0, ge=0, le=1000)
    customer_choice: bool = Field(False, description="the customer documented that it chose this claimant")


class ConflictIn(Strict):
    """A customer's claims, decided at an instant without the registry."""

    customer: str = Field(min_length=1, max_length=_NAME)
    at: str = Field(max_length=64, description="the deal's instant (the close), with its UTC offset")
    fields: dict[str, Scalar] = Field(default_factory=dict, description=_FIELDS)
    claims: list[ClaimIn] = Field(min_length=1, max_length=1000)


class RegisterIn(Strict):
    """A claim on a customer, for the registry to decide."""

    customer: str = Field(min_length=1, max_length=_NAME, description="the customer's name, as written")
    corporate_number: str | None = Field(None, max_length=32, description="the 13-digit corporate number (法人番号)")
    partner: str | None = Field(None, max_length=_NAME, description="the claimant: a partner key's own partner "
                                "(the default for it); for a vendor key, null is the vendor's direct sales")
    fields: dict[str, Scalar] = Field(default_factory=dict, description=_FIELDS)
    at: str | None = Field(None, max_length=64, description=_AT)


class ActIn(Strict):
    """A renewal or a withdrawal of a registration."""

    at: str | None = Field(None, max_length=64, description=_AT)


class ChoiceIn(Strict):
    """The customer's documented choice of a partner."""

    partner: str | None = Field(None, max_length=_NAME, description="the partner chosen; null: direct sales")
    corporate_number: str | None = Field(None, max_length=32)
    at: str | None = Field(None, max_length=64, description=_AT)


class CloseIn(Strict):
    """The close of a customer's deal."""

    corporate_number: str | None = Field(None, max_length=32)
    fields: dict[str, Scalar] = Field(default_factory=dict, description=_FIELDS)
    at: str | None = Field(None, max_length=64, description=_AT)


class LeadIn(Strict):
    """An inbound lead to route."""

    lead: dict[str, Scalar] = Field(description="`id`, `date` (YYYY-MM-DD) and the declared lead fields")


class ApplicantIn(Strict):
    """An inquiry from a company that wants to become a reseller."""

    applicant: str = Field(min_length=1, max_length=_NAME)
    at: str | None = Field(None, max_length=64, description="when it was received, with its UTC offset (default: "
                           "now)")
    date: str | None = Field(None, max_length=32, description="or the day it was received, YYYY-MM-DD (the start of "
                             "that day in the program's time zone)")
    fields: dict[str, Scalar] = Field(default_factory=dict, description="the declared applicant fields")


class _Open(BaseModel):
    """An answer member whose keys are those `ppl … --format json` prints."""

    model_config = ConfigDict(extra="allow")


class OutcomeOut(_Open):
    """What became of a request (`ppl registry … --format json`); a partner key is never told the holder."""

    claim: str
    action: str
    accepted: bool
    status: str
    owner: str | None
    rule: str
    message: str
    at: str | None
    expires_at: str | None
    arrival: str


class DecidedAnswer(BaseModel):
    """A decision's id and the rule set it was made with."""

    decision_id: str
    ruleset: RulesetRef


class OutcomeAnswer(DecidedAnswer):
    """A registry request's outcome."""

    outcome: OutcomeOut


class ConflictAnswer(DecidedAnswer):
    """Who owns the deal at its instant, the rule that decided, and why each other claim lost."""

    owner: dict[str, Any] | None
    vendor_decides: bool
    decided_by: dict[str, Any] | None
    reasons: list[dict[str, Any]]


class RegistrationsAnswer(BaseModel):
    """Registrations (a partner key: its own)."""

    ruleset: RulesetRef
    registrations: list[dict[str, Any]]


class RegistrationAnswer(BaseModel):
    """One registration and the outcome of its claim as it stands."""

    ruleset: RulesetRef
    registration: dict[str, Any]
    outcome: OutcomeOut


class DealAnswer(BaseModel):
    """A customer's deal replayed (`ppl registry deal --format json`)."""

    ruleset: RulesetRef
    deal: dict[str, Any]


class RoutingAnswer(DecidedAnswer):
    """The order a lead is offered in, and who was left out (`ppl route --format json`)."""

    routing: dict[str, Any]


class ResellerAnswer(DecidedAnswer):
    """Where an inquiry goes and why (`ppl route --new-reseller --format json`)."""

    route: dict[str, Any]
