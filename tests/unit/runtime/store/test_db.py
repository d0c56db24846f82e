"""The database layer under the stores: SQL written once for both databases, targets shown without passwords,
psycopg only for a URL, one pool per URL shared by the process's stores."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from runtime.store import Ledger, Registry, is_url, shown
from runtime.store._db import postgres_sql
from tests.unit.runtime.store._registry_program import PARTNERS, at, build


@pytest.mark.parametrize(("sqlite", "postgresql"), [
    ("SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = %s AND b = %s"),
    ("SELECT * FROM registrations WHERE id = ? AND partner IS ?",
     "SELECT * FROM registrations WHERE id = %s AND partner IS NOT DISTINCT FROM %s"),
    ("SELECT 1 WHERE x IS NOT ?", "SELECT 1 WHERE x IS DISTINCT FROM %s"),
    ("SELECT 1 WHERE this = ?", "SELECT 1 WHERE this = %s"),  # `IS` only as a word
    ("SELECT '?', \"a?\" WHERE x LIKE '5%' AND y = ?", "SELECT '?', \"a?\" WHERE x LIKE '5%%' AND y = %s"),
    ("SELECT 1 -- what? 100%\nWHERE z = ?", "SELECT 1 -- what? 100%%\nWHERE z = %s"),
])
def test_the_stores_sql_is_written_once_and_converted_for_psycopg(sqlite: str, postgresql: str) -> None:
    assert postgres_sql(sqlite) == postgresql


@pytest.mark.parametrize(("target", "url", "seen"), [
    ("deals.db", False, "deals.db"),
    ("/var/lib/ppl/postgresql.db", False, "/var/lib/ppl/postgresql.db"),
    ("postgresql://ppl:s3cret@db.example:5432/deals", True, "postgresql://ppl@db.example:5432/deals"),
    ("postgres://ppl:s3cret@db.example/deals?sslmode=require&password=x", True, "postgres://ppl@db.example/deals"),
    ("postgresql:///deals?host=/run/postgresql", True, "postgresql:///deals"),
    ("postgresql://ppl:pw@[::1/deals", True, "postgresql://…"),  # unreadable: nothing of it shown
    ("POSTGRESQL://db/deals", False, "POSTGRESQL://db/deals"),  # libpq knows the schemes in lowercase alone
])
def test_a_target_is_a_url_or_a_path_and_is_shown_without_its_password(target: str, url: bool, seen: str) -> None:
    assert is_url(target) is url
    assert shown(target) == seen


def test_sqlite_stores_need_no_psycopg_and_a_url_without_it_is_a_clear_error() -> None:
    code = """
import sys
sys.modules["psycopg"] = None  # as if it were not installed
from runtime.store import Ledger, LedgerError
Ledger(":memory:").close()
try:
    Ledger("postgresql://ppl:pw@127.0.0.1:1/ledger")
except LedgerError as exc:
    print(exc)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "cannot open the ledger postgresql://ppl@127.0.0.1:1/ledger: PostgreSQL needs psycopg" in done.stdout
    assert "pip install 'ppl[postgres]'" in done.stdout and "pw" not in done.stdout.replace("pip", "")


def test_the_stores_of_a_process_share_one_pool_per_url_closed_with_the_last(postgres_url: str) -> None:
    from runtime.store import _pg

    rt = build()
    first = Registry(postgres_url, rt, PARTNERS)
    second = Registry(postgres_url, rt, PARTNERS)
    pools = [pool for (_, url), (pool, _) in _pg._pools.items() if url == postgres_url]
    assert len(pools) == 1 and _pg._pools[(os.getpid(), postgres_url)][1] == 2
    first.close()
    first.close()  # closing twice gives the pool back once
    assert not pools[0].closed
    second.close()
    assert pools[0].closed and all(url != postgres_url for _, url in _pg._pools)


def test_a_ledger_and_a_registry_need_databases_of_their_own(postgres_url: str) -> None:
    Ledger(postgres_url).close()
    with pytest.raises(Exception, match="another kind of ppl store"):
        Registry(postgres_url, build(), PARTNERS)


def test_a_connection_the_server_closed_is_replaced_and_a_lost_server_is_the_stores_error(postgres_url: str) -> None:
    from tests.support.stores import raw

    with Registry(postgres_url, build(), PARTNERS) as registry:
        registry.register("alpha", "ABC", at(6, 1), deal_fields={"region": "kansai"})
        with raw(postgres_url) as db:  # as a restart does: every other connection to the database is closed
            db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
            db.commit()
        assert registry.register("bravo", "ABC", at(6, 2), deal_fields={"region": "kansai"}).owner == "R000001"
        assert len(registry.events()) == 2
        assert str(registry._db.lost("gone")) == f"the registry {postgres_url} cannot be reached: gone"
