"""What the money impact refuses to compare: amounts in two currencies (E586), settlements that read different
rows (E587), and a program the columnar engine does not settle when it is asked for."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ppl.common import load_partners, parse_period
from runtime import impact as mi
from runtime.impact.compare import compare_settlements, reconciliation
from runtime.impact.settling import settle_side
from tests.unit.impact._impact_data import SAAS, rulesets, write_files


def test_programs_that_pay_in_two_currencies_are_not_compared(tmp_path: Path) -> None:
    old, new = rulesets(SAAS, tmp_path)
    _, _, partners, transactions = write_files(SAAS, tmp_path)
    dollars = dataclasses.replace(new, currency="USD", minor_unit=2)
    with pytest.raises(mi.ImpactError) as caught:
        mi.money_impact(old, dollars, transactions, load_partners(str(partners), old),
                        parse_period(SAAS.period, old), "rows")
    assert caught.value.code == "E586" and "JPY" in caught.value.message and "USD" in caught.value.message


def test_settlements_that_read_different_rows_are_not_compared(tmp_path: Path) -> None:
    old, new = rulesets(SAAS, tmp_path)
    _, _, partners_file, transactions = write_files(SAAS, tmp_path)
    partners, period = load_partners(str(partners_file), old), parse_period(SAAS.period, old)
    before = settle_side(old, partners, period, transactions, "rows")
    shorter = tmp_path / "shorter.csv"
    shorter.write_text("".join(SAAS.transactions.splitlines(keepends=True)[:-1]), encoding="utf-8")
    after = settle_side(new, partners, period, shorter, "rows")
    with pytest.raises(mi.ImpactError) as caught:
        compare_settlements(reconciliation(old, before.settlement, before.engine, before.codes),
                            reconciliation(new, after.settlement, after.engine, after.codes),
                            before.settlement, after.settlement, "JPY", 0)
    assert caught.value.code == "E587" and "3 and 2 rows" in caught.value.message


def test_the_transactions_may_come_through_a_pipe(tmp_path: Path) -> None:
    import os
    import threading

    old, new = rulesets(SAAS, tmp_path)
    _, _, partners, _ = write_files(SAAS, tmp_path)
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "w", encoding="utf-8") as pipe:
            pipe.write(SAAS.transactions)

    writer = threading.Thread(target=feed)
    writer.start()
    impact = mi.money_impact(old, new, fifo, load_partners(str(partners), old), parse_period(SAAS.period, old),
                             "rows")
    writer.join()
    assert (impact.old.read, impact.new.read, impact.difference) == (3, 3, 31_900_000)
