"""What every part of the service shares: the caller, a program as it is served, a decision as it is
logged, and the error every endpoint raises.

Endpoints receive a `Caller` (who authenticated, with what role) and a `ServedProgram` (one rule set
artifact, loaded, with its partner table); they raise `Problem` for anything the caller must fix, which
the application renders as RFC 9457 problem details; every decision they make is appended to the
`DecisionLog` before the answer is sent.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from runtime.loaded import Runtime
    from runtime.model import Partner

Role = Literal["admin", "vendor", "partner"]
ROLES: tuple[Role, ...] = ("admin", "vendor", "partner")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: a key's public id (never its secret), its role, and a partner key's partner.

    An admin may load rule sets and sees everything; a vendor sees everything; a partner sees only its own
    quotes, statements and registrations.
    """

    key_id: str
    role: Role
    partner: str | None = None

    @property
    def sees_all(self) -> bool:
        """A vendor or admin key: every partner's data."""
        return self.role != "partner"

    def may_see(self, partner_id: str | None) -> bool:
        """Whether this caller may see data of `partner_id` (None: the vendor's own, e.g. direct sales)."""
        return self.sees_all or (partner_id is not None and partner_id == self.partner)

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key_id, "role": self.role, "partner": self.partner}


@dataclass(frozen=True, slots=True)
class ServedProgram:
    """One rule set artifact as the service holds it: verified, loaded, with the partners it quotes for."""

    program: str  # the program's id
    hash: str  # the rule set's content hash (sha256:…)
    path: Path  # the artifact it was read from
    runtime: Runtime
    partners: Mapping[str, Partner]
    loaded_at: datetime.datetime  # UTC
    format_version: str = ""  # the artifact's schema (format) version


class Problem(Exception):
    """An answer that is not a decision: rendered as problem details (RFC 9457, `application/problem+json`).

    `code` is ppl's code (a diagnostic code such as E511, or a service code such as `not_found`); `field`
    names the offending part of the request body (a JSON pointer or a dotted path) when there is one.
    """

    def __init__(self, status: int, title: str, detail: str, code: str, field: str | None = None,
                 extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.code = code
        self.field = field
        self.extra = dict(extra or {})


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision as the decision log keeps it: enough to re-evaluate it against another rule set.

    `input` is the request as accepted plus what the decision read from the service's own state (the
    partner rows of the chain, the period volumes, the registry events it replayed), all JSON values;
    `output` is the answer's body.
    """

    id: str  # a UUID, unique per decision
    at: datetime.datetime  # UTC, when it was decided
    kind: str  # quote, quote_batch, explain, settle, conflict, register, renew, withdraw, route_lead, route_reseller
    program: str
    ruleset_hash: str
    version: str | None  # the program version in force for the decision
    caller: Caller
    input: Mapping[str, Any] = field(default_factory=dict)
    output: Mapping[str, Any] = field(default_factory=dict)


class DecisionLog(Protocol):
    """Where decisions go. `append` returns only when the decision is durable (written and synced, or
    committed): an endpoint appends before it answers, so no answered decision is lost on a crash."""

    def append(self, decision: Decision) -> None: ...

    def close(self) -> None: ...
