"""The code generator: one function per entry, no program value in the code, errors located, tracebacks readable."""

from __future__ import annotations

import ast
import linecache
import re
import traceback
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

import pytest

from runtime import ir
from runtime.engine import EvalContext, EvaluationError, compile_entry, evaluate, operators

F = Fraction
CTX = EvalContext("half_up", 1)
OWN_NAME = re.compile(r"(env|K|e|[fvh]\d+|o_[a-z_]+)\Z")


def at(line: int) -> ir.Loc:
    return ir.Loc("p.yaml", line, 1)


PRICE = ir.Field("transaction", "list_price", "money", at=at(1))
QTY = ir.Field("transaction", "quantity", "integer", at=at(2))
MARGIN = ir.Field("partner", "margin", "percent", at=at(3))
ENV = {"transaction.list_price": 10_000, "transaction.quantity": 3, "partner.margin": F(3, 20)}
WHOLESALE = ir.Call("round", (ir.Arith("*", ir.Arith("*", PRICE, QTY), ir.Arith("-", ir.Const("number", F(1)),
                                                                                  MARGIN)),
                              ir.Const("money", 1)), at=at(4))


def names_in(source: str) -> Iterator[str]:
    """Every identifier the source defines or uses."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.FunctionDef):
            yield node.name
            yield from (a.arg for a in node.args.args)
        elif isinstance(node, ast.Attribute):
            assert node.attr == "__class__", node.attr  # the one attribute: a field's class, checked on read


def test_an_entry_is_one_function_returning_its_slots_in_order() -> None:
    entry = compile_entry("2025-04:transaction", [("wholesale", WHOLESALE), ("qty", QTY), ("m", MARGIN)], CTX,
                          "acme")
    assert entry(ENV) == (25_500, 3, F(3, 20))
    assert entry.name == "2025-04:transaction"
    assert entry.slot_names == ("wholesale", "qty", "m")
    functions = [n for n in ast.walk(ast.parse(entry.source)) if isinstance(n, ast.FunctionDef)]
    assert [f.name for f in functions] == ["e"]
    assert "f0 * f1" in entry.source  # arithmetic on numbers is inline Python, not a call per node
    assert compile_entry("empty", [], CTX, "acme")({}) == ()


def test_fields_are_read_once_at_the_top() -> None:
    class Counting(Mapping[str, Any]):
        def __init__(self, data: dict[str, Any]) -> None:
            self.data, self.reads = data, 0

        def __getitem__(self, key: str) -> Any:
            self.reads += 1
            return self.data[key]

        def __iter__(self) -> Iterator[str]:
            return iter(self.data)

        def __len__(self) -> int:
            return len(self.data)

    env = Counting(ENV)
    expr = ir.Arith("+", ir.Arith("*", PRICE, QTY), ir.Arith("*", PRICE, PRICE))
    entry = compile_entry("t", [("a", expr), ("b", PRICE), ("c", QTY)], CTX, "acme")
    assert entry(env) == (100_030_000, 10_000, 3)
    assert env.reads == 2
    body = ast.parse(entry.source).body[0]
    assert isinstance(body, ast.FunctionDef)
    reads = [s for s in body.body[:4] if isinstance(s, ast.Assign)]
    assert [ast.unparse(s) for s in reads] == ["f0 = env[K[0]]", "f1 = env[K[3]]"]


HOSTILE = "__import__('os').system('echo pwned')"
HOSTILE_TEXTS = (HOSTILE, "x'); import os; ('", 'a"b\'\nc\\', "\x00 marker \x00", "}{", "\n    return 1\n")


def test_no_program_value_becomes_code() -> None:
    name_field = ir.Field("partner", f"name\"]; {HOSTILE} #", "text", at=at(5))
    # A hostile type name, as a forged artifact could carry (the loader refuses it; the generator must not trust it).
    tier_field = ir.Field("partner", "tier", f"tier'); {HOSTILE}; ('", at=at(6))  # type: ignore[arg-type]
    members = tuple(ir.Const("enum", t) for t in HOSTILE_TEXTS)
    expr = ir.If(
        ir.And(ir.In(False, tier_field, members), ir.Compare("!=", name_field, ir.Const("text", HOSTILE))),
        ir.Const("text", HOSTILE_TEXTS[2]), ir.Const("text", HOSTILE_TEXTS[5]))
    entry = compile_entry(f"v1\n{HOSTILE}", [(HOSTILE, expr)], CTX, f"acme'); {HOSTILE}")
    for text in (HOSTILE, "import", "system", "pwned", "tier'", "name\"", "\\n", "return 1", "\x00"):
        assert text not in entry.source, text
    assert all(OWN_NAME.match(name) for name in names_in(entry.source))
    literals = [n.value for n in ast.walk(ast.parse(entry.source)) if isinstance(n, ast.Constant)]
    assert all(type(v) is int for v in literals)  # nothing but indexes into K
    assert "\n" not in entry.filename and "'" not in entry.filename and entry.filename.startswith("<ppl:acme_")
    for tier, name, want in ((HOSTILE_TEXTS[0], "ok", HOSTILE_TEXTS[2]), ("gold", "ok", HOSTILE_TEXTS[5]),
                             (HOSTILE_TEXTS[3], HOSTILE, HOSTILE_TEXTS[5])):
        env = {f"partner.name\"]; {HOSTILE} #": name, "partner.tier": tier}
        assert entry(env) == (want,) == (evaluate(expr, env, CTX),)


def test_tracebacks_show_the_generated_code() -> None:
    division = ir.Arith("/", PRICE, ir.Arith("-", QTY, QTY), at=at(9))
    entry = compile_entry("2025-04:period", [("a", ir.Arith("+", PRICE, division))], CTX, "acme resellers/v2")
    assert entry.filename.startswith("<ppl:acme_resellers_v2:2025-04_period:")
    assert linecache.getline(entry.filename, 1) == "def e(env):\n"
    with pytest.raises(EvaluationError) as caught:
        entry(ENV)
    assert (caught.value.code, caught.value.at) == ("E501", at(9))
    shown = "".join(traceback.format_exception(caught.value))
    assert f'File "{entry.filename}", line ' in shown
    assert "o_div(f0, f1 - f1)" in shown


def test_a_missing_field_names_the_field_and_its_first_use() -> None:
    other = ir.Field("partner", "bonus", "money", at=at(7))
    entry = compile_entry("t", [("a", PRICE), ("b", ir.Arith("+", other, ir.Field("partner", "bonus", "money",
                                                                                   at=at(8))))], CTX, "acme")
    with pytest.raises(EvaluationError) as caught:
        entry(ENV)
    assert (caught.value.code, caught.value.message, caught.value.at) == ("E500", "missing field `partner.bonus`",
                                                                         at(7))


@pytest.mark.parametrize(("raised", "code"), [(ZeroDivisionError, "E501"), (TypeError, "E502")])
def test_python_errors_inside_generated_code_are_located(monkeypatch: pytest.MonkeyPatch, raised: type[Exception],
                                                         code: str) -> None:
    def misbehaving(a: Any, b: Any) -> Any:
        raise raised("from Python")

    monkeypatch.setitem(operators.ARITHMETIC, "/", misbehaving)
    entry = compile_entry("t", [("a", ir.Arith("+", QTY, ir.Arith("/", PRICE, QTY, at=at(12))))], CTX, "acme")
    with pytest.raises(EvaluationError) as caught:
        entry(ENV)
    assert (caught.value.code, caught.value.at) == (code, at(12))
    assert isinstance(caught.value.__cause__, raised)


def test_short_circuit_skips_the_failing_side() -> None:
    boom = ir.Compare(">", ir.Arith("/", QTY, ir.Const("integer", 0), at=at(13)), ir.Const("integer", 0))
    false = ir.Compare("<", QTY, ir.Const("integer", 0))
    entry = compile_entry("t", [("and", ir.And(false, boom)), ("or", ir.Or(ir.Not(false), boom)),
                                ("if", ir.If(false, boom, false))],
                          CTX, "acme")
    assert entry(ENV) == (False, True, False)
    with pytest.raises(EvaluationError) as caught:
        compile_entry("t", [("x", ir.Or(false, boom))], CTX, "acme")(ENV)
    assert caught.value.at == at(13)


def test_deep_expressions_move_into_helper_functions_that_stay_lazy() -> None:
    expr: ir.Expr = ir.Arith("/", QTY, ir.Const("integer", 0), at=at(14))
    for i in range(200):
        expr = ir.Arith("+", ir.Const("integer", i), expr)
    guarded = ir.And(ir.Compare("<", QTY, ir.Const("integer", 0)), ir.Compare(">", expr, ir.Const("integer", 0)))
    entry = compile_entry("t", [("guarded", guarded), ("deep", expr)], CTX, "acme")
    assert "def h0(" in entry.source and all(OWN_NAME.match(name) for name in names_in(entry.source))
    depth = max(len(line) - len(line.lstrip()) for line in entry.source.splitlines())
    assert depth < 200  # indentation follows nesting within one function only
    with pytest.raises(EvaluationError) as caught:
        entry(ENV)
    assert (caught.value.code, caught.value.at) == ("E501", at(14))  # from `deep`, inside a helper
    assert compile_entry("t", [("guarded", guarded)], CTX, "acme")(ENV) == (False,)


@pytest.mark.parametrize("expr", [
    ir.Arith("%", QTY, QTY), ir.Compare("=<", QTY, QTY), ir.Call("median", (QTY, QTY)), ir.Call("clamp", (QTY,)),
])
def test_unknown_operators_are_rejected_when_compiling(expr: ir.Expr) -> None:
    with pytest.raises(ValueError, match="rule set"):
        compile_entry("t", [("x", expr)], CTX, "acme")


def test_each_call_on_a_line_is_located_by_its_own_span() -> None:
    first = ir.Arith("/", PRICE, QTY, at=at(20))
    second = ir.Arith("/", QTY, ir.Arith("-", QTY, QTY), at=at(21))
    entry = compile_entry("t", [("a", ir.Arith("+", first, second, at=at(22)))], CTX, "acme")
    assert "v0 = o_div(f0, f1) + o_div(f1, f1 - f1)\n" in entry.source  # both calls on one line
    with pytest.raises(EvaluationError) as caught:
        entry(ENV)
    assert (caught.value.code, caught.value.at) == ("E501", at(21))


def test_tracebacks_name_the_lines_and_columns_of_the_text_they_show() -> None:
    deep: ir.Expr = ir.Arith("/", QTY, ir.Arith("-", QTY, QTY), at=at(23))
    for i in range(40):
        deep = ir.Arith("+", ir.Const("integer", i), deep)
    entry = compile_entry("t", [("a", PRICE), ("b", deep)], CTX, "acme")
    with pytest.raises(EvaluationError) as caught:
        entry(ENV)
    assert caught.value.at == at(23)
    frames = [f for f in traceback.extract_tb(caught.value.__traceback__) if f.filename == entry.filename]
    assert [f.name for f in frames] == ["e", "h0"]  # the helper function holds the failing call
    for frame in frames:
        assert frame.lineno is not None and frame.colno is not None and frame.end_colno is not None
        line = linecache.getline(entry.filename, frame.lineno)
        assert frame.line == line.strip()
        assert line[frame.colno:frame.end_colno] == ("h0(f1)" if frame.name == "e" else "o_div(f1, f1 - f1)")
