"""Writing a settlement: every file exists and parses, lines add up to totals, counts reconcile, names are safe."""

from __future__ import annotations

import csv
import datetime
import functools
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from runtime import ir, ir_json
from runtime.decisions import Settlement, Settler, quote
from runtime.io import SettlementWriter, feed, parse_period, quote_json, read_partners, read_transactions
from runtime.io.writers import statement_file_names
from runtime.loaded import Runtime
from runtime.model import Transaction

ROOT = Path(__file__).resolve().parents[4]
DATA = ROOT / "examples" / "data"


@functools.cache
def ad_agency() -> ir.RuleSet:
    return compile_program(check([os.path.relpath(ROOT / "programs" / "ad_agency.yaml")]).programs[0])


@pytest.fixture(scope="module")
def settled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Settlement]:
    out = tmp_path_factory.mktemp("out")
    rs = ad_agency()
    partners = read_partners(DATA / "partners.csv", rs)
    writer = SettlementWriter(out, rs, partners)
    settler = Settler(Runtime(rs), partners, parse_period("FY2026", 4), writer.on_line, writer.on_reject)
    with read_transactions(DATA / "transactions.csv", rs) as reader:
        feed(settler, reader)
    settlement = settler.finish()
    writer.finish(settlement)
    return out, settlement


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_file_is_written_and_parses(settled: tuple[Path, Settlement]) -> None:
    out, settlement = settled
    data = json.loads((out / "statements.json").read_text(encoding="utf-8"))
    assert data["program"]["id"] == "newswave-agencies" and data["program"]["version"] == "2026.10"
    assert data["period"] == {"start": "2026-04-01", "end": "2027-03-31"}
    assert len(data["statements"]) == len(rows(out / "statements.csv")) == len(settlement.statements)
    names = {p.name for p in (out / "statements").iterdir()}
    assert names == {f"{s.partner}.md" for s in settlement.statements}
    assert rows(out / "lines.csv") and rows(out / "rejects.csv")


def test_the_rule_set_hash_is_the_artifacts(settled: tuple[Path, Settlement]) -> None:
    out, _ = settled
    artifact = json.loads(ir_json.dumps(ad_agency()))
    assert json.loads((out / "statements.json").read_text(encoding="utf-8"))["program"]["sha256"] == artifact["sha256"]


def test_counts_reconcile_and_every_reject_is_listed(settled: tuple[Path, Settlement]) -> None:
    out, settlement = settled
    counts = json.loads((out / "statements.json").read_text(encoding="utf-8"))["reconciliation"]
    assert counts["read"] == counts["accepted"] + counts["rejected"] + counts["held"] == settlement.read
    assert counts["read"] == len(rows(DATA / "transactions.csv"))
    rejects = rows(out / "rejects.csv")
    assert len(rejects) == counts["rejected"] > 0
    assert set(rejects[0]) == {"row", "id", "field", "code", "reason"}
    assert all(r["code"].startswith("E5") and r["reason"] for r in rejects)


def test_each_statement_s_lines_add_up_to_its_totals(settled: tuple[Path, Settlement]) -> None:
    out, _ = settled
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for line in rows(out / "lines.csv"):
        sums[line["partner"], line["kind"]] += int(line["amount"])
    data = json.loads((out / "statements.json").read_text(encoding="utf-8"))
    for statement in data["statements"]:
        for kind, amount in statement["totals"].items():
            assert sums.pop((statement["partner"], kind)) == amount
        earned = sum(v for k, v in statement["totals"].items() if k not in ("pass_through", "services"))
        assert statement["total"] == earned
    assert not sums  # no line belongs to a partner or kind that the statements do not show
    summary = {r["partner"]: r for r in rows(out / "statements.csv")}
    for statement in data["statements"]:
        row = summary[statement["partner"]]
        assert int(row["total"]) == statement["total"]
        assert all(int(row[k]) == v for k, v in statement["totals"].items())


def test_period_lines_carry_their_rule_and_source(settled: tuple[Path, Settlement]) -> None:
    out, _ = settled
    period = [r for r in rows(out / "lines.csv") if not r["transaction"]]
    assert {r["kind"] for r in period} >= {"ladder", "bonus", "ladder_clawback", "bonus_clawback"}
    assert all(r["rule"] and "programs/ad_agency.yaml:" in r["at"] for r in period)


def test_the_markdown_statement_reads_like_a_statement(settled: tuple[Path, Settlement]) -> None:
    out, _ = settled
    text = (out / "statements" / "ag1-05.md").read_text(encoding="utf-8")
    assert text.startswith("# Statement of `ag1-05`")
    assert "period 2026-04-01 to 2027-03-31" in text
    assert "| ladder clawback | -¥" in text and "| **earned** |" in text
    assert "programs/ad_agency.yaml:" in text and "ladder `annual-spend`" in text
    assert "## Tier for the next period" in text


def test_statement_file_names_are_safe_and_distinct() -> None:
    names = statement_file_names(["a-01", "../etc/passwd", "a/01", "a_01", "A_01", ".hidden", "", "代理店"])
    assert all("/" not in n and not n.startswith(".") and n.endswith(".md") for n in names.values())
    assert len(set(names.values())) == len(names)
    assert names["a-01"] == "a-01.md"


def test_quote_json_is_plain_json() -> None:
    rs = ad_agency()
    partners = read_partners(DATA / "partners.csv", rs)
    txn = Transaction("q", datetime.date(2026, 6, 1), "ag3-01", 1_000_000, 950_000, 1,
                      fields={"placement": "video", "ad_spend": 0})
    data: dict[str, Any] = json.loads(json.dumps(quote_json(quote(Runtime(rs), txn, partners))))
    assert [s["level"] for s in data["chain"]] == [1, 2, 3]
    assert data["margin"] == "0.22" and isinstance(data["wholesale"], int)
    assert sum(s["keeps"] for s in data["chain"]) == 950_000 - data["wholesale"]
    assert "programs/ad_agency.yaml:" in data["rates"][0]["at"]
