"""Expressions and rounding in SQL: exact on integers, refused when not translatable."""

from __future__ import annotations

from fractions import Fraction

import duckdb
import pytest
from sqlglot import exp

from runtime import ir
from runtime.decisions._rounding import round_ratio
from runtime.sql import _exprs as x


@pytest.mark.parametrize("mode", ["down", "up", "half_up", "half_even", "floor", "ceiling"])
@pytest.mark.parametrize("unit", [1, 10, 100])
def test_rounding_matches_the_row_engine_for_every_sign_and_tie(mode: str, unit: int) -> None:
    den = 8
    numerators = list(range(-2 * den * unit - 3, 2 * den * unit + 4))
    expr = x.round_ratio(exp.column("n"), den, unit, mode, "duckdb")
    con = duckdb.connect()
    con.execute("CREATE TABLE v(n HUGEINT)")
    con.executemany("INSERT INTO v VALUES (?)", [[n] for n in numerators])
    got = con.execute(f"SELECT n, {expr.sql('duckdb')} FROM v ORDER BY n").fetchall()
    assert [(n, int(r)) for n, r in got] == [(n, round_ratio(n, den, unit, mode)) for n in numerators]


def _translator() -> x.Translator:
    def resolve(field: ir.Field) -> exp.Expr:
        return exp.column(field.name)

    return x.Translator(resolve, "duckdb")


def test_rates_stay_exact_integers_over_a_scale() -> None:
    value = _translator().num(ir.Arith("+", ir.Const("percent", Fraction(3, 20)), ir.Const("percent",
                                                                                           Fraction(1, 8))))
    assert value.scale == 40
    assert duckdb.sql(f"SELECT {value.sql.sql('duckdb')}").fetchall()[0][0] == 11  # 6/40 + 5/40


@pytest.mark.parametrize("node, construct", [
    (ir.Call("round", (ir.Const("money", 5),)), "`round`"),
    (ir.Arith("/", ir.Const("money", 5), ir.Field("transaction", "quantity", "integer")), "division"),
    (ir.Field("transaction", "date", "date"), "type date"),
])
def test_untranslatable_constructs_are_refused_by_name(node: ir.Expr, construct: str) -> None:
    with pytest.raises(x.Refused, match=construct):
        _translator().value(node)
