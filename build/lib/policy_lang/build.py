"""Located, schema-valid YAML → the typed program AST, parsing every expression on the way.

The schema has already guaranteed the shapes, so this module only reads; the mistakes it can
still find are expression syntax errors, bad dates and YAML 1.1 surprises in text slots.
"""

from __future__ import annotations

import calendar
import datetime
import difflib
import zoneinfo
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.expr_parser import TokenBudget, parse_expression
from policy_lang.source import Span
from policy_lang.yaml_loader import YamlDate, YMap, YNode, YScalar, YSeq, yaml11_surprise

T = TypeVar("T")


DEFAULT_TIME_ZONE = "Asia/Tokyo"
"""The time zone of a program that states none (as `runtime.instants.DEFAULT_TIME_ZONE`)."""


class _Builder:
    def __init__(self) -> None:
        self.diagnostics: list[dg.Diagnostic] = []
        self.zone: datetime.tzinfo = zoneinfo.ZoneInfo(DEFAULT_TIME_ZONE)
        self.budget = TokenBudget()  # the file's tokens, shared by its expressions (E124 when spent)

    # --- scalars ---------------------------------------------------------------------------

    def expr(self, node: YNode | None) -> ast.Expr | None:
        if node is None:
            return None
        assert isinstance(node, YScalar)
        value = node.value
        if isinstance(value, bool):
            return ast.BoolLit(value, span=node.span)
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                number = Decimal(node.raw.strip().replace("_", "")) if node.plain else Decimal(str(value))
            except InvalidOperation:
                number = Decimal(str(value))
            if surprise := yaml11_surprise(node):
                code, message, hint = surprise
                self.diagnostics.append(dg.error(code, message, node.span, hint=hint))
            return ast.NumberLit(number, span=node.span)
        text = str(value)
        try:
            return parse_expression(text, node.locator(), self.budget)
        except dg.CompileError as exc:
            self.diagnostics.extend(exc.diagnostics)
            return None

    def ident(self, node: YNode | None) -> ast.Ident | None:
        if node is None:
            return None
        assert isinstance(node, YScalar)
        return ast.Ident(str(node.value), span=node.span)

    def text_value(self, node: YScalar) -> str:
        if isinstance(node.value, YamlDate) and (surprise := yaml11_surprise(node)):
            code, message, hint = surprise
            self.diagnostics.append(dg.error(code, message, node.span, hint=hint))
        return str(node.value)

    def text(self, node: YNode | None) -> ast.Text | None:
        if node is None:
            return None
        if isinstance(node, YScalar):
            return ast.Text((("", self.text_value(node)),), span=node.span)
        assert isinstance(node, YMap)
        values = tuple((str(k.value), self.text_value(v)) for k, v in node.items if isinstance(v, YScalar))
        return ast.Text(values, span=node.span)

    def date(self, node: YNode | None) -> datetime.date | None:
        if node is None:
            return None
        assert isinstance(node, YScalar)
        try:
            return datetime.date.fromisoformat(str(node.value))
        except ValueError:
            self.diagnostics.append(dg.error("E400", f"`{node.value}` is not a real calendar date", node.span,
                                             hint=_date_hint(str(node.value))))
            return None

    def moment(self, node: YNode | None, *, until: bool = False) -> tuple[datetime.date | None,
                                                                          datetime.datetime | None]:
        """A date, or an instant with its offset and its calendar date in the program's time zone (for an
        `effective_until`, the last day that has time before the instant)."""
        if node is None:
            return None, None
        assert isinstance(node, YScalar)
        text = str(node.value).strip()
        if len(text) <= 10:
            return self.date(node), None
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            self.diagnostics.append(dg.error("E408", f"`{text}` is not a real timestamp", node.span,
                                             hint=_timestamp_hint(text)))
            return None, None
        if moment.tzinfo is None:
            self.diagnostics.append(dg.error(
                "E406", f"timestamp `{text}` has no UTC offset", node.span,
                hint=f"add the offset, e.g. `{text}+09:00` or `{text}Z`, or write the date alone"))
            return None, None
        instant = moment.astimezone(datetime.UTC)
        shown = instant - datetime.timedelta(microseconds=1) if until else instant
        return shown.astimezone(self.zone).date(), instant

    def time_zone(self, node: YNode | None) -> ast.Ident | None:
        if not isinstance(node, YScalar):
            return None
        name = str(node.value).strip()
        try:
            self.zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            close = difflib.get_close_matches(name, sorted(zoneinfo.available_timezones()), n=1, cutoff=0.7)
            hint = (f"did you mean `{close[0]}`?" if close else
                    "write an IANA time zone name, such as `Asia/Tokyo` or `America/New_York`")
            self.diagnostics.append(dg.error("E405", f"unknown time zone `{name}`", node.span, hint=hint))
        return ast.Ident(name, span=node.span)

    def word(self, node: YNode | None) -> str | None:
        return None if node is None else str(node.value) if isinstance(node, YScalar) else None

    def items(self, node: YNode | None, build: Callable[[YMap], T | None]) -> tuple[T, ...] | None:
        if node is None:
            return None
        assert isinstance(node, YSeq)
        built = [build(item) for item in node.items if isinstance(item, YMap)]
        return tuple(b for b in built if b is not None)

    def idents(self, node: YNode | None) -> tuple[ast.Ident, ...]:
        if node is None:
            return ()
        assert isinstance(node, YSeq)
        return tuple(ast.Ident(str(i.value), span=i.span) for i in node.items if isinstance(i, YScalar))

    # --- constructs ------------------------------------------------------------------------

    def contract(self, m: YMap) -> ast.Contract | None:
        ident = self.ident(m.get("id"))
        assert ident is not None
        return ast.Contract(
            ident, str(self.word(m.get("kind"))), self.text(m.get("title")), self.text(m.get("description")),
            self.expr(m.get("margin")), self.ident(m.get("ladder")), self.idents(m.get("bonuses")),
            self.expr(m.get("services")), self.expr(m.get("fee")), self.expr(m.get("fee_cap")),
            self.expr(m.get("margin_cap")), span=m.span)

    def ladder(self, m: YMap) -> ast.Ladder | None:
        ident = self.ident(m.get("id"))
        assert ident is not None
        steps = self.numbered(m.get("steps"), lambda step, i: self.ladder_step(step, f"ladder `{ident.name}`", i))
        return ast.Ladder(ident, self.text(m.get("title")), self.text(m.get("description")),
                          str(self.word(m.get("basis"))), str(self.word(m.get("period"))),
                          str(self.word(m.get("mode"))), steps, self.expr(m.get("volume_cap")), span=m.span)

    def numbered(self, node: YNode | None, build: Callable[[YMap, int], T | None]) -> tuple[T, ...]:
        """The items of a list built with their 1-based place (for messages that name a step)."""
        if not isinstance(node, YSeq):
            return ()
        built = [build(item, i) for i, item in enumerate(node.items, 1) if isinstance(item, YMap)]
        return tuple(b for b in built if b is not None)

    def threshold(self, m: YMap, key: str, owner: str) -> tuple[ast.Expr | None, bool]:
        """A step's threshold, written `key` (at least; `from` or `target`) or `above` (more than): one of them."""
        inclusive, above = m.get(key), m.get("above")
        if inclusive is not None and above is not None:
            above_key, other = m.key_node("above"), m.key_node(key)
            self.diagnostics.append(dg.error(
                "E372", f"{owner} states both `{key}` and `above`", above_key.span if above_key else m.span,
                labels=[dg.Label(other.span, f"`{key}` is stated here")] if other else (),
                hint=f"keep `{key}:` (reached at this volume) or `above:` (reached only by more than it)"))
            return None, False
        if inclusive is None and above is None:
            self.diagnostics.append(dg.error(
                "E202", f"{owner} is missing the key `{key}` or `above`", m.span,
                hint=f"add `{key}:` (at least this volume) or `above:` (more than this volume)"))
            return None, False
        return (self.expr(above), True) if above is not None else (self.expr(inclusive), False)

    def ladder_step(self, m: YMap, owner: str, index: int) -> ast.LadderStep | None:
        (start, strict), rate = self.threshold(m, "from", f"in {owner}: step {index}"), self.expr(m.get("rate"))
        end = self.expr(m.get("to"))
        if start is None or rate is None:
            return None
        return ast.LadderStep(start, end, rate, strict, span=m.span)

    def bonus(self, m: YMap) -> ast.Bonus | None:
        ident = self.ident(m.get("id"))
        assert ident is not None
        owner = f"bonus `{ident.name}`"
        return ast.Bonus(ident, self.text(m.get("title")), self.text(m.get("description")),
                         str(self.word(m.get("basis"))), str(self.word(m.get("period"))),
                         str(self.word(m.get("kind"))), self.expr(m.get("when")),
                         self.numbered(m.get("steps"), lambda step, i: self.bonus_step(step, owner, i)),
                         self.expr(m.get("cap")), self.expr(m.get("volume_cap")), span=m.span)

    def bonus_step(self, m: YMap, owner: str, index: int) -> ast.BonusStep | None:
        (target, strict), pay = self.threshold(m, "target", f"in {owner}: step {index}"), self.expr(m.get("pay"))
        if target is None or pay is None:
            return None
        return ast.BonusStep(target, pay, strict, span=m.span)

    def tier(self, m: YMap) -> ast.Tier | None:
        ident, qualify = self.ident(m.get("id")), self.expr(m.get("qualify"))
        assert ident is not None
        assigned = isinstance(node := m.get("assigned"), YScalar) and node.value is True
        if qualify is None and not assigned:
            return None
        return ast.Tier(ident, self.text(m.get("title")), self.text(m.get("description")), qualify,
                        self.expr(m.get("margin_uplift")), self.idents(m.get("benefits")), assigned, span=m.span)

    def tiers(self, node: YNode | None) -> ast.Tiers | None:
        if not isinstance(node, YMap):
            return None
        return ast.Tiers(str(self.word(node.get("cadence"))), self.items(node.get("levels"), self.tier) or (),
                         self.review(node.get("review")), span=node.span)

    def review(self, node: YNode | None) -> ast.Review | None:
        """`tiers.review` (the schema has checked its keys; the ranges are the compiler's E364)."""
        if not isinstance(node, YMap):
            return None
        window, months, months_node = node.get("window"), None, None
        if isinstance(window, YMap):
            months_node = window.get("months")
            months = int(months_node.value) if isinstance(months_node, YScalar) else None
        keep, grace = node.get("keep"), node.get("grace")
        return ast.Review("months" if isinstance(window, YMap) else str(self.word(window)), months,
                          int(keep.value) if isinstance(keep, YScalar) else 1,
                          int(grace.value) if isinstance(grace, YScalar) else 0, span=node.span,
                          months_span=months_node.span if months_node is not None else None,
                          keep_span=keep.span if keep is not None else None,
                          grace_span=grace.span if grace is not None else None)

    def benefit(self, m: YMap) -> ast.Benefit | None:
        ident = self.ident(m.get("id"))
        assert ident is not None
        return ast.Benefit(ident, str(self.word(m.get("kind"))), self.text(m.get("title")),
                           self.text(m.get("description")), self.expr(m.get("when")), self.expr(m.get("value")),
                           span=m.span)

    def margin_cap(self, m: YMap) -> ast.MarginCap | None:
        ident, when, cap = self.ident(m.get("id")), self.expr(m.get("when")), self.expr(m.get("cap"))
        if ident is None or when is None or cap is None:
            return None
        return ast.MarginCap(ident, self.text(m.get("title")), when, cap, span=m.span)

    def pass_through(self, m: YMap) -> ast.PassThrough | None:
        ident, amount, fee = self.ident(m.get("id")), self.expr(m.get("amount")), self.expr(m.get("fee"))
        if ident is None or amount is None or fee is None:
            return None
        return ast.PassThrough(ident, self.text(m.get("title")), amount, fee, self.expr(m.get("fee_cap")),
                               self.expr(m.get("billed")),
                               self.word(m.get("markup")), self.expr(m.get("max_markup")), self.word(m.get("action")),
                               span=m.span, markup_span=_span(m.get("markup")), action_span=_span(m.get("action")))

    def price_rule(self, node: YNode | None, key: str) -> tuple[YNode | None, str | None]:
        """A price rule's value and action: the short form (the value alone) or the long form (`key`, `action`)."""
        if isinstance(node, YMap):
            return node.get(key), self.word(node.get("action"))
        return node, None

    def price_rules(self, node: YNode | None) -> ast.PriceRules | None:
        if not isinstance(node, YMap):
            return None
        ceiling, ceiling_action = self.price_rule(node.get("ceiling"), "price")
        discount, discount_action = self.price_rule(node.get("max_discount"), "rate")
        min_fee, min_fee_action = self.price_rule(node.get("min_fee"), "amount")
        zero_price = self.idents(node.get("zero_price"))
        return ast.PriceRules(self.word(ceiling), self.expr(discount),
                              self.expr(node.get("max_channel_margin")),
                              self.items(node.get("margin_caps"), self.margin_cap) or (),
                              self.items(node.get("pass_through"), self.pass_through) or (),
                              tuple(i.name for i in zero_price),
                              ceiling_action, discount_action, self.expr(min_fee), min_fee_action, span=node.span,
                              ceiling_span=_span(node.get("ceiling")),
                              zero_price_spans=tuple(i.span for i in zero_price))

    def catalog_price(self, m: YMap) -> ast.CatalogPrice | None:
        start, price = self.date(m.get("from")), self.expr(m.get("list_price"))
        if start is None or price is None:
            return None
        return ast.CatalogPrice(start, price, span=m.span)

    def catalog_item(self, m: YMap) -> ast.CatalogItem | None:
        sku, category, price = self.ident(m.get("sku")), self.ident(m.get("category")), self.expr(m.get("list_price"))
        if sku is None or category is None or price is None:
            return None
        return ast.CatalogItem(sku, self.text(m.get("title")), category, self.word(m.get("unit")) or "", price,
                               self.items(m.get("prices"), self.catalog_price) or (), span=m.span)

    def catalog(self, node: YNode | None) -> ast.Catalog | None:
        if not isinstance(node, YMap):
            return None
        categories = node.get("categories")
        names = tuple(ast.Ident(str(c.value), span=c.span) for c in categories.items if isinstance(c, YScalar)) \
            if isinstance(categories, YSeq) else ()
        return ast.Catalog(names, self.word(node.get("action")), self.items(node.get("items"), self.catalog_item) or (),
                           span=node.span)

    def hierarchy_level(self, m: YMap) -> ast.HierarchyLevel | None:
        level, margin = m.get("level"), self.expr(m.get("margin"))
        if not isinstance(level, YScalar) or margin is None:
            return None
        return ast.HierarchyLevel(int(level.value), self.text(m.get("title")), margin, span=m.span)

    def hierarchy(self, node: YNode | None) -> ast.Hierarchy | None:
        if not isinstance(node, YMap):
            return None
        depth = node.get("max_depth")
        new = node.get("new_resellers")
        to, routing = (self.word(new.get("to")), self.reseller_routing(new)) if isinstance(new, YMap) \
            else (self.word(new), None)
        return ast.Hierarchy(str(self.word(node.get("model"))), int(depth.value) if isinstance(depth, YScalar) else 1,
                             self.items(node.get("levels"), self.hierarchy_level) or (),
                             to, routing, span=node.span, new_resellers_span=_span(new))

    def reseller_routing(self, m: YMap) -> ast.ResellerRouting:
        """The mapping form of `hierarchy.new_resellers` (its `to` is read by `hierarchy`)."""
        order = m.get("order")
        return ast.ResellerRouting(self.items(order, self.reseller_key) or (), self.word(m.get("among_equals")),
                                   span=m.span, order_span=_span(order), among_equals_span=_span(m.get("among_equals")))

    def reseller_key(self, m: YMap) -> ast.ResellerKey:
        return ast.ResellerKey(self.expr(m.get("prefer")), self.ident(m.get("fewest")), self.text(m.get("title")),
                               span=m.span)

    def conflict_rule(self, m: YMap) -> ast.ConflictRule | None:
        needs = m.get("needs_registration")
        order = m.get("order")
        listed = tuple(str(i.value) for i in order.items if isinstance(i, YScalar)) if isinstance(order, YSeq) else None
        return ast.ConflictRule(str(self.word(m.get("rule"))), self.word(m.get("by")), self.expr(m.get("when")),
                                self.text(m.get("title")),
                                bool(needs.value) if isinstance(needs, YScalar) else None,
                                self.word(m.get("applies")), listed, span=m.span)

    def conflicts(self, node: YNode | None) -> ast.Conflicts | None:
        if not isinstance(node, YMap):
            return None
        registration = None
        reg = node.get("registration")
        if isinstance(reg, YMap):
            expires = self.expr(reg.get("expires_after"))
            renewals = reg.get("renewals")
            if expires is not None:
                registration = ast.Registration(
                    expires, int(renewals.value) if isinstance(renewals, YScalar) else 0,
                    self.expr(reg.get("renewal_period")), span=reg.span)
        return ast.Conflicts(registration, self.items(node.get("precedence"), self.conflict_rule) or (),
                             self.word(node.get("otherwise")), span=node.span)

    def routing_key(self, m: YMap) -> ast.RoutingKey | None:
        return ast.RoutingKey(self.word(m.get("by")), self.expr(m.get("prefer")), self.text(m.get("title")),
                              span=m.span)

    def lead_routing(self, node: YNode | None) -> ast.LeadRouting | None:
        if not isinstance(node, YMap):
            return None
        return ast.LeadRouting(self.expr(node.get("eligible")), self.items(node.get("order"), self.routing_key) or (),
                               str(self.word(node.get("among_equals"))), self.expr(node.get("skip_when")),
                               self.word(node.get("new_resellers")), span=node.span,
                               new_resellers_span=_span(node.get("new_resellers")),
                               among_equals_span=_span(node.get("among_equals")))

    def body(self, m: YMap) -> ast.Body:
        return ast.Body(
            contracts=self.items(m.get("contracts"), self.contract),
            ladders=self.items(m.get("ladders"), self.ladder),
            bonuses=self.items(m.get("bonuses"), self.bonus),
            tiers=self.tiers(m.get("tiers")),
            benefits=self.items(m.get("benefits"), self.benefit),
            price_rules=self.price_rules(m.get("price_rules")),
            hierarchy=self.hierarchy(m.get("hierarchy")),
            catalog=self.catalog(m.get("catalog")),
            conflicts=self.conflicts(m.get("conflicts")),
            lead_routing=self.lead_routing(m.get("lead_routing")),
            span=m.span,
        )

    def revision(self, m: YMap) -> ast.Revision | None:
        version = m.get("version")
        start, start_at = self.moment(m.get("effective_from"))
        until, until_at = self.moment(m.get("effective_until"), until=True)
        if not isinstance(version, YScalar) or start is None:
            return None
        return ast.Revision(ast.Ident(self.text_value(version), span=version.span), start,
                            until, self.text(m.get("note")), self.body(m), span=m.span,
                            from_span=_span(m.get("effective_from")), until_span=_span(m.get("effective_until")),
                            from_instant=start_at, until_instant=until_at)

    def enums(self, node: YNode | None) -> tuple[ast.EnumDecl, ...]:
        if not isinstance(node, YMap):
            return ()
        return tuple(ast.EnumDecl(ast.Ident(str(k.value), span=k.span), self.idents(v), span=k.span)
                     for k, v in node.items)

    def inputs(self, node: YNode | None) -> tuple[ast.InputField, ...]:
        if not isinstance(node, YMap):
            return ()
        fields = []
        for scope_key, scope in node.items:
            if not isinstance(scope, YMap):
                continue
            for name, spec in scope.items:
                long = isinstance(spec, YMap) and spec.get("list") is None
                type_node = spec.get("type") if isinstance(spec, YMap) and long else spec
                description = self.text(spec.get("description")) if isinstance(spec, YMap) else None
                type_name: ast.Ident | None = None
                item: ast.Ident | None = None
                if isinstance(type_node, YMap) and isinstance(listed := type_node.get("list"), YScalar):
                    item = ast.Ident(str(listed.value), span=listed.span)  # `{list: region}`
                    type_name = ast.Ident("list", span=type_node.span)
                elif isinstance(type_node, YScalar):
                    type_name = ast.Ident(str(type_node.value), span=type_node.span)
                if type_name is not None:
                    long_form = spec if isinstance(spec, YMap) and long else None
                    values = long_form.get("values") if long_form is not None else None
                    allowed = None
                    if isinstance(values, YSeq):
                        built = [self.expr(v) for v in values.items]
                        allowed = tuple(v for v in built if v is not None)
                    fields.append(ast.InputField(str(scope_key.value), ast.Ident(str(name.value), span=name.span),
                                                 type_name, description,
                                                 self.expr(long_form.get("min")) if long_form else None,
                                                 self.expr(long_form.get("max")) if long_form else None,
                                                 allowed, item, span=name.span))
        return tuple(fields)

    def program(self, root: YMap) -> ast.Program | None:
        header = root.get("program")
        assert isinstance(header, YMap)
        rounding_node = header.get("rounding")
        assert isinstance(rounding_node, YMap)
        modes_node = rounding_node.get("modes")
        modes = tuple((str(k.value), str(v.value)) for k, v in modes_node.items
                      if isinstance(v, YScalar)) if isinstance(modes_node, YMap) else ()
        point, marginal = rounding_node.get("point"), rounding_node.get("marginal_ladder")
        rounding = ast.Rounding(str(self.word(rounding_node.get("mode"))), self.expr(rounding_node.get("unit")),
                                modes, str(point.value) if isinstance(point, YScalar) else "margin",
                                str(marginal.value) if isinstance(marginal, YScalar) else "total",
                                span=rounding_node.span)
        zone = self.time_zone(header.get("time_zone"))
        start, start_at = self.moment(header.get("effective_from"))
        until, until_at = self.moment(header.get("effective_until"), until=True)
        version = header.get("version")
        ident, title, currency = self.ident(header.get("id")), self.text(header.get("title")), header.get("currency")
        fiscal = header.get("fiscal_year_start")
        program = None
        if start is not None and ident and title and isinstance(version, YScalar) and isinstance(currency, YScalar):
            program = ast.Program(
                ident, title, self.text(header.get("description")),
                ast.Ident(self.text_value(version), span=version.span), start, until,
                ast.Ident(str(currency.value), span=currency.span), rounding,
                int(fiscal.value) if isinstance(fiscal, YScalar) else 1, self.expr(header.get("cliff_tolerance")),
                self.enums(root.get("enums")), self.inputs(root.get("inputs")), self.body(root),
                self.items(root.get("revisions"), self.revision) or (), self.expr(header.get("payout_cap")),
                span=root.span,
                from_span=_span(header.get("effective_from")), until_span=_span(header.get("effective_until")),
                from_instant=start_at, until_instant=until_at, time_zone=zone, pilot=self.pilot(header.get("pilot")))
        return program

    def pilot(self, node: YNode | None) -> ast.Pilot | None:
        """`program.pilot`: `{min: 3, max: 5}` (the schema has checked the keys and that each is an integer)."""
        if not isinstance(node, YMap):
            return None

        def bound(key: str) -> int | None:
            value = node.get(key)
            return int(value.value) if isinstance(value, YScalar) else None
        return ast.Pilot(bound("min"), bound("max"), span=node.span)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # not calendar.month_name: that follows the locale


def _date_hint(text: str) -> str:
    """Why a YYYY-MM-DD text is no date: the month or the day that does not exist."""
    parts = text.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        year, month, day = (int(p) for p in parts)
        if not 1 <= month <= 12:
            return f"there is no month {month}; months run from 01 to 12"
        if year >= 1:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                return f"{_MONTHS[month - 1]} {year} has {last} days"
    return "write dates as YYYY-MM-DD, e.g. `2026-04-01`"


def _timestamp_hint(text: str) -> str:
    """Why a timestamp is none: the date, or the time of day and offset."""
    date_part = text[:10]
    try:
        datetime.date.fromisoformat(date_part)
    except ValueError:
        return _date_hint(date_part)
    return "write a timestamp as YYYY-MM-DDTHH:MM:SS with its offset, e.g. `2026-10-01T00:00:00+09:00`; hours run " \
           "from 00 to 23 and an offset is less than a day"


def _span(node: YNode | None) -> Span | None:
    return node.span if node is not None else None


def build_program(root: YMap) -> tuple[ast.Program | None, tuple[dg.Diagnostic, ...]]:
    """Build the program AST from a schema-valid located tree; returns the program and any diagnostics."""
    builder = _Builder()
    program = builder.program(root)
    return program, tuple(builder.diagnostics)
