"""Property tests: the generated code and the reference interpreter agree on every expression and environment."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.engine import EvalContext, EvaluationError, codegen, compile_entry, evaluate
from tests.property import ir_strategies

MODES = ("down", "up", "half_up", "half_even")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(run: Callable[[], Any]) -> tuple[Any, ...]:
    """What running gives: the value and its exact type, or the error code and where it points."""
    try:
        value = run()
    except EvaluationError as error:
        return ("error", error.code, error.at)
    return ("value", type(value), value)


@pytest.mark.parametrize("split", [codegen.SPLIT_DEPTH, 2], ids=["nested", "split-into-helpers"])
@SETTINGS
@given(expr=ir_strategies.exprs(), env=ir_strategies.environments(), mode=st.sampled_from(MODES))
def test_compiled_matches_interpreted(split: int, expr: Any, env: dict[str, Any], mode: str) -> None:
    ctx = EvalContext(mode, 1)
    with mock.patch.object(codegen, "SPLIT_DEPTH", split):
        entry = compile_entry("prop", [("x", expr)], ctx, "property")
    compiled = outcome(lambda: entry(env)[0])
    assert compiled == outcome(lambda: evaluate(expr, env, ctx))


@SETTINGS
@given(exprs=st.lists(ir_strategies.exprs(depth=3), min_size=1, max_size=4), env=ir_strategies.environments())
def test_an_entry_returns_every_slot_in_order(exprs: list[Any], env: dict[str, Any]) -> None:
    ctx = EvalContext("half_even", 1)
    entry = compile_entry("prop", [(f"s{i}", e) for i, e in enumerate(exprs)], ctx, "property")
    try:
        expected = tuple(evaluate(e, env, ctx) for e in exprs)
    except EvaluationError:
        return  # which error an entry reports first is covered by the unit tests
    assert entry(env) == expected


@SETTINGS
@given(exprs=st.lists(ir_strategies.exprs(depth=3), min_size=1, max_size=3), env=ir_strategies.environments())
def test_inline_statements_compute_what_the_entry_returns(exprs: list[Any], env: dict[str, Any]) -> None:
    ctx = EvalContext("half_even", 1)
    slots = [(f"s{i}", e) for i, e in enumerate(exprs)]
    inline = codegen.inline_entry(slots, ctx, prefix="r_",
                                  load=lambda f, const: ast.Subscript(ast.Name("env", ast.Load()),
                                                                      const(f"{f.scope}.{f.name}"), ast.Load()))
    if inline is None:  # a subtree too tall to inline: callers call the entry instead
        return
    results = ast.Tuple([ast.Name(f"r_{i}", ast.Load()) for i in range(len(exprs))], ast.Load())
    statements = inline.statements(lambda i: ast.Subscript(ast.Name("RK", ast.Load()), ast.Constant(i), ast.Load()))
    run = ast.FunctionDef("run", ast.arguments([], [ast.arg("env")], None, [], [], None, []),
                          [*statements, ast.Return(results)], [], None, None)
    module = ast.fix_missing_locations(ast.Module([run], []))
    namespace: dict[str, Any] = {"__builtins__": {}, "RK": inline.consts, **inline.helpers}
    exec(compile(module, "<inline>", "exec"), namespace)
    entry = compile_entry("prop", slots, ctx, "property")
    try:
        expected = entry(env)
    except EvaluationError:
        with pytest.raises((EvaluationError, KeyError, ZeroDivisionError, TypeError)):  # unlocated
            namespace["run"](env)
        return
    assert namespace["run"](env) == expected
