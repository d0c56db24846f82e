"""The decision log in a PostgreSQL table, shared by every service instance that names the same database.

`PostgresLog(url)` creates the `decisions` table when it is missing (under an advisory lock, so that
instances starting together do not race) and records the schema's version in `decision_log_schema`;
`append` inserts one row through a `psycopg_pool.ConnectionPool` and returns once the row is committed.
`input`, `output` and `caller` are JSONB, written exactly (`decision_log.dumps`: integers, decimal
strings) and read back with decimals as `Decimal`. JSONB keeps the values, not the order of an
object's keys, and refuses the character U+0000 in text.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.types.json import Jsonb, set_json_loads
from psycopg_pool import ConnectionPool, PoolTimeout

from runtime.service.context import Decision
from runtime.service.decision_log import DecisionLogError, OnSkip, Skipped, decode_decision, dumps

SCHEMA_VERSION = 1
"""The version of the table's schema that this ppl writes and reads."""

_LOCK = 0x70706C_6C6F67  # the advisory lock held while the schema is created or checked ("ppllog")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS decision_log_schema (
        version integer PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE IF NOT EXISTS decisions (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        at timestamptz NOT NULL,
        kind text NOT NULL,
        program text NOT NULL,
        ruleset_hash text NOT NULL,
        version text,
        caller jsonb NOT NULL,
        partner text,
        input jsonb NOT NULL,
        output jsonb NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS decisions_program_at ON decisions (program, at)",
    "CREATE INDEX IF NOT EXISTS decisions_partner ON decisions (partner)",
)

_INSERT = ("INSERT INTO decisions (id, at, kind, program, ruleset_hash, version, caller, partner, input, output) "
           "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
_SELECT = "SELECT seq, id, at, kind, program, ruleset_hash, version, caller, input, output FROM decisions ORDER BY seq"


def _exact_loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal)


def _configure(conn: psycopg.Connection[Any]) -> None:
    set_json_loads(_exact_loads, conn)


def migrate(conn: psycopg.Connection[Any]) -> None:
    """Create the table and its indexes when missing, and check the schema's version.

    Raises:
        DecisionLogError: the table was made by a newer ppl (a later schema version).
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        for statement in _SCHEMA:
            conn.execute(statement)
        row = conn.execute("SELECT max(version) FROM decision_log_schema").fetchone()
        found = row[0] if row else None
        if found is None:
            conn.execute("INSERT INTO decision_log_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
        elif found > SCHEMA_VERSION:
            raise DecisionLogError(f"the decisions table has schema version {found}, made by a newer ppl; this "
                                   f"ppl knows version {SCHEMA_VERSION}")


class PostgresLog:
    """A decision log in the `decisions` table of a PostgreSQL database; `append` returns once committed.

    Args:
        url: a `postgresql://` connection URL.
        max_size: the most connections the pool opens (one append holds one while it inserts).
        timeout: how long to wait for the server, or for a free connection, in seconds.

    Raises:
        DecisionLogError: the database cannot be reached, or its table is of a newer schema.
    """

    def __init__(self, url: str, *, max_size: int = 8, timeout: float = 30.0) -> None:
        self._pool = ConnectionPool(url, min_size=1, max_size=max_size, open=False, timeout=timeout,
                                    configure=_configure, name="ppl-decision-log")
        try:
            self._pool.open(wait=True, timeout=timeout)
            with self._pool.connection() as conn:
                migrate(conn)
        except (psycopg.Error, PoolTimeout) as exc:
            self._pool.close()
            raise DecisionLogError(f"cannot open the decision log in PostgreSQL: {_first_line(exc)}") from None
        except DecisionLogError:
            self._pool.close()
            raise

    def append(self, decision: Decision) -> None:
        """Insert one decision and return once it is committed.

        Raises:
            DecisionLogError: the insert failed or no connection was free in time (the decision is not logged).
            TypeError, ValueError: the decision holds a value the log cannot write exactly (a bug of the caller).
        """
        if decision.at.tzinfo is None:
            raise ValueError("a decision's time must carry its UTC offset")
        caller = decision.caller.as_json()
        row = (decision.id, decision.at, decision.kind, decision.program, decision.ruleset_hash, decision.version,
               Jsonb(caller, dumps=dumps), decision.caller.partner, Jsonb(dict(decision.input), dumps=dumps),
               Jsonb(dict(decision.output), dumps=dumps))
        try:
            with self._pool.connection() as conn:  # commits when the block ends without an error
                conn.execute(_INSERT, row)
        except (psycopg.Error, PoolTimeout) as exc:
            raise DecisionLogError(f"cannot write the decision log in PostgreSQL: {_first_line(exc)}") from None

    def close(self) -> None:
        """Close the pool's connections."""
        self._pool.close()

    def __enter__(self) -> PostgresLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def read_table(url: str, on_skip: OnSkip) -> Iterator[Decision]:
    """The decisions of the `decisions` table, in the order they were committed (a row that is not a decision
    is given to `on_skip` with its `seq`).

    Raises:
        DecisionLogError: the database cannot be read, or has no decisions table.
    """
    try:
        conn = psycopg.connect(url)
    except psycopg.Error as exc:
        raise DecisionLogError(f"cannot read the decision log in PostgreSQL: {_first_line(exc)}") from None
    with conn:
        _configure(conn)
        try:
            with conn.cursor(name="ppl_decisions") as cursor:  # a server-side cursor: rows a batch at a time
                cursor.execute(_SELECT)
                for seq, *values in cursor:
                    try:
                        yield _decision(values)
                    except ValueError as exc:
                        on_skip(Skipped(seq, f"not a decision: {exc}"))
        except psycopg.Error as exc:
            raise DecisionLogError(f"cannot read the decision log in PostgreSQL: {_first_line(exc)}") from None


def _decision(values: list[Any]) -> Decision:
    decision_id, at, kind, program, ruleset_hash, version, caller, input_, output = values
    if not isinstance(at, datetime.datetime):
        raise ValueError("`at` is not a time")
    return decode_decision({"id": decision_id, "at": at.isoformat(), "kind": kind, "program": program,
                            "ruleset": {"hash": ruleset_hash, "version": version}, "caller": caller,
                            "input": input_, "output": output})
