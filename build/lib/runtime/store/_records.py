"""The records of the deal registration registry, and how they are stored: registrations, outcomes and
history events, and the conversions between Python values and database rows."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from runtime import ir
from runtime.decisions.conflicts import Claim, Ownership
from runtime.decisions.deals import Arrival, Change, Event, History
from runtime.store._db import Row
from runtime.store.migrations import RegistryError

UTC = datetime.UTC
ACTIVE, REJECTED, SUPERSEDED, WITHDRAWN, EXPIRED = "active", "rejected", "superseded", "withdrawn", "expired"
_NO_FIELDS: Mapping[str, Any] = MappingProxyType({})
_TERRITORY = re.compile(r"territory:[^\s;,()]+")


@dataclass(frozen=True, slots=True)
class Registration:
    """A claim on a customer and what became of it, as its own partner and the administrator see it."""

    id: str
    partner: str | None  # None: the vendor's direct sales
    customer: str  # as the claimant wrote it
    corporate_number: str | None
    registered_at: datetime.datetime  # in the offset it was written with
    renewals: int
    customer_choice: bool
    fields: Mapping[str, Any]
    status: str  # active | rejected | superseded | withdrawn | expired
    expires_at: datetime.datetime | None  # as computed when accepted or last renewed
    rule: str  # the rule that accepted or rejected the claim
    message: str
    rule_at: str | None  # file:line:col
    holder: str | None = None  # rejected: the registration that held the customer
    ended_at: datetime.datetime | None = None
    end_rule: str | None = None
    end_message: str | None = None
    end_rule_at: str | None = None
    superseded_by: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a request: a registration, a renewal or a withdrawal."""

    claim: str  # the registration (or rejected claim) acted on
    action: str  # register | renew | withdraw
    accepted: bool
    status: str  # the claim's status now: active | rejected | superseded | withdrawn | expired
    owner: str | None  # the registration holding the customer: this one when accepted; the holder's when rejected
    rule: str
    message: str
    at: str | None  # where the rule is written, file:line:col
    expires_at: datetime.datetime | None = None
    arrival: str = ""  # the request's status on arrival (`runtime.decisions.deals.STATUSES`)


@dataclass(frozen=True, slots=True)
class DealEvent:
    """One request as the registry recorded it in `events`: what it was, and its status on arrival."""

    seq: int
    kind: str  # register | renew | withdraw | choose | close
    id: str  # the registration's id; a choice's or a close's own id
    partner: str | None
    customer: str
    at: datetime.datetime  # in the offset it was written with
    status: str  # its status on arrival; `imported`: rebuilt from a registry of schema 1, not decided yet
    rule: str
    message: str
    rule_at: str | None
    holder: str | None  # the claim owning the deal after it
    version: str | None
    expires_at: datetime.datetime | None = None


@dataclass(frozen=True, slots=True)
class DealView:
    """A customer's deal as the administrator sees it: every event replayed, and the owner at an instant."""

    customer: str
    at: datetime.datetime  # the instant `owner` is decided at
    recorded: tuple[DealEvent, ...]  # as the registry recorded each request when it arrived
    history: History  # the events replayed: `arrivals`, `changes`, `owner_at`
    owner: Ownership

    @property
    def arrivals(self) -> list[Arrival]:
        """The status of each event on arrival (a choice applied at the close arrives again there)."""
        return self.history.arrivals

    @property
    def changes(self) -> list[Change]:
        """The changes of owner, each with its cause and rule, up to `at` when it is after the last event (an
        expiry changes the owner at its own instant)."""
        return list(self.history.changes_until(self.at))

    def owner_at(self, at: datetime.datetime) -> Ownership:
        """Who owned the deal at any instant."""
        return self.history.owner_at(at)


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One entry of the append-only history."""

    seq: int
    at: datetime.datetime  # UTC: the time the request carried
    event: str  # register | accept | reject | renew | withdraw | expire | supersede
    registration: str
    partner: str | None
    detail: Mapping[str, Any]


class TimeOrderError(RegistryError):
    """A claim stamped earlier than a registration already in force for its customer.

    The registry records claims in time order. A service that stamps requests with its own clock before
    taking the registry's lock can lose a race to a later stamp: take a fresh time and try again.
    """


# --- values ----------------------------------------------------------------------------------------


def _aware(moment: object, what: str) -> datetime.datetime:
    if not isinstance(moment, datetime.datetime):
        raise RegistryError(f"{what} `{moment}` is not a date and time")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RegistryError(f"{what} `{moment.isoformat()}` has no timezone; write it with an offset, "
                            "e.g. 2026-06-01T10:00:00+09:00", "E530")
    return moment


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _offset(moment: datetime.datetime) -> int:
    delta = moment.utcoffset()
    assert delta is not None
    return int(delta.total_seconds())


def _local(text: str, offset: int) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).astimezone(datetime.timezone(datetime.timedelta(seconds=offset)))


def _maybe_local(text: str | None, offset: int) -> datetime.datetime | None:
    return None if text is None else _local(text, offset)


def _where(loc: ir.Loc | None) -> str | None:
    return str(loc) if loc is not None else None


def _encode(name: str, value: Any, what: str = "deal field") -> list[Any]:
    if isinstance(value, bool):
        return ["boolean", value]
    if isinstance(value, int):
        return ["integer", value]
    if isinstance(value, Fraction | Decimal):
        return ["number", str(Fraction(value))]
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return ["date", value.isoformat()]
    if isinstance(value, ir.Duration):
        return ["duration", [value.amount, value.unit]]
    if isinstance(value, str):
        return ["text", value]
    raise RegistryError(f"{what} `{name}`: `{value}` is not a value a program field can hold")


def _decode(kind: str, value: Any) -> Any:
    match kind:
        case "number":
            return Fraction(value)
        case "date":
            return datetime.date.fromisoformat(value)
        case "duration":
            return ir.Duration(int(value[0]), str(value[1]))
    return value  # boolean, integer, text: as JSON has them


def _fields_json(fields: Mapping[str, Any], what: str = "deal field") -> str:
    """Declared fields as typed JSON (`what` names them in a refusal: a deal field, an applicant field)."""
    return json.dumps({k: _encode(k, v, what) for k, v in sorted(fields.items())}, ensure_ascii=False,
                      sort_keys=True)


def _fields(text: str) -> dict[str, Any]:
    return {name: _decode(kind, value) for name, (kind, value) in json.loads(text).items()}


def _claim(row: Row) -> Claim:
    return Claim(row["id"], row["partner"], _local(row["registered_at"], row["utc_offset"]), row["renewals"],
                 bool(row["customer_choice"]))


def _registration(row: Row) -> Registration:
    offset = row["utc_offset"]
    return Registration(
        row["id"], row["partner"], row["customer"], row["corporate_number"], _local(row["registered_at"], offset),
        row["renewals"], bool(row["customer_choice"]), _fields(row["fields"]), row["status"],
        _maybe_local(row["expires_at"], offset), row["rule"], row["message"], row["rule_at"], row["holder"],
        _maybe_local(row["ended_at"], offset), row["end_rule"], row["end_message"], row["end_rule_at"],
        row["superseded_by"])


def _event(row: Row) -> Event:
    """A recorded request as the decision replays it."""
    return Event(row["kind"], row["event_id"], _local(row["at"], row["utc_offset"]), row["partner"],
                 _fields(row["fields"]))


def _deal_event(row: Row) -> DealEvent:
    offset = row["utc_offset"]
    return DealEvent(row["seq"], row["kind"], row["event_id"], row["partner"], row["customer"],
                     _local(row["at"], offset), row["status"], row["rule"], row["message"], row["rule_at"],
                     row["holder"], row["version"], _maybe_local(row["expires_at"], offset))


def _outcome(row: Row, action: str = "register", arrival: str = "") -> Outcome:
    """A claim's outcome as it stands: the latest rule that acted on it."""
    status = row["status"]
    owner = {ACTIVE: row["id"], REJECTED: row["holder"], SUPERSEDED: row["superseded_by"]}.get(status)
    ended = row["ended_at"] is not None
    return Outcome(row["id"], action, status != REJECTED, status, owner,
                   row["end_rule"] if ended else row["rule"], row["end_message"] if ended else row["message"],
                   row["end_rule_at"] if ended else row["rule_at"],
                   _maybe_local(row["expires_at"], row["utc_offset"]), arrival)


def told(row: Row, arrival: Arrival, action: str) -> Outcome:
    """What a partner is told of its request: its status on arrival, the rule, its registration now."""
    reason, status = arrival.reason, row["status"]
    if action == "register":
        owner = row["id"] if arrival.status == "accepted" else arrival.holder
    else:
        owner = row["id"] if status == ACTIVE else None
    expires = arrival.expires_at or _maybe_local(row["expires_at"], row["utc_offset"])
    if expires is not None:
        expires = expires.astimezone(datetime.timezone(datetime.timedelta(seconds=row["utc_offset"])))
    return Outcome(row["id"], action, arrival.accepted, status, masked(owner), reason.rule,
                   masked(reason.message) or "", _where(reason.at), expires, arrival.status)


def _masked_registration(registration: Registration) -> Registration:
    """A partner's own registration as it may read it: a territory claim names no partner."""
    return replace(registration, holder=masked(registration.holder),
                   superseded_by=masked(registration.superseded_by), message=masked(registration.message) or "",
                   end_message=masked(registration.end_message))


def masked(text: str | None) -> str | None:
    """A holder or a message as a partner may read it: a territory claim names no partner."""
    return None if text is None else _TERRITORY.sub("an exclusive territory", text)
