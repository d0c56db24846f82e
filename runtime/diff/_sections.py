"""The constructs of one version's sections (contracts, ladders, bonuses, tiers …), as `Entity` records."""

from __future__ import annotations

from runtime import ir
from runtime.diff._entities import Attr, Entity, Texts, by_occurrence, expr_attr, plain, rate, title, words


def sections(version: ir.Version, t: Texts) -> list[Entity]:
    """Every construct of a version's sections, in the order the reference documents them."""
    found: list[Entity] = [
        *(_contract(c, t) for c in version.contracts),
        *(_ladder(lad, t) for lad in version.ladders),
        *(_bonus(b, t) for b in version.bonuses),
    ]
    if version.tiers is not None:
        found.append(_tiers(version.tiers, t))
    found.extend(_benefit(b, t) for b in version.benefits)
    if version.price_rules is not None:
        found.append(_price_rules(version.price_rules, t))
    if version.catalog is not None:
        found.append(_catalog(version.catalog, t))
    if version.hierarchy is not None:
        found.append(_hierarchy(version.hierarchy, t))
    if version.conflicts is not None:
        found.append(_conflicts(version.conflicts, t))
    if version.lead_routing is not None:
        found.append(_lead_routing(version.lead_routing, t))
    return found


def _contract(c: ir.Contract, t: Texts) -> Entity:
    at = c.at
    return Entity("contract", c.id, None, at, (
        plain("kind", c.kind, at), title(c.title, at), expr_attr("margin", c.margin, t, at),
        plain("ladder", c.ladder, at), Attr("bonuses", c.bonuses, words(c.bonuses) if c.bonuses else None, at),
        expr_attr("services", c.services, t, at), expr_attr("fee", c.fee, t, at),
        Attr("fee_cap", c.fee_cap, t.money(c.fee_cap), at), Attr("margin_cap", c.margin_cap, t.money(c.margin_cap), at),
    ))


def _threshold(start: int, strict: bool, basis: str, t: Texts) -> str | None:
    shown = t.volume(start, basis)
    return f"above {shown}" if strict else shown


def _ladder(lad: ir.Ladder, t: Texts) -> Entity:
    at = lad.at
    steps = tuple(Entity("ladder_step", lad.id, i, s.at, (
        Attr("from", (s.start, s.strict), _threshold(s.start, s.strict, lad.basis, t), s.at),
        Attr("to", s.end, t.volume(s.end, lad.basis), s.at),
        Attr("rate", s.rate, rate(s.rate), s.at),
    )) for i, s in enumerate(lad.steps, 1))
    return Entity("ladder", lad.id, None, at, (
        title(lad.title, at), plain("basis", lad.basis, at), plain("period", lad.period, at),
        plain("mode", lad.mode, at), Attr("volume_cap", lad.volume_cap, t.volume(lad.volume_cap, lad.basis), at),
    ), steps)


def _bonus(b: ir.Bonus, t: Texts) -> Entity:
    at = b.at
    steps = tuple(Entity("bonus_step", b.id, i, s.at, (
        Attr("target", (s.target, s.strict), _threshold(s.target, s.strict, b.basis, t), s.at),
        Attr("pay", (s.pay_money, s.pay_rate), t.money(s.pay_money) if s.pay_money is not None else rate(s.pay_rate),
             s.at),
    )) for i, s in enumerate(b.steps, 1))
    return Entity("bonus", b.id, None, at, (
        title(b.title, at), plain("basis", b.basis, at), plain("period", b.period, at), plain("kind", b.kind, at),
        expr_attr("when", b.when, t, at), Attr("cap", b.cap, t.money(b.cap), at),
        Attr("volume_cap", b.volume_cap, t.volume(b.volume_cap, b.basis), at),
    ), steps)


def _tiers(tiers: ir.Tiers, t: Texts) -> Entity:
    at = tiers.at
    review = tiers.review
    levels = tuple(Entity("tier", tier.id, None, tier.at, (
        title(tier.title, tier.at), plain("assigned", tier.assigned, tier.at),
        expr_attr("qualify", None if tier.assigned else tier.qualify, t, tier.at),
        expr_attr("margin_uplift", tier.uplift, t, tier.at),
        Attr("benefits", tier.benefits, words(tier.benefits) if tier.benefits else None, tier.at),
    )) for tier in tiers.levels)
    order = tuple(tier.id for tier in tiers.levels)
    return Entity("tiers", "", None, at, (
        plain("cadence", tiers.cadence, at), Attr("order", order, words(order), at),
        plain("review.window", review.window if review else None, review.at if review else at),
        plain("review.months", review.months if review else None, review.at if review else at),
        plain("review.keep", review.keep if review else None, review.at if review else at),
        plain("review.grace", review.grace if review else None, review.at if review else at),
    ), levels)


def _benefit(b: ir.Benefit, t: Texts) -> Entity:
    at = b.at
    return Entity("benefit", b.id, None, at, (
        plain("kind", b.kind, at), title(b.title, at), expr_attr("when", b.when, t, at),
        expr_attr("value", b.value, t, at),
    ))


def _price_rules(p: ir.PriceRules, t: Texts) -> Entity:
    at = p.at
    caps = tuple(Entity("margin_cap", m.id, None, m.at, (
        title(m.title, m.at), expr_attr("when", m.when, t, m.at), expr_attr("cap", m.cap, t, m.at),
    )) for m in p.margin_caps)
    passes = tuple(Entity("pass_through", e.id, None, e.at, (
        title(e.title, e.at), expr_attr("amount", e.amount, t, e.at), expr_attr("fee", e.fee, t, e.at),
        Attr("fee_cap", e.fee_cap, t.money(e.fee_cap), e.at), expr_attr("billed", e.billed, t, e.at),
        plain("markup", e.markup, e.at), expr_attr("max_markup", e.max_markup, t, e.at),
        plain("action", e.action, e.at),
    )) for e in p.pass_through)
    return Entity("price_rules", "", None, at, (
        plain("ceiling", p.ceiling, at), plain("ceiling_action", p.ceiling_action, at),
        expr_attr("max_discount", p.max_discount, t, at), plain("max_discount_action", p.max_discount_action, at),
        expr_attr("max_channel_margin", p.max_channel_margin, t, at),
        Attr("min_fee", p.min_fee, t.money(p.min_fee), at), plain("min_fee_action", p.min_fee_action, at),
        Attr("zero_price", p.zero_price, words(p.zero_price) if p.zero_price else None, at),
    ), caps + passes)


def _catalog(c: ir.Catalog, t: Texts) -> Entity:
    at = c.at
    items = tuple(Entity("catalog_item", i.sku, None, i.at, (
        title(i.title, i.at), plain("category", i.category, i.at), plain("unit", i.unit, i.at),
        Attr("list_price", i.prices, ", ".join(f"from {day.isoformat()}: {t.money(price)}" for day, price in i.prices),
             i.at),
    )) for i in c.items)
    return Entity("catalog", "", None, at, (
        Attr("categories", c.categories, words(c.categories), at), plain("action", c.action, at),
    ), items)


def _hierarchy(h: ir.Hierarchy, t: Texts) -> Entity:
    at = h.at
    levels = tuple(Entity("hierarchy_level", "", lv.level, lv.at, (
        title(lv.title, lv.at), expr_attr("margin", lv.margin, t, lv.at),
    )) for lv in h.levels)
    routing = h.routing
    keys = tuple(Entity("reseller_key", "", i, k.at, (
        expr_attr("prefer", k.prefer, t, k.at), plain("fewest", k.fewest, k.at), title(k.title, k.at),
    )) for i, k in enumerate(routing.order if routing else (), 1))
    return Entity("hierarchy", "", None, at, (
        plain("model", h.model, at), plain("max_depth", h.max_depth, at), plain("new_resellers", h.new_resellers, at),
        plain("among_equals", routing.among_equals if routing else None, routing.at if routing else at),
    ), levels + keys)


def _conflicts(c: ir.Conflicts, t: Texts) -> Entity:
    at = c.at
    names = tuple(by_occurrence([r.rule for r in c.precedence]))
    rules = tuple(Entity("conflict_rule", name, None, r.at, (
        plain("by", r.by, r.at), expr_attr("when", r.when, t, r.at), title(r.title, r.at),
        plain("needs_registration", r.needs_registration, r.at), plain("applies", r.applies, r.at),
        Attr("order", r.order, words(r.order) if r.order else None, r.at),
    )) for name, r in zip(names, c.precedence, strict=True))
    return Entity("conflicts", "", None, at, (
        plain("expires_after", c.expires_after, at), plain("renewals", c.renewals, at),
        plain("renewal_period", c.renewal_period, at), Attr("precedence", names, words(names), at),
        plain("otherwise", c.otherwise, at),
    ), rules)


def _lead_routing(r: ir.LeadRouting, t: Texts) -> Entity:
    at = r.at
    keys = tuple(Entity("routing_key", "", i, k.at, (
        plain("by", k.by, k.at), expr_attr("prefer", k.prefer, t, k.at), title(k.title, k.at),
    )) for i, k in enumerate(r.order, 1))
    return Entity("lead_routing", "", None, at, (
        expr_attr("eligible", r.eligible, t, at), plain("among_equals", r.among_equals, at),
        expr_attr("skip_when", r.skip_when, t, at), plain("new_resellers", r.new_resellers, at),
    ), keys)
