"""Instants and the program's time zone: calendar dates, the version in force, readers, quotes and the artifact."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from compiler.lower import compile_program
from policy_lang.loader import load_program_text
from runtime import instants, ir_json
from runtime.decisions import QuoteError
from runtime.decisions._fast import figures_of
from runtime.decisions.quote import Quoter
from runtime.io.readers import read_transactions
from runtime.io.values import ValueProblem, parse_day
from runtime.loaded import Runtime
from runtime.model import Partner, Transaction
from tests.unit.runtime.decisions.decision_helpers import build

UTC = datetime.UTC


def _at(text: str) -> datetime.datetime:
    return instants.parse_instant(text)


def test_the_time_zone_decides_the_calendar_date() -> None:
    # 15:00 UTC on 30 September is 00:00 on 1 October in Tokyo (UTC+9, no daylight saving).
    assert instants.local_date(_at("2026-09-30T15:00:00Z"), "Asia/Tokyo") == datetime.date(2026, 10, 1)
    # One second earlier is still 30 September, 23:59:59 in Tokyo.
    assert instants.local_date(_at("2026-09-30T14:59:59Z"), "Asia/Tokyo") == datetime.date(2026, 9, 30)
    # The same instant is still 30 September in New York (UTC−4 in September: 11:00).
    assert instants.local_date(_at("2026-09-30T15:00:00Z"), "America/New_York") == datetime.date(2026, 9, 30)
    # An offset written in the timestamp only says which instant is meant: +09:00 midnight is 15:00 UTC before.
    assert _at("2026-10-01T00:00:00+09:00") == datetime.datetime(2026, 9, 30, 15, tzinfo=UTC)


def test_a_day_starts_at_midnight_in_the_program_time_zone() -> None:
    assert instants.start_of_day(datetime.date(2026, 10, 1), "Asia/Tokyo") == \
        datetime.datetime(2026, 9, 30, 15, tzinfo=UTC)
    assert instants.is_midnight(_at("2026-09-30T15:00:00Z"), "Asia/Tokyo")
    assert not instants.is_midnight(_at("2026-10-01T03:00:00Z"), "Asia/Tokyo")
    # The end of 30 September (exclusive) is the start of 1 October: its last day is 30 September.
    assert instants.last_day(_at("2026-09-30T15:00:00Z"), "Asia/Tokyo") == datetime.date(2026, 9, 30)


@pytest.mark.parametrize("text", ["2026-09-30T15:00:00", "2026-09-30 15:00"])
def test_a_naive_timestamp_is_refused(text: str) -> None:
    with pytest.raises(instants.NaiveTimestamp):
        instants.parse_instant(text)
    with pytest.raises(ValueProblem) as problem:
        parse_day(text, "Asia/Tokyo")
    assert problem.value.code == "E530" and "no UTC offset" in problem.value.reason


def test_parse_day_reads_a_date_or_a_timestamp() -> None:
    assert parse_day("2026-09-30", "Asia/Tokyo") == (datetime.date(2026, 9, 30), None)
    assert parse_day("2026-09-30T15:00:00Z", "Asia/Tokyo") == (datetime.date(2026, 10, 1),
                                                               datetime.datetime(2026, 9, 30, 15, tzinfo=UTC))
    # DuckDB's text for a TIMESTAMPTZ (a Parquet timestamp column): a space and a short offset.
    assert parse_day("2026-09-30 15:00:00+00", "Asia/Tokyo")[0] == datetime.date(2026, 10, 1)
    with pytest.raises(ValueProblem) as problem:
        parse_day("2026-09-30T25:00:00Z", "Asia/Tokyo")
    assert problem.value.code == "E521"


PROGRAM = """\
ppl: 1
program:
  id: test-program
  title: Test program
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  time_zone: {zone}
  rounding: {{mode: down}}
  fiscal_year_start: 4
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
revisions:
  - version: "2026.10"
    effective_from: {start}
    contracts:
      - id: reseller
        kind: distributor
        margin: 20%
"""


def _runtime(start: str, zone: str = "Asia/Tokyo") -> Runtime:
    loaded = load_program_text("t.yaml", PROGRAM.format(start=start, zone=zone))
    assert loaded.program is not None, loaded.diagnostics
    return Runtime(compile_program(loaded.program))


@pytest.mark.parametrize("start", ["2026-10-01", '"2026-09-30T15:00:00Z"', '"2026-10-01T00:00:00+09:00"'])
def test_one_start_in_three_notations_is_one_version_boundary(start: str) -> None:
    rt = _runtime(start)
    rules = rt.ruleset
    assert rules.versions[1].effective_from == datetime.date(2026, 10, 1)
    assert not rules.split_days()
    assert rules.version_at(_at("2026-09-30T14:59:59Z")) is rules.versions[0]
    assert rules.version_at(_at("2026-09-30T15:00:00Z")) is rules.versions[1]
    assert rules.version_on(datetime.date(2026, 9, 30)) is rules.versions[0]
    assert rules.version_on(datetime.date(2026, 10, 1)) is rules.versions[1]


def _txn(day: datetime.date, at: str | None = None) -> Transaction:
    return Transaction("t1", day, "P1", 100_000, 100_000, 1, at=_at(at) if at else None)


def test_a_transaction_instant_picks_the_version_and_the_wholesale() -> None:
    rt = _runtime("2026-10-01")
    quoter = Quoter(rt, {"P1": Partner("P1", "reseller")})
    # 2026-09-30T15:00Z is 1 October in Tokyo: version 2026.10, 20% margin, wholesale ¥100,000 × 80% = ¥80,000.
    q = quoter.quote(_txn(datetime.date(2026, 10, 1), "2026-09-30T15:00:00Z"))
    assert (q.version, q.wholesale) == ("2026.10", 80_000)
    # One second before is 30 September, 23:59:59 in Tokyo: version 2026.04, 10%, wholesale ¥90,000.
    q = quoter.quote(_txn(datetime.date(2026, 9, 30), "2026-09-30T14:59:59Z"))
    assert (q.version, q.wholesale) == ("2026.04", 90_000)


def test_a_version_starting_mid_day_is_chosen_by_the_instant_on_every_path() -> None:
    # The revision starts at 12:00 Tokyo time (03:00 UTC) on 1 October: that day is split.
    rt = _runtime('"2026-10-01T12:00:00+09:00"')
    assert rt.split_days == frozenset({datetime.date(2026, 10, 1)})
    quoter = Quoter(rt, {"P1": Partner("P1", "reseller")})
    morning = _txn(datetime.date(2026, 10, 1), "2026-10-01T11:59:59+09:00")
    afternoon = _txn(datetime.date(2026, 10, 1), "2026-10-01T03:00:00Z")
    for _ in range(2):  # the second time through the plans made the first time
        assert quoter.quote(morning).version == "2026.04"
        assert quoter.quote(afternoon).version == "2026.10"
        assert quoter.figures(afternoon) == figures_of(quoter.reference(afternoon))
        assert quoter.reference(afternoon).wholesale == 80_000
    # A date alone is taken at the start of its day: 00:00, before the revision.
    assert quoter.quote(_txn(datetime.date(2026, 10, 1))).version == "2026.04"


def test_a_version_ending_at_an_instant() -> None:
    loaded = load_program_text("t.yaml", PROGRAM.format(start="2026-10-01", zone="Asia/Tokyo").replace(
        '  fiscal_year_start: 4\n', '  fiscal_year_start: 4\n  effective_until: "2026-09-30T15:00:00Z"\n'))
    assert loaded.program is not None
    rules = compile_program(loaded.program)
    # An `effective_until` instant is exclusive: the version's last day is 30 September.
    assert rules.versions[0].effective_until == datetime.date(2026, 9, 30)
    assert rules.ends_at(rules.versions[0]) == _at("2026-09-30T15:00:00Z")


def test_the_artifact_keeps_the_time_zone_and_the_instants() -> None:
    rules = _runtime('"2026-10-01T12:00:00+09:00"', "Europe/Berlin").ruleset
    again = ir_json.loads(ir_json.dumps(rules))
    assert again == rules
    assert again.time_zone == "Europe/Berlin"
    assert again.versions[1].starts_at == _at("2026-10-01T03:00:00Z")


def test_an_instant_outside_every_version_is_e510() -> None:
    rt = build("contracts:\n  - id: reseller\n    kind: distributor\n    margin: 10%\n")
    quoter = Quoter(rt, {"P1": Partner("P1", "reseller")})
    # 2026-03-31T15:00Z is 1 April in Tokyo (the first day); 14:59 is still 31 March: before the program.
    assert quoter.quote(_txn(datetime.date(2026, 4, 1), "2026-03-31T15:00:00Z")).version == "2026.04"
    with pytest.raises(QuoteError) as error:
        quoter.quote(_txn(datetime.date(2026, 3, 31), "2026-03-31T14:59:00Z"))
    assert error.value.code == "E510"


def test_the_reader_takes_the_date_of_a_timestamp_in_the_program_time_zone(tmp_path: Path) -> None:
    rt = _runtime("2026-10-01")
    path = tmp_path / "t.csv"
    path.write_text("id,date,partner,list_price,sell_price,quantity\n"
                    "T1,2026-09-30T15:00:00Z,P1,1000,1000,1\n"
                    "T2,2026-09-30T23:59:59+09:00,P1,1000,1000,1\n"
                    "T3,2026-09-30T15:00:00,P1,1000,1000,1\n"
                    "T4,2026-09-30,P1,1000,1000,1\n", encoding="utf-8")
    found = {row: item for row, item in read_transactions(path, rt.ruleset)}
    assert isinstance(found[1], Transaction) and found[1].date == datetime.date(2026, 10, 1)
    assert isinstance(found[2], Transaction) and found[2].date == datetime.date(2026, 9, 30)
    assert not isinstance(found[3], Transaction) and (found[3].code, found[3].field) == ("E530", "date")
    assert isinstance(found[4], Transaction) and found[4].at is None


def test_the_guide_of_a_version_starting_mid_day_states_the_time_and_computes_under_it() -> None:
    from runtime.guides import render_guide

    rt = _runtime('"2026-10-01T12:00:00+09:00"')
    en = render_guide(rt.ruleset, "en", runtime=rt)
    assert "in force from 1 October 2026, 12:00 (Asia/Tokyo)" in en
    assert "Dates are calendar days in the Asia/Tokyo time zone" in en
    # The example sale is made when the version is in force (12:00), not at 00:00 under the old one:
    # ¥1,200,000 at 20% margin buys at ¥1,200,000 × 80% = ¥960,000.
    assert "you buy at ¥960,000 (margin 20%)" in en
    ja = render_guide(rt.ruleset, "ja", runtime=rt)
    assert "2026年10月1日 Asia/Tokyo 12:00から適用" in ja and "日付はAsia/Tokyoのタイムゾーンの暦日です" in ja
