"""Inline programs, transactions and partners for the decision tests (imported by name, so unique)."""

from __future__ import annotations

import datetime
from typing import Any

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from runtime.loaded import Runtime
from runtime.model import UNSTATED, Partner, Transaction

HEADER = """\
ppl: 1
program:
  id: test-program
  title: Test program
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
  fiscal_year_start: 4
"""


def build(body: str, engine: str = "compiled", header: str = HEADER) -> Runtime:
    loaded = load_program_text("test.yaml", header + body)
    assert loaded.program is not None, dg.render_text(loaded.diagnostics, {"test.yaml": loaded.source})
    problems = [d for d in check_program(loaded.program) if d.severity is dg.Severity.ERROR]
    assert not problems, dg.render_text(problems, {"test.yaml": loaded.source})
    return Runtime(compile_program(loaded.program), engine)


_counter = iter(range(1, 10**9))


def sale(partner: str, list_price: int, quantity: int = 1, sell_price: int | None = None,
         day: datetime.date = datetime.date(2026, 6, 1), **fields: Any) -> Transaction:
    return Transaction(f"t{next(_counter)}", day, partner, list_price,
                       list_price if sell_price is None else sell_price, quantity, fields=fields)


def partners(*items: Partner) -> dict[str, Partner]:
    return {p.id: p for p in items}


def refund(of: Transaction, units: int, day: datetime.date = datetime.date(2026, 9, 1), **stated: Any) -> Transaction:
    """A refund of `units` of a sale, stating no prices (they are the sale's) unless given."""
    prices = {"list_price": UNSTATED, "sell_price": UNSTATED, **stated}
    return Transaction(f"t{next(_counter)}", day, of.partner, prices.pop("list_price"), prices.pop("sell_price"),
                       -units, refund_of=of.id, **prices)
