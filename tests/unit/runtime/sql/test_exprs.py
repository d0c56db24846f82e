"""Expressions and rounding in SQL: exact on integers, equal to the reference interpreter, refused by name."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import duckdb
import pytest
from sqlglot import exp

from runtime import ir
from runtime.decisions._rounding import round_ratio
from runtime.engine import EvalContext, evaluate
from runtime.sql import _exprs as x
from runtime.sql._arith import Num, Refused
from runtime.sql._rounding import round_ratio as sql_round_ratio


@pytest.mark.parametrize("mode", ["down", "up", "half_up", "half_even", "floor", "ceiling"])
@pytest.mark.parametrize("unit", [1, 10, 100])
def test_rounding_matches_the_row_engine_for_every_sign_and_tie(mode: str, unit: int) -> None:
    den = 8
    numerators = list(range(-2 * den * unit - 3, 2 * den * unit + 4))
    expr = sql_round_ratio(exp.column("n"), den, unit, mode, "duckdb")
    con = duckdb.connect()
    con.execute("CREATE TABLE v(n HUGEINT)")
    con.executemany("INSERT INTO v VALUES (?)", [[n] for n in numerators])
    got = con.execute(f"SELECT n, {expr.sql('duckdb')} FROM v ORDER BY n").fetchall()
    assert [(n, int(r)) for n, r in got] == [(n, round_ratio(n, den, unit, mode)) for n in numerators]


FIELDS = {"amount": ir.Field("transaction", "amount", "money"), "rate": ir.Field("partner", "rate", "percent"),
          "day": ir.Field("transaction", "date", "date"), "count": ir.Field("transaction", "quantity", "integer")}


def _translator(mode: str = "half_up") -> x.Translator:
    def resolve(field: ir.Field) -> exp.Expr:
        return exp.column(field.name)

    return x.Translator(resolve, "duckdb", mode)


def _sql_value(node: ir.Expr, row: dict[str, Any], mode: str) -> Any:
    """The expression evaluated by DuckDB on one row (a number as a Fraction)."""
    value = _translator(mode).value(node)
    con = duckdb.connect()
    con.execute("CREATE TABLE r(amount BIGINT, rate DECIMAL(38, 10), date DATE, quantity BIGINT)")
    con.execute("INSERT INTO r VALUES (?, ?, ?, ?)", [row["amount"], Decimal(row["rate"].numerator) /
                                                      Decimal(row["rate"].denominator), row["date"], row["quantity"]])
    got = con.execute(f"SELECT {value.sql.sql('duckdb')} FROM r").fetchall()[0][0]
    return Fraction(int(got), value.scale) if isinstance(value, Num) else got


def _m(v: int) -> ir.Const:
    return ir.Const("money", v)


def _p(v: Fraction) -> ir.Const:
    return ir.Const("percent", v)


CASES = [
    ir.Call("round", (ir.Arith("*", FIELDS["amount"], _p(Fraction(3, 20))), _m(100))),
    ir.Call("round", (ir.Arith("*", FIELDS["amount"], FIELDS["rate"]),)),
    ir.Call("floor", (ir.Arith("/", FIELDS["amount"], ir.Const("integer", 7)), _m(10))),
    ir.Call("ceil", (ir.Arith("/", FIELDS["amount"], ir.Const("integer", 7)),)),
    ir.Call("round", (FIELDS["rate"], _p(Fraction(1, 100)))),
    ir.Call("clamp", (ir.Arith("*", FIELDS["amount"], FIELDS["rate"]), _m(-500), _m(20_000))),
    ir.Arith("+", FIELDS["rate"], _p(Fraction(1, 8))),
    ir.Compare(">=", FIELDS["day"], ir.Const("date", datetime.date(2026, 10, 1))),
    ir.If(ir.Compare("<", FIELDS["day"], ir.Const("date", datetime.date(2026, 10, 1))), FIELDS["rate"],
          ir.Call("min", (FIELDS["rate"], _p(Fraction(1, 10))))),
    ir.Call("round", (ir.Arith("*", FIELDS["count"], _p(Fraction(5, 2))),)),
]


@pytest.mark.parametrize("mode", ["down", "up", "half_up", "half_even"])
@pytest.mark.parametrize("node", CASES, ids=range(len(CASES)))
@pytest.mark.parametrize("amount, rate, day, quantity", [
    (123_455, Fraction(3, 20), datetime.date(2026, 9, 30), 3),
    (-98_765, Fraction(1, 8), datetime.date(2026, 10, 1), -1),
    (1_000, Fraction(125, 1000), datetime.date(2027, 1, 5), 0),
    (7, Fraction(-3, 40), datetime.date(2026, 4, 1), 5),
])
def test_expressions_match_the_interpreter(node: ir.Expr, mode: str, amount: int, rate: Fraction,
                                           day: datetime.date, quantity: int) -> None:
    row = {"amount": amount, "rate": rate, "date": day, "quantity": quantity}
    env = {"transaction.amount": amount, "partner.rate": rate, "transaction.date": day,
           "transaction.quantity": quantity}
    expected = evaluate(node, env, EvalContext(mode, 1))
    got = _sql_value(node, row, mode)
    assert got == expected


def test_rates_stay_exact_integers_over_a_scale() -> None:
    value = _translator().num(ir.Arith("+", _p(Fraction(3, 20)), _p(Fraction(1, 8))))
    assert value.scale == 40
    relation = duckdb.sql(f"SELECT {value.sql.sql('duckdb')}")
    assert relation is not None and relation.fetchall()[0][0] == 11  # 6/40 + 5/40


@pytest.mark.parametrize("node, construct", [
    (ir.Arith("/", _m(5), ir.Field("transaction", "quantity", "integer")), "division"),
    (ir.Field("deal", "age", "duration"), "duration"),
    (ir.Call("round", (_m(5), ir.Field("transaction", "quantity", "integer"))), "rounding to a unit"),
    (ir.Compare("<", ir.Const("text", "a"), ir.Const("text", "b")), "comparison `<`"),
    (ir.ListOf((_m(1),)), "list outside"),
])
def test_untranslatable_constructs_are_refused_by_name(node: ir.Expr, construct: str) -> None:
    with pytest.raises(Refused, match=construct):
        _translator().value(node)
