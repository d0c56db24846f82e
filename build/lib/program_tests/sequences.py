"""Running a `settlements` case: the year settled to each as-of in turn against one fresh ledger.

Each run settles the program year to its as-of (`runtime.store.year_to_date`) with
`runtime.decisions.settle`, then sets the year's earned figures against what the ledger says earlier
runs paid and records the run with `runtime.store.settle_against`: the function `ppl settle --as-of
DATE --ledger FILE` calls, so a program test and the command line cannot disagree. The ledger is a
SQLite file in a temporary directory, removed when the case ends.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from program_tests.cases import Case, Check
from program_tests.compare import Because, CaseResult, Mismatch, Settled, Shown, _finish, _settle_actual
from program_tests.sequence_cases import FIGURES, TOTAL, SequenceInput, SequenceRun, figure_name
from program_tests.tier_histories import tier_actual
from runtime.decisions import QuoteError, Rejected, settle
from runtime.engine import EvaluationError
from runtime.io.writers import Settled as Paid
from runtime.loaded import Runtime
from runtime.model import Line, Partner
from runtime.store import Ledger, LedgerError, settle_against, year_to_date


@dataclass(frozen=True, slots=True)
class SettledRuns:
    """What the runs of a sequence gave, in order (a refused run is left out): for coverage."""

    runs: tuple[Settled, ...]


@dataclass(frozen=True, slots=True)
class _Outcome:
    """One run: the settlement, and the figures set against the ledger."""

    settled: Settled
    paid: Paid


def run_sequence(rt: Runtime, case: Case, partners: Mapping[str, Partner]) -> tuple[CaseResult, SettledRuns]:
    """Run every run of a `settlements` case against one fresh ledger, and compare what each run expects."""
    assert isinstance(case.inputs, SequenceInput)
    shown = Shown(rt.ruleset)
    mismatches: list[Mismatch] = []
    done: list[Settled] = []
    with tempfile.TemporaryDirectory(prefix="ppl-test-ledger-") as folder, \
            Ledger(Path(folder) / "ledger.db") as ledger:
        for number, run in enumerate(case.inputs.runs, 1):
            outcome = _run(rt, case, partners, ledger, run)
            if isinstance(outcome, _Outcome):
                done.append(outcome.settled)
            mismatches += _compare(number, run, outcome, shown)
    return _finish(case, mismatches, None), SettledRuns(tuple(done))


def _run(rt: Runtime, case: Case, partners: Mapping[str, Partner], ledger: Ledger,
         run: SequenceRun) -> _Outcome | tuple[str, str, str | None]:
    """Settle the year to the run's as-of and record it; or the refusal: (code, message, where)."""
    lines: list[Line] = []
    rejects: list[Rejected] = []
    held: list[Rejected] = []
    try:
        result = settle(rt, case.transactions, partners, year_to_date(run.as_of, rt.ruleset.fiscal_year_start),
                        on_line=lines.append, on_reject=rejects.append, on_hold=held.append)
        paid = settle_against(ledger, rt.ruleset, result, run.as_of)
    except (QuoteError, EvaluationError) as exc:
        return exc.code, exc.message, str(exc.at) if exc.at is not None else None
    except LedgerError as exc:
        return exc.code or "error", exc.message, None
    settled = Settled({st.partner: st for st in result.statements}, lines, rejects, result.accepted,
                      result.rejected, held)
    return _Outcome(settled, paid)


def _compare(number: int, run: SequenceRun, outcome: _Outcome | tuple[str, str, str | None],
             shown: Shown) -> list[Mismatch]:
    """The run's expected figures that differ from what it gave."""
    where = f"run {number}, as of {run.as_of.isoformat()}"
    wanted = next((c for c in run.checks if c.path[2] == "error"), None)
    if not isinstance(outcome, _Outcome):
        code, message, at = outcome
        if wanted is not None and wanted.expected == code:
            return []
        span = wanted.span if wanted is not None else run.span
        expected = wanted.expected if wanted is not None else "the run to settle"
        return [Mismatch(f"{where}: error", expected, f"{code}: {message}", span,
                         (Because("refused", code, message, at or "—"),))]
    if wanted is not None:
        return [Mismatch(f"{where}: error", wanted.expected, "no error", wanted.span, ())]
    found = []
    for check in run.checks:
        actual, because = _actual(outcome, check, shown)
        if actual != check.expected:
            found.append(Mismatch(f"{where}: {figure_name(check.path)}", shown.value(check.expected, check.kind),
                                  shown.value(actual, check.kind), check.span, tuple(because)))
    return found


def _actual(outcome: _Outcome, check: Check, shown: Shown) -> tuple[Any, list[Because]]:
    """A run's figure (`repeat`, `payable`, a partner's tier reviews, or a partner's kind and figure), and what
    lies behind it."""
    paid = outcome.paid
    name = check.path[2]
    if name == "repeat":
        return paid.repeat, [Because("ledger", paid.note(), "", "—")]
    if name == "tiers":
        actual, decisions = tier_actual(outcome.settled.statements.get(check.path[3]), check.path[4:])
        return actual, [Because(what, value, why, "—") for what, value, why in decisions]
    if name == "payable":
        return paid.payable(), [Because(f"`{p}` payable", shown.money(paid.totals(p)[2]), "", "—")
                                for p in paid.partners()]
    kind, figure = check.path[3], check.path[4]
    if kind == TOTAL:
        index = FIGURES.index(figure)
        return paid.totals(name)[index], [Because(f"`{name}` {k}", shown.money(f[index]), "", "—")
                                          for k, f in paid.figures(name).items()]
    earned, before, payable = paid.figures(name).get(kind, (0, 0, 0))
    if figure == "earned":
        return earned, _settle_actual(outcome.settled, Check(("statements", name, "totals", kind), 0, "money",
                                                             check.span), shown)[1]
    return (before if figure == "paid" else payable), [
        Because("earned to date", shown.money(earned), "", "—"),
        Because("paid before", shown.money(before), f"the ledger's earlier runs of the year ({paid.note()})", "—")]
