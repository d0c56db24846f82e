"""The registry's database file (deal registrations, and the reseller applications routed so far): opening it,
and its schema migrations.

The schema is a list of numbered migrations. `schema_version` holds one row per migration applied;
opening a database applies the missing ones in order, each inside its own `BEGIN IMMEDIATE`
transaction, so several processes opening a fresh file at once apply each migration exactly once.
A database written by newer code (a version this code does not know) is refused, never touched.

Migrations are append-only: once released, a migration is never edited; a change is a new one.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

BUSY_TIMEOUT = 30.0  # seconds a writer waits for another writer's transaction to end
MEMORY = ":memory:"  # SQLite's name for a database in memory, private to its connection


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


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered step of the schema: SQL statements applied together, in one transaction."""

    version: int
    title: str
    statements: tuple[str, ...]


_EVENT_STATUSES = ("accepted", "duplicate", "held", "closed", "outside", "expired", "renewed", "withdrawn", "refused",
                   "applied", "not_applied", "pending", "imported")

DEAL_EVENTS: tuple[str, ...] = (
    f"""CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, -- the order of arrival
        kind TEXT NOT NULL CHECK (kind IN ('register', 'renew', 'withdraw', 'choose', 'close')),
        event_id TEXT NOT NULL,                -- the registration's id; a choice's or a close's own id
        partner TEXT,                          -- the claimant, the chosen partner; NULL: direct sales, or none
        customer TEXT NOT NULL,                -- as written
        customer_name TEXT NOT NULL,           -- normalised (runtime.identity)
        corporate_number TEXT,
        at TEXT NOT NULL,                      -- UTC, ISO 8601 with microseconds: the instant it arrived
        utc_offset INTEGER NOT NULL,           -- seconds; the offset it was written with
        fields TEXT NOT NULL DEFAULT '{{}}',     -- register, close: the declared deal fields, typed JSON
        status TEXT NOT NULL CHECK (status IN ({", ".join(f"'{s}'" for s in _EVENT_STATUSES)})),
        rule TEXT NOT NULL,                    -- the rule that decided, as shown
        message TEXT NOT NULL,
        rule_at TEXT,                          -- file:line:col
        holder TEXT,                           -- the claim owning the deal after the event
        version TEXT,                          -- the program version that decided
        expires_at TEXT                        -- UTC: an accepted or renewed registration is protected until
    )""",
    "CREATE INDEX events_by_name ON events (customer_name)",
    "CREATE INDEX events_by_number ON events (corporate_number)",
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'the registry events are append-only: events are never changed'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'the registry events are append-only: events are never deleted'); END""",
    # A file of schema 1 has no events: rebuild them from `history`, which holds every registration, granted
    # renewal and withdrawal with its instant, in order of arrival. A registration marked as the customer's
    # choice becomes the registration followed, at the same instant, by the customer's choice (`C` + its id).
    # Rebuilt events are `imported`: the next request for the customer replays them under the program.
    """INSERT INTO events (kind, event_id, partner, customer, customer_name, corporate_number, at, utc_offset,
                           fields, status, rule, message)
       SELECT kind, event_id, partner, customer, customer_name, corporate_number, at, utc_offset, fields,
              'imported', 'migration', 'rebuilt from the registry history of schema 1'
       FROM (SELECT h.seq AS hseq, 0 AS step, h.event AS kind, h.registration AS event_id, h.partner AS partner,
                    r.customer AS customer, r.customer_name AS customer_name,
                    r.corporate_number AS corporate_number, h.at AS at, r.utc_offset AS utc_offset,
                    CASE h.event WHEN 'register' THEN r.fields ELSE '{}' END AS fields
             FROM history h JOIN registrations r ON r.id = h.registration
             WHERE h.event IN ('register', 'renew', 'withdraw')
             UNION ALL
             SELECT h.seq, 1, 'choose', 'C' || h.registration, h.partner, r.customer, r.customer_name,
                    r.corporate_number, h.at, r.utc_offset, '{}'
             FROM history h JOIN registrations r ON r.id = h.registration
             WHERE h.event = 'register' AND r.customer_choice = 1)
       ORDER BY hseq, step""",
)
"""The deal part of the schema: every request the registry decides, with its status on arrival (`events`)."""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "registrations, append-only history, program", (
        """CREATE TABLE registrations (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            partner TEXT,                          -- NULL: the vendor's direct sales
            customer TEXT NOT NULL,                -- as the claimant wrote it
            customer_name TEXT NOT NULL,           -- normalised (runtime.identity)
            corporate_number TEXT,                 -- 13 digits, validated
            registered_at TEXT NOT NULL,           -- UTC, ISO 8601 with microseconds
            utc_offset INTEGER NOT NULL,           -- seconds; the offset the time was written with
            renewals INTEGER NOT NULL DEFAULT 0,
            customer_choice INTEGER NOT NULL DEFAULT 0,
            fields TEXT NOT NULL DEFAULT '{}',     -- declared deal fields, typed JSON
            status TEXT NOT NULL
                CHECK (status IN ('active', 'rejected', 'superseded', 'withdrawn', 'expired')),
            expires_at TEXT,                       -- UTC; as computed when accepted or last renewed
            rule TEXT NOT NULL,                    -- the rule that accepted or rejected the claim
            message TEXT NOT NULL,
            rule_at TEXT,                          -- file:line:col
            holder TEXT,                           -- rejected: the registration that held the customer
            ended_at TEXT,                         -- UTC; superseded, withdrawn or expired
            end_rule TEXT,
            end_message TEXT,
            end_rule_at TEXT,
            superseded_by TEXT
        )""",
        "CREATE INDEX registrations_by_name ON registrations (customer_name) WHERE status = 'active'",
        "CREATE INDEX registrations_by_number ON registrations (corporate_number) WHERE status = 'active'",
        "CREATE INDEX registrations_by_partner ON registrations (partner, seq)",
        """CREATE TABLE history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,                      -- UTC; the time the request carried
            event TEXT NOT NULL CHECK (event IN
                ('register', 'accept', 'reject', 'renew', 'withdraw', 'expire', 'supersede')),
            registration TEXT NOT NULL,
            partner TEXT,
            detail TEXT NOT NULL                   -- JSON
        )""",
        """CREATE TRIGGER history_no_update BEFORE UPDATE ON history
           BEGIN SELECT RAISE(ABORT, 'the registry history is append-only: events are never changed'); END""",
        """CREATE TRIGGER history_no_delete BEFORE DELETE ON history
           BEGIN SELECT RAISE(ABORT, 'the registry history is append-only: events are never deleted'); END""",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    )),
    Migration(2, "deal events, append-only, rebuilt from history", DEAL_EVENTS),
    Migration(3, "reseller applications and where each went", (
        """CREATE TABLE applications (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- the receipt order
            applicant TEXT NOT NULL,
            received_at TEXT NOT NULL,             -- UTC, ISO 8601 with microseconds
            utc_offset INTEGER NOT NULL,           -- seconds; the offset the time was written with
            fields TEXT NOT NULL DEFAULT '{}',     -- declared applicant fields, typed JSON
            partner TEXT,                          -- the 1st-tier distributor it went to; NULL: the vendor
            version TEXT NOT NULL,                 -- the program version that routed it
            detail TEXT NOT NULL                   -- JSON: the reasons, and who was left out and why
        )""",
        """CREATE TRIGGER applications_no_update BEFORE UPDATE ON applications
           BEGIN SELECT RAISE(ABORT, 'reseller applications are append-only: they are never changed'); END""",
        """CREATE TRIGGER applications_no_delete BEFORE DELETE ON applications
           BEGIN SELECT RAISE(ABORT, 'reseller applications are append-only: they are never deleted'); END""",
    )),
)
"""Every migration, in order; the last one's version is the schema this code writes."""


def schema_version(db: sqlite3.Connection) -> int:
    """The version of the schema in a database: the highest migration applied (0 for a fresh file)."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if found is None:
        return 0
    version: int = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
    return version


def _refuse_newer(path: str, version: int, latest: int) -> None:
    if version > latest:
        raise SchemaError(f"the registry {path} has schema version {version}, written by a newer ppl; this ppl "
                          f"knows versions up to {latest}; upgrade ppl to use it")


def _refuse_other(db: sqlite3.Connection, path: str, version: int, migrations: Sequence[Migration]) -> None:
    """A file whose first migration is another list's holds another kind of store: refused, never migrated."""
    if version == 0 or not migrations:
        return
    first = db.execute("SELECT title FROM schema_version WHERE version = 1").fetchone()
    if first is None or first[0] != migrations[0].title:
        raise SchemaError(f"cannot open the registry {path}: it holds another kind of ppl store")


def migrate(db: sqlite3.Connection, path: str = "the database",
            migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the migrations a database lacks, in order, each in one transaction; return its version.

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
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, title TEXT NOT NULL)")
            # INVARIANT: read again under the write lock: another process may have migrated meanwhile.
            version = schema_version(db)
            _refuse_newer(path, version, latest)
            if version < migration.version:
                for statement in migration.statements:
                    db.execute(statement)
                db.execute("INSERT INTO schema_version (version, title) VALUES (?, ?)",
                           (migration.version, migration.title))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return schema_version(db)


def _busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY or "database is locked" in str(exc)


def _use_wal(db: sqlite3.Connection, name: str) -> None:
    """Put the file in WAL mode: readers never block the writer, nor the writer readers. It persists in the file.

    Switching a fresh file needs it to itself, and SQLite answers "locked" at once, without the busy timeout,
    when other processes are opening it too: so retry, with a growing pause, up to the busy timeout. A database
    in memory (`:memory:`, one connection's own: worked examples, tests) has no file to share and keeps its
    journal in memory.
    """
    if name == MEMORY:
        return
    waited, pause = 0.0, 0.002
    while True:
        try:
            mode = db.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            break
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or waited >= BUSY_TIMEOUT:
                raise
        time.sleep(pause)
        waited += pause
        pause = min(pause * 2, 0.1)
    if mode != "wal":
        raise RegistryError(f"cannot open the registry {name}: the file cannot be put in WAL mode ({mode}); "
                            "keep it on a local disk")


@contextmanager
def write_transaction(db: sqlite3.Connection, busy: Callable[[sqlite3.OperationalError], Exception]
                      ) -> Iterator[sqlite3.Connection]:
    """One write transaction: the write lock is taken at `BEGIN IMMEDIATE`, so what is decided inside sees every
    earlier commit; committed at the end, rolled back on any error. `busy` makes the error raised when the lock
    cannot be had within the busy timeout."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise busy(exc) from None
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def open_database(path: str | Path, migrations: Sequence[Migration] = MIGRATIONS) -> sqlite3.Connection:
    """Open (creating on first use) a registry file in WAL mode, with a busy timeout, migrated to the newest schema.

    The connection is in autocommit mode: callers open their own `BEGIN IMMEDIATE` transactions.

    Raises:
        RegistryError: the file cannot be opened or is not an SQLite database.
        SchemaError: the database was written by a newer ppl.
    """
    name = str(path)
    try:
        db = sqlite3.connect(name, timeout=BUSY_TIMEOUT, isolation_level=None)
    except sqlite3.Error as exc:
        raise RegistryError(f"cannot open the registry {name}: {exc}") from None
    try:
        db.row_factory = sqlite3.Row
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        _use_wal(db, name)
        migrate(db, name, migrations)
    except SchemaError:
        db.close()
        raise
    except sqlite3.Error as exc:
        db.close()
        raise RegistryError(f"cannot open the registry {name}: {exc}") from None
    return db


class ProgramFile:
    """A registry file bound to one program: opened (and migrated) on construction, its program recorded in `meta`
    on first use and checked on every later one. The deal registry and the reseller applications share it.

    Raises:
        RegistryError: the file cannot be opened, or holds another program's registry.
        SchemaError: the file was written by a newer ppl.
    """

    def __init__(self, path: str | Path, program: str) -> None:
        self.path = str(path)
        self._db = open_database(path)
        try:
            self._bind_program(program)
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the database file."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction (`write_transaction`)."""
        return write_transaction(self._db, lambda exc: RegistryError(f"the registry {self.path} is busy: {exc}"))

    def _bind_program(self, program: str) -> None:
        found = self._db.execute("SELECT value FROM meta WHERE key = 'program'").fetchone()
        if found is None:
            with self._write() as db:
                db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('program', ?)", (program,))
                found = db.execute("SELECT value FROM meta WHERE key = 'program'").fetchone()
        if found[0] != program:
            raise RegistryError(f"the registry {self.path} holds the registrations of program `{found[0]}`, "
                                f"not of `{program}`")
