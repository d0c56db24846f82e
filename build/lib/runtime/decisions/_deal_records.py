"""The records of a deal's history: its events, the status each got on arrival, the changes of owner, how a
registration accepted into the deal stands, and the instants where the owner can change without an event."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runtime import instants, ir
from runtime.decisions._chain import Claim, Reason
from runtime.model import Partner

EVENT_KINDS = ("register", "renew", "withdraw", "choose", "close")
ACCEPTED, DUPLICATE, HELD, CLOSED, OUTSIDE, EXPIRED = "accepted", "duplicate", "held", "closed", "outside", "expired"
RENEWED, WITHDRAWN, REFUSED, APPLIED, NOT_APPLIED, PENDING = (
    "renewed", "withdrawn", "refused", "applied", "not_applied", "pending")
STATUSES = (ACCEPTED, DUPLICATE, HELD, CLOSED, OUTSIDE, EXPIRED, RENEWED, WITHDRAWN, REFUSED, APPLIED, NOT_APPLIED,
            PENDING)
"""Every status an event can get on arrival."""
_ACCEPTED = frozenset({ACCEPTED, RENEWED, WITHDRAWN, APPLIED, PENDING, CLOSED})


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to a deal, at the instant it arrived.

    `id` is the registration's id for `register`, `renew` and `withdraw`, and the event's own id for `choose`
    and `close`. `partner` is the claimant (None: the vendor's direct sales), the chosen partner for `choose`.
    """

    kind: str  # register | renew | withdraw | choose | close
    id: str
    at: datetime.datetime  # timezone-aware
    partner: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)  # register, close: the deal's declared fields
    renewals: int = 0  # register: renewals already granted (a file that counts them rather than listing them)


@dataclass(frozen=True, slots=True)
class Arrival:
    """What an event got when it arrived: its status, why, and who held the deal after it."""

    event: Event
    status: str  # one of STATUSES
    reason: Reason
    holder: str | None  # the claim owning the deal after the event (None: nobody)
    version: str | None  # the version that decided (None: none in force)
    expires_at: datetime.datetime | None = None  # accepted or renewed registration: protected until

    @property
    def accepted(self) -> bool:
        """Whether the request was carried out (a registration accepted, a renewal granted …)."""
        return self.status in _ACCEPTED


@dataclass(frozen=True, slots=True)
class Change:
    """The owner changed at an instant: from which claim to which, caused by what, by which rule."""

    at: datetime.datetime
    previous: str | None
    owner: str | None
    partner: str | None  # the new owner's partner (None: direct sales, or nobody)
    cause: str  # the event's id, or `expiry of R1`, or `territory`
    reason: Reason


@dataclass
class _Held:
    """A registration accepted into the deal, and how it stands."""

    claim: Claim
    fields: Mapping[str, Any]
    conflicts: ir.Conflicts  # of the version that accepted it: its protection is the one promised then
    end: datetime.datetime | None  # protection ends (exclusive); None: does not expire
    ended: datetime.datetime | None = None  # superseded or withdrawn from this instant
    ended_by: Reason | None = None
    won_by: Reason | None = None  # the latest rule by which it beat another claim
    chosen_only: bool = False  # stands only by the customer's choice (no registration in force of its own)

    def standing(self, at: datetime.datetime) -> bool:
        return (self.ended is None or self.ended > at) and (self.end is None or self.end > at)


Boundary = tuple[datetime.datetime, str, Reason]
"""An instant where the claims standing can change without an event, what changes there, and why."""


def boundaries(held: Iterable[_Held], partners: Mapping[str, Partner], time_zone: str,
               after: datetime.datetime | None, until: datetime.datetime) -> list[Boundary]:
    """Instants in (after, until] where the claims standing can change without an event: a registration's
    protection ending, a dated partner fact (a territory granted from a date) starting or ending."""
    found: list[Boundary] = []
    for one in held:
        end = one.end
        if end is not None and (one.ended is None or one.ended > end) and _within(end, after, until):
            found.append((end, f"expiry of {one.claim.id}", Reason(
                one.claim.id, "expired", "registration", f"the registration expired at {end.isoformat()}",
                one.conflicts.at, "registration")))
    zone = instants.zone(time_zone)
    for partner in partners.values():
        for name, value in partner.fields.items():
            for dated in value if isinstance(value, tuple | list | frozenset) else (value,):
                if isinstance(dated, ir.Dated):
                    found.extend(_fact_edges(partner.id, name, dated, zone, after, until))
    return sorted(found, key=lambda item: item[0].astimezone(datetime.UTC))


def _fact_edges(partner: str, name: str, dated: ir.Dated, zone: datetime.tzinfo, after: datetime.datetime | None,
                until: datetime.datetime) -> list[Boundary]:
    days = [(dated.start, "from")] + ([(dated.until + datetime.timedelta(days=1), "after")]
                                      if dated.until is not None else [])
    found: list[Boundary] = []
    for day, edge in days:
        moment = datetime.datetime.combine(day, datetime.time(), zone)
        if _within(moment, after, until):
            found.append((moment, f"`{partner}`: {name} {edge} {day.isoformat()}", Reason(
                partner, "owner", "facts", f"partner `{partner}`'s {name} "
                f"{'starts' if edge == 'from' else 'ended the day before'} on {day.isoformat()}", None, "facts")))
    return found


def _within(moment: datetime.datetime, after: datetime.datetime | None, until: datetime.datetime) -> bool:
    return (after is None or moment > after) and moment <= until
