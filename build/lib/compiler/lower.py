"""Lowering: a checked program's AST → the runtime's rule set IR.

Every version becomes a complete set of rules (revisions applied), every reference is resolved,
literals become exact runtime values (money in minor units), and every rule keeps its source location.
Run only on a program that `check_program` passed without errors.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from compiler.consts import const_value, is_percent
from compiler.context import Context, build_context
from compiler.passes.dates import time_zone
from compiler.types import Type
from policy_lang import ast
from policy_lang.currency import CURRENCIES
from policy_lang.source import Span
from runtime import ir


def _loc(span: Span | None) -> ir.Loc | None:
    return ir.Loc(span.file, span.line, span.col) if span is not None else None


def _text(text: ast.Text | None) -> ir.Text:
    return dict(text.values) if text is not None else {}


class _Lowerer:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.scale = 10 ** CURRENCIES.get(ctx.currency, 0)
        unit = ctx.program.rounding.unit
        value = const_value(unit) if unit is not None else None  # checked: a positive constant amount
        self.rounding_unit = _exact_int(value * self.scale) if value is not None else 1

    # --- expressions ---------------------------------------------------------------------------

    def type_of(self, expr: ast.Expr) -> str:
        """The kind an expression computes (enough to coerce literals and pick rounding units)."""
        match expr:
            case ast.MoneyLit():
                return "money"
            case ast.PercentLit():
                return "percent"
            case ast.NumberLit(value=v):
                return "integer" if v == v.to_integral_value() else "number"
            case ast.Name(parts=parts) if self.is_as_of(expr) or self.record_date(expr):
                return "date"
            case ast.Name(parts=parts) if len(parts) > 1:
                found = self.ctx.fields.get((parts[0], ".".join(parts[1:])))
                return found.kind if found else "unknown"
            case ast.Call(function=fn) if fn == "count":
                return "integer"
            case ast.Call(method=True):
                return "boolean"
            case ast.Binary(op=op, left=a, right=b):
                ta, tb = self.type_of(a), self.type_of(b)
                if "money" in (ta, tb):
                    return "number" if op == "/" and ta == tb == "money" else "money"
                if "percent" in (ta, tb):
                    return "percent"
                return "number" if "number" in (ta, tb) or op == "/" else ta
            case ast.Unary(op="-", operand=x):
                return self.type_of(x)
            case ast.Conditional(then=a, otherwise=b):
                ta = self.type_of(a)
                return ta if ta not in ("integer", "number") else self.type_of(b)
            case ast.Call(args=args) if args:
                kinds = [self.type_of(a) for a in args]
                return "money" if "money" in kinds else kinds[0]
        return "boolean" if isinstance(expr, ast.Comparison | ast.Logical | ast.Membership | ast.BoolLit) else "unknown"

    def expr(self, expr: ast.Expr, want: str | None = None) -> ir.Expr:
        at = _loc(expr.span)
        match expr:
            case ast.NumberLit(value=v):
                if want == "money":  # a bare number next to money: an amount in the program currency, exact
                    minor = Fraction(v) * self.scale
                    return ir.Const("money", int(minor) if minor.denominator == 1 else minor, at=at)
                if v == v.to_integral_value():
                    return ir.Const("integer", int(v), at=at)
                return ir.Const("number", Fraction(v), at=at)
            case ast.PercentLit(value=v):
                return ir.Const("percent", Fraction(v) / 100, at=at)
            case ast.MoneyLit():
                return ir.Const("money", _exact_int(expr.amount * self.scale), at=at)
            case ast.DateLit(value=d):
                return ir.Const("date", d, at=at)
            case ast.DurationLit(amount=n, unit=u):
                return ir.Const("duration", ir.Duration(n, u), at=at)
            case ast.BoolLit(value=b):
                return ir.Const("boolean", b, at=at)
            case ast.TextLit(value=s):
                return ir.Const("text", s, at=at)
            case ast.ListLit(items=items):
                return ir.ListOf(tuple(self.expr(i, want) for i in items), at=at)
            case ast.Name() if self.is_as_of(expr):
                return ir.Field(ir.AS_OF_SCOPE, ir.AS_OF_NAME, "date", at=at)
            case ast.Name(parts=parts) if (part := self.record_date(expr)) is not None:
                record = ir.Field(parts[0], parts[1], "dated", at=at)
                return ir.Call(f"fact_{part}", (record,), at=at)
            case ast.Name(parts=parts):
                if len(parts) == 1:
                    return ir.Const("enum", parts[0], at=at)
                scope, name = parts[0], ".".join(parts[1:])
                found = self.ctx.fields.get((scope, name), Type("unknown"))
                if scope == "item":  # the catalog item's fields travel with the transaction (`ir.ITEM_FIELDS`)
                    return ir.Field("transaction", f"item.{name}", ir.value_type(found.kind), at=at)
                return ir.Field(scope, name, ir.value_type(found.kind), at=at)
            case ast.Unary(op="-", operand=x):
                operand = self.expr(x, want)
                if isinstance(operand, ir.Const) and type(operand.value) in (int, Fraction) and operand.value == 0:
                    return operand  # −0 is 0: no sign on a zero reaches a guide (`-0%`)
                return ir.Neg(operand, at=at)
            case ast.Unary(operand=x):
                return ir.Not(self.expr(x), at=at)
            case ast.Binary(op=op, left=a, right=b):
                money = "money" in (self.type_of(a), self.type_of(b)) and op in "+-"
                return ir.Arith(op, self.expr(a, "money" if money else None),
                                self.expr(b, "money" if money else None), at=at)
            case ast.Comparison(op=op, left=a, right=b):
                money = "money" in (self.type_of(a), self.type_of(b))
                side = "money" if money else None
                return ir.Compare(op, self.expr(a, side), self.expr(b, side), at=at)
            case ast.Logical(op="and", left=a, right=b):
                return ir.And(self.expr(a), self.expr(b), at=at)
            case ast.Logical(left=a, right=b):
                return ir.Or(self.expr(a), self.expr(b), at=at)
            case ast.Membership(negated=neg, item=item, collection=coll) if self.type_of(coll) == "list":
                contains = ir.Call("contains", (self.expr(coll), self.expr(item)), at=at)
                return ir.Not(contains, at=at) if neg else contains
            case ast.Membership(negated=neg, item=item, collection=coll):
                side = "money" if self.type_of(item) == "money" else None
                items = coll.items if isinstance(coll, ast.ListLit) else (coll,)
                return ir.In(neg, self.expr(item, side), tuple(self.expr(i, side) for i in items), at=at)
            case ast.Conditional(condition=c, then=t, otherwise=o):
                side = want or ("money" if "money" in (self.type_of(t), self.type_of(o)) else None)
                return ir.If(self.expr(c), self.expr(t, side), self.expr(o, side), at=at)
            case ast.Call(function="count", args=args, keywords=keywords):
                name = "count_valid_on" if keywords else "count"
                return ir.Call(name, tuple(self.expr(a) for a in args), at=at)
            case ast.Call(function=fn, args=args, method=True):
                return ir.Call(fn, tuple(self.expr(a) for a in args), at=at)
            case ast.Call(function=fn, args=args):
                kind = self.type_of(args[0]) if args else "unknown"
                side = "money" if kind == "money" else want
                lowered = [self.expr(a, side) for a in args]
                if fn in ("round", "floor", "ceil") and len(lowered) == 1:
                    unit = ir.Const("money", self.rounding_unit) if kind == "money" else \
                        ir.Const("percent", Fraction(1, 100)) if kind == "percent" else ir.Const("integer", 1)
                    lowered.append(unit)
                return ir.Call(fn, tuple(lowered), at=at)
        raise AssertionError(f"cannot lower {expr!r}")

    def is_as_of(self, expr: ast.Name) -> bool:
        """Whether a name is `as_of`, the evaluation date (an enumeration member of that name wins)."""
        return expr.parts == ("as_of",) and not any("as_of" in m for m in self.ctx.enums.values())

    def record_date(self, expr: ast.Name) -> str | None:
        """`from` or `until` for a date of a dated record (`partner.nda.until`), else None."""
        parts = expr.parts
        if len(parts) == 3 and parts[2] in ast.RECORD_FIELDS:
            found = self.ctx.fields.get((parts[0], parts[1]))
            if found is not None and found.kind == "dated":
                return parts[2]
        return None

    def opt(self, expr: ast.Expr | None, want: str | None = None) -> ir.Expr | None:
        return self.expr(expr, want) if expr is not None else None

    def const_money(self, expr: ast.Expr | None) -> int | None:
        """A constant amount in minor units (checked: constant, exact in the currency)."""
        if expr is None:
            return None
        value = const_value(expr)
        assert value is not None, "checked to be a constant"
        return _exact_int(value * self.scale)

    def const_volume(self, expr: ast.Expr, basis: str) -> int:
        """A ladder or bonus threshold: minor units for money bases, units for quantity (checked: exact)."""
        value = const_value(expr)
        assert value is not None, "thresholds are checked to be constants"
        return _exact_int(value if basis == "quantity" else value * self.scale)

    def input_decl(self, f: ast.InputField) -> ir.InputDecl:
        """A declared input, with its range as runtime values of its type (checked: constants of the type)."""
        type_name = f.type_name.name

        def value(expr: ast.Expr) -> object:
            if type_name == "money":
                return self.const_money(expr)
            if type_name == "integer":
                return _exact_int(const_value(expr) or Decimal(0))
            if type_name in ("number", "percent"):
                return Fraction(const_value(expr) or 0)
            lowered = self.expr(expr)
            assert isinstance(lowered, ir.Const), "checked to be a constant"
            return lowered.value

        return ir.InputDecl(f.scope, f.name.name, type_name, _text(f.description),
                            value(f.min) if f.min is not None else None, value(f.max) if f.max is not None else None,
                            tuple(value(v) for v in f.values) if f.values is not None else None,
                            f.item.name if f.item is not None else None)

    def const_rate(self, expr: ast.Expr) -> Fraction:
        """A constant rate (checked)."""
        value = const_value(expr)
        assert value is not None, "rates of steps are checked to be constants"
        return Fraction(value)

    # --- rules -----------------------------------------------------------------------------------

    def tier(self, t: ast.Tier) -> ir.Tier:
        """A tier: an assigned one qualifies by no rule (`false`), since the partners file states who holds it."""
        if t.assigned or t.qualify is None:
            return ir.Tier(t.id.name, _text(t.title), ir.Const("boolean", False, at=_loc(t.span)),
                           self.opt(t.margin_uplift), tuple(b.name for b in t.benefits), None, True, at=_loc(t.span))
        return ir.Tier(t.id.name, _text(t.title), self.expr(t.qualify), self.opt(t.margin_uplift),
                       tuple(b.name for b in t.benefits), self.requirements(t.qualify), at=_loc(t.span))

    def requirements(self, expr: ast.Expr) -> tuple[ir.Requirement, ...] | None:
        parts: list[ast.Expr] = []
        stack = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Logical) and node.op == "and":
                stack.extend((node.right, node.left))
            else:
                parts.append(node)
        found: list[ir.Requirement] = []
        for part in parts:
            if isinstance(part, ast.BoolLit) and part.value:
                continue
            if isinstance(part, ast.Name) and len(part.parts) > 1:
                found.append(ir.Requirement((part.parts[0], ".".join(part.parts[1:])), "==", True))
                continue
            if isinstance(part, ast.Comparison) and isinstance(part.left, ast.Name) and len(part.left.parts) > 1:
                value = self.expr(part.right, "money" if self.type_of(part.left) == "money" else None)
                if isinstance(value, ir.Const):
                    found.append(ir.Requirement((part.left.parts[0], ".".join(part.left.parts[1:])), part.op,
                                                value.value))
                    continue
            return None
        return tuple(found)

    def version(self, name: str, start: datetime.date, until: datetime.date | None, note: ast.Text | None,
                body: ast.Body, at: ir.Loc | None, starts_at: datetime.datetime | None = None,
                ends_at: datetime.datetime | None = None) -> ir.Version:
        rules = body.price_rules
        hier = body.hierarchy
        conf = body.conflicts
        route = body.lead_routing
        reg = conf.registration if conf else None
        return ir.Version(
            name, start, until, _text(note),
            tuple(ir.Contract(c.id.name, c.kind, _text(c.title), self.opt(c.margin),
                              c.ladder.name if c.ladder else None, tuple(b.name for b in c.bonuses),
                              self.opt(c.services, "money"), self.opt(c.fee), self.const_money(c.fee_cap),
                              self.const_money(c.margin_cap), at=_loc(c.span)) for c in body.contracts or ()),
            tuple(ir.Ladder(lad.id.name, _text(lad.title), lad.basis, lad.period, lad.mode,
                            tuple(ir.Step(self.const_volume(s.start, lad.basis),
                                          self.const_volume(s.end, lad.basis) if s.end is not None else None,
                                          self.const_rate(s.rate), s.strict, at=_loc(s.span)) for s in lad.steps),
                            self.const_volume(lad.volume_cap, lad.basis) if lad.volume_cap is not None else None,
                            at=_loc(lad.span)) for lad in body.ladders or ()),
            tuple(ir.Bonus(b.id.name, _text(b.title), b.basis, b.period, b.kind, self.opt(b.when),
                           tuple(self.bonus_step(s, b.basis) for s in b.steps), self.const_money(b.cap),
                           self.const_volume(b.volume_cap, b.basis) if b.volume_cap is not None else None,
                           at=_loc(b.span)) for b in body.bonuses or ()),
            None if body.tiers is None else ir.Tiers(body.tiers.cadence, tuple(
                self.tier(t) for t in body.tiers.levels), _review(body.tiers.review), at=_loc(body.tiers.span)),
            tuple(ir.Benefit(b.id.name, b.kind, _text(b.title), self.opt(b.when), self.opt(b.value),
                             at=_loc(b.span)) for b in body.benefits or ()),
            None if rules is None else ir.PriceRules(
                rules.ceiling, self.opt(rules.max_discount), self.opt(rules.max_channel_margin),
                tuple(ir.MarginCap(m.id.name, _text(m.title), self.expr(m.when), self.expr(m.cap), at=_loc(m.span))
                      for m in rules.margin_caps),
                tuple(ir.PassThrough(p.id.name, _text(p.title), self.expr(p.amount, "money"), self.expr(p.fee),
                                     self.const_money(p.fee_cap), self.opt(p.billed, "money"), p.markup or "none",
                                     self.opt(p.max_markup), p.action or ir.PRICE_CHECKS["above_cost"].default,
                                     at=_loc(p.span))
                      for p in rules.pass_through), rules.zero_price,
                rules.ceiling_action or ir.PRICE_CHECKS["above_list"].default,
                rules.max_discount_action or ir.PRICE_CHECKS["below_floor"].default,
                self.const_money(rules.min_fee), rules.min_fee_action or ir.PRICE_CHECKS["fee_below_minimum"].default,
                at=_loc(rules.span)),
            None if hier is None else ir.Hierarchy(
                hier.model, hier.max_depth,
                tuple(ir.Level(lv.level, _text(lv.title), self.expr(lv.margin), at=_loc(lv.span))
                      for lv in hier.levels), hier.new_resellers, self.reseller_routing(hier.routing),
                at=_loc(hier.span)),
            None if conf is None else ir.Conflicts(
                _duration(reg.expires_after) if reg else None, reg.renewals if reg else 0,
                _duration(reg.renewal_period) if reg and reg.renewal_period else None,
                tuple(ir.ConflictRule(r.rule, r.by, self.opt(r.when), _text(r.title),
                                      r.needs_registration is not False, r.applies or "at_close", r.order or (),
                                      at=_loc(r.span))
                      for r in conf.precedence), conf.otherwise, at=_loc(conf.span)),
            None if route is None else ir.LeadRouting(
                self.opt(route.eligible),
                tuple(ir.RoutingKey(k.by, self.opt(k.prefer), _text(k.title), at=_loc(k.span)) for k in route.order),
                route.among_equals, self.opt(route.skip_when), route.new_resellers, at=_loc(route.span)),
            starts_at, ends_at, self.catalog(body.catalog, start), at=at)

    def reseller_routing(self, routing: ast.ResellerRouting | None) -> ir.ResellerRouting | None:
        """The mapping form of `new_resellers`: its keys, and how equals take turns (`rotate` unless stated)."""
        if routing is None:
            return None
        return ir.ResellerRouting(
            tuple(ir.ResellerKey(self.opt(k.prefer), k.fewest.name if k.fewest else None, _text(k.title),
                                 at=_loc(k.span)) for k in routing.order),
            routing.among_equals or "rotate", at=_loc(routing.span))

    def catalog(self, catalog: ast.Catalog | None, start: datetime.date) -> ir.Catalog | None:
        """A version's catalog: each SKU's prices from the version's first day (or a later price's date) on."""
        if catalog is None:
            return None
        items = tuple(ir.CatalogItem(
            i.sku.name, _text(i.title), i.category.name, i.unit,
            ((start, self.const_money(i.list_price) or 0),
             *((p.start, self.const_money(p.list_price) or 0) for p in i.prices if p.start > start)),
            at=_loc(i.span)) for i in catalog.items)
        return ir.Catalog(tuple(c.name for c in catalog.categories),
                          catalog.action or ir.PRICE_CHECKS["catalog_price"].default, items, at=_loc(catalog.span))

    def bonus_step(self, step: ast.BonusStep, basis: str) -> ir.BonusStep:
        if is_percent(step.pay):
            money, rate = None, self.const_rate(step.pay)
        else:
            money, rate = self.const_money(step.pay), None
        return ir.BonusStep(self.const_volume(step.target, basis), money, rate, step.strict, at=_loc(step.span))


def _duration(expr: ast.Expr | None) -> ir.Duration | None:
    if isinstance(expr, ast.DurationLit):
        return ir.Duration(expr.amount, expr.unit)
    return None


def _exact_int(value: Decimal) -> int:
    integral = value.to_integral_value()
    assert integral == value, "amounts are checked to fit the currency's minor unit"
    return int(integral)


def compile_program(program: ast.Program) -> ir.RuleSet:
    """Lower a checked program into its rule set."""
    ctx = build_context(program)
    lowerer = _Lowerer(ctx)
    versions: list[ir.Version] = []
    dated = sorted(program.revisions, key=lambda r: r.effective_from)
    starts: list[tuple[str, datetime.date, datetime.date | None, ast.Text | None, Span | None,
                       datetime.datetime | None, datetime.datetime | None]] = [
        (program.version.name, program.effective_from, program.effective_until, None, program.version.span,
         program.from_instant, program.until_instant)]
    starts.extend((r.version.name, r.effective_from, r.effective_until, r.note, r.version.span, r.from_instant,
                   r.until_instant) for r in dated)
    for view, (name, start, until, note, span, start_at, until_at) in zip(ctx.views, starts, strict=True):
        versions.append(lowerer.version(name, start, until, note, view.body, _loc(span), start_at, until_at))
    inputs = tuple(lowerer.input_decl(f) for f in program.inputs)
    source = program.span.file if program.span else ""
    return ir.RuleSet(
        program.id.name, _text(program.title), _text(program.description), ctx.currency,
        CURRENCIES.get(ctx.currency, 0),
        ir.Rounding(lowerer.rounding_unit, program.rounding.mode, tuple(sorted(program.rounding.modes)),
                    program.rounding.point, program.rounding.marginal), program.fiscal_year_start,
        source, {k: tuple(v) for k, v in sorted(ctx.enums.items())}, inputs, tuple(versions),
        lowerer.const_money(program.payout_cap), _loc(program.payout_cap.span) if program.payout_cap else None,
        time_zone(program),
        ir.Pilot(program.pilot.min, program.pilot.max, _loc(program.pilot.span)) if program.pilot else None)


def _review(review: ast.Review | None) -> ir.Review | None:
    """`tiers.review` as the runtime reads it (the checks have held the ranges)."""
    if review is None:
        return None
    return ir.Review(review.window, review.months, review.keep, review.grace, at=_loc(review.span))
