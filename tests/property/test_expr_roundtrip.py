"""Property tests: the printer and the parser agree, and the parser fails only with diagnostics."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from policy_lang import ast
from policy_lang.diagnostics import CompileError
from policy_lang.expr_parser import parse_expression
from policy_lang.format import format_expr
from policy_lang.source import plain_locator
from tests.property import strategies

LOCATE = plain_locator()
LARK_WORDS = re.compile(r"\$END|__ANON|_?(?:RPAR|LPAR|LSQB|RSQB|COMMA|IDENT|LITERAL|COMPARE_OP)\b")

# Pieces of the language, glued at random: reaches far more of the grammar than arbitrary text.
FRAGMENTS = ("a", "b.c", "f", "(", ")", "[", "]", ",", "+", "-", "*", "/", "==", "<", ">=", "=", "!",
             "and", "or", "not", "in", "if", "then", "else", "true", "1", "2.5", "1_000", "¥1,000",
             "¥1,00", "$12.50", "3000万", "1億5000万", "円", "15%", "％", "1000 JPY", "2026-04-01",
             "2026-02-30", "90d", "6mo", "\"t\"", "'u", "\\", ".", "&&", "@", " ", "\n")


def check_failure(text: str, error: CompileError) -> None:
    """A syntax error is one diagnostic, in words, pointing inside the text."""
    assert len(error.diagnostics) == 1
    diagnostic = error.diagnostics[0]
    assert diagnostic.code in ("E120", "E121", "E122", "E123")
    assert not LARK_WORDS.search(diagnostic.message), diagnostic.message
    assert "\n" not in diagnostic.message and not diagnostic.message.endswith(".")
    assert diagnostic.span is not None
    assert 1 <= diagnostic.span.col <= diagnostic.span.end_col <= len(text) + 1


def parse_or_fail(text: str) -> None:
    try:
        result = parse_expression(text, LOCATE)
    except CompileError as error:
        check_failure(text, error)
    else:
        assert isinstance(result, ast.Expr)


@settings(max_examples=200)
@given(expr=strategies.exprs())
def test_parse_of_format_is_identity(expr: ast.Expr) -> None:
    text = format_expr(expr)
    assert parse_expression(text, LOCATE) == expr
    assert format_expr(parse_expression(text, LOCATE)) == text


@settings(max_examples=200)
@given(text=st.text())
def test_parser_on_any_text_returns_expr_or_compile_error(text: str) -> None:
    parse_or_fail(text)


@settings(max_examples=200)
@given(pieces=st.lists(st.sampled_from(FRAGMENTS), max_size=12), separator=st.sampled_from(("", " ")))
def test_parser_on_fragment_soup_returns_expr_or_compile_error(pieces: list[str], separator: str) -> None:
    parse_or_fail(separator.join(pieces))
