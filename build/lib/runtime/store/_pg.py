"""The stores on PostgreSQL: psycopg 3, and one connection pool per URL shared by the process's stores.

Imported only when a store is given a `postgresql://` URL (`runtime.store._db.open_target`). Every store
opened on a URL in a process borrows from the same `psycopg_pool.ConnectionPool`; the pool is closed when
the last of them closes. Connections run in autocommit mode: a read is one statement, a write is one
transaction that first takes the store's table lock (`SHARE ROW EXCLUSIVE`: one writer at a time, readers
never blocked), waiting at most `BUSY_TIMEOUT` for it; migrations serialise on an advisory lock.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import errors, sql
from psycopg.rows import RowMaker
from psycopg_pool import ConnectionPool

from runtime.store._db import BUSY_TIMEOUT, Cursor, Database, DatabaseUnavailable, Dialect, postgres_sql, shown

POOL_MIN_SIZE = 1  # connections a pool keeps open
POOL_MAX_SIZE = 10  # connections a pool opens at most; more callers wait for one (up to BUSY_TIMEOUT)
CONNECT_TIMEOUT = 10  # seconds to reach the server when a store opens
MIGRATION_LOCK = int.from_bytes(hashlib.sha256(b"ppl schema migrations").digest()[:8], "big", signed=True)
"""The advisory lock every process migrating a database takes first (a key of PostgreSQL's 64-bit lock space)."""

class Row:
    """A row read by column name (`row["seq"]`) or by position, as `sqlite3.Row` reads it."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: dict[str, int], values: Sequence[Any]) -> None:
        self._names = names
        self._values = values

    def __getitem__(self, key: int | str) -> Any:
        return self._values[key if isinstance(key, int) else self._names[key]]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._names)


def _rows(cursor: psycopg.Cursor[Any]) -> RowMaker[Row]:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(names, values)


class _Fetched:
    """The rows of a read, fetched whole before its connection went back to the pool."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = iter(rows)

    def fetchone(self) -> Any:
        return next(self._rows, None)

    def fetchall(self) -> list[Any]:
        return list(self._rows)

    def __iter__(self) -> Iterator[Any]:
        return self._rows


class _Session:
    """One transaction on a pooled connection; the stores' SQL (`?`) converted for psycopg."""

    dialect: Dialect = "postgresql"

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._connection = connection

    def execute(self, statement: str, parameters: Sequence[Any] = (), /) -> Cursor:
        if not parameters:  # run as written: psycopg reads no placeholder in a statement without parameters
            return self._connection.execute(statement)
        return self._connection.execute(postgres_sql(statement), tuple(parameters))


# --- pools ------------------------------------------------------------------------------------------

_lock = threading.Lock()
_pools: dict[tuple[int, str], tuple[ConnectionPool[Any], int]] = {}  # (process, URL) → the pool, its users


def _reason(exc: BaseException, url: str) -> str:
    """The server's or the network's words, on one line, never with the URL's password."""
    text = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    password = urlsplit(url).password
    return text.replace(password, "***") if password else text


def _acquire(url: str) -> ConnectionPool[Any]:
    """The process's pool for a URL (opened on first use, after one connection proves the server reachable)."""
    key = (os.getpid(), url)
    with _lock:
        found = _pools.get(key)
        if found is None:
            try:
                psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT).close()
            except psycopg.Error as exc:
                raise DatabaseUnavailable(_reason(exc, url)) from None
            # `check`: a connection the server closed (a restart, a failover) is replaced before it is lent
            pool: ConnectionPool[Any] = ConnectionPool(
                url, min_size=POOL_MIN_SIZE, max_size=POOL_MAX_SIZE, timeout=BUSY_TIMEOUT, open=True,
                check=ConnectionPool.check_connection,
                kwargs={"autocommit": True, "row_factory": _rows, "connect_timeout": CONNECT_TIMEOUT})
            found = (pool, 0)
        _pools[key] = (found[0], found[1] + 1)
        return found[0]


def _release(url: str) -> None:
    key = (os.getpid(), url)
    with _lock:
        pool, users = _pools[key]
        if users > 1:
            _pools[key] = (pool, users - 1)
            return
        del _pools[key]
    pool.close()


@atexit.register
def _close_all() -> None:
    with _lock:
        mine = [pool for (pid, _), (pool, _) in _pools.items() if pid == os.getpid()]
        _pools.clear()
    for pool in mine:
        pool.close()


class PostgresDatabase(Database):
    """A PostgreSQL database named by a URL, through the process's pool for it."""

    dialect: Dialect = "postgresql"
    error = psycopg.Error

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = shown(url)
        self._pool = _acquire(url)
        self._open = True

    def execute(self, statement: str, parameters: Sequence[Any] = (), /) -> Cursor:
        try:
            with self._pool.connection() as connection:
                cursor = _Session(connection).execute(statement, parameters)
                return _Fetched(cursor.fetchall() if getattr(cursor, "description", None) else [])
        except psycopg.OperationalError as exc:  # the server went away, or no connection came in time
            raise self.lost(_reason(exc, self.url)) from None

    def transaction(self, lock: str, busy: Callable[[Exception], Exception]) -> AbstractContextManager[_Session]:
        return self._transaction(lock, busy)

    @contextmanager
    def _transaction(self, lock: str, busy: Callable[[Exception], Exception]) -> Iterator[_Session]:
        try:
            with self._pool.connection() as connection, connection.transaction():
                connection.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(f"{int(BUSY_TIMEOUT * 1000)}ms"))
                try:
                    connection.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE")
                                       .format(sql.Identifier(lock)))
                except errors.LockNotAvailable as exc:
                    raise busy(exc) from None
                yield _Session(connection)
        except psycopg.OperationalError as exc:  # the server went away mid-way: nothing was committed
            raise self.lost(_reason(exc, self.url)) from None

    def migration(self) -> AbstractContextManager[_Session]:
        return self._migration()

    @contextmanager
    def _migration(self) -> Iterator[_Session]:
        with self._pool.connection() as connection, connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            yield _Session(connection)

    def close(self) -> None:
        if self._open:
            self._open = False
            _release(self.url)
