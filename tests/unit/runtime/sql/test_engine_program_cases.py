"""Every settle case of programs/tests/*.tests.yaml, settled by the duckdb engine, equals the row engine.

`ppl test` checks the row engine against each case's expectations; here each case's transactions are
written to a file and settled by both engines, and the statements, reconciliation, lines and rejects
must be the same. The engine settles every example program.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from program_tests import Loaded, load_test_file
from runtime import ir
from runtime.decisions import Flagged, Rejected, settle
from runtime.io import SettlementWriter
from runtime.loaded import Runtime
from runtime.model import UNSTATED, Line, Transaction
from runtime.sql import engine

ROOT = Path(__file__).resolve().parents[4]
FILES = sorted((ROOT / "programs" / "tests").glob("*.tests.yaml"))


def _cases() -> list[tuple[str, str]]:
    found = []
    for path in FILES:
        loaded = Loaded()
        load_test_file(str(path), loaded)
        for test_file in loaded.files:
            found += [(str(path), case.name) for case in test_file.cases if case.kind == "settle"]
    return found


CASES = _cases()


def _write(path: Path, ruleset: ir.RuleSet, txns: tuple[Transaction, ...]) -> Path:
    inputs = [d.name for d in ruleset.inputs if d.scope == "transaction"]
    scale = 10 ** ruleset.minor_unit
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "partner", "contract", "product", "list_price", "sell_price", "quantity",
                         "refund_of", *inputs])
        for t in txns:
            def money(v: int) -> str:
                if v == UNSTATED:
                    return ""  # a refund's price it does not state
                return str(v // scale) if v % scale == 0 else f"{v / scale:.{ruleset.minor_unit}f}"

            values = [str(t.fields[n]).lower() if isinstance(t.fields.get(n), bool) else
                      "" if t.fields.get(n) is None else str(t.fields[n]) for n in inputs]
            writer.writerow([t.id, t.date.isoformat(), t.partner, t.contract or "", t.product, money(t.list_price),
                             money(t.sell_price), str(t.quantity), t.refund_of or "", *values])
    return path


def test_settle_cases_are_found() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize(("path", "name"), CASES, ids=[f"{Path(p).name.split('.')[0]}: {n}" for p, n in CASES])
def test_settle_case_on_duckdb(path: str, name: str, tmp_path: Path) -> None:
    loaded = Loaded()
    load_test_file(path, loaded)
    test_file = loaded.files[0]
    assert test_file.ruleset is not None
    ruleset = test_file.ruleset
    assert engine.refused(ruleset) == []
    case = next(c for c in test_file.cases if c.name == name)
    assert case.period is not None
    rt = Runtime(ruleset, "compiled")
    lines: list[Line] = []
    rejects: list[Rejected] = []
    held: list[Rejected] = []
    flagged: list[Flagged] = []
    expected = settle(rt, case.transactions, test_file.partners, case.period, lines.append, rejects.append,
                      held.append, flagged.append)
    transactions = _write(tmp_path / "t.csv", ruleset, case.transactions)
    got, _ = engine.settle_files(rt, test_file.partners, case.period, transactions, tmp_path / "duckdb",
                                 engine.Options(threads=2, memory_limit="256MB"))
    assert got.statements == expected.statements
    assert (got.read, got.accepted, got.rejected, got.held) == (expected.read, expected.accepted, expected.rejected,
                                                                expected.held)
    writer = SettlementWriter(tmp_path / "rows", ruleset, test_file.partners)
    for line in lines:
        writer.on_line(line)
    for rejected in rejects:
        writer.on_reject(rejected)
    for one in held:
        writer.on_hold(one)
    for violation in flagged:
        writer.on_violation(violation)
    writer.finish(expected)
    for name_ in ("lines.csv", "rejects.csv", "held.csv", "violations.csv", "statements.json", "statements.csv"):
        assert (tmp_path / "duckdb" / name_).read_bytes() == (tmp_path / "rows" / name_).read_bytes(), name_
