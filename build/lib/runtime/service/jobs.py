"""A small in-process job runner: long decisions (a settlement) run on a worker thread while the caller polls.

Limits, so that a busy or hostile caller cannot exhaust the process:

- one worker thread per service: jobs run one at a time, in the order they were submitted;
- at most `QUEUE_LIMIT` jobs wait; a job submitted beyond that is refused (`JobsFull`, a 503 with
  `Retry-After`);
- at most `KEEP` jobs are kept, each with a working directory of its own on disk; when a new job would
  exceed that, the oldest finished one is forgotten (its directory removed), and when none has finished the
  new job is refused.

Jobs live in memory: a restart forgets them (their decisions stay in the decision log). Every job has an
unguessable id (a UUID).
"""

from __future__ import annotations

import datetime
import logging
import queue
import shutil
import tempfile
import threading
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from runtime.service.context import Problem

QUEUE_LIMIT = 8
"""Jobs that may wait for the worker."""
KEEP = 32
"""Jobs kept, finished or not (the oldest finished ones are forgotten first)."""

State = Literal["queued", "running", "done", "failed"]
_log = logging.getLogger("ppl.service")


class JobsFull(Exception):
    """No room for another job: the queue is full, or every job kept is still waiting or running."""


@dataclass(slots=True)
class Job:
    """One job: who started it, for which program, how far it has got, and its result or error."""

    id: str
    kind: str  # settle
    program: str
    owner: str  # the key id that started it
    workdir: Path
    created: datetime.datetime
    state: State = "queued"
    started: datetime.datetime | None = None
    finished: datetime.datetime | None = None
    progress: dict[str, int] = field(default_factory=dict)
    result: Mapping[str, Any] | None = None
    error: Problem | None = None

    @property
    def finished_ok(self) -> bool:
        """The job is done and has its result."""
        return self.state == "done" and self.result is not None


Work = Callable[[Job], Mapping[str, Any]]
"""What a job does: given the job (to report progress and use its directory), the result it keeps."""


class Jobs:
    """The jobs of one service and the worker thread that runs them (started with the first job).

    Args:
        root: where the jobs' directories go (default: a temporary directory removed by `close`).
    """

    def __init__(self, root: Path | None = None, queue_limit: int = QUEUE_LIMIT, keep: int = KEEP) -> None:
        self.root: Path = Path(tempfile.mkdtemp(prefix="ppl-jobs-")) if root is None else root
        # A directory of its own is removed with the runner (by `close`, or when it is collected or the process
        # exits), quietly: a service's app may be dropped without being shut down.
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.root, True) if root is None else None
        self.keep = keep
        self._queue: queue.Queue[tuple[Job, Work] | None] = queue.Queue(queue_limit)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def submit(self, kind: str, program: str, owner: str, work: Work,
               prepare: Callable[[Job], None] | None = None) -> Job:
        """Queue a job; it runs on the worker thread when the jobs before it are done. `prepare` puts the job's
        input into its directory before it is queued.

        Raises:
            JobsFull: the queue is full, or every job kept is unfinished.
            OSError: the job's directory cannot be made or written.
        """
        with self._lock:
            self._make_room()
            job_id = str(uuid.uuid4())
            job = Job(job_id, kind, program, owner, self.root / job_id, datetime.datetime.now(datetime.UTC))
            job.workdir.mkdir(parents=True)
            try:
                if prepare is not None:
                    prepare(job)
                self._queue.put_nowait((job, work))
            except queue.Full:
                shutil.rmtree(job.workdir, ignore_errors=True)
                raise JobsFull(f"{self._queue.maxsize} jobs are already waiting; try again later") from None
            except BaseException:
                shutil.rmtree(job.workdir, ignore_errors=True)
                raise
            self._jobs[job_id] = job
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="ppl-jobs", daemon=True)
                self._worker.start()
            return job

    def get(self, job_id: str) -> Job | None:
        """A job by its id (None: unknown, or forgotten)."""
        return self._jobs.get(job_id)

    def close(self, timeout: float = 10.0) -> None:
        """Let the running job finish (waiting at most `timeout` seconds), drop the waiting ones, and remove every
        job's directory."""
        with self._lock:
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
            worker, self._worker = self._worker, None
        if worker is not None:
            self._queue.put(None)
            worker.join(timeout)
        if self._cleanup is not None:
            self._cleanup()

    def _make_room(self) -> None:
        if len(self._jobs) < self.keep:
            return
        finished = [j for j in self._jobs.values() if j.state in ("done", "failed")]
        if not finished:
            raise JobsFull(f"{len(self._jobs)} jobs are unfinished; try again later")
        oldest = min(finished, key=lambda j: j.created)
        del self._jobs[oldest.id]
        shutil.rmtree(oldest.workdir, ignore_errors=True)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, work = item
            job.state, job.started = "running", datetime.datetime.now(datetime.UTC)
            try:
                job.result = work(job)
                job.state = "done"
            except Problem as exc:
                job.error, job.state = exc, "failed"
            except Exception as exc:  # noqa: BLE001 - a job that fails is reported, and the worker goes on
                _log.error("job %s (%s) failed", job.id, job.kind, exc_info=exc)
                job.error = Problem(500, "Job failed", "the job failed; the error is logged", "internal")
                job.state = "failed"
            finally:
                job.finished = datetime.datetime.now(datetime.UTC)
