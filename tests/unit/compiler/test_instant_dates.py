"""Effective dates written as instants: the checker compares instants (E401, E402, E404, E407)."""

from __future__ import annotations

from compiler.pipeline import check_program
from policy_lang.loader import load_program_text

PROGRAM = """\
ppl: 1
program:
  id: t
  title: T
  version: "1"
  effective_from: 2026-04-01
  effective_until: {until}
  currency: JPY
  time_zone: {zone}
  rounding: {{mode: down}}
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
revisions:
  - version: "2"
    effective_from: {start}
"""


def _found(until: str, start: str, zone: str = "Asia/Tokyo") -> list[tuple[str, str]]:
    loaded = load_program_text("t.yaml", PROGRAM.format(until=until, start=start, zone=zone))
    assert loaded.program is not None, loaded.diagnostics
    return [(d.code, d.message) for d in check_program(loaded.program)]


def test_an_end_instant_equal_to_the_next_start_is_no_overlap() -> None:
    # Version 1 ends at 00:00 on 1 October in Tokyo (exclusive); version 2 starts at that instant.
    assert _found('"2026-09-30T15:00:00Z"', "2026-10-01") == []
    # The last day written as a date ends at the same instant.
    assert _found("2026-09-30", '"2026-10-01T00:00:00+09:00"') == []


def test_an_end_instant_past_the_next_start_overlaps() -> None:
    # 12:00 in Tokyo is after the revision's 11:00 start: one hour in force twice.
    assert _found('"2026-10-01T12:00:00+09:00"', '"2026-10-01T11:00:00+09:00"') == [
        ("E402", "version `2` from 2026-10-01 11:00 overlaps version `1`, in force until 2026-10-01 12:00 "
                 "(Asia/Tokyo)")]


def test_the_time_zone_moves_the_midnight_of_a_date() -> None:
    # In New York, 2026-10-01 starts at 04:00 UTC (EDT, UTC−4): an end at 02:00 UTC leaves a gap, no overlap,
    # while in Tokyo the same end (11:00 on 1 October) overlaps a revision dated 1 October.
    assert _found('"2026-10-01T02:00:00Z"', "2026-10-01", "America/New_York") == []
    assert [c for c, _ in _found('"2026-10-01T02:00:00Z"', "2026-10-01")] == ["E402"]


def test_a_start_before_the_previous_start_is_out_of_order_and_the_same_instant_is_e407() -> None:
    assert [c for c, _ in _found("2026-12-31", '"2026-03-31T14:00:00Z"')] == ["E404"]
    assert [c for c, _ in _found("2026-12-31", '"2026-03-31T15:00:00Z"')] == ["E407"]


def test_an_end_before_the_start_at_instants() -> None:
    found = _found('"2026-03-31T15:00:00Z"', "2026-10-01")
    assert found[0][0] == "E401" and "ends at 2026-04-01 00:00 before it starts at 2026-04-01 00:00" in found[0][1]
