"""The one database layer under the stores: an SQLite file, or a PostgreSQL database named by a URL.

A store names its target once: a path (or `:memory:`) opens an SQLite file as it always has (WAL, a busy
timeout, `BEGIN IMMEDIATE`); a `postgresql://` or `postgres://` URL opens a PostgreSQL database through a
connection pool shared by every store of the process on that URL (`runtime.store._pg`, which imports
psycopg: SQLite users need no psycopg). The stores write their SQL once, in SQLite's words with `?`
placeholders; `postgres_sql` turns it into psycopg's (`%s`, and `IS ?` into `IS NOT DISTINCT FROM %s`).
Rows are read by column name on both.

Writers serialise the same way on both: `Database.transaction(lock)` is SQLite's `BEGIN IMMEDIATE`, and on
PostgreSQL a transaction that first takes `LOCK TABLE lock IN SHARE ROW EXCLUSIVE MODE`, which one writer at
a time holds (across processes and machines) and which never blocks a reader. Migrations take an advisory
lock instead (`Database.migration`), since the table to lock may not exist yet.
"""

from __future__ import annotations

import functools
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

BUSY_TIMEOUT = 30.0  # seconds a writer waits for another writer's transaction to end
MEMORY = ":memory:"  # SQLite's name for a database in memory, private to its connection
URL_SCHEMES = ("postgresql", "postgres")

Dialect = Literal["sqlite", "postgresql"]


Row = Any
"""A row, read by column name (`row["seq"]`) or position: `sqlite3.Row`, or `runtime.store._pg.Row`."""


class Cursor(Protocol):
    """What a statement returns: its rows, each read by column name (`row["seq"]`) or position."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Session(Protocol):
    """Something that runs the stores' SQL (`?` placeholders): a database, or one transaction on it."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...


@dataclass(frozen=True, slots=True)
class Spelled:
    """One schema statement in each dialect's words, where they differ (types, numbering, triggers)."""

    sqlite: str
    postgresql: str


Statement = str | Spelled
"""A migration's statement: the same text for both databases, or one spelling for each."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered step of the schema: SQL statements applied together, in one transaction."""

    version: int
    title: str
    statements: tuple[Statement, ...]


def spelling(statement: Statement, dialect: Dialect) -> str:
    """The text of a schema statement for a dialect (empty: the statement is the other dialect's alone)."""
    if isinstance(statement, str):
        return statement
    return statement.sqlite if dialect == "sqlite" else statement.postgresql


def is_url(target: object) -> bool:
    """Whether a store's target is a PostgreSQL URL (`postgresql://…`, `postgres://…`, as libpq spells them)
    rather than a path."""
    return isinstance(target, str) and target.startswith(tuple(f"{scheme}://" for scheme in URL_SCHEMES))


def shown(target: str | Path) -> str:
    """A target as messages show it: a path as given; a URL without its password (nor any query string).

    >>> shown("postgresql://ppl:secret@db.example:5432/deals?sslmode=require")
    'postgresql://ppl@db.example:5432/deals'
    """
    text = str(target)
    if not is_url(text):
        return text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:  # a malformed host or port: show none of it rather than risk showing a password
        return f"{text.split('://', 1)[0]}://…"
    host = f"[{host}]" if ":" in host else host
    user = f"{parts.username}@" if parts.username else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


class DatabaseUnavailable(Exception):
    """A database that cannot be reached or used: the reason, in the server's or the library's words."""


class Database(ABC):
    """An open store database: reads outside any transaction, write transactions, migrations."""

    dialect: Dialect
    name: str  # as messages show it (`shown`)
    error: type[Exception]  # what its driver raises (`sqlite3.Error`, `psycopg.Error`)
    lost: Callable[[str], Exception] = DatabaseUnavailable  # a server that went away, in the store's own error

    @abstractmethod
    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        """Run one statement on its own (reads): its rows."""

    @abstractmethod
    def transaction(self, lock: str, busy: Callable[[Exception], Exception]) -> AbstractContextManager[Session]:
        """One write transaction that holds the store's write lock (`lock`: the table named for it) from its start,
        so what is decided inside sees every earlier commit; committed at the end, rolled back on any error.
        `busy` makes the error raised when the lock cannot be had within `BUSY_TIMEOUT`."""

    @abstractmethod
    def migration(self) -> AbstractContextManager[Session]:
        """One transaction of the schema's migrations, serialised with every other process migrating."""

    @abstractmethod
    def close(self) -> None:
        """Give the connection back (an SQLite file is closed; a pool is closed with its last user)."""


class SqliteDatabase(Database):
    """An SQLite file in WAL mode (or a database in memory), in autocommit mode between transactions."""

    dialect: Dialect = "sqlite"
    error = sqlite3.Error

    def __init__(self, connection: sqlite3.Connection, name: str) -> None:
        self.connection = connection
        self.name = name

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        return self.connection.execute(sql, parameters)

    def transaction(self, lock: str, busy: Callable[[Exception], Exception]) -> AbstractContextManager[Session]:
        return write_transaction(self.connection, busy)

    def migration(self) -> AbstractContextManager[Session]:
        return write_transaction(self.connection, lambda exc: exc)

    def close(self) -> None:
        self.connection.close()


@contextmanager
def write_transaction(db: sqlite3.Connection, busy: Callable[[sqlite3.OperationalError], Exception]
                      ) -> Iterator[sqlite3.Connection]:
    """One SQLite write transaction: the write lock is taken at `BEGIN IMMEDIATE`, so what is decided inside sees
    every earlier commit; committed at the end, rolled back on any error. `busy` makes the error raised when the
    lock cannot be had within the busy timeout."""
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


def open_sqlite(path: str | Path) -> SqliteDatabase:
    """An SQLite file opened in WAL mode with a busy timeout, rows by column name (`sqlite3.Row`).

    Raises:
        sqlite3.Error: the file cannot be opened, is not an SQLite database, or cannot be put in WAL mode.
    """
    name = str(path)
    db = sqlite3.connect(name, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        db.row_factory = sqlite3.Row
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        _use_wal(db, name)
    except BaseException:
        db.close()
        raise
    return SqliteDatabase(db, name)


def open_target(target: str | Path) -> Database:
    """Open a store's target: a `postgresql://` URL through the process's pool for it, else an SQLite file.

    Raises:
        DatabaseUnavailable: the server cannot be reached or refuses the connection, or psycopg is missing.
        sqlite3.Error: the SQLite file cannot be opened (`open_sqlite`).
    """
    if not is_url(target):
        return open_sqlite(target)
    try:
        from runtime.store import _pg
    except ImportError as exc:
        raise DatabaseUnavailable(f"PostgreSQL needs psycopg ({exc.name} is not installed): "
                                  "pip install 'ppl[postgres]'") from None
    return _pg.PostgresDatabase(str(target))


class NotWal(sqlite3.Error):
    """A file SQLite cannot put in WAL mode (a network file system, say)."""


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
        raise NotWal(f"the file cannot be put in WAL mode ({mode}); keep it on a local disk")


@functools.lru_cache(maxsize=512)
def postgres_sql(sql: str) -> str:
    """A statement written for SQLite (`?` placeholders) as psycopg runs it: `%s`, `IS ?` as
    `IS NOT DISTINCT FROM %s` (and `IS NOT ?` as `IS DISTINCT FROM %s`), a literal `%` doubled. Quoted
    text and comments are left as they are.

    >>> postgres_sql("SELECT * FROM t WHERE a = ? AND b IS ? AND c LIKE 'x%?'")
    "SELECT * FROM t WHERE a = %s AND b IS NOT DISTINCT FROM %s AND c LIKE 'x%%?'"
    """
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char in "'\"":
            end = sql.find(char, i + 1)
            end = n if end < 0 else end + 1
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif char == "?":
            out = [_placeholder("".join(out))]
            i += 1
        else:
            out.append("%%" if char == "%" else char)
            i += 1
    return "".join(out)


def _placeholder(before: str) -> str:
    """The text before a `?` and its placeholder: `%s`; after `IS` a null-safe comparison (SQLite's `IS` compares
    NULLs as equal, PostgreSQL's `IS` takes only NULL, TRUE or FALSE)."""
    stripped = before.rstrip()
    for words, comparison in (("IS NOT", "IS DISTINCT FROM %s"), ("IS", "IS NOT DISTINCT FROM %s")):
        head = stripped[: len(stripped) - len(words)]
        if stripped.upper().endswith(words) and (not head or head[-1].isspace()):
            return f"{head}{comparison}"
    return f"{before}%s"
