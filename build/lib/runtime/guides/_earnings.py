"""Sections on what a partner earns: overview, contract types and the margin table."""

from __future__ import annotations

from fractions import Fraction

from runtime import ir
from runtime.guides._context import Context, section_id
from runtime.guides._model import Block, Bullets, Examples, Para, Section, Table
from runtime.guides._rich import Rich, rich
from runtime.model import Line


def overview(ctx: Context) -> Section:
    """What the program is, its money conventions, and how to read the examples."""
    say, fmt, rs = ctx.say, ctx.fmt, ctx.ruleset
    blocks: list[Block] = []
    if fmt.has_text(rs.description):
        blocks.append(Para(ctx.text(rs.description, rs.program_id)))
    items = [say("overview.contracts", list=ctx.listing([ctx.text(c.title, c.id) for c in ctx.version.contracts]))]
    currency = say.word(f"currency.{rs.currency}") if say.has(f"currency.{rs.currency}") else rs.currency
    items.append(say("overview.money", currency=currency, rounding=say.word(f"rounding.{rs.rounding_mode}"),
                     unit=fmt.money_short(rs.rounding_unit)))
    if any(c.kind != "referral" for c in ctx.version.contracts):
        items.append(say(f"overview.point.{rs.rounding.point}"))
    for kind, mode in rs.rounding.modes:
        if mode != rs.rounding.mode:
            items.append(say("overview.kind_rounding", kind=say.word(f"amount.{kind}"),
                             rounding=say.word(f"rounding.{mode}"), unit=fmt.money_short(rs.rounding_unit)))
    items.append(say("overview.fiscal", month=fmt.month(rs.fiscal_year_start)))
    if ctx.version.tiers is not None:
        tiers = [ctx.speak.tier_title(t.id) for t in ctx.version.tiers.levels]
        items.append(say("overview.tiers", list=ctx.listing(tiers),
                         cadence=say.word(f"cadence.{ctx.version.tiers.cadence}")))
    if rs.payout_cap is not None:
        items.append(say("overview.payout_cap", cap=fmt.money_short(rs.payout_cap)))
    if len(rs.versions) > 1:
        items.append(say("overview.versions", n=str(len(rs.versions)), section=ctx.see("versions")))
    blocks.append(Bullets(tuple(items)))
    blocks.append(Para(say("overview.examples", price=fmt.money(ctx.cases.list_price),
                           date=fmt.date(ctx.cases.day))))
    return Section("overview", say("overview"), tuple(blocks))


def contracts(ctx: Context) -> Section:
    """Each contract type: how the partner earns under it, with examples."""
    children = tuple(_contract(ctx, c) for c in ctx.version.contracts)
    return Section("contracts", ctx.say("contracts"), (), children)


def _contract(ctx: Context, contract: ir.Contract) -> Section:
    say, speak = ctx.say, ctx.speak
    title = rich(ctx.text(contract.title, contract.id), " — " if ctx.lang == "en" else "（",
                 say(f"kind.{contract.kind}"), "" if ctx.lang == "en" else "）")
    facts: list[Rich] = []
    if contract.kind != "referral":
        if contract.margin is not None:
            facts.append(say("contract.margin", value=speak.value(contract.margin)))
        elif ctx.version.hierarchy is not None:
            facts.append(say("contract.margin_level", section=ctx.see("hierarchy")))
    if contract.margin_cap is not None:
        facts.append(say("contract.margin_cap", cap=ctx.short(contract.margin_cap)))
    if contract.ladder is not None:
        ladder = next((lad for lad in ctx.version.ladders if lad.id == contract.ladder), None)
        if ladder is not None:
            facts.append(say("contract.ladder", title=ctx.text(ladder.title, ladder.id)))
    bonuses = [b for b in ctx.version.bonuses if b.id in contract.bonuses]
    if bonuses:
        facts.append(say("contract.bonuses", list=ctx.listing([ctx.text(b.title, b.id) for b in bonuses])))
    if contract.services is not None:
        facts.append(say("contract.services", value=speak.value(contract.services)))
    if contract.kind == "referral":
        facts.append(_fee(ctx, contract))
    blocks: list[Block] = [Para(say(f"explain.{contract.kind}")), Bullets(tuple(facts))]
    examples = _referral_examples(ctx, contract) if contract.kind == "referral" else _resale_examples(ctx, contract)
    if examples:
        blocks.append(Examples((), None, tuple(examples)))
    return Section(section_id("contract", contract.id), title, tuple(blocks))


def _fee(ctx: Context, contract: ir.Contract) -> Rich:
    say, fee = ctx.say, contract.fee
    if isinstance(fee, ir.Const) and fee.type == "percent":
        if contract.fee_cap is not None:
            return say("contract.fee_rate_cap", rate=ctx.rate(fee.value), cap=ctx.short(contract.fee_cap))
        return say("contract.fee_rate", rate=ctx.rate(fee.value))
    if isinstance(fee, ir.Const) and fee.type == "money":
        return say("contract.fee_money", amount=ctx.money(fee.value))
    return say("contract.fee_other", value=ctx.speak.value(fee) if fee is not None else rich("—"))


def _resale_examples(ctx: Context, contract: ir.Contract) -> list[Rich]:
    cases, say = ctx.cases, ctx.say
    tier = ctx.tier_ids()[-1]
    who = ctx.who(tier, contract)
    partner = cases.partner("partner-a", contract.id, tier)
    price = cases.list_price
    q = cases.quote(cases.sale(partner.id, price), [partner], ("list_amount", "wholesale", "margin", "keeps"))
    out = [say("ex.resale", who=who, list=ctx.money(q.list_amount), wholesale=ctx.money(q.wholesale or 0),
               margin=ctx.rate(q.margin), keeps=ctx.money(q.partner_gross))]
    rules = ctx.version.price_rules
    discount = rules.max_discount if rules is not None else None
    if isinstance(discount, ir.Const) and discount.type == "percent" and Fraction(discount.value) > 0:
        sell = int(price * (1 - Fraction(discount.value)))
        q = cases.quote(cases.sale(partner.id, price, sell), [partner], ("sell_amount", "keeps"))
        out.append(say("ex.discount", who=who, rate=ctx.rate(discount.value), sell=ctx.money(q.sell_amount),
                       keeps=ctx.money(q.partner_gross)))
    services = contract.services
    if isinstance(services, ir.Field) and services.scope == "transaction" and services.type == "money":
        amount = price // 4
        q = cases.quote(cases.sale(partner.id, price, **{services.name: amount}), [partner],
                        ("line:services", "keeps"))
        total = sum(line.amount for line in q.lines if line.kind == "services")
        out.append(say("ex.services", who=who, services=ctx.money(total), keeps=ctx.money(q.partner_gross)))
    return out


def _referral_examples(ctx: Context, contract: ir.Contract) -> list[Rich]:
    cases, say = ctx.cases, ctx.say
    partner = cases.partner("partner-a", contract.id, ctx.tier_ids()[-1])
    q = cases.quote(cases.sale(partner.id, cases.list_price), [partner], ("sell_amount", "line:referral_fee"))
    out = [say("ex.referral", sell=ctx.money(q.sell_amount), fee=ctx.money(_lines(q.lines, "referral_fee")))]
    fee = contract.fee
    if contract.fee_cap is not None and isinstance(fee, ir.Const) and fee.type == "percent" and fee.value:
        price = int(2 * contract.fee_cap / Fraction(fee.value))
        q = cases.quote(cases.sale(partner.id, price), [partner], ("sell_amount", "line:referral_fee"))
        out.append(say("ex.referral_cap", sell=ctx.money(q.sell_amount),
                       fee=ctx.money(_lines(q.lines, "referral_fee"))))
    return out


def _lines(lines: tuple[Line, ...], kind: str) -> int:
    return sum(line.amount for line in lines if line.kind == kind)


def margins(ctx: Context) -> Section | None:
    """The margin table: every resale contract by every tier, quoted at the sample list price."""
    say, cases = ctx.say, ctx.cases
    resale = ctx.resale_contracts()
    if not resale:
        return None
    rows: list[tuple[Rich, ...]] = []
    for contract in resale:
        for tier in ctx.tier_ids():
            partner = cases.partner("partner-a", contract.id, tier)
            q = cases.quote(cases.sale(partner.id, cases.list_price), [partner],
                            ("rate:base margin", "rate:tier uplift", "margin", "wholesale", "keeps"))
            base = sum((f.value for f in q.rates if f.name == "base margin"), Fraction(0))
            uplift = [f.value for f in q.rates if f.name == "tier uplift"]
            rows.append((ctx.text(contract.title, contract.id),
                         ctx.speak.tier_title(tier) if tier else rich(say.word("none")),
                         ctx.rate(base), ctx.rate(sum(uplift, Fraction(0))) if uplift else rich(say.word("none")),
                         ctx.rate(q.margin), ctx.money(q.wholesale or 0), ctx.money(q.partner_gross)))
    headers = tuple(say(k) for k in ("col.contract", "col.tier", "col.base", "col.uplift", "col.margin",
                                     "col.wholesale", "col.keeps"))
    blocks: list[Block] = [Para(say("margins.intro", list=ctx.money(cases.list_price))),
                           Table(headers, tuple(rows), (2, 3, 4, 5, 6), "ppl-margins")]
    hierarchy = ctx.version.hierarchy
    if hierarchy is not None and hierarchy.levels:
        level = ctx.speak.level_title(hierarchy.levels[0].level) or rich("1")
        blocks.append(Para(say("margins.level_note", level=level, section=ctx.see("hierarchy"))))
    return Section("margins", say("margins"), tuple(blocks))
