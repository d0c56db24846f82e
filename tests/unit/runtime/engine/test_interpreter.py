"""Table-driven evaluation cases, run on both engines: the interpreter and the generated code."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pytest

from runtime import ir
from runtime.engine import EvalContext, EvaluationError, compile_entry, evaluate

F = Fraction
D = ir.Duration
DAY = datetime.date
CTX = EvalContext("down", 1)

Run = Callable[..., Any]


@pytest.fixture(params=["compiled", "interpreted"])
def engine(request: pytest.FixtureRequest) -> Run:
    """`run(expr, env, ctx=CTX)` on one engine: the value, or the EvaluationError raised."""
    def compiled(expr: ir.Expr, env: dict[str, Any], ctx: EvalContext = CTX) -> Any:
        return compile_entry("case", [("value", expr)], ctx, "cases")(env)[0]

    def interpreted(expr: ir.Expr, env: dict[str, Any], ctx: EvalContext = CTX) -> Any:
        return evaluate(expr, env, ctx)

    return compiled if request.param == "compiled" else interpreted


# --- building IR -------------------------------------------------------------------------------------


def at(line: int | None) -> ir.Loc | None:
    return ir.Loc("case.yaml", line, 1) if line is not None else None


def const(value: Any, line: int | None = None) -> ir.Const:
    kinds: dict[type, ir.ValueType] = {bool: "boolean", int: "money", Fraction: "percent", str: "text", DAY: "date",
                                       D: "duration"}
    return ir.Const(kinds[type(value)], value, at=at(line))


def field(dotted: str, type_: ir.ValueType, line: int | None = None) -> ir.Field:
    scope, name = dotted.split(".", 1)
    return ir.Field(scope, name, type_, at=at(line))


def arith(op: str, a: ir.Expr, b: ir.Expr, line: int | None = None) -> ir.Arith:
    return ir.Arith(op, a, b, at=at(line))


def cmp(op: str, a: ir.Expr, b: ir.Expr, line: int | None = None) -> ir.Compare:
    return ir.Compare(op, a, b, at=at(line))


def call(name: str, *args: ir.Expr, line: int | None = None) -> ir.Call:
    return ir.Call(name, args, at=at(line))


@dataclass(frozen=True)
class Err:
    """An expected error: its code, the line of the node it points at, and words of its message."""

    code: str
    line: int | None
    words: str = ""


PRICE = field("transaction.list_price", "money", 1)
QTY = field("transaction.quantity", "integer", 2)
MARGIN = field("partner.margin", "percent", 3)
UPLIFT = field("partner.uplift", "percent", 4)
TIER = field("partner.tier", "enum", 5)
NDA = field("partner.nda_signed", "boolean", 6)
DATE = field("transaction.date", "date", 7)
DEAL = field("deal.date", "date", 8)
ENV = {"transaction.list_price": 10_000, "transaction.quantity": 3, "partner.margin": F(3, 20),
       "partner.uplift": F(1, 50), "partner.tier": "tier1", "partner.nda_signed": False,
       "transaction.date": DAY(2025, 4, 1), "deal.date": DAY(2025, 1, 31)}
BOOM = cmp(">", arith("/", const(1), arith("-", QTY, QTY), 90), const(0))  # 1 / 0 > 0: fails when evaluated
WHOLESALE = call("round", arith("*", arith("*", PRICE, QTY), arith("-", const(1), arith("+", MARGIN, UPLIFT))),
                 const(1))

CASES: list[tuple[str, ir.Expr, dict[str, Any], Any]] = [
    ("field", PRICE, ENV, 10_000),
    ("amount", arith("*", PRICE, QTY), ENV, 30_000),
    ("wholesale", WHOLESALE, ENV, 24_900),
    ("rate-product-is-exact", arith("*", const(1001), MARGIN), ENV, F(3003, 20)),
    ("division-exact", arith("/", const(7), const(2)), ENV, F(7, 2)),
    ("division-whole-is-int", arith("/", PRICE, const(F(1, 4))), ENV, 40_000),
    ("division-by-zero", arith("/", PRICE, arith("-", QTY, const(3)), 11), ENV, Err("E501", 11, "division by zero")),
    ("negation", ir.Neg(MARGIN), ENV, F(-3, 20)),
    ("compare-numbers", cmp(">=", arith("+", MARGIN, UPLIFT), const(F(17, 100))), ENV, True),
    ("compare-dates", cmp("<", DEAL, DATE), ENV, True),
    ("compare-enum", cmp("==", TIER, const("tier1")), ENV, True),
    ("compare-text", cmp("!=", TIER, const("tier2")), ENV, True),
    ("and", ir.And(cmp(">", QTY, const(1)), ir.Not(NDA)), ENV, True),
    ("or", ir.Or(NDA, cmp("==", QTY, const(0))), ENV, False),
    ("and-short-circuits", ir.And(NDA, BOOM), ENV, False),
    ("or-short-circuits", ir.Or(ir.Not(NDA), BOOM), ENV, True),
    ("and-evaluates-right-when-needed", ir.And(ir.Not(NDA), BOOM), ENV, Err("E501", 90)),
    ("if-then", ir.If(NDA, const(1), PRICE), ENV, 10_000),
    ("if-skips-the-other-branch", ir.If(ir.Not(NDA), const(1), arith("/", const(1), const(0))), ENV, 1),
    ("if-condition-must-be-a-condition", ir.If(QTY, const(1), const(2), at=at(12)), ENV, Err("E502", 12)),
    ("in", ir.In(False, TIER, (const("tier1"), const("tier2"))), ENV, True),
    ("not-in", ir.In(True, TIER, (const("tier1"), const("tier2"))), ENV, False),
    ("in-expressions", ir.In(False, QTY, (arith("+", const(1), const(2)), PRICE)), ENV, True),
    ("in-empty", ir.In(False, TIER, ()), ENV, False),
    ("in-numbers-by-value", ir.In(False, const(F(3, 1)), (const(3),)), ENV, True),
    ("in-durations", ir.In(False, arith("-", DATE, DEAL), (const(D(60, "d")), const(D(9, "w")))), ENV, True),
    ("min", call("min", MARGIN, const(F(1, 10)), UPLIFT), ENV, F(1, 50)),
    ("max", call("max", MARGIN, const(F(1, 10))), ENV, F(3, 20)),
    ("abs", call("abs", arith("-", const(1), PRICE)), ENV, 9_999),
    ("clamp", call("clamp", arith("+", MARGIN, const(F(1, 5))), const(F(0)), const(F(3, 10))), ENV, F(3, 10)),
    ("round-to-a-unit", call("round", arith("*", PRICE, const(F(333, 1000))), const(100)), ENV, 3_300),
    ("round-one-argument", call("round", arith("/", PRICE, const(3))), ENV, 3_333),
    ("floor", call("floor", arith("-", const(0), arith("/", PRICE, const(3))), const(10)), ENV, -3_340),
    ("ceil", call("ceil", arith("/", PRICE, const(3)), const(10)), ENV, 3_340),
    ("round-unit-zero", call("round", PRICE, const(0), line=13), ENV, Err("E502", 13, "rounding unit")),
    ("date-plus-duration", arith("+", DEAL, const(D(1, "mo"))), ENV, DAY(2025, 2, 28)),
    ("date-minus-date", arith("-", DATE, DEAL), ENV, D(60, "d")),
    ("duration-compare", cmp("<", arith("-", DATE, DEAL), const(D(2, "mo")), 14), ENV,
     Err("E502", 14, "days and one in months")),
    ("list", ir.ListOf((const(1), QTY)), ENV, (1, 3)),
    ("missing-field", arith("+", PRICE, field("partner.bonus", "money", 15)), ENV,
     Err("E500", 15, "missing field `partner.bonus`")),
    ("missing-field-first-use", arith("+", field("partner.bonus", "money", 16), field("partner.bonus", "money", 17)),
     ENV, Err("E500", 16)),
    # Every field an expression mentions is read before it is evaluated, even in a branch not taken.
    ("missing-field-in-untaken-branch", ir.If(NDA, field("partner.bonus", "money", 18), const(0)), ENV,
     Err("E500", 18)),
    ("field-without-value", PRICE, {**ENV, "transaction.list_price": None}, Err("E500", 1, "has no value")),
    ("field-of-wrong-type", arith("*", PRICE, QTY), {**ENV, "transaction.quantity": "3"},
     Err("E502", 2, "`transaction.quantity` should be a whole number, found text")),
    ("field-float-is-rejected", MARGIN, {**ENV, "partner.margin": 0.15}, Err("E502", 3, "floating-point")),
    ("field-bool-is-not-a-number", QTY, {**ENV, "transaction.quantity": True}, Err("E502", 2)),
]


@pytest.mark.parametrize(("expr", "env", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(engine: Run, expr: ir.Expr, env: dict[str, Any], expected: Any) -> None:
    if isinstance(expected, Err):
        with pytest.raises(EvaluationError) as caught:
            engine(expr, env)
        assert caught.value.code == expected.code
        assert caught.value.at == at(expected.line)
        assert expected.words in caught.value.message
    else:
        got = engine(expr, env)
        assert got == expected
        assert type(got) is type(expected)


@pytest.mark.parametrize(("mode", "want"), [("down", 2), ("up", 3), ("half_up", 3), ("half_even", 2)])
def test_round_uses_the_program_mode(engine: Run, mode: str, want: int) -> None:
    assert engine(call("round", const(F(5, 2)), const(1)), {}, EvalContext(mode, 1)) == want


def test_errors_read_like_a_compiler(engine: Run) -> None:
    with pytest.raises(EvaluationError) as caught:
        engine(arith("/", PRICE, arith("-", QTY, QTY), 21), ENV)
    assert str(caught.value) == "case.yaml:21:1: error[E501]: division by zero"


# --- deep expressions --------------------------------------------------------------------------------

DEPTH = 220  # the parser allows 200 levels


def chain(depth: int, wrap: Callable[[ir.Expr, int], ir.Expr], leaf: ir.Expr) -> ir.Expr:
    expr = leaf
    for i in range(depth):
        expr = wrap(expr, i)
    return expr


DEEP: list[tuple[str, ir.Expr, Any]] = [
    ("left-sum", chain(DEPTH, lambda e, i: arith("+", e, QTY), PRICE), 10_000 + 3 * DEPTH),
    ("right-sum", chain(DEPTH, lambda e, i: arith("-", QTY, e), PRICE), 10_000),  # an even number of flips
    ("negations", chain(DEPTH, lambda e, i: ir.Neg(e), MARGIN), F(3, 20)),
    ("conditions", chain(DEPTH, lambda e, i: ir.Not(e), NDA), False),
    ("and-chain", chain(DEPTH, lambda e, i: ir.And(cmp(">", QTY, const(i % 3)), e), ir.Not(NDA)), True),
    ("else-if-chain", chain(DEPTH, lambda e, i: ir.If(cmp("==", QTY, const(1000 + i)), const(i), e), QTY), 3),
    ("nested-calls", chain(DEPTH, lambda e, i: call("max", e, const(i)), const(0)), DEPTH - 1),
    ("nested-rounding", chain(DEPTH, lambda e, i: call("round", arith("+", e, const(1)), const(1)), const(0)), DEPTH),
    ("guarded-division", chain(DEPTH, lambda e, i: ir.And(NDA, cmp("<", arith("/", e, const(0)), const(1))),
                               const(1)), False),
]


@pytest.mark.parametrize(("expr", "expected"), [c[1:] for c in DEEP], ids=[c[0] for c in DEEP])
def test_deep_expressions_do_not_exhaust_the_stack(engine: Run, expr: ir.Expr, expected: Any) -> None:
    assert sys.getrecursionlimit() <= 1000  # Python's default: the engines must not need more
    assert engine(expr, ENV) == expected


def test_an_error_deep_inside_points_at_its_node(engine: Run) -> None:
    inner = arith("/", QTY, arith("-", QTY, QTY), 99)
    expr = chain(DEPTH, lambda e, i: arith("+", const(i), e), inner)
    with pytest.raises(EvaluationError) as caught:
        engine(expr, ENV)
    assert (caught.value.code, caught.value.at) == ("E501", at(99))
