"""IR → one generated Python function per entry, compiled once at load (the way Jinja2 compiles a template).

The function reads the fields it uses from `env` once, into locals `f0, f1, …`, computes every slot
as a nested Python expression into `v0, v1, …` and returns them as a tuple. The generator builds it
as a syntax tree (`ast` nodes), never as text: expressions are `ast.expr` nodes, statements
`ast.stmt`, helper functions `ast.FunctionDef`. Values from the program never become code: constants,
field keys and type names live in the list `K` and the code says `K[7]` (the only literals are
indices into `K`); every identifier is the generator's own (`env`, `K`, `e`, `f3`, `v0`, `h1`,
`o_div`). Operators whose meaning is plain Python arithmetic on numbers are written inline; all
others call the functions of `operators`, bound under `o_*` names.

Every node that can fail is marked with its site (the IR location, and the field key when it reads
a field) when it is made: each call, each statement that reads a field, each slot's assignment.
The tree is unparsed (`ast.unparse`) into the text `linecache` serves for tracebacks, and the
module is compiled from that text, so every line and column a traceback names is in the text it
shows. An error inside generated code takes its `at` from the span of the call the generated
frame was on, else from the line of its statement: when an error first needs them, the tree is
built again and walked side by side with the text's syntax tree (the two have the same shape),
which gives each marked node its place in the text. Loading pays for no walk.

A subtree more than `SPLIT_DEPTH` levels tall becomes a helper function `hN(…)`: it keeps the code
within Python's nesting limits and the generator's recursion shallow, and, unlike a temporary,
stays lazy under `and`, `or` and `if`. Ordinary expressions never need one.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import linecache
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from runtime import ir
from runtime.engine import operators as ops

Env = Mapping[str, Any]
Load = Callable[[ir.Field, Callable[[Any], ast.expr]], ast.expr]
"""How a field is read: the expression, given the field and `const` (a value → the expression `K[i]`)."""
Position = tuple[int | None, int | None, int | None, int | None]  # (line, end line, column, end column)

SPLIT_DEPTH: Final = 32
"""IR levels one generated expression may nest before the rest moves into a helper function."""

_LOAD: Final = ast.Load()
_STORE: Final = ast.Store()
_INLINE_ARITH: Final[dict[str, type[ast.operator]]] = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult}
_INLINE_CMP: Final[dict[str, type[ast.cmpop]]] = {"==": ast.Eq, "!=": ast.NotEq, "<": ast.Lt, "<=": ast.LtE,
                                                  ">": ast.Gt, ">=": ast.GtE}
_ARITH_NAMES: Final = {"+": "o_add", "-": "o_sub", "*": "o_mul", "/": "o_div"}
_CMP_NAMES: Final = {"==": "o_eq", "!=": "o_ne", "<": "o_lt", "<=": "o_le", ">": "o_gt", ">=": "o_ge"}
_CALL_NAMES: Final = {"min": "o_min", "max": "o_max", "abs": "o_abs", "clamp": "o_clamp", "round": "o_round",
                      "floor": "o_floor", "ceil": "o_ceil", "valid_on": "o_valid_on", "count": "o_count",
                      "count_valid_on": "o_count_valid_on", "contains": "o_contains", "fact_from": "o_fact_from",
                      "fact_until": "o_fact_until"}
_NUMERIC_CALL_NAMES: Final = {"min": "o_nmin", "max": "o_nmax", "abs": "o_nabs"}
_ORDERED_INLINE: Final = frozenset({"number", "text", "boolean", "date"})  # Python's own operators are ours
_FIELD_KINDS: Final = {"money": "number", "percent": "number", "number": "number", "integer": "number",
                       "boolean": "boolean", "date": "date", "duration": "duration"}

_N = TypeVar("_N", bound=ast.AST)
_Marked = tuple[ast.Module, Mapping[int, tuple[ast.AST, "_Site"]]]  # a module built, and its marked nodes by id


@dataclass(frozen=True, slots=True)
class _Site:
    """What a generated node computes: the node's location, and the field key when it reads a field."""

    at: ir.Loc | None
    field: str | None = None


class Entry:
    """A compiled entry point: `entry(env)` returns the values of its slots, in slot order."""

    __slots__ = ("name", "slot_names", "source", "filename", "_function", "_placing", "_sites")

    def __init__(self, name: str, slot_names: tuple[str, ...], source: str, filename: str,
                 function: Callable[[Env], tuple[Any, ...]], placing: Callable[[], _Marked]) -> None:
        self.name = name
        self.slot_names = slot_names
        self.source = source
        self.filename = filename
        self._function = function
        self._placing = placing  # builds the tree again: the sites are placed when an error first needs them
        self._sites: dict[int | Position, _Site] | None = None  # a call's span → its site; a line → its site

    def __call__(self, env: Env) -> tuple[Any, ...]:
        """The slot values for an environment ("scope.name" → value).

        Raises:
            EvaluationError: E500 missing field, E501 division by zero, E502 bad value; `at` names the node.
        """
        try:
            return self._function(env)
        except ops.EvaluationError as error:
            if error.at is None:
                error.at = self._site(error.__traceback__).at
            raise
        except (KeyError, ZeroDivisionError, TypeError) as error:
            raise self._locate(error) from error

    def __repr__(self) -> str:
        return f"<Entry {self.name!r} ({len(self.slot_names)} slots)>"

    @property
    def raw(self) -> Callable[..., tuple[Any, ...]]:
        """The generated function itself, taking the entry's parameters: its errors are not located.

        For callers that, on any error, re-run a decision through the located path (the fast quote).
        """
        return self._function

    def _locate(self, error: Exception) -> ops.EvaluationError:
        site = self._site(error.__traceback__)
        if isinstance(error, KeyError) and site.field is not None:
            return ops.located(ops.missing_field(site.field), site.at)
        return ops.located(error, site.at)

    def _site(self, tb: types.TracebackType | None) -> _Site:
        """The site of the innermost generated frame in a traceback: its instruction's call, else its line."""
        inner = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.filename:
                inner = tb
            tb = tb.tb_next
        if inner is None:
            return _Site(None)
        if self._sites is None:
            module, marked = self._placing()
            self._sites = _placed(module, ast.parse(self.source, self.filename), marked)
        positions = inner.tb_frame.f_code.co_positions()
        position = next(itertools.islice(positions, inner.tb_lasti // 2, None), None) if inner.tb_lasti >= 0 else None
        site = self._sites.get(position) if position is not None else None
        return site if site is not None else self._sites.get(inner.tb_lineno, _Site(None))


def compile_entry(name: str, slots: Sequence[tuple[str, ir.Expr]], ctx: ops.EvalContext, program_id: str,
                  *, params: str = "env", load: Load | None = None) -> Entry:
    """Generate, compile and register the function that evaluates `slots` for one entry of a program.

    Args:
        name: the entry's name (e.g. "2025-04:transaction"); only in the file name and `Entry.name`.
        slots: (slot name, expression) in the order the entry returns them.
        ctx: the program's rounding mode, bound into `round`.
        program_id: carried, sanitised, in the file name tracebacks show.
        params, load: the function's parameters and the expression that reads a field, given the field and
            `const` (a value → `K[i]`); by default one parameter `env`, read as `env[K[i]]` with the
            "scope.name" key. The expression is the caller's own: program values go through `const`.

    Raises:
        ValueError: the IR names an unknown operator or function (a compiler bug).
    """
    exprs = [expr for _, expr in slots]
    gen = _Generator(ctx, params, load)
    split_depth = gen.split_depth  # the entry keeps no tree: it is built again, the same, for its sites

    def marked() -> _Marked:
        again = _Generator(ctx, params, load, split_depth)
        return again.module(exprs), again.sites

    module = gen.module(exprs)
    source = ast.unparse(module) + "\n"
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:10]
    filename = f"<ppl:{_sanitise(program_id)}:{_sanitise(name)}:{digest}>"
    namespace: dict[str, Any] = {"__builtins__": {}, "K": gen.consts, **gen.helpers}
    exec(compile(source, filename, "exec"), namespace)  # the unparsed tree: program values are only in K
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)  # mtime None: never checked against disk
    return Entry(name, tuple(n for n, _ in slots), source, filename, namespace["e"], marked)


def _placed(module: ast.Module, tree: ast.Module, marked: Mapping[int, tuple[ast.AST, _Site]]
            ) -> dict[int | Position, _Site]:
    """Where each marked node of `module` is in `tree`, the syntax tree of its unparsed text: a call by its
    span, a statement by each of its lines. The two trees have the same shape: they are walked side by side."""
    sites: dict[int | Position, _Site] = {}
    for made, parsed in zip(ast.walk(module), ast.walk(tree), strict=True):
        found = marked.get(id(made))
        if found is None:
            continue
        assert type(made) is type(parsed), (made, parsed)
        if isinstance(parsed, ast.stmt):
            for line in range(parsed.lineno, (parsed.end_lineno or parsed.lineno) + 1):
                sites.setdefault(line, found[1])
        elif isinstance(parsed, ast.expr):
            sites[(parsed.lineno, parsed.end_lineno, parsed.col_offset, parsed.end_col_offset)] = found[1]
    return sites


@dataclass(frozen=True, slots=True)
class Inline:
    """The statements of a generated entry, to be placed inside another generated function.

    `statements(constant)` are syntax trees that compute the slots into locals `{prefix}0, {prefix}1, …`
    (fields in `{prefix}field_0, …`), with each constant `consts[i]` as the expression `constant(i)`;
    the caller binds the names of `helpers` to their functions. `source` is the entry's function unparsed,
    before renaming: with the prefix and the constants' expressions, it says what the statements are.
    Errors are not located: the caller must re-run through a located path when a statement raises.
    """

    source: str
    consts: tuple[Any, ...]
    helpers: Mapping[str, Callable[..., Any]]
    prefix: str

    def statements(self, constant: Callable[[int], ast.expr]) -> tuple[ast.stmt, ...]:
        """The statements, renamed on fresh syntax trees (without the entry's `return`)."""
        function = ast.parse(self.source).body[0]
        assert isinstance(function, ast.FunctionDef)
        renamer = _Renamer(self.prefix, constant)
        return tuple(renamer.visit(statement) for statement in function.body[:-1])


def inline_entry(slots: Sequence[tuple[str, ir.Expr]], ctx: ops.EvalContext, *, prefix: str,
                 load: Load) -> Inline | None:
    """The body of the function `compile_entry` would generate, to be renamed on its syntax trees.

    None when the expressions need helper functions of their own (a subtree taller than
    SPLIT_DEPTH): the caller then calls a compiled entry instead.
    """
    gen = _Generator(ctx, "", load)
    module = gen.module([expr for _, expr in slots])
    if len(module.body) > 1:
        return None
    return Inline(ast.unparse(module.body[0]), tuple(gen.consts), dict(gen.helpers), prefix)


class _Renamer(ast.NodeTransformer):
    """Renames an entry's locals for the function it is placed in: `v3` → `{prefix}3`, `f3` →
    `{prefix}field_3`, and replaces each constant `K[i]` by the caller's expression for it."""

    def __init__(self, prefix: str, constant: Callable[[int], ast.expr]) -> None:
        self.prefix = prefix
        self.constant = constant

    def visit_Name(self, node: ast.Name) -> ast.Name:
        head, number = node.id[:1], node.id[1:]
        if head in ("v", "f") and number.isdigit():
            kind = "" if head == "v" else "field_"
            return ast.copy_location(ast.Name(f"{self.prefix}{kind}{number}", node.ctx), node)
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        if (isinstance(node.value, ast.Name) and node.value.id == "K" and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, int)):
            return ast.copy_location(self.constant(node.slice.value), node)
        self.generic_visit(node)
        return node


def _name(identifier: str) -> ast.Name:
    return ast.Name(identifier, _LOAD)


def _assign(target: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([ast.Name(target, _STORE)], value, None, lineno=1)  # unparse reads lineno


def _tuple(items: Sequence[ast.expr]) -> ast.Tuple:
    return ast.Tuple(list(items), _LOAD)


def _sanitise(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "_.-") else "_" for c in text)[:60]


class _Generator:
    """Builds the syntax tree of one entry; collects the constants list, the helpers it binds and the sites."""

    def __init__(self, ctx: ops.EvalContext, params: str = "env", load: Load | None = None,
                 split_depth: int | None = None) -> None:
        self.ctx = ctx
        self.split_depth = SPLIT_DEPTH if split_depth is None else split_depth  # fixed for a tree built again
        self.params = [p for p in params.split(", ") if p]  # the generated function's parameters
        # The expression that reads a field, given the field and `const` (value → `K[i]`).
        self.load = load or (lambda f, const: ast.Subscript(_name("env"), const(f"{f.scope}.{f.name}"), _LOAD))
        self.consts: list[Any] = []
        self._const_index: dict[tuple[type, Any], int] = {}
        self.helpers: dict[str, Callable[..., Any]] = {}
        self._locals: dict[tuple[str, str, str], str] = {}
        self.sites: dict[int, tuple[ast.AST, _Site]] = {}  # id(node) → (the node, its site)
        self._functions: list[ast.FunctionDef] = []
        self._used: list[set[str]] = []  # the field locals each helper function being built reads
        self._split: dict[int, tuple[ast.expr, str, set[str]]] = {}  # id(node) → (its call, kind, locals used)

    def module(self, exprs: list[ir.Expr]) -> ast.Module:
        """The module defining `e(…)` (and its helper functions `hN`); every node that can fail is in `sites`."""
        body: list[ast.stmt] = []
        for f in ops.fields_in_order(exprs):
            local = f"f{len(self._locals)}"
            self._locals[(f.scope, f.name, f.type)] = local
            key = f"{f.scope}.{f.name}"
            site = _Site(f.at, key)
            k, classes, type_ = self.const(key), self.const(ops.field_classes(f.type)), self.const(f.type)
            body.append(self._mark(_assign(local, self.load(f, self.const)), site))
            check = ast.Call(_name(self.helper("o_field", ops.check_field)), [k, type_, _name(local)], [])
            test = ast.Compare(ast.Attribute(_name(local), "__class__", _LOAD), [ast.NotIn()], [classes])
            body.append(self._mark(ast.If(test, [_assign(local, check)], []), site))
        for expr in exprs:
            self.plan(expr)
        for i, expr in enumerate(exprs):
            value, _ = self.emit(expr)
            body.append(self._mark(_assign(f"v{i}", value), _Site(expr.at)))
        body.append(ast.Return(_tuple([_name(f"v{i}") for i in range(len(exprs))])))
        return ast.Module([_function("e", self.params, body), *self._functions], [])

    def const(self, value: Any) -> ast.expr:
        """`K[i]` for a value; equal values of one class share an entry."""
        try:
            key = (type(value), value)
            index = self._const_index.setdefault(key, len(self.consts))
        except TypeError:  # unhashable: its own entry
            index = len(self.consts)
        if index == len(self.consts):
            self.consts.append(value)
        return ast.Subscript(_name("K"), ast.Constant(index), _LOAD)

    def helper(self, name: str, fn: Callable[..., Any]) -> str:
        assert self.helpers.setdefault(name, fn) is fn, name
        return name

    def _mark(self, node: _N, site: _Site) -> _N:
        self.sites[id(node)] = (node, site)
        return node

    def call(self, node: ir.Expr, name: str, fn: Callable[..., Any] | None, args: Sequence[ast.expr]) -> ast.expr:
        """A call mapped to the node it computes (`fn` None: a generated helper)."""
        if fn is not None:
            self.helper(name, fn)
        return self._mark(ast.Call(_name(name), list(args), []), _Site(node.at))

    def emit(self, node: ir.Expr) -> tuple[ast.expr, str]:
        """The Python expression for a node, and the kind of value it is certain to produce (or "unknown")."""
        if (done := self._split.get(id(node))) is not None:
            call, kind, used = done
            for outer in self._used:
                outer.update(used)
            return call, kind
        match node:
            case ir.Const(value=value):
                return self.const(value), ops.family(value)
            case ir.Field(scope=scope, name=name, type=type_):
                local = self._locals[(scope, name, type_)]
                for used in self._used:
                    used.add(local)
                return _name(local), _FIELD_KINDS.get(type_, "text")
            case ir.ListOf(items=items):
                return _tuple([self.emit(i)[0] for i in items]), "list"
            case ir.Neg(operand=x):
                value, kind = self.emit(x)
                if kind == "number":
                    return ast.UnaryOp(ast.USub(), value), kind
                return self.call(node, "o_neg", ops.neg, [value]), "duration" if kind == "duration" else "unknown"
            case ir.Not(operand=x):
                value, kind = self.emit(x)
                if kind == "boolean":
                    return ast.UnaryOp(ast.Not(), value), "boolean"
                return self.call(node, "o_not", ops.not_, [value]), "boolean"
            case ir.Arith():
                return self.arith(node)
            case ir.Compare(op=op, left=a, right=b):
                if op not in _CMP_NAMES:
                    raise ValueError(f"unknown comparison {op!r} in the rule set")
                (left, ka), (right, kb) = self.emit(a), self.emit(b)
                if ka == kb and ka in _ORDERED_INLINE:
                    return ast.Compare(left, [_INLINE_CMP[op]()], [right]), "boolean"
                return self.call(node, _CMP_NAMES[op], ops.COMPARISONS[op], [left, right]), "boolean"
            case ir.And(left=a, right=b) | ir.Or(left=a, right=b):
                word = ast.And() if isinstance(node, ir.And) else ast.Or()
                return ast.BoolOp(word, [self.condition(node, a), self.condition(node, b)]), "boolean"
            case ir.In():
                return self.membership(node)
            case ir.If(condition=c, then=t, otherwise=o):
                test = self.condition(node, c)
                (then, kt), (other, ko) = self.emit(t), self.emit(o)
                return ast.IfExp(test, then, other), kt if kt == ko else "unknown"
            case ir.Call():
                return self.function(node)
        raise AssertionError(f"unknown IR node {node!r}")

    def condition(self, node: ir.Expr, operand: ir.Expr) -> ast.expr:
        """An operand that must be true or false: checked unless it is sure to be."""
        value, kind = self.emit(operand)
        return value if kind == "boolean" else self.call(node, "o_truth", ops.truth, [value])

    def arith(self, node: ir.Arith) -> tuple[ast.expr, str]:
        if node.op not in _ARITH_NAMES:
            raise ValueError(f"unknown arithmetic operator {node.op!r} in the rule set")
        (left, ka), (right, kb) = self.emit(node.left), self.emit(node.right)
        if ka == kb == "number" and node.op in _INLINE_ARITH:
            return ast.BinOp(left, _INLINE_ARITH[node.op](), right), "number"
        call = self.call(node, _ARITH_NAMES[node.op], ops.ARITHMETIC[node.op], [left, right])
        return call, _arith_kind(node.op, ka, kb)

    def membership(self, node: ir.In) -> tuple[ast.expr, str]:
        item, kind = self.emit(node.item)
        test: ast.cmpop = ast.NotIn() if node.negated else ast.In()
        if kind in _ORDERED_INLINE and all(isinstance(i, ir.Const) for i in node.items):
            try:  # Python's `in` on a set is `eq` here: no durations on the left, hash agrees with ==
                values = self.const(frozenset(i.value for i in node.items if isinstance(i, ir.Const)))
            except TypeError:
                values = None
            if values is not None:
                return ast.Compare(item, [test], [values]), "boolean"
        collection = _tuple([self.emit(i)[0] for i in node.items])
        if kind in _ORDERED_INLINE:
            return ast.Compare(item, [test], [collection]), "boolean"
        found = self.call(node, "o_in", ops.member, [item, collection])
        return (ast.UnaryOp(ast.Not(), found) if node.negated else found), "boolean"

    def function(self, node: ir.Call) -> tuple[ast.expr, str]:
        fn = ops.function(node.function, len(node.args), self.ctx)
        emitted = [self.emit(a) for a in node.args]
        args, kinds = [a for a, _ in emitted], {k for _, k in emitted}
        if kinds == {"number"} and node.function in ops.NUMERIC_CALLS and (node.function == "abs" or len(args) > 1):
            # Python's min/max/abs, equal to the table's on numbers; they cannot fail, so no site
            name = self.helper(_NUMERIC_CALL_NAMES[node.function], ops.NUMERIC_CALLS[node.function])
            return ast.Call(_name(name), args, []), "number"
        kind = kinds.pop() if len(kinds) == 1 and kinds <= {"number", "duration"} else "unknown"
        return self.call(node, _CALL_NAMES[node.function], fn, args), kind

    def plan(self, expr: ir.Expr) -> None:
        """Move every subtree taller than SPLIT_DEPTH into a helper function, bottom-up and without recursion.

        Emitting a node then recurses at most SPLIT_DEPTH levels before it meets a helper call, however
        deep the expression: the generator's own stack and Python's parser both stay within bounds.
        """
        heights: dict[int, int] = {}
        for node in _post_order(expr):
            if id(node) in self._split:  # shared with a slot planned before
                heights[id(node)] = 0
                continue
            below = [0 if id(c) in self._split else heights[id(c)] for c in ops.children(node)]
            heights[id(node)] = height = 1 + max(below, default=-1)
            if height >= self.split_depth and not isinstance(node, ir.Const | ir.Field):
                self.split(node)

    def split(self, node: ir.Expr) -> None:
        """Build a subtree as a helper function `hN(f…)` and remember the call that stands for it."""
        index = len(self._functions)
        self._used.append(set())
        value, kind = self.emit(node)
        used = self._used.pop()
        params = sorted(used, key=lambda local: int(local[1:]))
        self._functions.append(_function(f"h{index}", params, [ast.Return(value)]))
        self._split[id(node)] = (self.call(node, f"h{index}", None, [_name(p) for p in params]), kind, used)


def _function(name: str, params: Sequence[str], body: list[ast.stmt]) -> ast.FunctionDef:
    arguments = ast.arguments([], [ast.arg(p) for p in params], None, [], [], None, [])
    return ast.FunctionDef(name, arguments, body, [], None, None, lineno=1)  # unparse reads lineno


def _post_order(expr: ir.Expr) -> list[ir.Expr]:
    """The nodes of an expression, children before their parent (iteratively)."""
    out: list[ir.Expr] = []
    seen: set[int] = set()  # a node shared by several parents is visited once
    stack: list[tuple[ir.Expr, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            out.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(ops.children(node)))
    return out


def _arith_kind(op: str, ka: str, kb: str) -> str:
    """The kind an operator is certain to produce from operands of these kinds, or "unknown"."""
    if ka == kb == "number":
        return "number"
    if ka == "date" and kb == "duration" or (op == "+" and ka == "duration" and kb == "date"):
        return "date" if op in ("+", "-") else "unknown"
    if ka == kb == "date":
        return "duration" if op == "-" else "unknown"
    if ka == kb == "duration":
        return "duration" if op in ("+", "-") else "number" if op == "/" else "unknown"
    if "duration" in (ka, kb) and "number" in (ka, kb) and (op == "*" or (op == "/" and ka == "duration")):
        return "duration"
    return "unknown"
