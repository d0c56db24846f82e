"""Reseller applications: the running state of where would-be resellers went, in the registry's database file.

`Applications(path, rt, partners)` shares the SQLite file or PostgreSQL database (and
`runtime.store.migrations.open_database`) with the deal registration registry; its table is migration 3,
append-only like the registry's history. `apply` decides an application inside one write transaction
(SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a lock on `applications`) from the applications recorded before it
(`runtime.decisions.resellers.route_new_reseller`), records it and returns the routing: the write lock
serialises the decisions, so the N-th application is routed knowing the first N−1, even when several
processes apply at once, and replaying the decision over the recorded receipt order gives the
recorded answers.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from runtime import ids, ir
from runtime.decisions.quote import QuoteError
from runtime.decisions.resellers import Application, LeftOut, Reason, ResellerRoute, Routed, route_new_reseller
from runtime.engine import EvaluationError
from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.store._db import Row, Session
from runtime.store._records import _fields, _fields_json, _local, _offset, _utc
from runtime.store.migrations import ProgramFile, RegistryError

_NO_FIELDS: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Recorded:
    """One recorded application: its place in the receipt order and its routing as decided then."""

    seq: int
    route: ResellerRoute
    fields: Mapping[str, Any]


class Applications(ProgramFile):
    """Reseller applications in the registry's database, each routed by the program when it is received.

    Args:
        path: the database file, or a `postgresql://` URL; created, with its schema, on first use.
        rt: the program; the version in force at each application's time routes it.
        partners: the partners, by id (the 1st-tier distributors, and the children already under them).

    Raises:
        RegistryError: the file cannot be opened, or holds another program's registry.
        SchemaError: the file was written by a newer ppl.
    """

    LOCK = "applications"  # PostgreSQL: applications serialise among themselves, apart from deal requests

    def __init__(self, path: str | Path, rt: Runtime, partners: Mapping[str, Partner]) -> None:
        self.rt = rt
        self.partners = partners
        self._inputs = sorted(i.name for i in rt.ruleset.inputs if i.scope == "applicant")
        super().__init__(path, rt.ruleset.program_id)

    def apply(self, applicant: str, at: datetime.datetime, fields: Mapping[str, Any] = _NO_FIELDS) -> ResellerRoute:
        """Route an application received at a time, knowing every application recorded before it, and record it.

        Raises:
            RegistryError: a naive time (E530), an applicant id the identity policy refuses (E525–E528), an
                undeclared applicant field or a value no field can hold, no version in force (E510), a field a
                routing key reads is missing (E500).
        """
        if at.tzinfo is None or at.utcoffset() is None:
            raise RegistryError(f"the application time `{at.isoformat()}` has no timezone; write it with an offset, "
                                "e.g. 2026-06-01T10:00:00+09:00", "E530")
        try:
            applicant = ids.canonical_id(applicant, "applicant")
        except ids.IdProblem as exc:
            raise RegistryError(exc.reason, exc.code) from None
        fields = self._check_fields(fields)
        application = Application(applicant, at, fields)
        with self._write() as db:
            routed = [_routed(r) for r in self._records(db)]
            route = _decided(lambda: route_new_reseller(self.rt, application, self.partners, routed))
            db.execute("INSERT INTO applications (applicant, received_at, utc_offset, fields, partner, version, "
                       "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (applicant, _utc(at), _offset(at), _fields_json(fields, APPLICANT), route.partner,
                        route.version, _detail_json(route)))
        return route

    def records(self) -> list[Recorded]:
        """Every recorded application in receipt order, with its routing as it was decided."""
        return self._records(self._db)

    def routed(self) -> list[Routed]:
        """Every recorded application in receipt order, with where it went: the `earlier` of the next decision."""
        return [_routed(r) for r in self.records()]

    def _records(self, db: Session) -> list[Recorded]:
        rows = db.execute("SELECT * FROM applications ORDER BY seq").fetchall()
        return [_recorded(row) for row in rows]

    def _check_fields(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(fields) - set(self._inputs))
        if unknown:
            declared = ", ".join(f"`{n}`" for n in self._inputs) or "none"
            raise RegistryError(f"unknown applicant field `{unknown[0]}`; the program declares {declared}")
        _fields_json(fields, APPLICANT)  # refuses values no field can hold
        return dict(fields)


def _decided(decide: Callable[[], ResellerRoute]) -> ResellerRoute:
    """The decision's answer; its refusal as a RegistryError with its code (the transaction then rolls back)."""
    try:
        route = decide()
    except QuoteError as exc:
        raise RegistryError(exc.message, exc.code, str(exc.at) if exc.at else None) from None
    except EvaluationError as exc:
        raise RegistryError(exc.message, exc.code, str(exc.at) if exc.at else None) from None
    return route


APPLICANT = "applicant field"


# --- rows ------------------------------------------------------------------------------------------


def _loc(at: ir.Loc | None) -> list[Any] | None:
    return None if at is None else [at.file, at.line, at.col]


def _unloc(data: list[Any] | None) -> ir.Loc | None:
    return None if data is None else ir.Loc(str(data[0]), int(data[1]), int(data[2]))


def _detail_json(route: ResellerRoute) -> str:
    return json.dumps({"reasons": [[r.key, r.rule, r.found, _loc(r.at)] for r in route.reasons],
                       "left_out": [[x.partner, x.key, x.reason, _loc(x.at)] for x in route.left_out]},
                      ensure_ascii=False, sort_keys=True)


def _routed(record: Recorded) -> Routed:
    return Routed(Application(record.route.applicant, record.route.at, record.fields), record.route.partner)


def _recorded(row: Row) -> Recorded:
    detail = json.loads(row["detail"])
    route = ResellerRoute(
        row["applicant"], _local(row["received_at"], row["utc_offset"]), row["version"], row["partner"],
        tuple(Reason(k, rule, found, _unloc(at)) for k, rule, found, at in detail["reasons"]),
        tuple(LeftOut(p, k, reason, _unloc(at)) for p, k, reason, at in detail["left_out"]))
    fields = _fields(row["fields"])
    return Recorded(row["seq"], route, fields)
