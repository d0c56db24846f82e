"""Sections on a partner's standing: tiers and benefits, price rules, and the distributor hierarchy."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from runtime import ir
from runtime.engine.operators import children
from runtime.guides._charts import Box, flow_chart
from runtime.guides._context import Context
from runtime.guides._model import Block, Bullets, Examples, Figure, Para, Section, Table
from runtime.guides._reviews import review_section
from runtime.guides._rich import Rich, capital, code, join, plain, rich
from runtime.model import Partner, Quote

# --- tiers ------------------------------------------------------------------------------------------


def tiers(ctx: Context) -> Section | None:
    """The tier table, qualification examples, and the benefits."""
    levels = ctx.version.tiers
    if levels is None:
        return None
    say, speak = ctx.say, ctx.speak
    qualify = speak.of_reviews() if levels.review is not None else speak
    none = rich(say.word("none"))
    rows = []
    for tier in levels.levels:
        always = isinstance(tier.qualify, ir.Const) and tier.qualify.value is True
        benefits = [ctx.text(b.title, b.id) for b in ctx.version.benefits if b.id in tier.benefits]
        held = say("tiers.assigned_cell") if tier.assigned else say("tiers.everyone") if always \
            else qualify.condition(tier.qualify)
        rows.append((speak.tier_title(tier.id), held, speak.value(tier.uplift) if tier.uplift is not None else none,
                     ctx.listing(benefits) if benefits else none))
    headers = (say("col.tier"), say("col.qualify"), say("col.uplift"), say("col.benefits"))
    blocks: list[Block] = [*_tiers_intro(ctx, levels), Table(headers, tuple(rows), (2,), "ppl-tiers")]
    example = _qualification_examples(ctx, levels)
    if example is not None:
        blocks.append(example)
    reviewed = review_section(ctx, levels)
    children = ((reviewed,) if reviewed is not None else ()) + ((_benefits(ctx),) if ctx.version.benefits else ())
    return Section("tiers", say("tiers"), tuple(blocks), children)


def _tiers_intro(ctx: Context, levels: ir.Tiers) -> list[Block]:
    """How a partner's tier is decided: by the vendor (assigned tiers), by the qualifications, or both."""
    say = ctx.say
    assigned = [ctx.speak.tier_title(t.id) for t in levels.levels if t.assigned]
    if len(assigned) == len(levels.levels):
        return [Para(say("tiers.intro.assigned"))]
    intro: list[Block] = [Para(say("tiers.intro", cadence=say.word(f"cadence.{levels.cadence}")))]
    return [*intro, Para(say("tiers.assigned", tiers=ctx.listing(assigned)))] if assigned else intro


def _declared_type(ctx: Context, scope: str, name: str) -> str:
    decl = next((i for i in ctx.ruleset.inputs if i.scope == scope and i.name == name), None)
    return decl.type if decl is not None else "integer"


def _field_type(type_name: str) -> ir.ValueType:
    return ir.value_type(type_name) if type_name in ("money", "integer", "number", "percent", "boolean", "date",
                                                     "text") else "enum"


def _shown(ctx: Context, type_name: str, value: Any) -> Rich:
    if isinstance(value, bool):
        return rich(("yes" if value else "no") if ctx.lang == "en" else ("はい" if value else "いいえ"))
    if type_name == "money":
        return ctx.short(int(value))
    if isinstance(value, int | Fraction):
        return rich(ctx.fmt.number(value))
    return rich(code(str(value)))


def _qualification_cases(tier: ir.Tier) -> list[dict[str, Any]] | None:
    """The partner values at a tier's thresholds, and with each threshold just missed."""
    if not tier.requirements or any(r.field[0] != "partner" for r in tier.requirements):
        return None
    at: dict[str, Any] = {}
    for req in tier.requirements:
        if req.op in (">=", "=="):
            at[req.field[1]] = req.value
        elif req.op == ">" and isinstance(req.value, int):
            at[req.field[1]] = req.value + 1
        else:
            return None
    out = [at]
    for req in tier.requirements:
        name, value = req.field[1], at[req.field[1]]
        if isinstance(value, bool):
            out.append({**at, name: not value})
        elif req.op in (">=", ">") and isinstance(value, int) and value > 0:
            out.append({**at, name: value - (value // 100 if value >= 10_000 else 1)})
    return out


def _qualification_examples(ctx: Context, levels: ir.Tiers) -> Examples | None:
    cases, say = ctx.cases, ctx.say
    contract = (ctx.resale_contracts() or list(ctx.version.contracts))[0]
    columns: list[str] = []
    rows_values: list[dict[str, Any]] = []
    for tier in levels.levels:
        found = _qualification_cases(tier)
        if found is None:
            continue
        rows_values.extend(found)
        columns.extend(r.field[1] for r in tier.requirements or () if r.field[1] not in columns)
    if not rows_values:
        return None
    types = {name: _declared_type(ctx, "partner", name) for name in columns}
    period = cases.period("fiscal_year")
    lowest = next((t.id for t in reversed(levels.levels) if not t.assigned), None)  # an assigned tier would hold
    rows = []
    for values in rows_values:
        full = {name: values.get(name, 1 if name == "level" else _zero(types[name])) for name in columns}
        level = full.pop("level", 1) if "level" in full else 1
        partner = cases.partner("partner-a", contract.id, lowest, level=int(level), **full)
        statement = cases.settle([], [partner], period, partner.id, ("next_tier",))
        placed = ctx.speak.tier_title(statement.next_tier.name) if statement.next_tier else rich(say.word("none"))
        shown = {**full, "level": level} if "level" in columns else full
        rows.append((*(_shown(ctx, types[n], shown[n]) for n in columns), placed))
    headers = (*(capital(ctx.speak.label(ir.Field("partner", n, _field_type(types[n])))) for n in columns),
               say("col.result_tier"))
    numeric = tuple(i for i, n in enumerate(columns) if types[n] in ("money", "integer", "number"))
    return Examples(say("tiers.examples"), Table(tuple(headers), tuple(rows), numeric, "ppl-tier-examples"))


def _zero(type_name: str) -> Any:
    return False if type_name == "boolean" else 0


def _reads_facts(benefits: tuple[ir.Benefit, ...]) -> bool:
    """Whether a benefit's condition reads a dated fact (which quotes and statements explain when it fails)."""
    return any(isinstance(n, ir.Call) and n.function in ("valid_on", "count_valid_on")
               for b in benefits if b.when is not None for n in _nodes(b.when))


def _nodes(expr: ir.Expr) -> list[ir.Expr]:
    found: list[ir.Expr] = []
    todo = [expr]
    while todo:
        node = todo.pop()
        found.append(node)
        todo.extend(children(node))
    return found


def _benefits(ctx: Context) -> Section:
    say, speak = ctx.say, ctx.speak
    none = rich(say.word("none"))
    tiers = ctx.version.tiers.levels if ctx.version.tiers else ()
    rows = []
    for benefit in ctx.version.benefits:
        holders = [speak.tier_title(t.id) for t in tiers if benefit.id in t.benefits]
        rows.append((ctx.text(benefit.title, benefit.id), ctx.listing(holders) if holders else none,
                     speak.condition(benefit.when) if benefit.when is not None else none,
                     speak.value(benefit.value) if benefit.value is not None else none))
    headers = (say("col.benefit"), say("col.tiers"), say("col.condition"), say("col.value"))
    blocks: list[Block] = [Table(headers, tuple(rows), (3,), "ppl-benefits")]
    if _reads_facts(ctx.version.benefits):
        blocks.append(Para(say("benefits.withheld")))
    if tiers:
        contract = (ctx.resale_contracts() or list(ctx.version.contracts))[0]
        best = tiers[0].id
        partner = ctx.cases.partner("partner-a", contract.id, best)
        q = ctx.cases.quote(ctx.cases.sale(partner.id, ctx.cases.list_price), [partner], ("benefits",))
        ids = [f.rule.id for f in q.benefits if f.rule.kind == "benefit"]
        titles = [ctx.text(b.title, b.id) for i in ids for b in ctx.version.benefits if b.id == i]
        blocks.append(Para(say("benefits.examples", who=ctx.who(best, contract),
                               list=ctx.listing(titles) if titles else none)))
    return Section("benefits", say("benefits.title"), tuple(blocks))


# --- price rules ------------------------------------------------------------------------------------


def catalog(ctx: Context) -> Section | None:
    """The price catalog: each SKU with its category, unit and list prices by date, and what a disagreeing price
    does."""
    found = ctx.version.catalog
    if found is None:
        return None
    say = ctx.say
    rows = []
    for item in found.items:
        prices = ctx.listing([say("catalog.price_from", price=ctx.money(price), day=rich(ctx.fmt.date(start)))
                              for start, price in item.prices])
        rows.append((rich(code(item.sku)), ctx.text(item.title, item.sku), rich(code(item.category)),
                     rich(item.unit or "—"), prices))
    headers = (say("col.sku"), say("col.item"), say("col.category"), say("col.unit"), say("col.list_price"))
    blocks: list[Block] = [Para(say("catalog.intro")), Table(headers, tuple(rows), (), "ppl-catalog"),
                           Para(say("catalog.disagree", action=rich(say.word(f"action.{found.action}"))))]
    return Section("catalog", say("catalog"), tuple(blocks))


def prices(ctx: Context) -> Section | None:
    """Ceiling, discretion, channel limit, margin caps and pass-through costs, with examples."""
    rules = ctx.version.price_rules
    if rules is None:
        return None
    say, speak = ctx.say, ctx.speak
    items: list[Rich] = []

    def action(name: str) -> Rich:
        return rich(say.word(f"action.{name}"))

    if rules.ceiling == "list_price":
        items.append(say("price.ceiling", action=action(rules.ceiling_action)))
    elif rules.ceiling == "none":
        items.append(say("price.no_ceiling"))
    if rules.max_discount is not None:
        items.append(say("price.discount", rate=speak.value(rules.max_discount),
                         action=action(rules.max_discount_action)))
    if rules.min_fee is not None:
        items.append(say("price.min_fee", amount=ctx.money(rules.min_fee), action=action(rules.min_fee_action)))
    if rules.max_channel_margin is not None:
        items.append(say("price.channel", rate=speak.value(rules.max_channel_margin)))
    for cap in rules.margin_caps:
        items.append(say("price.cap", title=ctx.text(cap.title, cap.id), condition=speak.condition(cap.when),
                         cap=speak.value(cap.cap)))
    for p in rules.pass_through:
        passed = say("price.pass", title=ctx.text(p.title, p.id), amount=speak.value(p.amount), fee=speak.value(p.fee))
        items.append(rich(passed, say("price.fee_cap", cap=ctx.short(p.fee_cap))) if p.fee_cap is not None else passed)
        if p.billed is not None:
            title = ctx.text(p.title, p.id)
            if p.markup == "allowed":
                items.append(say("price.markup_allowed", title=title))
            elif p.max_markup is not None:
                items.append(say("price.markup_max", title=title, rate=speak.value(p.max_markup),
                                 action=action(p.action)))
            else:
                items.append(say("price.markup_none", title=title, action=action(p.action)))
    if rules.zero_price:
        items.append(say("price.zero", products=", ".join(rules.zero_price)))
    items.append(say("price.refund"))
    items.append(say("price.reported"))
    blocks: list[Block] = [Bullets(tuple(items))]
    examples = _price_examples(ctx, rules)
    if examples:
        blocks.append(Examples((), None, tuple(examples)))
    return Section("prices", say("prices"), tuple(blocks))


def _found(ctx: Context, kinds: str) -> Rich:
    names = [rich(ctx.say.word(f"violation.{k}")) for k in kinds.split(",") if k]
    return ctx.listing(names) if names else rich(ctx.say.word("ex.price_none"))


def _judged(ctx: Context, key: str, judged: Quote | str, **values: Any) -> Rich:
    """An example of a sale a price rule judges: rejected (with its code), held (with its code) or reported."""
    if isinstance(judged, str):
        return ctx.say(f"{key}_rejected", code=judged, **values)
    held = [v for v in judged.violations if v.action == "hold"]
    if held:
        return ctx.say(f"{key}_held", code=held[0].code, **values)
    return ctx.say(key, found=_found(ctx, ",".join(v.kind for v in judged.violations)), **values)


def _satisfy(expr: ir.Expr) -> dict[str, Any] | None:
    """Transaction fields that make a simple condition hold (None when it is not that simple)."""
    match expr:
        case ir.Compare(op="==", left=ir.Field(scope="transaction", name=name), right=ir.Const(value=value)):
            return {name: value}
        case ir.In(negated=False, item=ir.Field(scope="transaction", name=name), items=items) if items and \
                isinstance(items[0], ir.Const):
            return {name: items[0].value}
        case ir.And(left=a, right=b):
            left, right = _satisfy(a), _satisfy(b)
            return {**left, **right} if left is not None and right is not None else None
    return None


def _price_examples(ctx: Context, rules: ir.PriceRules) -> list[Rich]:
    cases, say = ctx.cases, ctx.say
    resale = ctx.resale_contracts()
    if not resale:
        return []
    out: list[Rich] = []
    price = cases.list_price
    partner = cases.partner("partner-a", resale[0].id, ctx.tier_ids()[-1])
    listed = ctx.money(price)
    if isinstance(rules.max_discount, ir.Const) and rules.max_discount.type == "percent":
        discount = Fraction(rules.max_discount.value)
        q = cases.quote(cases.sale(partner.id, price, int(price * (1 - discount))), [partner],
                        ("sell_amount", "violations"))
        out.append(say("ex.price_ok", sell=ctx.money(q.sell_amount), rate=ctx.rate(discount), list=listed))
        deeper = discount + Fraction(5, 100)
        sell = int(price * (1 - deeper))
        judged = cases.judge(cases.sale(partner.id, price, sell), [partner], ("sell_amount", "violations"))
        out.append(_judged(ctx, "ex.price_floor", judged, sell=ctx.money(sell), rate=ctx.rate(deeper)))
    if rules.ceiling == "list_price":
        sell = price * 105 // 100
        judged = cases.judge(cases.sale(partner.id, price, sell), [partner], ("sell_amount", "violations"))
        out.append(_judged(ctx, "ex.price_above", judged, sell=ctx.money(sell), list=listed))
    best = ctx.tier_ids()[0]
    for cap in rules.margin_caps:
        values = _satisfy(cap.when)
        if values is None:
            continue
        top = cases.partner("partner-b", resale[0].id, best)
        q = cases.quote(cases.sale(top.id, price, **values), [top], ("uncapped", "margin", "wholesale"))
        before = sum((f.value for f in q.rates if f.name in ("base margin", "tier uplift", "ladder rate")),
                     Fraction(0))
        key = "ex.cap_binds" if any(f.name == "margin cap" for f in q.rates) else "ex.cap_free"
        out.append(say(key, who=ctx.who(best, resale[0]), condition=ctx.speak.condition(cap.when),
                       before=ctx.rate(before), margin=ctx.rate(q.margin), list=listed,
                       wholesale=ctx.money(q.wholesale or 0)))
    for p in rules.pass_through:
        if not (isinstance(p.amount, ir.Field) and p.amount.scope == "transaction" and p.amount.type == "money"):
            continue
        q = cases.quote(cases.sale(partner.id, 0, **{p.amount.name: price}), [partner],
                        ("line:pass_through", "line:fee"))
        cost = sum(line.amount for line in q.lines if line.kind == "pass_through")
        fee = sum(line.amount for line in q.lines if line.kind == "fee")
        out.append(say("ex.pass", title=ctx.text(p.title, p.id), amount=listed, cost=ctx.money(cost),
                       fee=ctx.money(fee)))
    return out


# --- hierarchy --------------------------------------------------------------------------------------


def _new_resellers(ctx: Context, h: ir.Hierarchy, first: Rich) -> Rich:
    """Where would-be resellers go: the vendor, or a 1st-tier distributor chosen by the routing's keys, in turn."""
    say = ctx.say
    if h.new_resellers != "level_1":
        return say("hierarchy.new_vendor")
    keys: list[Rich] = []
    for key in h.routing.order if h.routing is not None else ():
        if ctx.fmt.has_text(key.title):
            keys.append(ctx.text(key.title, key.fewest or ""))
        elif key.prefer is not None:
            keys.append(say("hierarchy.new_prefer", condition=ctx.speak.condition(key.prefer)))
        elif key.fewest == "children":
            keys.append(say("hierarchy.new_children"))
        else:
            keys.append(say("hierarchy.new_fewest", field=rich(code(key.fewest or ""))))
    if not keys:
        return say("hierarchy.new_level_1", level=first)
    return say("hierarchy.new_order", level=first, keys=join(keys, "; " if ctx.lang == "en" else "、次に"))


def hierarchy(ctx: Context) -> Section | None:
    """The distributor hierarchy: levels, a diagram and a sale made at every depth."""
    h = ctx.version.hierarchy
    if h is None:
        return None
    say, speak = ctx.say, ctx.speak
    levels = sorted((lv for lv in h.levels if lv.level <= h.max_depth), key=lambda lv: lv.level)
    first = speak.level_title(1) or rich("1")
    text = [say(f"hierarchy.{h.model}"), say("hierarchy.depth", n=str(h.max_depth)),
            say("hierarchy.first", level=first),
            _new_resellers(ctx, h, first)]
    blocks: list[Block] = [Para(rich(*_sentences(ctx, text)))]
    rows = tuple((rich(str(lv.level)), ctx.text(lv.title, str(lv.level)), speak.value(lv.margin)) for lv in levels)
    blocks.append(Table((say("col.level"), say("col.title"), say("col.margin")), rows, (0, 2), "ppl-levels"))
    boxes = [Box(plain(say("hierarchy.vendor")), plain(ctx.text(ctx.ruleset.title, ctx.ruleset.program_id)))]
    boxes += [Box(plain(ctx.text(lv.title, str(lv.level))), plain(say("hierarchy.box", margin=speak.value(lv.margin))))
              for lv in levels]
    boxes.append(Box(plain(say("hierarchy.customer")), ""))
    caption = say("hierarchy.chart")
    blocks.append(Figure(flow_chart(ctx.ruleset.program_id, plain(caption), boxes), caption, "ppl-hierarchy"))
    blocks.append(_chain_examples(ctx, levels))
    return Section("hierarchy", say("hierarchy"), tuple(blocks))


def _sentences(ctx: Context, parts: list[Rich]) -> list[Rich]:
    out: list[Rich] = []
    for index, part in enumerate(parts):
        if index and ctx.lang == "en":
            out.append(rich(" "))
        out.append(part)
    return out


def _chain_examples(ctx: Context, levels: list[ir.Level]) -> Examples:
    cases, say, speak = ctx.cases, ctx.say, ctx.speak
    resale = ctx.resale_contracts()
    contract = next((c for c in resale if c.margin is None), resale[0] if resale else ctx.version.contracts[0])
    tier = ctx.tier_ids()[-1]
    none = rich(say.word("none"))
    rows = []
    for depth in range(1, len(levels) + 1):
        chain: list[Partner] = []
        for k in range(depth):
            chain.append(cases.partner(f"level-{k + 1}", contract.id, tier if k == 0 else None, levels[k].level,
                                       chain[-1].id if chain else None))
        shown = ("pays:level-1", *(f"keeps:{p.id}" for p in chain))
        q = cases.quote(cases.sale(chain[-1].id, cases.list_price), chain, shown)
        keeps = {s.partner: s.keeps for s in q.chain}
        rows.append((ctx.text(levels[depth - 1].title, str(depth)), ctx.money(q.chain[0].pays),
                     *(ctx.money(keeps[f"level-{k + 1}"]) if k < depth else none for k in range(len(levels)))))
    headers = (say("col.sold_by"), say("col.vendor_gets"),
               *(say("col.level_keeps", level=ctx.text(lv.title, str(lv.level))) for lv in levels))
    intro = say("hierarchy.examples", list=ctx.money(cases.list_price),
                tier=speak.tier_title(tier) if tier else none)
    return Examples(intro, Table(headers, tuple(rows), tuple(range(1, len(levels) + 2)), "ppl-chain-examples"))
