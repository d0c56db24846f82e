"""The operator table: exact arithmetic, rounding in every mode, comparisons, dates and durations."""

from __future__ import annotations

import datetime
from fractions import Fraction
from typing import Any

import pytest

from runtime import ir
from runtime.engine import EvalContext, EvaluationError, operators, round_to

F = Fraction
D = ir.Duration
DAY = datetime.date


# --- round_to ----------------------------------------------------------------------------------------

# value, unit, then the result in: down, up, half_up, half_even, floor, ceiling
ROUNDING = [
    (25, 10, 20, 30, 30, 20, 20, 30),  # an exact half
    (35, 10, 30, 40, 40, 40, 30, 40),  # a half with an odd quotient
    (-25, 10, -20, -30, -30, -20, -30, -20),
    (-35, 10, -30, -40, -40, -40, -40, -30),
    (24, 10, 20, 30, 20, 20, 20, 30),
    (26, 10, 20, 30, 30, 30, 20, 30),
    (-24, 10, -20, -30, -20, -20, -30, -20),
    (-26, 10, -20, -30, -30, -30, -30, -20),
    (30, 10, 30, 30, 30, 30, 30, 30),  # already a multiple
    (-30, 10, -30, -30, -30, -30, -30, -30),
    (0, 100, 0, 0, 0, 0, 0, 0),
    (12_345, 1, 12_345, 12_345, 12_345, 12_345, 12_345, 12_345),
    (12_350, 100, 12_300, 12_400, 12_400, 12_400, 12_300, 12_400),
    (12_250, 100, 12_200, 12_300, 12_300, 12_200, 12_200, 12_300),
    (-12_250, 100, -12_200, -12_300, -12_300, -12_200, -12_300, -12_200),
    (1_500, 1000, 1_000, 2_000, 2_000, 2_000, 1_000, 2_000),
    (2_500, 1000, 2_000, 3_000, 3_000, 2_000, 2_000, 3_000),
    (-500, 1000, 0, -1_000, -1_000, 0, -1_000, 0),
    (F(5, 2), 1, 2, 3, 3, 2, 2, 3),  # Fractions: 2.5
    (F(7, 2), 1, 3, 4, 4, 4, 3, 4),
    (F(-5, 2), 1, -2, -3, -3, -2, -3, -2),
    (F(-7, 2), 1, -3, -4, -4, -4, -4, -3),
    (F(10_01, 3), 1, 333, 334, 334, 334, 333, 334),  # 333.67
    (F(1001, 2), 1, 500, 501, 501, 500, 500, 501),
    (F(150_015, 100), 100, 1_500, 1_600, 1_500, 1_500, 1_500, 1_600),  # 1500.15 to the hundred
    (F(3, 20) * 10_000, 100, 1_500, 1_500, 1_500, 1_500, 1_500, 1_500),  # 15% of ¥10,000 is whole
    (F(1, 3), F(1, 100), F(33, 100), F(34, 100), F(33, 100), F(33, 100), F(33, 100), F(34, 100)),
    (F(1, 8), F(1, 4), 0, F(1, 4), F(1, 4), 0, 0, F(1, 4)),  # half of a quarter
]
MODES = ("down", "up", "half_up", "half_even", "floor", "ceiling")


@pytest.mark.parametrize("case", ROUNDING, ids=[f"{row[0]}/{row[1]}" for row in ROUNDING])
@pytest.mark.parametrize("mode", MODES)
def test_round_to_every_mode(case: tuple[Any, ...], mode: str) -> None:
    value, unit, *expected = case
    got = round_to(value, unit, mode)
    assert got == expected[MODES.index(mode)]
    assert got % unit == 0


def test_round_to_returns_an_int_when_the_result_is_whole() -> None:
    assert type(round_to(F(7, 2), 1, "half_up")) is int
    assert type(round_to(F(301, 100), F(1, 2), "down")) is int  # 3
    assert round_to(F(7, 4), F(1, 2), "down") == F(3, 2)
    assert type(round_to(1234, 100, "down")) is int


@pytest.mark.parametrize("unit", [0, -100, F(0)])
def test_round_to_needs_a_positive_unit(unit: Any) -> None:
    with pytest.raises(EvaluationError) as caught:
        round_to(1234, unit, "down")
    assert caught.value.code == "E502"


def test_round_to_rejects_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="rounding mode"):
        round_to(1, 1, "bankers")
    with pytest.raises(ValueError, match="rounding mode"):
        EvalContext("half_down", 1)


# --- arithmetic ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "want"), [
    (6, 3, 2),
    (7, 2, F(7, 2)),
    (-7, 2, F(-7, 2)),
    (F(3, 4), F(3, 8), 2),  # whole: an int, not Fraction(2)
    (10_000, F(3, 20), F(200_000, 3)),
    (0, 5, 0),
])
def test_division_is_exact(a: Any, b: Any, want: Any) -> None:
    got = operators.div(a, b)
    assert got == want and type(got) is type(want)


@pytest.mark.parametrize("zero", [0, F(0)])
def test_division_by_zero_is_e501(zero: Any) -> None:
    with pytest.raises(EvaluationError) as caught:
        operators.div(1, zero)
    assert (caught.value.code, caught.value.message, caught.value.at) == ("E501", "division by zero", None)
    with pytest.raises(EvaluationError, match="E501"):
        operators.div(D(3, "d"), zero)


def test_products_of_amounts_and_rates_stay_exact() -> None:
    assert operators.mul(12_345, F(3, 20)) == F(37_035, 20)
    assert operators.sub(1, operators.add(F(3, 20), F(1, 20))) == F(4, 5)
    assert operators.neg(F(1, 3)) == F(-1, 3)


@pytest.mark.parametrize(("fn", "a", "b"), [
    (operators.add, "1", 1),
    (operators.add, True, 1),
    (operators.sub, DAY(2025, 1, 1), 3),
    (operators.mul, D(2, "d"), F(1, 2)),
    (operators.mul, D(2, "d"), D(2, "d")),
    (operators.div, 1, D(1, "d")),
    (operators.add, D(1, "d"), D(1, "mo")),
    (operators.lt, 1, "1"),
    (operators.lt, D(30, "d"), D(1, "mo")),
    (operators.ge, DAY(2025, 1, 1), datetime.datetime(2025, 1, 1)),
])
def test_values_of_the_wrong_kind_are_e502(fn: Any, a: Any, b: Any) -> None:
    with pytest.raises(EvaluationError) as caught:
        fn(a, b)
    assert caught.value.code == "E502"
    assert "Fraction" not in caught.value.message and "int" not in caught.value.message.split()


# --- comparison and logic --------------------------------------------------------------------------------


@pytest.mark.parametrize(("op", "a", "b", "want"), [
    ("<", 1, F(3, 2), True),
    ("==", 2, F(4, 2), True),
    (">=", F(-1, 3), 0, False),
    ("<", DAY(2025, 3, 31), DAY(2025, 4, 1), True),
    ("==", "tier1", "tier1", True),
    ("!=", "tier1", "tier2", True),
    ("<", "a", "b", True),
    ("==", True, False, False),
    ("<=", D(7, "d"), D(1, "w"), True),
    ("==", D(7, "d"), D(1, "w"), True),
    ("==", D(12, "mo"), D(1, "y"), True),
    ("==", D(30, "d"), D(1, "mo"), False),  # days and months are never equal
    (">", D(2, "y"), D(23, "mo"), True),
])
def test_comparisons(op: str, a: Any, b: Any, want: bool) -> None:
    assert operators.COMPARISONS[op](a, b) is want


def test_conditions_must_be_true_or_false() -> None:
    assert operators.truth(True) is True
    assert operators.not_(False) is True
    for value in (1, 0, "true", None):
        with pytest.raises(EvaluationError, match="E502"):
            operators.truth(value)


def test_membership_uses_equality_of_the_table() -> None:
    assert operators.member(2, (1, F(4, 2)))
    assert operators.member(D(14, "d"), (D(2, "w"),))
    assert not operators.member("gold", ())


# --- dates and durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "duration", "want"), [
    (DAY(2025, 1, 31), D(1, "mo"), DAY(2025, 2, 28)),  # months follow the calendar
    (DAY(2024, 1, 31), D(1, "mo"), DAY(2024, 2, 29)),
    (DAY(2024, 2, 29), D(1, "y"), DAY(2025, 2, 28)),
    (DAY(2025, 4, 1), D(90, "d"), DAY(2025, 6, 30)),
    (DAY(2025, 4, 1), D(2, "w"), DAY(2025, 4, 15)),
    (DAY(2025, 4, 1), D(-1, "mo"), DAY(2025, 3, 1)),
    (DAY(2025, 12, 15), D(1, "mo"), DAY(2026, 1, 15)),
])
def test_dates_move_by_durations(day: datetime.date, duration: ir.Duration, want: datetime.date) -> None:
    assert operators.add(day, duration) == want
    assert operators.add(duration, day) == want
    assert operators.sub(want, duration) == day or duration.unit in ("mo", "y")  # month ends do not come back


def test_date_arithmetic() -> None:
    assert operators.sub(DAY(2025, 4, 1), DAY(2025, 1, 1)) == D(90, "d")
    assert operators.add(D(1, "w"), D(3, "d")) == D(10, "d")
    assert operators.add(D(1, "y"), D(1, "y")) == D(2, "y")
    assert operators.mul(3, D(2, "w")) == D(6, "w")
    assert operators.div(D(1, "y"), 4) == D(3, "mo")
    assert operators.div(D(1, "y"), D(1, "mo")) == 12
    assert operators.neg(D(3, "d")) == D(-3, "d")


def test_a_date_moved_out_of_the_calendar_is_e502() -> None:
    with pytest.raises(EvaluationError, match="out of range"):
        operators.add(DAY(9999, 12, 1), D(1, "mo"))
    with pytest.raises(EvaluationError, match="out of range"):
        operators.sub(DAY(1, 1, 5), D(10, "d"))


# --- functions ----------------------------------------------------------------------------------------


def call(name: str, *args: Any, mode: str = "half_up") -> Any:
    return operators.function(name, len(args), EvalContext(mode, 1))(*args)


def test_functions() -> None:
    assert call("min", 3, F(5, 2), 4) == F(5, 2)
    assert call("max", 3, F(5, 2)) == 3
    assert call("abs", F(-1, 3)) == F(1, 3)
    assert call("clamp", 50, 0, 10) == 10
    assert call("clamp", -5, 0, 10) == 0
    assert call("clamp", 5, 0, 10) == 5
    assert call("round", F(5, 2), mode="half_even") == 2
    assert call("round", 1250, 100, mode="half_up") == 1300
    assert call("floor", -1250, 100) == -1300
    assert call("ceil", -1250, 100) == -1200
    assert call("floor", F(7, 2)) == 3
    assert call("min", D(1, "w"), D(6, "d")) == D(6, "d")
    assert call("round", D(10, "d"), D(1, "w")) == D(7, "d")
    assert call("abs", D(-2, "mo")) == D(2, "mo")
    assert call("round", D(90, "d"), 1) == D(90, "d")  # the compiler lowers `round(90d)` with a unit of 1
    assert call("round", D(95, "d"), 10) == D(100, "d")


def test_min_and_max_keep_the_first_of_equals_like_python() -> None:
    assert type(call("min", 2, F(2))) is int
    assert type(call("max", F(2), 2)) is Fraction


def test_unknown_functions_and_arities_are_bugs_in_the_rule_set() -> None:
    ctx = EvalContext("down", 1)
    with pytest.raises(ValueError, match="unknown function"):
        operators.function("median", 2, ctx)
    with pytest.raises(ValueError, match="arguments"):
        operators.function("clamp", 2, ctx)


# --- fields ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("type_", "value"), [
    ("money", 100), ("money", F(1, 3)), ("percent", F(3, 20)), ("percent", 0), ("integer", -3),
    ("boolean", False), ("text", ""), ("tier", "gold"), ("enum", "gold"), ("date", DAY(2025, 1, 1)),
    ("duration", D(3, "mo")),
])
def test_fields_of_the_declared_type_pass(type_: str, value: Any) -> None:
    assert operators.check_field("x.y", type_, value) is value


@pytest.mark.parametrize(("type_", "value", "code"), [
    ("money", 1.5, "E502"), ("money", "100", "E502"), ("money", True, "E502"), ("integer", F(3, 1), "E502"),
    ("boolean", 1, "E502"), ("text", 3, "E502"), ("date", datetime.datetime(2025, 1, 1), "E502"),
    ("date", "2025-01-01", "E502"), ("duration", D("3", "d"), "E502"),  # type: ignore[arg-type]  # deliberately ill-typed
    ("duration", D(3, "h"), "E502"),
    ("money", None, "E500"),
])
def test_fields_of_another_type_are_rejected(type_: str, value: Any, code: str) -> None:
    with pytest.raises(EvaluationError) as caught:
        operators.check_field("partner.x", type_, value)
    assert caught.value.code == code
    assert "`partner.x`" in caught.value.message


def test_fields_are_read_in_order_of_first_use() -> None:
    a, b, c = (ir.Field("p", n, "integer") for n in "abc")
    expr = ir.If(ir.Compare("<", b, a), ir.Arith("+", c, b), a)
    assert operators.fields_in_order([expr]) == [b, a, c]
