"""The job runner: jobs run one at a time in order, the queue and the jobs kept are bounded, a failure is kept."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime.service.context import Problem
from runtime.service.jobs import Job, Jobs, JobsFull


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    opened = threading.Event()
    yield opened
    opened.set()


def _wait(jobs: Jobs, job: Job) -> Job:
    for _ in range(500):
        if job.state in ("done", "failed"):
            return job
        threading.Event().wait(0.01)
    raise AssertionError(f"job {job.id} is still {job.state}")


def test_jobs_run_in_order_on_one_worker_and_keep_their_results(tmp_path: Path) -> None:
    jobs = Jobs(tmp_path)
    order: list[int] = []

    def work(n: int) -> Any:
        def run(job: Job) -> dict[str, Any]:
            order.append(n)
            (job.workdir / "out.txt").write_text(str(n), encoding="utf-8")
            return {"n": n}
        return run

    made = [jobs.submit("settle", "p", "vendor1", work(n)) for n in range(5)]
    for job in made:
        _wait(jobs, job)
    assert order == [0, 1, 2, 3, 4]
    assert [j.result for j in made] == [{"n": n} for n in range(5)]
    assert all(j.started and j.finished and j.started <= j.finished for j in made)
    assert jobs.get(made[0].id) is made[0] and jobs.get("nope") is None
    jobs.close()


def test_a_full_queue_refuses_a_job(tmp_path: Path, gate: threading.Event) -> None:
    jobs = Jobs(tmp_path, queue_limit=2)
    running = threading.Event()

    def block(job: Job) -> dict[str, Any]:
        running.set()
        gate.wait(10)
        return {}

    jobs.submit("settle", "p", "k", block)
    assert running.wait(5)  # the first job has left the queue
    jobs.submit("settle", "p", "k", lambda job: {})
    jobs.submit("settle", "p", "k", lambda job: {})
    with pytest.raises(JobsFull, match="2 jobs are already waiting"):
        jobs.submit("settle", "p", "k", lambda job: {})
    assert len(list(tmp_path.iterdir())) == 3  # the refused job left no directory
    gate.set()
    jobs.close()


def test_the_oldest_finished_job_is_forgotten_beyond_the_limit(tmp_path: Path, gate: threading.Event) -> None:
    jobs = Jobs(tmp_path, keep=2)
    first = _wait(jobs, jobs.submit("settle", "p", "k", lambda job: {}))
    second = _wait(jobs, jobs.submit("settle", "p", "k", lambda job: {}))
    third = jobs.submit("settle", "p", "k", lambda job: {"opened": gate.wait(10)})
    assert jobs.get(first.id) is None and not first.workdir.exists()
    assert jobs.get(second.id) is second
    with pytest.raises(JobsFull):  # second would go, but a fourth needs two finished
        jobs.submit("settle", "p", "k", lambda job: {})
        jobs.submit("settle", "p", "k", lambda job: {})
    gate.set()
    _wait(jobs, third)
    jobs.close()


def test_a_failed_job_keeps_its_problem_and_the_worker_goes_on(tmp_path: Path) -> None:
    jobs = Jobs(tmp_path)

    def refuse(job: Job) -> dict[str, Any]:
        raise Problem(503, "Decision log unavailable", "try again", "log_unavailable")

    def crash(job: Job) -> dict[str, Any]:
        raise RuntimeError("disk on fire")

    refused = _wait(jobs, jobs.submit("settle", "p", "k", refuse))
    crashed = _wait(jobs, jobs.submit("settle", "p", "k", crash))
    fine = _wait(jobs, jobs.submit("settle", "p", "k", lambda job: {"ok": True}))
    assert (refused.state, refused.error and refused.error.code) == ("failed", "log_unavailable")
    assert (crashed.state, crashed.error and crashed.error.code) == ("failed", "internal")
    assert crashed.error is not None and "disk on fire" not in crashed.error.detail
    assert fine.result == {"ok": True}
    jobs.close()
