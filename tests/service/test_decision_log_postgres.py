"""The decision log in PostgreSQL: the table, committed appends from many threads, exact values read back."""

from __future__ import annotations

import threading
from decimal import Decimal

import psycopg
import pytest

from runtime.service import decision_log as dl
from runtime.service.postgres_log import SCHEMA_VERSION, PostgresLog
from tests.service.test_decision_log import decision


def test_decisions_read_back_equal_to_what_was_appended(postgres_url: str) -> None:
    appended = [decision(n) for n in range(5)]
    log = dl.open_log(postgres_url)
    assert isinstance(log, PostgresLog)
    with log:
        for d in appended:
            log.append(d)
    assert list(dl.read_log(postgres_url)) == appended


def test_an_append_is_committed_when_it_returns(postgres_url: str) -> None:
    with PostgresLog(postgres_url) as log:
        log.append(decision(7))
        with psycopg.connect(postgres_url) as other:  # another session sees it: committed
            row = other.execute("SELECT id, partner, caller->>'role', input->'transaction'->>'id' FROM decisions"
                                ).fetchone()
    assert row == (decision(7).id, "ag3-10", "partner", "T7")


def test_the_table_has_its_indexes_and_schema_version_and_a_second_open_keeps_it(postgres_url: str) -> None:
    PostgresLog(postgres_url).close()
    with PostgresLog(postgres_url) as log:
        log.append(decision(1))
    with psycopg.connect(postgres_url) as conn:
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'decisions'")}
        versions = conn.execute("SELECT version FROM decision_log_schema").fetchall()
        types: dict[str, str] = dict(conn.execute("SELECT column_name, data_type FROM information_schema.columns "
                                  "WHERE table_name = 'decisions'").fetchall())
    assert {"decisions_program_at", "decisions_partner"} <= indexes
    assert versions == [(SCHEMA_VERSION,)]
    assert types["input"] == types["output"] == types["caller"] == "jsonb"
    assert types["at"] == "timestamp with time zone"


def test_a_table_of_a_newer_schema_is_refused(postgres_url: str) -> None:
    PostgresLog(postgres_url).close()
    with psycopg.connect(postgres_url) as conn:
        conn.execute("INSERT INTO decision_log_schema (version) VALUES (%s)", (SCHEMA_VERSION + 1,))
    with pytest.raises(dl.DecisionLogError, match="newer ppl"):
        PostgresLog(postgres_url)


def test_appends_from_many_threads_are_all_committed(postgres_url: str) -> None:
    log = PostgresLog(postgres_url, max_size=4)

    def appender(worker: int) -> None:
        for n in range(20):
            log.append(decision(worker * 1000 + n))

    threads = [threading.Thread(target=appender, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    assert len({d.id for d in dl.read_log(postgres_url)}) == 8 * 20


def test_numbers_stay_exact_in_jsonb(postgres_url: str) -> None:
    with PostgresLog(postgres_url) as log:
        log.append(decision(0, input={"amount": Decimal("0.1"), "big": 10**30, "n": 12}, output={"x": 1.5}))
    [read] = dl.read_log(postgres_url)
    assert read.input == {"amount": "0.1", "big": 10**30, "n": 12}
    assert read.output == {"x": Decimal("1.5")}  # a number with a fraction reads back exact, never a float


def test_an_unreachable_database_is_an_error_that_says_so() -> None:
    with pytest.raises(dl.DecisionLogError, match="cannot open the decision log in PostgreSQL"):
        PostgresLog("postgresql://nobody@127.0.0.1:1/none", timeout=1)
    with pytest.raises(dl.DecisionLogError, match="cannot read"):
        list(dl.read_log("postgresql://nobody@127.0.0.1:1/none"))
