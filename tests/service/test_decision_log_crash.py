"""No answered decision is lost when the process that logs it is killed with SIGKILL under load."""

from __future__ import annotations

from pathlib import Path

from tests.service.crash import check_log, kill_midway, writer_command

ROUNDS = 3
ANSWERED = 400


def test_a_json_lines_log_keeps_every_answered_decision_through_kills(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    answered: list[str] = []
    for _ in range(ROUNDS):  # each round reopens the log a kill left, torn line and all
        answered += kill_midway(writer_command(path), ANSWERED)
    report = check_log(path, answered)
    print(f"JSON Lines, {ROUNDS} kills: {report}")
    assert report.lost == ()
    assert report.answered >= ROUNDS * ANSWERED and report.logged >= report.answered
    assert report.torn <= ROUNDS  # at most one line cut short per kill
    for skipped in report.skipped:
        assert "cut short" in skipped.reason or "not JSON" in skipped.reason


def test_a_postgres_log_keeps_every_answered_decision_through_a_kill(postgres_url: str) -> None:
    answered = kill_midway(writer_command(postgres_url, threads=8, pad=300), ANSWERED)
    report = check_log(postgres_url, answered)
    print(f"PostgreSQL: {report}")
    assert report.lost == () and report.skipped == ()
    assert report.logged >= report.answered >= ANSWERED
