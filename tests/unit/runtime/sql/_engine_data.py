"""Generated settlement files for the engine equivalence tests: partners, and transactions as CSV and Parquet.

Seeded, small, and deliberately unkind: refunds (partial, full, over-refunds, of unknown or rejected sales, stating
prices or not, dated before their sale), unknown partners and contracts, dates outside the
period and outside every version, amounts exactly on ladder boundaries, and malformed rows of every
kind the readers reject (missing fields, bad numbers and dates, short and long rows, values in the
forms only the general parser takes: `¥1,200,000`, `3000万`, full-width digits).
"""

from __future__ import annotations

import csv
import datetime
import random
from pathlib import Path
from typing import Any

import duckdb

from bench.data import quote_cases
from runtime import ir
from runtime.model import Partner

TRANSACTION_COLUMNS = ["id", "date", "partner", "contract", "product", "list_price", "sell_price", "quantity",
                       "refund_of"]

MALFORMED: tuple[tuple[str, str], ...] = (
    ("date", "2026-02-30"), ("date", "  2026-13-01"), ("date", ""), ("date", "x" * 50), ("list_price", "12O0000"),
    ("list_price", "¥1,200,000"), ("list_price", "3000万"), ("list_price", "-5"), ("list_price", "１２０００"),
    ("list_price", "1" * 17), ("list_price", "$100"), ("sell_price", "980000.5"), ("sell_price", " 450000 "),
    ("sell_price", ""), ("quantity", "two"), ("quantity", "1,200"), ("quantity", "2000000000"),
    ("quantity", "-2000000000"), ("quantity", ""), ("partner", ""), ("partner", " "), ("id", ""),
    ("contract", "nosuch"), ("partner", "ghost-01"), ("date", "2020-01-15"), ("date", "2031-06-01"),
    ("date", "2026-03-31"), ("quantity", "0"), ("list_price", "0"),
)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def partner_rows(ruleset: ir.RuleSet, partners: dict[str, Partner]) -> tuple[list[str], list[dict[str, str]]]:
    """The partners as file rows (declared inputs included)."""
    inputs = [d.name for d in ruleset.inputs if d.scope == "partner"]
    columns = ["id", "contract", "tier", "level", "parent", *inputs]
    rows = [{"id": p.id, "contract": p.contract, "tier": p.tier or "", "level": str(p.level),
             "parent": p.parent or "", **{n: _text(p.fields.get(n)) for n in inputs}} for p in partners.values()]
    return columns, rows


def transaction_rows(program: str, ruleset: ir.RuleSet, count: int, seed: int) -> tuple[
        list[str], list[dict[str, str]], dict[str, Partner]]:
    """Rows for `count` generated transactions of a program, with refunds and malformed rows mixed in."""
    cases = quote_cases(program, count, seed)
    rng = random.Random(seed)
    inputs = [d.name for d in ruleset.inputs if d.scope == "transaction"]
    columns = [*TRANSACTION_COLUMNS, *inputs]
    ladders = sorted({s.start for v in ruleset.versions for lad in v.ladders for s in lad.steps if s.start > 0})
    rows: list[dict[str, str]] = []
    for n, t in enumerate(cases.transactions, 1):
        day = datetime.date(2026, 4, 1) + datetime.timedelta(days=rng.randrange(365))
        row = {"id": f"T{n:05d}", "date": day.isoformat(), "partner": t.partner, "contract": t.contract or "",
               "product": t.product, "list_price": str(t.list_price), "sell_price": str(t.sell_price),
               "quantity": str(t.quantity), **{k: _text(t.fields.get(k)) for k in inputs}}
        if rows and rng.random() < 0.08:
            row = _refund(rng, rows, row, day)
        elif rng.random() < 0.01:
            row["quantity"] = str(-rng.randrange(1, 3))  # no `refund_of`: E542
        if ladders and rng.random() < 0.02:
            row.update(list_price=str(rng.choice(ladders)), sell_price=str(rng.choice(ladders)), quantity="1")
        if rng.random() < 0.08:
            column, value = rng.choice(MALFORMED)
            row[column] = value
        rows.append(row)
    return columns, rows, cases.partners


def _refund(rng: random.Random, rows: list[dict[str, str]], row: dict[str, str], day: datetime.date) \
        -> dict[str, str]:
    """A refund of an earlier row (now and then of one that does not exist, or with a positive quantity)."""
    sale = rng.choice(rows[-40:])
    out = {**{k: "" for k in row}, "id": row["id"], "date": day.isoformat(), "partner": sale["partner"],
           "refund_of": sale["id"] if rng.random() < 0.9 else "T99999",
           "quantity": str(-rng.randrange(1, 4) * (-1 if rng.random() < 0.03 else 1))}
    if sale["quantity"].isdigit() and rng.random() < 0.5:  # the whole sale, or (now and then) more
        out["quantity"] = str(-int(sale["quantity"]) - (1 if rng.random() < 0.2 else 0))
    if rng.random() < 0.3:  # prices stated, the sale's (or, now and then, not)
        out.update(list_price=sale["list_price"] if rng.random() < 0.9 else "7", sell_price=sale["sell_price"])
    return out


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]], ragged: bool = False) -> Path:
    """A CSV file; `ragged` adds short and long rows, blank lines and a quoted id with a comma."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for n, row in enumerate(rows):
            values = [row.get(c, "") for c in columns]
            if ragged and n % 97 == 5:
                values = values[:3]
            elif ragged and n % 89 == 7:
                values = [*values, "extra"]
            elif ragged and n % 83 == 3:
                values[0] = f'{values[0]},"x"'
            writer.writerow(values)
            if ragged and n % 101 == 9:
                handle.write("\r\n")
    return path


def write_parquet(path: Path, columns: list[str], rows: list[dict[str, str]], typed: bool = False) -> Path:
    """A Parquet file with every column as text (empty cells NULL); `typed`: dates, amounts and quantities typed
    where the value allows (a bad value becomes NULL, a missing field)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t(" + ", ".join(f'"{c}" VARCHAR' for c in columns) + ")")
    con.executemany("INSERT INTO t VALUES (" + ", ".join("?" for _ in columns) + ")",
                    [[row.get(c) or None for c in columns] for row in rows])
    source = "t"
    if typed:
        source = ("(SELECT * REPLACE (TRY_CAST(date AS DATE) AS date, TRY_CAST(list_price AS BIGINT) AS list_price, "
                  "TRY_CAST(quantity AS INTEGER) AS quantity) FROM t)")
    con.execute(f"COPY {source} TO ? (FORMAT parquet)", [str(path)])
    con.close()
    return path


def write_partners(path: Path, ruleset: ir.RuleSet, partners: dict[str, Partner]) -> Path:
    """The partners file."""
    columns, rows = partner_rows(ruleset, partners)
    return write_csv(path, columns, rows)
