"""The reference evaluator: walks the IR directly. Slow and simple; the oracle the generated code is tested against.

Evaluation reads every field the expression mentions first (in `operators.fields_in_order`), then
evaluates the tree with the operator table; `and`, `or` and `if` evaluate only the side they need.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runtime import ir
from runtime.engine import operators as ops

Env = Mapping[str, Any]
FieldKey = tuple[str, str, str]


def read_fields(exprs: list[ir.Expr], env: Env) -> dict[FieldKey, Any]:
    """The checked values of the fields the expressions read, keyed by (scope, name, type).

    Raises:
        EvaluationError: E500 for a missing field, E502 for a value of the wrong type; at the field's first use.
    """
    values: dict[FieldKey, Any] = {}
    for f in ops.fields_in_order(exprs):
        key = f"{f.scope}.{f.name}"
        try:
            raw = env[key]
        except KeyError:
            raise ops.located(ops.missing_field(key), f.at) from None
        try:
            values[(f.scope, f.name, f.type)] = ops.check_field(key, f.type, raw)
        except ops.EvaluationError as error:
            error.at = f.at
            raise
    return values


def evaluate(expr: ir.Expr, env: Env, ctx: ops.EvalContext) -> Any:
    """The value of an expression for a flat environment ("scope.name" → value).

    Raises:
        EvaluationError: E500 missing field, E501 division by zero, E502 bad value; `at` names the node.
    """
    return _Interpreter(read_fields([expr], env), ctx).eval(expr)


class _Interpreter:
    def __init__(self, fields: dict[FieldKey, Any], ctx: ops.EvalContext) -> None:
        self.fields = fields
        self.ctx = ctx

    def apply(self, node: ir.Expr, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except ops.EvaluationError as error:
            if error.at is None:
                error.at = node.at
            raise
        except (ZeroDivisionError, TypeError) as error:  # as the generated code maps them
            raise ops.located(error, node.at) from error

    def eval(self, node: ir.Expr) -> Any:
        match node:
            case ir.Const(value=value):
                return value
            case ir.Field(scope=scope, name=name, type=type_):
                return self.fields[(scope, name, type_)]
            case ir.ListOf(items=items):
                return tuple(self.eval(i) for i in items)
            case ir.Neg(operand=x):
                return self.apply(node, ops.neg, self.eval(x))
            case ir.Not(operand=x):
                return self.apply(node, ops.not_, self.eval(x))
            case ir.Arith(op=op, left=a, right=b):
                fn = ops.ARITHMETIC[op]
                left = self.eval(a)
                return self.apply(node, fn, left, self.eval(b))
            case ir.Compare(op=op, left=a, right=b):
                cmp = ops.COMPARISONS[op]
                left = self.eval(a)
                return self.apply(node, cmp, left, self.eval(b))
            case ir.And(left=a, right=b):
                if not self.apply(node, ops.truth, self.eval(a)):
                    return False
                return self.apply(node, ops.truth, self.eval(b))
            case ir.Or(left=a, right=b):
                if self.apply(node, ops.truth, self.eval(a)):
                    return True
                return self.apply(node, ops.truth, self.eval(b))
            case ir.In(negated=negated, item=item, items=items):
                value = self.eval(item)
                values = tuple(self.eval(i) for i in items)
                found = self.apply(node, ops.member, value, values)
                return not found if negated else found
            case ir.If(condition=c, then=t, otherwise=o):
                return self.eval(t) if self.apply(node, ops.truth, self.eval(c)) else self.eval(o)
            case ir.Call(function=name, args=args):
                fn = ops.function(name, len(args), self.ctx)
                values = tuple(self.eval(a) for a in args)
                return self.apply(node, fn, *values)
        raise AssertionError(f"unknown IR node {node!r}")
