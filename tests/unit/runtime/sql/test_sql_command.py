"""`ppl sql` through `ppl.cli.main`: every example program in every dialect, refusals by name."""

from __future__ import annotations

import datetime
import pathlib

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from ppl.cli import main
from runtime.model import Period
from runtime.sql import DIALECTS, quote_lines_query, quote_query, render, statement_query
from tests.unit.runtime.sql._harness import example_data, load

EXAMPLES = ("ad_agency", "regional_trading", "saas_reseller")
FY = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))


def _run(*argv: str) -> int:
    return main(list(argv))


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("query", ["quote", "lines", "statement"])
def test_every_example_renders_in_every_dialect(name: str, dialect: str, query: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("sql", f"programs/{name}.yaml", "--dialect", dialect, "--query", query, "--period", "FY2026") == 0
    out = capsys.readouterr().out
    assert out.startswith("-- ppl: ") and "transactions(id VARCHAR" in out and "partners(id VARCHAR" in out
    assert "WITH q_input" in out or "WITH q_walk" in out or "WITH q_catalog" in out
    assert "DOUBLE" not in out.upper() and "FLOAT" not in out.upper()


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_duckdb_text_runs_and_gives_the_rows_of_the_api(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    ruleset = compile_program(check([f"programs/{name}.yaml"]).programs[0])
    txns, partners = example_data(ruleset, 5, count=80)
    con = load(ruleset, txns, partners)
    for query, built in (("quote", quote_query(ruleset)), ("lines", quote_lines_query(ruleset)),
                         ("statement", statement_query(ruleset, FY))):
        assert _run("sql", f"programs/{name}.yaml", "--query", query, "--period", "FY2026") == 0
        printed = con.execute(capsys.readouterr().out).fetchall()
        assert printed and printed == con.execute(render(built, "duckdb")).fetchall()


def test_the_header_states_the_chain_columns(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("sql", "programs/ad_agency.yaml") == 0
    out = capsys.readouterr().out
    assert "parent VARCHAR (NULL or '': none)" in out and "at most 3 levels" in out


_REFUSED = (pathlib.Path(__file__).parent / "refused_by_sql.yaml").read_text(encoding="utf-8")


def test_refuses_a_construct_naming_it(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = tmp_path / "refused.yaml"
    program.write_text(_REFUSED, encoding="utf-8")
    assert _run("sql", str(program)) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "division by anything but a non-zero constant" in captured.err
    assert "refused.yaml:14:15" in captured.err


def test_a_statement_needs_a_period(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("sql", "programs/saas_reseller.yaml", "--query", "statement") == 2
    assert "--period" in capsys.readouterr().err
