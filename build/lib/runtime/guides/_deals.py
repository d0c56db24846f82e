"""Sections on deals and leads: deal registration and conflict rules, and lead routing, with decided examples."""

from __future__ import annotations

import datetime
from typing import Any

from runtime import ir
from runtime.decisions import Claim, Deal, Lead, Ownership, lead_env
from runtime.engine import EvaluationError, operators
from runtime.guides._cases import deal_at
from runtime.guides._context import Context
from runtime.guides._model import Block, Bullets, Examples, Para, Section, Table
from runtime.guides._rich import Rich, code, join, rich
from runtime.model import Partner

# --- conflicts --------------------------------------------------------------------------------------


def conflicts(ctx: Context) -> Section | None:
    """Registration, the precedence of conflict rules in plain words, and decided examples."""
    rules = ctx.version.conflicts
    if rules is None:
        return None
    say = ctx.say
    text: list[Rich] = []
    if rules.expires_after is not None:
        text.append(say("conflicts.expiry", duration=ctx.fmt.duration(rules.expires_after)))
        renewal = ctx.fmt.duration(rules.renewal_period or rules.expires_after)
        if rules.renewals == 1:
            text.append(say("conflicts.renewal", duration=renewal))
        elif rules.renewals > 1:
            text.append(say("conflicts.renewals", n=str(rules.renewals), duration=renewal))
    else:
        text.append(say("conflicts.no_expiry"))
    blocks: list[Block] = [Para(join(text, " " if ctx.lang == "en" else ""))]
    if any(r.rule == "first_registration" for r in rules.precedence):
        summary = say("conflicts.summary", duration=ctx.fmt.duration(rules.expires_after)) \
            if rules.expires_after is not None else say("conflicts.summary_open")
        blocks.append(Para(summary))
    blocks.append(Para(say("conflicts.arrival")))
    blocks.append(Para(say("conflicts.intro")))
    items = [_rule(ctx, r) for r in rules.precedence]
    if rules.otherwise == "vendor_decides":
        items.append(say("rule.otherwise"))
    blocks.append(Bullets(tuple(items), ordered=True))
    scenes = _Scenes(ctx, rules)
    examples = _conflict_examples(ctx, rules, scenes)
    if examples:
        day = ctx.fmt.date(scenes.deal.at.date())
        blocks.append(Examples(say("conflicts.examples", date=day), None, tuple(examples)))
    return Section("conflicts", say("conflicts"), tuple(blocks))


def _rule(ctx: Context, rule: ir.ConflictRule) -> Rich:
    """A conflict rule in words, under the program's own title when it gives one."""
    say = ctx.say
    key = f"rule.{rule.rule}.{rule.by or 'vendor_decides'}" if rule.rule == "tie_break" else f"rule.{rule.rule}"
    by = say.word(f"by.{rule.by}") if rule.by else ""
    if rule.rule == "exclusivity":
        which = "rule.exclusivity.text" if rule.needs_registration else "rule.exclusivity.unregistered"
        text = say(which, condition=ctx.speak.condition(rule.when)) if rule.when is not None \
            else say("rule.exclusivity.always")
    elif rule.rule == "customer_choice" and rule.applies == "when_documented":
        text = say("rule.customer_choice.when_documented")
    elif rule.rule == "tie_break" and rule.by == "order":
        text = say(f"{key}.text", order=join([rich(code(p)) for p in rule.order], ", " if ctx.lang == "en" else "、"))
    else:
        text = say(f"{key}.text")
    title = ctx.text(rule.title, rule.rule) if ctx.fmt.has_text(rule.title) else say(key, by=by)
    return say("rule.line", title=title, text=text)


def _members(ctx: Context, scope: str, name: str) -> tuple[str, ...]:
    decl = next((i for i in ctx.ruleset.inputs if i.scope == scope and i.name == name), None)
    return ctx.ruleset.enums.get(decl.type, ()) if decl is not None else ()


def _exclusive(ctx: Context, when: ir.Expr | None) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]] | None:
    """Fields that give one partner the exclusive right and not another: (holder, other, deal)."""
    match when:
        case ir.Compare(op="==", left=ir.Field(scope="partner", name=p), right=ir.Field(scope="deal", name=d)) | \
                ir.Compare(op="==", left=ir.Field(scope="deal", name=d), right=ir.Field(scope="partner", name=p)):
            members = _members(ctx, "partner", p)
            if len(members) > 1:
                return {p: members[0]}, {p: members[1]}, {d: members[0]}
        case ir.Compare(op="==", left=ir.Field(scope="partner", name=p), right=ir.Const(value=v)):
            others = [m for m in _members(ctx, "partner", p) if m != v]
            if others:
                return {p: v}, {p: others[0]}, {}
    return None


_Scenario = tuple[list[tuple[str, Claim]], list[Partner], Deal, list[tuple[str, Partner]]]
"""The claims as described (message key, claim), the partners, the deal, and partners shown without a claim."""


class _Scenes:
    """Example contests, one or more per rule of the chain, each built so that the rule it is about decides."""

    def __init__(self, ctx: Context, rules: ir.Conflicts) -> None:
        self.ctx, self.rules = ctx, rules
        cases = ctx.cases
        self.contract = (ctx.resale_contracts() or list(ctx.version.contracts))[0]
        tiers = ctx.tier_ids()
        # Registrations before the program began are outside it: start late enough for an expired one to fit.
        day = cases.day
        if rules.expires_after is not None:
            stale = operators.sub(day + datetime.timedelta(days=25), rules.expires_after)
            assert isinstance(stale, datetime.date)
            first = min(v.effective_from for v in ctx.ruleset.versions)
            day += max(first - stale, datetime.timedelta())
        self.t0, self.t10 = deal_at(day), deal_at(day + datetime.timedelta(days=10))
        # Base partners hold no exclusive right, so that each scenario shows the rule it is about.
        self.exclusive = next((found for r in rules.precedence if r.rule == "exclusivity"
                               for found in [_exclusive(ctx, r.when)] if found is not None), None)
        self.holder, self.other, deal_fields = self.exclusive if self.exclusive is not None else ({}, {}, {})
        self.a = cases.partner("partner-a", self.contract.id, tiers[0], **self.other)
        self.b = cases.partner("partner-b", self.contract.id, tiers[-1], **self.other)
        self.letters = {self.a.id: 0, self.b.id: 1}  # Partner A, Partner B
        self.deal = Deal("example-customer", deal_at(day + datetime.timedelta(days=30)),
                         cases.fields("deal", **deal_fields))

    def plain(self, first: tuple[str, Claim], second: tuple[str, Claim]) -> _Scenario:
        return [first, second], [self.a, self.b], self.deal, []

    def of(self, rule: ir.ConflictRule) -> list[_Scenario]:
        a, b, t0, t10 = self.a, self.b, self.t0, self.t10
        match rule.rule:
            case "exclusivity" if self.exclusive is not None:
                pa = self.ctx.cases.partner(a.id, self.contract.id, a.tier, **self.holder)
                if not rule.needs_registration:
                    return [([("claim.partner", Claim("b", b.id, t0))], [pa, b], self.deal, [("claim.territory", pa)])]
                return [([("claim.partner", Claim("b", b.id, t0)), ("claim.exclusive", Claim("a", a.id, t10))],
                         [pa, b], self.deal, [])]
            case "customer_choice":
                return [self.plain(("claim.partner", Claim("b", b.id, t0)),
                                   ("claim.choice", Claim("a", a.id, t10, customer_choice=True)))]
            case "partner_over_direct" | "direct_over_partner":
                return [self.plain(("claim.direct", Claim("direct", None, t0)),
                                   ("claim.partner", Claim("b", b.id, t10)))]
            case "first_registration":
                return self.first()
            case "tie_break":
                return self.tie(rule)
        return []

    def first(self) -> list[_Scenario]:
        a, b, deal = self.a, self.b, self.deal
        out = [self.plain(("claim.partner", Claim("b", b.id, self.t0)), ("claim.partner", Claim("a", a.id, self.t10)))]
        if self.rules.expires_after is None:
            return out
        start = operators.sub((deal.at - datetime.timedelta(days=5)).date(), self.rules.expires_after)
        assert isinstance(start, datetime.date)
        stale = deal_at(start)
        out.append(self.plain(("claim.partner", Claim("b", b.id, stale)),
                              ("claim.partner", Claim("a", a.id, deal.at - datetime.timedelta(days=2)))))
        out.append(self.plain(("claim.partner", Claim("b", b.id, stale)), ("claim.held", Claim("a", a.id, self.t10))))
        if self.rules.renewals > 0:
            out.append(self.plain(("claim.renewed", Claim("b", b.id, stale, renewals=1)),
                                  ("claim.partner", Claim("a", a.id, self.t10))))
        return out

    def tie(self, rule: ir.ConflictRule) -> list[_Scenario]:
        a, b, t0 = self.a, self.b, self.t0
        if rule.by == "higher_tier":
            return [self.plain(("claim.partner", Claim("b", b.id, t0)), ("claim.partner", Claim("a", a.id, t0)))] \
                if a.tier != b.tier else []
        if rule.by == "order" and rule.order:
            listed = self.ctx.cases.partner(rule.order[0], self.contract.id, a.tier, **self.other)
            self.letters[listed.id] = 1
            same = self.ctx.cases.partner(a.id, self.contract.id, a.tier, **self.other)
            return [([("claim.partner", Claim("a", a.id, t0)), ("claim.partner", Claim("b", listed.id, t0))],
                     [same, listed], self.deal, [])]
        if rule.by == "partner_id":
            same = self.ctx.cases.partner(b.id, self.contract.id, a.tier, **self.other)
            return [([("claim.partner", Claim("b", b.id, t0)), ("claim.partner", Claim("a", a.id, t0))],
                     [a, same], self.deal, [])]
        return []


def _conflict_examples(ctx: Context, rules: ir.Conflicts, scenes: _Scenes) -> list[Rich]:
    say = ctx.say
    out = []
    for rule in rules.precedence:
        for claims, partners, this_deal, shown in scenes.of(rule):
            result = ctx.cases.decide(this_deal, [c for _, c in claims], partners)
            names = {p.id: ctx.partner_name(scenes.letters.get(p.id, 0), p.tier) for p in partners}
            described = [say(key, who=names.get(c.partner or "", rich("")),
                             date=ctx.fmt.date(c.registered_at.date())) for key, c in claims]
            described += [say(key, who=names.get(p.id, rich(""))) for key, p in shown]
            out.append(_decision(ctx, join(described, "; " if ctx.lang == "en" else "、"), result, names))
    return out


def _decision(ctx: Context, listed: Rich, result: Ownership, names: dict[str, Rich]) -> Rich:
    say = ctx.say
    if result.owner is None:
        return say("decision.vendor" if result.vendor_decides else "decision.nobody", claims=listed)
    owner = names[result.owner.partner] if result.owner.partner else rich(say.word("direct"))
    rule_name = result.decided_by.rule_id if result.decided_by else "registration"
    by = result.decided_by.rule.partition("(")[2].rstrip(")") if result.decided_by else ""
    rule_name = f"{rule_name}.{by}" if say.has(f"why.{rule_name}.{by}") else rule_name
    why = say(f"why.{rule_name}") if say.has(f"why.{rule_name}") else rich(code(rule_name))
    return say("decision.owner", claims=listed, owner=owner, why=why)


# --- lead routing -----------------------------------------------------------------------------------


def routing(ctx: Context) -> Section | None:
    """Who is offered a lead first, and a routed example."""
    r = ctx.version.lead_routing
    if r is None:
        return None
    say, speak = ctx.say, ctx.speak
    items: list[Rich] = []
    if r.eligible is not None:
        items.append(say("routing.eligible", condition=speak.condition(r.eligible)))
    keys = []
    for key in r.order:
        if ctx.fmt.has_text(key.title):
            keys.append(ctx.text(key.title, key.by or ""))
        elif key.by == "tier":
            keys.append(say("routing.by_tier"))
        elif key.prefer is not None:
            keys.append(say("routing.prefer", condition=speak.condition(key.prefer)))
    if keys:
        items.append(say("routing.order", keys=join(keys, ", then " if ctx.lang == "en" else "、次に")))
    items.append(say(f"routing.{r.among_equals}"))
    if r.skip_when is not None:
        items.append(say("routing.skip", condition=speak.condition(r.skip_when)))
    wants_hierarchy = r.new_resellers == "hierarchy" and ctx.version.hierarchy is not None
    items.append(say("routing.new_hierarchy", section=ctx.see("hierarchy")) if wants_hierarchy
                 else say("routing.new_vendor"))
    blocks: list[Block] = [Bullets(tuple(items))]
    example = _routing_example(ctx, r)
    if example is not None:
        blocks.append(example)
    return Section("routing", say("routing"), tuple(blocks))


def _slot(ctx: Context, partner: Partner, lead: Lead, key: str) -> bool | None:
    try:
        value = ctx.cases.loaded().lead(lead_env(partner, lead)).get(key)
    except EvaluationError:
        return None
    return None if value is None else bool(value)


def _variants(ctx: Context, partner: Partner) -> list[tuple[str, Any, Partner]]:
    """Partners that differ from one partner in a single declared field (or the hierarchy level)."""
    out: list[tuple[str, Any, Partner]] = []
    for decl in ctx.ruleset.inputs:
        if decl.scope != "partner":
            continue
        current = partner.fields.get(decl.name)
        members = ctx.ruleset.enums.get(decl.type, ())
        choices: list[Any] = [m for m in members if m != current][:1]
        if decl.type == "boolean":
            choices = [not current]
        elif decl.type in ("integer", "money"):
            choices = [1000 if decl.type == "integer" else 10**12, 10]
        for value in choices:
            out.append((decl.name, value, Partner(partner.id, partner.contract, partner.tier, partner.level,
                                                  partner.parent, {**partner.fields, decl.name: value})))
    if ctx.version.hierarchy is not None:
        out.append(("level", 2, Partner(partner.id, partner.contract, partner.tier, 2, None, dict(partner.fields))))
    return out


def _find(ctx: Context, partner: Partner, lead: Lead, key: str, wanted: bool) -> tuple[str, Any, Partner] | None:
    for variant in _variants(ctx, partner):
        if _slot(ctx, variant[2], lead, key) is wanted:
            return variant
    return None


def _routing_example(ctx: Context, r: ir.LeadRouting) -> Examples | None:
    cases, say = ctx.cases, ctx.say
    contract = (ctx.resale_contracts() or list(ctx.version.contracts))[0]
    lead = Lead("example-lead", cases.day, cases.fields("lead"))
    base = cases.partner("partner", contract.id, ctx.tier_ids()[0])
    if r.skip_when is not None and _slot(ctx, base, lead, ir.routing_slot("skip_when")):
        found = _find(ctx, base, lead, ir.routing_slot("skip_when"), False)
        if found is None:
            return None
        base = found[2]
    rows: list[tuple[str, Rich, Partner]] = []
    for index, tier in enumerate(ctx.tier_ids()[:3]):
        partner = Partner(f"partner-{index}", contract.id, tier, base.level, None, dict(base.fields))
        rows.append((partner.id, say("routing.tier_only"), partner))
    middle = rows[min(1, len(rows) - 1)][2]
    for index, prefer in enumerate(r.order):
        if prefer.prefer is not None and _slot(ctx, middle, lead, ir.routing_slot("prefer", index)):
            found = _find(ctx, middle, lead, ir.routing_slot("prefer", index), False)
            if found is not None:
                rows.append(_variant_row(ctx, f"partner-{len(rows)}", found))
            break
    for key in (ir.routing_slot("eligible"), ir.routing_slot("skip_when")):
        expr = r.eligible if key == ir.routing_slot("eligible") else r.skip_when
        if expr is not None:
            found = _find(ctx, rows[0][2], lead, key, key == ir.routing_slot("skip_when"))
            if found is not None:
                rows.append(_variant_row(ctx, f"partner-{len(rows)}", found))
    partners = [p for _, _, p in rows]
    result = cases.route(lead, partners)
    placed = {p.partner: p.position for p in result.order}
    left = {p.partner: p for p in result.left_out}
    table = []
    for index, (pid, apart, partner) in enumerate(rows):
        if pid in placed:
            outcome = say("routing.position", n=str(placed[pid]))
        elif pid in left and left[pid].kind == "not_eligible":
            outcome = say("routing.not_eligible")
        elif pid in left and left[pid].kind == "at_capacity":
            outcome = say("routing.at_capacity")
        else:
            outcome = say("routing.left_out", reason=left[pid].reason if pid in left else "")
        table.append((ctx.partner_name(index, partner.tier), apart, outcome))
    headers = (say("col.partner"), say("col.differs"), say("col.result"))
    return Examples(say("routing.examples"), Table(headers, tuple(table), (), "ppl-routing-examples"))


def _variant_row(ctx: Context, pid: str, found: tuple[str, Any, Partner]) -> tuple[str, Rich, Partner]:
    name, value, partner = found
    moved = Partner(pid, partner.contract, partner.tier, partner.level, partner.parent, dict(partner.fields))
    if name == "level":
        label = ctx.speak.label(ir.Field("partner", "level", "integer"))
    else:
        decl = next(i for i in ctx.ruleset.inputs if i.scope == "partner" and i.name == name)
        label = ctx.speak.label(ir.Field("partner", name, ir.value_type(decl.type) if decl.type in (
            "money", "integer", "boolean") else "enum"))
    if isinstance(value, bool):
        shown = rich(("yes" if value else "no") if ctx.lang == "en" else ("はい" if value else "いいえ"))
    elif name != "level" and decl.type == "money":
        shown = ctx.short(int(value))
    elif isinstance(value, int):
        shown = rich(ctx.fmt.number(value))
    else:
        shown = rich(code(str(value)))
    return pid, rich(label, ": " if ctx.lang == "en" else "：", shown), moved
