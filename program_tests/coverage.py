"""Coverage in a program's own terms: what of the program the cases of its test files reached.

Items are ladder and bonus steps, tiers, benefits, margin caps, pass-through entries, the price rules
the program can break, contracts, hierarchy levels, the rules of the conflict precedence chain (by
position), registration expiry, `otherwise: vendor_decides`, the lead-routing keys, `eligible`,
`skip_when`, new resellers, and versions. A settlement reaches the tiers its tier reviews reached; a sequence of
settlements reaches what any of its runs reached; a deal's history reaches the rules that decided each of
its events on arrival, its expiries, and what decided the owner at each instant the case asks about.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from program_tests.compare import Settled
from program_tests.decisions import DealRun, NewReseller
from program_tests.sequences import SettledRuns
from runtime import ir
from runtime.decisions import Ownership, Routing
from runtime.decisions.deals import EXPIRED, PENDING
from runtime.labels import rule_label
from runtime.model import Line, Partner, Quote, Transaction
from runtime.money import format_amount, format_rate

EXPIRY, OTHERWISE, NEW_RESELLERS = "registration expiry", "otherwise: vendor_decides", "new resellers"
ELIGIBLE, SKIP_WHEN = "lead routing `eligible`", "lead routing `skip_when`"
RESELLER_TURN = "new resellers `among_equals: rotate`"


class Coverage:
    """What a program's tests reached, item by item, in the program's own terms."""

    def __init__(self, ruleset: ir.RuleSet, shown: str, tested: bool = True) -> None:
        self.program = ruleset.program_id
        self.file = shown
        self.tested = tested  # False: no test file names the program, so it counts as 0 % covered
        self.items: dict[str, list[str]] = {name: [] for name in coverage_items(ruleset)}
        self.versions = {v.version: v for v in ruleset.versions}
        self.ruleset = ruleset
        self.hierarchy = any(v.hierarchy is not None for v in ruleset.versions)
        self.bonus_steps = {step.at: (b.id, i + 1, b.kind) for v in ruleset.versions for b in v.bonuses
                            for i, step in enumerate(b.steps) if step.at is not None}

    @property
    def covered(self) -> int:
        """Items that some case reached."""
        return sum(1 for cases in self.items.values() if cases)

    @property
    def percent(self) -> Fraction:
        """Covered items as a percentage of the testable ones (100 when there are none); 0 when untested."""
        if not self.tested:
            return Fraction(0)
        return Fraction(100 * self.covered, len(self.items)) if self.items else Fraction(100)

    def mark(self, case: str, names: Iterable[str]) -> None:
        """Record that a case reached these items (names that are not items are ignored)."""
        for name in names:
            cases = self.items.get(name)
            if cases is not None and case not in cases:
                cases.append(case)

    def record_error(self, case: str, code: str) -> None:
        """A case that expects a price rule to reject its transaction reached that rule."""
        self.mark(case, (f"price rule `{c.kind}`" for c in ir.PRICE_CHECKS.values() if c.code == code))

    def record(self, case: str, result: Any, transactions: Sequence[Transaction],
               partners: Mapping[str, Partner]) -> None:
        """Record what a quote, a settlement, a conflict decision or a routing reached."""
        if isinstance(result, Quote):
            self.mark(case, self._quote(result, partners))
            return
        if isinstance(result, Ownership):
            self.mark(case, self._ownership(result))
            return
        if isinstance(result, DealRun):
            self.mark(case, self._deal(result))
            return
        if isinstance(result, Routing):
            self.mark(case, self._routing(result))
            return
        if isinstance(result, NewReseller):
            self.mark(case, [NEW_RESELLERS, *self._resellers(result)])
            return
        if isinstance(result, SettledRuns):  # a sequence reaches what any of its runs reached
            for run in result.runs:
                self.record(case, run, transactions, partners)
            return
        if not isinstance(result, Settled):
            return
        refused = {r.transaction for r in result.rejects}
        self.mark(case, (rule_label(ir.RuleRef.contract(t.contract or partners[t.partner].contract))
                         for t in transactions if t.id not in refused and t.partner in partners))
        for line in result.lines:
            names = [f"version {line.version}", rule_label(line.rule)]
            if self.hierarchy and line.kind == "margin" and line.partner in partners:
                names.append(rule_label(ir.RuleRef.hierarchy_level(partners[line.partner].level)))
            self.mark(case, names)
        # Only the statements of partners the transactions reached: the others are not what the case is about.
        active = {line.partner for line in result.lines} | {t.partner for t in transactions}
        for statement in (s for s in result.statements.values() if s.partner in active):
            if statement.next_tier is not None:
                self.mark(case, [rule_label(statement.next_tier.rule)])
            # A tier review reached the tier whose qualification held (or the assigned tier it left alone).
            self.mark(case, (rule_label(d.rule) for d in statement.tier_history if d.rule is not None))
            for line in statement.period_lines:
                self.mark(case, [rule_label(line.rule)] if line.kind.startswith("ladder") else self._bonus(line))

    def _quote(self, q: Quote, partners: Mapping[str, Partner]) -> list[str]:
        names = [rule_label(ir.RuleRef.contract(q.contract)), f"version {q.version}"]
        names += [rule_label(f.rule) for f in q.rates if f.name in ("ladder rate", "tier uplift", "margin cap")]
        names += [rule_label(f.rule) for f in q.benefits]
        seller = partners.get(q.partner)
        if q.benefits and seller is not None and seller.tier is not None:
            names.append(rule_label(ir.RuleRef.tier(seller.tier)))
        names += [f"price rule `{v.kind}`" for v in q.violations]
        names += [rule_label(line.rule) for line in q.lines]
        names += [rule_label(ir.RuleRef.hierarchy_level(s.level)) for s in q.chain] if self.hierarchy else []
        return names

    def _ownership(self, o: Ownership) -> list[str]:
        """A rule decided the deal or took a claim out; a registration expired; the vendor was left to decide."""
        version = self.versions.get(o.version)
        conflicts = version.conflicts if version is not None else None
        if conflicts is None:
            return []
        rules = {rule_name(r): conflict_item(i, r) for i, r in enumerate(conflicts.precedence)}
        names = [rules[r.rule] for r in o.reasons if r.outcome in ("owner", "lost") and r.rule in rules]
        names += [EXPIRY for r in o.reasons if r.outcome == "expired"]
        if o.vendor_decides:
            vendor = [conflict_item(i, r) for i, r in enumerate(conflicts.precedence)
                      if r.rule == "tie_break" and r.by == "vendor_decides"]
            names += vendor or [OTHERWISE]
        return names

    def _deal(self, run: DealRun) -> list[str]:
        """What a deal's history reached: the rules that decided each event on arrival, the expiries, the
        vendor left to decide, and what decided the owner at each instant the case asks about."""
        names: list[str] = []
        for arrival in run.history.arrivals:
            version = self.versions.get(arrival.version or "")
            if version is None or version.conflicts is None or arrival.status == PENDING:
                continue
            precedence = version.conflicts.precedence
            rules = {rule_name(r): conflict_item(i, r) for i, r in enumerate(precedence)}
            if arrival.reason.rule in rules:
                names.append(rules[arrival.reason.rule])
            if arrival.reason.rule_id == "otherwise":
                names.append(OTHERWISE)
            if arrival.status == EXPIRED:
                names.append(EXPIRY)
        names += [EXPIRY for c in run.history.changes if c.cause.startswith("expiry of ")]
        for ownership in run.owners.values():
            names += self._ownership(ownership)
        return names

    def _routing(self, r: Routing) -> list[str]:
        """A key told two partners apart (they were equal on the keys before it); a condition left someone out."""
        version = self.versions.get(r.version)
        routing = version.lead_routing if version is not None else None
        if routing is None:
            return []
        keys = len(routing.order)
        names = [ELIGIBLE if x.reason == "not eligible for this lead" else SKIP_WHEN for x in r.left_out]
        for a, b in itertools.combinations(r.order, 2):
            split = next((i for i in range(keys) if a.why[i:i + 1] != b.why[i:i + 1]), None)
            if split is not None:
                names.append(routing_item(routing.order[split], self.ruleset))
        return names

    def _resellers(self, n: NewReseller) -> list[str]:
        """A reseller routing key left a distributor out; equals took turns."""
        names: list[str] = []
        for route in n.routes:
            version = self.versions.get(route.version)
            routing = version.hierarchy.routing if version is not None and version.hierarchy is not None else None
            if routing is None:
                continue
            keys = {k.at: reseller_item(k, self.ruleset) for k in routing.order}
            names += [keys[x.at] for x in route.left_out if x.key in ("prefer", "fewest") and x.at in keys]
            names += [RESELLER_TURN for x in route.left_out if x.key == "among_equals"]
        return names

    def _bonus(self, line: Line) -> list[str]:
        found = self.bonus_steps.get(line.at) if line.at is not None else None
        if found is None:
            return []
        bonus, step, kind = found
        # A one-off bonus pays only the highest target reached; a cumulative one pays each.
        return [rule_label(ir.RuleRef.bonus(bonus, n))
                for n in (range(1, step + 1) if kind == "cumulative" else (step,))]


def rule_name(rule: ir.ConflictRule) -> str:
    """A conflict rule as the runtime names it in its reasons: `first_registration`, `tie_break (higher_tier)`."""
    return f"{rule.rule} ({rule.by})" if rule.by else rule.rule


def conflict_item(index: int, rule: ir.ConflictRule) -> str:
    """A conflict rule as an item, by position and name: conflict rule 5 `tie_break` by higher_tier."""
    return f"conflict rule {index + 1} `{rule.rule}`" + (f" by {rule.by}" if rule.by else "")


def routing_item(key: ir.RoutingKey, ruleset: ir.RuleSet) -> str:
    """A routing key as an item: lead routing `by: tier`, lead routing `prefer: partner.segment == lead.segment`."""
    if key.prefer is None:
        return f"lead routing `by: {key.by}`"
    return f"lead routing `prefer: {condition_text(key.prefer, ruleset)}`"


def reseller_item(key: ir.ResellerKey, ruleset: ir.RuleSet) -> str:
    """A reseller routing key as an item: new resellers `prefer: partner.focus == applicant.focus`, … `fewest: x`."""
    if key.prefer is None:
        return f"new resellers `fewest: {key.fewest}`"
    return f"new resellers `prefer: {condition_text(key.prefer, ruleset)}`"


def condition_text(expr: ir.Expr, ruleset: ir.RuleSet) -> str:
    """An expression as a program writes it (with parentheses around every compound operand)."""
    def sub(node: ir.Expr) -> str:
        text = condition_text(node, ruleset)
        return text if isinstance(node, ir.Const | ir.Field | ir.ListOf | ir.Call) else f"({text})"

    match expr:
        case ir.Const(type="money", value=value):
            return format_amount(value, ruleset.currency, ruleset.minor_unit)
        case ir.Const(type="percent", value=value):
            return format_rate(Fraction(value))
        case ir.Const(type="boolean", value=value):
            return "true" if value else "false"
        case ir.Const(type="text", value=value):
            return f'"{value}"'
        case ir.Const(value=ir.Duration(amount=amount, unit=unit)):
            return f"{amount}{unit}"
        case ir.Const(value=Fraction() as value) if value.denominator != 1:
            return format_rate(value / 100).rstrip("%")
        case ir.Const(value=value):
            return str(value)
        case ir.Field(scope=scope, name=name):
            return f"{scope}.{name}"
        case ir.ListOf(items=items):
            return "[" + ", ".join(condition_text(i, ruleset) for i in items) + "]"
        case ir.Neg(operand=x):
            return f"-{sub(x)}"
        case ir.Not(operand=x):
            return f"not {sub(x)}"
        case ir.Arith(op=op, left=a, right=b) | ir.Compare(op=op, left=a, right=b):
            return f"{sub(a)} {op} {sub(b)}"
        case ir.And(left=a, right=b):
            return f"{sub(a)} and {sub(b)}"
        case ir.Or(left=a, right=b):
            return f"{sub(a)} or {sub(b)}"
        case ir.In(negated=negated, item=item, items=items):
            listed = ", ".join(condition_text(i, ruleset) for i in items)
            return f"{sub(item)} {'not in' if negated else 'in'} [{listed}]"
        case ir.If(condition=c, then=a, otherwise=b):
            return f"if {sub(c)} then {sub(a)} else {sub(b)}"
        case ir.Call(function=function, args=args):
            return f"{function}(" + ", ".join(condition_text(a, ruleset) for a in args) + ")"
    return "…"


def coverage_items(ruleset: ir.RuleSet) -> list[str]:
    """The items of a program, across its versions, in the order the program declares them."""
    versions = ruleset.versions
    items: dict[str, None] = {}
    # `otherwise` is reachable only in a chain without a `tie_break` that leaves the choice to the vendor.
    otherwise = [v for v in versions if v.conflicts and v.conflicts.otherwise == "vendor_decides"
                 and not any(r.rule == "tie_break" and r.by == "vendor_decides" for r in v.conflicts.precedence)]
    groups: list[Iterable[str]] = [
        (rule_label(ir.RuleRef.ladder(lad.id, i)) for v in versions for lad in v.ladders
         for i in range(1, len(lad.steps) + 1)),
        (rule_label(ir.RuleRef.bonus(b.id, i)) for v in versions for b in v.bonuses
         for i in range(1, len(b.steps) + 1)),
        (rule_label(ir.RuleRef.tier(t.id)) for v in versions if v.tiers for t in v.tiers.levels),
        (rule_label(ir.RuleRef.benefit(b.id)) for v in versions for b in v.benefits),
        (rule_label(ir.RuleRef.margin_cap(c.id)) for v in versions if v.price_rules for c in v.price_rules.margin_caps),
        (rule_label(ir.RuleRef.pass_through(p.id)) for v in versions if v.price_rules
         for p in v.price_rules.pass_through),
        ("price rule `above_list`" for v in versions if v.price_rules and v.price_rules.ceiling == "list_price"),
        ("price rule `below_floor`" for v in versions if v.price_rules and v.price_rules.max_discount is not None),
        ("price rule `catalog_price`" for v in versions if v.catalog is not None),
        ("price rule `fee_below_minimum`" for v in versions if v.price_rules and v.price_rules.min_fee is not None),
        ("price rule `above_cost`" for v in versions if v.price_rules for p in v.price_rules.pass_through
         if p.billed is not None and p.markup != "allowed"),
        (rule_label(ir.RuleRef.contract(c.id)) for v in versions for c in v.contracts),
        (rule_label(ir.RuleRef.hierarchy_level(lv.level)) for v in versions if v.hierarchy
         for lv in v.hierarchy.levels),
        (EXPIRY for v in versions if v.conflicts and v.conflicts.expires_after is not None),
        (conflict_item(i, r) for v in versions if v.conflicts for i, r in enumerate(v.conflicts.precedence)),
        (OTHERWISE for _ in otherwise),
        (routing_item(k, ruleset) for v in versions if v.lead_routing for k in v.lead_routing.order),
        (ELIGIBLE for v in versions if v.lead_routing and v.lead_routing.eligible is not None),
        (SKIP_WHEN for v in versions if v.lead_routing and v.lead_routing.skip_when is not None),
        (NEW_RESELLERS for v in versions if (v.lead_routing and v.lead_routing.new_resellers)
         or (v.hierarchy and v.hierarchy.new_resellers)),
        (reseller_item(k, ruleset) for v in versions if v.hierarchy and v.hierarchy.routing
         for k in v.hierarchy.routing.order),
        (RESELLER_TURN for v in versions if v.hierarchy and v.hierarchy.routing),
        (f"version {v.version}" for v in versions),
    ]
    for group in groups:
        items.update((name, None) for name in group)
    return list(items)
