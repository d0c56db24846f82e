"""Many submitters register one customer at the same moment, each in a process of its own.

`race(submitters, targets)` starts one process per submitter and, for each target (a fresh registry: an
SQLite file not created yet, or an empty PostgreSQL database), lets them all open it at once (the migrations
race too), then register at once: each submitter gets its share of `PARTNERS` and calls `ready()` between
opening and registering. A submitter is any picklable callable `(target, partners, ready) → [Answer]`:
`register_directly` opens the registry in its process; another may send the same requests to a service
instance that has the registry open (the same registry, another way in). `check_trial` then reads the
registry and checks that exactly one claim was accepted and nothing was lost.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.store import MIGRATIONS, Registry
from tests.support.stores import count
from tests.unit.runtime.store._registry_program import JST, at, compile_test_program

MOMENT = at(6, 1)
REQUESTS = 64
# Every partner is a `member` holding kansai, and the deal is in kanto: no rule tells them apart, so the
# registration that commits first holds the customer and the others are rejected naming it.
PARTNERS = {f"p{n:02d}": Partner(f"p{n:02d}", "reseller", "member", fields={"territory": "kansai"})
            for n in range(REQUESTS)}
NAMES = ("株式会社ABC", "ＡＢＣ（株）", "㈱ABC", "ABC Co., Ltd.", "abc", "ABC 株式会社")
DEAL = {"region": "kanto"}


@dataclass(frozen=True, slots=True)
class Answer:
    """What one registration was told."""

    partner: str
    accepted: bool
    claim: str
    owner: str | None
    rule: str
    arrival: str


class Submitter(Protocol):
    """Registers each of `partners` for the customer at `MOMENT` on the registry at `target`, calling `ready()`
    once it is ready to send (every submitter then starts at once); returns what each registration was told."""

    def __call__(self, target: str, partners: Sequence[str], ready: Callable[[], None]) -> list[Answer]: ...


def customer_of(partner: str) -> str:
    """The name a partner writes the one customer with (six spellings of one company)."""
    return NAMES[int(partner[1:]) % len(NAMES)]


_runtime: list[Runtime] = []


def runtime() -> Runtime:
    """The test program, compiled once per process."""
    if not _runtime:
        _runtime.append(Runtime(compile_test_program()))
    return _runtime[0]


def register_directly(target: str, partners: Sequence[str], ready: Callable[[], None]) -> list[Answer]:
    """A submitter that opens the registry in its own process and registers through the Python API."""
    answers = []
    with Registry(target, runtime(), PARTNERS) as registry:
        ready()
        for partner in partners:
            outcome = registry.register(partner, customer_of(partner), MOMENT, deal_fields=DEAL)
            answers.append(Answer(partner, outcome.accepted, outcome.claim, outcome.owner, outcome.rule,
                                  outcome.arrival))
    return answers


def _submit(submitter: Submitter, targets: Sequence[str], partners: Sequence[str], barrier: Any,
            results: Any) -> None:
    """One process: for each target, wait for all, let the submitter open and register, report its answers."""
    for trial, target in enumerate(targets):
        try:
            barrier.wait(timeout=300)
            answers = submitter(target, partners, lambda: barrier.wait(timeout=300))
            results.put((trial, answers, None))
        except Exception as exc:  # noqa: BLE001 - report any failure to the test rather than lose it in the child
            results.put((trial, [], f"{partners[0]}…: {exc!r}"))


def race(submitters: Sequence[Submitter], targets: Sequence[str]) -> tuple[list[list[Answer]], float]:
    """Run every submitter in a process of its own against each target in turn; the answers of each trial (as
    many as `REQUESTS`, shared out in order) and the seconds it all took, process start-up included.

    Raises:
        AssertionError: a submitter failed, or a process did not end cleanly.
    """
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(submitters))
    results = ctx.Queue()
    ids = sorted(PARTNERS)
    each = -(-REQUESTS // len(submitters))
    processes = [ctx.Process(target=_submit, args=(submitter, targets, ids[n * each:(n + 1) * each], barrier,
                                                    results))
                 for n, submitter in enumerate(submitters)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    got: list[list[Answer]] = [[] for _ in targets]
    errors = []
    for _ in range(len(targets) * len(submitters)):
        trial, answers, error = results.get(timeout=600)
        got[trial].extend(answers)
        if error is not None:
            errors.append(error)
    for process in processes:
        process.join(timeout=120)
    elapsed = time.perf_counter() - started
    assert errors == [], errors
    assert [p.exitcode for p in processes] == [0] * len(processes)
    return got, elapsed


def check_trial(target: str, got: Sequence[Answer]) -> str:
    """The trial's answers and its registry agree: one accepted, every other held by it with a reason, nothing
    lost. Returns the accepted claim."""
    assert len(got) == REQUESTS, got
    accepted = [g for g in got if g.accepted]
    assert len(accepted) == 1, got
    winner = accepted[0].claim
    assert all(g.owner == winner and g.rule == "otherwise (vendor_decides)" and g.arrival == "held"
               for g in got if not g.accepted), got
    assert len({g.claim for g in got}) == REQUESTS  # every claim got its own id
    with Registry(target, runtime(), PARTNERS) as registry:
        claims, events, history = registry.admin_view(), registry.events(), registry.history()
    assert len(claims) == REQUESTS  # no lost writes
    assert Counter(c.status for c in claims) == {"active": 1, "rejected": REQUESTS - 1}
    assert {c.partner for c in claims} == set(PARTNERS)
    assert len(events) == REQUESTS and {e.id for e in events} == {c.id for c in claims}  # events = requests
    assert Counter(e.status for e in events) == {"accepted": 1, "held": REQUESTS - 1}
    assert all(e.holder == winner for e in events)
    assert Counter(e.event for e in history) == {"register": REQUESTS, "accept": 1, "reject": REQUESTS - 1}
    assert all(c.registered_at == MOMENT and c.registered_at.utcoffset() == JST.utcoffset(None) for c in claims)
    assert count(target, "schema_version") == len(MIGRATIONS)  # the racing opens applied each migration once
    return winner
