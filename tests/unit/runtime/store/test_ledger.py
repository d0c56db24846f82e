"""The settlement ledger: runs pay the difference from what was paid; repeats pay nothing; it is never rewritten."""

from __future__ import annotations

import csv
import datetime
import io
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.store import (
    CSV_COLUMNS,
    LEDGER_MIGRATIONS,
    Ledger,
    LedgerError,
    LedgerSchemaError,
    Registry,
    Run,
    SchemaError,
    fiscal_year,
    schema_version,
)
from runtime.store._db import is_url
from runtime.store._ledger_records import Figures, nonzero
from tests.support.stores import count, database_error, integrity_error, raw
from tests.unit.runtime.store._registry_program import PARTNERS as REGISTRY_PARTNERS
from tests.unit.runtime.store._registry_program import build

PROGRAM = "reseller-2026"
SHA = "a" * 64
OTHER_SHA = "b" * 64
LATEST = LEDGER_MIGRATIONS[-1].version
APRIL = 4  # a program year from April to March


def day(month: int, dom: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, dom)


def record(ledger: Ledger, as_of: datetime.date, earned: Figures, sha: str = SHA, program: str = PROGRAM,
           currency: str = "JPY", minor_unit: int = 0) -> Run:
    return ledger.record(program, as_of, sha, earned, currency=currency, minor_unit=minor_unit,
                         fiscal_year_start=APRIL)


def count_runs(target: str) -> int:
    return count(target, "runs")


@pytest.fixture
def path(store_target: str) -> str:
    """The ledger: an SQLite file not created yet, or an empty PostgreSQL database."""
    return store_target


# --- paying the difference ---------------------------------------------------------------------


def test_the_first_run_of_a_year_pays_everything_earned(path: str) -> None:
    with Ledger(path) as ledger:
        run = ledger.record(PROGRAM, day(6, 30), SHA, {"alpha": {"margin": 120_000, "bonus": 50_000}},
                            currency="JPY", minor_unit=0, fiscal_year_start=APRIL)
        assert (run.id, run.program, run.year, run.as_of) == (1, PROGRAM, 2026, day(6, 30))
        assert run.payable() == {"alpha": {"margin": 120_000, "bonus": 50_000}}
        assert [(x.kind, x.paid_before) for x in run.lines] == [("margin", 0), ("bonus", 0)]  # statement order
        assert run.recorded_at.tzinfo == datetime.UTC
        assert ledger.paid_to_date(PROGRAM, 2026) == {"alpha": {"margin": 120_000, "bonus": 50_000}}
        assert ledger.last_run(PROGRAM, 2026) == run


def test_a_later_run_pays_the_difference_and_claws_back_what_is_no_longer_earned(path: str) -> None:
    with Ledger(path) as ledger:
        record(ledger, day(6, 30), {"alpha": {"margin": 100_000, "bonus": 50_000}, "bravo": {"margin": 10_000}})
        run = record(ledger, day(9, 30), {"alpha": {"margin": 180_000, "ladder": 7_000}, "bravo": {"margin": 10_000}})
        assert run.id == 2
        assert {(x.partner, x.kind): (x.earned, x.paid_before, x.payable) for x in run.lines} == {
            ("alpha", "margin"): (180_000, 100_000, 80_000),
            ("alpha", "ladder"): (7_000, 0, 7_000),  # a true-up of the year's earlier volume
            ("alpha", "bonus"): (0, 50_000, -50_000),  # the bonus step is clawed back, once
            ("bravo", "margin"): (10_000, 10_000, 0),
        }
        assert ledger.paid_to_date(PROGRAM, 2026) == {"alpha": {"margin": 180_000, "ladder": 7_000},
                                                      "bravo": {"margin": 10_000}}


def test_re_recording_the_same_as_of_with_the_same_figures_records_nothing_and_pays_nothing(path: str) -> None:
    earned = {"alpha": {"margin": 100_000}}
    with Ledger(path) as ledger:
        first = record(ledger, day(6, 30), earned)
        again = record(ledger, day(6, 30), {"alpha": {"margin": 100_000, "bonus": 0}})  # zeros change nothing
        assert again == first
        assert ledger.paid_to_date(PROGRAM, 2026) == earned
    assert count_runs(path) == 1


def test_the_same_as_of_with_other_figures_is_a_correction_recorded_as_a_new_run(path: str) -> None:
    with Ledger(path) as ledger:
        first = record(ledger, day(6, 30), {"alpha": {"margin": 100_000}})
        corrected = record(ledger, day(6, 30), {"alpha": {"margin": 96_000}})
        assert corrected.id == first.id + 1
        assert corrected.payable() == {"alpha": {"margin": -4_000}}
        assert ledger.runs()[0] == first  # the first run stands as it was
        assert ledger.paid_to_date(PROGRAM, 2026) == {"alpha": {"margin": 96_000}}


def test_the_same_as_of_and_figures_under_another_rule_set_is_a_new_run_that_pays_nothing(path: str) -> None:
    with Ledger(path) as ledger:
        record(ledger, day(6, 30), {"alpha": {"margin": 100_000}})
        rerun = record(ledger, day(6, 30), {"alpha": {"margin": 100_000}}, sha=OTHER_SHA)
        assert rerun.id == 2 and rerun.ruleset_sha256 == OTHER_SHA
        assert rerun.payable() == {"alpha": {"margin": 0}}


def test_a_settlement_older_than_the_years_last_run_is_refused_and_changes_nothing(path: str) -> None:
    with Ledger(path) as ledger:
        record(ledger, day(9, 30), {"alpha": {"margin": 100_000}})
        with pytest.raises(LedgerError) as exc:
            record(ledger, day(6, 30), {"alpha": {"margin": 60_000}})
        assert exc.value.code == "E580"
        assert "older than the ledger's last run" in str(exc.value) and "2026-09-30" in str(exc.value)
        assert ledger.paid_to_date(PROGRAM, 2026) == {"alpha": {"margin": 100_000}}
    assert count_runs(path) == 1


def test_each_program_year_is_settled_apart(path: str) -> None:
    with Ledger(path) as ledger:
        record(ledger, day(3, 31, 2027), {"alpha": {"margin": 900_000}})  # the last day of FY2026
        run = record(ledger, day(4, 30, 2027), {"alpha": {"margin": 50_000}})  # FY2027 starts from nothing
        assert (run.year, run.payable()) == (2027, {"alpha": {"margin": 50_000}})
        late = record(ledger, day(3, 31, 2027), {"alpha": {"margin": 905_000}})  # a late FY2026 correction
        assert (late.year, late.payable()) == (2026, {"alpha": {"margin": 5_000}})


def test_the_program_year_of_an_as_of_follows_the_fiscal_year_start() -> None:
    assert fiscal_year(day(3, 31, 2027), APRIL) == 2026
    assert fiscal_year(day(4, 1, 2027), APRIL) == 2027
    assert fiscal_year(day(1, 1, 2027)) == 2027


def test_programs_in_one_ledger_are_kept_apart(path: str) -> None:
    with Ledger(path) as ledger:
        record(ledger, day(9, 30), {"alpha": {"margin": 100_000}})
        other = record(ledger, day(6, 30), {"alpha": {"margin": 7}}, program="msp-2026", currency="USD",
                       minor_unit=2)
        assert other.payable() == {"alpha": {"margin": 7}}
        assert ledger.paid_to_date("msp-2026", 2026) == {"alpha": {"margin": 7}}
        assert [r.program for r in ledger.runs(PROGRAM)] == [PROGRAM]


def test_a_run_in_another_currency_than_the_programs_earlier_runs_is_refused(path: str) -> None:
    with Ledger(path) as ledger:
        record(ledger, day(6, 30), {"alpha": {"margin": 100_000}})
        for currency, minor_unit in (("USD", 2), ("JPY", 2)):
            with pytest.raises(LedgerError) as exc:
                record(ledger, day(9, 30), {"alpha": {"margin": 100_000}}, currency=currency, minor_unit=minor_unit)
            assert exc.value.code == "E581" and "JPY" in str(exc.value)
    assert count_runs(path) == 1


@pytest.mark.parametrize(("earned", "words", "code"), [
    ({"alpha": {"margin": 1.5}}, "not an amount in minor units", None),
    ({"alpha": {"margin": True}}, "not an amount in minor units", None),
    ({"alpha": {"margin": 1 << 63}}, "64-bit", None),
    ({"alpha": {"Margin!": 1}}, "not a line kind", None),
    ({"al\u200bpha": {"margin": 1}}, "invisible or control character", "E525"),
    ({"": {"margin": 1}}, "not an id", None),
])
def test_figures_that_are_not_a_statements_are_refused(path: str, earned: Figures, words: str,
                                                        code: str | None) -> None:
    with Ledger(path) as ledger, pytest.raises(LedgerError, match=words) as exc:
        record(ledger, day(6, 30), earned)
    assert exc.value.code == code
    assert count_runs(path) == 0


def test_a_run_needs_a_date_a_sha256_a_currency_and_an_aware_recording_time(path: str) -> None:
    earned = {"alpha": {"margin": 1}}
    with Ledger(path) as ledger:
        with pytest.raises(LedgerError, match="not a date"):
            ledger.record(PROGRAM, datetime.datetime(2026, 6, 30, tzinfo=datetime.UTC), SHA, earned,
                          currency="JPY", minor_unit=0)
        with pytest.raises(LedgerError, match="sha256"):
            ledger.record(PROGRAM, day(6, 30), "A" * 64, earned, currency="JPY", minor_unit=0)
        with pytest.raises(LedgerError, match="currency code"):
            ledger.record(PROGRAM, day(6, 30), SHA, earned, currency="yen", minor_unit=0)
        with pytest.raises(LedgerError, match="not a month"):
            ledger.record(PROGRAM, day(6, 30), SHA, earned, currency="JPY", minor_unit=0, fiscal_year_start=13)
        with pytest.raises(LedgerError, match="no timezone") as exc:
            ledger.record(PROGRAM, day(6, 30), SHA, earned, currency="JPY", minor_unit=0,
                          recorded_at=datetime.datetime(2026, 7, 1, 9, 0))
        assert exc.value.code == "E530"
        jst = datetime.timezone(datetime.timedelta(hours=9))
        run = ledger.record(PROGRAM, day(6, 30), SHA, earned, currency="JPY", minor_unit=0,
                            recorded_at=datetime.datetime(2026, 7, 1, 9, 0, tzinfo=jst))
        assert run.recorded_at == datetime.datetime(2026, 7, 1, 0, 0, tzinfo=datetime.UTC)


# --- the property ------------------------------------------------------------------------------

PARTNERS = ("alpha", "bravo", "東京-01")
KINDS = ("margin", "ladder", "bonus", "bonus_clawback", "fee")
amounts = st.integers(min_value=-(10 ** 15), max_value=10 ** 15)
statements = st.dictionaries(st.sampled_from(PARTNERS), st.dictionaries(st.sampled_from(KINDS), amounts, max_size=4),
                             max_size=3)


SEQUENCES = st.lists(st.tuples(st.integers(min_value=0, max_value=3), statements, st.booleans()), min_size=1,
                     max_size=8)


@settings(max_examples=60, deadline=None)
@given(runs=SEQUENCES)
def test_the_payables_of_any_sequence_of_runs_add_up_to_the_last_runs_earned(
        tmp_path_factory: pytest.TempPathFactory, runs: list[tuple[int, Figures, bool]]) -> None:
    with Ledger(tmp_path_factory.mktemp("ledger") / "ledger.db") as ledger:
        _check_sequence(ledger, PROGRAM, runs)


_programs = iter(range(1, 1_000_000))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(runs=SEQUENCES)
def test_the_payables_of_any_sequence_of_runs_add_up_on_postgresql(
        postgres_url: str, runs: list[tuple[int, Figures, bool]]) -> None:
    with Ledger(postgres_url) as ledger:  # one database: each example settles a program of its own
        _check_sequence(ledger, f"program-{next(_programs)}", runs)


def _check_sequence(ledger: Ledger, program: str, runs: list[tuple[int, Figures, bool]]) -> None:
    """Record the runs (each repeated when asked); the payables add up to the last run's earned figures."""
    as_of = day(4, 30)
    for step, earned, repeat in runs:
        as_of += datetime.timedelta(days=10 * step)  # non-decreasing, within FY2026
        run = record(ledger, as_of, earned, program=program)
        if repeat:  # re-recording a run pays nothing new
            assert record(ledger, as_of, earned, program=program) == run
    last = ledger.last_run(program, 2026)
    assert last is not None
    totals: dict[tuple[str, str], int] = {}
    for kept in ledger.runs(program, 2026):
        for line in kept.lines:
            totals[(line.partner, line.kind)] = totals.get((line.partner, line.kind), 0) + line.payable
    earned_last = {(x.partner, x.kind): x.earned for x in last.lines}
    assert {k: v for k, v in totals.items() if v} == {k: v for k, v in earned_last.items() if v}
    assert {k: v for k, v in earned_last.items() if v} == nonzero(runs[-1][1])
    assert {(p, k): v for p, kinds in ledger.paid_to_date(program, 2026).items() for k, v in kinds.items()} == \
        {k: v for k, v in totals.items() if v}


# --- never rewritten ---------------------------------------------------------------------------


@pytest.mark.parametrize("statement", [
    "UPDATE runs SET as_of = '2026-01-01'",
    "UPDATE run_lines SET payable = 0, earned = paid_before",
    "DELETE FROM run_lines",
    "DELETE FROM runs",
])
def test_a_raw_update_or_delete_of_the_ledger_fails(path: str, statement: str) -> None:
    with Ledger(path) as ledger:
        record(ledger, day(6, 30), {"alpha": {"margin": 100_000}})
        before = ledger.runs()
    with raw(path) as db:
        with pytest.raises(database_error(path), match="append-only"):
            db.execute(statement)
        db.rollback()
    with Ledger(path) as ledger:
        assert ledger.runs() == before


def test_a_line_whose_payable_is_not_earned_less_paid_before_cannot_be_inserted(path: str) -> None:
    with Ledger(path) as ledger:
        record(ledger, day(6, 30), {"alpha": {"margin": 100_000}})
    with raw(path) as db, pytest.raises(integrity_error(path), match="(?i)check"):
        db.execute("INSERT INTO run_lines VALUES (1, 'bravo', 'margin', 10, 0, 999)")


# --- the file ----------------------------------------------------------------------------------


def test_a_fresh_file_is_created_with_the_newest_schema_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    Ledger(path).close()
    db = sqlite3.connect(path)
    try:
        assert schema_version(db) == LATEST
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"runs", "run_lines", "schema_version"} <= tables
    finally:
        db.close()


def test_reopening_keeps_the_runs_and_applies_no_migration_twice(path: str) -> None:
    with Ledger(path) as ledger:
        first = record(ledger, day(6, 30), {"alpha": {"margin": 100_000}})
    with Ledger(path) as ledger:
        assert ledger.last_run(PROGRAM, 2026) == first
    assert count(path, "schema_version") == len(LEDGER_MIGRATIONS)


def test_a_ledger_from_a_newer_ppl_is_refused_untouched(path: str) -> None:
    Ledger(path).close()
    with raw(path) as db:
        db.execute("INSERT INTO schema_version (version, title) VALUES (?, 'from the future')", (LATEST + 1,))
        db.commit()
    before = _bytes(path)
    for read_only in (False, True):
        with pytest.raises(LedgerSchemaError) as exc:
            Ledger(path, read_only=read_only)
        assert isinstance(exc.value, SchemaError)
        assert f"the ledger {path} has schema version {LATEST + 1}" in str(exc.value)
        assert "newer ppl" in str(exc.value)
    assert _bytes(path) == before and count(path, "schema_version") == LATEST + 1


def test_files_that_are_not_a_ledger_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database, just text " * 100, encoding="utf-8")
    with pytest.raises(LedgerError, match="is not a ledger: it is not an SQLite database"):
        Ledger(junk)
    with pytest.raises(LedgerError, match="cannot create the ledger .*: there is no directory"):
        Ledger(tmp_path / "no" / "such" / "dir.db")
    Registry(tmp_path / "deals.db", build(), REGISTRY_PARTNERS).close()
    before = (tmp_path / "deals.db").read_bytes()
    with pytest.raises(LedgerSchemaError, match="is not a ledger: it holds another kind of ppl store"):
        Ledger(tmp_path / "deals.db")
    assert (tmp_path / "deals.db").read_bytes() == before


def test_a_registry_refuses_a_ledger_file_untouched(path: str) -> None:
    with Ledger(path) as ledger:
        record(ledger, day(6, 30), {"alpha": {"margin": 100_000}})
    before = _bytes(path)
    with pytest.raises(SchemaError, match="cannot open the registry .* another kind of ppl store"):
        Registry(path, build(), REGISTRY_PARTNERS)
    assert _bytes(path) == before and count(path, "registrations") == 0


def test_a_ledger_refuses_a_registry_untouched(store_target: str) -> None:
    Registry(store_target, build(), REGISTRY_PARTNERS).close()
    for read_only in (False, True):
        with pytest.raises(LedgerSchemaError, match="it holds another kind of ppl store"):
            Ledger(store_target, read_only=read_only)
    assert count(store_target, "runs") == 0


def _bytes(target: str) -> bytes | None:
    """The file's bytes (None for a database on a server)."""
    return None if is_url(target) else Path(target).read_bytes()


# --- export ------------------------------------------------------------------------------------


def _two_runs(path: str) -> list[Run]:
    with Ledger(path) as ledger:
        record(ledger, day(6, 30), {"alpha": {"margin": 100_000, "bonus": 5_000}, "=cmd|' /C calc'!A0": {"fee": 1}})
        record(ledger, day(9, 30), {"alpha": {"margin": 150_000}})
        return list(ledger.runs())


def test_the_json_export_holds_every_run_and_line_exactly(path: str) -> None:
    runs = _two_runs(path)
    out = io.StringIO()
    with Ledger(path) as ledger:
        ledger.export_json(out)
    document = json.loads(out.getvalue())
    assert document["format"] == "ppl-ledger/1"
    assert document["runs"] == [run.to_json() for run in runs]
    assert [x["payable"] for x in document["runs"][1]["lines"]] == [-1, 50_000, -5_000]  # partners by id


def test_the_csv_export_reads_back_to_the_runs_lines_with_formulas_guarded(path: str, tmp_path: Path) -> None:
    runs = _two_runs(path)
    target = tmp_path / "ledger.csv"
    with Ledger(path) as ledger:
        ledger.export_csv(target)
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    expected = [(str(run.id), run.as_of.isoformat(), line.partner, line.kind, str(line.earned),
                 str(line.paid_before), str(line.payable))
                for run in runs for line in run.lines]
    got = [(r["run"], r["as_of"], r["partner"].removeprefix("'"), r["kind"], r["earned"], r["paid_before"],
            r["payable"]) for r in rows]
    assert got == expected
    assert "'=cmd|' /C calc'!A0" in {r["partner"] for r in rows}  # a spreadsheet shows it as text


def test_an_export_to_a_place_that_cannot_be_written_is_a_ledger_error(path: str, tmp_path: Path) -> None:
    _two_runs(path)
    with Ledger(path) as ledger, pytest.raises(LedgerError, match="cannot write"):
        ledger.export_csv(tmp_path)
