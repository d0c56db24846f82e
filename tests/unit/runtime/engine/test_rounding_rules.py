"""The rounding rules: one table, and every reading of it equal to the modes' definitions.

The oracle below is written from the definitions alone (toward zero, away from zero, a half away from
zero, a half to even, toward −∞, toward +∞) on exact Fractions. Every engine's reading of
`runtime.engine.rounding.ROUNDING_RULES` must agree with it: `round_to` on numbers, `round_ratio` on
integers, the statements the quote plans run, and the SQL DuckDB runs.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlglot import exp

from runtime.decisions._rounding import round_ratio
from runtime.engine import operators, rounding
from runtime.engine.operators import EvaluationError, round_to
from runtime.engine.rounding import ROUNDING_MODES, ROUNDING_RULES, AllOf, AnyOf, Fact
from runtime.money import round_line
from runtime.sql._arith import Refused
from runtime.sql._rounding import round_ratio as sql_round_ratio

MODES = sorted(ROUNDING_MODES)


def _sign(x: Fraction) -> int:
    return (x > 0) - (x < 0)


DEFINITIONS: dict[str, Callable[[Fraction], int]] = {
    "down": math.trunc,  # toward zero
    "up": lambda x: _sign(x) * math.ceil(abs(x)),  # away from zero
    "half_up": lambda x: _sign(x) * math.floor(abs(x) + Fraction(1, 2)),  # nearest; a half away from zero
    "half_even": round,  # nearest; a half to even (Python rounds a Fraction half to even)
    "floor": math.floor,  # toward −∞
    "ceiling": math.ceil,  # toward +∞
}


def oracle(value: Fraction, unit: Fraction | int, mode: str) -> Fraction:
    """`value` rounded to a multiple of `unit` in `mode`, from the mode's definition."""
    return DEFINITIONS[mode](value / unit) * Fraction(unit)


def plan_function(mode: str, denominator: int, unit: int) -> Callable[[int], int]:
    """`rounding.plan_statements` for the step `denominator × unit`, run as the body of a function of n."""
    body = rounding.plan_statements(mode, "rounded", ast.Name("n", ctx=ast.Load()), denominator * unit, unit)
    body.append(ast.Return(value=ast.Name("rounded", ctx=ast.Load())))
    arguments = ast.arguments(posonlyargs=[], args=[ast.arg(arg="n")], kwonlyargs=[], kw_defaults=[], defaults=[])
    module = ast.Module(body=[ast.FunctionDef(name="f", args=arguments, body=body, decorator_list=[], lineno=1)],
                        type_ignores=[])
    scope: dict[str, Callable[[int], int]] = {}
    exec(compile(ast.fix_missing_locations(module), "<plan statements>", "exec"), {}, scope)
    return scope["f"]


numerators = st.integers(-10**12, 10**12) | st.integers(-200, 200)
denominators = st.sampled_from([1, 2, 3, 8, 20, 100]) | st.integers(1, 10**6)
units = st.sampled_from([1, 2, 5, 100]) | st.integers(1, 10**4)
modes = st.sampled_from(MODES)


# --- the table --------------------------------------------------------------------------------------


def test_the_modes_are_the_keys_of_the_table() -> None:
    assert ROUNDING_MODES == set(ROUNDING_RULES) == set(DEFINITIONS)
    assert operators.ROUNDING_MODES is ROUNDING_MODES
    assert all(rule.mode == mode for mode, rule in ROUNDING_RULES.items())


@pytest.mark.parametrize("mode", MODES)
def test_no_rule_moves_a_multiple(mode: str) -> None:
    assert not rounding.holds_at_multiple(ROUNDING_RULES[mode].bump)


def test_holds_reads_all_of_and_any_of() -> None:
    assert rounding.holds(AllOf(()), lambda fact: False)
    assert not rounding.holds(rounding.NEVER, lambda fact: True)
    assert rounding.holds(AnyOf((Fact.Q_ODD, AllOf((Fact.N_NEGATIVE,)))), lambda fact: fact is Fact.N_NEGATIVE)


@pytest.mark.parametrize("value", [Fraction(9, 2), Fraction(11, 2), Fraction(22, 5), Fraction(23, 5)])
@pytest.mark.parametrize("mode", ["down", "up", "half_up", "half_even"])
def test_a_program_s_modes_are_symmetric_about_zero(mode: str, value: Fraction) -> None:
    assert round_to(-value, 1, mode) == -round_to(value, 1, mode)


@pytest.mark.parametrize(("mode", "rounded"), [
    ("down", [-4, -4, 4, 4]), ("up", [-5, -5, 5, 5]), ("half_up", [-5, -4, 4, 5]),
    ("half_even", [-4, -4, 4, 4]), ("floor", [-5, -5, 4, 4]), ("ceiling", [-4, -4, 5, 5])])
def test_halves_and_near_halves_of_either_sign(mode: str, rounded: list[int]) -> None:
    values = [Fraction(-9, 2), Fraction(-22, 5), Fraction(22, 5), Fraction(9, 2)]
    assert [round_to(value, 1, mode) for value in values] == rounded


# --- every reading agrees with the definitions ------------------------------------------------------


@given(numerator=numerators, denominator=denominators, unit=units, mode=modes)
@example(numerator=-1250, denominator=1, unit=100, mode="half_up")
@example(numerator=-1350, denominator=1, unit=100, mode="half_even")
@example(numerator=-7, denominator=2, unit=1, mode="down")
def test_round_ratio_round_to_and_the_plan_statements_are_the_definition(
        numerator: int, denominator: int, unit: int, mode: str) -> None:
    expected = oracle(Fraction(numerator, denominator), unit, mode)
    assert round_ratio(numerator, denominator, unit, mode) == expected
    assert round_to(Fraction(numerator, denominator), unit, mode) == expected
    assert round_line(Fraction(numerator, denominator), unit, mode) == expected
    assert plan_function(mode, denominator, unit)(numerator) == expected


@given(value=st.fractions(), unit=st.fractions(min_value=Fraction(1, 1000), max_value=1000), mode=modes)
def test_round_to_on_fractions_is_the_definition(value: Fraction, unit: Fraction, mode: str) -> None:
    rounded = round_to(value, unit, mode)
    assert rounded == oracle(value, unit, mode)
    assert type(rounded) is (int if Fraction(rounded).denominator == 1 else Fraction)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("unit", [1, 3, 100])
@pytest.mark.parametrize("denominator", [1, 2, 3, 20, "column"])
def test_the_sql_duckdb_runs_is_the_definition(mode: str, unit: int, denominator: int | str) -> None:
    duckdb = pytest.importorskip("duckdb")
    den = 20 if denominator == "column" else int(denominator)
    step = den * unit
    numerators = list(range(-3 * step - 2, 3 * step + 3))
    d: exp.Expr | int = exp.column("d") if denominator == "column" else den
    expr = sql_round_ratio(exp.column("n"), d, unit, mode, "duckdb")
    con = duckdb.connect()
    con.execute("CREATE TABLE v(n HUGEINT, d HUGEINT)")
    con.executemany("INSERT INTO v VALUES (?, ?)", [[n, den] for n in numerators])
    got = con.execute(f"SELECT n, {expr.sql('duckdb')} FROM v ORDER BY n").fetchall()
    assert [(n, Fraction(int(r))) for n, r in got] == [(n, oracle(Fraction(n, den), unit, mode)) for n in numerators]


# --- the plan statements' shapes, each derived from the table ---------------------------------------


def _text(mode: str, step: int, unit: int) -> list[str]:
    return [ast.unparse(s) for s in rounding.plan_statements(mode, "amount", ast.Name("n"), step, unit)]


@pytest.mark.parametrize("mode", MODES)
def test_a_step_of_one_is_the_numerator_itself(mode: str) -> None:
    assert _text(mode, 1, 1) == ["amount = n"]


@pytest.mark.parametrize(("mode", "text"), [
    ("down", "amount = (n // 20 if n >= 0 else -(-n // 20)) * 10"),
    ("up", "amount = (-(-n // 20) if n >= 0 else n // 20) * 10"),
    ("floor", "amount = n // 20 * 10"),
    ("ceiling", "amount = -(-n // 20) * 10"),
    ("half_up", "amount = ((2 * n + 20) // 40 if n >= 0 else -((-2 * n + 20) // 40)) * 10")])
def test_a_threshold_per_sign_is_one_floor_division(mode: str, text: str) -> None:
    assert _text(mode, 20, 10) == [text]


def test_half_even_asks_about_the_quotient_and_splits_it_from_the_remainder() -> None:
    assert _text("half_even", 20, 10) == [
        "quotient_, remainder_ = divmod(n, 20)",
        "if 2 * remainder_ > 20 or (2 * remainder_ == 20 and quotient_ % 2 == 1):\n    quotient_ += 1",
        "amount = quotient_ * 10"]


@pytest.mark.parametrize("start", [p for p in rounding._Place if p != rounding._Place.MULTIPLE])
@pytest.mark.parametrize("step", [1, 2, 3, 7, 20])
def test_each_closed_form_adds_a_unit_from_its_place_on(start: rounding._Place, step: int) -> None:
    function = ast.Expression(body=ast.Lambda(
        args=ast.arguments(posonlyargs=[], args=[ast.arg(arg="n")], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=rounding._closed_form(start, ast.Name("n", ctx=ast.Load()), step)))
    closed = eval(compile(ast.fix_missing_locations(function), "<closed form>", "eval"))
    for n in range(-5 * step, 5 * step + 1):
        q, r = divmod(n, step)
        place = (rounding._Place.MULTIPLE if r == 0 else rounding._Place.BELOW_HALF if 2 * r < step
                 else rounding._Place.HALF if 2 * r == step else rounding._Place.ABOVE_HALF)
        assert closed(n) == q + (place >= start), (n, step)


# --- refusals ---------------------------------------------------------------------------------------


def test_an_unknown_mode_is_refused_by_every_reading() -> None:
    for call in (lambda: round_to(1, 1, "nearest"), lambda: round_ratio(1, 2, 1, "nearest"),
                 lambda: rounding.plan_statements("nearest", "x", ast.Name("n"), 2, 1)):
        with pytest.raises(ValueError, match="unknown rounding mode 'nearest'"):
            call()
    with pytest.raises(Refused, match="the rounding mode `nearest`"):
        sql_round_ratio(exp.column("n"), 2, 1, "nearest", "duckdb")


def test_a_unit_of_zero_is_a_bad_value() -> None:
    with pytest.raises(EvaluationError) as raised:
        round_to(5, 0, "down")
    assert raised.value.code == "E502"
