"""Syntax errors of the expression parser: lark's exceptions as one diagnostic (E120, E121, E123), in
plain words, with advice for common mistakes."""

from __future__ import annotations

import dataclasses
import functools
from typing import Final

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from policy_lang import diagnostics
from policy_lang._grammar import _parser
from policy_lang._literals import _SYMBOL_CURRENCY, _show
from policy_lang.source import Locator

_TERMINAL_WORDS: Final = {
    "LITERAL": "a number", "STRING": "a text", "IDENT": "a name", "TRUE": "`true`", "FALSE": "`false`",
    "_IF": "`if`", "_THEN": "`then`", "_ELSE": "`else`", "_OR": "`or`", "_AND": "`and`", "_NOT": "`not`",
    "_IN": "`in`", "COMPARE_OP": "a comparison", "PLUS": "`+`", "MINUS": "`-`", "STAR": "`*`",
    "SLASH": "`/`", "_LPAR": "`(`", "_RPAR": "`)`", "_LSQB": "`[`", "_RSQB": "`]`", "_COMMA": "`,`",
    "_DOT": "`.`", "_COLON": "`:`", "$END": "the end of the expression",
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
    if len(rest) > 1:  # `:` after a name inside a call opens a named argument; rarely the news
        rest.discard("_COLON")
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
