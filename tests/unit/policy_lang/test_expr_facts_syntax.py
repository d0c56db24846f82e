"""The syntax of dated facts: method calls on a record and named arguments."""

from __future__ import annotations

import pytest

from policy_lang import ast
from policy_lang.diagnostics import CompileError
from policy_lang.expr_parser import parse_expression
from policy_lang.format import format_expr
from policy_lang.source import Span, plain_locator

LOCATE = plain_locator()


def parse(text: str) -> ast.Expr:
    return parse_expression(text, LOCATE)


def name(dotted: str) -> ast.Name:
    return ast.Name(tuple(dotted.split(".")))


def test_a_method_call_holds_its_receiver_first() -> None:
    assert parse("partner.nda.valid_on(transaction.date)") == ast.Call(
        "valid_on", (name("partner.nda"), name("transaction.date")), (), True)


def test_a_named_argument_follows_the_positional_ones() -> None:
    expr = parse("count(partner.certifications, valid_on: as_of)")
    assert expr == ast.Call("count", (name("partner.certifications"), name("as_of")), ("valid_on",))
    assert isinstance(expr, ast.Call)
    assert expr.positional == (name("partner.certifications"),)
    assert expr.keyword("valid_on") == name("as_of")
    assert expr.keyword("other") is None


def test_the_receiver_span_ends_before_the_method() -> None:
    expr = parse("partner.nda.valid_on(as_of)")
    assert isinstance(expr, ast.Call)
    assert expr.span == Span("<expr>", 1, 1, 1, 28)
    assert expr.args[0].span == Span("<expr>", 1, 1, 1, 12)


@pytest.mark.parametrize("text", [
    "partner.nda.valid_on(as_of)",
    "count(partner.certifications, valid_on: as_of)",
    'count(partner.regions) >= 2 and "kansai" in partner.regions',
    "partner.nda.until >= 2026-08-31",
    "not partner.nda.valid_on(transaction.date + 30d)",
])
def test_formatting_round_trips(text: str) -> None:
    assert format_expr(parse(text)) == text
    assert parse(format_expr(parse(text))) == parse(text)


@pytest.mark.parametrize(("text", "message"), [
    ("count(valid_on: as_of, partner.certifications)", "an argument without a name follows a named one"),
    ("count(x, valid_on: a, valid_on: b)", "argument `valid_on` is given twice"),
])
def test_misplaced_named_arguments_are_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(CompileError) as info:
        parse(text)
    [diagnostic] = info.value.diagnostics
    assert diagnostic.code == "E120" and diagnostic.message == message
