"""Unit tests for the canonical expression printer."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from policy_lang import ast
from policy_lang.expr_parser import parse_expression
from policy_lang.format import format_expr
from policy_lang.source import plain_locator

a, b, c = ast.Name(("a",)), ast.Name(("b",)), ast.Name(("c",))


def parse(text: str) -> ast.Expr:
    return parse_expression(text, plain_locator())


@pytest.mark.parametrize(("expr", "text"), [
    (ast.NumberLit(Decimal(0)), "0"),
    (ast.NumberLit(Decimal("-0")), "0"),
    (ast.NumberLit(Decimal(1000)), "1000"),
    (ast.NumberLit(Decimal(9999)), "9999"),
    (ast.NumberLit(Decimal(10000)), "10_000"),
    (ast.NumberLit(Decimal(30_000_000)), "30_000_000"),
    (ast.NumberLit(Decimal("1.5E+8")), "150_000_000"),
    (ast.NumberLit(Decimal("2.50")), "2.5"),
    (ast.NumberLit(Decimal("0.125")), "0.125"),
    (ast.NumberLit(Decimal("12345.5")), "12_345.5"),
    (ast.NumberLit(Decimal("1E-7")), "0.0000001"),
    (ast.PercentLit(Decimal(15)), "15%"),
    (ast.PercentLit(Decimal("12.50")), "12.5%"),
    (ast.MoneyLit(Decimal(1_000_000), "JPY"), "¥1,000,000"),
    (ast.MoneyLit(Decimal(999), "JPY"), "¥999"),
    (ast.MoneyLit(Decimal("1234.5"), "JPY"), "¥1,234.5"),
    (ast.MoneyLit(Decimal("12.5"), "USD"), "$12.50"),
    (ast.MoneyLit(Decimal(12), "USD"), "$12.00"),
    (ast.MoneyLit(Decimal("1234567.891"), "USD"), "$1,234,567.891"),
    (ast.MoneyLit(Decimal("0.5"), "EUR"), "€0.50"),
    (ast.MoneyLit(Decimal(20), "GBP"), "£20.00"),
    (ast.MoneyLit(Decimal(1000), "CHF"), "1,000 CHF"),
    (ast.MoneyLit(Decimal("12.5"), "AUD"), "12.5 AUD"),
    (ast.DateLit(datetime.date(2026, 4, 1)), "2026-04-01"),
    (ast.DurationLit(90, "d"), "90d"),
    (ast.DurationLit(6, "mo"), "6mo"),
    (ast.BoolLit(True), "true"),
    (ast.BoolLit(False), "false"),
    (ast.TextLit("gold"), '"gold"'),
    (ast.TextLit('say "hi"\\\n\t'), r'"say \"hi\"\\\n\t"'),
    (ast.TextLit("it's"), '"it\'s"'),
    (ast.ListLit(()), "[]"),
    (ast.ListLit((a, ast.NumberLit(Decimal(1)))), "[a, 1]"),
    (ast.Name(("partner", "tier")), "partner.tier"),
    (ast.Call("min", (a, b)), "min(a, b)"),
    (ast.Call("today", ()), "today()"),
])
def test_literals_and_atoms(expr: ast.Expr, text: str) -> None:
    assert format_expr(expr) == text


def bin_(op: str, left: ast.Expr, right: ast.Expr) -> ast.Binary:
    return ast.Binary(op, left, right)


@pytest.mark.parametrize(("expr", "text"), [
    (bin_("+", a, bin_("*", b, c)), "a + b * c"),
    (bin_("*", bin_("+", a, b), c), "(a + b) * c"),
    (bin_("-", bin_("-", a, b), c), "a - b - c"),
    (bin_("-", a, bin_("-", b, c)), "a - (b - c)"),
    (bin_("+", a, bin_("+", b, c)), "a + (b + c)"),
    (bin_("/", a, bin_("*", b, c)), "a / (b * c)"),
    (bin_("*", ast.Unary("-", a), b), "-a * b"),
    (ast.Unary("-", bin_("+", a, b)), "-(a + b)"),
    (ast.Unary("-", ast.Unary("-", a)), "--a"),
    (bin_("-", a, ast.Unary("-", b)), "a - -b"),
    (ast.Unary("not", ast.Comparison("==", a, b)), "not a == b"),
    (ast.Unary("not", ast.Logical("and", a, b)), "not (a and b)"),
    (ast.Comparison("==", ast.Comparison("==", a, b), c), "(a == b) == c"),
    (ast.Comparison("<", ast.Unary("not", a), b), "(not a) < b"),
    (ast.Comparison(">=", bin_("+", a, b), c), "a + b >= c"),
    (ast.Membership(True, a, ast.ListLit((b, c))), "a not in [b, c]"),
    (ast.Membership(False, ast.Membership(False, a, b), c), "(a in b) in c"),
    (ast.Logical("or", ast.Logical("and", a, b), c), "a and b or c"),
    (ast.Logical("and", ast.Logical("or", a, b), c), "(a or b) and c"),
    (ast.Logical("or", a, ast.Logical("or", b, c)), "a or (b or c)"),
    (ast.Logical("and", ast.Unary("not", a), b), "not a and b"),
    (ast.Conditional(a, b, c), "if a then b else c"),
    (ast.Conditional(a, b, ast.Conditional(c, a, b)), "if a then b else if c then a else b"),
    (ast.Conditional(ast.Conditional(a, b, c), ast.Conditional(a, b, c), a),
     "if (if a then b else c) then (if a then b else c) else a"),
    (bin_("+", ast.NumberLit(Decimal(1)), ast.Conditional(a, b, c)), "1 + (if a then b else c)"),
    (ast.Unary("not", ast.Conditional(a, b, c)), "not (if a then b else c)"),
    (ast.Logical("or", ast.Conditional(a, b, c), a), "(if a then b else c) or a"),
    (ast.Call("max", (ast.Conditional(a, b, c), ast.Logical("or", a, b))), "max(if a then b else c, a or b)"),
])
def test_minimal_parentheses(expr: ast.Expr, text: str) -> None:
    assert format_expr(expr) == text
    assert parse(text) == expr


@pytest.mark.parametrize(("source", "canonical"), [
    ("a+b*c", "a + b * c"),
    ("((a))", "a"),
    ("3000万円", "¥30,000,000"),
    ("1億5000万", "150_000_000"),
    ("1000000 JPY", "¥1,000,000"),
    ("12.5 USD", "$12.50"),
    ("￥1_000", "¥1,000"),
    ("15％", "15%"),
    ("'it\\'s'", '"it\'s"'),
    ("if a then b else (if c then a else b)", "if a then b else if c then a else b"),
    ("deal.amount>=¥1,000,000 and partner.tier==gold", "deal.amount >= ¥1,000,000 and partner.tier == gold"),
])
def test_canonical_text_of_source(source: str, canonical: str) -> None:
    expr = parse(source)
    assert format_expr(expr) == canonical
    assert parse(canonical) == expr
