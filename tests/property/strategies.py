"""Hypothesis strategies for the policy language: random expression trees.

The trees are well formed for the parser, not for the type checker: `exprs()` may add a date to a
text. That is what the round-trip and printer tests need; type-correct programs come from other
strategies.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import strategies as st

from policy_lang import ast

NAME_WORDS = ("a", "b", "x", "deal", "partner", "tier", "amount", "region_1", "_hidden", "gold", "q2")
"""Identifier parts; none of them is a keyword."""

FUNCTION_NAMES = (*ast.FUNCTIONS, "f", "unknown_fn")


def decimals(max_integer: int, max_places: int) -> st.SearchStrategy[Decimal]:
    """Non-negative decimals with at most ``max_places`` fraction digits."""
    return st.builds(lambda n, places: Decimal(n).scaleb(-places),
                     st.integers(0, max_integer), st.integers(0, max_places))


def moneys() -> st.SearchStrategy[ast.MoneyLit]:
    """Amounts as the language writes them: whole yen, cents for symbol currencies, any code suffixed."""
    yen = st.builds(ast.MoneyLit, st.integers(0, 10**13).map(Decimal), st.just("JPY"))
    cents = st.builds(ast.MoneyLit, st.integers(0, 10**11).map(lambda n: Decimal(n).scaleb(-2)),
                      st.sampled_from(("USD", "EUR", "GBP")))
    other = st.builds(ast.MoneyLit, decimals(10**9, 2), st.sampled_from(("CHF", "AUD", "XYZ")))
    return st.one_of(yen, cents, other)


def names() -> st.SearchStrategy[ast.Name]:
    """Dotted names of one to three parts."""
    return st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3).map(lambda p: ast.Name(tuple(p)))


def literals() -> st.SearchStrategy[ast.Expr]:
    """Every literal form, with values the parser can produce (never negative)."""
    return st.one_of(
        st.builds(ast.NumberLit, decimals(10**12, 4)),
        st.builds(ast.PercentLit, decimals(1000, 3)),
        moneys(),
        st.builds(ast.DateLit, st.dates(datetime.date(1900, 1, 1), datetime.date(2199, 12, 31))),
        st.builds(ast.DurationLit, st.integers(0, 10_000), st.sampled_from(ast.DURATION_UNITS)),
        st.builds(ast.BoolLit, st.booleans()),
        st.builds(ast.TextLit, st.text(max_size=12)),
    )


def _compound(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    few = st.lists(children, max_size=3).map(tuple)
    return st.one_of(
        st.builds(ast.Unary, st.sampled_from(("-", "not")), children),
        st.builds(ast.Binary, st.sampled_from(ast.ARITHMETIC), children, children),
        st.builds(ast.Comparison, st.sampled_from(ast.COMPARISONS), children, children),
        st.builds(ast.Logical, st.sampled_from(("and", "or")), children, children),
        st.builds(ast.Membership, st.booleans(), children, children),
        st.builds(ast.Conditional, children, children, children),
        st.builds(ast.Call, st.sampled_from(FUNCTION_NAMES), few),
        st.builds(ast.ListLit, few),
    )


def exprs(max_leaves: int = 12) -> st.SearchStrategy[ast.Expr]:
    """Random expression trees using every node kind of `ast`."""
    leaves = st.one_of(literals(), names(), st.just(ast.ListLit(())),
                       st.builds(ast.Call, st.sampled_from(FUNCTION_NAMES), st.just(())))
    return st.recursive(leaves, _compound, max_leaves=max_leaves)
