"""How a replayed deal stands, as the registry's rows show it: each registration's status at an instant.

`runtime.decisions.deals.History` decides; this module only reads its state. A registration is
`active` while it stands (in force and not ended, or owning the deal by the customer's choice),
`superseded` or `withdrawn` from the instant it was ended, `expired` from the end of its protection, and
`rejected` when it was never accepted.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runtime import identity
from runtime.decisions.deals import Arrival, History
from runtime.store._db import Row, Session
from runtime.store._records import ACTIVE, EXPIRED, REJECTED, SUPERSEDED, WITHDRAWN, _fields_json, _offset, _utc, _where


@dataclass(frozen=True, slots=True)
class RowState:
    """The status columns of one registration row, as the replay says at an instant."""

    status: str
    renewals: int
    expires_at: datetime.datetime | None
    ended_at: datetime.datetime | None = None
    end_rule: str | None = None
    end_message: str | None = None
    end_rule_at: str | None = None
    superseded_by: str | None = None
    won: tuple[str, str, str | None] | None = None  # active: the rule it holds by (rule, message, where)


def row_state(history: History, registration: str, at: datetime.datetime) -> RowState:
    """The state of one registration of the replayed deal at `at` (no earlier than its last event)."""
    held = history.held.get(registration)
    if held is None:
        return RowState(REJECTED, 0, None)
    end, ended, why = held.end, held.ended, held.ended_by
    renewals = held.claim.renewals
    if ended is not None and ended <= at and (end is None or ended < end) and why is not None:
        status = WITHDRAWN if why.outcome == "withdrawn" else SUPERSEDED
        by = None if status == WITHDRAWN else _holder_at(history, ended)
        return RowState(status, renewals, end, ended, why.rule, why.message, _where(why.at), by)
    if end is not None and end <= at:
        return RowState(EXPIRED, renewals, end, end, "registration", f"the registration expired at "
                        f"{end.isoformat()}", _where(held.conflicts.at))
    won = held.won_by
    return RowState(ACTIVE, renewals, end, won=(won.rule, won.message, _where(won.at)) if won else None)


def _holder_at(history: History, instant: datetime.datetime) -> str | None:
    """The claim that owned the deal after the last event at `instant`."""
    return next((a.holder for a in reversed(history.arrivals) if a.event.at == instant), None)


# --- the deal's events in the database --------------------------------------------------------------


def deals_of(db: Session, key: identity.CustomerKey) -> list[list[Row]]:
    """The customer's deals, oldest first: its recorded events in order of arrival, each deal ending at a close
    (the last one may be open)."""
    rows = db.execute("SELECT * FROM events WHERE customer_name = ? OR corporate_number = ? ORDER BY at, seq",
                      (key.name, key.corporate_number)).fetchall()
    deals: list[list[Row]] = [[]]
    for row in rows:
        if identity.same_customer(identity.CustomerKey(row["customer_name"], row["corporate_number"]), key):
            deals[-1].append(row)
            if row["kind"] == "close":
                deals.append([])
    return deals if deals[-1] or len(deals) == 1 else deals[:-1]


def current_deal(db: Session, key: identity.CustomerKey) -> list[Row]:
    """The events of the customer's deal in progress: every event since its last close."""
    last = deals_of(db, key)[-1]
    return [] if last and last[-1]["kind"] == "close" else last


def record(db: Session, arrival: Arrival, customer: str, key: identity.CustomerKey) -> None:
    """Append a decided request, with its status on arrival, to `events`."""
    event, reason = arrival.event, arrival.reason
    db.execute("INSERT INTO events (kind, event_id, partner, customer, customer_name, corporate_number, at, "
               "utc_offset, fields, status, rule, message, rule_at, holder, version, expires_at) VALUES "
               "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (event.kind, event.id, event.partner, customer, key.name, key.corporate_number, _utc(event.at),
                _offset(event.at), _fields_json(event.fields), arrival.status, reason.rule, reason.message,
                _where(reason.at), arrival.holder, arrival.version,
                _utc(arrival.expires_at) if arrival.expires_at else None))


def log(db: Session, at: datetime.datetime, event: str, registration: str, partner: str | None,
        detail: Mapping[str, Any]) -> None:
    """Append one change of a registration to `history`."""
    db.execute("INSERT INTO history (at, event, registration, partner, detail) VALUES (?, ?, ?, ?, ?)",
               (_utc(at), event, registration, partner, json.dumps(detail, ensure_ascii=False, sort_keys=True)))


def refresh(db: Session, history: History, at: datetime.datetime, only: str | None = None) -> int:
    """Bring the rows of the deal's registrations to what the replay says at `at`, logging each change of status;
    with `only`, change only rows that come to that status. Returns how many rows changed status."""
    found = list(history.registered)
    rows = db.execute(f"SELECT * FROM registrations WHERE id IN ({', '.join('?' * len(found))}) ORDER BY seq",
                      found).fetchall() if found else []
    changed = 0
    for row in rows:
        state = row_state(history, row["id"], at)
        if only is not None and (state.status != only or row["status"] == only):
            continue
        changed += _update(db, row, state, at)
    return changed


def _stamp(moment: datetime.datetime | None) -> str | None:
    return _utc(moment) if moment is not None else None


def _columns(row: Row, state: RowState) -> dict[str, Any]:
    if state.status == REJECTED:
        return {"status": REJECTED}
    columns: dict[str, Any] = {
        "status": state.status, "renewals": state.renewals, "expires_at": _stamp(state.expires_at),
        "ended_at": _stamp(state.ended_at), "end_rule": state.end_rule, "end_message": state.end_message,
        "end_rule_at": state.end_rule_at, "superseded_by": state.superseded_by}
    if state.won is not None and row["status"] == REJECTED:  # owns the deal now by the customer's choice
        columns.update(rule=state.won[0], message=state.won[1], rule_at=state.won[2], holder=None)
    return columns


def _update(db: Session, row: Row, state: RowState, at: datetime.datetime) -> int:
    changed = {name: value for name, value in _columns(row, state).items() if row[name] != value}
    if not changed:
        return 0
    # INVARIANT: the column names are this module's, never input.
    db.execute(f"UPDATE registrations SET {', '.join(f'{n} = ?' for n in changed)} WHERE id = ?",
               (*changed.values(), row["id"]))
    if row["status"] == state.status:
        return 0
    match state.status:
        case "superseded":
            log(db, at, "supersede", row["id"], row["partner"], {
                "by": state.superseded_by, "rule": state.end_rule, "message": state.end_message,
                "at": state.end_rule_at})
        case "expired":
            log(db, at, "expire", row["id"], row["partner"], {"expired_at": _utc(state.expires_at)
                                                               if state.expires_at else None})
        case "withdrawn":
            log(db, at, "withdraw", row["id"], row["partner"], {})
        case "active":
            assert state.won is not None
            log(db, at, "accept", row["id"], row["partner"], {"rule": state.won[0], "message": state.won[1],
                                                              "at": state.won[2]})
        case _:
            return 0
    return 1
