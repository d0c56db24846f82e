"""Expression text → AST: the lark grammar in ``expr.lark``, literal decoding and syntax errors.

The parser is lark's LALR parser with a basic lexer, built once. Literals are lexed by one broad
terminal and decoded here, so a malformed number, amount or date gets a precise message (E122)
instead of a vague syntax error. Lark's exceptions never leave this module: every syntax error
becomes one ``Diagnostic`` inside a ``CompileError``.

A note on commas: a money literal with a currency marker may group digits with `,`, so
``min(¥1,000, x)`` is a call with two arguments but ``min(¥1,000,500)`` lexes as the single amount
¥1,000,500. A plain number never contains a comma: ``f(1,000)`` is a call with the arguments 1 and 0.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import functools
import re
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Final

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from policy_lang import ast, diagnostics
from policy_lang.source import Locator, Span

MAX_DEPTH: Final = 200
"""Deepest expression tree accepted; later stages walk trees recursively."""

MAX_DIGITS: Final = 30
"""Most digits in one number as written; far beyond any real amount, and it keeps numbers exact."""


def parse_expression(text: str, locate: Locator) -> ast.Expr:
    """Parse the text of one expression into an AST whose every node carries its span.

    Args:
        text: the expression as written, e.g. ``deal.amount >= ¥1,000,000 and partner.tier == gold``.
        locate: maps a character range of ``text`` to a span in the program file.

    Returns:
        The expression tree.

    Raises:
        diagnostics.CompileError: with exactly one diagnostic (E120–E123) when the text is not a
            well-formed expression.

    >>> from policy_lang.source import plain_locator
    >>> parse_expression("3000万円", plain_locator())
    MoneyLit(amount=Decimal('30000000'), currency='JPY')
    """
    try:
        tree = _parser().parse(text)
    except _BadToken as bad:
        diagnostic = diagnostics.error(bad.code, bad.message, locate(bad.start, bad.end), bad.hint)
        raise diagnostics.CompileError([diagnostic]) from None
    except UnexpectedInput as exc:
        raise diagnostics.CompileError([_syntax_error(exc, text, locate)]) from None
    return _build(tree, locate)


# --- the parser ---------------------------------------------------------------------------------


@functools.cache
def _parser() -> Lark:
    grammar = Path(__file__).with_name("expr.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="basic", propagate_positions=True,
                lexer_callbacks={"LITERAL": _check_literal, "STRING": _check_text})


class _Malformed(Exception):
    """A literal that lexed but is not valid; raised by the decoders below."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


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
    try:
        _text_value(str(token))
    except _Malformed as bad:
        raise _BadToken(token, "E122", bad) from None
    return token


# --- literals -----------------------------------------------------------------------------------

_UNIT_EXPONENT: Final = {"万": 4, "億": 8, "兆": 12}
_SYMBOL_CURRENCY: Final = {"¥": "JPY", "￥": "JPY", "$": "USD", "€": "EUR", "£": "GBP"}
_MONTHS: Final = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December")  # not calendar.month_name: that follows the locale
_DATE_RE: Final = re.compile(r"([0-9]+)-([0-9]+)-([0-9]+)")
_PREFIX_RE: Final = re.compile(r"([¥￥$€£])([0-9][0-9_,.万億兆]*)(.*)")
_SUFFIX_CODE_RE: Final = re.compile(r"([0-9][0-9_,.万億兆]*)[ \t]*([A-Z]{3})")
_SUFFIX_YEN_RE: Final = re.compile(r"([0-9][0-9_,.万億兆]*)円")
_NUMBER_RE: Final = re.compile(r"([0-9][0-9_.万億兆]*)(.*)")
_DIGITS_RE: Final = re.compile(r"[0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?")
_GROUPED_RE: Final = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_SUFFIX_HINT: Final = ("a number may be followed by `%`, a duration unit (`d`, `w`, `mo`, `y`), "
                       "万, 億 or 兆, `円` or a currency code such as `JPY`")


@functools.lru_cache(maxsize=1024)
def _literal_node(text: str) -> ast.Expr:
    """Decode one LITERAL token into a literal node without a span (shared, so cached)."""
    if match := _DATE_RE.fullmatch(text):
        return ast.DateLit(_date(text, *match.groups()))
    if match := _PREFIX_RE.fullmatch(text):
        symbol, body, rest = match.groups()
        what = f"amount {_show(text)}"
        if rest:
            raise _Malformed(f"malformed {what}: unexpected {_show(rest)} after the amount",
                             f"write the currency once, as in {_show(symbol + body)}")
        return ast.MoneyLit(_amount(body, what, commas=True), _SYMBOL_CURRENCY[symbol])
    if match := _SUFFIX_CODE_RE.fullmatch(text):
        return ast.MoneyLit(_amount(match[1], f"amount {_show(text)}", commas=True), match[2])
    if match := _SUFFIX_YEN_RE.fullmatch(text):
        return ast.MoneyLit(_amount(match[1], f"amount {_show(text)}", commas=True), "JPY")
    match = _NUMBER_RE.fullmatch(text)
    assert match is not None, f"the LITERAL terminal admitted {text!r}"
    body, suffix = match.groups()
    if not suffix:
        return ast.NumberLit(_amount(body, f"number {_show(text)}", commas=False))
    if suffix in ("%", "％"):
        if any(unit in body for unit in _UNIT_EXPONENT):
            raise _Malformed(f"malformed percentage {_show(text)}: a percentage cannot use 万, 億 or 兆")
        return ast.PercentLit(_amount(body, f"percentage {_show(text)}", commas=False))
    if suffix in ast.DURATION_UNITS:
        if not _DIGITS_RE.fullmatch(body) or "." in body or len(body) > MAX_DIGITS:
            raise _Malformed(f"malformed duration {_show(text)}: a duration is a whole number of days, weeks, "
                             "months or years", "for example `90d`, `2w`, `6mo` or `1y`")
        return ast.DurationLit(int(body.replace("_", "")), suffix)
    raise _Malformed(f"malformed number {_show(text)}: unknown unit {_show(suffix)}", _suffix_hint(suffix))


def _suffix_hint(suffix: str) -> str:
    if suffix == "m":
        return "write `mo` for months"
    if len(suffix) == 3 and suffix.isalpha() and not suffix.isupper():
        return f"currency codes are written in capitals, as in `{suffix.upper()}`"
    return _SUFFIX_HINT


def _date(text: str, year: str, month: str, day: str) -> datetime.date:
    if len(year) != 4 or len(month) != 2 or len(day) != 2:
        raise _Malformed(f"malformed date {_show(text)}: write dates as YYYY-MM-DD",
                         "for example `2026-04-01`; to subtract numbers, put spaces around `-`")
    y, m, d = int(year), int(month), int(day)
    if y < 1:
        raise _Malformed(f"invalid date {_show(text)}: there is no year 0")
    if not 1 <= m <= 12:
        raise _Malformed(f"invalid date {_show(text)}: there is no month {m}")
    last = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last:
        raise _Malformed(f"invalid date {_show(text)}: {_MONTHS[m - 1]} {y} has {last} days")
    return datetime.date(y, m, d)


def _amount(body: str, what: str, *, commas: bool) -> Decimal:
    """The value of a number body such as ``1_000``, ``1,000.50``, ``1.5億`` or ``1億5,000万``."""
    parts = re.split("([万億兆])", body)
    coefficients, units = parts[0::2], parts[1::2]
    if not units:
        return _digits(body, what, commas=commas)
    exponents = [_UNIT_EXPONENT[unit] for unit in units]
    if any(a <= b for a, b in zip(exponents, exponents[1:], strict=False)):
        raise _Malformed(f"malformed {what}: write 兆, 億 and 万 from largest to smallest, each once")
    *leading, trailing = coefficients
    if (len(units) > 1 or trailing) and "." in body:
        raise _Malformed(f"malformed {what}: only a single unit may have a fraction, as in `1.5億`")
    # Enough precision that no digit of the literal is ever rounded away.
    with localcontext() as context:
        context.prec = max(28, 2 * len(body) + 16)
        total = Decimal(0)
        bound: int | None = None
        for coefficient, unit, exponent in zip(leading, units, exponents, strict=True):
            value = _digits(coefficient, what, commas=commas)
            if bound is not None and value >= 10 ** (bound - exponent):
                raise _Malformed(f"malformed {what}: {_show(coefficient + unit)} is too large to follow "
                                 f"a larger unit", "for example `1億5000万`")
            total += value.scaleb(exponent)
            bound = exponent
        if trailing:
            value = _digits(trailing, what, commas=commas)
            if value >= 10 ** exponents[-1]:
                raise _Malformed(f"malformed {what}: {_show(trailing)} after `{units[-1]}` is too large",
                                 "for example `1万5000`")
            total += value
        return Decimal(int(total)) if total == total.to_integral_value() else total


def _digits(text: str, what: str, *, commas: bool) -> Decimal:
    if not text:
        raise _Malformed(f"malformed {what}: 万, 億 and 兆 must follow a number")
    if sum(char.isdigit() for char in text) > MAX_DIGITS:
        raise _Malformed(f"malformed {what}: a number has at most {MAX_DIGITS} digits")
    if "," in text:
        assert commas, "the LITERAL terminal only admits `,` in money"
        if "_" in text:
            raise _Malformed(f"malformed {what}: group digits with `,` or `_`, not both")
        if not _GROUPED_RE.fullmatch(text):
            raise _Malformed(f"malformed {what}: digit groups after a `,` must have three digits",
                             "group digits in threes, as in `¥1,000,000`; to separate values in a list "
                             "or call, put a space after the `,`")
        return Decimal(text.replace(",", ""))
    if not _DIGITS_RE.fullmatch(text):
        raise _Malformed(f"malformed {what}: `_` may only stand between two digits",
                         "for example `1_000_000`")
    return Decimal(text.replace("_", ""))


_ESCAPES: Final = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t"}
_ESCAPE_RE: Final = re.compile(r"\\(.)", re.DOTALL)


def _text_value(token: str) -> str:
    """The value of a quoted text token, escapes resolved."""

    def unescape(match: re.Match[str]) -> str:
        char = match[1]
        if char not in _ESCAPES:
            escape = _show("\\" + char)
            raise _Malformed(f"unknown escape {escape} in text",
                             "the escapes are `\\\"`, `\\'`, `\\\\`, `\\n` and `\\t`")
        return _ESCAPES[char]

    return _ESCAPE_RE.sub(unescape, token[1:-1])


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
            diagnostic = diagnostics.error("E120", f"expression is nested too deeply (more than {MAX_DEPTH} "
                                           "levels)", span, "split it into smaller expressions")
            raise diagnostics.CompileError([diagnostic])
        built[id(sub)] = (_node(str(sub.data), values, tokens, span), depth + 1)
    return built[id(tree)][0]


def _node(rule: str, values: list[ast.Expr], tokens: list[Token], span: Span) -> ast.Expr:
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
            return ast.Call(str(tokens[0]), tuple(values), span=span)
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


# --- syntax errors ------------------------------------------------------------------------------

_TERMINAL_WORDS: Final = {
    "LITERAL": "a number", "STRING": "a text", "IDENT": "a name", "TRUE": "`true`", "FALSE": "`false`",
    "_IF": "`if`", "_THEN": "`then`", "_ELSE": "`else`", "_OR": "`or`", "_AND": "`and`", "_NOT": "`not`",
    "_IN": "`in`", "COMPARE_OP": "a comparison", "PLUS": "`+`", "MINUS": "`-`", "STAR": "`*`",
    "SLASH": "`/`", "_LPAR": "`(`", "_RPAR": "`)`", "_LSQB": "`[`", "_RSQB": "`]`", "_COMMA": "`,`",
    "_DOT": "`.`", "$END": "the end of the expression",
}
_VALUE_START: Final = frozenset({"LITERAL", "STRING", "IDENT", "TRUE", "FALSE", "_LPAR", "_LSQB", "MINUS",
                                 "_NOT", "_IF"})
_OPERATORS: Final = frozenset({"PLUS", "MINUS", "STAR", "SLASH", "COMPARE_OP", "_IN", "_NOT", "_AND", "_OR",
                               "_DOT", "_LPAR"})
_CLOSERS: Final = ("_THEN", "_ELSE", "_COMMA", "_RPAR", "_RSQB", "$END")


@dataclasses.dataclass(frozen=True, slots=True)
class _Mistake:
    """A common mistake: what to say instead of the generic message, and what to advise."""

    hint: str
    message: str | None = None


_CHAINED: Final = _Mistake("combine comparisons with `and`, as in `a < b and b < c`",
                           "comparisons cannot be chained")
_NO_ELSE: Final = _Mistake("an `if` needs an `else`, as in `if a then b else c`")

# Labelled bad examples. lark's `match_examples` compares whole parser states, stack depth
# included, so it would miss `x and a < b < c`; we key the examples by LALR state number instead.
_EXAMPLES: Final = (
    (_CHAINED, ("a < b < c", "a in b < c", "a not in b < c")),
    (_NO_ELSE, ("if a then b",)),
)

# Mistakes the lexer meets: a character sequence that is no token, and what to write instead.
_CHARACTER_MISTAKES: Final = (
    ("&&", "write `and` to require both conditions"),
    ("||", "write `or` to accept either condition"),
    ("=>", "write `>=` for greater than or equal"),
    ("=<", "write `<=` for less than or equal"),
    ("=", "use `==` to compare"),
    ("&", "write `and` to require both conditions"),
    ("|", "write `or` to accept either condition"),
    ("!", "write `not` to negate a condition"),
    ("%", "write a percentage right after its number, as in `15%`"),
    ("％", "write a percentage right after its number, as in `15%`"),
)


@functools.cache
def _mistake_states() -> dict[int, _Mistake]:
    table: dict[int, _Mistake] = {}
    for mistake, examples in _EXAMPLES:
        for example in examples:
            try:
                _parser().parse(example)
            except UnexpectedInput as exc:
                table.setdefault(exc.state.position, mistake)
            else:
                raise AssertionError(f"bad example {example!r} parses")
    return table


def _syntax_error(exc: UnexpectedInput, text: str, locate: Locator) -> diagnostics.Diagnostic:
    if isinstance(exc, UnexpectedCharacters):
        return _character_error(text, exc.pos_in_stream or 0, locate)
    # lark's LALR parser reports a premature end as an UnexpectedToken of type $END (the
    # UnexpectedEOF of its other parsers is handled alike, though without expected terminals).
    accepts = set(exc.accepts or exc.expected) if isinstance(exc, UnexpectedToken) else set()
    mistake = _mistake_states().get(getattr(exc.state, "position", -1))
    hint = mistake.hint if mistake else None
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        token = exc.token
        start = token.start_pos or 0
        message = f"unexpected {_show(str(token))}" + _expected(accepts, ended=False)
        if mistake is not None and mistake.message is not None:
            message = mistake.message
        return diagnostics.error("E120", message, locate(start, token.end_pos or start), hint)
    end = len(text.rstrip())
    if not text.strip():
        return diagnostics.error("E121", "expression is empty", locate(end, end),
                                 hint="write a value or a formula, e.g. `15%` or `¥1,000,000`, or remove the key")
    message = "expression ends too early" + _expected(accepts, ended=True)
    opened = _unclosed_bracket(text)
    labels = [diagnostics.Label(locate(opened, opened + 1), f"`{text[opened]}` opened here")] \
        if opened is not None else []
    return diagnostics.error("E121", message, locate(end, end), hint, labels=labels)


def _unclosed_bracket(text: str) -> int | None:
    """The offset of the last `(` or `[` that is never closed (quoted text is skipped)."""
    stack: list[int] = []
    quote: str | None = None
    escaped = False
    for i, ch in enumerate(text):
        if quote is not None:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            stack.append(i)
        elif ch in ")]" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _expected(accepts: set[str], *, ended: bool) -> str:
    """Expected terminals in plain words: ": expected a value or `)`"; empty if nothing is known."""
    if not accepts:
        return ""
    rest = set(accepts)
    words: list[str] = []
    if "LITERAL" in rest:
        words.append("a value")
        rest -= _VALUE_START
    elif rest & {"PLUS", "STAR", "SLASH", "COMPARE_OP", "_AND", "_OR"}:
        # When the text simply stopped, the missing closer is the useful news, not "an operator".
        if not (ended and rest & set(_CLOSERS[:-1])):
            words.append("an operator")
        rest -= _OPERATORS
    words += [_TERMINAL_WORDS[name] for name in _CLOSERS if name in rest]
    words += sorted(_TERMINAL_WORDS.get(name, "something else") for name in rest - set(_CLOSERS))
    return ": expected " + (words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1])


def _show(text: str) -> str:
    """User text for a one-line message: in backticks, shortened, control characters spelled out."""
    text = text if len(text) <= 30 else text[:29] + "…"
    return "`" + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text) + "`"


def _character_error(text: str, pos: int, locate: Locator) -> diagnostics.Diagnostic:
    char = text[pos]
    if char in "\"'":
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        return diagnostics.error("E123", f"unterminated text: missing the closing `{char}`", locate(pos, end),
                                 "a text must end on the line where it starts")
    if char in _SYMBOL_CURRENCY:
        hint = f"write the amount right after the symbol: `{char}1,000`"
        return diagnostics.error("E122", f"malformed amount: expected digits right after `{char}`",
                                 locate(pos, pos + 1), hint)
    for sequence, hint in _CHARACTER_MISTAKES:
        if text.startswith(sequence, pos):
            span = locate(pos, pos + len(sequence))
            return diagnostics.error("E120", f"unexpected `{sequence}`", span, hint)
    other: str | None = None
    if char.isdigit():
        other = "write numbers with the digits 0-9"
    elif char.isalpha():
        other = "names are written with the letters a-z and A-Z, digits and `_`"
    shown = f"`{char}`" if char.isprintable() and not char.isspace() and char != "`" else f"U+{ord(char):04X}"
    return diagnostics.error("E120", f"unexpected character {shown}", locate(pos, pos + 1), other)
