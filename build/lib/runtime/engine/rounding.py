"""Rounding to a multiple of a unit: one table of rules, one rule per mode, read by every engine.

Every mode rounds alike. Let n be the exact value in the unit's terms: for a ratio
`numerator / denominator` rounded to `unit`, n is the numerator and the step is `denominator × unit`
(for a plain value, the step is the unit). Floor-divide: `q, r = divmod(n, step)` with `0 <= r < step`,
so `q × step` is the multiple at or below n. The result is `(q + bump) × unit`, where bump is 1 when
the mode's condition holds and 0 otherwise.

`ROUNDING_RULES` states each mode's condition once, as a small tree (`AllOf`, `AnyOf`, `NEVER`) over
named facts about n, q and r (`Fact`). The engines interpret the tree, each in one place:

- Python on numbers: `round_number` and `ratio_rounder` (the condition compiled once per mode), behind
  `runtime.engine.operators.round_to`, `runtime.money.round_line` and
  `runtime.decisions._rounding.round_ratio`;
- Python syntax trees: `plan_statements`, for the generated quote plans;
- SQL: `runtime.sql._rounding.round_ratio`, with sqlglot.

Every condition is false when r is 0: an exact multiple is left as it is (`holds_at_multiple` checks it).
"""

from __future__ import annotations

import ast
import enum
import functools
import linecache
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, TypeVar, assert_never

T = TypeVar("T")
Number = int | Fraction


class Fact(enum.Enum):
    """A fact about `q, r = divmod(n, step)` (step > 0, 0 <= r < step) that a mode's condition may ask.

    `R_NONZERO`: n is not a multiple of the step. `N_NEGATIVE`, `N_POSITIVE`: n's sign. `TWICE_R_ABOVE_STEP`:
    n is nearer the multiple above than the one below. `TWICE_R_IS_STEP`: n is halfway between the two.
    `Q_ODD`: the multiple below is an odd multiple of the unit. Each value is the fact as a formula.
    """

    R_NONZERO = "r ≠ 0"
    N_NEGATIVE = "n < 0"
    N_POSITIVE = "n > 0"
    TWICE_R_ABOVE_STEP = "2r > step"
    TWICE_R_IS_STEP = "2r = step"
    Q_ODD = "q is odd"


@dataclass(frozen=True, slots=True)
class AllOf:
    """Holds when every part holds (and when there is none)."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Holds when some part holds (never, when there is none)."""

    parts: tuple[Condition, ...]


Condition = Fact | AllOf | AnyOf
"""When a mode adds one unit to the multiple at or below n."""

NEVER: Final[Condition] = AnyOf(())


@dataclass(frozen=True, slots=True)
class Rule:
    """A rounding mode: what it does in words, and when it adds one unit to the multiple at or below n."""

    mode: str
    rounds: str
    bump: Condition


def _half(tie: Fact) -> Condition:
    """To the nearest multiple; a tie (2r = step) goes up when `tie` holds."""
    return AnyOf((Fact.TWICE_R_ABOVE_STEP, AllOf((Fact.TWICE_R_IS_STEP, tie))))


ROUNDING_RULES: Final[dict[str, Rule]] = {rule.mode: rule for rule in (
    # Toward zero: a positive n keeps the multiple below; a negative one goes up to the one above.
    Rule("down", "toward zero", AllOf((Fact.R_NONZERO, Fact.N_NEGATIVE))),
    # Away from zero: the mirror of `down`.
    Rule("up", "away from zero", AllOf((Fact.R_NONZERO, Fact.N_POSITIVE))),
    # Half away from zero: a tie goes up above zero and stays at the multiple below (further from zero) under it.
    Rule("half_up", "to the nearest unit; a half away from zero", _half(Fact.N_POSITIVE)),
    # Half to even (banker's rounding): a tie goes to the even multiple of the unit, whatever n's sign.
    Rule("half_even", "to the nearest unit; a half to the even unit (banker's rounding)",
         _half(Fact.Q_ODD)),
    # Toward −∞ (`floor`): always the multiple below.
    Rule("floor", "toward −∞", NEVER),
    # Toward +∞ (`ceil`): the multiple above, unless n is one.
    Rule("ceiling", "toward +∞", Fact.R_NONZERO),
)}
"""The rounding rules by mode, to the unit 1 in the examples:

- `down` (切り捨て): toward zero. 4.6 → 4, −4.6 → −4.
- `up` (切り上げ): away from zero. 4.4 → 5, −4.4 → −5.
- `half_up` (四捨五入): to the nearest; a half away from zero. 4.5 → 5, −4.5 → −5, −4.4 → −4.
- `half_even` (偶数丸め, banker's rounding): to the nearest; a half to the even multiple of the unit.
  4.5 → 4, 5.5 → 6, −4.5 → −4, −5.5 → −6.
- `floor`: toward −∞. −4.4 → −5.
- `ceiling`: toward +∞. −4.6 → −4.

A program chooses one of the first four for its amounts, each symmetric about zero (−x rounds to minus
what x rounds to); the functions `floor` and `ceil` use the last two.
"""

ROUNDING_MODES: Final = frozenset(ROUNDING_RULES)
"""The names of the rounding modes: the keys of `ROUNDING_RULES`."""


def rule_for(mode: str) -> Rule:
    """The rule of `mode`.

    Raises:
        ValueError: `mode` is not a rounding mode.
    """
    try:
        return ROUNDING_RULES[mode]
    except KeyError:
        raise ValueError(f"unknown rounding mode {mode!r}") from None


def fold(condition: Condition, fact: Callable[[Fact], T], all_of: Callable[[Sequence[T]], T],
         any_of: Callable[[Sequence[T]], T]) -> T:
    """A condition in another language: `fact` translates each fact, `all_of` and `any_of` join parts.

    The one walk of a condition tree; each engine gives the meaning of its leaves and joins.
    """
    match condition:
        case Fact():
            return fact(condition)
        case AllOf(parts=parts):
            return all_of([fold(part, fact, all_of, any_of) for part in parts])
        case AnyOf(parts=parts):
            return any_of([fold(part, fact, all_of, any_of) for part in parts])
    assert_never(condition)


def holds(condition: Condition, facts: Callable[[Fact], bool]) -> bool:
    """Whether `condition` holds where each fact is as `facts` says: the reference reading of the table.

    >>> holds(ROUNDING_RULES["half_up"].bump, lambda fact: fact in (Fact.TWICE_R_IS_STEP, Fact.N_POSITIVE))
    True
    """
    return fold(condition, facts, all, any)


def holds_at_multiple(condition: Condition) -> bool:
    """Whether `condition` can hold when r is 0 (for no rule may it: a multiple is already rounded)."""
    return any(holds(condition, _facts_at(_Place.MULTIPLE, positive, odd))
               for positive in (False, True) for odd in (False, True))


def round_number(value: Number, unit: Number, mode: str) -> Number:
    """`value` rounded to a multiple of `unit` (> 0) in `mode`, exactly; an `int` when the result is integral.

    >>> round_number(1250, 100, "half_even"), round_number(-1250, 100, "half_up")
    (1200, -1300)
    >>> round_number(Fraction(-7, 2), 1, "up"), round_number(Fraction(7, 4), Fraction(1, 2), "ceiling")
    (-4, 2)
    """
    result = ratio_rounder(mode)(value, 1, unit)
    if type(result) is Fraction and result.denominator == 1:
        return result.numerator
    return result


# --- Python: syntax trees -------------------------------------------------------------------------


def _int(value: int) -> ast.expr:
    return ast.Constant(value)


def _compare(left: ast.expr, op: ast.cmpop, right: ast.expr) -> ast.expr:
    return ast.Compare(left=left, ops=[op], comparators=[right])


def _twice(value: ast.expr) -> ast.expr:
    return ast.BinOp(left=_int(2), op=ast.Mult(), right=value)


def _fact_expr(fact: Fact, n: ast.expr, q: ast.expr, r: ast.expr, step: ast.expr) -> ast.expr:
    """A fact as a Python expression over the expressions of n, q, r and the step."""
    match fact:
        case Fact.R_NONZERO:
            return _compare(r, ast.NotEq(), _int(0))
        case Fact.N_NEGATIVE:
            return _compare(n, ast.Lt(), _int(0))
        case Fact.N_POSITIVE:
            return _compare(n, ast.Gt(), _int(0))
        case Fact.TWICE_R_ABOVE_STEP:
            return _compare(_twice(r), ast.Gt(), step)
        case Fact.TWICE_R_IS_STEP:
            return _compare(_twice(r), ast.Eq(), step)
        case Fact.Q_ODD:
            return _compare(ast.BinOp(left=q, op=ast.Mod(), right=_int(2)), ast.Eq(), _int(1))
    assert_never(fact)


def _joined(op: ast.boolop, empty: bool) -> Callable[[Sequence[ast.expr]], ast.expr]:
    def join(parts: Sequence[ast.expr]) -> ast.expr:
        if len(parts) < 2:
            return parts[0] if parts else ast.Constant(empty)
        return ast.BoolOp(op=op, values=list(parts))

    return join


def condition_expr(condition: Condition, n: ast.expr, q: ast.expr, r: ast.expr, step: ast.expr) -> ast.expr:
    """`condition` as a Python expression over the expressions of n, q, r and the step.

    >>> names = [ast.Name(name) for name in ("n", "q", "r", "step")]
    >>> ast.unparse(condition_expr(ROUNDING_RULES["half_even"].bump, *names))
    '2 * r > step or (2 * r == step and q % 2 == 1)'
    """
    return fold(condition, lambda fact: _fact_expr(fact, n, q, r, step),
                _joined(ast.And(), True), _joined(ast.Or(), False))


def _load(name: str) -> ast.expr:
    return ast.Name(id=name, ctx=ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def _divmod_statements(rule: Rule, numerator: ast.expr, step: ast.expr) -> list[ast.stmt]:
    """`quotient_, remainder_ = divmod(n, step)`, then one more in `quotient_` when the rule says so."""
    quotient, remainder = "quotient_", "remainder_"
    split = ast.Assign(targets=[ast.Tuple(elts=[_store(quotient), _store(remainder)], ctx=ast.Store())],
                       value=ast.Call(func=_load("divmod"), args=[numerator, step], keywords=[]))
    bump = condition_expr(rule.bump, numerator, _load(quotient), _load(remainder), step)
    statements: list[ast.stmt] = [split]
    if not (isinstance(bump, ast.Constant) and bump.value is False):
        statements.append(ast.If(test=bump, body=[ast.AugAssign(target=_store(quotient), op=ast.Add(),
                                                                value=_int(1))], orelse=[]))
    return statements


class _Place(enum.IntEnum):
    """Where n lies from the multiple of the step at or below it: the remainder's place (in order)."""

    MULTIPLE = 0  # r = 0
    BELOW_HALF = 1  # 0 < 2r < step
    HALF = 2  # 2r = step
    ABOVE_HALF = 3  # 2r > step
    NOWHERE = 4  # past every place: used as the threshold of a rule that never adds a unit


def _facts_at(place: _Place, positive: bool, odd: bool) -> Callable[[Fact], bool]:
    """The facts where n lies at `place`, is above zero (or below it) and q is odd (or even)."""
    def fact(name: Fact) -> bool:
        match name:
            case Fact.R_NONZERO:
                return place != _Place.MULTIPLE
            case Fact.N_NEGATIVE:
                return not positive
            case Fact.N_POSITIVE:
                return positive
            case Fact.TWICE_R_ABOVE_STEP:
                return place == _Place.ABOVE_HALF
            case Fact.TWICE_R_IS_STEP:
                return place == _Place.HALF
            case Fact.Q_ODD:
                return odd
        assert_never(name)

    return fact


def _threshold(condition: Condition, positive: bool) -> _Place | None:
    """For n of one sign, the first place at which `condition` adds a unit, when it adds one at every later
    place too and whatever q is (`NOWHERE`: it never does); None when the condition is not such a threshold.

    A value of 0 may count as positive: it is a multiple, and no rule adds a unit at a multiple.
    """
    bumps = []
    for place in list(_Place)[:_Place.NOWHERE]:
        by_parity = {holds(condition, _facts_at(place, positive, odd)) for odd in (False, True)}
        if len(by_parity) != 1:
            return None  # it asks about q
        bumps.append(by_parity.pop())
    first = bumps.index(True) if True in bumps else _Place.NOWHERE
    if first == _Place.MULTIPLE or not all(bumps[first:]):
        return None
    return _Place(first)


def _term(value: int | str) -> ast.expr:
    """A constant, or the local of that name."""
    return _int(value) if isinstance(value, int) else _load(value)


def _closed_form(start: _Place, n: ast.expr, step: int | str) -> ast.expr:
    """`q + (1 if n's place is at or after start else 0)` in one floor division, with q = n // step.

    Each form is that sum: `-(-n // step)` is ⌈n / step⌉, q + [r > 0]; `(2n + step) // 2step` is
    q + ⌊(2r + step) / 2step⌋, q + [2r ≥ step]; `-((−2n + step) // 2step)` is q + ⌈(2r − step) / 2step⌉,
    q + [2r > step], since (2r − step) / 2step lies in [−½, ½).
    """
    def floor_div(left: ast.expr, right: ast.expr) -> ast.expr:
        return ast.BinOp(left=left, op=ast.FloorDiv(), right=right)

    def minus(value: ast.expr) -> ast.expr:
        return ast.UnaryOp(op=ast.USub(), operand=value)

    def plus_step(value: ast.expr) -> ast.expr:
        return ast.BinOp(left=value, op=ast.Add(), right=_term(step))

    twice_step = _int(2 * step) if isinstance(step, int) else _twice(_load(step))
    match start:
        case _Place.NOWHERE:
            return floor_div(n, _term(step))
        case _Place.BELOW_HALF:
            return minus(floor_div(minus(n), _term(step)))
        case _Place.HALF:
            return floor_div(plus_step(_twice(n)), twice_step)
        case _Place.ABOVE_HALF:
            return minus(floor_div(plus_step(ast.BinOp(left=_int(-2), op=ast.Mult(), right=n)), twice_step))
        case _Place.MULTIPLE:
            raise AssertionError("no rule adds a unit at a multiple")
    assert_never(start)


def _statements(rule: Rule, target: str, numerator: ast.expr, step: int | str, unit: int | str) -> list[ast.stmt]:
    """`plan_statements`, where the step and the unit may also be locals (by name)."""
    # INVARIANT: no rule adds a unit at a multiple (`holds_at_multiple`; a test checks every rule), and with a
    # step of 1 every n is a multiple.
    if step == 1:
        return [ast.Assign(targets=[_store(target)], value=numerator, lineno=0)]
    from_above, from_below = _threshold(rule.bump, True), _threshold(rule.bump, False)
    value: ast.expr
    if from_above is not None and from_below is not None:
        above, below = _closed_form(from_above, numerator, step), _closed_form(from_below, numerator, step)
        value = above if from_above == from_below else \
            ast.IfExp(test=_compare(numerator, ast.GtE(), _int(0)), body=above, orelse=below)
        statements: list[ast.stmt] = []
    else:
        statements = _divmod_statements(rule, numerator, _term(step))
        value = _load("quotient_")
    if unit != 1:
        value = ast.BinOp(left=value, op=ast.Mult(), right=_term(unit))
    statements.append(ast.Assign(targets=[_store(target)], value=value, lineno=0))
    return [ast.fix_missing_locations(statement) for statement in statements]


def plan_statements(mode: str, target: str, numerator: ast.expr, step: int, unit: int) -> list[ast.stmt]:
    """Statements that set the local `target` to `numerator / (step / unit)` rounded to a multiple of `unit`
    in `mode`: the rounding of a quote plan's line, as the rule of `mode` says.

    Args:
        mode: one of `ROUNDING_MODES`.
        target: the name to assign.
        numerator: the exact value times `step / unit`: an int expression, evaluated more than once.
        step: the denominator times the unit (more than zero): n is rounded to a multiple of it.
        unit: the rounding unit (more than zero); the multiple of the step, divided by it, times the unit.

    Returns:
        The fastest statements the rule allows: with a step of 1, the numerator itself (every n is a
        multiple); when for each sign of n the rule adds a unit from one place of the remainder on whatever
        q is (the directed modes, and `half_up`), one floor division per sign; otherwise `divmod` into
        `quotient_` and `remainder_` and the rule's condition.

    Raises:
        ValueError: `mode` is not a rounding mode.

    >>> [ast.unparse(s) for s in plan_statements("down", "amount", ast.Name("n"), 20, 1)]
    ['amount = n // 20 if n >= 0 else -(-n // 20)']
    """
    return _statements(rule_for(mode), target, numerator, step, unit)


# --- Python: numbers ------------------------------------------------------------------------------


def _rounder_source(mode: str) -> ast.Module:
    """`def round_<mode>(numerator, denominator, unit)`: the ratio rounded in `mode`, for numbers."""
    step = ast.BinOp(left=_load("denominator"), op=ast.Mult(), right=_load("unit"))
    body: list[ast.stmt] = [ast.Assign(targets=[_store("step")], value=step, lineno=0)]
    body += _statements(rule_for(mode), "rounded", _load("numerator"), "step", "unit")
    body.append(ast.Return(value=_load("rounded")))
    arguments = ast.arguments(posonlyargs=[], args=[ast.arg(arg=name) for name in ("numerator", "denominator", "unit")],
                              kwonlyargs=[], kw_defaults=[], defaults=[])
    function = ast.FunctionDef(name=f"round_{mode}", args=arguments, body=body, decorator_list=[], returns=None,
                               lineno=0)
    return ast.fix_missing_locations(ast.Module(body=[function], type_ignores=[]))


@functools.cache
def ratio_rounder(mode: str) -> Callable[[Number, Number, Number], Number]:
    """The function `(numerator, denominator, unit) → numerator / denominator` rounded to a multiple of `unit`
    in `mode` (denominator and unit more than zero), for ints and Fractions alike: `plan_statements`, compiled
    once per mode.

    Raises:
        ValueError: `mode` is not a rounding mode.
    """
    module = _rounder_source(mode)
    filename = f"<rounding {mode}>"
    text = ast.unparse(module) + "\n"
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    scope: dict[str, object] = {}
    exec(compile(module, filename, "exec"), {"__builtins__": {"divmod": divmod}}, scope)
    rounder: Callable[[Number, Number, Number], Number] = scope[f"round_{mode}"]  # type: ignore[assignment]
    return rounder
