"""Raw access to a store's database, SQLite file or PostgreSQL URL alike: what a test does behind the store's
back (an UPDATE the triggers must refuse, a count of rows), with the driver's own errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from runtime.store._db import is_url


@contextmanager
def raw(target: str) -> Iterator[Any]:
    """A DB-API connection to the target (not the store's): SQLite's, or psycopg's; `?` placeholders on both."""
    if not is_url(target):
        db = sqlite3.connect(target)
        try:
            yield db
        finally:
            db.close()
        return
    import psycopg

    with psycopg.connect(target) as connection:
        yield _Converting(connection)


class _Converting:
    """A psycopg connection that runs SQL written with `?` placeholders, as the stores write it."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        from runtime.store._db import postgres_sql

        return self.connection.execute(postgres_sql(sql) if parameters else sql, parameters or None)

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()


def database_error(target: str) -> type[Exception]:
    """What the target's driver raises for a refused statement."""
    if not is_url(target):
        return sqlite3.DatabaseError
    import psycopg

    return psycopg.Error


def integrity_error(target: str) -> type[Exception]:
    """What the target's driver raises for a violated constraint."""
    if not is_url(target):
        return sqlite3.IntegrityError
    import psycopg

    return psycopg.errors.IntegrityError


def count(target: str, table: str) -> int:
    """How many rows a table of the target holds (0 when it does not exist yet)."""
    with raw(target) as db:
        try:
            found: int = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        except database_error(target):
            return 0
        return found


def has_table(target: str, table: str) -> bool:
    """Whether the target's database has a table of that name."""
    with raw(target) as db:
        if is_url(target):
            return bool(db.execute("SELECT to_regclass(?) IS NOT NULL", (table,)).fetchone()[0])
        return db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone() is not None
