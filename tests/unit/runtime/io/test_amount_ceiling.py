"""One magnitude ceiling, 10^15 whole units, that every engine holds: a larger amount, or a line amount
(price × quantity) that reaches it, is a rejected row (E521) on both engines, with the same reason, and the
figures of accepted rows at the ceiling are the same in DuckDB as in the row engine."""

from __future__ import annotations

import csv
import filecmp
import json
from pathlib import Path

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from ppl.cli import main
from runtime.io.values import BAD_VALUE, ValueProblem, line_amount_problem, line_amount_reason, parse_money
from runtime.money import MAX_AMOUNT, MAX_AMOUNT_DIGITS, over_ceiling
from runtime.sql import unsupported

TOP = MAX_AMOUNT - 1  # ¥999,999,999,999,999: the largest amount
HEADER = "id,date,partner,product,list_price,sell_price,quantity,placement,ad_spend\n"


def test_the_ceiling_is_fifteen_digits_of_whole_units() -> None:
    assert (MAX_AMOUNT, MAX_AMOUNT_DIGITS) == (10**15, 15)
    assert not over_ceiling(TOP, 0) and over_ceiling(MAX_AMOUNT, 0) and over_ceiling(-MAX_AMOUNT, 0)
    assert not over_ceiling(TOP * 100 + 99, 2) and over_ceiling(MAX_AMOUNT * 100, 2)


@pytest.mark.parametrize(("text", "currency", "digits", "minor"), [
    (str(TOP), "JPY", 0, TOP), ("¥999,999,999,999,999", "JPY", 0, TOP), ("9999999億", "JPY", 0, 999_999_900_000_000),
    ("999999999999999.99", "USD", 2, TOP * 100 + 99),
])
def test_an_amount_just_under_the_ceiling_is_read(text: str, currency: str, digits: int, minor: int) -> None:
    assert parse_money(text, currency, digits) == minor


@pytest.mark.parametrize(("text", "currency", "digits"), [
    (str(MAX_AMOUNT), "JPY", 0), ("¥1,000,000,000,000,000", "JPY", 0), ("10000000億", "JPY", 0),
    ("1000000000000000.00", "USD", 2), ("-1000000000000000", "JPY", 0),
])
def test_an_amount_at_the_ceiling_is_rejected(text: str, currency: str, digits: int) -> None:
    with pytest.raises(ValueProblem, match="too large for an amount") as found:
        parse_money(text, currency, digits)
    assert found.value.code == BAD_VALUE


@pytest.mark.parametrize(("price", "quantity", "minor_unit", "rejected"), [
    (TOP, 1, 0, False), (TOP, -1, 0, False), (TOP, 2, 0, True), (999_999, 10**9, 0, False),
    (10**6, 10**9, 0, True), (10**6, -(10**9), 0, True), (1_000_001, 999_999_999, 0, True),
    (TOP * 100 + 99, 1, 2, False), (10**8, 10**9, 2, True), (0, 10**9, 0, False),
])
def test_a_line_amount_at_the_ceiling_is_a_problem(price: int, quantity: int, minor_unit: int,
                                                   rejected: bool) -> None:
    problem = line_amount_problem("sell_price", price, quantity, minor_unit)
    assert (problem is not None) == rejected
    if problem is not None:
        assert (problem.code, problem.reason) == (BAD_VALUE, line_amount_reason("sell_price"))


ROWS = [  # (id, list_price, sell_price, quantity, the reject's field and reason or None)
    ("T1", str(TOP), str(TOP), "1", None),
    ("T2", str(MAX_AMOUNT), str(MAX_AMOUNT), "1", ("list_price", f"`{MAX_AMOUNT}` is too large for an amount "
                                                                 "(more than 15 digits)")),
    ("T3", "1000000", "1000000", "1000000000", ("quantity", line_amount_reason("list_price"))),
    ("T4", "999999", "999999", "1000000000", None),
    ("T5", "1000001", "1000001", "999999999", ("quantity", line_amount_reason("list_price"))),
    ("T6", str(TOP), str(TOP), "2", ("quantity", line_amount_reason("list_price"))),
    ("T7", '"¥999,999,999,999,999"', '"¥999,999,999,999,999"', "2", ("quantity", line_amount_reason("list_price"))),
    ("T8", "5", str(TOP), "3", ("quantity", line_amount_reason("sell_price"))),
    ("T9", "1", "1", "9" * 29, ("quantity", f"quantity `{10**29 - 1:,}` is too large for one row "
                                            "(more than 1,000,000,000)")),
]


def _settle(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    status = main(["settle", *args, "--period", "FY2026", "--format", "json"])
    summary: dict[str, object] = json.loads(capsys.readouterr().out)
    assert status == 0
    return summary


@pytest.mark.parametrize("engine", ["rows", "duckdb"])
def test_rows_at_the_ceiling_are_rejected_alike_by_both_engines(
        in_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "".join(f"{i},2026-06-01,ag1-01,reserved,{lp},{sp},{q},in_feed,0\n"
                                     for i, lp, sp, q, _ in ROWS), encoding="utf-8")
    out = tmp_path / "out"
    summary = _settle(["programs/ad_agency.yaml", "--transactions", str(path), "--partners",
                       "examples/data/partners.csv", "--out", str(out), "--engine", engine], capsys)
    assert summary["engine"] == ("duckdb" if engine == "duckdb" else "compiled")
    assert (summary["accepted"], summary["rejected"]) == (2, len(ROWS) - 2)
    with open(out / "rejects.csv", encoding="utf-8", newline="") as handle:
        found = [(r["id"], r["code"], r["field"], r["reason"]) for r in csv.DictReader(handle)]
    assert found == [(i, BAD_VALUE, *why) for i, _, _, _, why in ROWS if why is not None]


CEILING = """\
ppl: 1
program:
  id: ceiling
  title: Amounts at the ceiling
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: half_up}
contracts:
  - id: resale
    kind: distributor
    margin: 66.MARGIN%
    ladder: volume
  - id: referral
    kind: referral
    fee: 99.FEE%
    fee_cap: ¥999,999,999,999,999
ladders:
  - id: volume
    basis: purchases
    period: fiscal_year
    mode: marginal
    steps:
      - from: ¥0
        rate: 0%
      - from: ¥500兆
        rate: 33.STEP%
"""
AT_THE_CEILING = ("id,date,partner,list_price,sell_price,quantity\n"
                  f"T1,2026-06-01,P1,{TOP},{TOP},1\nT2,2026-06-02,P1,{TOP},{TOP - 2},1\n"
                  f"T3,2026-06-03,P2,{TOP},{TOP},1\nT4,2026-06-04,P1,999999,999999,999999999\n"
                  f"T5,2026-06-05,P2,999999999,999999999,1000000\nT6,2026-06-06,P2,{TOP},{TOP - 1},1\n")


def _ceiling_program(tmp_path: Path, decimals: int) -> Path:
    program = tmp_path / "ceiling.yaml"
    program.write_text(CEILING.replace("MARGIN", "6" * decimals).replace("FEE", "9" * decimals)
                       .replace("STEP", "3" * decimals), encoding="utf-8")
    (tmp_path / "partners.csv").write_text("id,contract\nP1,resale\nP2,referral\n", encoding="utf-8")
    (tmp_path / "t.csv").write_text(AT_THE_CEILING, encoding="utf-8")
    return program


def _same_files(left: Path, right: Path) -> None:
    names = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
    for name in names:
        assert filecmp.cmp(left / name, right / name, shallow=False), f"{name} differs"


def test_duckdb_figures_at_the_ceiling_with_rates_near_100_percent_equal_the_row_engine(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = _ceiling_program(tmp_path, 12)  # 66.666…%, 99.999…% and 33.333…% to twelve decimals
    common = [str(program), "--transactions", str(tmp_path / "t.csv"), "--partners", str(tmp_path / "partners.csv")]
    rows = _settle([*common, "--out", str(tmp_path / "rows"), "--engine", "rows"], capsys)
    duck = _settle([*common, "--out", str(tmp_path / "duckdb"), "--engine", "duckdb"], capsys)
    assert duck["engine"] == "duckdb" and rows["accepted"] == duck["accepted"] == 6
    _same_files(tmp_path / "rows", tmp_path / "duckdb")
    lines = (tmp_path / "rows" / "lines.csv").read_text(encoding="utf-8")
    assert "666666666666" in lines and "999999999999" in lines  # amounts past BIGINT once times a numerator


def test_rates_too_fine_for_exact_sql_at_the_ceiling_are_settled_by_the_row_engine(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = _ceiling_program(tmp_path, 25)
    result = check([str(program)])
    assert not [d for d in result.diagnostics if d.severity.name == "ERROR"]
    [reason] = unsupported(compile_program(result.programs[0]))
    assert "an amount at the ceiling times a rate does not fit exact SQL integers" in reason
    common = [str(program), "--transactions", str(tmp_path / "t.csv"), "--partners", str(tmp_path / "partners.csv")]
    auto = _settle([*common, "--out", str(tmp_path / "auto")], capsys)
    assert auto["engine"] == "compiled" and "does not fit exact SQL integers" in str(auto["engine_reason"])
    assert main(["settle", *common, "--period", "FY2026", "--out", str(tmp_path / "d"), "--engine", "duckdb"]) == 1
    assert "does not fit exact SQL integers" in capsys.readouterr().err
