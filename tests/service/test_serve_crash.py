"""`ppl serve` killed with SIGKILL under load: every decision it answered is in its decision log.

Eight client threads quote continuously against the real service (uvicorn, one worker) while it logs to a
JSON Lines file or a PostgreSQL table; once enough quotes are answered the process is killed with SIGKILL,
mid-request. Each answer names its decision; all of them must be in the log (a line cut short by the kill is
skipped, never read as a decision), and nothing is in the log twice.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import httpx

from tests.service.conftest import PROGRAM, TXN, TestKeys
from tests.service.crash import check_log
from tests.support.serving import serving

CLIENTS = 8
ANSWERED = 300  # answers before the kill


def _kill_under_load(bundle: Path, keys: TestKeys, tmp: Path, log: str) -> list[str]:
    """Quote from CLIENTS threads, SIGKILL the service after ANSWERED answers; the decision ids answered."""
    answered: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    with serving(bundle, keys.path, tmp, ["--decision-log", log]) as served:

        def client(n: int) -> None:
            with httpx.Client(base_url=served.url, headers=keys.header(keys.vendor), timeout=30) as http:
                for i in range(10**6):
                    body = {"transaction": {**TXN, "id": f"T{n}-{i}"}}
                    try:
                        answer = http.post(f"/v1/programs/{PROGRAM}/quote", json=body)
                    except httpx.TransportError:
                        return  # the service is gone
                    assert answer.status_code == 200, answer.text
                    with lock:
                        answered.append(answer.json()["decision_id"])
                        if len(answered) >= ANSWERED:
                            enough.set()

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        assert enough.wait(timeout=120), f"only {len(answered)} answers"
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait()
        for t in threads:
            t.join(timeout=60)
        assert served.process.returncode == -signal.SIGKILL
    return answered


def test_a_service_killed_under_load_lost_no_answered_decision_of_its_json_lines_log(
        bundle: Path, keys: TestKeys, tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    answered = _kill_under_load(bundle, keys, tmp_path, str(log))
    report = check_log(log, answered)
    assert report.lost == () and report.answered >= ANSWERED, str(report)
    assert report.logged >= report.answered


def test_a_service_killed_under_load_lost_no_answered_decision_of_its_postgresql_log(
        bundle: Path, keys: TestKeys, tmp_path: Path, postgres_url: str) -> None:
    answered = _kill_under_load(bundle, keys, tmp_path, postgres_url)
    report = check_log(postgres_url, answered)
    assert report.lost == () and report.torn == 0 and report.answered >= ANSWERED, str(report)
