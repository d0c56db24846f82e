"""The lark parser of `expr.lark`, built once, with lexer callbacks that decode literals as they are
read."""

from __future__ import annotations

import functools
from pathlib import Path

from lark import Lark, Token

from policy_lang import limits
from policy_lang._literals import _literal_node, _Malformed, _text_value


@functools.cache
def _parser() -> Lark:
    grammar = Path(__file__).with_name("expr.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="basic", propagate_positions=True,
                lexer_callbacks={"LITERAL": _check_literal, "STRING": _check_text})


class _BadToken(Exception):
    """A malformed literal found while lexing, with where it is; becomes a diagnostic."""

    def __init__(self, token: Token, code: str, malformed: _Malformed) -> None:
        super().__init__(malformed.message)
        self.start = token.start_pos or 0
        self.end = token.end_pos or self.start
        self.code = code
        self.message = malformed.message
        self.hint = malformed.hint


# Validating literals in lexer callbacks reports them in reading order: a bad literal before a
# syntax error is the one the user hears about.
def _check_literal(token: Token) -> Token:
    try:
        _literal_node(str(token))
    except _Malformed as bad:
        raise _BadToken(token, "E122", bad) from None
    return token


def _check_text(token: Token) -> Token:
    if len(token) - 2 > (longest := limits.MAX_TEXT_CHARS.value()):
        raise _BadToken(token, "E124", _Malformed(
            f"expression too large: a text of {len(token) - 2:,} characters (more than {longest:,})",
            f"shorten the text, or raise the limit with the environment variable `{limits.MAX_TEXT_CHARS.variable}`"))
    try:
        _text_value(str(token))
    except _Malformed as bad:
        raise _BadToken(token, "E122", bad) from None
    return token
