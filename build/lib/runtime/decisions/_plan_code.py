"""The machinery of a quote plan's code: statics, slots, inline rounding, the two variants, compiling.

`PlanCode` knows how a plan's generated function is put together, not what a quote computes
(that is `runtime.decisions._fast`). The function is built as Python syntax trees (`ast`), never as
edited text:

- every program value becomes a static `static_N` (a parameter of the generated `make`, never code);
- a slot that depends on no transaction field is a static, any other a local computed by statements
  `codegen.inline_entry` generates (as syntax trees), reading the `Transaction` and `Partner` objects;
- each statement carries the variant it belongs to: both, the figures alone (`plain`) or the
  explained quote (`explain`); `if` blocks nest statements of either;
- the generated functions are kept per runtime by what their statements are (the texts of their
  templates, with the statics they name): nodes come from a parse cache and are never mutated;
- a variant compiled for the first time is unparsed (`ast.unparse`) into the text tracebacks show
  (registered with `linecache`), and compiled from the syntax tree of that text, so every line a
  traceback names is the line it shows.

Statements are written as short templates of the generator's own names (`list_amount`, `static_3`, …),
parsed by `ast.parse`; program values never reach them.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import linecache
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from runtime import ir
from runtime.decisions._plans import NoPlan, Plan
from runtime.decisions._pricing import PriceRejected, _fraction, checked_rate, price_floor
from runtime.decisions._quoting import catalog_message, late_violations
from runtime.decisions._rounding import round_amount, round_ratio, round_times
from runtime.decisions._slots import PartnerSlots
from runtime.engine import compile_entry, rounding
from runtime.engine import operators as ops
from runtime.engine.codegen import inline_entry
from runtime.loaded import CONSTANT, PARTNER, LoadedVersion, transaction_slots
from runtime.model import Figure, Line, Partner, Quote, QuoteFigures, Share, Violation, Volumes
from runtime.money import format_amount, format_rate

if TYPE_CHECKING:
    from runtime.decisions.quote import Quoter

_TXN_ATTRIBUTES = frozenset({"date", "partner", "product", "list_price", "sell_price", "quantity"})
_PARTNER_ATTRIBUTES = frozenset({"id", "tier", "level", "contract"})
_VOLUMES = frozenset({"sales", "purchases", "list_sales", "quantity", "deals"})
_PERIOD = frozenset(("period", name) for name in _VOLUMES)
_STATIC = "static_"
_BUILTINS = {"abs": abs, "divmod": divmod, "int": int, "tuple": tuple}

Only = Literal["", "plain", "explain"]
"""The variant a statement belongs to: both (""), the figures alone, or the explained quote."""


@dataclass(frozen=True, slots=True)
class Statement:
    """Generated statements (one template's), the variant they belong to, and the template's text: the key of
    the compiled code kept per runtime (the nodes are shared from a parse cache: never mutated)."""

    only: Only
    text: str
    nodes: tuple[ast.stmt, ...] | Callable[[], tuple[ast.stmt, ...]]  # or how to make them, when compiled


@dataclass(slots=True)
class When:
    """An `if` (with its `else`) whose branches hold statements of either variant."""

    only: Only
    text: str  # the test's template
    test: ast.expr
    body: list[Code] = field(default_factory=list)
    orelse: list[Code] = field(default_factory=list)


Code = Statement | When
Key = tuple[object, ...]


def variant(code: list[Code], only: Only) -> list[ast.stmt]:
    """The statements one variant keeps (an `if` whose branch keeps none gets `pass`)."""
    kept: list[ast.stmt] = []
    for item in code:
        if item.only and item.only != only:
            continue
        match item:
            case Statement(nodes=nodes):
                kept.extend(nodes() if callable(nodes) else nodes)
            case When(test=test, body=body, orelse=orelse):
                kept.append(ast.If(test, variant(body, only) or [ast.Pass()], variant(orelse, only)))
    return kept


def key(code: list[Code], only: Only) -> Key:
    """What one variant's statements are, as the texts of their templates: equal when the statements are."""
    kept: list[object] = []
    for item in code:
        if item.only and item.only != only:
            continue
        match item:
            case Statement(text=text):
                kept.append(text)
            case When(text=text, body=body, orelse=orelse):
                kept.append(("if", text, key(body, only), key(orelse, only)))
    return tuple(kept)


def restricted(code: list[Code], only: Only) -> list[Code]:
    """The statements one variant keeps, each marked as that variant's alone."""
    kept: list[Code] = []
    for item in code:
        if item.only and item.only != only:
            continue
        match item:
            case Statement(text=text, nodes=nodes):
                kept.append(Statement(only, text, nodes))
            case When(text=text, test=test, body=body, orelse=orelse):
                kept.append(When(only, text, test, restricted(body, only), restricted(orelse, only)))
    return kept


@functools.lru_cache(maxsize=8192)
def statements(text: str) -> tuple[ast.stmt, ...]:
    """The statements of a template of the generator's own names (parsed once; shared, never mutated)."""
    return tuple(ast.parse(text).body)


@functools.lru_cache(maxsize=8192)
def expression(text: str) -> ast.expr:
    """The expression of a template of the generator's own names (parsed once; shared, never mutated)."""
    node = ast.parse(text, mode="eval")
    return node.body


@functools.lru_cache(maxsize=4096)
def _rounding_statements(mode: str, target: str, numerator: str, step: int, unit: int) \
        -> tuple[str, tuple[ast.stmt, ...]]:
    """`rounding.plan_statements` of a numerator template, with its text (the key of compiled code): made once
    for each (mode, target, numerator, step, unit), since a settlement makes many plans of the same shape
    (shared, never mutated)."""
    made = tuple(rounding.plan_statements(mode, target, expression(numerator), step, unit))
    return ast.unparse(ast.Module(list(made), [])), made


class PlanCode:
    """One plan's function as syntax trees, its statics, and compiling it into the plan's two functions."""

    def __init__(self, quoter: Quoter, version: LoadedVersion) -> None:
        self.quoter = quoter
        self.version = version
        self.ruleset = quoter.rt.ruleset
        self.unit, self.mode = self.ruleset.rounding_unit, self.ruleset.rounding_mode
        self.statics: list[Any] = []
        self.static_index: dict[Any, int] = {}
        self.body: list[Code] = []  # where `emit` adds: the function's body, or an `if` branch being built
        self.role_slots: dict[str, list[tuple[str, ir.Expr]]] = {}
        self.role_args: dict[str, tuple[Partner, Volumes]] = {}
        self.called: list[str] = []  # roles whose slots are a call of their own function, not inline
        self.inline_helpers: dict[str, Callable[..., Any]] = {}  # the functions inline slots call, by name

    # --- statics and slots -------------------------------------------------------------------------

    def s(self, value: Any) -> str:
        """The name under which the generated code reads a static value (equal values of one class share one)."""
        try:
            key: Any = (type(value), value)
            index = self.static_index.setdefault(key, len(self.statics))
        except TypeError:  # unhashable: its own
            index = len(self.statics)
        if index == len(self.statics):
            self.statics.append(value)
        return f"{_STATIC}{index}"

    def is_static(self, name: str) -> bool:
        """Whether a name `slot` gave is a static (its value known when the plan is made)."""
        return name.startswith(_STATIC)

    def value(self, name: str) -> Any:
        """The value of a static, by its name."""
        return self.statics[int(name.removeprefix(_STATIC))]

    def slot(self, role: str, partner: Partner, slots: PartnerSlots, key: str, default: Any = None) -> str:
        """The name of a slot's value: a static when it depends on no transaction field, else a local computed
        by the role's generated statements. A slot the entry lacks is `default`."""
        table = slots.table
        if key not in table.kinds:
            return self.s(default)
        if table.kinds[key] in (CONSTANT, PARTNER):
            return self.s(slots[key])
        assert self.version.rules is not None
        expr = dict(transaction_slots(self.version.rules))[key]
        self.role_slots.setdefault(role, []).append((key, expr))
        self.role_args[role] = (partner, self.quoter.volumes.get(partner.id) or Volumes())
        return f"{role}_slot_{len(self.role_slots[role]) - 1}"

    def fixed(self, name: str) -> bool | None:
        """Whether a condition named by `slot` holds for every transaction (True), none (False) or depends (None)."""
        return bool(self.value(name)) if self.is_static(name) else None

    def static_slot(self, slots: PartnerSlots, key: str) -> Any:
        """A slot that must not depend on the transaction for the plan to exist."""
        if slots.table.kinds.get(key, CONSTANT) not in (CONSTANT, PARTNER):
            raise NoPlan(f"`{key}` reads the transaction")
        return slots[key]

    # --- emitting ------------------------------------------------------------------------------------

    def emit(self, text: str, only: Only = "") -> None:
        """Add the statements of a template (the generator's own names); `only` keeps them out of the other
        variant."""
        self.body.append(Statement(only, text, statements(text)))

    def explain(self, text: str) -> None:
        self.emit(text, "explain")

    def plain(self, text: str) -> None:
        self.emit(text, "plain")

    @contextlib.contextmanager
    def when(self, test: str, only: Only = "") -> Iterator[When]:
        """`if test:` — statements emitted inside the block go to its body."""
        block = When(only, test, expression(test))
        self.body.append(block)
        outer, self.body = self.body, block.body
        try:
            yield block
        finally:
            self.body = outer

    @contextlib.contextmanager
    def otherwise(self, block: When) -> Iterator[None]:
        """The `else:` of a block `when` made: statements emitted inside go to it."""
        outer, self.body = self.body, block.orelse
        try:
            yield
        finally:
            self.body = outer

    def rounded(self, target: str, numerator: str, denominator: int, mode: str | None = None) -> None:
        """`target = round_ratio(numerator, denominator, unit, mode)`, inline for every mode (default: the
        program's): the statements `rounding.plan_statements` makes from the one table of rounding rules."""
        text, made = _rounding_statements(mode or self.mode, target, numerator, denominator * self.unit, self.unit)
        self.body.append(Statement("", text, made))

    def place_roles(self) -> None:
        """The statements (or calls) that compute every role's transaction-dependent slots, at this point."""
        for role, slot_list in self.role_slots.items():
            for _, expr in slot_list:
                for f in ops.fields_in_order([expr]):
                    if f.scope == "transaction" and f.name == "contract":
                        raise NoPlan("a slot reads transaction.contract")  # the partner's when none: the reference
                    if f.scope not in ("transaction", "partner") and (f.scope, f.name) not in _PERIOD \
                            and (f.scope, f.name) != (ir.AS_OF_SCOPE, ir.AS_OF_NAME):
                        raise NoPlan(f"a slot reads {f.scope}.{f.name}")
            partner, volumes = self.role_args[role]
            if not self.role_statements(role, self.s(partner), self.s(volumes)):
                names = "".join(f"{role}_slot_{i}, " for i in range(len(slot_list)))
                self.called.append(role)
                self.emit(f"({names}) = {role}_slots(txn, {self.s(partner)}, {self.s(volumes)})")

    def role_statements(self, role: str, partner: str, volumes: str) -> bool:
        """Emit the role's transaction-dependent slots inline, into `{role}_slot_0, {role}_slot_1, …` (False:
        they need helper functions of their own, and the caller calls `role_function` instead)."""
        inline = inline_entry(self.role_slots[role], self.quoter.rt.context, prefix=f"{role}_slot_",
                              load=_loader(partner, volumes))
        if inline is None:
            return False
        clash = set(inline.helpers) & set(self.inline_helpers)
        if any(self.inline_helpers[name] is not inline.helpers[name] for name in clash):
            return False
        self.inline_helpers.update(inline.helpers)
        names = [self.s(value) for value in inline.consts]  # each constant a static of its own

        def made() -> tuple[ast.stmt, ...]:
            return inline.statements(lambda i: ast.Name(names[i], ast.Load()))

        # Its key: the entry's text, the prefix and the static each constant became; its trees made when compiled.
        self.body.append(Statement("", f"{inline.source}{inline.prefix} {' '.join(names)}", made))
        return True

    def role_function(self, role: str) -> Callable[..., tuple[Any, ...]]:
        """The generated function computing the role's transaction-dependent slots from (txn, p, vol)."""
        key = ("role", self.version.rules.version, tuple(k for k, _ in self.role_slots[role]))
        found = self.quoter.rt.plan_code.get(key)  # plans of other partners need the same slots
        if found is None:
            found = self.quoter.rt.plan_code[key] = compile_entry(
                f"{self.version.rules.version}:quote:{role}", self.role_slots[role], self.quoter.rt.context,
                self.ruleset.program_id, params="txn, p, vol", load=_loader("p", "vol")).raw
        return found

    def compile(self) -> Plan:
        """The plan's two functions: each variant's module built, unparsed and compiled once per runtime (kept by
        what its statements are)."""
        roles = [self.role_function(r) for r in self.called]
        params = [*(f"{_STATIC}{i}" for i in range(len(self.statics))), *(f"{r}_slots" for r in self.called)]
        made = []
        codes = self.quoter.rt.plan_code  # per runtime: the helpers bind its rounding and currency
        for only in ("plain", "explain"):
            found = ("plan", len(self.statics), tuple(self.called), key(self.body, only))
            make = codes.get(found)
            if make is None:
                make = codes[found] = self.compiled(_module(params, variant(self.body, only)))
            made.append(make(*self.statics, *roles))
        return Plan(made[0], made[1])

    def compiled(self, module: ast.Module) -> Callable[..., Callable[..., Any]]:
        """`make` from a variant's module: unparsed into the text `linecache` serves under the module's name, and
        compiled from that text's syntax tree, so that a traceback's line is the line it shows."""
        source = ast.unparse(module) + "\n"
        name = f"<ppl-quote:{hashlib.sha256(source.encode()).hexdigest()[:10]}>"
        tree = ast.parse(source, name)
        namespace: dict[str, Any] = {"__builtins__": _BUILTINS, **self.helpers()}
        exec(compile(tree, name, "exec"), namespace)  # our own trees: program values are statics
        linecache.cache[name] = (len(source), None, source.splitlines(keepends=True), name)
        make: Callable[..., Callable[..., Any]] = namespace["make"]
        return make

    def helpers(self) -> dict[str, Any]:
        unit, mode, ruleset = self.unit, self.mode, self.ruleset
        return {**self.inline_helpers, "fraction": _fraction, "checked_rate": checked_rate, "ZERO": Fraction(0),
                "new_figures": _tuple_new_figures, "Quote": Quote,
                "Line": Line, "Share": Share, "Figure": Figure, "Violation": Violation, "rate": format_rate,
                "PriceRejected": PriceRejected, "late_violations": late_violations,
                "catalog_message": catalog_message, "price_floor": price_floor,
                "round_ratio": lambda n, d, m=mode: round_ratio(n, d, unit, m),
                "round_amount": lambda value: round_amount(value, unit, mode),
                "round_times": lambda amount, rate, m=mode: round_times(amount, rate, unit, m),
                "money": lambda value: format_amount(value, ruleset.currency, ruleset.minor_unit)}


def _module(params: list[str], body: list[ast.stmt]) -> ast.Module:
    """`def make(<statics>): def quote(txn): <body>; return quote` as a module."""
    def arguments(names: list[str]) -> ast.arguments:
        return ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in names], kwonlyargs=[], kw_defaults=[],
                             defaults=[])

    quote = ast.FunctionDef("quote", arguments(["txn"]), body, [], None, None, lineno=2, col_offset=4)
    make = ast.FunctionDef("make", arguments(params), [quote, ast.Return(ast.Name("quote", ast.Load()))], [],
                           None, None, lineno=1, col_offset=0)
    return ast.Module([make], [])


def _loader(partner: str, volumes: str) -> Callable[[ir.Field, Callable[[Any], ast.expr]], ast.expr]:
    """How generated slot code reads a field: straight from the `Transaction` (`txn`), the partner and its
    volumes (the locals named), never through a dictionary of every field."""
    def load(f: ir.Field, const: Callable[[Any], ast.expr]) -> ast.expr:
        if (f.scope, f.name) == (ir.AS_OF_SCOPE, ir.AS_OF_NAME):  # in a quote, the transaction's date
            return ast.Attribute(ast.Name("txn", ast.Load()), "date", ast.Load())
        owner, attributes = {"transaction": ("txn", _TXN_ATTRIBUTES), "partner": (partner, _PARTNER_ATTRIBUTES)
                             }.get(f.scope, (volumes, None))
        if attributes is None or f.name in attributes:
            return ast.Attribute(ast.Name(owner, ast.Load()), f.name, ast.Load())
        fields = ast.Attribute(ast.Name(owner, ast.Load()), "fields", ast.Load())
        return ast.Subscript(fields, const(f.name), ast.Load())

    return load


_tuple_new_figures = functools.partial(tuple.__new__, QuoteFigures)
