"""Type checking: every expression against the declared inputs, before anything runs."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import assert_never

from compiler.consts import (
    CEILING_TEXT,
    const_value,
    constant_parts,
    finer_than,
    format_amount,
    format_magnitude,
    too_large,
)
from compiler.context import Context
from compiler.passes import _fact_types
from compiler.slots import Slot, program_slots
from compiler.types import BOOLEAN, SCOPES, UNKNOWN, Type
from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.currency import CURRENCIES
from policy_lang.suggest import closest

_ORDERED = ("money", "percent", "number", "integer", "date", "duration")
_SIGNATURES = {"min": "`min(a, b, …)`", "max": "`max(a, b, …)`", "abs": "`abs(x)`",
               "round": "`round(x)` or `round(x, unit)`", "floor": "`floor(x)` or `floor(x, unit)`",
               "ceil": "`ceil(x)` or `ceil(x, unit)`", "clamp": "`clamp(x, lo, hi)`"}
_ARITY = {"min": (2, 99), "max": (2, 99), "abs": (1, 1), "round": (1, 2), "floor": (1, 2), "ceil": (1, 2),
          "clamp": (3, 3)}


def check_types(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield a diagnostic for every ill-typed expression and every expression of the wrong type for its place."""
    for expr, slot in program_slots(ctx.program):
        checker = _Checker(ctx, slot)
        found = checker.infer(expr)
        if found.literal and found.numeric and "money" in slot.want:  # a bare number where an amount is meant
            checker.as_money(expr, Type("money", currency=ctx.currency), rate_too="percent" in slot.want)
        yield from checker.diagnostics
        if not checker.diagnostics:
            yield from _check_slot(expr, found, slot, ctx)


def _dotted(expr: ast.Expr) -> str | None:
    return expr.dotted if isinstance(expr, ast.Name) else None


def _check_slot(expr: ast.Expr, found: Type, slot: Slot, ctx: Context) -> Iterator[dg.Diagnostic]:
    if found.kind == "unknown" or found.kind in slot.want:
        if found.kind == "money" and found.currency != ctx.currency:
            yield dg.error("E305", f"in {slot.where}: amount in {found.currency} in a program in {ctx.currency}",
                           expr.span, hint=f"write the amount in {ctx.currency}")
        return
    if found.literal and found.numeric and ("money" in slot.want or "integer" in slot.want):
        return  # a bare number stands for an amount in the program currency, or a count
    if "integer" in slot.want and found.kind == "integer":
        return
    wanted = " or ".join(Type(k, currency=ctx.currency).describe() for k in slot.want)
    hint = None
    if "percent" in slot.want and found.numeric and isinstance(expr, ast.NumberLit):
        shown = expr.value * 100 if expr.value < 1 else expr.value
        hint = f"write a percentage: `{shown.normalize():f}%`"
    elif "duration" in slot.want and found.numeric and isinstance(expr, ast.NumberLit):
        hint = f"write a duration with its unit: `{expr.value}d` (days), `w`, `mo` or `y`"
    elif "boolean" in slot.want:
        hint = "compare the value, e.g. `partner.certified_engineers >= 2`"
        if isinstance(expr, ast.Name) and found.kind in ("money", "integer", "number"):
            bound = format_amount(Decimal(100_000_000), ctx.currency) if found.kind == "money" else "2"
            hint = f"compare the value, e.g. `{expr.dotted} >= {bound}`"
    elif slot.want == ("percent",) and found.kind == "money":
        hint = "write a percentage of list, such as `15%`"
    code = "E306" if slot.want == ("boolean",) else "E307"
    yield dg.error(code, f"in {slot.where}: expected {wanted}, found {found.describe()}", expr.span, hint=hint)


class _Checker:
    def __init__(self, ctx: Context, slot: Slot) -> None:
        self.ctx = ctx
        self.slot = slot
        self.diagnostics: list[dg.Diagnostic] = []

    def fail(self, code: str, message: str, node: ast.Node, hint: str | None = None) -> Type:
        self.diagnostics.append(dg.error(code, f"in {self.slot.where}: {message}", node.span, hint=hint))
        return UNKNOWN

    def infer(self, node: ast.Expr, expect: Type | None = None) -> Type:
        match node:
            case ast.NumberLit(value=v):
                if too_large(v):
                    return self.too_large(node, v, None)
                return Type("integer" if v == v.to_integral_value() else "number", literal=True)
            case ast.PercentLit(value=v):
                return self.too_large(node, v, None) if too_large(v) else Type("percent")
            case ast.MoneyLit(amount=amount, currency=cur):
                return self.money_literal(node, amount, cur)
            case ast.DateLit():
                return Type("date")
            case ast.DurationLit():
                return Type("duration")
            case ast.BoolLit():
                return BOOLEAN
            case ast.TextLit():
                return Type("text")
            case ast.ListLit(items=items):
                types = [self.infer(i, expect) for i in items]
                known = [t for t in types if t.kind != "unknown"]
                return Type("list", item=known[0] if known else (expect or UNKNOWN))
            case ast.Name():
                return self.name(node, expect)
            case ast.Unary(op=op, operand=operand):
                t = self.infer(operand)
                if op == "not":
                    return BOOLEAN if t.kind in ("boolean", "unknown") else self.fail(
                        "E304", f"`not` needs a condition, found {t.describe()}", operand)
                if t.kind in ("money", "percent", "number", "integer", "duration", "unknown"):
                    return t
                return self.fail("E304", f"cannot negate {t.describe()}", operand)
            case ast.Binary():
                return self.binary(node)
            case ast.Comparison():
                self.comparison(node)
                return BOOLEAN
            case ast.Logical(op=op, left=left, right=right):
                for side in (left, right):
                    t = self.infer(side)
                    if t.kind not in ("boolean", "unknown"):
                        self.fail("E306", f"`{op}` needs conditions on both sides, found {t.describe()}", side,
                                  hint="compare the value, e.g. `x >= 10`")
                return BOOLEAN
            case ast.Membership():
                self.membership(node)
                return BOOLEAN
            case ast.Conditional(condition=cond, then=then, otherwise=otherwise):
                c = self.infer(cond)
                if c.kind not in ("boolean", "unknown"):
                    self.fail("E306", f"the condition of `if` must be true or false, found {c.describe()}", cond)
                a, b = self.infer(then, expect), self.infer(otherwise, expect)
                return self.unify(a, b, node, "the branches of `if` must have the same type", (then, otherwise))
            case ast.Call():
                return self.call(node)
            case _:
                raise AssertionError(f"unexpected expression node {node!r}")
        assert_never(node)  # pragma: no cover

    def money_literal(self, node: ast.Expr, amount: Decimal, currency: str) -> Type:
        if currency not in CURRENCIES:
            close = closest(currency, list(CURRENCIES))
            return self.fail("E311", f"unknown currency `{currency}`", node,
                             hint=f"did you mean `{close}`?" if close else "use an ISO 4217 code such as JPY or USD")
        digits = CURRENCIES[currency]
        exponent = amount.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > digits:
            unit = "whole yen" if currency == "JPY" else f"{digits} decimal places"
            return self.fail("E309", f"amount `{format_amount(amount, currency)}` is finer than {currency} allows "
                             f"({unit})", node,
                             hint="round the amount to the currency's smallest unit")
        if too_large(amount):
            return self.too_large(node, amount, currency)
        return Type("money", currency=currency)

    def too_large(self, node: ast.Expr, value: Decimal, currency: str | None) -> Type:
        """E313: a constant at or over the magnitude ceiling, which no engine is trusted to hold exactly."""
        return self.fail("E313", f"{format_magnitude(value, currency)} is too large: a program's amounts, "
                         f"counts and numbers stay below {CEILING_TEXT}", node,
                         hint="check the number of digits; amounts in rows have the same ceiling")

    def as_money(self, node: ast.Expr, money: Type, rate_too: bool = False) -> Type:
        """A bare number that stands for an amount next to money: exact in the currency's minor unit (E309).
        `rate_too`: its place also takes a percentage, which a fraction below 1 probably meant."""
        currency = money.currency or self.ctx.currency
        digits = CURRENCIES.get(currency, 0)
        for part in constant_parts(node):
            value = const_value(part)
            if value is not None and finer_than(value, digits):
                unit = "whole yen" if currency == "JPY" else f"{digits} decimal places"
                share = f"; for a share of an amount, multiply: `amount * {value:f}`" if abs(value) < 1 else ""
                if rate_too and abs(value) < 1:
                    share = f"; for a rate, write a percentage: `{(value * 100).normalize():f}%`"
                return self.fail("E309", f"`{value:f}` stands for {format_amount(value, currency)} here, finer than "
                                 f"{currency} allows ({unit})", part, hint=f"round it to {unit}{share}")
        return money

    def name(self, node: ast.Name, expect: Type | None) -> Type:
        parts = node.parts
        if parts == (_fact_types.AS_OF,) and not any(_fact_types.AS_OF in m for m in self.ctx.enums.values()):
            return _fact_types.as_of(self, node)
        if len(parts) == 1:
            return self.member(node, parts[0], expect)
        if len(parts) == 3 and parts[2] in ast.RECORD_FIELDS and (parts[0], parts[1]) in self.ctx.fields:
            return _fact_types.record_date(self, node)
        scope, field = parts[0], ".".join(parts[1:])
        if scope not in SCOPES:
            close = closest(scope, self.slot.scopes or SCOPES)
            return self.fail("E302", f"unknown field `{node.dotted}`", node,
                             hint=f"did you mean `{close}.{field}`?" if close else None)
        if scope not in self.slot.scopes:
            allowed = ", ".join(f"`{s}`" for s in self.slot.scopes) or "no fields (write a constant)"
            return self.fail("E302", f"`{node.dotted}` cannot be read here", node,
                             hint=f"this place can read: {allowed}")
        key = (scope, field)
        found = self.ctx.fields.get(key)
        if found is None:
            # Compare field names within the scope: the shared `partner.` would make any two names look alike.
            close = closest(field, [f for (s, f) in self.ctx.fields if s == scope])
            hint = f"did you mean `{scope}.{close}`?" if close else \
                f"declare it under `inputs:` → `{scope}:` with its type, e.g. `{field}: boolean`"
            return self.fail("E302", f"unknown field `{node.dotted}`", node, hint=hint)
        self.ctx.used_fields.add(key)
        if found.kind == "enum" and found.enum:
            self.ctx.used_enums.add(found.enum)
        if found.kind == "list" and found.item is not None and found.item.enum:
            self.ctx.used_enums.add(found.item.enum)
        return found

    def member(self, node: ast.Name, word: str, expect: Type | None) -> Type:
        if expect is not None and expect.kind == "enum" and expect.enum:
            members = self.ctx.enums.get(expect.enum, ())
            if word in members:
                self.ctx.used_enums.add(expect.enum)
                return expect
            close = closest(word, members)
            return self.fail("E308", f"`{word}` is not a `{expect.enum}`", node,
                             hint=f"did you mean `{close}`?" if close else
                             f"a `{expect.enum}` is one of: {', '.join(f'`{m}`' for m in members)}")
        owners = [name for name, members in self.ctx.enums.items() if word in members]
        if len(owners) == 1:
            self.ctx.used_enums.add(owners[0])
            return Type("enum", enum=owners[0])
        if len(owners) > 1:
            return Type("enum", enum=None)  # ambiguous on its own; resolved by the other operand
        everything = [m for members in self.ctx.enums.values() for m in members]
        close = closest(word, everything)
        hint = f"did you mean `{close}`?" if close else "fields are written with their scope, e.g. `partner.tier`"
        return self.fail("E308", f"unknown name `{word}`", node, hint=hint)

    def unify(self, a: Type, b: Type, node: ast.Node, message: str,
              sides: tuple[ast.Expr, ast.Expr] | None = None) -> Type:
        """The type of two values that meet (branches, comparison sides, arguments); `sides`: their expressions,
        so that a bare number standing for money is checked against the currency."""
        if a.kind == "unknown":
            return b
        if b.kind == "unknown":
            return a
        if a.kind == b.kind and a.currency == b.currency and (a.enum == b.enum or None in (a.enum, b.enum)):
            return a if a.enum else b
        if a.numeric and b.numeric:
            return Type("number", literal=a.literal and b.literal)
        if a.kind == "money" and b.literal and b.numeric:
            return self.as_money(sides[1], a) if sides else a
        if b.kind == "money" and a.literal and a.numeric:
            return self.as_money(sides[0], b) if sides else b
        if a.kind == "money" and b.kind == "money":
            return self.fail("E305", f"{a.currency} and {b.currency} do not mix", node,
                             hint="ppl never converts currencies")
        if "{a}" in message:
            return self.fail("E304", message.format(a=a.describe(), b=b.describe()), node)
        return self.fail("E304", f"{message}: {a.describe()} and {b.describe()}", node)

    def binary(self, node: ast.Binary) -> Type:
        found = self.operate(node)
        if found.kind not in ("money", "integer", "number"):
            return found
        value = const_value(node)
        if value is not None and too_large(value):  # a constant folded past the ceiling: `¥999兆 + ¥999兆`
            return self.too_large(node, value, found.currency)
        if value is not None and found.kind == "money":  # a constant amount written as a formula: `¥1 / 2`
            return self.as_money(node, found)
        divisor = const_value(node.right) if node.op == "/" else None
        if divisor and too_large(1 / divisor):  # `x / 0.000000000000001` multiplies by 10^15
            return self.fail("E313", f"dividing by `{divisor:f}` multiplies by {CEILING_TEXT} or more", node.right,
                             hint="check the number of digits; amounts in rows have the same ceiling")
        return found

    def operate(self, node: ast.Binary) -> Type:
        a, b = self.infer(node.left), self.infer(node.right)
        if "unknown" in (a.kind, b.kind):
            return UNKNOWN
        op = node.op
        # A bare number next to money is an amount in the program's currency.
        if a.kind == "money" and b.literal and b.numeric and op in "+-":
            b = self.as_money(node.right, a)
        if b.kind == "money" and a.literal and a.numeric and op in "+-":
            a = self.as_money(node.left, b)
        if "unknown" in (a.kind, b.kind):
            return UNKNOWN
        kinds = (a.kind, b.kind)
        if op in "+-":
            if a.kind == b.kind == "money":
                if a.currency != b.currency:
                    return self.fail("E305", f"cannot {'add' if op == '+' else 'subtract'} {a.currency} and "
                                     f"{b.currency}", node, hint="ppl never converts currencies")
                return a
            if a.kind == b.kind and a.kind in ("percent", "duration"):
                return a
            if a.numeric and b.numeric:
                return Type("integer" if kinds == ("integer", "integer") else "number",
                            literal=a.literal and b.literal)
            if kinds == ("date", "duration") or (op == "+" and kinds == ("duration", "date")):
                return Type("date")
            if op == "-" and kinds == ("date", "date"):
                return Type("duration")
            hint = None
            if set(kinds) == {"money", "percent"}:
                hint = "to add a percentage of an amount, multiply: `amount * (100% + 5%)`"
            elif "percent" in kinds and (a.numeric or b.numeric):
                hint = "write both as percentages, e.g. `5%` rather than `0.05`"
            verb = "add" if op == "+" else "subtract"
            return self.fail("E304", f"cannot {verb} {a.describe()} and {b.describe()}", node, hint=hint)
        if op == "*":
            for x, y in ((a, b), (b, a)):
                if x.kind == "money" and (y.kind == "percent" or y.numeric):
                    return x
                if x.kind == "percent" and y.numeric:
                    return x
                if x.kind == "duration" and y.kind == "integer":
                    return x
            if kinds == ("percent", "percent"):
                return a
            if a.numeric and b.numeric:
                return Type("integer" if kinds == ("integer", "integer") else "number")
            return self.fail("E304", f"cannot multiply {a.describe()} by {b.describe()}", node)
        if const_value(node.right) == 0:  # every evaluation would fail (E501): a mistake in the program, not the data
            return self.fail("E312", "division by zero: the divisor is always 0", node.right,
                             hint="divide by the value meant, or guard a field that may be 0: "
                                  "`if x > 0 then … / x else …`")
        if a.kind == b.kind == "money":
            if a.currency != b.currency:
                return self.fail("E305", f"cannot divide {a.currency} by {b.currency}", node)
            return Type("number")
        if a.kind in ("money", "percent", "duration") and b.numeric:
            return a
        if a.kind == b.kind and a.kind in ("percent", "duration"):
            return Type("number")
        if a.numeric and b.numeric:
            return Type("number")
        return self.fail("E304", f"cannot divide {a.describe()} by {b.describe()}", node)

    def comparison(self, node: ast.Comparison) -> None:
        a = self.infer(node.left)
        b = self.infer(node.right, a if a.kind == "enum" else None)
        if a.kind == "enum" and a.enum is None and b.kind == "enum":
            a = self.infer(node.left, b)
        if "unknown" in (a.kind, b.kind):
            return
        if node.op not in ("==", "!="):
            if a.kind not in _ORDERED or b.kind not in _ORDERED:
                bad = a if a.kind not in _ORDERED else b
                hint = "only amounts, percentages, numbers, dates and durations have an order"
                members = self.ctx.enums.get(bad.enum, ()) if bad.kind == "enum" and bad.enum else ()
                if len(members) >= 2:
                    hint = f"{bad.describe()} has no order; list the ones you mean, e.g. " \
                           f"`{_dotted(node.left) or 'x'} in [{members[0]}, {members[1]}]`"
                self.fail("E304", f"`{node.op}` cannot order {bad.describe()}", node, hint=hint)
                return
        if a.kind == "enum" and b.kind == "text" and isinstance(node.right, ast.TextLit) and a.enum:
            self.member_text(node.right, a.enum)
            return
        merged = self.unify(a, b, node, "cannot compare {a} with {b}", (node.left, node.right))
        if merged.kind == "money" and not (a.kind == b.kind == "money") and not (a.literal or b.literal):
            self.fail("E304", f"cannot compare {a.describe()} and {b.describe()}", node)
        if {a.kind, b.kind} == {"percent"} or merged.kind == "unknown":
            return
        if "percent" in (a.kind, b.kind) and a.kind != b.kind and merged.kind != "unknown":
            self.fail("E304", f"cannot compare {a.describe()} and {b.describe()}", node,
                      hint="write both as percentages, e.g. `15%`")

    def member_text(self, text: ast.TextLit, enum: str) -> None:
        """E308 for a text written where a member of `enum` is meant that is none of its members."""
        members = self.ctx.enums.get(enum, ())
        if text.value not in members:
            close = closest(text.value, members)
            self.fail("E308", f"`{text.value}` is not a `{enum}`", text,
                      hint=f"did you mean `{close}`?" if close else None)

    def membership(self, node: ast.Membership) -> None:
        item = self.infer(node.item)
        collection = node.collection
        if isinstance(collection, ast.ListLit):
            for element in collection.items:
                t = self.infer(element, item if item.kind == "enum" else None)
                if "unknown" not in (t.kind, item.kind):
                    self.unify(item, t, element, "list members must match the value tested", (node.item, element))
            return
        t = self.infer(collection)
        if t.kind not in ("list", "unknown"):
            self.fail("E316", f"`in` needs a list, found {t.describe()}", collection, hint="write `x in [a, b]`")
            return
        member = t.item
        if member is None or member.kind == "unknown" or item.kind == "unknown":
            return
        if member.kind == "dated":
            self.fail("E316", f"`in` cannot look for a value among {t.describe()}", collection,
                      hint="count the records valid on a date: `count(x, valid_on: as_of) > 0`")
            return
        if member.kind == "enum" and item.kind == "text" and isinstance(node.item, ast.TextLit) and member.enum:
            self.member_text(node.item, member.enum)
            return
        if item.kind == "enum" and item.enum is None and member.kind == "enum":
            item = self.infer(node.item, member)
        self.unify(member, item, node, "the value tested must match the list's members")

    def call(self, node: ast.Call) -> Type:
        name = node.function
        if node.method or name == "count":
            return _fact_types.fact_call(self, node)
        if node.keywords:
            return self.fail("E303", f"`{name}` takes no named arguments", node,
                             hint=f"write it as {_SIGNATURES.get(name, name)}")
        if name not in _ARITY:
            close = closest(name, [*_ARITY, "count"])
            return self.fail("E303", f"unknown function `{name}`", node,
                             hint=f"did you mean `{close}`?" if close else
                             f"functions: {', '.join(sorted([*_ARITY, 'count']))}")
        lo, hi = _ARITY[name]
        if not lo <= len(node.args) <= hi:
            count = f"{lo}" if lo == hi else f"{lo} to {hi}" if hi < 99 else f"at least {lo}"
            return self.fail("E303", f"`{name}` takes {count} argument{'s' if hi != 1 else ''}, "
                             f"given {len(node.args)}", node, hint=f"write it as {_SIGNATURES.get(name, name)}")
        types = [self.infer(arg) for arg in node.args]
        if any(t.kind == "unknown" for t in types):
            return UNKNOWN
        first = types[0]
        if first.kind not in ("money", "percent", "number", "integer", "duration"):
            return self.fail("E304", f"`{name}` needs an amount or a number, found {first.describe()}", node.args[0])
        result = first
        for arg, t in zip(node.args[1:], types[1:], strict=True):
            result = self.unify(result, t, arg, f"the arguments of `{name}` must have the same type")
        if result.kind == "money" or first.kind == "money":
            money = first if first.kind == "money" else result
            for arg, t in zip(node.args, types, strict=True):
                if t.literal and t.numeric and self.as_money(arg, money).kind == "unknown":
                    return UNKNOWN
            return money
        return result
