"""`ppl sql` through a local argparse parser."""

from __future__ import annotations

import argparse

import duckdb
import pytest

from ppl import _sql_commands


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="ppl")
    _sql_commands.add_commands(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    status: int = args.run(args)
    return status


def test_prints_a_header_and_duckdb_sql_that_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("sql", "programs/regional_trading.yaml", "--query", "statement", "--period", "FY2026") == 0
    out = capsys.readouterr().out
    assert out.startswith("-- ppl: statement lines") and "transactions(id VARCHAR" in out
    con = duckdb.connect()
    con.execute("CREATE TABLE transactions(id VARCHAR, date DATE, partner VARCHAR, contract VARCHAR, product VARCHAR,"
                " list_price BIGINT, sell_price BIGINT, quantity BIGINT, category VARCHAR, integration_amount BIGINT)")
    con.execute("CREATE TABLE partners(id VARCHAR, contract VARCHAR, tier VARCHAR, level INTEGER, parent VARCHAR, "
                "territory VARCHAR, specialty VARCHAR, trailing_sales BIGINT, certified_engineers BIGINT, "
                "nda_signed BOOLEAN, open_leads BIGINT)")
    assert con.execute(out).fetchall() == []


@pytest.mark.parametrize("dialect", ["spark", "trino", "postgres"])
def test_other_dialects(dialect: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("sql", "programs/saas_reseller.yaml", "--dialect", dialect) == 0
    assert "WITH q_input" in capsys.readouterr().out


def test_refuses_a_hierarchy_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("sql", "programs/ad_agency.yaml") == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "hierarchy" in captured.err and "pass-through `media-spend`" in captured.err


def test_a_statement_needs_a_period(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("sql", "programs/saas_reseller.yaml", "--query", "statement") == 2
    assert "--period" in capsys.readouterr().err
