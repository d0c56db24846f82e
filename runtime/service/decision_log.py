"""The decision log: every decision, appended before it is answered, to a JSON Lines file or a PostgreSQL table.

A decision is one JSON object (`decision_json`): `id, at` (ISO 8601, UTC), `kind, program, ruleset {hash,
version}, caller {key, role, partner}, input, output`. Numbers stay exact: amounts are integers, a `Decimal`
is written as its decimal string and a `Fraction` as `runtime.ir_json.encode_fraction` writes it (the service
reads request bodies with decimals as `Decimal`, so no amount passes through a float).

`JsonLinesLog` appends one line per decision and returns only when the line is written and synced
(`os.fsync`). Appends from many threads share their syncs (group commit): the first appender to find no
sync under way becomes the leader, writes every line waiting and syncs once for all of them; each append
returns only after a sync that covers its own line. A line cut short by a crash (the file's last line, with
no end) is skipped by `read_log` with a warning, never taken for a decision, and a log reopened after one
starts on a new line. `PostgresLog` (`runtime.service.postgres_log`) inserts a row and returns once it is
committed. `open_log` and `read_log` choose between the two by the target: a `postgresql://` or
`postgres://` URL, or a file path.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import fcntl
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from runtime import ir_json, strict_json
from runtime.service.context import ROLES, Caller, Decision, DecisionLog
from runtime.service.encoding import json_bytes
from runtime.store import is_url as is_url

LOGGER = logging.getLogger("ppl.decision_log")
KEYS = ("id", "at", "kind", "program", "ruleset", "caller", "input", "output")
"""The keys of a logged decision, in the order a line writes them."""
"""A log target that starts with one of these is a PostgreSQL database; anything else is a file path."""


class DecisionLogError(Exception):
    """The log cannot be opened, written or read (the decision it was given is not logged, and not to be
    answered)."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record of the log that is not a decision: its line (a file) or row number (a table), and why."""

    line: int
    reason: str


OnSkip = Callable[[Skipped], None]
"""What a reader does with a record it skips (by default: log a warning)."""


# --- the JSON of a decision ---------------------------------------------------------------------------


def decision_json(decision: Decision) -> dict[str, Any]:
    """A decision as the log writes it (keys in `KEYS` order)."""
    return {"id": decision.id, "at": at_text(decision.at), "kind": decision.kind, "program": decision.program,
            "ruleset": {"hash": decision.ruleset_hash, "version": decision.version},
            "caller": decision.caller.as_json(), "input": decision.input, "output": decision.output}


def at_text(at: datetime.datetime) -> str:
    """An instant in ISO 8601, UTC, to the microsecond: `2026-04-01T09:30:00.000000Z`.

    Raises:
        ValueError: a naive datetime (its instant cannot be told).
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a decision's time must carry its UTC offset")
    return at.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _exact(value: Any) -> Any:
    """A value JSON has no form for, in an exact one; anything else is a bug of the caller."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"a decision holds the number `{value}`, which JSON cannot write")
        return format(value, "f")
    if isinstance(value, Fraction):
        return ir_json.encode_fraction(value)
    if isinstance(value, datetime.datetime):
        return at_text(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"a decision holds {type(value).__name__}, which the log cannot write exactly")


def dumps(data: Any) -> str:
    """JSON text on one line, exact (`_exact`), UTF-8 as it is, no NaN or infinity.

    Raises:
        TypeError, ValueError: a value that cannot be written exactly.
    """
    return json_bytes(data, _exact).decode("utf-8")


def encode_decision(decision: Decision) -> bytes:
    """A decision as one line of the log, its end included."""
    return json_bytes(decision_json(decision), _exact) + b"\n"


def _text(data: Mapping[str, Any], key: str, optional: bool = False) -> Any:
    value = data.get(key)
    if isinstance(value, str) or (optional and value is None):
        return value
    raise ValueError(f"`{key}` is not text")


def _object(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"`{key}` is not an object")
    return value


def decode_decision(data: Any) -> Decision:
    """A decision from its JSON (`decision_json`).

    Raises:
        ValueError: not the JSON of a decision, with the reason.
    """
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    missing = [k for k in KEYS if k not in data]
    if missing:
        raise ValueError(f"no `{missing[0]}`")
    ruleset, caller = _object(data, "ruleset"), _object(data, "caller")
    role = caller.get("role")
    if role not in ROLES:
        raise ValueError(f"`caller.role` is not one of {', '.join(ROLES)}")
    try:
        at = datetime.datetime.fromisoformat(_text(data, "at"))
    except ValueError:
        raise ValueError("`at` is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise ValueError("`at` has no UTC offset")
    return Decision(_text(data, "id"), at.astimezone(datetime.UTC), _text(data, "kind"), _text(data, "program"),
                    _text(ruleset, "hash"), _text(ruleset, "version", True),
                    Caller(_text(caller, "key"), role, _text(caller, "partner", True)),
                    _object(data, "input"), _object(data, "output"))


def _warn(where: str) -> OnSkip:
    def warn(skipped: Skipped) -> None:
        LOGGER.warning("%s: line %d is not a decision and is skipped: %s", where, skipped.line, skipped.reason)
    return warn


# --- JSON Lines ----------------------------------------------------------------------------------------


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class JsonLinesLog:
    """A decision log in a JSON Lines file, appended to and synced before `append` returns (group commit).

    One process writes a file at a time (it holds an exclusive `flock` while open); several service
    instances share a PostgreSQL log instead. `syncs` counts the syncs made, which concurrent appends share.

    Raises:
        DecisionLogError: the file cannot be opened, or another process has it open for writing.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        created = not self.path.exists()
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise DecisionLogError(f"cannot open the decision log {self.path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._end_torn_line()
            if created:  # the file's name must survive a crash too
                _sync_directory(self.path.parent)
        except OSError as exc:
            os.close(self._fd)
            busy = isinstance(exc, BlockingIOError)
            reason = "another process is writing it" if busy else exc.strerror or str(exc)
            raise DecisionLogError(f"cannot open the decision log {self.path}: {reason}") from None
        self._lock = threading.Lock()
        self._turn = threading.Condition(self._lock)
        self._queue: list[bytes] = []  # lines waiting for a leader to write them
        self._queued = 0  # lines ever queued; a line's number is its place in this count
        self._durable = 0  # lines written and synced: every line numbered up to this one
        self._leading = False  # a leader is writing and syncing (without the lock)
        self._failure: str | None = None  # why the log can no longer be written
        self._closed = False
        self._waiting: list[tuple[int, concurrent.futures.Future[None]]] = []  # submitted lines and their futures
        self._syncer: threading.Thread | None = None  # leads for submitted lines when no appender does
        self.syncs = 0

    def _end_torn_line(self) -> None:
        """Start on a new line when the file ends in a line cut short (a crash mid-write)."""
        size = os.fstat(self._fd).st_size
        if size and os.pread(self._fd, 1, size - 1) != b"\n":
            _write_all(self._fd, b"\n")
            os.fsync(self._fd)

    def append(self, decision: Decision) -> None:
        """Write one decision and return once it is synced to disk.

        Raises:
            DecisionLogError: the log is closed, or writing or syncing it failed (then every later append
                fails too: what reached the disk cannot be known, and the log is reopened to go on).
            TypeError, ValueError: the decision holds a value the log cannot write exactly (a bug of the caller).
        """
        line = encode_decision(decision)
        with self._turn:
            if self._closed:
                raise DecisionLogError(f"the decision log {self.path} is closed")
            self._queue.append(line)
            self._queued += 1
            mine = self._queued
            while self._durable < mine:
                if self._failure is not None:
                    raise DecisionLogError(self._failure)
                if self._leading:
                    self._turn.wait()
                else:
                    self._lead()

    def submit(self, decision: Decision) -> concurrent.futures.Future[None]:
        """Queue one decision and return at once; the future is done when the line is synced (or failed with a
        `DecisionLogError`). Submitted lines share syncs with appends: a thread of the log leads when no
        appender does.

        Raises:
            DecisionLogError: the log is closed.
            TypeError, ValueError: the decision holds a value the log cannot write exactly.
        """
        line = encode_decision(decision)
        done: concurrent.futures.Future[None] = concurrent.futures.Future()
        with self._turn:
            if self._closed:
                raise DecisionLogError(f"the decision log {self.path} is closed")
            if self._failure is not None:
                raise DecisionLogError(self._failure)
            self._queue.append(line)
            self._queued += 1
            self._waiting.append((self._queued, done))
            if self._syncer is None:
                self._syncer = threading.Thread(target=self._sync_submitted, name="ppl-decision-log", daemon=True)
                self._syncer.start()
            elif not self._leading:  # a leader at work takes the line after its sync; else wake the log's thread
                self._turn.notify_all()
        return done

    def _sync_submitted(self) -> None:
        """The log's own leader: write and sync whatever is submitted while no appender is leading."""
        with self._turn:
            while not (self._closed and not self._waiting):
                if self._waiting and not self._leading and self._failure is None:
                    self._lead()
                else:
                    self._turn.wait()

    def _settle_waiting(self) -> list[tuple[concurrent.futures.Future[None], str | None]]:
        """The submitted lines a sync or failure has decided (taken off the list), with the failure if any;
        called holding the lock, the futures are completed after it is let go."""
        if self._failure is not None:
            settled, self._waiting = self._waiting, []
            return [(done, self._failure) for _, done in settled]
        cut = 0
        while cut < len(self._waiting) and self._waiting[cut][0] <= self._durable:
            cut += 1
        settled, self._waiting = self._waiting[:cut], self._waiting[cut:]
        return [(done, None) for _, done in settled]

    def _lead(self) -> None:
        """Write every queued line and sync once; called holding the lock, which is let go while the disk works."""
        batch, upto = b"".join(self._queue), self._queued
        self._queue = []
        self._leading = True
        failure: str | None = "interrupted while writing"
        self._lock.release()
        try:
            _write_all(self._fd, batch)
            os.fsync(self._fd)
            failure = None
        except OSError as exc:
            failure = exc.strerror or str(exc)
        finally:
            self._lock.acquire()
            self._leading = False
            if failure is None:
                self._durable = upto
                self.syncs += 1
            else:
                self._failure = f"cannot write the decision log {self.path}: {failure}"
            settled = self._settle_waiting()
            self._turn.notify_all()
        if settled:
            self._lock.release()
            try:
                _complete(settled)
            finally:
                self._lock.acquire()

    def close(self) -> None:
        """Wait for the appends under way, then close the file (later appends fail)."""
        with self._turn:
            if self._closed:
                return
            self._closed = True
            self._turn.notify_all()
            while self._leading or self._waiting or (self._queue and self._failure is None):
                self._turn.wait()
            os.close(self._fd)

    def __enter__(self) -> JsonLinesLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _complete(settled: list[tuple[concurrent.futures.Future[None], str | None]]) -> None:
    for done, failure in settled:
        if failure is None:
            done.set_result(None)
        else:
            done.set_exception(DecisionLogError(failure))


def _sync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_json_lines(path: str | Path, on_skip: OnSkip | None = None) -> Iterator[Decision]:
    """The decisions of a JSON Lines log, in the order they were appended.

    A line that is not a decision is skipped and given to `on_skip` with its number and the reason (by
    default a warning is logged): the last line when it has no end (a write cut short), an empty line, or
    a line that is not the JSON of a decision (such as the remains of a torn write the log was reopened after).

    Raises:
        DecisionLogError: the file cannot be read.
    """
    skip = on_skip or _warn(str(path))
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, also when the caller stops early
    except OSError as exc:
        raise DecisionLogError(f"cannot read the decision log {path}: {exc.strerror or exc}") from None
    with handle:
        for number, raw in enumerate(handle, 1):
            if not raw.endswith(b"\n"):
                skip(Skipped(number, "the last line has no end: a write cut short by a crash"))
                return
            if not raw.strip():
                skip(Skipped(number, "an empty line"))
                continue
            try:
                yield decode_decision(strict_json.loads(raw.decode("utf-8"), parse_float=Decimal))
            except UnicodeDecodeError:
                skip(Skipped(number, "not UTF-8 text"))
            except RecursionError:
                skip(Skipped(number, "not JSON: nested too deeply"))
            except ValueError as exc:
                skip(Skipped(number, _reason(exc)))


def _reason(exc: ValueError) -> str:
    if isinstance(exc, strict_json.DuplicateKey):
        return f"not a decision: an object names `{exc.key}` twice"
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON ({exc.msg} at column {exc.colno}): the remains of a torn write, or not a log line"
    return f"not a decision: {exc}"


# --- either store ----------------------------------------------------------------------------------


def open_log(target: str | Path) -> DecisionLog:
    """The log a target names: `PostgresLog` for a `postgresql://` or `postgres://` URL, else `JsonLinesLog`.

    Raises:
        DecisionLogError: it cannot be opened.
    """
    if is_url(target):
        from runtime.service.postgres_log import PostgresLog

        return PostgresLog(str(target))
    return JsonLinesLog(target)


def read_log(target: str | Path, on_skip: OnSkip | None = None) -> Iterator[Decision]:
    """The decisions of a log (a file or a PostgreSQL table, as `open_log` tells them apart), oldest first.

    Records that are not decisions are skipped and given to `on_skip` (by default a warning is logged).

    Raises:
        DecisionLogError: the log cannot be read.
    """
    if is_url(target):
        from runtime.service.postgres_log import read_table

        return read_table(str(target), on_skip or _warn("the decisions table"))
    return read_json_lines(target, on_skip)
