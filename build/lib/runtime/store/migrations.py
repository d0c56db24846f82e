"""The registry's database (deal registrations, and the reseller applications routed so far): opening it, an
SQLite file or a PostgreSQL database (`runtime.store._db`), and its schema migrations.

The schema is a list of numbered migrations (`runtime.store._registry_schema`), one list for both databases.
`schema_version` holds one row per migration applied; opening a database applies the missing ones in order,
each inside its own transaction that first takes the migration lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL:
an advisory lock), so several processes opening a fresh database at once apply each migration exactly once.
A database written by newer code (a version this code does not know) is refused, never touched.

Migrations are append-only: once released, a migration is never edited; a change is a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Self

from runtime.store._db import BUSY_TIMEOUT as BUSY_TIMEOUT
from runtime.store._db import MEMORY as MEMORY
from runtime.store._db import Database, DatabaseUnavailable, Session, open_target, shown, spelling
from runtime.store._db import Migration as Migration
from runtime.store._db import write_transaction as write_transaction
from runtime.store._registry_schema import DEAL_EVENTS as DEAL_EVENTS
from runtime.store._registry_schema import MIGRATIONS as MIGRATIONS


class RegistryError(Exception):
    """A registry request that cannot be carried out: a message in the program's words, and a code when one fits."""

    def __init__(self, message: str, code: str | None = None, at: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.at = at  # file:line:col of the rule involved, when there is one

    def __str__(self) -> str:
        where = f"{self.at}: " if self.at else ""
        code = f" [{self.code}]" if self.code else ""
        return f"{where}{self.message}{code}"


class SchemaError(RegistryError):
    """A database this code cannot use: written by a newer version, or not a registry at all."""


def schema_version(db: sqlite3.Connection | Database | Session) -> int:
    """The version of the schema in a database: the highest migration applied (0 for a fresh one)."""
    if getattr(db, "dialect", "sqlite") == "postgresql":
        found = db.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0] or None
    else:
        found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if found is None:
        return 0
    version: int = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
    return version


def _refuse_newer(path: str, version: int, latest: int) -> None:
    if version > latest:
        raise SchemaError(f"the registry {path} has schema version {version}, written by a newer ppl; this ppl "
                          f"knows versions up to {latest}; upgrade ppl to use it")


def _refuse_other(db: Database, path: str, version: int, migrations: Sequence[Migration]) -> None:
    """A database whose first migration is another list's holds another kind of store: refused, never migrated."""
    if version == 0 or not migrations:
        return
    first = db.execute("SELECT title FROM schema_version WHERE version = 1").fetchone()
    if first is None or first[0] != migrations[0].title:
        raise SchemaError(f"cannot open the registry {path}: it holds another kind of ppl store")


def migrate(db: Database, path: str = "the database", migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the migrations a database lacks, in order, each in one transaction; return its version.

    Each transaction takes the migration lock first and reads the version again under it: another process may
    have migrated meanwhile. A statement is run in the database's own spelling (`runtime.store._db.Spelled`).

    Raises:
        SchemaError: the database has a version newer than the last migration given, or its first
            migration is not the first one given (another kind of store).
    """
    latest = migrations[-1].version if migrations else 0
    assert [m.version for m in migrations] == list(range(1, latest + 1)), "migrations are numbered 1, 2, …"
    version = schema_version(db)
    _refuse_other(db, path, version, migrations)  # first: another kind of store may have more migrations
    _refuse_newer(path, version, latest)
    for migration in migrations[version:]:
        with db.migration() as session:
            session.execute("CREATE TABLE IF NOT EXISTS schema_version "
                            "(version INTEGER PRIMARY KEY, title TEXT NOT NULL)")
            # INVARIANT: read again under the migration lock: another process may have migrated meanwhile.
            version = schema_version(session)
            _refuse_newer(path, version, latest)
            if version < migration.version:
                for statement in migration.statements:
                    text = spelling(statement, db.dialect)
                    if text:
                        session.execute(text)
                session.execute("INSERT INTO schema_version (version, title) VALUES (?, ?)",
                                (migration.version, migration.title))
    return schema_version(db)


def open_database(target: str | Path, migrations: Sequence[Migration] = MIGRATIONS) -> Database:
    """Open (creating on first use) a store's database, migrated to the newest schema: an SQLite file in WAL mode
    with a busy timeout, or a PostgreSQL database named by a `postgresql://` URL (`runtime.store._db`).

    Between transactions the connection is in autocommit mode: callers open their own write transactions.

    Raises:
        RegistryError: the file cannot be opened or is not an SQLite database; the server cannot be reached.
        SchemaError: the database was written by a newer ppl.
    """
    name = shown(target)
    try:
        db = open_target(target)
    except (sqlite3.Error, DatabaseUnavailable) as exc:
        raise RegistryError(f"cannot open the registry {name}: {exc}") from None
    try:
        migrate(db, name, migrations)
    except SchemaError:
        db.close()
        raise
    except db.error as exc:
        db.close()
        raise RegistryError(f"cannot open the registry {name}: {_one_line(exc)}") from None
    return db


def _one_line(exc: Exception) -> str:
    return "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())


class ProgramFile:
    """A registry database bound to one program: opened (and migrated) on construction, its program recorded in
    `meta` on first use and checked on every later one. The deal registry and the reseller applications share it.

    `LOCK` is the table a writer locks on PostgreSQL: each store serialises its own decisions.

    Raises:
        RegistryError: the database cannot be opened, or holds another program's registry.
        SchemaError: the database was written by a newer ppl.
    """

    LOCK = "events"

    def __init__(self, target: str | Path, program: str) -> None:
        self.path = shown(target)  # as messages show it: a URL without its password
        self._db = open_database(target)
        self._db.lost = lambda reason: RegistryError(f"the registry {self.path} cannot be reached: {reason}")
        try:
            self._bind_program(program)
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the database (a PostgreSQL pool closes with the last store of the process using it)."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _write(self) -> AbstractContextManager[Session]:
        """One write transaction holding the store's write lock (`Database.transaction`)."""
        return self._db.transaction(self.LOCK, lambda exc: RegistryError(f"the registry {self.path} is busy: {exc}"))

    def _bind_program(self, program: str) -> None:
        found = self._db.execute("SELECT value FROM meta WHERE key = 'program'").fetchone()
        if found is None:
            with self._write() as db:
                db.execute("INSERT INTO meta (key, value) VALUES ('program', ?) ON CONFLICT (key) DO NOTHING",
                           (program,))
                found = db.execute("SELECT value FROM meta WHERE key = 'program'").fetchone()
        if found[0] != program:
            raise RegistryError(f"the registry {self.path} holds the registrations of program `{found[0]}`, "
                                f"not of `{program}`")
