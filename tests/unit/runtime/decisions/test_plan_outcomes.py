"""How a quote leaves its plan, and what is counted: a plan that cannot be made (`NoPlan`, with its reason), a
transaction the rules refuse (re-run on the reference path for the located error), and a plan's bug (raised as
`PlanError` under `PPL_STRICT_PLANS=1`, otherwise answered by the reference path and counted); the generated code
as syntax trees, readable and shown in tracebacks."""

from __future__ import annotations

import ast
import linecache
import sys
from collections.abc import Callable
from typing import Any

import pytest

from runtime import ir
from runtime.decisions import _fast
from runtime.decisions.quote import NoPlan, PlanError, PlanStats, QuoteError, Quoter
from runtime.engine import EvalContext, codegen
from runtime.loaded import Runtime
from runtime.model import Partner
from tests.unit.runtime.decisions.decision_helpers import partners, sale
from tests.unit.runtime.decisions.test_quote_plans import STACKED, TRANSACTION_EXPRESSIONS

PEOPLE = partners(Partner("p", "reseller"))
QUOTE_MODULE = sys.modules[Quoter.__module__]  # `runtime.decisions.quote` names the function too


def _stacked(make: Callable[..., Runtime]) -> tuple[Runtime, dict[str, Partner]]:
    return make(STACKED), partners(Partner("d1", "reseller", "member", 1, None, {"certified": False}))


def test_quotes_on_plans_are_counted(make: Callable[..., Runtime]) -> None:
    rt, people = _stacked(make)
    quoter = Quoter(rt, people)
    for n in range(3):
        quoter.quote(sale("d1", 10_000 + n))
        quoter.figures(sale("d1", 10_000 + n))
    assert quoter.plan_stats == PlanStats(planned=6)
    assert quoter.reference_plans == 0 and quoter.fallbacks == 0


def test_a_margin_that_reads_the_transaction_is_no_plan_with_its_reason(make: Callable[..., Runtime]) -> None:
    rt = make(TRANSACTION_EXPRESSIONS.replace("margin: 15%", "margin: if transaction.quantity > 5 then 12% else 15%",
                                              1))
    quoter = Quoter(rt, PEOPLE)
    for quantity in (1, 6):
        quoter.quote(sale("p", 10_000, quantity, category="hardware", deal_size=0))
    stats = quoter.plan_stats
    assert (stats.planned, stats.no_plan, stats.errors, stats.refused) == (0, 2, 0, 0)
    ((reason, count),) = stats.by_reason
    assert reason.startswith("no plan: `") and reason.endswith("` reads the transaction") and count == 2
    assert quoter.reference_plans == 1


def test_a_refused_transaction_gives_the_located_error_and_is_counted(make: Callable[..., Runtime]) -> None:
    rt, people = _stacked(make)
    quoter = Quoter(rt, people)
    quoter.quote(sale("d1", 10_000))  # the plan is made
    for call in (quoter.quote, quoter.figures):
        with pytest.raises(QuoteError) as raised:
            call(sale("nobody", 10_000))
        assert raised.value.code == "E511"
    assert quoter.plan_stats.refused == 2 and dict(quoter.plan_stats.by_reason) == {"refused: E511": 2}


def _broken_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every plan the quoter makes from now on raises ZeroDivisionError, where the reference path answers."""
    made = _fast.make_plan

    def broken(*args: Any) -> Any:
        plan = made(*args)

        def fail(txn: Any) -> Any:
            raise ZeroDivisionError("a bug")
        plan.figures = plan.quote = fail
        return plan
    monkeypatch.setattr(QUOTE_MODULE, "make_plan", broken)


def test_a_plan_that_fails_where_the_reference_answers_raises_when_strict(
        make: Callable[..., Runtime], monkeypatch: pytest.MonkeyPatch) -> None:
    rt, people = _stacked(make)
    monkeypatch.setenv("PPL_STRICT_PLANS", "1")
    quoter = Quoter(rt, people)
    _broken_plan(monkeypatch)
    with pytest.raises(PlanError, match="ZeroDivisionError"):
        quoter.quote(sale("d1", 10_000))


def test_a_plan_that_fails_falls_back_and_is_counted_when_not_strict(
        make: Callable[..., Runtime], monkeypatch: pytest.MonkeyPatch) -> None:
    rt, people = _stacked(make)
    monkeypatch.setenv("PPL_STRICT_PLANS", "0")
    quoter = Quoter(rt, people)
    _broken_plan(monkeypatch)
    txn = sale("d1", 10_000)
    assert quoter.quote(txn) == quoter.reference(txn)
    assert quoter.figures(txn).margin == quoter.reference(txn).margin
    stats = quoter.plan_stats
    assert (stats.planned, stats.errors, stats.by_reason) == (0, 2, (("error: ZeroDivisionError", 2),))
    assert stats.fallbacks == 2


def test_a_plan_that_cannot_be_made_for_an_unexpected_reason_is_a_bug(
        make: Callable[..., Runtime], monkeypatch: pytest.MonkeyPatch) -> None:
    rt, people = _stacked(make)

    def broken(*args: Any) -> Any:
        raise KeyError("a bug")
    monkeypatch.setattr(QUOTE_MODULE, "make_plan", broken)
    monkeypatch.setenv("PPL_STRICT_PLANS", "1")
    with pytest.raises(PlanError, match="making the plan"):
        Quoter(rt, people).quote(sale("d1", 10_000))
    monkeypatch.setenv("PPL_STRICT_PLANS", "")
    quoter, txn = Quoter(rt, people), sale("d1", 10_000)
    assert quoter.quote(txn) == quoter.reference(txn)
    assert quoter.plan_stats.by_reason == (("error: KeyError", 1),)


def test_no_plan_keeps_its_reason() -> None:
    assert NoPlan("`x` reads the transaction").reason == "`x` reads the transaction"


def test_plan_stats_add_up_and_read_as_json() -> None:
    one = PlanStats(3, 1, 0, 2, (("no plan: x", 1), ("refused: E500", 2)))
    two = PlanStats(4, 0, 1, 0, (("error: KeyError", 1),))
    assert (one + two).as_json() == {"planned": 7, "no_plan": 1, "errors": 1, "refused": 2, "by_reason": {
        "error: KeyError": 1, "no plan: x": 1, "refused: E500": 2}}


def test_the_generated_code_is_readable_and_shown_in_tracebacks(make: Callable[..., Runtime]) -> None:
    rt, people = _stacked(make)
    Quoter(rt, people).quote(sale("d1", 10_000))
    made = [make for found, make in rt.plan_code.items() if isinstance(found, tuple) and found[0] == "plan"]
    assert len(made) == 2  # the figures alone, and the explained quote
    for make in made:
        name = make.__code__.co_filename
        source = "".join(linecache.getlines(name))
        ast.parse(source)
        assert "list_amount = list_price * quantity" in source and "\x01" not in source and "\x02" not in source
        assert linecache.getline(name, 1).startswith("def make(static_0")


def test_inline_statements_are_renamed_on_syntax_trees() -> None:
    amount = ir.Field("transaction", "spend", "money")
    slots = [("a", ir.Arith("+", amount, ir.Const("money", 5))), ("b", ir.Arith("*", amount, ir.Const("money", 5)))]
    fields = ast.Attribute(ast.Name("txn", ast.Load()), "fields", ast.Load())
    inline = codegen.inline_entry(slots, EvalContext("half_even", 1), prefix="seller_slot_",
                                  load=lambda f, const: ast.Subscript(fields, const(f.name), ast.Load()))
    assert inline is not None
    statements = inline.statements(lambda i: ast.Name(f"static_{i}", ast.Load()))
    names = {node.id for s in statements for node in ast.walk(s) if isinstance(node, ast.Name)}
    assert {"seller_slot_0", "seller_slot_1", "seller_slot_field_0", "txn"} <= names
    assert not any(name == "K" or name[:1] in "vf" and name[1:].isdigit() for name in names)
    assert "spend" in inline.consts and 5 in inline.consts  # program values stay statics, never code
    assert "spend" not in ast.unparse(ast.Module(list(statements), []))
