"""Unit tests for the expression parser: literals, precedence, spans and syntax errors."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from policy_lang import ast
from policy_lang.diagnostics import CompileError, Diagnostic
from policy_lang.expr_parser import MAX_DEPTH, parse_expression
from policy_lang.source import Span, plain_locator

LOCATE = plain_locator()
LARK_WORDS = re.compile(r"\$END|__ANON|\b_?(?:RPAR|LPAR|LSQB|RSQB|COMMA|DOT|IDENT|LITERAL|STRING|COMPARE_OP|"
                        r"PLUS|MINUS|STAR|SLASH|IF|THEN|ELSE|AND|OR|NOT|IN)\b")


def parse(text: str) -> ast.Expr:
    return parse_expression(text, LOCATE)


def diagnostic_of(text: str) -> Diagnostic:
    with pytest.raises(CompileError) as info:
        parse(text)
    assert len(info.value.diagnostics) == 1
    return info.value.diagnostics[0]


def n(text: str) -> ast.NumberLit:
    return ast.NumberLit(Decimal(text))


def name(dotted: str) -> ast.Name:
    return ast.Name(tuple(dotted.split(".")))


def jpy(amount: int) -> ast.MoneyLit:
    return ast.MoneyLit(Decimal(amount), "JPY")


a, b, c, d = name("a"), name("b"), name("c"), name("d")


# --- literals -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "expected"), [
    ("0", n("0")),
    ("42", n("42")),
    ("1_000_000", n("1000000")),
    ("2.5", n("2.5")),
    ("0.125", n("0.125")),
    ("3000万", n("30000000")),
    ("10億", n("1000000000")),
    ("2兆", n("2000000000000")),
    ("1.5億", n("150000000")),
    ("1億5000万", n("150000000")),
    ("1兆2億", n("1000200000000")),
    ("1万5000", n("15000")),
    ("15%", ast.PercentLit(Decimal("15"))),
    ("12.5%", ast.PercentLit(Decimal("12.5"))),
    ("15％", ast.PercentLit(Decimal("15"))),
    ("¥1,000,000", jpy(1_000_000)),
    ("￥1,000,000", jpy(1_000_000)),
    ("¥1000", jpy(1000)),
    ("¥1_000", jpy(1000)),
    ("¥3000万", jpy(30_000_000)),
    ("¥10億", jpy(1_000_000_000)),
    ("¥1,000万", jpy(10_000_000)),
    ("$12.50", ast.MoneyLit(Decimal("12.50"), "USD")),
    ("$1,234.56", ast.MoneyLit(Decimal("1234.56"), "USD")),
    ("€99", ast.MoneyLit(Decimal("99"), "EUR")),
    ("£0.5", ast.MoneyLit(Decimal("0.5"), "GBP")),
    ("1000000 JPY", jpy(1_000_000)),
    ("1,000,000 JPY", jpy(1_000_000)),
    ("1000JPY", jpy(1000)),
    ("12.50 USD", ast.MoneyLit(Decimal("12.50"), "USD")),
    ("500 CHF", ast.MoneyLit(Decimal("500"), "CHF")),
    ("7 XYZ", ast.MoneyLit(Decimal("7"), "XYZ")),
    ("3000万円", jpy(30_000_000)),
    ("1,000円", jpy(1000)),
    ("10億円", jpy(1_000_000_000)),
    ("1億5,000万円", jpy(150_000_000)),
    ("2026-04-01", ast.DateLit(datetime.date(2026, 4, 1))),
    ("2024-02-29", ast.DateLit(datetime.date(2024, 2, 29))),
    ("90d", ast.DurationLit(90, "d")),
    ("2w", ast.DurationLit(2, "w")),
    ("6mo", ast.DurationLit(6, "mo")),
    ("1y", ast.DurationLit(1, "y")),
    ("true", ast.BoolLit(True)),
    ("false", ast.BoolLit(False)),
    ('"gold"', ast.TextLit("gold")),
    ("'gold'", ast.TextLit("gold")),
    ('""', ast.TextLit("")),
    (r'"say \"hi\""', ast.TextLit('say "hi"')),
    (r"'it\'s'", ast.TextLit("it's")),
    (r'"back\\slash"', ast.TextLit("back\\slash")),
    (r'"two\nlines"', ast.TextLit("two\nlines")),
    (r'"tab\there"', ast.TextLit("tab\there")),
    ('"ゴールド"', ast.TextLit("ゴールド")),
    ("[]", ast.ListLit(())),
    ("[a, b, c]", ast.ListLit((a, b, c))),
    ("[1, [2]]", ast.ListLit((n("1"), ast.ListLit((n("2"),))))),
])
def test_literal(source: str, expected: ast.Expr) -> None:
    assert parse(source) == expected


def test_units_give_exact_values() -> None:
    value = parse("1.5億")
    assert isinstance(value, ast.NumberLit)
    assert value.value == 150_000_000 and value.value.as_tuple().exponent == 0


@pytest.mark.parametrize(("source", "expected"), [
    ("partner.tier", name("partner.tier")),
    ("transaction.list_price", name("transaction.list_price")),
    ("tier1", name("tier1")),
    ("_x.y_2", name("_x.y_2")),
    ("android", name("android")),  # starts with a keyword, is not one
    ("in_stock", name("in_stock")),
    ("true_value", name("true_value")),
    ("f()", ast.Call("f", ())),
    ("min(a, b)", ast.Call("min", (a, b))),
    ("unknown_fn(1)", ast.Call("unknown_fn", (n("1"),))),
    ("round(x, ¥1000)", ast.Call("round", (name("x"), jpy(1000)))),
])
def test_names_and_calls(source: str, expected: ast.Expr) -> None:
    assert parse(source) == expected


def test_commas_group_digits_only_in_money() -> None:
    assert parse("min(¥1,000, x)") == ast.Call("min", (jpy(1000), name("x")))
    assert parse("min(¥1,000,500)") == ast.Call("min", (jpy(1_000_500),))
    assert parse("f(1,000)") == ast.Call("f", (n("1"), n("0")))
    assert parse("[1, 2 JPY]") == ast.ListLit((n("1"), jpy(2)))


# --- operators and precedence -------------------------------------------------------------------

def binary(op: str, left: ast.Expr, right: ast.Expr) -> ast.Binary:
    return ast.Binary(op, left, right)


def cmp(op: str, left: ast.Expr, right: ast.Expr) -> ast.Comparison:
    return ast.Comparison(op, left, right)


def logical(op: str, left: ast.Expr, right: ast.Expr) -> ast.Logical:
    return ast.Logical(op, left, right)


@pytest.mark.parametrize(("source", "expected"), [
    ("a + b * c", binary("+", a, binary("*", b, c))),
    ("a * b + c", binary("+", binary("*", a, b), c)),
    ("a - b - c", binary("-", binary("-", a, b), c)),
    ("a - (b - c)", binary("-", a, binary("-", b, c))),
    ("a / b / c", binary("/", binary("/", a, b), c)),
    ("(a + b) * c", binary("*", binary("+", a, b), c)),
    ("-a * b", binary("*", ast.Unary("-", a), b)),
    ("a * -b", binary("*", a, ast.Unary("-", b))),
    ("--a", ast.Unary("-", ast.Unary("-", a))),
    ("a - -1", binary("-", a, ast.Unary("-", n("1")))),
    ("-(a + b)", ast.Unary("-", binary("+", a, b))),
    ("a + b == c", cmp("==", binary("+", a, b), c)),
    ("a == b + c", cmp("==", a, binary("+", b, c))),
    ("a != b", cmp("!=", a, b)),
    ("a < b", cmp("<", a, b)),
    ("a <= b", cmp("<=", a, b)),
    ("a > b", cmp(">", a, b)),
    ("a >= b", cmp(">=", a, b)),
    ("a in [b, c]", ast.Membership(False, a, ast.ListLit((b, c)))),
    ("a not in b", ast.Membership(True, a, b)),
    ("a + 1 in b", ast.Membership(False, binary("+", a, n("1")), b)),
    ("not a == b", ast.Unary("not", cmp("==", a, b))),
    ("not a in b", ast.Unary("not", ast.Membership(False, a, b))),
    ("not not a", ast.Unary("not", ast.Unary("not", a))),
    ("not a and b", logical("and", ast.Unary("not", a), b)),
    ("a and b or c", logical("or", logical("and", a, b), c)),
    ("a or b and c", logical("or", a, logical("and", b, c))),
    ("a or b or c", logical("or", logical("or", a, b), c)),
    ("a and b and c", logical("and", logical("and", a, b), c)),
    ("a and (b or c)", logical("and", a, logical("or", b, c))),
    ("(a == b) == c", cmp("==", cmp("==", a, b), c)),
    ("if a then b else c", ast.Conditional(a, b, c)),
    ("if a then b else if c then d else a", ast.Conditional(a, b, ast.Conditional(c, d, a))),
    ("if a or b then c + 1 else d", ast.Conditional(logical("or", a, b), binary("+", c, n("1")), d)),
    ("if if a then b else c then d else a", ast.Conditional(ast.Conditional(a, b, c), d, a)),
    ("1 + (if a then 1 else 2)", binary("+", n("1"), ast.Conditional(a, n("1"), n("2")))),
    ("f(if a then b else c, d)", ast.Call("f", (ast.Conditional(a, b, c), d))),
    ("[if a then b else c]", ast.ListLit((ast.Conditional(a, b, c),))),
    ("deal.amount >= ¥1,000,000 and partner.tier == gold",
     logical("and", cmp(">=", name("deal.amount"), jpy(1_000_000)), cmp("==", name("partner.tier"), name("gold")))),
    ("a\n  and b", logical("and", a, b)),
])
def test_precedence(source: str, expected: ast.Expr) -> None:
    assert parse(source) == expected


@pytest.mark.parametrize("source", ["a < b < c", "a == b != c", "a in b in c", "a < b in c", "a in b < c",
                                    "a not in b == c", "a < b not in c", "x and (a <= b >= c)"])
def test_comparisons_do_not_chain(source: str) -> None:
    diagnostic = diagnostic_of(source)
    assert diagnostic.code == "E120"
    assert diagnostic.message == "comparisons cannot be chained"
    assert diagnostic.hint is not None and "`and`" in diagnostic.hint


# --- spans --------------------------------------------------------------------------------------

def test_spans_of_nested_nodes() -> None:
    expr = parse("a and partner.tier == x")
    assert isinstance(expr, ast.Logical) and isinstance(expr.right, ast.Comparison)
    assert expr.span == Span("<expr>", 1, 1, 1, 24)
    assert expr.left.span == Span("<expr>", 1, 1, 1, 2)
    assert expr.right.span == Span("<expr>", 1, 7, 1, 24)
    assert expr.right.left == name("partner.tier")
    assert expr.right.left.span == Span("<expr>", 1, 7, 1, 19)
    assert expr.right.right.span == Span("<expr>", 1, 23, 1, 24)


def test_spans_cover_keywords_brackets_and_calls() -> None:
    expr = parse("if not a then f(b, [1]) else -(c)")
    assert isinstance(expr, ast.Conditional)
    assert isinstance(expr.condition, ast.Unary) and isinstance(expr.then, ast.Call)
    assert isinstance(expr.otherwise, ast.Unary)
    assert expr.span == Span("<expr>", 1, 1, 1, 34)
    assert expr.condition.span == Span("<expr>", 1, 4, 1, 9)
    assert expr.then.span == Span("<expr>", 1, 15, 1, 24)
    assert expr.then.args[1].span == Span("<expr>", 1, 20, 1, 23)
    assert expr.otherwise.span == Span("<expr>", 1, 30, 1, 34)
    assert expr.otherwise.operand.span == Span("<expr>", 1, 32, 1, 33)  # parentheses are not part of `c`


def test_every_span_comes_from_the_locator() -> None:
    def locate(start: int, end: int) -> Span:
        return Span("programs/p.yaml", 7, 11 + start, 7, 11 + end)

    expr = parse_expression("min(¥1,000, deal.amount) * 2", locate)
    assert isinstance(expr, ast.Binary) and isinstance(expr.left, ast.Call)
    assert expr.span == Span("programs/p.yaml", 7, 11, 7, 39)
    assert expr.left.args[0].span == Span("programs/p.yaml", 7, 15, 7, 21)
    assert expr.left.args[1].span == Span("programs/p.yaml", 7, 23, 7, 34)
    with pytest.raises(CompileError) as info:
        parse_expression("a +", locate)
    assert info.value.diagnostics[0].span == Span("programs/p.yaml", 7, 14, 7, 14)


def test_spans_ignore_equality() -> None:
    assert parse("a+b") == parse("a  +  b")


# --- errors -------------------------------------------------------------------------------------

ERRORS = [
    # source, code, column, message, hint fragment (or None when there is no hint)
    ("a = b", "E120", 3, "unexpected `=`", "use `==` to compare"),
    ("a && b", "E120", 3, "unexpected `&&`", "write `and`"),
    ("a || b", "E120", 3, "unexpected `||`", "write `or`"),
    ("a => b", "E120", 3, "unexpected `=>`", "`>=`"),
    ("!a", "E120", 1, "unexpected `!`", "write `not`"),
    ("a < b < c", "E120", 7, "comparisons cannot be chained", "`and`"),
    ("if a then b", "E121", 12, "expression ends too early: expected `else`", "an `if` needs an `else`"),
    ("f(if a then b, c)", "E120", 14, "unexpected `,`: expected `else`", "an `if` needs an `else`"),
    ("if a b", "E120", 6, "unexpected `b`: expected an operator or `then`", None),
    ("if a", "E121", 5, "expression ends too early: expected `then`", None),
    ("", "E121", 1, "expression is empty", None),
    ("   ", "E121", 1, "expression is empty", None),
    ("a +", "E121", 4, "expression ends too early: expected a value", None),
    ("a + ", "E121", 4, "expression ends too early: expected a value", None),
    ("(a", "E121", 3, "expression ends too early: expected `)`", None),
    ("[a, b", "E121", 6, "expression ends too early: expected `,` or `]`", None),
    ("partner.", "E121", 9, "expression ends too early: expected a name", None),
    ("a b", "E120", 3, "unexpected `b`: expected an operator or the end of the expression", None),
    ("f(a b)", "E120", 5, "unexpected `b`: expected an operator, `,` or `)`", None),
    ("a )", "E120", 3, "unexpected `)`: expected the end of the expression", None),
    ("a + * b", "E120", 5, "unexpected `*`: expected a value", None),
    ("1 + if a then 1 else 2", "E120", 5, "unexpected `if`: expected a value", None),
    ("a not b", "E120", 7, "unexpected `b`: expected `in`", None),
    ("partner.and", "E120", 9, "unexpected `and`: expected a name", None),
    ("a.(c)", "E120", 3, "unexpected `(`: expected a name", None),
    ("and", "E120", 1, "unexpected `and`: expected a value", None),
    ("a @ b", "E120", 3, "unexpected character `@`", None),
    ("a ＋ b", "E120", 3, "unexpected character `＋`", None),
    ("partner.ティア", "E120", 9, "unexpected character `テ`", "letters a-z"),
    ("１００", "E120", 1, "unexpected character `１`", "digits 0-9"),
    ("a % b", "E120", 3, "unexpected `%`", "right after its number"),
    ("¥1,00", "E122", 1, "malformed amount `¥1,00`: digit groups after a `,` must have three digits",
     "group digits in threes"),
    ("x + 1,00 JPY", "E122", 5, "malformed amount `1,00 JPY`: digit groups after a `,` must have three digits",
     None),
    ("¥1,000_000", "E122", 1, "malformed amount `¥1,000_000`: group digits with `,` or `_`, not both", None),
    ("1__000", "E122", 1, "malformed number `1__000`: `_` may only stand between two digits", None),
    ("1_", "E122", 1, "malformed number `1_`: `_` may only stand between two digits", None),
    ("¥ 100", "E122", 1, "malformed amount: expected digits right after `¥`", None),
    ("¥100円", "E122", 1, "malformed amount `¥100円`: unexpected `円` after the amount", "currency once"),
    ("$5 USD", "E120", 4, "unexpected `USD`: expected an operator or the end of the expression", None),
    ("2026-02-30", "E122", 1, "invalid date `2026-02-30`: February 2026 has 28 days", None),
    ("x < 2025-02-29", "E122", 5, "invalid date `2025-02-29`: February 2025 has 28 days", None),
    ("2026-13-01", "E122", 1, "invalid date `2026-13-01`: there is no month 13", None),
    ("0000-01-01", "E122", 1, "invalid date `0000-01-01`: there is no year 0", None),
    ("2026-4-1", "E122", 1, "malformed date `2026-4-1`: write dates as YYYY-MM-DD", "`2026-04-01`"),
    ("1.5y", "E122", 1, "malformed duration `1.5y`: a duration is a whole number of days, weeks, months or years",
     None),
    ("90days", "E122", 1, "malformed number `90days`: unknown unit `days`", "duration unit"),
    ("6m", "E122", 1, "malformed number `6m`: unknown unit `m`", "write `mo` for months"),
    ("100jpy", "E122", 1, "malformed number `100jpy`: unknown unit `jpy`", "`JPY`"),
    ("1万1億", "E122", 1, "malformed number `1万1億`: write 兆, 億 and 万 from largest to smallest, each once",
     None),
    ("1万万", "E122", 1, "malformed number `1万万`: write 兆, 億 and 万 from largest to smallest, each once", None),
    ("1億12345万", "E122", 1, "malformed number `1億12345万`: `12345万` is too large to follow a larger unit",
     None),
    ("1万12345", "E122", 1, "malformed number `1万12345`: `12345` after `万` is too large", None),
    ("1.5億5000万", "E122", 1, "malformed number `1.5億5000万`: only a single unit may have a fraction, as in "
     "`1.5億`", None),
    ("5万%", "E122", 1, "malformed percentage `5万%`: a percentage cannot use 万, 億 or 兆", None),
    ("1" * 31, "E122", 1, "malformed number `11111111111111111111111111111…`: a number has at most 30 digits",
     None),
    ('"abc', "E123", 1, "unterminated text: missing the closing `\"`", None),
    ("x == 'abc", "E123", 6, "unterminated text: missing the closing `'`", None),
    ('"a\nb"', "E123", 1, "unterminated text: missing the closing `\"`", None),
    (r'"a\qb"', "E122", 1, r"unknown escape `\q` in text", r"`\n`"),
    ("a +\n  b )", "E120", 9, "unexpected `)`: expected the end of the expression", None),
]


@pytest.mark.parametrize(("source", "code", "col", "message", "hint"), ERRORS)
def test_syntax_error(source: str, code: str, col: int, message: str, hint: str | None) -> None:
    diagnostic = diagnostic_of(source)
    assert (diagnostic.code, diagnostic.message) == (code, message)
    assert diagnostic.span is not None and diagnostic.span.col == col
    if hint is not None:
        assert diagnostic.hint is not None and hint in diagnostic.hint


@pytest.mark.parametrize("source", [row[0] for row in ERRORS])
def test_errors_speak_in_words(source: str) -> None:
    diagnostic = diagnostic_of(source)
    for text in (diagnostic.message, diagnostic.hint or ""):
        assert not LARK_WORDS.search(text), text
        assert "\n" not in text and not text.endswith(".")
    assert diagnostic.message[:1] == diagnostic.message[:1].lower()


def test_error_span_covers_the_offending_token() -> None:
    diagnostic = diagnostic_of("a and then")
    assert diagnostic.span == Span("<expr>", 1, 7, 1, 11)
    diagnostic = diagnostic_of("x + ¥1,00 + y")
    assert diagnostic.span == Span("<expr>", 1, 5, 1, 10)


def test_error_on_a_later_line() -> None:
    diagnostic = diagnostic_of("a and\nb b")
    assert diagnostic.message.startswith("unexpected `b`")
    assert diagnostic.span is not None and diagnostic.span.col == 9  # plain_locator counts one line


def test_first_problem_in_reading_order_wins() -> None:
    assert diagnostic_of("¥1,00 +").code == "E122"
    assert diagnostic_of("a b ¥1,00").code == "E120"


def test_deep_nesting_is_a_diagnostic() -> None:
    assert parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == a
    ok = "-" * (MAX_DEPTH - 1) + "a"
    assert isinstance(parse(ok), ast.Unary)
    diagnostic = diagnostic_of("-" * MAX_DEPTH + "a")
    assert diagnostic.code == "E124" and f"nested more than {MAX_DEPTH} levels deep" in diagnostic.message
    brackets = diagnostic_of("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    assert brackets.code == "E124" and brackets.span is not None and brackets.span.col == MAX_DEPTH + 1
    assert diagnostic_of("[" * 5000 + "]" * 5000).code == "E124"


def test_every_terminal_has_words() -> None:
    from policy_lang.expr_parser import _TERMINAL_WORDS, _parser

    terminals = {t.name for t in _parser().terminals} - set(_parser().ignore_tokens)
    assert terminals <= set(_TERMINAL_WORDS)
