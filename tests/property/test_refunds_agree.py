"""Refunds, for random sales and random sequences of partial refunds, on both settlement engines.

(a) The refunds of a sale refunded in full add up to exactly minus its lines, line by line, whatever
the rounding mode and unit; (b) a refund of more than remains is rejected (E544) and changes nothing:
the settlement without it is the same; (c) the row engine and the DuckDB engine write the same files.
"""

from __future__ import annotations

import csv
import datetime
import filecmp
import os
import tempfile
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from runtime import io as rio
from runtime.decisions import Rejected, Settler
from runtime.loaded import Runtime
from runtime.model import Line, Partner, Period
from runtime.sql import engine

FY = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
PARTNERS = {"a": Partner("a", "c"), "b": Partner("b", "c", level=2, parent="a"), "r": Partner("r", "ref")}
MODES = ["down", "up", "half_up", "half_even"]


def program(mode: str, refund_mode: str, unit: int) -> Runtime:
    text = f"""\
ppl: 1
program:
  id: refunds
  title: Refunds
  version: "1"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {{mode: {mode}, unit: ¥{unit}, modes: {{refund: {refund_mode}}}}}
  fiscal_year_start: 4
inputs:
  transaction:
    ad_spend: money
contracts:
  - id: c
    kind: distributor
  - id: ref
    kind: referral
    fee: 7.5%
price_rules:
  pass_through:
    - id: media
      amount: transaction.ad_spend
      fee: 12.5%
hierarchy:
  model: nested
  max_depth: 2
  levels:
    - {{level: 1, margin: 17.5%}}
    - {{level: 2, margin: 6.5%}}
"""
    loaded = load_program_text("refunds.yaml", text)
    assert loaded.program is not None, dg.render_text(loaded.diagnostics, {"refunds.yaml": loaded.source})
    errors = [d for d in check_program(loaded.program) if d.severity is dg.Severity.ERROR]
    assert not errors, dg.render_text(errors, {"refunds.yaml": loaded.source})
    return Runtime(compile_program(loaded.program), "compiled")


Row = dict[str, str]


@st.composite
def rows(draw: st.DrawFn) -> list[Row]:
    """Sales, then refunds of them in random order and sizes (some more than remains, some of unknown sales)."""
    sales: list[Row] = []
    for i in range(draw(st.integers(1, 4))):
        price = draw(st.integers(1, 2_000_003))
        sales.append({"id": f"s{i}", "date": "2026-05-01", "partner": draw(st.sampled_from(["b", "a", "r"])),
                      "list_price": str(price), "sell_price": str(draw(st.integers(max(1, price * 9 // 10), price))),
                      "quantity": str(draw(st.integers(1, 9))),
                      "ad_spend": str(draw(st.sampled_from([0, draw(st.integers(1, 999_999))]))), "refund_of": ""})
    refunds: list[Row] = []
    for j in range(draw(st.integers(0, 10))):
        sale = draw(st.sampled_from(sales))
        units = draw(st.integers(1, int(sale["quantity"]) + 1))
        name = sale["id"] if draw(st.integers(0, 9)) else "nowhere"
        refunds.append({"id": f"r{j}", "date": f"2026-{draw(st.integers(6, 12)):02d}-01", "partner": sale["partner"],
                        "list_price": "", "sell_price": "", "quantity": str(-units), "ad_spend": "",
                        "refund_of": name})
    # Now and then every remaining unit of the first sale, so that (a) has something to hold.
    if draw(st.booleans()):
        left = int(sales[0]["quantity"])
        for n, r in enumerate(refunds):
            if r["refund_of"] == "s0" and -int(r["quantity"]) <= left:
                left -= -int(r["quantity"])
            elif r["refund_of"] == "s0":
                refunds[n] = dict(r, refund_of="nowhere")
        if left:
            refunds.append({"id": "r-last", "date": "2027-01-05", "partner": sales[0]["partner"], "list_price": "",
                            "sell_price": "", "quantity": str(-left), "ad_spend": "", "refund_of": "s0"})
    return sales + refunds


def write(path: Path, items: list[Row]) -> Path:
    columns = ["id", "date", "partner", "list_price", "sell_price", "quantity", "ad_spend", "refund_of"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(items)
    return path


def settle_rows(rt: Runtime, path: Path, out: Path | None) -> tuple[list[Line], list[Rejected], object]:
    lines: list[Line] = []
    rejects: list[Rejected] = []
    writer = rio.SettlementWriter(out, rt.ruleset, PARTNERS) if out is not None else None

    def on_line(line: Line) -> None:
        lines.append(line)
        if writer is not None:
            writer.on_line(line)

    def on_reject(rejected: Rejected) -> None:
        rejects.append(rejected)
        if writer is not None:
            writer.on_reject(rejected)

    settler = Settler(rt, PARTNERS, FY, on_line=on_line, on_reject=on_reject)
    with rio.TransactionReader(path, rt.ruleset) as reader:
        rio.feed(settler, reader)
    result = settler.finish()
    if writer is not None:
        writer.finish(result)
    return lines, rejects, result


@settings(max_examples=int(os.environ.get("PPL_REFUND_EXAMPLES", "12")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(items=rows(), mode=st.sampled_from(MODES), refund_mode=st.sampled_from(MODES),
       unit=st.sampled_from([1, 10, 100]))
def test_refunds_reverse_exactly_and_both_engines_agree(items: list[Row], mode: str, refund_mode: str,
                                                        unit: int) -> None:
    rt = program(mode, refund_mode, unit)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        path = write(base / "t.csv", items)
        lines, rejects, result = settle_rows(rt, path, base / "rows")
        # (c) the DuckDB engine writes the same files.
        engine.settle_files(rt, PARTNERS, FY, path, base / "duckdb", engine.Options(threads=1, memory_limit="256MB"))
        for name in ("lines.csv", "rejects.csv", "statements.json", "statements.csv"):
            assert filecmp.cmp(base / "rows" / name, base / "duckdb" / name, shallow=False), name
        # (a) a sale whose units were all returned: its refunds' lines are minus its lines, kind by kind.
        rejected = {r.transaction for r in rejects}
        returned: dict[str, int] = defaultdict(int)
        for row in items:
            if row["refund_of"] and row["id"] not in rejected:
                returned[row["refund_of"]] += -int(row["quantity"])
        by_txn: dict[str, list[Line]] = defaultdict(list)
        for line in lines:
            by_txn[line.transaction or ""].append(line)
        for sale in (r for r in items if not r["refund_of"] and r["id"] not in rejected):
            refunds = [r["id"] for r in items if r["refund_of"] == sale["id"] and r["id"] not in rejected]
            assert returned[sale["id"]] <= int(sale["quantity"])
            if returned[sale["id"]] == int(sale["quantity"]):
                for n, line in enumerate(by_txn[sale["id"]]):
                    assert sum(by_txn[r][n].amount for r in refunds) == -line.amount
        # (b) an over-refund is rejected, and the settlement without it is the same.
        over = [r for r in rejects if r.code == "E544"]
        if over:
            dropped = {r.transaction for r in over}
            kept = write(base / "kept.csv", [r for r in items if r["id"] not in dropped])
            lines_kept, _, result_kept = settle_rows(rt, kept, None)
            assert result_kept.statements == result.statements  # type: ignore[attr-defined]
            assert [(x.transaction, x.kind, x.amount) for x in lines_kept] == [
                (x.transaction, x.kind, x.amount) for x in lines]
