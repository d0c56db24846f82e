"""The registry file: created on first use, migrated in order, refused when newer; history is append-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from runtime.loaded import Runtime
from runtime.store import MIGRATIONS, Registry, RegistryError, SchemaError, schema_version
from runtime.store.migrations import Migration, migrate, open_database
from tests.unit.runtime.store._registry_program import PARTNERS, PROGRAM, at, build, compile_test_program

LATEST = MIGRATIONS[-1].version


@pytest.fixture(scope="module")
def rt() -> Runtime:
    return build()


def test_migrations_are_numbered_in_order() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_a_fresh_file_is_created_with_the_newest_schema_in_wal_mode(tmp_path: Path, rt: Runtime) -> None:
    path = tmp_path / "new" / "deals.db"
    path.parent.mkdir()
    with Registry(path, rt, PARTNERS):
        pass
    db = sqlite3.connect(path)
    try:
        assert schema_version(db) == LATEST
        assert db.execute("SELECT version FROM schema_version ORDER BY version").fetchall() == \
            [(m.version,) for m in MIGRATIONS]
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"registrations", "history", "schema_version", "meta"} <= tables
    finally:
        db.close()


def test_reopening_keeps_the_registrations_and_applies_nothing_twice(tmp_path: Path, rt: Runtime) -> None:
    path = tmp_path / "deals.db"
    with Registry(path, rt, PARTNERS) as registry:
        first = registry.register("alpha", "ABC", at(6, 1), deal_fields={"region": "kansai"})
    with Registry(path, rt, PARTNERS) as registry:
        assert [r.id for r in registry.mine("alpha")] == [first.claim]
        assert registry.register("bravo", "ABC", at(6, 2), deal_fields={"region": "kansai"}).owner == first.claim
    db = sqlite3.connect(path)
    try:
        assert db.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)
    finally:
        db.close()


def test_a_later_migration_is_applied_on_reopening_in_its_own_transaction(tmp_path: Path, rt: Runtime) -> None:
    path = tmp_path / "deals.db"
    with Registry(path, rt, PARTNERS) as registry:
        registry.register("alpha", "ABC", at(6, 1), deal_fields={"region": "kansai"})
    step = Migration(LATEST + 1, "a note on registrations", ("ALTER TABLE registrations ADD COLUMN note TEXT",))
    db = open_database(path, (*MIGRATIONS, step))
    try:
        assert schema_version(db) == LATEST + 1
        assert migrate(db, str(path), (*MIGRATIONS, step)) == LATEST + 1  # nothing left to apply
        assert db.execute("SELECT COUNT(*) FROM registrations WHERE note IS NULL").fetchone()[0] == 1
    finally:
        db.close()


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path, rt: Runtime) -> None:
    path = tmp_path / "deals.db"
    Registry(path, rt, PARTNERS).close()
    broken = Migration(LATEST + 1, "broken", ("CREATE TABLE half (x INTEGER)", "ALTER TABLE nowhere ADD COLUMN y"))
    with pytest.raises(RegistryError, match="nowhere"):
        open_database(path, (*MIGRATIONS, broken))
    db = sqlite3.connect(path)
    try:
        assert schema_version(db) == LATEST
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None
    finally:
        db.close()


def test_a_database_from_a_newer_ppl_is_refused_untouched(tmp_path: Path, rt: Runtime) -> None:
    path = tmp_path / "deals.db"
    Registry(path, rt, PARTNERS).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_version (version, title) VALUES (?, 'from the future')", (LATEST + 1,))
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(SchemaError) as exc:
        Registry(path, rt, PARTNERS)
    assert f"schema version {LATEST + 1}" in str(exc.value) and "newer ppl" in str(exc.value)
    assert f"up to {LATEST}" in str(exc.value)
    assert path.read_bytes() == before


def test_files_that_are_not_a_registry_of_this_program_are_refused(tmp_path: Path, rt: Runtime) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database, just text " * 100, encoding="utf-8")
    with pytest.raises(RegistryError, match="cannot open the registry"):
        Registry(junk, rt, PARTNERS)
    with pytest.raises(RegistryError, match="cannot open the registry"):
        Registry(tmp_path / "no" / "such" / "dir.db", rt, PARTNERS)
    path = tmp_path / "deals.db"
    Registry(path, rt, PARTNERS).close()
    other = Runtime(compile_test_program(PROGRAM.replace("id: registry-test", "id: another-program")))
    with pytest.raises(RegistryError, match="program `registry-test`, not of `another-program`"):
        Registry(path, other, PARTNERS)


def test_history_rows_can_be_neither_changed_nor_deleted(tmp_path: Path, rt: Runtime) -> None:
    path = tmp_path / "deals.db"
    with Registry(path, rt, PARTNERS) as registry:
        registry.register("alpha", "ABC", at(6, 1), deal_fields={"region": "kansai"})
        before = registry.history()
    db = sqlite3.connect(path)
    try:
        for statement in ("UPDATE history SET event = 'accept' WHERE seq = 1",
                          "UPDATE history SET detail = '{}'",
                          "DELETE FROM history WHERE seq = 1",
                          "DELETE FROM history"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(statement)
        db.rollback()
        db.execute("INSERT INTO history (at, event, registration, partner, detail) VALUES (?, 'renew', 'R1', NULL, "
                   "'{}')", ("2026-06-02T00:00:00.000000+00:00",))  # appending is how it grows
        db.commit()
    finally:
        db.close()
    with Registry(path, rt, PARTNERS) as registry:
        assert registry.history()[: len(before)] == before
