"""Property: over any non-decreasing sequence of as-of dates, the runs' payables add up to the last earned figures."""

from __future__ import annotations

import contextlib
import datetime
import io
import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppl.cli import main
from runtime.store import Ledger
from tests.unit.cli._asof_program import write_files

FY_START = datetime.date(2026, 4, 1)


def _rows(seed: int = 14) -> str:
    """A fixed transactions file: three partners' sales over the year, with some refunded later."""
    rng = random.Random(seed)
    rows, sales = [], []
    for n in range(40):
        day = FY_START + datetime.timedelta(days=rng.randrange(365))
        partner = rng.choice("pqr")
        price = rng.randrange(50_000, 400_000, 1000)
        rows.append((day, f"S{n},{day.isoformat()},{partner},{price},{price},1,"))
        sales.append((day, f"S{n}"))
    for n, (day, sale) in enumerate(rng.sample(sales, 8)):
        later = day + datetime.timedelta(days=rng.randrange(1, 60))
        if later < FY_START.replace(year=2027):
            partner = next(r for d, r in rows if r.startswith(sale + ",")).split(",")[2]
            rows.append((later, f"R{n},{later.isoformat()},{partner},,,-1,{sale}"))
    return "".join(row + "\n" for _, row in sorted(rows))


ROWS = _rows()
as_ofs = st.lists(st.integers(0, 364), min_size=1, max_size=4).map(
    lambda days: [FY_START + datetime.timedelta(days=d) for d in sorted(days)])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dates=as_ofs)
def test_payables_over_runs_add_up_to_the_last_earned_figures(dates: list[datetime.date]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        program, partners, transactions = write_files(root, ROWS, "p,reseller\nq,reseller\nr,reseller\n")
        for n, as_of in enumerate(dates):
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                status = main(["settle", str(program), "--partners", str(partners), "--transactions",
                               str(transactions), "--as-of", as_of.isoformat(), "--ledger", str(root / "l.db"),
                               "--out", str(root / f"out{n}"), "--engine", "rows", "--color", "never"])
            assert status == 0
        with Ledger(root / "l.db") as ledger:
            runs = ledger.runs()
        paid: dict[tuple[str, str], int] = {}
        for run in runs:
            for line in run.lines:
                paid[line.partner, line.kind] = paid.get((line.partner, line.kind), 0) + line.payable
        last = {(p, k): v for p, kinds in runs[-1].earned().items() for k, v in kinds.items()}
        assert {key: v for key, v in paid.items() if v} == {key: v for key, v in last.items() if v}
        assert runs[-1].as_of == dates[-1]
        assert len(runs) == len(dict.fromkeys(dates))  # a repeated as-of records nothing new
