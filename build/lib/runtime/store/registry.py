"""The deal registration registry (商談登録): every request on a customer's deal, decided by replaying the deal.

Registrations live in an embedded SQLite file, or a PostgreSQL database named by a `postgresql://` URL,
created on first use (see `runtime.store.migrations` and `runtime.store._db`). Every request (a
registration, a renewal, a withdrawal, the customer's documented choice, the close) is decided inside one
write transaction (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a lock on `events`) by the one decision over a
deal's history, `runtime.decisions.deals.History`: the registry loads the events of the customer's current
deal (the same customer by `runtime.identity.same_customer`: corporate number first, else the normalised
name; the current deal is every event since the customer's last close), replays them, adds the new one,
and appends what it got on arrival (status, reason, rule and where it is written, the holder after it, the
version) to `events`. The `registrations` rows are then brought to what the replay says at that instant
(active, rejected, superseded, withdrawn, expired), and each change of a row is appended to `history`.
Triggers keep `events` and `history` append-only. The write lock serialises decisions, so processes
registering the same customer at once never end with two accepted claims.

A partner reads only its own registrations and the outcomes of its own claims; a rejection names the
holder's registration id and the rule, never the holder's partner, customer text, fields or time (a
territory that owns deals without a registration is named as such, not by its partner). Times must carry
a UTC offset; they are stored as UTC ISO text, with the offset they were written in.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from runtime import identity, ids
from runtime.decisions import deals
from runtime.decisions.quote import QuoteError
from runtime.engine import EvaluationError
from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.store import _deal_rows
from runtime.store._db import Row, Session
from runtime.store._records import (
    _NO_FIELDS,
    _aware,
    _deal_event,
    _event,
    _fields_json,
    _masked_registration,
    _offset,
    _outcome,
    _registration,
    _utc,
    _where,
    masked,
    told,
)
from runtime.store._records import ACTIVE as ACTIVE
from runtime.store._records import EXPIRED as EXPIRED
from runtime.store._records import REJECTED as REJECTED
from runtime.store._records import SUPERSEDED as SUPERSEDED
from runtime.store._records import UTC as UTC
from runtime.store._records import WITHDRAWN as WITHDRAWN
from runtime.store._records import DealEvent as DealEvent
from runtime.store._records import DealView as DealView
from runtime.store._records import HistoryEvent as HistoryEvent
from runtime.store._records import Outcome as Outcome
from runtime.store._records import Registration as Registration
from runtime.store._records import TimeOrderError as TimeOrderError
from runtime.store.migrations import ProgramFile, RegistryError

_T = TypeVar("_T")

# --- the registry ----------------------------------------------------------------------------------


def _checked(check: Callable[[str, str], str], text: object, what: str) -> str:
    """An id or a name through the identity policy (`runtime.ids`); a refusal is a RegistryError with its code."""
    if not isinstance(text, str):
        raise RegistryError(f"{what} `{text}` is not text")
    try:
        return check(text, what)
    except ids.IdProblem as exc:
        raise RegistryError(exc.reason, exc.code) from None


class Registry(ProgramFile):
    """Deal registrations in one SQLite file or PostgreSQL database; each request decided by replaying the
    customer's deal.

    Args:
        path: the database file, or a `postgresql://` URL; created, with its schema, on first use.
        rt: the program; the version in force at each event's instant decides it.
        partners: the partners, by id (their tiers and fields feed exclusivity and tie-breaks). Every request
            replays the customer's earlier requests with these partners: give the same ones each time.

    Raises:
        RegistryError: the file cannot be opened, or holds another program's registrations.
        SchemaError: the file was written by a newer ppl.
    """

    def __init__(self, path: str | Path, rt: Runtime, partners: Mapping[str, Partner]) -> None:
        self.rt = rt
        self.partners = partners
        self._deal_inputs = sorted(i.name for i in rt.ruleset.inputs if i.scope == "deal")
        super().__init__(path, rt.ruleset.program_id)

    # --- partner requests ---

    def register(self, partner: str | None, customer: str, at: datetime.datetime, *,
                 corporate_number: str | None = None, deal_fields: Mapping[str, Any] = _NO_FIELDS) -> Outcome:
        """Claim a customer for a partner (None: the vendor's direct sales) at a time.

        The customer's deal is replayed with the claim added (`runtime.decisions.deals`): it is accepted
        when it would own the deal at its time, and the registrations it beats are superseded. Otherwise
        it is rejected with its status on arrival (`duplicate`, `held`, `outside`), the registration that
        holds the customer and the rule that decided.

        Raises:
            RegistryError: a naive time (E530), an unknown partner (E511), a partner id, customer name or
                text deal field with an invisible or control character (E525) or too long (E528), a partner id
                that imitates Latin (E526), a bad corporate number or deal field, a missing deal field a rule
                reads (E500).
            TimeOrderError: a time earlier than an event already recorded for the customer's deal.
        """
        _aware(at, "the registration time")
        partner = self._check_partner(partner)
        customer = _checked(ids.check_name, customer, "customer").strip()
        key = self._customer_key(customer, corporate_number)
        fields = self._check_fields(deal_fields)
        with self._write() as db:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM registrations").fetchone()[0]
            claim_id = f"R{seq:06d}"
            _deal_rows.log(db, at, "register", claim_id, partner, {
                "customer": customer, "corporate_number": key.corporate_number,
                "fields": json.loads(_fields_json(fields))})
            history, arrival = self._decide(db, key, customer, deals.Event("register", claim_id, at, partner,
                                                                            fields))
            accepted, reason = arrival.status == deals.ACCEPTED, arrival.reason
            row = {"seq": seq, "id": claim_id, "partner": partner, "customer": customer,
                   "customer_name": key.name, "corporate_number": key.corporate_number, "registered_at": _utc(at),
                   "utc_offset": _offset(at), "fields": _fields_json(fields),
                   "status": ACTIVE if accepted else REJECTED, "rule": reason.rule, "message": reason.message,
                   "rule_at": _where(reason.at), "holder": None if accepted else arrival.holder,
                   "expires_at": _utc(arrival.expires_at) if arrival.expires_at else None}
            db.execute(f"INSERT INTO registrations ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                       tuple(row.values()))  # INVARIANT: the keys are this module's column names, never input
            _deal_rows.refresh(db, history, at)
            _deal_rows.log(db, at, "accept" if accepted else "reject", claim_id, partner, {
                "rule": reason.rule, "message": reason.message, "at": _where(reason.at),
                **({"expires_at": row["expires_at"]} if accepted else {"holder": arrival.holder,
                                                                        "status": arrival.status})})
            return told(self._own(db, partner, claim_id), arrival, "register")

    def renew(self, partner: str | None, registration_id: str, at: datetime.datetime) -> Outcome:
        """Renew one's own registration in force, within the program's `renewals`, before it expires.

        Raises:
            RegistryError: a naive time, or no registration of that id belongs to the partner.
            TimeOrderError: a time earlier than an event already recorded for the customer's deal.
        """
        return self._own_request("renew", partner, registration_id, at)

    def withdraw(self, partner: str | None, registration_id: str, at: datetime.datetime) -> Outcome:
        """Withdraw one's own registration in force: the customer is free for others from then on.

        Raises:
            RegistryError: a naive time, or no registration of that id belongs to the partner.
            TimeOrderError: a time earlier than an event already recorded for the customer's deal.
        """
        return self._own_request("withdraw", partner, registration_id, at)

    def mine(self, partner: str | None, *, include_inactive: bool = False) -> list[Registration]:
        """A partner's own registrations in force (with `include_inactive`: every claim it made), oldest first."""
        partner = self._check_partner(partner)
        status = "" if include_inactive else f" AND status = '{ACTIVE}'"
        rows = self._db.execute(f"SELECT * FROM registrations WHERE partner IS ?{status} ORDER BY seq", (partner,))
        return [_masked_registration(_registration(r)) for r in rows]

    def outcome(self, partner: str | None, claim_id: str) -> Outcome:
        """The outcome of one of the partner's own claims, as it stands now.

        Raises:
            RegistryError: the partner made no claim with that id.
        """
        partner, claim_id = self._check_partner(partner), _checked(ids.canonical_id, claim_id, "claim")
        row = self._own(self._db, partner, claim_id)
        found = self._db.execute("SELECT status FROM events WHERE kind = 'register' AND event_id = ?",
                                 (claim_id,)).fetchone()
        told = _outcome(row, arrival=found[0] if found else "")
        return replace(told, owner=masked(told.owner), message=masked(told.message) or "")

    # --- administrator ---

    def choose(self, customer: str, partner: str | None, at: datetime.datetime,
               corporate_number: str | None = None) -> Outcome:
        """Record the customer's documented choice of a partner (None: the vendor's direct sales) at a time.

        The program says when it applies (`customer_choice: applies`: at the close, or from its own instant)
        and what it may override; the outcome's `arrival` is `applied`, `pending`, `not_applied` or `outside`.

        Raises:
            RegistryError: as `register`; TimeOrderError: as `register`.
        """
        _aware(at, "the time of the choice")
        partner = self._check_partner(partner)
        customer = _checked(ids.check_name, customer, "customer").strip()
        key = self._customer_key(customer, corporate_number)
        with self._write() as db:
            event = deals.Event("choose", self._event_id(db), at, partner)
            return self._vendor_request(db, key, customer, event)

    def close_deal(self, customer: str, at: datetime.datetime, fields: Mapping[str, Any] = _NO_FIELDS,
                   corporate_number: str | None = None) -> Outcome:
        """Close the customer's deal at a time: its owner then is recorded, and the next request opens a new deal.

        Raises:
            RegistryError: as `register`; TimeOrderError: as `register`.
        """
        _aware(at, "the time of the close")
        customer = _checked(ids.check_name, customer, "customer").strip()
        key = self._customer_key(customer, corporate_number)
        checked = self._check_fields(fields)
        with self._write() as db:
            event = deals.Event("close", self._event_id(db), at, None, checked)
            return self._vendor_request(db, key, customer, event)

    def deal(self, customer: str, corporate_number: str | None = None,
             at: datetime.datetime | None = None) -> DealView:
        """A customer's deal, replayed: every event's status on arrival, the changes of owner, the owner at `at`
        (default: now). The deal shown is the one open at `at`: the first that closed at or after it, else the
        deal in progress.

        Raises:
            RegistryError: a naive time, a bad name or number, or no request names the customer.
        """
        at = _aware(at, "the instant decided") if at is not None else datetime.datetime.now(UTC)
        customer = _checked(ids.check_name, customer, "customer").strip()
        key = self._customer_key(customer, corporate_number)
        found = _deal_rows.deals_of(self._db, key)
        rows = next((d for d in found if d and d[-1]["kind"] == "close" and _instant(d[-1]) >= at), found[-1])
        if not rows:
            raise RegistryError(f"no request names the customer `{customer}`")
        history = self._replay(rows, rows[0]["customer"])
        return DealView(rows[0]["customer"], at, tuple(_deal_event(r) for r in rows), history,
                        self._guard(lambda: history.owner_at(at)))

    def expire(self, at: datetime.datetime) -> int:
        """Mark every registration whose protection ended by `at` as expired (as the replay of its deal says);
        return how many."""
        _aware(at, "the expiry time")
        expired = 0
        with self._write() as db:
            rows = db.execute("SELECT * FROM registrations WHERE status = ? AND expires_at <= ? ORDER BY seq",
                              (ACTIVE, _utc(at))).fetchall()
            seen: set[str] = set()
            for row in rows:
                if row["id"] in seen:
                    continue
                key = identity.CustomerKey(row["customer_name"], row["corporate_number"])
                deal = next((d for d in _deal_rows.deals_of(db, key)
                             if any(e["event_id"] == row["id"] for e in d)), [])
                if not deal:
                    continue
                history = self._replay(deal, deal[0]["customer"])
                seen.update(history.registered)
                expired += _deal_rows.refresh(db, history, at, only=EXPIRED)
        return expired

    def admin_view(self) -> list[Registration]:
        """Every claim of every partner, oldest first."""
        return [_registration(r) for r in self._db.execute("SELECT * FROM registrations ORDER BY seq")]

    def history(self) -> list[HistoryEvent]:
        """Every change of a registration, in the order it happened."""
        return [HistoryEvent(r["seq"], datetime.datetime.fromisoformat(r["at"]), r["event"], r["registration"],
                             r["partner"], json.loads(r["detail"]))
                for r in self._db.execute("SELECT * FROM history ORDER BY seq")]

    def events(self) -> list[DealEvent]:
        """Every request, in order of arrival, with its status on arrival (append-only)."""
        return [_deal_event(r) for r in self._db.execute("SELECT * FROM events ORDER BY seq")]

    # --- deciding by replaying ---

    def _decide(self, db: Session, key: identity.CustomerKey, customer: str,
                event: deals.Event) -> tuple[deals.History, deals.Arrival]:
        """Replay the customer's current deal, add the request, and record what it got on arrival."""
        rows = _deal_rows.current_deal(db, key)
        if rows and event.at < _instant(rows[-1]):
            raise TimeOrderError(f"the time {event.at.isoformat()} is earlier than a request already recorded for "
                                 "this customer; the registry records claims in time order")
        history = self._replay(rows, rows[0]["customer"] if rows else customer)
        arrival = self._guard(lambda: history.add(event))
        _deal_rows.record(db, arrival, customer, key)
        return history, arrival

    def _replay(self, rows: Sequence[Row], customer: str) -> deals.History:
        history = deals.History(self.rt, customer, self.partners)
        for row in rows:
            event = _event(row)
            self._guard(lambda: history.add(event))  # noqa: B023 - called at once
        return history

    @staticmethod
    def _guard(call: Callable[[], _T]) -> _T:
        """The decision's refusals as the registry's."""
        try:
            return call()
        except QuoteError as exc:
            raise RegistryError(exc.message, exc.code, _where(exc.at)) from None
        except EvaluationError as exc:
            raise RegistryError(exc.message, exc.code, _where(exc.at)) from None

    def _own_request(self, kind: str, partner: str | None, registration_id: str, at: datetime.datetime) -> Outcome:
        _aware(at, f"the {'renewal' if kind == 'renew' else 'withdrawal'} time")
        partner = self._check_partner(partner)
        registration_id = _checked(ids.canonical_id, registration_id, "registration")
        with self._write() as db:
            row = self._own(db, partner, registration_id)
            key = identity.CustomerKey(row["customer_name"], row["corporate_number"])
            history, arrival = self._decide(db, key, row["customer"], deals.Event(kind, registration_id, at,
                                                                                 partner))
            reason = arrival.reason
            if arrival.status == deals.RENEWED:
                assert arrival.expires_at is not None
                _deal_rows.log(db, at, "renew", registration_id, partner, {
                    "renewals": history.held[registration_id].claim.renewals,
                    "expires_at": _utc(arrival.expires_at)})
            elif not arrival.accepted:
                _deal_rows.log(db, at, "reject", registration_id, partner, {
                    "action": kind, "rule": reason.rule, "message": reason.message, "at": _where(reason.at)})
            _deal_rows.refresh(db, history, at)
            return told(self._own(db, partner, registration_id), arrival, kind)

    def _vendor_request(self, db: Session, key: identity.CustomerKey, customer: str,
                        event: deals.Event) -> Outcome:
        history, arrival = self._decide(db, key, customer, event)
        _deal_rows.refresh(db, history, event.at)
        reason = arrival.reason
        return Outcome(event.id, event.kind, arrival.accepted, arrival.status, arrival.holder, reason.rule,
                       reason.message, _where(reason.at), None, arrival.status)

    def _event_id(self, db: Session) -> str:
        """The id of a choice or a close: `E` and the number the event will have."""
        return f"E{db.execute('SELECT COALESCE(MAX(seq), 0) + 1 FROM events').fetchone()[0]:06d}"

    # --- inside ---

    def _check_partner(self, partner: str | None) -> str | None:
        """A partner id in its canonical form (`runtime.ids`), known to the registry (None: direct sales)."""
        if partner is None:
            return None
        partner = _checked(ids.canonical_id, partner, "partner")
        if partner not in self.partners:
            raise RegistryError(f"unknown partner `{partner}`", "E511")
        return partner

    def _customer_key(self, customer: str, corporate_number: str | None) -> identity.CustomerKey:
        try:
            key = identity.customer_key(customer, corporate_number)
        except ValueError as exc:
            raise RegistryError(str(exc)) from None
        if not key.name and key.corporate_number is None:
            raise RegistryError(f"the customer `{customer.strip()}` has no name left after normalisation; "
                                "write its name or give its corporate number")
        return key

    def _check_fields(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(fields) - set(self._deal_inputs))
        if unknown:
            declared = ", ".join(f"`{n}`" for n in self._deal_inputs) or "none"
            raise RegistryError(f"unknown deal field `{unknown[0]}`; the program declares {declared}")
        _fields_json(fields)  # refuses values no field can hold
        for name, value in fields.items():
            if isinstance(value, str):  # kept as given; refused for invisible characters or excess length
                _checked(ids.check_name, value, f"deal field `{name}`")
        return dict(fields)

    def _own(self, db: Session, partner: str | None, claim_id: str) -> Row:
        row: Row | None = db.execute("SELECT * FROM registrations WHERE id = ? AND partner IS ?",
                                             (claim_id, partner)).fetchone()
        if row is None:  # the same words whether the id is unknown or another partner's
            who = f"partner `{partner}`" if partner is not None else "direct sales"
            raise RegistryError(f"{who} has no registration `{claim_id}`")
        return row


def _instant(row: Row) -> datetime.datetime:
    return datetime.datetime.fromisoformat(row["at"])
