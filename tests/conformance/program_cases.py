"""The quote and settle cases of `programs/tests/*.tests.yaml`, run on any engine of the corpus.

The program tests stay the one source of truth: they are read by the program-test engine's own case
reader (`program_tests.load_test_file`) and each engine's result is compared by its own comparison
(`judge`), so an expectation means here exactly what it means to `ppl test`. This module is the only
place the corpus touches the program-test engine.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from program_tests import (
    Case,
    CaseResult,
    Loaded,
    Settled,
    Shown,
    TestFile,
    judge,
    load_test_file,
    quote_actual,
    settle_actual,
)
from runtime import ir
from runtime.decisions import QuoteError, Rejected
from runtime.decisions.refunds import quote_problem
from runtime.model import UNSTATED, Quote, Transaction
from tests.conformance.engines import Engine

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "programs" / "tests").glob("*.tests.yaml"))


@dataclass(frozen=True, slots=True)
class ProgramCase:
    """A quote or settle case of a program test file."""

    file: TestFile
    case: Case

    @property
    def id(self) -> str:
        return f"{Path(self.file.path).name.split('.')[0]}: {self.case.name}"

    @property
    def ruleset(self) -> ir.RuleSet:
        assert self.file.ruleset is not None, f"{self.file.path}: the program has errors"
        return self.file.ruleset


def program_cases() -> list[ProgramCase]:
    """Every quote and settle case of the program test files, in file order."""
    found = []
    for path in FILES:
        loaded = Loaded()
        load_test_file(str(path), loaded)
        assert not loaded.diagnostics, f"{path}: {loaded.diagnostics}"
        found += [ProgramCase(f, c) for f in loaded.files for c in f.cases if c.kind in ("quote", "settle")]
    return found


def write_transactions(path: Path, ruleset: ir.RuleSet, txns: tuple[Transaction, ...]) -> Path:
    """A case's transactions as the transactions file `ppl settle` reads."""
    inputs = [d.name for d in ruleset.inputs if d.scope == "transaction"]
    scale = 10 ** ruleset.minor_unit

    def money(v: int) -> str:
        if v == UNSTATED:
            return ""  # a refund's price it does not state
        return str(v // scale) if v % scale == 0 else f"{v / scale:.{ruleset.minor_unit}f}"

    def value(t: Transaction, name: str) -> str:
        v = t.fields.get(name)
        return str(v).lower() if isinstance(v, bool) else "" if v is None else str(v)

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "partner", "contract", "product", "list_price", "sell_price", "quantity",
                         "refund_of", *inputs])
        for t in txns:
            writer.writerow([t.id, t.date.isoformat(), t.partner, t.contract or "", t.product, money(t.list_price),
                             money(t.sell_price), str(t.quantity), t.refund_of or "", *(value(t, n) for n in inputs)])
    return path


def _held(out: Path) -> list[Rejected]:
    with open(out / "held.csv", encoding="utf-8", newline="") as handle:
        return [Rejected(int(r["row"]), r["id"], r["code"], r["reason"], r["field"] or None)
                for r in csv.DictReader(handle)]


def run_quote(engine: Engine, pc: ProgramCase) -> tuple[CaseResult, str | None]:
    """A quote case on an engine that quotes: how it went, and whether the engine ran as itself."""
    assert engine.quote is not None
    quote_on = engine.quote
    txn, ruleset, partners = pc.case.transactions[0], pc.ruleset, pc.file.partners
    ran: list[str | None] = [None]

    def produce() -> Quote:
        if (problem := quote_problem(ruleset, txn)) is not None:
            raise QuoteError(problem[0], problem[1])  # refused as `ppl quote` refuses it
        quoted, ran[0] = quote_on(ruleset, txn, partners, pc.case.volumes)
        return quoted

    shown = Shown(ruleset)
    result, _ = judge(pc.case, produce, lambda q, check: quote_actual(q, check, shown), shown)
    return result, ran[0]


def run_settle(engine: Engine, pc: ProgramCase, out: Path) -> tuple[CaseResult, str | None]:
    """A settle case on an engine, from the transactions file written from the case, into `out`."""
    assert pc.case.period is not None
    ruleset, partners = pc.ruleset, pc.file.partners
    transactions = write_transactions(out.parent / f"{out.name}-transactions.csv", ruleset, pc.case.transactions)
    ran: list[str | None] = [None]

    def produce() -> Settled:
        assert pc.case.period is not None
        settled = engine.settle(ruleset, partners, pc.case.period, transactions, out)
        ran[0] = settled.ran_as_itself
        s = settled.settlement
        return Settled({st.partner: st for st in s.statements}, [], list(settled.rejects), s.accepted, s.rejected,
                       _held(out))

    shown = Shown(ruleset)
    result, _ = judge(pc.case, produce, lambda s, check: settle_actual(s, check, shown), shown)
    return result, ran[0]


def failure_text(result: CaseResult, engine: str) -> str:
    """Why a case failed on an engine: each figure with both values, and the rules behind the actual one."""
    lines = [f"case `{result.name}` on the {engine} engine: {result.status}"]
    if result.problem:
        lines.append(f"  {result.problem}")
    for m in result.mismatches:
        lines.append(f"  {m.figure}: expected {m.expected}, got {m.actual} ({m.at})")
        lines += [f"    {b.what} = {b.value}: {b.rule} at {b.at}" for b in m.because]
    return "\n".join(lines)
