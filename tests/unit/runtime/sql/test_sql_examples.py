"""The SQL back end on the example programs: quotes, quote lines and statements equal the row engine's."""

from __future__ import annotations

import datetime
import glob
import pathlib

import duckdb
import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from runtime import ir
from runtime.loaded import Runtime
from runtime.model import Period
from runtime.sql import DIALECTS, header, quote_lines_query, quote_query, render, statement_query, unsupported
from tests.unit.runtime.sql._harness import assert_same, assert_same_quotes, example_data, load

FY = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
NOVEMBER = Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
EXAMPLES = sorted(pathlib.Path(p).stem for p in glob.glob("programs/*.yaml"))


def _compile(name: str) -> ir.RuleSet:
    result = check([f"programs/{name}.yaml"])
    return compile_program(result.programs[0])


def test_every_example_program_is_covered() -> None:
    assert EXAMPLES == ["ad_agency", "regional_trading", "saas_reseller"]


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("seed", [0, 1])
def test_example_statements_and_quotes_match_the_row_engine(name: str, seed: int) -> None:
    ruleset = _compile(name)
    assert unsupported(ruleset) == []
    rt = Runtime(ruleset, "compiled")
    txns, partners = example_data(ruleset, seed, rt=rt)
    assert_same(rt, txns, partners, FY)
    assert_same(rt, txns, partners, NOVEMBER)
    assert_same_quotes(rt, txns, partners)


def test_a_quarter_settles_like_the_row_engine() -> None:
    ruleset = _compile("saas_reseller")
    txns, partners = example_data(ruleset, 7)
    assert_same(Runtime(ruleset, "compiled"), txns, partners, Period(datetime.date(2026, 7, 1),
                                                                     datetime.date(2026, 9, 30)))


def test_the_agency_chain_shows_every_level_and_the_pass_through() -> None:
    ruleset = _compile("ad_agency")
    rt = Runtime(ruleset, "compiled")
    txns, partners = example_data(ruleset, 3, count=60)
    con = load(ruleset, txns, partners)
    rows = con.execute(render(quote_lines_query(ruleset), "duckdb")).fetchall()
    kinds = {(kind, rule) for _t, _d, _v, _p, kind, _a, rule in rows}
    assert ("margin", "hierarchy level 3") in kinds and ("fee", "pass-through `media-spend`") in kinds
    assert ("referral_fee", "contract `introducer`") in kinds
    assert_same_quotes(rt, txns, partners)


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_example_renders_in_every_dialect(name: str, dialect: str) -> None:
    ruleset = _compile(name)
    for query in (quote_query(ruleset, dialect), quote_lines_query(ruleset, dialect),
                  statement_query(ruleset, FY, dialect)):
        text = render(query, dialect)
        assert text.startswith("WITH") and "DOUBLE" not in text.upper() and "FLOAT" not in text.upper()
    assert "transactions(id VARCHAR" in header(ruleset, "statement", dialect)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_duckdb_text_runs_on_empty_tables(name: str) -> None:
    ruleset = _compile(name)
    con = load(ruleset, [], {})
    for query in (quote_query(ruleset), quote_lines_query(ruleset), statement_query(ruleset, FY)):
        assert con.execute(header(ruleset, "test", "duckdb") + "\n" + render(query, "duckdb")).fetchall() == []
    assert isinstance(con, duckdb.DuckDBPyConnection)
