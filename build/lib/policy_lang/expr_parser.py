"""Expression text → AST: the lark grammar in ``expr.lark``, literal decoding and syntax errors.

The parser is lark's LALR parser with a basic lexer, built once (``_grammar``). Literals are lexed by
one broad terminal and decoded in ``_literals``, so a malformed number, amount or date gets a precise
message (E122) instead of a vague syntax error. Lark's exceptions never leave ``parse_expression``:
every syntax error becomes one ``Diagnostic`` inside a ``CompileError`` (``_syntax_errors``).

A note on commas: a money literal with a currency marker may group digits with `,`, so
``min(¥1,000, x)`` is a call with two arguments but ``min(¥1,000,500)`` lexes as the single amount
¥1,000,500. A plain number never contains a comma: ``f(1,000)`` is a call with the arguments 1 and 0.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Final

from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from policy_lang import ast, diagnostics, limits
from policy_lang._grammar import _BadToken
from policy_lang._grammar import _parser as _parser
from policy_lang._literals import MAX_DIGITS as MAX_DIGITS
from policy_lang._literals import _literal_node, _text_value
from policy_lang._syntax_errors import _TERMINAL_WORDS as _TERMINAL_WORDS
from policy_lang._syntax_errors import _syntax_error
from policy_lang.source import Locator, Span

MAX_DEPTH: Final = limits.MAX_DEPTH.default
"""Deepest expression tree (and bracket nesting) accepted; later stages walk trees recursively."""


@dataclass(slots=True)
class TokenBudget:
    """The tokens left to the expressions of one file (`limits.MAX_PROGRAM_TOKENS`), shared by their parses."""

    left: int = field(default_factory=limits.MAX_PROGRAM_TOKENS.value)
    spent: bool = False  # the file went over, and the diagnostic has been given


def parse_expression(text: str, locate: Locator, budget: TokenBudget | None = None) -> ast.Expr:
    """Parse the text of one expression into an AST whose every node carries its span.

    Args:
        text: the expression as written, e.g. ``deal.amount >= ¥1,000,000 and partner.tier == gold``.
        locate: maps a character range of ``text`` to a span in the program file.
        budget: the tokens left to the file the expression is part of, if it has a budget; the
            expression's tokens are taken from it.

    Returns:
        The expression tree.

    Raises:
        diagnostics.CompileError: with exactly one diagnostic (E120–E123) when the text is not a
            well-formed expression, or E124 when it is over one of the limits of `policy_lang.limits`
            (checked before lark parses it, so that an enormous text is refused at once).

    >>> from policy_lang.source import plain_locator
    >>> parse_expression("3000万円", plain_locator())
    MoneyLit(amount=Decimal('30000000'), currency='JPY')
    """
    try:
        _check_size(text, locate, budget)
        tree = _parser().parse(text)
    except _BadToken as bad:
        diagnostic = diagnostics.error(bad.code, bad.message, locate(bad.start, bad.end), bad.hint)
        raise diagnostics.CompileError([diagnostic]) from None
    except UnexpectedInput as exc:
        raise diagnostics.CompileError([_syntax_error(exc, text, locate)]) from None
    return _build(tree, locate)


# --- limits, checked before parsing ---------------------------------------------------------------

_BRACKETS: Final = re.compile(r'"(?:[^"\\\n]|\\.)*"' "|" r"'(?:[^'\\\n]|\\.)*'" "|" r"[()\[\]]")
"""A bracket, or a quoted text (skipped whole, so that the brackets inside it do not count)."""


def _too_large(message: str, span: Span, limit: limits.Limit) -> diagnostics.CompileError:
    hint = "split it into smaller expressions"
    if limit.overridable:
        hint += f", or raise the limit with the environment variable `{limit.variable}`"
    return diagnostics.CompileError([diagnostics.error("E124", f"expression too large: {message}", span, hint)])


def _check_size(text: str, locate: Locator, budget: TokenBudget | None) -> None:
    """Refuse an expression over the length, bracket-depth or token limits, in that order (cheapest first).

    Raises:
        diagnostics.CompileError: E124, at the place the text goes over the limit (once a file's budget is
            spent, its later expressions are refused with no diagnostic of their own).
    """
    if budget is not None and budget.spent:
        raise diagnostics.CompileError([])
    longest = limits.MAX_EXPRESSION_CHARS.value()
    if len(text) > longest:
        raise _too_large(f"{len(text):,} characters (more than {longest:,})", locate(0, 1),
                         limits.MAX_EXPRESSION_CHARS)
    depth = 0
    for match in _BRACKETS.finditer(text):
        if match[0] in "([":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_large(f"brackets nested more than {MAX_DEPTH} deep", locate(match.start(), match.end()),
                                 limits.MAX_DEPTH)
        elif match[0] in ")]":
            depth = max(0, depth - 1)
    _check_tokens(text, locate, budget)


def _check_tokens(text: str, locate: Locator, budget: TokenBudget | None) -> None:
    most = limits.MAX_EXPRESSION_TOKENS.value()
    count = 0
    try:
        for count, token in enumerate(_parser().lex(text), 1):
            if count > most:
                raise _too_large(f"more than {most:,} words, numbers and signs", locate(
                    token.start_pos or 0, token.end_pos or 0), limits.MAX_EXPRESSION_TOKENS)
    except (_BadToken, UnexpectedInput):
        pass  # the parse reports it, in reading order with any syntax error before it
    if budget is not None:
        budget.left -= count
        if budget.left < 0:
            budget.spent = True
            whole = limits.MAX_PROGRAM_TOKENS.value()
            raise _too_large(f"the expressions of this file have more than {whole:,} words, numbers and signs in "
                             "all", locate(0, 1), limits.MAX_PROGRAM_TOKENS)


# --- lark tree → AST ----------------------------------------------------------------------------


def _build(tree: Tree[Token], locate: Locator) -> ast.Expr:
    """Convert the parse tree bottom-up without recursion, so deep nesting cannot overflow."""
    built: dict[int, tuple[ast.Expr, int]] = {}
    for sub in tree.iter_subtrees():  # INVARIANT: children come before their parents
        values: list[ast.Expr] = []
        tokens: list[Token] = []
        depth = 0
        for child in sub.children:
            if isinstance(child, Tree):
                node, child_depth = built[id(child)]
                values.append(node)
                depth = max(depth, child_depth)
            elif child is not None:
                tokens.append(child)
        span = locate(sub.meta.start_pos, sub.meta.end_pos)
        if depth + 1 > MAX_DEPTH:
            raise _too_large(f"nested more than {MAX_DEPTH} levels deep", span, limits.MAX_DEPTH)
        if sub.data == "list" and len(values) > (most := limits.MAX_LIST_MEMBERS.value()):
            raise _too_large(f"a list of {len(values):,} members (more than {most:,})", span,
                             limits.MAX_LIST_MEMBERS)
        receiver = None
        if sub.data == "method":  # the receiver's span: from the first name to the last before the method
            receiver = locate(sub.meta.start_pos, tokens[-2].end_pos or sub.meta.end_pos)
        built[id(sub)] = (_node(str(sub.data), values, tokens, span, receiver), depth + 1)
    return built[id(tree)][0]


@dataclasses.dataclass(frozen=True, slots=True)
class _Named(ast.Expr):
    """A named argument while the call around it is built (never part of a finished tree)."""

    name: str
    value: ast.Expr


def _call(function: str, values: list[ast.Expr], receiver: tuple[ast.Expr, ...], span: Span,
          method: bool = False) -> ast.Call:
    """A call from its arguments: positional ones first, then named ones (E120 otherwise)."""
    args: list[ast.Expr] = list(receiver)
    keywords: list[str] = []
    for value in values:
        if isinstance(value, _Named):
            if value.name in keywords:
                raise diagnostics.CompileError([diagnostics.error(
                    "E120", f"argument `{value.name}` is given twice", value.span,
                    hint=f"give `{value.name}:` once")])
            keywords.append(value.name)
            args.append(value.value)
        elif keywords:
            raise diagnostics.CompileError([diagnostics.error(
                "E120", "an argument without a name follows a named one", value.span,
                hint="write the arguments without names first, e.g. `count(x, valid_on: as_of)`")])
        else:
            args.append(value)
    return ast.Call(function, tuple(args), tuple(keywords), method, span=span)


def _node(rule: str, values: list[ast.Expr], tokens: list[Token], span: Span,
          receiver_span: Span | None = None) -> ast.Expr:
    match rule:
        case "literal":
            return dataclasses.replace(_literal_node(str(tokens[0])), span=span)
        case "text":
            return ast.TextLit(_text_value(str(tokens[0])), span=span)
        case "true" | "false":
            return ast.BoolLit(rule == "true", span=span)
        case "name":
            return ast.Name(tuple(str(t) for t in tokens), span=span)
        case "call":
            return _call(str(tokens[0]), values, (), span)
        case "method":
            receiver = ast.Name(tuple(str(t) for t in tokens[:-1]), span=receiver_span)
            return _call(str(tokens[-1]), values, (receiver,), span, method=True)
        case "named":
            return _Named(str(tokens[0]), values[0], span=span)
        case "list":
            return ast.ListLit(tuple(values), span=span)
        case "neg":
            return ast.Unary("-", values[0], span=span)
        case "not_":
            return ast.Unary("not", values[0], span=span)
        case "binary":
            return ast.Binary(str(tokens[0]), values[0], values[1], span=span)
        case "compare":
            return ast.Comparison(str(tokens[0]), values[0], values[1], span=span)
        case "member" | "not_member":
            return ast.Membership(rule == "not_member", values[0], values[1], span=span)
        case "and_" | "or_":
            return ast.Logical(rule.rstrip("_"), values[0], values[1], span=span)
        case "conditional":
            return ast.Conditional(values[0], values[1], values[2], span=span)
    raise AssertionError(f"grammar rule {rule!r} has no AST node")
