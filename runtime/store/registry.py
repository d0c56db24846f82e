"""The deal registration registry (商談登録): who holds which customer, decided by the program's conflict rules.

Registrations live in an embedded SQLite file, created on first use (see `runtime.store.migrations`).
A claim is decided inside one `BEGIN IMMEDIATE` transaction against the registrations in force for the
same customer (`runtime.identity.same_customer`: corporate number first, else the normalised name), by
`runtime.decisions.conflicts.decide`. It is accepted when it would own the deal at its time, and every
registration it beats is marked `superseded` with the rule; otherwise it is rejected, naming the
registration that holds the customer and the rule. The write lock serialises decisions, so processes
registering the same customer at once never end with two accepted claims.

Every change is appended to `history`, which SQLite triggers keep append-only. A partner reads only its
own registrations and the outcomes of its own claims; a rejection names the holder's registration id
and the rule, never the holder's partner, customer text or fields. Times must carry a UTC offset; they
are stored as UTC ISO text, with the offset they were written in so that calendar arithmetic (expiry in
months) happens in the claimant's own calendar.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Any

from runtime import identity, ids, instants, ir
from runtime.decisions.conflicts import Claim, Deal, Ownership, Reason, decide, expires_at
from runtime.decisions.quote import QuoteError
from runtime.engine import EvaluationError
from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.store._records import (
    _NO_FIELDS,
    _aware,
    _claim,
    _fields,
    _fields_json,
    _maybe_local,
    _offset,
    _outcome,
    _registration,
    _utc,
    _where,
)
from runtime.store._records import ACTIVE as ACTIVE
from runtime.store._records import EXPIRED as EXPIRED
from runtime.store._records import REJECTED as REJECTED
from runtime.store._records import SUPERSEDED as SUPERSEDED
from runtime.store._records import UTC as UTC
from runtime.store._records import WITHDRAWN as WITHDRAWN
from runtime.store._records import HistoryEvent as HistoryEvent
from runtime.store._records import Outcome as Outcome
from runtime.store._records import Registration as Registration
from runtime.store._records import TimeOrderError as TimeOrderError
from runtime.store.migrations import RegistryError, open_database, write_transaction

# --- the registry ----------------------------------------------------------------------------------


def _checked(check: Callable[[str, str], str], text: object, what: str) -> str:
    """An id or a name through the identity policy (`runtime.ids`); a refusal is a RegistryError with its code."""
    if not isinstance(text, str):
        raise RegistryError(f"{what} `{text}` is not text")
    try:
        return check(text, what)
    except ids.IdProblem as exc:
        raise RegistryError(exc.reason, exc.code) from None


class Registry:
    """Deal registrations in one SQLite file, decided by a program's conflict rules.

    Args:
        path: the database file; created, with its schema, on first use.
        rt: the program; the version in force on each request's time decides it.
        partners: the partners, by id (their tiers and fields feed exclusivity and tie-breaks).

    Raises:
        RegistryError: the file cannot be opened, or holds another program's registrations.
        SchemaError: the file was written by a newer ppl.
    """

    def __init__(self, path: str | Path, rt: Runtime, partners: Mapping[str, Partner]) -> None:
        self.path = str(path)
        self.rt = rt
        self.partners = partners
        self._deal_inputs = sorted(i.name for i in rt.ruleset.inputs if i.scope == "deal")
        self._db = open_database(path)
        try:
            self._bind_program()
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the database file."""
        self._db.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # --- partner requests ---

    def register(self, partner: str | None, customer: str, at: datetime.datetime, *,
                 corporate_number: str | None = None, deal_fields: Mapping[str, Any] = _NO_FIELDS,
                 customer_choice: bool = False) -> Outcome:
        """Claim a customer for a partner (None: the vendor's direct sales) at a time.

        Accepted when the claim would own the deal at its time under the program's conflict rules; the
        registrations it beats are superseded. Otherwise rejected, naming the registration that holds
        the customer and the rule that decided.

        Raises:
            RegistryError: a naive time (E530), an unknown partner (E511), a partner id, customer name or
                text deal field with an invisible or control character (E525) or too long (E528), a partner id
                that imitates Latin (E526), a bad corporate number or deal field, no version or no conflict
                rules in force (E510, E531), a missing deal field a rule reads (E500).
            TimeOrderError: a time earlier than a registration in force for the customer.
        """
        _aware(at, "the registration time")
        partner = self._check_partner(partner)
        customer = _checked(ids.check_name, customer, "customer")
        key = self._customer_key(customer, corporate_number)
        fields = self._check_fields(deal_fields)
        conflicts = self._conflicts(at)
        with self._write() as db:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM registrations").fetchone()[0]
            claim_id = f"R{seq:06d}"
            held = self._held(db, key)
            if any(r["registered_at"] > _utc(at) for r in held):
                raise TimeOrderError(f"the registration time {at.isoformat()} is earlier than a registration in "
                                     "force for this customer; the registry records claims in time order")
            row = {"seq": seq, "id": claim_id, "partner": partner, "customer": customer.strip(),
                   "customer_name": key.name, "corporate_number": key.corporate_number, "registered_at": _utc(at),
                   "utc_offset": _offset(at), "customer_choice": int(customer_choice),
                   "fields": _fields_json(fields)}
            self._log(db, at, "register", claim_id, partner, {
                "customer": row["customer"], "corporate_number": key.corporate_number,
                "customer_choice": customer_choice, "fields": json.loads(row["fields"])})
            mine = [r for r in held if r["partner"] == partner and self._in_force(r, conflicts, at)]
            if mine:
                return self._reject(db, row, at, mine[0]["id"], "registration", "you already hold this customer "
                                    f"with registration {mine[0]['id']}; renew it instead", _where(conflicts.at))
            # The deal is as the registrations in force describe it (the oldest first); the new claim only
            # fills in what they leave out, so nobody takes a customer by describing its deal differently.
            deal_fields_now = dict(fields)
            for r in reversed(held):
                deal_fields_now.update(_fields(r["fields"]))
            claims = [_claim(r) for r in held] + [Claim(claim_id, partner, at, 0, customer_choice)]
            ownership = self._decide(Deal(customer, at, deal_fields_now), claims)
            reasons = {r.claim: r for r in ownership.reasons}
            for r in held:
                if reasons[r["id"]].outcome == "expired":
                    self._expire(db, r, at, conflicts)
            if ownership.owner is not None and ownership.owner.id == claim_id:
                return self._accept(db, row, at, ownership, held, reasons, conflicts)
            return self._reject_decided(db, row, at, ownership, reasons[claim_id])

    def renew(self, partner: str | None, registration_id: str, at: datetime.datetime) -> Outcome:
        """Renew one's own registration in force, within the program's `renewals`, before it expires.

        Raises:
            RegistryError: a naive time, or no registration of that id belongs to the partner.
        """
        _aware(at, "the renewal time")
        partner, registration_id = self._check_partner(partner), _checked(ids.canonical_id, registration_id,
                                                                          "registration")
        conflicts = self._conflicts(at)
        with self._write() as db:
            row = self._own(db, partner, registration_id)
            refused = self._not_in_force(db, row, at, conflicts, "renew")
            if refused is not None:
                return refused
            if conflicts.expires_after is None:
                return self._refuse(db, row, at, "renew", "registrations do not expire under this program; "
                                    "there is nothing to renew", conflicts)
            if row["renewals"] >= conflicts.renewals:
                allowed = f"{conflicts.renewals} renewal{'s' if conflicts.renewals != 1 else ''}"
                used = "it" if conflicts.renewals == 1 else "them"
                return self._refuse(db, row, at, "renew", f"the program allows {allowed}, and this registration "
                                    f"has used {used}", conflicts)
            renewals = row["renewals"] + 1
            claim = _claim(row)
            end = expires_at(Claim(claim.id, claim.partner, claim.registered_at, renewals), conflicts,
                             self.rt.ruleset.time_zone)
            assert end is not None
            db.execute("UPDATE registrations SET renewals = ?, expires_at = ? WHERE id = ?",
                       (renewals, _utc(end), row["id"]))
            self._log(db, at, "renew", row["id"], partner, {"renewals": renewals, "expires_at": _utc(end)})
            return Outcome(row["id"], "renew", True, ACTIVE, row["id"], "registration",
                           f"renewed ({renewals} of {conflicts.renewals}); protected until {end.isoformat()}",
                           _where(conflicts.at), end)

    def withdraw(self, partner: str | None, registration_id: str, at: datetime.datetime) -> Outcome:
        """Withdraw one's own registration in force: the customer is free for others from then on.

        Raises:
            RegistryError: a naive time, or no registration of that id belongs to the partner.
        """
        _aware(at, "the withdrawal time")
        partner, registration_id = self._check_partner(partner), _checked(ids.canonical_id, registration_id,
                                                                          "registration")
        conflicts = self._conflicts(at)
        with self._write() as db:
            row = self._own(db, partner, registration_id)
            refused = self._not_in_force(db, row, at, conflicts, "withdraw")
            if refused is not None:
                return refused
            message = "withdrawn by its claimant"
            db.execute("UPDATE registrations SET status = ?, ended_at = ?, end_rule = ?, end_message = ? "
                       "WHERE id = ?", (WITHDRAWN, _utc(at), "withdrawal", message, row["id"]))
            self._log(db, at, "withdraw", row["id"], partner, {})
            return Outcome(row["id"], "withdraw", True, WITHDRAWN, None, "withdrawal", message, None)

    def mine(self, partner: str | None, *, include_inactive: bool = False) -> list[Registration]:
        """A partner's own registrations in force (with `include_inactive`: every claim it made), oldest first."""
        partner = self._check_partner(partner)
        status = "" if include_inactive else f" AND status = '{ACTIVE}'"
        rows = self._db.execute(f"SELECT * FROM registrations WHERE partner IS ?{status} ORDER BY seq", (partner,))
        return [_registration(r) for r in rows]

    def outcome(self, partner: str | None, claim_id: str) -> Outcome:
        """The outcome of one of the partner's own claims, as it stands now.

        Raises:
            RegistryError: the partner made no claim with that id.
        """
        partner, claim_id = self._check_partner(partner), _checked(ids.canonical_id, claim_id, "claim")
        return _outcome(self._own(self._db, partner, claim_id))

    # --- administrator ---

    def expire(self, at: datetime.datetime) -> int:
        """Mark every registration whose protection ended by `at` as expired; return how many."""
        _aware(at, "the expiry time")
        conflicts = self._conflicts(at)
        if conflicts.expires_after is None:
            return 0
        with self._write() as db:
            expired = 0
            for row in db.execute("SELECT * FROM registrations WHERE status = ? ORDER BY seq", (ACTIVE,)).fetchall():
                if not self._in_force(row, conflicts, at):
                    self._expire(db, row, at, conflicts)
                    expired += 1
        return expired

    def admin_view(self) -> list[Registration]:
        """Every claim of every partner, oldest first."""
        return [_registration(r) for r in self._db.execute("SELECT * FROM registrations ORDER BY seq")]

    def history(self) -> list[HistoryEvent]:
        """Every event, in the order it happened."""
        return [HistoryEvent(r["seq"], datetime.datetime.fromisoformat(r["at"]), r["event"], r["registration"],
                             r["partner"], json.loads(r["detail"]))
                for r in self._db.execute("SELECT * FROM history ORDER BY seq")]

    # --- inside ---

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction (`migrations.write_transaction`)."""
        return write_transaction(self._db, lambda exc: RegistryError(f"the registry {self.path} is busy: {exc}"))

    def _bind_program(self) -> None:
        program = self.rt.ruleset.program_id
        found = self._db.execute("SELECT value FROM meta WHERE key = 'program'").fetchone()
        if found is None:
            with self._write() as db:
                db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('program', ?)", (program,))
                found = db.execute("SELECT value FROM meta WHERE key = 'program'").fetchone()
        if found[0] != program:
            raise RegistryError(f"the registry {self.path} holds the registrations of program `{found[0]}`, "
                                f"not of `{program}`")

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

    def _conflicts(self, at: datetime.datetime) -> ir.Conflicts:
        version = self.rt.version_at(at)
        if version is None:
            raise RegistryError(f"no version of program `{self.rt.ruleset.program_id}` is in force on "
                                f"{instants.local_date(at, self.rt.ruleset.time_zone)}", "E510")
        if version.rules.conflicts is None:
            raise RegistryError(f"version {version.rules.version} of the program has no conflict rules", "E531")
        return version.rules.conflicts

    def _decide(self, deal: Deal, claims: list[Claim]) -> Ownership:
        try:
            return decide(self.rt, deal, claims, self.partners)
        except QuoteError as exc:
            raise RegistryError(exc.message, exc.code, _where(exc.at)) from None
        except EvaluationError as exc:
            raise RegistryError(exc.message, exc.code, _where(exc.at)) from None

    def _held(self, db: sqlite3.Connection, key: identity.CustomerKey) -> list[sqlite3.Row]:
        """The registrations in force for the same customer (expired ones are not marked yet)."""
        rows = db.execute("SELECT * FROM registrations WHERE status = ? AND (customer_name = ? OR "
                          "corporate_number = ?) ORDER BY seq", (ACTIVE, key.name, key.corporate_number)).fetchall()
        return [r for r in rows if identity.same_customer(identity.CustomerKey(r["customer_name"],
                                                                                r["corporate_number"]), key)]

    def _own(self, db: sqlite3.Connection, partner: str | None, claim_id: str) -> sqlite3.Row:
        row: sqlite3.Row | None = db.execute("SELECT * FROM registrations WHERE id = ? AND partner IS ?",
                                             (claim_id, partner)).fetchone()
        if row is None:  # the same words whether the id is unknown or another partner's
            who = f"partner `{partner}`" if partner is not None else "direct sales"
            raise RegistryError(f"{who} has no registration `{claim_id}`")
        return row

    def _in_force(self, row: sqlite3.Row, conflicts: ir.Conflicts, at: datetime.datetime) -> bool:
        end = expires_at(_claim(row), conflicts, self.rt.ruleset.time_zone)
        return end is None or end > at

    def _log(self, db: sqlite3.Connection, at: datetime.datetime, event: str, registration: str,
             partner: str | None, detail: Mapping[str, Any]) -> None:
        db.execute("INSERT INTO history (at, event, registration, partner, detail) VALUES (?, ?, ?, ?, ?)",
                   (_utc(at), event, registration, partner, json.dumps(detail, ensure_ascii=False, sort_keys=True)))

    @staticmethod
    def _insert(db: sqlite3.Connection, row: Mapping[str, Any]) -> None:
        columns = ", ".join(row)  # INVARIANT: the keys are this module's column names, never input
        db.execute(f"INSERT INTO registrations ({columns}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))

    def _accept(self, db: sqlite3.Connection, row: dict[str, Any], at: datetime.datetime, ownership: Ownership,
                held: list[sqlite3.Row], reasons: Mapping[str, Reason], conflicts: ir.Conflicts) -> Outcome:
        won = ownership.decided_by
        assert won is not None
        end = expires_at(Claim(row["id"], row["partner"], at), conflicts, self.rt.ruleset.time_zone)
        self._insert(db, {**row, "status": ACTIVE, "expires_at": _utc(end) if end else None, "rule": won.rule,
                          "message": won.message, "rule_at": _where(won.at)})
        for other in held:
            lost = reasons[other["id"]]
            if lost.outcome == "lost":
                db.execute("UPDATE registrations SET status = ?, ended_at = ?, end_rule = ?, end_message = ?, "
                           "end_rule_at = ?, superseded_by = ? WHERE id = ?",
                           (SUPERSEDED, _utc(at), lost.rule, lost.message, _where(lost.at), row["id"], other["id"]))
                self._log(db, at, "supersede", other["id"], other["partner"], {
                    "by": row["id"], "rule": lost.rule, "message": lost.message, "at": _where(lost.at)})
        self._log(db, at, "accept", row["id"], row["partner"], {
            "rule": won.rule, "message": won.message, "at": _where(won.at), "expires_at": _utc(end) if end else None})
        return Outcome(row["id"], "register", True, ACTIVE, row["id"], won.rule, won.message, _where(won.at), end)

    def _reject_decided(self, db: sqlite3.Connection, row: dict[str, Any], at: datetime.datetime,
                        ownership: Ownership, lost: Reason) -> Outcome:
        if ownership.owner is not None:
            return self._reject(db, row, at, ownership.owner.id, lost.rule, lost.message, _where(lost.at))
        # No rule tells the claims apart (the vendor decides): the registration in force stands meanwhile.
        holder = next(r.claim for r in ownership.reasons if r.outcome == "vendor_decides" and r.claim != row["id"])
        return self._reject(db, row, at, holder, "otherwise (vendor_decides)",
                            f"no rule tells this claim from registration {holder}; that registration stays in "
                            "force unless the vendor decides otherwise", _where(lost.at))

    def _reject(self, db: sqlite3.Connection, row: dict[str, Any], at: datetime.datetime, holder: str, rule: str,
                message: str, where: str | None, action: str = "register") -> Outcome:
        self._insert(db, {**row, "status": REJECTED, "rule": rule, "message": message, "rule_at": where,
                          "holder": holder})
        self._log(db, at, "reject", row["id"], row["partner"], {
            "action": action, "holder": holder, "rule": rule, "message": message, "at": where})
        return Outcome(row["id"], action, False, REJECTED, holder, rule, message, where)

    def _expire(self, db: sqlite3.Connection, row: sqlite3.Row, at: datetime.datetime,
                conflicts: ir.Conflicts) -> datetime.datetime:
        end = expires_at(_claim(row), conflicts, self.rt.ruleset.time_zone)
        assert end is not None
        db.execute("UPDATE registrations SET status = ?, ended_at = ?, end_rule = ?, end_message = ?, "
                   "end_rule_at = ? WHERE id = ?", (EXPIRED, _utc(end), "registration",
                                                     f"the registration expired at {end.isoformat()}",
                                                     _where(conflicts.at), row["id"]))
        self._log(db, at, "expire", row["id"], row["partner"], {"expired_at": _utc(end)})
        return end

    def _not_in_force(self, db: sqlite3.Connection, row: sqlite3.Row, at: datetime.datetime,
                      conflicts: ir.Conflicts, action: str) -> Outcome | None:
        """A refusal when the registration is not in force (marking it expired if its time ran out), else None."""
        if row["status"] == ACTIVE and not self._in_force(row, conflicts, at):
            end = self._expire(db, row, at, conflicts)
            return self._refuse(db, row, at, action, f"the registration expired at {end.isoformat()}; "
                                "register the customer again", conflicts, EXPIRED)
        if row["status"] != ACTIVE:
            return self._refuse(db, row, at, action, f"registration {row['id']} is {row['status']}, not in force",
                                conflicts)
        if at < _claim(row).registered_at:
            raise RegistryError(f"the time {at.isoformat()} is before the registration was made")
        return None

    def _refuse(self, db: sqlite3.Connection, row: sqlite3.Row, at: datetime.datetime, action: str, message: str,
                conflicts: ir.Conflicts, status: str | None = None) -> Outcome:
        status = status or row["status"]
        where = _where(conflicts.at)
        self._log(db, at, "reject", row["id"], row["partner"], {
            "action": action, "rule": "registration", "message": message, "at": where})
        return Outcome(row["id"], action, False, status, row["id"] if status == ACTIVE else None, "registration",
                       message, where, _maybe_local(row["expires_at"], row["utc_offset"]))
