"""Properties of a sequence of settlements against a ledger (`ppl settle --as-of D --ledger L`).

- Re-running any as-of of a sequence pays nothing new: the ledger records no new run and every partner's
  every kind is payable ¥0.
- The row engine and the DuckDB engine, run over the same transactions and the same increasing as-of
  dates into two ledgers, record the same runs: earned, paid before and payable per partner and kind.

That the payables of any sequence add up to the earned figures of its last run is proven by
tests/unit/cli/test_settle_as_of_property.py (over the command line, on the row engine); the second
property here extends it to the DuckDB engine, since both ledgers are compared run by run.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from ppl.cli import main
from runtime.decisions import settle
from runtime.loaded import Runtime
from runtime.model import UNSTATED, Partner, Period, Transaction
from runtime.store import Ledger, Run, settle_against, year_to_date
from tests.unit.cli._asof_program import PROGRAM, write_files

FY_START = datetime.date(2026, 4, 1)
PARTNERS = {p: Partner(p, "reseller", None, 1, None, {}) for p in "pqr"}

Sale = tuple[int, str, int]  # day of the year, partner, list price
sales = st.lists(st.tuples(st.integers(0, 364), st.sampled_from("pqr"), st.integers(50, 900).map(lambda k: k * 10_000)),
                 min_size=1, max_size=12)
refunds = st.lists(st.tuples(st.integers(0, 11), st.integers(1, 90)), max_size=4)  # (which sale, days after it)
as_ofs = st.lists(st.integers(0, 364), min_size=1, max_size=3).map(
    lambda days: [FY_START + datetime.timedelta(days=d) for d in sorted(days)])


@cache
def _runtime() -> Runtime:
    loaded = load_program_text("program.yaml", PROGRAM)
    assert loaded.program is not None
    assert not [d for d in check_program(loaded.program) if d.severity is dg.Severity.ERROR]
    return Runtime(compile_program(loaded.program), "compiled")


def _rows(drawn: Sequence[Sale], back: Sequence[tuple[int, int]]) -> list[tuple[datetime.date, str]]:
    """CSV rows (by date): the sales, and refunds of one unit of some of them within the year."""
    rows = [(FY_START + datetime.timedelta(days=d), f"S{n},{{day}},{p},{price},{price},1,")
            for n, (d, p, price) in enumerate(drawn)]
    refunded: set[int] = set()
    for n, (which, later) in enumerate(back):
        sale = which % len(drawn)
        day = FY_START + datetime.timedelta(days=drawn[sale][0] + later)
        if sale not in refunded and day < FY_START.replace(year=2027):
            refunded.add(sale)
            rows.append((day, f"R{n},{{day}},{drawn[sale][1]},,,-1,S{sale}"))
    return sorted(((day, row.format(day=day.isoformat())) for day, row in rows), key=lambda r: r[0])


def _transactions(rows: Sequence[tuple[datetime.date, str]]) -> list[Transaction]:
    found = []
    for day, row in rows:
        tid, _, partner, price, _, quantity, refund_of = row.split(",")
        amount = int(price) if price else UNSTATED
        found.append(Transaction(tid, day, partner, amount, amount, int(quantity), None, "", {},
                                 refund_of=refund_of or None))
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=sales, back=refunds, dates=as_ofs)
def test_re_running_any_as_of_pays_nothing_new(drawn: list[Sale], back: list[tuple[int, int]],
                                               dates: list[datetime.date]) -> None:
    rt = _runtime()
    txns = _transactions(_rows(drawn, back))
    def year(as_of: datetime.date) -> Period:
        return year_to_date(as_of, rt.ruleset.fiscal_year_start)

    with tempfile.TemporaryDirectory() as folder, Ledger(Path(folder) / "ledger.db") as ledger:
        for as_of in dates:
            first = settle_against(ledger, rt.ruleset, settle(rt, txns, PARTNERS, year(as_of)), as_of)
            recorded = len(ledger.runs())
            again = settle_against(ledger, rt.ruleset, settle(rt, txns, PARTNERS, year(as_of)), as_of)
            assert again.repeat and again.run == first.run
            assert len(ledger.runs()) == recorded
            assert again.earned == first.earned
            assert all(payable == 0 for p in again.partners() for _, _, payable in again.figures(p).values())
            assert again.payable() == 0


def _ledger(root: Path, engine: str, dates: Sequence[datetime.date]) -> list[Run]:
    """The runs `ppl settle --as-of … --ledger …` records on an engine, one run per as-of."""
    program, partners, transactions = root / "program.yaml", root / "partners.csv", root / "transactions.csv"
    for n, as_of in enumerate(dates):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
            status = main(["settle", str(program), "--partners", str(partners), "--transactions", str(transactions),
                           "--as-of", as_of.isoformat(), "--ledger", str(root / f"{engine}.db"),
                           "--out", str(root / f"{engine}{n}"), "--engine", engine, "--color", "never"])
        assert status == 0, err.getvalue()
        assert f"engine: {'compiled' if engine == 'rows' else engine} " in err.getvalue()  # the engine asked for ran
    with Ledger(root / f"{engine}.db") as ledger:
        return ledger.runs()


def _figures(runs: Sequence[Run]) -> list[tuple[object, ...]]:
    return [(r.as_of, r.ruleset_sha256, tuple((x.partner, x.kind, x.earned, x.paid_before, x.payable)
                                              for x in r.lines)) for r in runs]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=sales, back=refunds, dates=as_ofs)
def test_the_row_and_duckdb_engines_record_the_same_ledger(drawn: list[Sale], back: list[tuple[int, int]],
                                                            dates: list[datetime.date]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_files(root, "".join(row + "\n" for _, row in _rows(drawn, back)), "p,reseller\nq,reseller\nr,reseller\n")
        rows, columnar = _ledger(root, "rows", dates), _ledger(root, "duckdb", dates)
    assert _figures(rows) == _figures(columnar)
    assert len(rows) == len(dict.fromkeys(dates))
