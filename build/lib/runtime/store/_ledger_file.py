"""Whether a path is a settlement ledger this ppl can use, decided before SQLite writes to it; opening a ledger
(a file or a PostgreSQL database) for reading alone.

`check_ledger_file` refuses, with E107 and a hint, what is not a ledger (a directory, a file that is
not SQLite, another application's database, a ledger of a newer ppl, another kind of ppl store), a
ledger that cannot be written to, and a path in a missing directory, reading the file without
changing it. `open_read_only` opens a ledger for reading alone, so showing or exporting it never
writes to the file.
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

from runtime.store._db import (
    BUSY_TIMEOUT,
    Database,
    DatabaseUnavailable,
    Session,
    SqliteDatabase,
    is_url,
    open_target,
    shown,
)
from runtime.store._ledger_records import LEDGER_MIGRATIONS, LedgerError, LedgerSchemaError
from runtime.store.migrations import schema_version

FILE_PROBLEM = "E107"
_SQLITE_HEADER = b"SQLite format 3\x00"
_NEW_FILE = "name a file that does not exist yet, and ppl creates the ledger there"
_OWN_DATABASE = "give the ledger a PostgreSQL database of its own (or a schema of its own: options=-csearch_path=…)"


def check_ledger_file(path: Path, writing: bool = True) -> None:
    """Refuse a path that is not a ledger this ppl can use, before SQLite opens it: nothing is written.

    A ledger to write may be a path that does not exist yet (in a directory that does) or an empty file
    (SQLite's new database); one to read must exist and hold a ledger. Refused: a directory, a file with
    no write permission (to write), a file that is not an SQLite database, an SQLite database of another
    application, a ledger of a newer ppl and another kind of ppl store.

    Raises:
        LedgerError: what is wrong with the path (E107), with a hint.
        LedgerSchemaError: a newer ledger, or another kind of ppl store (E107).
    """
    if path.is_dir():
        raise LedgerError(f"{path} is a directory, not a ledger file", FILE_PROBLEM, hint=_NEW_FILE)
    if not path.exists():
        if not writing:
            raise LedgerError(f"there is no ledger file {path}", FILE_PROBLEM,
                              hint="`ppl settle --as-of DATE --ledger FILE` creates it")
        if not path.parent.is_dir():
            raise LedgerError(f"cannot create the ledger {path}: there is no directory {path.parent}", FILE_PROBLEM,
                              hint="create the directory first, or name a ledger in one that exists")
        return
    if writing and not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise LedgerError(f"the ledger {path} is read-only: a settlement cannot be recorded in it", FILE_PROBLEM,
                          hint="give the file write permission (chmod u+w), or settle against another ledger")
    try:
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise LedgerError(f"cannot read the ledger {path}: {exc.strerror or exc}", FILE_PROBLEM) from None
    if not header:
        # INVARIANT: an empty file is a new database to SQLite, and a ledger being created by another process
        # is one for a moment: refusing it would make first use racy. To read, it has no ledger in it yet.
        if writing:
            return
        raise LedgerError(f"{path} is an empty file: there is no ledger in it yet", FILE_PROBLEM,
                          hint="`ppl settle --as-of DATE --ledger FILE` creates the ledger in it")
    if header != _SQLITE_HEADER:
        raise LedgerError(f"{path} is not a ledger: it is not an SQLite database", FILE_PROBLEM, hint=_NEW_FILE)
    _check_tables(path)


def _check_tables(path: Path) -> None:
    """An SQLite file is a ledger of this ppl's schema or older (then migrated), or holds no table yet."""
    try:
        db = _connect_read_only(path)
    except sqlite3.Error as exc:
        raise LedgerError(f"cannot read the ledger {path}: {exc}", FILE_PROBLEM) from None
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and "schema_version" not in tables:
            listed = ", ".join(f"`{t}`" for t in sorted(tables)[:3]) + (" …" if len(tables) > 3 else "")
            raise LedgerSchemaError(f"{path} is not a ledger: it is an SQLite database of another application "
                                    f"(tables {listed})", FILE_PROBLEM, hint=_NEW_FILE)
        if not tables:
            return
        _check_version(db, str(path), schema_version(db), _NEW_FILE)
    except sqlite3.Error as exc:
        raise LedgerError(f"cannot read the ledger {path}: {exc}", FILE_PROBLEM) from None
    finally:
        db.close()


def _connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                           timeout=BUSY_TIMEOUT)


def open_read_only(target: str | Path) -> Database:
    """An existing ledger opened for reading alone (a file, or a PostgreSQL database named by a URL); one of an
    older schema is read after `ppl settle` upgrades it."""
    name = shown(target)
    try:
        db = open_target(target) if is_url(target) else SqliteDatabase(_connect_read_only(Path(target)), name)
    except (sqlite3.Error, DatabaseUnavailable) as exc:
        raise LedgerError(f"cannot read the ledger {name}: {exc}", FILE_PROBLEM) from None
    try:
        if isinstance(db, SqliteDatabase):
            db.connection.row_factory = sqlite3.Row
        version = schema_version(db)
        if is_url(target):  # a file was checked before it was opened (`check_ledger_file`)
            _check_version(db, name, version, _OWN_DATABASE)
    except LedgerError:
        db.close()
        raise
    except db.error as exc:
        db.close()
        raise LedgerError(f"cannot read the ledger {name}: {exc}", FILE_PROBLEM) from None
    if version != LEDGER_MIGRATIONS[-1].version:
        db.close()
        what = "has no ledger in it yet" if version == 0 else f"has the older schema version {version}"
        raise LedgerError(f"the ledger {name} {what}", FILE_PROBLEM,
                          hint="settle against it once with this ppl (`ppl settle --as-of DATE --ledger FILE`)")
    return db


def _check_version(db: Session, name: str, version: int, hint: str) -> None:
    """A ledger of this ppl's schema or older, or nothing yet: not a newer ledger, nor another kind of store."""
    latest = LEDGER_MIGRATIONS[-1].version
    if version > latest:
        raise LedgerSchemaError(f"the ledger {name} has schema version {version}, written by a newer ppl; this "
                                f"ppl knows versions up to {latest}", FILE_PROBLEM,
                                hint="upgrade ppl to read or settle against it")
    if version == 0:
        return
    first = db.execute("SELECT title FROM schema_version WHERE version = 1").fetchone()
    if first is None or first[0] != LEDGER_MIGRATIONS[0].title:
        raise LedgerSchemaError(f"{name} is not a ledger: it holds another kind of ppl store (a deal "
                                "registry?)", FILE_PROBLEM, hint=hint)
