"""Partner membership: `joined` and `left` in the partners file, and E515 for a sale outside them (the seller's,
or a distributor's it buys through), alike on the row engine, DuckDB and the quote."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

import duckdb
import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from ppl.cli import main
from runtime import io as rio
from runtime import ir
from runtime.decisions import QuoteError, Settler, is_member, quote
from runtime.decisions.quote import Quoter
from runtime.loaded import Runtime
from runtime.model import Partner, Transaction

PROGRAM = """\
ppl: 1
program:
  id: lifecycle
  title: Lifecycle
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
contracts:
  - id: agency
    kind: distributor
    margin: 20%
hierarchy:
  model: nested
  max_depth: 2
  levels:
    - level: 1
      margin: 20%
    - level: 2
      margin: 10%
"""
PARTNERS = ("id,contract,level,parent,joined,left\n"
            "d,agency,1,,,2026-09-30\n"  # a distributor that leaves at the end of September
            "r,agency,2,d,2026-06-01,\n"  # a reseller that joins in June, under `d`
            "q,agency,2,d,,\n"
            "z,agency,1,,,\n")
TRANSACTIONS = ("id,date,partner,list_price,sell_price,quantity,refund_of\n"
                "t1,2026-05-31,r,1000,900,1,\n"  # before `r` joined
                "t2,2026-06-01,r,1000,900,1,\n"  # the day it joined: a member
                "t3,2026-09-30,q,1000,900,1,\n"  # `d`'s last day: a member
                "t4,2026-10-01,q,1000,900,1,\n"  # through `d`, the day after it left
                "t5,2026-10-01,d,1000,900,1,\n"  # `d` itself, after it left
                "t6,2026-10-01,nobody,1000,900,1,\n"  # unknown partner: E511 comes first
                "t7,2026-11-01,r,1000,900,-1,t2\n"  # a refund follows its sale, whoever has left since
                "t8,2027-01-01,z,1000,900,1,\n")
PERIOD = rio.parse_period("2026-04..2026-12")


def ruleset(tmp_path: Path) -> ir.RuleSet:
    program = tmp_path / "lifecycle.yaml"
    program.write_text(PROGRAM, encoding="utf-8")
    return compile_program(check([str(program)]).programs[0])


def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    rs_path = tmp_path / "lifecycle.yaml"
    rs_path.write_text(PROGRAM, encoding="utf-8")
    partners, transactions = tmp_path / "partners.csv", tmp_path / "t.csv"
    partners.write_text(PARTNERS, encoding="utf-8")
    transactions.write_text(TRANSACTIONS, encoding="utf-8")
    return rs_path, partners, transactions


def rejects(out: Path) -> list[str]:
    return out.joinpath("rejects.csv").read_text(encoding="utf-8").splitlines()[1:]


# --- the partners file -----------------------------------------------------------------------------


def test_joined_and_left_are_read_as_days_and_default_to_always(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(PARTNERS, encoding="utf-8")
    partners = rio.read_partners(path, ruleset(tmp_path))
    assert (partners["d"].joined, partners["d"].left) == (None, datetime.date(2026, 9, 30))
    assert (partners["r"].joined, partners["r"].left) == (datetime.date(2026, 6, 1), None)
    assert partners["z"] == Partner("z", "agency", None, 1, None, {})


def test_a_timestamp_is_read_as_its_date_in_the_programs_time_zone(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": "a", "contract": "agency", "joined": "2026-05-31T20:00:00Z"}) + "\n",
                    encoding="utf-8")
    rs = dataclasses.replace(ruleset(tmp_path), time_zone="Asia/Tokyo")
    assert rio.read_partners(path, rs)["a"].joined == datetime.date(2026, 6, 1)


def test_a_parquet_partners_file_may_type_its_dates(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    con = duckdb.connect()
    con.execute("COPY (SELECT 'a' AS id, 'agency' AS contract, DATE '2026-06-01' AS joined, "
                "CAST(NULL AS DATE) AS \"left\") TO ? (FORMAT parquet)", [str(path)])
    con.close()
    partner = rio.read_partners(path, ruleset(tmp_path))["a"]
    assert (partner.joined, partner.left) == (datetime.date(2026, 6, 1), None)


def test_a_partner_that_leaves_before_it_joins_or_a_bad_day_is_a_partners_file_error_naming_the_row(
        tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,contract,joined,left\na,agency,2026-06-01,2026-05-31\nb,agency,2026-06-01,2026-06-01\n"
                    "c,agency,June,\n", encoding="utf-8")
    with pytest.raises(rio.PartnersError) as exc:
        rio.read_partners(path, ruleset(tmp_path))
    assert exc.value.problems[0] == "row 1: partner `a` left on 2026-05-31, before it joined on 2026-06-01"
    assert exc.value.problems[1].startswith("row 3: ") and "`June`" in exc.value.problems[1]
    assert len(exc.value.problems) == 2  # `b` joins and leaves on one day: a member for that day


@pytest.mark.parametrize(("day", "member"), [
    (datetime.date(2026, 5, 31), False), (datetime.date(2026, 6, 1), True), (datetime.date(2026, 9, 30), True),
    (datetime.date(2026, 10, 1), False)])
def test_membership_includes_its_first_and_last_day(day: datetime.date, member: bool) -> None:
    partner = Partner("a", "agency", joined=datetime.date(2026, 6, 1), left=datetime.date(2026, 9, 30))
    assert is_member(partner, day) is member
    assert is_member(Partner("b", "agency"), day)


# --- the decisions ---------------------------------------------------------------------------------


def _sale(partner: str, day: datetime.date) -> Transaction:
    return Transaction("t", day, partner, 1000, 900, 1)


def test_a_quote_outside_the_sellers_membership_is_refused_with_e515(tmp_path: Path) -> None:
    rt = Runtime(ruleset(tmp_path), "compiled")
    partners = rio.read_partners(files(tmp_path)[1], rt.ruleset)
    with pytest.raises(QuoteError) as exc:
        quote(rt, _sale("r", datetime.date(2026, 5, 31)), partners)
    assert (exc.value.code, exc.value.message) == (
        "E515", "partner `r` is not a member on 2026-05-31: it joined on 2026-06-01")
    assert quote(rt, _sale("r", datetime.date(2026, 6, 1)), partners).partner == "r"


def test_a_sale_through_a_distributor_that_has_left_is_refused_naming_the_distributor(tmp_path: Path) -> None:
    rt = Runtime(ruleset(tmp_path), "interpreted")
    partners = rio.read_partners(files(tmp_path)[1], rt.ruleset)
    with pytest.raises(QuoteError) as exc:
        quote(rt, _sale("q", datetime.date(2026, 10, 1)), partners)
    assert exc.value.message == ("partner `d`, which `q` buys through, is not a member on 2026-10-01: "
                                 "it left on 2026-09-30")


def test_the_reference_path_refuses_as_the_plans_do(tmp_path: Path) -> None:
    rt = Runtime(ruleset(tmp_path), "compiled")
    quoter = Quoter(rt, rio.read_partners(files(tmp_path)[1], rt.ruleset))
    with pytest.raises(QuoteError) as exc:
        quoter.reference(_sale("q", datetime.date(2026, 10, 1)))
    assert exc.value.code == "E515"


def test_the_order_of_checks_is_unknown_partner_then_membership(tmp_path: Path) -> None:
    rt = Runtime(ruleset(tmp_path), "compiled")
    with pytest.raises(QuoteError) as exc:
        quote(rt, _sale("nobody", datetime.date(2026, 10, 1)), rio.read_partners(files(tmp_path)[1], rt.ruleset))
    assert exc.value.code == "E511"


def test_a_settlement_rejects_sales_outside_membership_and_takes_the_refunds(tmp_path: Path) -> None:
    _, partners_file, transactions = files(tmp_path)
    rs = ruleset(tmp_path)
    partners = rio.read_partners(partners_file, rs)
    writer = rio.SettlementWriter(tmp_path / "out", rs, partners)
    settler = Settler(Runtime(rs, "compiled"), partners, PERIOD, on_reject=writer.on_reject)
    with rio.TransactionReader(transactions, rs) as reader:
        rio.feed(settler, reader)
    settlement = settler.finish()
    writer.finish(settlement)
    assert [line.split(",")[1:4] for line in rejects(tmp_path / "out")] == [
        ["t1", "", "E515"], ["t4", "", "E515"], ["t5", "", "E515"], ["t6", "", "E511"], ["t8", "date", "E514"]]
    assert (settlement.accepted, settlement.rejected) == (3, 5)  # t2, t3 and t7, the refund of t2


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_both_engines_reject_the_same_rows_with_the_same_reasons(fmt: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, transactions = files(tmp_path)
    if fmt == "parquet":
        con = duckdb.connect()
        con.execute("COPY (SELECT * FROM read_csv(?, all_varchar = true)) TO ? (FORMAT parquet)",
                    [str(transactions), str(tmp_path / "t.parquet")])
        con.close()
        transactions = tmp_path / "t.parquet"
    for engine_name in ("rows", "duckdb"):
        assert main(["settle", str(program), "--partners", str(partners), "--transactions", str(transactions),
                     "--period", "2026-04..2026-12", "--out", str(tmp_path / engine_name), "--engine", engine_name,
                     "--color", "never"]) == 0
    summary = capsys.readouterr().out.split("\n")
    assert sum("E515 partner not a member on the date" in line and line.endswith(" 3") for line in summary) == 2
    assert rejects(tmp_path / "rows") == rejects(tmp_path / "duckdb")
    for name in ("lines.csv", "statements.csv", "statements.json"):
        assert (tmp_path / "rows" / name).read_bytes() == (tmp_path / "duckdb" / name).read_bytes(), name
    assert sum(",E515," in line for line in rejects(tmp_path / "duckdb")) == 3


def test_partners_without_membership_days_settle_as_before(tmp_path: Path) -> None:
    rs = ruleset(tmp_path)
    plain = {"z": Partner("z", "agency")}
    settler = Settler(Runtime(rs, "compiled"), plain, PERIOD)
    assert not settler.quoter.membership
    settler.add(_sale("z", datetime.date(2026, 4, 1)))
    assert settler.finish().accepted == 1


def test_ppl_quote_refuses_a_sale_through_a_distributor_that_has_left(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, _ = files(tmp_path)
    row = {"id": "x", "date": "2026-10-01", "partner": "q", "list_price": 1000, "sell_price": 900, "quantity": 1}
    status = main(["quote", str(program), "--partners", str(partners), "--transaction", json.dumps(row),
                   "--color", "never"])
    assert status == 1
    assert ("error[E515]: partner `d`, which `q` buys through, is not a member on 2026-10-01: it left on 2026-09-30"
            in capsys.readouterr().err)
