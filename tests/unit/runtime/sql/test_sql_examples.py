"""The SQL back end on the example programs: equal to the row engine where supported, refused elsewhere."""

from __future__ import annotations

import datetime

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from runtime import ir
from runtime.loaded import Runtime
from runtime.model import Period
from runtime.sql import DIALECTS, Unsupported, header, quote_query, render, statement_query, unsupported
from tests.unit.runtime.sql._harness import assert_same, assert_same_quotes, example_data

FY = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))


def _compile(name: str) -> ir.RuleSet:
    result = check([f"programs/{name}.yaml"])
    return compile_program(result.programs[0])


@pytest.mark.parametrize("name", ["saas_reseller", "regional_trading"])
@pytest.mark.parametrize("seed", [0, 1])
def test_example_statements_and_quotes_match_the_row_engine(name: str, seed: int) -> None:
    ruleset = _compile(name)
    assert unsupported(ruleset) == []
    rt = Runtime(ruleset, "compiled")
    txns, partners = example_data(ruleset, seed)
    assert_same(rt, txns, partners, FY)
    assert_same_quotes(rt, txns[:120], partners)


def test_a_quarter_settles_like_the_row_engine() -> None:
    ruleset = _compile("saas_reseller")
    txns, partners = example_data(ruleset, 7)
    assert_same(Runtime(ruleset, "compiled"), txns, partners, Period(datetime.date(2026, 7, 1),
                                                                     datetime.date(2026, 9, 30)))


def test_hierarchy_and_pass_through_are_refused_by_name() -> None:
    ruleset = _compile("ad_agency")
    reasons = unsupported(ruleset)
    assert any("hierarchy" in r for r in reasons) and any("pass-through `media-spend`" in r for r in reasons)
    with pytest.raises(Unsupported, match="hierarchy"):
        quote_query(ruleset)
    with pytest.raises(Unsupported, match="pass-through"):
        statement_query(ruleset, FY)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_renders(dialect: str) -> None:
    ruleset = _compile("regional_trading")
    text = render(statement_query(ruleset, FY, dialect), dialect)
    assert "WITH" in text and "DOUBLE" not in text.upper() and "FLOAT" not in text.upper()
    assert "transactions(id VARCHAR" in header(ruleset, "statement", dialect)
