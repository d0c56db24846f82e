"""The per-transaction quote as SQL: version by date, base margin, tier uplift, caps, wholesale, gross.

Built as CTEs over `transactions` joined to `partners`, each column a sqlglot expression:

    q_input   one row per transaction with its partner's columns, amounts and version index
    q_rates   contract kind, base margin, uplift, caps (rates over the program scale S), services, fee
    q_cap<k>  the lowest applicable cap so far (one CTE per cap of the largest version)
    q_priced  margin, ladder headroom under a cap, signed services, capped referral fee
    q_lines   wholesale, partner gross (the margin line), services and referral fee lines, rounded
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlglot import exp

from runtime import ir
from runtime.decisions.quote import _is_rate  # the oracle's own test of a rate-valued referral fee
from runtime.sql import _exprs as x
from runtime.sql._exprs import Num, Refused, Translator

BUILTIN_PARTNER = {"id": "partner", "tier": "p_tier", "level": "p_level", "contract": "p_contract"}
BUILTIN_TRANSACTION = {"partner": "partner", "contract": "contract", "product": "product",
                       "list_price": "list_price", "sell_price": "sell_price", "quantity": "quantity"}
VOLUMES = ("sales", "purchases", "list_sales", "quantity", "deals")


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table)


def resolver(ruleset: ir.RuleSet, period: bool) -> x.Resolve:
    """Fields → columns of q_input (transaction rules) or of a period grid (`period=True`: bonus conditions)."""
    declared = {(d.scope, d.name) for d in ruleset.inputs}

    def resolve(node: ir.Field) -> exp.Expr:
        where = f" at {node.at}" if node.at is not None else ""
        name = f"`{node.scope}.{node.name}`"
        if node.scope == "partner":
            if node.name in BUILTIN_PARTNER:
                return col(BUILTIN_PARTNER[node.name])
            if ("partner", node.name) in declared:
                return col(f"p_{node.name}")
        elif node.scope == "transaction" and not period:
            if node.name in BUILTIN_TRANSACTION:
                return col(BUILTIN_TRANSACTION[node.name])
            if ("transaction", node.name) in declared:
                return col(f"t_{node.name}")
        elif node.scope == "period" and period and node.name in VOLUMES:
            return col(f"v_{node.name}")
        raise Refused(f"the field {name} in this rule{where}")

    return resolve


@dataclass(slots=True)
class Rates:
    """The translated rules of every version, before they are put into CASE arms."""

    scale: int = 1  # S: every rate column (margin, uplift, caps, headroom) is a numerator over S
    base: list[tuple[exp.Expr, Num]] = field(default_factory=list)
    uplift: list[tuple[exp.Expr, Num]] = field(default_factory=list)
    caps: list[list[tuple[exp.Expr, exp.Expr, Num]]] = field(default_factory=list)  # per slot k
    kind: list[tuple[exp.Expr, str]] = field(default_factory=list)
    services: list[tuple[exp.Expr, Num]] = field(default_factory=list)
    fees: list[tuple[exp.Expr, Num, bool, int | None]] = field(default_factory=list)  # (cond, fee, rate?, cap)


def _is(column: str, value: int | str) -> exp.Expr:
    literal = x.lit(value) if isinstance(value, int) else exp.Literal.string(value)
    return exp.EQ(this=col(column), expression=literal)


def collect_rates(ruleset: ir.RuleSet, tr: Translator, extra_rates: list[int]) -> Rates:
    """Translate every transaction-level rule (refusing what cannot be translated), per version."""
    rates = Rates()
    problems: list[str] = []

    def attempt(fn: object, *args: object) -> None:
        try:
            fn(*args)  # type: ignore[operator]
        except Refused as exc:
            problems.append(str(exc))

    for i, version in enumerate(ruleset.versions):
        in_version = _is("vidx", i)
        for contract in version.contracts:
            cond = exp.and_(in_version, _is("contract", contract.id))
            rates.kind.append((cond, contract.kind))
            if contract.margin is not None and contract.kind != "referral":
                attempt(lambda c=cond, m=contract.margin: rates.base.append((c, tr.num(m))))
            if contract.services is not None and contract.kind != "referral":
                attempt(lambda c=cond, s=contract.services: rates.services.append((c, tr.num(s))))
            if contract.kind == "referral" and contract.fee is not None:
                attempt(lambda c=cond, k=contract: rates.fees.append(
                    (c, tr.num(k.fee), _is_rate(k.fee), k.fee_cap)))
        for tier in version.tiers.levels if version.tiers is not None else ():
            if tier.uplift is not None:
                cond = exp.and_(in_version, _is("p_tier", tier.id))
                attempt(lambda c=cond, u=tier.uplift: rates.uplift.append((c, tr.num(u))))
        caps = version.price_rules.margin_caps if version.price_rules is not None else ()
        for k, cap in enumerate(caps):
            while len(rates.caps) <= k:
                rates.caps.append([])
            attempt(lambda k=k, c=cap, v=in_version: rates.caps[k].append((v, tr.cond(c.when), tr.num(c.cap))))
    if problems:
        raise Refused("; ".join(problems))
    scales = [n.scale for _, n in rates.base + rates.uplift] + [n.scale for slot in rates.caps for _, _, n in slot]
    rates.scale = math.lcm(1, *scales, *extra_rates)
    return rates


def _rate_case(arms: list[tuple[exp.Expr, Num]], scale: int) -> exp.Expr:
    return x.case([(c, x.rescale(n, scale)) for c, n in arms], x.lit(0))


def version_index(ruleset: ir.RuleSet) -> exp.Expr:
    """The index of the version in force on `t.date` (NULL when none is), as `RuleSet.version_on`."""
    arms = []
    for i, version in reversed(list(enumerate(ruleset.versions))):
        day = col("date", "t")
        starts = exp.GTE(this=day, expression=_date(version.effective_from.isoformat()))
        then: exp.Expr = x.lit(i)
        if version.effective_until is not None:
            then = x.case([(exp.LTE(this=day, expression=_date(version.effective_until.isoformat())), then)])
        arms.append((starts, then))
    return x.case(arms)


def _date(text: str) -> exp.Expr:
    return exp.cast(exp.Literal.string(text), "DATE")


def quote_ctes(ruleset: ir.RuleSet, tr: Translator, rates: Rates,
               where: exp.Expr | None = None) -> list[tuple[str, exp.Select]]:
    """The CTEs of a quote, in order (the last, q_lines, has every quote column)."""
    wide = x.wide_type(tr.dialect)
    s = rates.scale

    def w(column: str) -> exp.Expr:
        return exp.Cast(this=col(column, "t"), to=wide)

    contract = exp.Coalesce(this=exp.Nullif(this=col("contract", "t"), expression=exp.Literal.string("")),
                            expressions=[col("contract", "p")])
    inputs = [exp.alias_(col(d.name, "t" if d.scope == "transaction" else "p"),
                         f"{'t' if d.scope == 'transaction' else 'p'}_{d.name}")
              for d in ruleset.inputs if d.scope in ("transaction", "partner")]
    q_input = exp.select(
        exp.alias_(col("id", "t"), "id"), exp.alias_(col("date", "t"), "date"),
        exp.alias_(col("partner", "t"), "partner"), exp.alias_(contract, "contract"),
        exp.alias_(col("product", "t"), "product"), exp.alias_(w("list_price"), "list_price"),
        exp.alias_(w("sell_price"), "sell_price"), exp.alias_(w("quantity"), "quantity"),
        exp.alias_(col("tier", "p"), "p_tier"), exp.alias_(col("level", "p"), "p_level"),
        exp.alias_(col("contract", "p"), "p_contract"), *inputs,
        exp.alias_(x.mul(w("list_price"), w("quantity")), "list_amount"),
        exp.alias_(x.mul(w("sell_price"), w("quantity")), "sell_amount"),
        exp.alias_(version_index(ruleset), "vidx"),
    ).from_(exp.alias_(exp.to_table("transactions"), "t")).join(
        exp.alias_(exp.to_table("partners"), "p"), on=exp.EQ(this=col("id", "p"), expression=col("partner", "t")))
    if where is not None:
        q_input = q_input.where(where)
    ctes: list[tuple[str, exp.Select]] = [("q_input", q_input)]

    services_scale = math.lcm(1, *(n.scale for _, n in rates.services))
    fee_scale = math.lcm(1, *(n.scale for _, n, _, _ in rates.fees))
    sign = x.case([(exp.LT(this=col("quantity"), expression=x.lit(0)), x.lit(-1))], x.lit(1))
    fee_arms, cap_arms = [], []
    for cond, fee, is_rate, cap in rates.fees:
        raw = x.rescale(fee, fee_scale)
        fee_arms.append((cond, x.mul(raw, col("sell_amount") if is_rate else sign)))
        if cap is not None:
            cap_arms.append((cond, x.typed(cap * fee_scale, tr.dialect)))
    cap_columns = []
    for k, slot in enumerate(rates.caps):
        cap_columns.append(exp.alias_(x.case([(exp.and_(v, c), exp.true()) for v, c, _ in slot], exp.false()),
                                      f"cap_on_{k}"))
        cap_columns.append(exp.alias_(x.case([(v, x.rescale(n, s)) for v, _, n in slot], x.lit(0)), f"cap_{k}"))
    q_rates = exp.select(
        exp.Star(), exp.alias_(x.case([(c, exp.Literal.string(k)) for c, k in rates.kind]), "kind"),
        exp.alias_(_rate_case(rates.base, s), "base"), exp.alias_(_rate_case(rates.uplift, s), "uplift"),
        *cap_columns,
        exp.alias_(x.case([(c, x.rescale(n, services_scale)) for c, n in rates.services]), "services_n"),
        exp.alias_(x.case(fee_arms), "fee_n"), exp.alias_(x.case(cap_arms), "fee_cap"),
    ).from_("q_input").where(exp.Not(this=exp.Is(this=col("vidx"), expression=exp.Null())))
    # A transaction whose date no version covers, or whose contract is unknown, is rejected by the row engine.
    ctes.append(("q_rates", q_rates))
    wide_null = exp.Cast(this=exp.Null(), to=wide)
    prev = exp.select(exp.Star(), exp.alias_(x.add(col("base"), col("uplift")), "total"),
                      exp.alias_(wide_null, "mincap_0")).from_("q_rates").where(
        exp.Not(this=exp.Is(this=col("kind"), expression=exp.Null())))
    ctes.append(("q_cap", prev))
    source = "q_cap"
    for k in range(len(rates.caps)):
        on, cap_k, low = col(f"cap_on_{k}"), col(f"cap_{k}"), col(f"mincap_{k}")
        lower = exp.or_(exp.Is(this=low, expression=exp.Null()), exp.LT(this=cap_k, expression=low))
        step = exp.select(exp.Star(), exp.alias_(x.case([(exp.and_(on, lower), cap_k)], low), f"mincap_{k + 1}")
                          ).from_(source)
        ctes.append((f"q_cap{k}", step))
        source = f"q_cap{k}"
    mincap = col(f"mincap_{len(rates.caps)}")
    has_cap = exp.Not(this=exp.Is(this=mincap, expression=exp.Null()))
    referral = _is("kind", "referral")  # a referral contract earns a fee; it has no margin, caps or headroom
    margin = x.case([(referral, x.lit(0)), (exp.and_(has_cap, exp.LT(this=mincap, expression=col("total"))),
                                            mincap)], col("total"))
    headroom = x.case([(referral, exp.Null()), (has_cap, x.case([(exp.GT(this=mincap, expression=col("total")),
                                          x.sub(mincap, col("total")))], x.lit(0)))])
    fee_capped = x.case([(exp.and_(exp.Not(this=exp.Is(this=col("fee_cap"), expression=exp.Null())),
                                   exp.GT(this=exp.Abs(this=col("fee_n")), expression=col("fee_cap"))),
                          x.case([(exp.GT(this=col("fee_n"), expression=x.lit(0)), col("fee_cap"))],
                                 exp.Neg(this=col("fee_cap"))))], col("fee_n"))
    services = x.case([(exp.LT(this=col("quantity"), expression=x.lit(0)), exp.Neg(this=exp.Abs(this=col(
        "services_n"))))], col("services_n"))
    ctes.append(("q_priced", exp.select(exp.Star(), exp.alias_(margin, "margin"), exp.alias_(headroom, "headroom"),
                                        exp.alias_(fee_capped, "fee_c"), exp.alias_(services, "services_v")
                                        ).from_(source)))
    mode, unit = ruleset.rounding_mode, ruleset.rounding_unit
    wholesale = x.case([(referral, exp.Null())], x.round_ratio(
        x.mul(col("list_amount"), x.sub(x.lit(s), col("margin"))), s, unit, mode, tr.dialect))
    ctes.append(("q_whole", exp.select(
        exp.Star(), exp.alias_(wholesale, "wholesale"),
        exp.alias_(x.case([(exp.Is(this=col("services_v"), expression=exp.Null()), exp.Null())],
                          x.round_ratio(col("services_v"), services_scale, unit, mode, tr.dialect)), "services"),
        exp.alias_(x.case([(exp.Is(this=col("fee_c"), expression=exp.Null()), exp.Null())],
                          x.round_ratio(col("fee_c"), fee_scale, unit, mode, tr.dialect)), "referral_fee"),
    ).from_("q_priced")))
    ctes.append(("q_lines", exp.select(
        exp.Star(), exp.alias_(x.case([(referral, x.lit(0))], x.sub(col("sell_amount"), col("wholesale"))),
                               "partner_gross"),
        exp.alias_(x.case([(referral, x.lit(0))], col("wholesale")), "purchases"),
    ).from_("q_whole")))
    return ctes


def version_name(ruleset: ir.RuleSet) -> exp.Expr:
    return x.case([(_is("vidx", i), exp.Literal.string(v.version)) for i, v in enumerate(ruleset.versions)])


def quote_select(ruleset: ir.RuleSet, rates: Rates, dialect: str) -> exp.Select:
    """The final SELECT of the quote query, over q_lines."""
    big = exp.DataType.build("BIGINT")

    def out(e: exp.Expr, name: str) -> exp.Expr:
        return exp.alias_(exp.Cast(this=e, to=big), name)

    return exp.select(
        col("id"), col("date"), col("partner"), exp.alias_(version_name(ruleset), "version"), col("contract"),
        col("kind"), out(col("list_amount"), "list_amount"), out(col("sell_amount"), "sell_amount"),
        out(col("margin"), "margin_num"), exp.alias_(x.lit(rates.scale), "rate_den"),
        out(col("headroom"), "headroom_num"),
        out(x.case([(_is("kind", "referral"), exp.Null())], col("wholesale")), "wholesale"),
        out(col("partner_gross"), "partner_gross"), out(col("services"), "services"),
        out(col("referral_fee"), "referral_fee"),
    ).from_("q_lines").order_by(col("id"))
