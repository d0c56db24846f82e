"""The JSON Lines decision log: exact lines, durable appends with shared syncs, torn lines skipped."""

from __future__ import annotations

import datetime
import errno
import json
import logging
import os
import threading
import uuid
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from runtime.service import decision_log as dl
from runtime.service.context import Caller, Decision

AT = datetime.datetime(2026, 4, 1, 0, 30, 0, 123456, tzinfo=datetime.UTC)


def decision(n: int = 0, **changes: Any) -> Decision:
    values: dict[str, Any] = {
        "id": str(uuid.UUID(int=n + 1)), "at": AT + datetime.timedelta(seconds=n), "kind": "quote",
        "program": "ad_agency", "ruleset_hash": "sha256:ab", "version": "2026.04",
        "caller": Caller("key-1", "partner", "ag3-10"),
        "input": {"transaction": {"id": f"T{n}", "list_price": 10**20 + n, "note": "広告\u2028枠"}},
        "output": {"partner_gross": 864000, "margin": "0.21"}}
    values.update(changes)
    return Decision(**values)


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def synced_ids(path: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The ids on disk at each sync of the log at `path` (each sync made a little slow, so that appends pile up)."""
    synced: set[str] = set()
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        real_fsync(fd)
        synced.update(json.loads(line)["id"] for line in lines(path) if line)
        threading.Event().wait(0.002)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    return synced


def test_a_decision_is_one_line_with_the_keys_in_order_and_its_time_in_utc(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    tokyo = datetime.timezone(datetime.timedelta(hours=9))
    with dl.JsonLinesLog(path) as log:
        log.append(decision(at=datetime.datetime(2026, 4, 1, 9, 30, tzinfo=tokyo)))
    [line, end] = lines(path)
    assert end == b""
    data = json.loads(line)
    assert list(data) == list(dl.KEYS)
    assert data["at"] == "2026-04-01T00:30:00.000000Z"
    assert data["ruleset"] == {"hash": "sha256:ab", "version": "2026.04"}
    assert data["caller"] == {"key": "key-1", "role": "partner", "partner": "ag3-10"}
    assert "広告" in line.decode("utf-8")  # UTF-8 as it is


def test_decisions_read_back_equal_to_what_was_appended(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    appended = [decision(n) for n in range(5)]
    with dl.JsonLinesLog(path) as log:
        for d in appended:
            log.append(d)
    assert list(dl.read_log(path)) == appended
    assert list(dl.read_log(str(path))) == appended  # a path given as text is a file too


def test_money_stays_exact_decimals_and_fractions_become_strings(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    with dl.JsonLinesLog(path) as log:
        log.append(decision(input={"amount": Decimal("1234567890123456789.10"), "rate": Fraction(1, 3),
                                   "big": 10**30, "day": datetime.date(2026, 4, 1)}))
    [read] = dl.read_log(path)
    assert read.input == {"amount": "1234567890123456789.10", "rate": "1/3", "big": 10**30, "day": "2026-04-01"}


def test_a_value_the_log_cannot_write_exactly_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    with dl.JsonLinesLog(path) as log:
        with pytest.raises(TypeError):
            log.append(decision(input={"x": object()}))
        with pytest.raises(ValueError):
            log.append(decision(input={"x": Decimal("NaN")}))
        with pytest.raises(ValueError, match="UTC offset"):
            log.append(decision(at=datetime.datetime(2026, 4, 1)))
    assert path.read_bytes() == b""


def test_every_append_returns_after_a_sync_that_covers_its_line_and_appenders_share_syncs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "decisions.jsonl"
    synced = synced_ids(path, monkeypatch)
    uncovered: list[str] = []
    log = dl.JsonLinesLog(path)

    def appender(worker: int) -> None:
        for n in range(25):
            d = decision(worker * 1000 + n)
            log.append(d)
            if d.id not in synced:
                uncovered.append(d.id)

    threads = [threading.Thread(target=appender, args=(w,)) for w in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    assert uncovered == []
    assert len(list(dl.read_log(path))) == 16 * 25
    assert log.syncs < 16 * 25 / 2  # group commit: one sync served several appends


def test_a_torn_last_line_is_skipped_and_a_reopened_log_starts_on_a_new_line(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    with dl.JsonLinesLog(path) as log:
        log.append(decision(0))
        log.append(decision(1))
    torn = dl.encode_decision(decision(2))[:-30]  # a crash cut the third write short
    with open(path, "ab") as handle:
        handle.write(torn)
    skipped: list[dl.Skipped] = []
    assert [d.id for d in dl.read_log(path, skipped.append)] == [decision(0).id, decision(1).id]
    assert [s.line for s in skipped] == [3] and "cut short" in skipped[0].reason

    with dl.JsonLinesLog(path) as log:
        log.append(decision(3))
    skipped.clear()
    assert [d.id for d in dl.read_log(path, skipped.append)] == [decision(n).id for n in (0, 1, 3)]
    assert [s.line for s in skipped] == [3] and "not JSON" in skipped[0].reason


def test_a_complete_line_cut_only_before_its_end_is_still_not_taken_for_a_decision(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    path.write_bytes(dl.encode_decision(decision(0)) + dl.encode_decision(decision(1))[:-1])
    skipped: list[dl.Skipped] = []
    assert [d.id for d in dl.read_log(path, skipped.append)] == [decision(0).id]
    assert [s.line for s in skipped] == [2]


@pytest.mark.parametrize(("line", "reason"), [
    (b"garbage", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"id": "x"}', "no `at`"),
    (b"\xff\xfe", "not UTF-8"),
    (b"", "an empty line"),
])
def test_a_line_that_is_not_a_decision_is_skipped_with_its_number(tmp_path: Path, line: bytes, reason: str,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "decisions.jsonl"
    path.write_bytes(dl.encode_decision(decision(0)) + line + b"\n" + dl.encode_decision(decision(1)))
    with caplog.at_level(logging.WARNING, logger="ppl.decision_log"):
        assert [d.id for d in dl.read_log(path)] == [decision(0).id, decision(1).id]
    [record] = caplog.records
    assert "line 2 is not a decision" in record.getMessage() and reason in record.getMessage()


def test_a_record_with_a_bad_field_names_the_field() -> None:
    data = dl.decision_json(decision(0))
    data["caller"] = {"key": "k", "role": "root", "partner": None}
    with pytest.raises(ValueError, match="caller.role"):
        dl.decode_decision(json.loads(dl.dumps(data)))


def test_one_process_writes_a_log_file_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    with dl.JsonLinesLog(path):
        with pytest.raises(dl.DecisionLogError, match="another process is writing it"):
            dl.JsonLinesLog(path)
    dl.JsonLinesLog(path).close()  # free again once closed


def test_a_closed_log_refuses_appends(tmp_path: Path) -> None:
    log = dl.JsonLinesLog(tmp_path / "decisions.jsonl")
    log.close()
    log.close()
    with pytest.raises(dl.DecisionLogError, match="closed"):
        log.append(decision())


def test_a_failed_sync_fails_the_append_and_every_later_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = dl.JsonLinesLog(tmp_path / "decisions.jsonl")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(dl.DecisionLogError, match="No space left"):
        log.append(decision(0))
    monkeypatch.undo()
    with pytest.raises(dl.DecisionLogError, match="No space left"):
        log.append(decision(1))
    log.close()


def test_a_log_that_cannot_be_opened_or_read_says_why(tmp_path: Path) -> None:
    with pytest.raises(dl.DecisionLogError, match="cannot open"):
        dl.JsonLinesLog(tmp_path / "missing" / "decisions.jsonl")
    with pytest.raises(dl.DecisionLogError, match="cannot read"):
        list(dl.read_log(tmp_path / "missing.jsonl"))


def test_open_log_chooses_the_store_by_the_target(tmp_path: Path) -> None:
    assert dl.is_url("postgresql://u@h/db") and dl.is_url("postgres://u@h/db")
    assert not dl.is_url(tmp_path / "postgresql:") and not dl.is_url("decisions.jsonl")
    log = dl.open_log(tmp_path / "decisions.jsonl")
    assert isinstance(log, dl.JsonLinesLog)
    log.close()


def test_a_submitted_decision_is_done_only_after_a_sync_that_covers_it_and_shares_syncs_with_appends(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "decisions.jsonl"
    synced = synced_ids(path, monkeypatch)
    uncovered: list[str] = []
    log = dl.JsonLinesLog(path)

    def submitter(worker: int) -> None:
        futures = [(d.id, log.submit(d)) for d in (decision(worker * 1000 + n) for n in range(25))]
        for id_, future in futures:
            future.result(timeout=30)
            if id_ not in synced:
                uncovered.append(id_)

    def appender(worker: int) -> None:
        for n in range(25):
            d = decision(worker * 1000 + n)
            log.append(d)
            if d.id not in synced:
                uncovered.append(d.id)

    threads = [threading.Thread(target=submitter if w % 2 else appender, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    assert uncovered == []
    assert sorted(d.id for d in dl.read_log(path)) == sorted(decision(w * 1000 + n).id for w in range(8)
                                                              for n in range(25))
    assert log.syncs < 8 * 25 / 2


def test_a_submitted_decision_waits_for_its_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release, reached = threading.Event(), threading.Event()
    real_fsync = os.fsync

    def held_fsync(fd: int) -> None:
        reached.set()
        release.wait(10)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", held_fsync)
    log = dl.JsonLinesLog(tmp_path / "decisions.jsonl")
    future = log.submit(decision(0))
    assert reached.wait(10)
    assert not future.done()  # written, not yet synced: not durable, so not done
    release.set()
    assert future.result(timeout=10) is None
    log.close()


def test_a_failed_sync_fails_the_submitted_decisions_and_later_submissions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = dl.JsonLinesLog(tmp_path / "decisions.jsonl")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    future = log.submit(decision(0))
    with pytest.raises(dl.DecisionLogError, match="No space left"):
        future.result(timeout=10)
    monkeypatch.undo()
    with pytest.raises(dl.DecisionLogError, match="No space left"):
        log.submit(decision(1))
    log.close()


def test_closing_waits_for_submitted_decisions_and_then_refuses_them(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    log = dl.JsonLinesLog(path)
    futures = [log.submit(decision(n)) for n in range(50)]
    log.close()
    assert all(f.done() and f.exception() is None for f in futures)
    assert len(list(dl.read_log(path))) == 50
    with pytest.raises(dl.DecisionLogError, match="closed"):
        log.submit(decision(51))
