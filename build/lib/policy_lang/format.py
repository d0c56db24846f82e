"""AST → canonical expression text, for guides, messages and round-trip tests.

The canonical form uses as few parentheses as the grammar allows, one space around binary
operators, and a fixed spelling for every literal:

- numbers without units, integers from 10_000 up grouped with `_`: ``1000``, ``30_000_000``, ``2.5``;
- percentages ``15%``; dates ``2026-04-01``; durations ``90d``; text in double quotes;
- money with `,` groups: ``¥1,000,000`` for JPY, ``$12.50`` / ``€12.50`` / ``£12.50`` (at least two
  decimals) for USD, EUR and GBP, and ``1,000 CHF`` for any other currency code.

``parse_expression(format_expr(e)) == e`` holds for every tree the parser can produce (literals are
never negative there: a minus sign is a ``Unary`` node).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from policy_lang import ast

# Binding strength, loosest first; an operand that binds more loosely than its place allows is
# put in parentheses. The numbers mirror the rule nesting in expr.lark.
_CONDITIONAL: Final = 1
_OR: Final = 2
_AND: Final = 3
_NOT: Final = 4
_COMPARISON: Final = 5
_SUM: Final = 6
_PRODUCT: Final = 7
_NEGATION: Final = 8
_ATOM: Final = 9

_SYMBOLS: Final = {"JPY": "¥", "USD": "$", "EUR": "€", "GBP": "£"}
_CENT_CURRENCIES: Final = frozenset({"USD", "EUR", "GBP"})
_ESCAPES: Final = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def format_expr(expr: ast.Expr) -> str:
    """The canonical text of an expression.

    >>> from decimal import Decimal
    >>> a, b, c = ast.Name(("a",)), ast.Name(("b",)), ast.Name(("c",))
    >>> format_expr(ast.Binary("-", a, ast.Binary("-", b, c)))
    'a - (b - c)'
    >>> format_expr(ast.MoneyLit(Decimal(1000000), "JPY"))
    '¥1,000,000'
    """
    return _format(expr)[0]


def _wrap(expr: ast.Expr, loosest: int) -> str:
    """The text of an operand whose place accepts nothing that binds more loosely than ``loosest``."""
    text, strength = _format(expr)
    return f"({text})" if strength < loosest else text


def _format(expr: ast.Expr) -> tuple[str, int]:
    """The text of an expression and how tightly it binds."""
    match expr:
        case ast.Unary(op="-", operand=operand):
            return "-" + _wrap(operand, _NEGATION), _NEGATION
        case ast.Unary(op="not", operand=operand):
            return "not " + _wrap(operand, _NOT), _NOT
        case ast.Binary(op=op, left=left, right=right):
            strength = _SUM if op in ("+", "-") else _PRODUCT
            # Left-associative: an operand of the same strength needs parentheses on the right only.
            return f"{_wrap(left, strength)} {op} {_wrap(right, strength + 1)}", strength
        case ast.Comparison(op=op, left=left, right=right):
            return f"{_wrap(left, _SUM)} {op} {_wrap(right, _SUM)}", _COMPARISON
        case ast.Membership(negated=negated, item=item, collection=collection):
            op = "not in" if negated else "in"
            return f"{_wrap(item, _SUM)} {op} {_wrap(collection, _SUM)}", _COMPARISON
        case ast.Logical(op=op, left=left, right=right):
            strength = _OR if op == "or" else _AND
            return f"{_wrap(left, strength)} {op} {_wrap(right, strength + 1)}", strength
        case ast.Conditional(condition=condition, then=then, otherwise=otherwise):
            # The grammar would accept a bare `if` as condition or then-branch; brackets read better.
            text = f"if {_wrap(condition, _OR)} then {_wrap(then, _OR)} else {_wrap(otherwise, _CONDITIONAL)}"
            return text, _CONDITIONAL
        case ast.Call(function=function, args=args, keywords=keywords, method=method):
            shown = [_wrap(a, _CONDITIONAL) for a in args]
            named = len(shown) - len(keywords)
            shown[named:] = [f"{word}: {text}" for word, text in zip(keywords, shown[named:], strict=True)]
            if method:
                return f"{_wrap(args[0], _ATOM)}.{function}({', '.join(shown[1:])})", _ATOM
            return f"{function}({', '.join(shown)})", _ATOM
        case ast.ListLit(items=items):
            return f"[{', '.join(_wrap(i, _CONDITIONAL) for i in items)}]", _ATOM
        case ast.Name(parts=parts):
            return ".".join(parts), _ATOM
    return _format_literal(expr), _ATOM


def _format_literal(expr: ast.Expr) -> str:
    match expr:
        case ast.NumberLit(value=value):
            return _number(value)
        case ast.PercentLit(value=value):
            return _number(value) + "%"
        case ast.MoneyLit(amount=amount, currency=currency):
            return _money(amount, currency)
        case ast.DateLit(value=value):
            return value.isoformat()
        case ast.DurationLit(amount=amount, unit=unit):
            return f"{amount}{unit}"
        case ast.BoolLit(value=value):
            return "true" if value else "false"
        case ast.TextLit(value=value):
            return '"' + "".join(_ESCAPES.get(char, char) for char in value) + '"'
    raise AssertionError(f"no canonical text for {expr!r}")


def _split(value: Decimal, min_places: int) -> tuple[str, str]:
    """The integer and fraction digits of a value, trailing zeros dropped down to ``min_places``."""
    if value.is_zero():
        value = abs(value)  # never print `-0`
    integer, _, fraction = format(value, "f").partition(".")
    fraction = fraction.rstrip("0")
    return integer, fraction.ljust(min_places, "0")


def _group(integer: str, separator: str) -> str:
    """Digits grouped in threes from the right: ``_group("1000000", ",") == "1,000,000"``."""
    sign, digits = ("-", integer[1:]) if integer.startswith("-") else ("", integer)
    head = len(digits) % 3 or 3
    return sign + separator.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


def _number(value: Decimal) -> str:
    integer, fraction = _split(value, 0)
    if len(integer.lstrip("-")) > 4:
        integer = _group(integer, "_")
    return integer + ("." + fraction if fraction else "")


def _money(amount: Decimal, currency: str) -> str:
    integer, fraction = _split(amount, 2 if currency in _CENT_CURRENCIES else 0)
    text = _group(integer, ",") + ("." + fraction if fraction else "")
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"
