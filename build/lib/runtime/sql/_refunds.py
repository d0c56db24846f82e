"""Refunds in the columnar engine: each accepted refund becomes a row of `q0`, its sale's quote reversed.

A refund is judged and reversed by the row engine's own `runtime.decisions.refunds` (`Ledger`,
`reversal`), so both engines say the same by construction: whether a refund is accepted depends on
the refunds of its sale accepted before it (a rejected over-refund does not count towards the next
one), which is sequential, and refunds are few. Only the rows a refund can name come back to
Python: the refunds themselves, and the accepted sales and rejected rows whose id a refund names.

An accepted refund's `q0` row is its sale's, with the refund's row, id, date and quantity, the sale's
id in `lid` (the lines' labels), `deal` (−1 when it returns the sale's last unit) and every amount
reversed: the list and sell amounts, each margin line (`keep<k>`), pass-through, fee, services and
referral fee; each level's price (`pr<k>`) follows from what it receives less what it keeps, as the
row engine's `Settler.refund` computes the volumes.
"""

from __future__ import annotations

import re
from typing import Any

from runtime import ir
from runtime.decisions.refunds import Ledger, RefundProblem, deals_reversed, reversal
from runtime.model import Transaction
from runtime.sql._quote import depth_of

_TXN = "t.row, t.id, t.date, t.partner, t.contract, t.product, t.list_price, t.sell_price, t.quantity, t.refund_of"
_AMOUNT = re.compile(r"(list_amount|sell_amount|services|referral_fee|keep\d+|pt\d+|ptf\d+)")


def _txn(values: tuple[Any, ...]) -> Transaction:
    row, txn_id, date, partner, contract, product, list_price, sell_price, quantity, refund_of = values
    return Transaction(txn_id, date, partner, int(list_price), int(sell_price), int(quantity), contract, product,
                       refund_of=refund_of)


def apply(con: Any, ruleset: ir.RuleSet) -> int:
    """Judge every refund of view `txn` (in row order); accepted ones into `q0`, rejected ones into `rej`.

    Returns:
        The number of refunds accepted.
    """
    refunds = con.execute(f"SELECT {_TXN} FROM txn t ANTI JOIN rej USING (row) WHERE t.refund_of IS NOT NULL "
                          "ORDER BY t.row").fetchall()
    if not refunds:
        return 0
    con.execute("CREATE OR REPLACE TEMP TABLE named AS SELECT DISTINCT refund_of AS name FROM txn "
                "WHERE refund_of IS NOT NULL")
    columns = [d[0] for d in con.execute("SELECT * FROM q0 LIMIT 0").description]
    sales = con.execute(f"SELECT {_TXN}, q.* FROM q0 q JOIN txn t USING (row) SEMI JOIN named ON named.name = t.id "
                        "ORDER BY t.row").fetchall()
    rejected = con.execute("SELECT row, COALESCE(id, ''), code FROM rej SEMI JOIN named ON named.name = rej.id "
                           "ORDER BY row").fetchall()
    events: list[tuple[int, int, Any]] = [(values[0], 0, values) for values in sales]
    events += [(row, 1, (txn_id, code)) for row, txn_id, code in rejected]
    events += [(values[0], 2, values) for values in refunds]
    events.sort(key=lambda e: (e[0], e[1]))
    ledger = Ledger()
    quotes: dict[int, dict[str, Any]] = {}  # by the sale's row
    unit, mode = ruleset.rounding.unit, ruleset.rounding.mode_for("refund")
    depth = depth_of(ruleset)
    added: list[list[Any]] = []
    problems: list[list[Any]] = []
    for row, kind, data in events:
        if kind == 0:
            quote = dict(zip(columns, data[10:], strict=True))
            quotes[row] = quote
            ledger.sale(row, _txn(data[:10]), quote["contract"])
            continue
        if kind == 1:
            ledger.reject(row, *data)
            continue
        txn = _txn(data)
        try:
            sale, before, after = ledger.take(txn)
        except RefundProblem as exc:
            problems.append([row, txn.id, exc.field, exc.code, exc.reason])
            ledger.reject(row, txn.id, exc.code)
            continue
        ledger.refund_row(row, txn.id)
        added.append(_reversed(quotes[sale.row], row, txn, (sale.txn.quantity, before, after), (unit, mode), depth,
                               columns))
    if problems:
        con.executemany("INSERT INTO rej VALUES (?, ?, ?, ?, ?)", problems)
    for start in range(0, len(added), 500):
        chunk = added[start:start + 500]
        marks = ", ".join("(" + ", ".join("?" for _ in columns) + ")" for _ in chunk)
        con.execute(f"INSERT INTO q0 VALUES {marks}", [v for row in chunk for v in row])
    con.execute("DROP TABLE named")
    return len(added)


def _reversed(quote: dict[str, Any], row: int, refund: Transaction, units: tuple[int, int, int],
              rounding: tuple[int, str], depth: int, columns: list[str]) -> list[Any]:
    """A refund's `q0` row: its sale's, reversed (see the module's docstring); `units`: the sale's quantity, and
    the units refunded before and after this refund."""
    quantity, before, after = units
    unit, mode = rounding
    out = dict(quote)
    for name, value in quote.items():
        if value is not None and _AMOUNT.fullmatch(name):
            out[name] = reversal(int(value), quantity, before, after, unit, mode)
    if quote["kind"] != "referral":
        receives = out["sell_amount"]
        for k in range(min(int(quote["chain_len"]), depth), 0, -1):
            out[f"pr{k}"] = receives - out[f"keep{k}"]
            receives = out[f"pr{k}"]
    out.update(row=row, id=refund.id, date=refund.date, quantity=refund.quantity,
               lid=quote["lid"], deal=deals_reversed(quantity, after))
    return [out[c] for c in columns]

