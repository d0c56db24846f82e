"""Conditions that can never hold, and tiers that a higher tier always takes first.

Conditions are analysed when they are conjunctions of comparisons between a field and a constant (and
yes/no fields); anything else is left alone rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from compiler.consts import const_value
from compiler.context import Context
from policy_lang import ast
from policy_lang import diagnostics as dg

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


@dataclass(frozen=True, slots=True)
class Interval:
    """A set of values of one field: lower and upper bounds, each inclusive or not (None: unbounded)."""

    lo: Decimal | None = None
    lo_closed: bool = True
    hi: Decimal | None = None
    hi_closed: bool = True

    def meet(self, other: Interval) -> Interval:
        lo, lo_closed = self.lo, self.lo_closed
        if other.lo is not None and (lo is None or other.lo > lo or (other.lo == lo and not other.lo_closed)):
            lo, lo_closed = other.lo, other.lo_closed
        hi, hi_closed = self.hi, self.hi_closed
        if other.hi is not None and (hi is None or other.hi < hi or (other.hi == hi and not other.hi_closed)):
            hi, hi_closed = other.hi, other.hi_closed
        return Interval(lo, lo_closed, hi, hi_closed)

    @property
    def empty(self) -> bool:
        if self.lo is None or self.hi is None:
            return False
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def within(self, other: Interval) -> bool:
        """Whether every value of self is also in other."""
        if other.lo is not None:
            if self.lo is None or self.lo < other.lo:
                return False
            if self.lo == other.lo and self.lo_closed and not other.lo_closed:
                return False
        if other.hi is not None:
            if self.hi is None or self.hi > other.hi:
                return False
            if self.hi == other.hi and self.hi_closed and not other.hi_closed:
                return False
        return True


Constraints = dict[str, Interval]


def constraints(expr: ast.Expr) -> Constraints | None:
    """The field intervals a conjunction requires, or None when the condition is not analysable."""
    match expr:
        case ast.BoolLit(value=True):
            return {}
        case ast.BoolLit(value=False):
            return {"": Interval(Decimal(1), True, Decimal(0), True)}
        case ast.Logical(op="and", left=left, right=right):
            a, b = constraints(left), constraints(right)
            if a is None or b is None:
                return None
            merged = dict(a)
            for name, interval in b.items():
                merged[name] = merged[name].meet(interval) if name in merged else interval
            return merged
        case ast.Name(parts=parts) if len(parts) > 1:
            return {".".join(parts): Interval(Decimal(1), True, Decimal(1), True)}
        case ast.Unary(op="not", operand=ast.Name(parts=parts)) if len(parts) > 1:
            return {".".join(parts): Interval(Decimal(0), True, Decimal(0), True)}
        case ast.Comparison(op=op, left=left, right=right):
            if isinstance(left, ast.Name) and len(left.parts) > 1 and (value := const_value(right)) is not None:
                return _compare(left.dotted, op, value)
            if isinstance(right, ast.Name) and len(right.parts) > 1 and (value := const_value(left)) is not None:
                return _compare(right.dotted, _FLIP[op], value)
    return None


def _compare(name: str, op: str, value: Decimal) -> Constraints | None:
    match op:
        case ">=":
            return {name: Interval(lo=value)}
        case ">":
            return {name: Interval(lo=value, lo_closed=False)}
        case "<=":
            return {name: Interval(hi=value)}
        case "<":
            return {name: Interval(hi=value, hi_closed=False)}
        case "==":
            return {name: Interval(value, True, value, True)}
    return None


def _impossible(c: Constraints) -> bool:
    return any(interval.empty for interval in c.values())


def _implies(lower: Constraints, higher: Constraints) -> bool:
    """Whether every partner meeting `lower` also meets `higher`."""
    return all(name in lower and lower[name].within(interval) for name, interval in higher.items())


def check_reachability(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield E360 for conditions that can never hold and E361 for tiers shadowed by a higher tier."""
    for body in ctx.all_bodies():
        for tier in body.tiers.levels if body.tiers else ():
            if tier.qualify is not None:
                yield from _never(tier.qualify, f"tier `{tier.id.name}`'s qualification")
        for bonus in body.bonuses or ():
            if bonus.when is not None:
                yield from _never(bonus.when, f"bonus `{bonus.id.name}`'s condition")
        for benefit in body.benefits or ():
            if benefit.when is not None:
                yield from _never(benefit.when, f"benefit `{benefit.id.name}`'s condition")
    for view in ctx.views:
        if view.body.tiers is not None:
            yield from _shadowed(view.body.tiers)


def _never(expr: ast.Expr, what: str) -> Iterator[dg.Diagnostic]:
    c = constraints(expr)
    if c is not None and _impossible(c):
        fields = [name for name, interval in c.items() if interval.empty and name]
        about = f"the conditions on `{fields[0]}`" if fields else "the conditions"
        yield dg.error("E360", f"{what} can never hold", expr.span,
                       hint=f"{about} contradict each other; check the bounds")


def _shadowed(tiers: ast.Tiers) -> Iterator[dg.Diagnostic]:
    analysed = [(tier, tier.qualify, constraints(tier.qualify)) for tier in tiers.levels if tier.qualify is not None]
    for index, (tier, qualify, mine) in enumerate(analysed):
        if mine is None or _impossible(mine):
            continue
        for higher, above, theirs in analysed[:index]:
            if theirs is not None and not _impossible(theirs) and _implies(mine, theirs):
                yield dg.error("E361", f"tier `{tier.id.name}` can never be assigned: every partner who qualifies "
                               f"also qualifies for the higher tier `{higher.id.name}`", qualify.span,
                               labels=[dg.Label(above.span, f"`{higher.id.name}` is checked first")]
                               if above.span else (),
                               hint="a tier everyone qualifies for (`qualify: true`) belongs at the end of the list"
                               if isinstance(above, ast.BoolLit) else
                               "tiers are listed best first; make the higher tier's qualification stricter")
                break
