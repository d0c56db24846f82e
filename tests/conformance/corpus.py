"""The corpus's own cases (`cases/**/*.yaml`) and what a settlement wrote, read into plain data.

A case file holds one case:

    program: programs/saas_reseller.yaml    # relative to the repository root, or to the case file
    period: FY2026
    partners: |                             # the partners file, as CSV
      id,contract,tier,...
    transactions: |                         # the transactions file, as CSV
      id,date,partner,...
    expect:
      lines: {t1: [[gold, margin, 216000]]}          # every line of a transaction: partner, kind, amount
      totals: {gold: {margin: 216000}}               # a partner's statement totals by kind (nonzero ones)
      rejects: {t3: E521}                            # every rejected row: transaction id → code
      held: {t4: E550}                               # every row held for review
      reconciliation: {read: 3, accepted: 1, rejected: 1, held: 1}
      quotes: {t1: {wholesale: 984000, partner_gross: 216000}}  # a sale as the settlement prices it

A generated case (`golden: true`) records every figure from the reference engine.
"""

from __future__ import annotations

import csv
import functools
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from compiler.lower import compile_program
from compiler.pipeline import check
from runtime import io as rio
from runtime import ir
from runtime.model import Transaction
from tests.conformance.engines import Engine, EngineRun, Prices

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"

LineRow = tuple[str, str, int]  # partner, kind, amount


@dataclass(frozen=True, slots=True)
class Expect:
    """What a case expects; a part left as None is not checked."""

    lines: dict[str, list[LineRow]] | None = None
    totals: dict[str, dict[str, int]] | None = None
    rejects: dict[str, str] | None = None
    held: dict[str, str] | None = None
    reconciliation: dict[str, int] | None = None
    quotes: dict[str, dict[str, int | None]] | None = None  # sale → wholesale and partner_gross (no ladder rate)


@dataclass(frozen=True, slots=True)
class CorpusCase:
    """One case of the corpus: a program, its partners and transactions (CSV), a period and what to expect."""

    name: str
    path: Path
    program: Path
    period: str
    partners: str
    transactions: str
    expect: Expect
    golden: bool = False
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


def _program(path: Path, name: str) -> Path:
    for base in (ROOT, path.parent):
        if (base / name).is_file():
            return (base / name).resolve()
    raise FileNotFoundError(f"{path}: program `{name}` is neither under the repository root nor beside the case")


def read_expect(data: dict[str, Any]) -> Expect:
    """The `expect` mapping of a case file."""
    lines = data.get("lines")
    return Expect(
        lines={t: [(str(p), str(k), int(a)) for p, k, a in rows] for t, rows in lines.items()}
        if lines is not None else None,
        totals={p: {k: int(v) for k, v in kinds.items()} for p, kinds in data["totals"].items()}
        if "totals" in data else None,
        rejects={str(t): str(c) for t, c in data["rejects"].items()} if "rejects" in data else None,
        held={str(t): str(c) for t, c in data["held"].items()} if "held" in data else None,
        reconciliation=dict(data["reconciliation"]) if "reconciliation" in data else None,
        quotes={str(t): {k: int(v) for k, v in figures.items()} for t, figures in data["quotes"].items()}
        if "quotes" in data else None)


def read_case(path: Path) -> CorpusCase:
    """One case file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    expect = read_expect(data.get("expect") or {})
    if expect == Expect() and not data.get("golden"):
        raise ValueError(f"{path}: a case with no expectation")
    name = str(path.relative_to(CASES).with_suffix(""))
    return CorpusCase(name, path, _program(path, data["program"]), str(data["period"]), data["partners"],
                      data["transactions"], expect, bool(data.get("golden")), data)


def read_cases() -> list[CorpusCase]:
    """Every case file under cases/, in name order (a folder named `programs` holds programs, not cases)."""
    return [read_case(p) for p in sorted(CASES.rglob("*.yaml")) if "programs" not in p.relative_to(CASES).parts]


@functools.cache
def ruleset_of(program: Path) -> ir.RuleSet:
    """A program's rule set, compiled once per session."""
    return compile_program(check([str(program)]).programs[0])


def settle_case(engine: Engine, case: CorpusCase, out: Path) -> EngineRun:
    """Settle a case on an engine: its partners and transactions files are written beside `out`."""
    ruleset = ruleset_of(case.program)
    out.parent.mkdir(parents=True, exist_ok=True)
    (out.parent / "partners.csv").write_text(case.partners, encoding="utf-8")
    (out.parent / "transactions.csv").write_text(case.transactions, encoding="utf-8")
    partners = rio.read_partners(out.parent / "partners.csv", ruleset)
    period = rio.parse_period(case.period, ruleset.fiscal_year_start)
    return engine.settle(ruleset, partners, period, out.parent / "transactions.csv", out)


def price_case(engine: Engine, case: CorpusCase, out: Path) -> Prices:
    """The quote figures of the sales a case lists in `quotes`, on an engine (after `settle_case` into `out`)."""
    assert case.expect.quotes is not None
    ruleset = ruleset_of(case.program)
    partners = rio.read_partners(out.parent / "partners.csv", ruleset)
    with rio.TransactionReader(out.parent / "transactions.csv", ruleset) as reader:
        sales = [t for _, t in reader if isinstance(t, Transaction) and t.id in case.expect.quotes]
    return engine.price(ruleset, partners, sales)


# --- what a settlement wrote --------------------------------------------------------------------------


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def written(out: Path) -> Expect:
    """Every figure a settlement wrote into `out`, in the form of a case's expectations."""
    lines: dict[str, list[LineRow]] = {}
    for row in _rows(out / "lines.csv"):
        lines.setdefault(row["transaction"], []).append((row["partner"], row["kind"], int(row["amount"])))
    report = json.loads((out / "statements.json").read_text(encoding="utf-8"))
    totals = {s["partner"]: {k: int(v) for k, v in s["totals"].items() if v} for s in report["statements"]}
    return Expect(lines, {p: t for p, t in totals.items() if t},
                  {r["id"]: r["code"] for r in _rows(out / "rejects.csv")},
                  {r["id"]: r["code"] for r in _rows(out / "held.csv")},
                  {k: int(v) for k, v in report["reconciliation"].items()})


def differences(expected: Expect, actual: Expect) -> list[str]:
    """Each figure that differs, as `where: expected X, got Y` (only the parts the case states)."""
    found: list[str] = []
    if expected.lines is not None and actual.lines is not None:
        for txn, rows in expected.lines.items():
            got = actual.lines.get(txn, [])
            if got != rows:
                found.append(f"lines of transaction {txn}: expected {rows}, got {got}")
    if expected.totals is not None and actual.totals is not None:
        for partner, kinds in expected.totals.items():
            got_kinds = actual.totals.get(partner, {})
            for kind in sorted(set(kinds) | set(got_kinds)):
                if kinds.get(kind, 0) != got_kinds.get(kind, 0):
                    found.append(f"statement of {partner}, {kind}: expected {kinds.get(kind, 0)}, "
                                 f"got {got_kinds.get(kind, 0)}")
    if expected.quotes is not None and actual.quotes is not None:
        for txn, figures in expected.quotes.items():
            got_figures = actual.quotes.get(txn, {})
            for name, amount in figures.items():
                if got_figures.get(name) != amount:
                    found.append(f"quote of transaction {txn}, {name}: expected {amount}, got {got_figures.get(name)}")
    for what in ("rejects", "held", "reconciliation"):
        want, got = getattr(expected, what), getattr(actual, what)
        if want is not None and got is not None and want != got:
            found.append(f"{what}: expected {want}, got {got}")
    return found


def record(case: CorpusCase, actual: Expect) -> None:
    """Rewrite a generated case's expectations from what the reference engine wrote (`--update-golden`)."""
    data = dict(case.raw)
    data["expect"] = {"lines": {t: [list(r) for r in rows] for t, rows in (actual.lines or {}).items()},
                      "totals": actual.totals, "rejects": actual.rejects, "held": actual.held,
                      "reconciliation": actual.reconciliation}
    header = itertools.takewhile(lambda line: line.startswith("#"), case.path.read_text(encoding="utf-8").splitlines())
    case.path.write_text("".join(f"{line}\n" for line in header) + dump(data), encoding="utf-8")


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _flow_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _flow_list)


def dump(data: dict[str, Any]) -> str:
    """A case file's text: CSV as literal blocks, each line on one line."""
    header = data.pop("comment", None)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    return (f"# {header}\n" if header else "") + text
