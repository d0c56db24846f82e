"""The duckdb engine writes the row engine's files, byte for byte, for every example program it settles.

Generated CSV (with short and long rows, blank lines, quoted ids) and Parquet files, with refunds,
unknown partners and contracts, dates outside the period and every version, ladder boundaries and
malformed values; and, through the API, partners whose distributor chains the row engine rejects (E513).
"""

from __future__ import annotations

import datetime
import filecmp
import random
from dataclasses import replace
from pathlib import Path

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from ppl.cli import main
from runtime import io as rio
from runtime import ir
from runtime.decisions import Settler
from runtime.decisions.reviews import Figures, Timeline, settle_timeline
from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.sql import engine
from tests.unit.runtime.decisions.test_settle_assigned_tiers import PARTNERS, PROGRAM, TRANSACTIONS
from tests.unit.runtime.sql import _engine_data as data

ROOT = Path(__file__).resolve().parents[4]
PERIOD = rio.parse_period("FY2026", 4)
PROGRAMS = sorted(p.stem for p in (ROOT / "programs").glob("*.yaml"))


def compiled(program: str) -> ir.RuleSet:
    return compile_program(check([str(ROOT / "programs" / f"{program}.yaml")]).programs[0])


def settled(program: str) -> ir.RuleSet:
    """The program's rule set, which the duckdb engine settles (every example program)."""
    ruleset = compiled(program)
    assert engine.refused(ruleset) == []
    return ruleset


def with_broken_chains(ruleset: ir.RuleSet, rows: list[dict[str, str]],
                       partners: dict[str, Partner]) -> dict[str, Partner]:
    """For a program with a hierarchy: partners whose chains the row engine rejects (E513: an unknown parent, a
    loop, too deep, a level out of place) or reads a missing field up, and some rows sold by each."""
    if not any(v.hierarchy for v in ruleset.versions):
        return partners
    top = next(p for p in partners.values() if p.level == 1)
    blank = replace(top, id="blank-top", fields={})
    odd = [Partner("orphan", top.contract, level=2, parent="nobody-up"),
           Partner("loop-a", top.contract, level=2, parent="loop-b"),
           Partner("loop-b", top.contract, level=2, parent="loop-a"),
           Partner("deep-1", top.contract), Partner("deep-2", top.contract, level=2, parent="deep-1"),
           Partner("deep-3", top.contract, level=3, parent="deep-2"),
           Partner("deep-4", top.contract, level=4, parent="deep-3"),
           Partner("misplaced", top.contract, level=3, parent=top.id), blank,
           Partner("under-blank", top.contract, level=2, parent="blank-top")]
    sellers = ["orphan", "loop-a", "deep-4", "deep-3", "misplaced", "under-blank"]
    for n, row in enumerate(rows):
        if n % 11 == 3:
            row["partner"] = sellers[(n // 11) % len(sellers)]
    return {**partners, **{p.id: p for p in odd}}


def settle_rows(ruleset: ir.RuleSet, partners: dict[str, Partner], transactions: Path, out: Path) -> None:
    """The row engine on a file, as `ppl settle` runs it (a pass without outputs per tier review first), with
    partners the partners reader would refuse."""
    rt = Runtime(ruleset, "compiled")

    def quiet(tiers: Timeline) -> Figures:
        with rio.TransactionReader(transactions, ruleset) as reader:
            settler = Settler(rt, partners, PERIOD, keep_sales=reader.may_refund, timeline=tiers)
            rio.feed(settler, reader)
        return settler.figures

    timeline = settle_timeline(rt, partners, PERIOD, quiet)
    writer = rio.SettlementWriter(out, ruleset, partners)
    settler = Settler(rt, partners, PERIOD, on_line=writer.on_line, on_reject=writer.on_reject,
                      on_hold=writer.on_hold, on_violation=writer.on_violation, timeline=timeline)
    with rio.TransactionReader(transactions, ruleset) as reader:
        rio.feed(settler, reader)
    writer.finish(settler.finish())


def same_tree(left: Path, right: Path) -> None:
    """Every file of both directories exists in both with the same bytes."""
    left_files = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    right_files = sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
    assert left_files == right_files
    for name in left_files:
        assert filecmp.cmp(left / name, right / name, shallow=False), f"{name} differs"


def settle(program: str, partners: Path, transactions: Path, out: Path, engine_name: str, *extra: str) -> None:
    status = main(["settle", str(ROOT / "programs" / f"{program}.yaml"), "--partners", str(partners),
                   "--transactions", str(transactions), "--period", "FY2026", "--out", str(out), "--engine",
                   engine_name, "--color", "never", *extra])
    assert status == 0


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("program", PROGRAMS)
def test_duckdb_writes_the_row_engines_files(program: str, fmt: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    ruleset = settled(program)
    columns, rows, partners = data.transaction_rows(program, ruleset, 600, seed=11)
    partners_file = data.write_partners(tmp_path / "partners.csv", ruleset, partners)
    if fmt == "csv":
        transactions = data.write_csv(tmp_path / "t.csv", columns, rows, ragged=True)
    else:
        transactions = data.write_parquet(tmp_path / "t.parquet", columns, rows)
    settle(program, partners_file, transactions, tmp_path / "rows", "rows")
    rows_out = capsys.readouterr().out
    settle(program, partners_file, transactions, tmp_path / "duckdb", "duckdb")
    duck_out = capsys.readouterr().out
    same_tree(tmp_path / "rows", tmp_path / "duckdb")
    assert duck_out.replace("duckdb engine", "compiled engine") == rows_out
    rejects = (tmp_path / "duckdb" / "rejects.csv").read_text(encoding="utf-8").splitlines()
    codes = {line.split(",")[3] for line in rejects[1:] if line.count(",") >= 4}
    assert {"E514", "E520", "E521", "E540", "E542", "E543", "E544"} <= codes


@pytest.mark.parametrize("program", PROGRAMS)
def test_unique_ids_and_a_typed_parquet_file(program: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    ruleset = settled(program)
    columns, rows, partners = data.transaction_rows(program, ruleset, 300, seed=5)
    for n, row in enumerate(rows):
        if n % 37 == 0 and n:
            row["id"] = rows[n - 1]["id"]  # a repeated id
    partners_file = data.write_partners(tmp_path / "partners.csv", ruleset, partners)
    transactions = data.write_parquet(tmp_path / "t.parquet", columns, rows, typed=True)
    settle(program, partners_file, transactions, tmp_path / "rows", "rows", "--unique-ids")
    settle(program, partners_file, transactions, tmp_path / "duckdb", "duckdb", "--unique-ids")
    capsys.readouterr()
    same_tree(tmp_path / "rows", tmp_path / "duckdb")
    assert "E524" in (tmp_path / "duckdb" / "rejects.csv").read_text(encoding="utf-8")


def test_json_lines_and_odd_csv_take_the_exact_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = "saas_reseller"
    ruleset = settled(program)
    columns, rows, partners = data.transaction_rows(program, ruleset, 120, seed=3)
    partners_file = data.write_partners(tmp_path / "partners.csv", ruleset, partners)
    rows[4]["product"] = "two\nlines"  # a line break inside a quoted value
    odd = data.write_csv(tmp_path / "t.csv", columns, rows)
    with open(odd, "ab") as handle:
        handle.write(b"T9,2026-05-01,\xff\xfe,,,100,100,1\r\n")  # not UTF-8
    settle(program, partners_file, odd, tmp_path / "rows", "rows")
    settle(program, partners_file, odd, tmp_path / "duckdb", "duckdb")
    capsys.readouterr()
    same_tree(tmp_path / "rows", tmp_path / "duckdb")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_broken_chains_are_judged_by_the_row_engine(fmt: str, tmp_path: Path) -> None:
    program = "ad_agency"
    ruleset = settled(program)
    columns, rows, partners = data.transaction_rows(program, ruleset, 300, seed=7)
    partners = with_broken_chains(ruleset, rows, partners)
    transactions = data.write_csv(tmp_path / "t.csv", columns, rows) if fmt == "csv" else \
        data.write_parquet(tmp_path / "t.parquet", columns, rows)
    settle_rows(ruleset, partners, transactions, tmp_path / "rows")
    engine.settle_files(Runtime(ruleset, "compiled"), partners, PERIOD, transactions, tmp_path / "duckdb",
                        engine.Options(threads=2, memory_limit="256MB"))
    same_tree(tmp_path / "rows", tmp_path / "duckdb")
    chains = [line for line in (tmp_path / "duckdb" / "rejects.csv").read_text(encoding="utf-8").splitlines()
              if ",E513," in line]
    for partner in ("orphan", "loop-a", "deep-4", "misplaced"):
        assert any(f"`{partner}`" in line for line in chains), partner


def test_price_rules_the_engine_cannot_follow_are_refused_by_name() -> None:
    # A billed pass-through's line shows the billed amount, and a minimum fee that rejects or holds a sale
    # is judged on its fee lines: the duckdb engine refuses both (`--engine auto` settles on rows).
    ruleset = compiled("ad_agency")
    version = ruleset.versions[-1]
    assert version.price_rules is not None
    media = version.price_rules.pass_through[0]
    rules = replace(version.price_rules, pass_through=(replace(media, billed=media.amount),), min_fee=100,
                    min_fee_action="hold")
    changed = replace(ruleset, versions=(*ruleset.versions[:-1], replace(version, price_rules=rules)))
    reasons = engine.refused(changed)
    assert any("billed amount of pass-through `media-spend`" in r for r in reasons)
    assert any("a minimum fee with the action `hold`" in r for r in reasons)
    assert engine.refused(ruleset) == []  # the example's hold on a deep discount is settled in SQL


CATALOG_PROGRAM = """\
ppl: 1
program:
  id: catalog-test
  title: Catalog test
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
contracts:
  - id: reseller
    kind: distributor
    margin: 20%
    ladder: volume
ladders:
  - id: volume
    basis: purchases
    period: fiscal_year
    mode: retroactive
    steps:
      - {from: 0, rate: 0%}
      - {from: ¥500000, rate: 2%}
catalog:
  categories: [plan, hardware]
  action: ACTION
  items:
    - sku: CN-BIZ
      category: plan
      unit: licence-year
      list_price: ¥120000
      prices:
        - {from: 2026-10-01, list_price: ¥132000}
    - sku: CN-PEN
      category: hardware
      unit: device
      list_price: ¥20000
price_rules:
  ceiling: list_price
  margin_caps:
    - id: hardware-cap
      when: item.category == hardware
      cap: 8%
"""


@pytest.mark.parametrize("action", ["reject", "flag", "hold"])
def test_a_price_catalog_settles_alike_on_both_engines(action: str, tmp_path: Path) -> None:
    program = tmp_path / "catalog.yaml"
    program.write_text(CATALOG_PROGRAM.replace("ACTION", action), encoding="utf-8")
    partners_file = tmp_path / "partners.csv"
    partners_file.write_text("id,contract\nr,reseller\ns,reseller\n", encoding="utf-8")
    transactions = tmp_path / "t.csv"
    # Rows that name only their SKU (the catalog's price on their date), that state it, that state another
    # price (E554 with the catalog's action), an unknown SKU (E555), a refund, a row without a SKU (which the
    # hardware cap cannot judge: E500), a sale above list (E550), and a row the reader refuses.
    transactions.write_text(
        "id,date,partner,sku,quantity,list_price,sell_price\n"
        "t1,2026-06-01,r,CN-BIZ,2,,\n"
        "t2,2026-10-02,r,CN-BIZ,1,132000,130000\n"
        "t3,2026-10-02,s,CN-BIZ,1,120000,120000\n"
        "t4,2026-06-01,r,CN-NOPE,1,,\n"
        "t5,2026-07-01,s,CN-PEN,3,,\n"
        "t6,2026-08-01,s,CN-PEN,-1,,\n"
        "t7,2026-06-01,r,,1,50000,50000\n"
        "t8,2026-06-01,r,CN-PEN,1,20000,25000\n"
        "t9,2026-06-01,r,CN-PEN,x,,\n", encoding="utf-8")
    for engine_name in ("rows", "duckdb"):
        assert main(["settle", str(program), "--partners", str(partners_file), "--transactions", str(transactions),
                     "--period", "FY2026", "--out", str(tmp_path / engine_name), "--engine", engine_name,
                     "--color", "never"]) == 0
    same_tree(tmp_path / "rows", tmp_path / "duckdb")
    rejects = (tmp_path / "duckdb" / "rejects.csv").read_text(encoding="utf-8")
    assert "E555" in rejects and "E550" in rejects and "E500" in rejects
    held = (tmp_path / "duckdb" / "held.csv").read_text(encoding="utf-8")
    flagged = (tmp_path / "duckdb" / "violations.csv").read_text(encoding="utf-8")
    place = {"reject": rejects, "hold": held, "flag": flagged}[action]
    assert "E554" in place


def with_memberships(partners: dict[str, Partner], seed: int) -> dict[str, Partner]:
    """The partners, a third of them with a `joined` or `left` day (or both) inside the fiscal year: sales before
    or after them, and through distributors that have left, are rejected (E515)."""
    rng = random.Random(seed)
    changed = {}
    for partner in partners.values():
        roll = rng.random()
        start = PERIOD.start + datetime.timedelta(days=rng.randrange(200))
        if roll < 0.12:
            partner = replace(partner, joined=start)
        elif roll < 0.24:
            partner = replace(partner, left=start)
        elif roll < 0.33:
            partner = replace(partner, joined=start, left=start + datetime.timedelta(days=rng.randrange(120)))
        changed[partner.id] = partner
    return changed


@pytest.mark.parametrize("program", PROGRAMS)
def test_both_engines_reject_sales_outside_membership_alike(program: str, tmp_path: Path) -> None:
    ruleset = settled(program)
    columns, rows, partners = data.transaction_rows(program, ruleset, 400, seed=13)
    partners = with_memberships(with_broken_chains(ruleset, rows, partners), seed=13)
    transactions = data.write_csv(tmp_path / "t.csv", columns, rows)
    settle_rows(ruleset, partners, transactions, tmp_path / "rows")
    engine.settle_files(Runtime(ruleset, "compiled"), partners, PERIOD, transactions, tmp_path / "duckdb",
                        engine.Options(threads=2, memory_limit="256MB"))
    same_tree(tmp_path / "rows", tmp_path / "duckdb")
    rejects = (tmp_path / "duckdb" / "rejects.csv").read_text(encoding="utf-8")
    assert rejects.count(",E515,") >= 5
    if any(v.hierarchy for v in ruleset.versions):
        assert "buys through, is not a member" in rejects


def test_assigned_and_qualified_tiers_are_decided_alike_on_both_engines(tmp_path: Path) -> None:
    """An assigned tier the partners file states holds; otherwise the qualifications decide (statements.csv)."""
    program, partners_file, transactions = tmp_path / "assigned.yaml", tmp_path / "partners.csv", tmp_path / "t.csv"
    program.write_text(PROGRAM, encoding="utf-8")
    partners_file.write_text(PARTNERS, encoding="utf-8")
    transactions.write_text(TRANSACTIONS, encoding="utf-8")
    for engine_name in ("rows", "duckdb"):
        assert main(["settle", str(program), "--partners", str(partners_file), "--transactions", str(transactions),
                     "--period", "FY2026", "--out", str(tmp_path / engine_name), "--engine", engine_name,
                     "--color", "never"]) == 0
    same_tree(tmp_path / "rows", tmp_path / "duckdb")
    summary = (tmp_path / "duckdb" / "statements.csv").read_text(encoding="utf-8").splitlines()
    next_tier = {row.split(",")[0]: row.split(",")[5] for row in summary[1:]}
    assert next_tier == {"a": "gold", "b": "silver", "c": "silver", "d": "member", "e": "member"}
