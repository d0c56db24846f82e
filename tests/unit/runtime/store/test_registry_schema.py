"""The registry file: created on first use, migrated in order, refused when newer; history is append-only."""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path

import pytest

from runtime.loaded import Runtime
from runtime.store import MIGRATIONS, Registry, RegistryError, SchemaError, TimeOrderError, schema_version
from runtime.store._db import is_url
from runtime.store.migrations import Migration, migrate, open_database
from tests.support.stores import count, database_error, has_table, integrity_error, raw
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


def test_a_fresh_postgresql_database_is_created_with_the_newest_schema(postgres_url: str, rt: Runtime) -> None:
    with Registry(postgres_url, rt, PARTNERS):
        pass
    with raw(postgres_url) as db:
        assert db.execute("SELECT version FROM schema_version ORDER BY version").fetchall() == \
            [(m.version,) for m in MIGRATIONS]
    assert all(has_table(postgres_url, t) for t in ("registrations", "history", "events", "applications", "meta"))


def test_reopening_keeps_the_registrations_and_applies_nothing_twice(store_target: str, rt: Runtime) -> None:
    with Registry(store_target, rt, PARTNERS) as registry:
        first = registry.register("alpha", "ABC", at(6, 1), deal_fields={"region": "kansai"})
    with Registry(store_target, rt, PARTNERS) as registry:
        assert [r.id for r in registry.mine("alpha")] == [first.claim]
        assert registry.register("bravo", "ABC", at(6, 2), deal_fields={"region": "kansai"}).owner == first.claim
    assert count(store_target, "schema_version") == len(MIGRATIONS)


def test_a_later_migration_is_applied_on_reopening_in_its_own_transaction(store_target: str, rt: Runtime) -> None:
    with Registry(store_target, rt, PARTNERS) as registry:
        registry.register("alpha", "ABC", at(6, 1), deal_fields={"region": "kansai"})
    step = Migration(LATEST + 1, "a note on registrations", ("ALTER TABLE registrations ADD COLUMN note TEXT",))
    db = open_database(store_target, (*MIGRATIONS, step))
    try:
        assert schema_version(db) == LATEST + 1
        assert migrate(db, store_target, (*MIGRATIONS, step)) == LATEST + 1  # nothing left to apply
        assert db.execute("SELECT COUNT(*) FROM registrations WHERE note IS NULL").fetchone()[0] == 1
    finally:
        db.close()


def test_a_failing_migration_leaves_the_database_as_it_was(store_target: str, rt: Runtime) -> None:
    Registry(store_target, rt, PARTNERS).close()
    broken = Migration(LATEST + 1, "broken", ("CREATE TABLE half (x INTEGER)", "ALTER TABLE nowhere ADD COLUMN y"))
    with pytest.raises(RegistryError, match="nowhere"):
        open_database(store_target, (*MIGRATIONS, broken))
    db = open_database(store_target)
    try:
        assert schema_version(db) == LATEST
    finally:
        db.close()
    assert not has_table(store_target, "half")


def test_a_database_from_a_newer_ppl_is_refused_untouched(store_target: str, rt: Runtime) -> None:
    Registry(store_target, rt, PARTNERS).close()
    with raw(store_target) as db:
        db.execute("INSERT INTO schema_version (version, title) VALUES (?, 'from the future')", (LATEST + 1,))
        db.commit()
    before = Path(store_target).read_bytes() if not is_url(store_target) else None
    with pytest.raises(SchemaError) as exc:
        Registry(store_target, rt, PARTNERS)
    assert f"schema version {LATEST + 1}" in str(exc.value) and "newer ppl" in str(exc.value)
    assert f"up to {LATEST}" in str(exc.value)
    if before is not None:
        assert Path(store_target).read_bytes() == before
    assert count(store_target, "schema_version") == LATEST + 1


def test_files_that_are_not_a_registry_are_refused(tmp_path: Path, rt: Runtime) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database, just text " * 100, encoding="utf-8")
    with pytest.raises(RegistryError, match="cannot open the registry"):
        Registry(junk, rt, PARTNERS)
    with pytest.raises(RegistryError, match="cannot open the registry"):
        Registry(tmp_path / "no" / "such" / "dir.db", rt, PARTNERS)


def test_a_registry_of_another_program_is_refused(store_target: str, rt: Runtime) -> None:
    Registry(store_target, rt, PARTNERS).close()
    other = Runtime(compile_test_program(PROGRAM.replace("id: registry-test", "id: another-program")))
    with pytest.raises(RegistryError, match="program `registry-test`, not of `another-program`"):
        Registry(store_target, other, PARTNERS)


def test_history_rows_can_be_neither_changed_nor_deleted(store_target: str, rt: Runtime) -> None:
    with Registry(store_target, rt, PARTNERS) as registry:
        registry.register("alpha", "ABC", at(6, 1), deal_fields={"region": "kansai"})
        before = registry.history()
    with raw(store_target) as db:
        for statement in ("UPDATE history SET event = 'accept' WHERE seq = 1",
                          "UPDATE history SET detail = '{}'",
                          "DELETE FROM history WHERE seq = 1",
                          "DELETE FROM history"):
            with pytest.raises(database_error(store_target), match="append-only"):
                db.execute(statement)
            db.rollback()
        db.execute("INSERT INTO history (at, event, registration, partner, detail) VALUES (?, 'renew', 'R1', NULL, "
                   "'{}')", ("2026-06-02T00:00:00.000000+00:00",))  # appending is how it grows
        db.commit()
    with Registry(store_target, rt, PARTNERS) as registry:
        assert registry.history()[: len(before)] == before
        assert [e.seq for e in registry.history()] == list(range(1, len(before) + 2))  # numbered in order


def test_a_postgresql_table_that_is_append_only_cannot_be_truncated(postgres_url: str, rt: Runtime) -> None:
    with Registry(postgres_url, rt, PARTNERS) as registry:
        registry.register("alpha", "ABC", at(6, 1), deal_fields={"region": "kansai"})
    with raw(postgres_url) as db:
        for table in ("history", "events", "applications"):
            with pytest.raises(database_error(postgres_url), match="append-only"):
                db.execute(f"TRUNCATE {table}")
            db.rollback()
    assert count(postgres_url, "history") == 2


# --- a registry of schema 1, written by the previous ppl --------------------------------------------


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _old_registry(path: Path) -> None:
    """A file as the previous ppl left it: migration 1 only, and the rows its registry wrote."""
    open_database(path, MIGRATIONS[:1]).close()
    db = sqlite3.connect(path)
    rows = [  # seq, id, partner, customer, name, registered, status, expires, rule, message, holder, choice, fields
        (1, "R000001", "alpha", "株式会社ABC", "abc", at(6, 1), "active", at(9, 29), "registration",
         "the only registration in force", None, 0, '{"region": ["text", "kansai"]}'),
        (2, "R000002", "bravo", "ABC", "abc", at(6, 2), "rejected", None, "first_registration",
         "another claimant registered first", "R000001", 0, '{"region": ["text", "kansai"]}'),
        (3, "R000003", "delta", "XYZ", "xyz", at(6, 3), "active", at(9, 1), "registration",
         "the only registration in force", None, 1, '{"region": ["text", "kansai"]}'),
    ]
    for seq, rid, partner, customer, name, when, status, expires, rule, message, holder, choice, fields in rows:
        db.execute("INSERT INTO registrations (seq, id, partner, customer, customer_name, registered_at, utc_offset, "
                   "renewals, customer_choice, fields, status, expires_at, rule, message, holder) VALUES "
                   "(?, ?, ?, ?, ?, ?, 32400, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (seq, rid, partner, customer, name, _utc(when), 1 if rid == "R000001" else 0, choice, fields,
                    status, _utc(expires) if expires else None, rule, message, holder))
    history = [(at(6, 1), "register", "R000001", "alpha"), (at(6, 1), "accept", "R000001", "alpha"),
               (at(6, 2), "register", "R000002", "bravo"), (at(6, 2), "reject", "R000002", "bravo"),
               (at(6, 3), "register", "R000003", "delta"), (at(6, 3), "accept", "R000003", "delta"),
               (at(8, 1), "renew", "R000001", "alpha")]
    for when, event, rid, partner in history:
        db.execute("INSERT INTO history (at, event, registration, partner, detail) VALUES (?, ?, ?, ?, '{}')",
                   (_utc(when), event, rid, partner))
    db.execute("INSERT INTO meta (key, value) VALUES ('program', 'registry-test')")
    db.commit()
    db.close()


def test_a_registry_of_schema_1_keeps_its_registrations_and_replays_events_rebuilt_from_history(
        tmp_path: Path, rt: Runtime) -> None:
    path = tmp_path / "old.db"
    _old_registry(path)
    with Registry(path, rt, PARTNERS) as registry:
        assert [(r.id, r.status) for r in registry.admin_view()] == [
            ("R000001", "active"), ("R000002", "rejected"), ("R000003", "active")]
        assert [(e.kind, e.id, e.status) for e in registry.events()] == [
            ("register", "R000001", "imported"), ("register", "R000002", "imported"),
            ("register", "R000003", "imported"), ("choose", "CR000003", "imported"), ("renew", "R000001", "imported")]
        deal = registry.deal("abc", at=at(8, 15))
        assert [(a.event.id, a.status) for a in deal.arrivals] == [
            ("R000001", "accepted"), ("R000002", "held"), ("R000001", "renewed")]
        assert deal.owner.owner is not None and deal.owner.owner.id == "R000001"
        # the renewal rebuilt from the history protects until 9/29: a claim on 9/28 is held, on 9/30 accepted
        assert registry.register("bravo", "ABC", at(9, 28), deal_fields={"region": "kansai"}).arrival == "held"
        later = registry.register("bravo", "ABC", at(9, 30), deal_fields={"region": "kansai"})
        assert later.accepted and registry.outcome("alpha", "R000001").status == "expired"
        with pytest.raises(TimeOrderError):
            registry.renew("alpha", "R000001", at(7, 1))  # earlier than the rebuilt events
        # the old registration marked as the customer's choice: the registration, then the choice, pending
        xyz = registry.deal("XYZ", at=at(6, 4))
        assert [a.status for a in xyz.arrivals] == ["accepted", "pending"]
        assert [e.status for e in registry.events()][5:] == ["held", "accepted"]
        assert [e.event for e in registry.history()][7:] == ["register", "reject", "register", "expire", "accept"]


def test_event_rows_can_be_neither_changed_nor_deleted(store_target: str, rt: Runtime) -> None:
    with Registry(store_target, rt, PARTNERS) as registry:
        registry.register("alpha", "ABC", at(6, 1), deal_fields={"region": "kansai"})
        before = registry.events()
    with raw(store_target) as db:
        for statement in ("UPDATE events SET status = 'held' WHERE seq = 1", "UPDATE events SET holder = NULL",
                          "DELETE FROM events WHERE seq = 1", "DELETE FROM events"):
            with pytest.raises(database_error(store_target), match="append-only"):
                db.execute(statement)
            db.rollback()
        with pytest.raises(integrity_error(store_target)):  # a status no decision gives
            db.execute("INSERT INTO events (kind, event_id, customer, customer_name, at, utc_offset, status, rule, "
                       "message) VALUES ('register', 'R9', 'X', 'x', '2026-06-01', 0, 'maybe', 'r', 'm')")
        db.rollback()
    with Registry(store_target, rt, PARTNERS) as registry:
        assert registry.events() == before
