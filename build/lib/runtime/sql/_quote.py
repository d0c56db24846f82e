"""The per-transaction quote as SQL: version by date, the chain, margins, prices, pass-through, fees.

Built as CTEs over `transactions` joined to `partners`, each column a sqlglot expression:

    q_walk, q_chains  each partner's distributor chain (programs with a hierarchy; runtime.sql._chain)
    q_input    one row per transaction with its seller's (`p_*`) and chain's (`c<j>_*`) columns, amounts,
               version index
    q_kind     the contract's kind in the version in force
    q_first    the chain's length and the contract of the partner that buys from the vendor
    q_rates    base margin, uplift, caps, level margins (rates over the program scale S), services, fee,
               pass-through amounts and fees; only transactions the row engine accepts
    q_cap<k>   the lowest applicable cap so far (one CTE per cap of the largest version)
    q_priced   margin, ladder headroom under a cap, signed services and pass-through, capped referral fee
    q_rated    the exact price of each level of the chain, before rounding
    q_prices   each level's price and every line, rounded
    q_lines    what each level keeps (its margin line), wholesale and the seller's gross
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from fractions import Fraction

from sqlglot import exp

from runtime import ir
from runtime.decisions import Term, margin_cap_note, price_terms
from runtime.money import format_amount
from runtime.sql import _arith as x
from runtime.sql import _chain
from runtime.sql._arith import Num, case, col, is_, is_null, lit, not_null
from runtime.sql._rates import Arm, Rates, max_depth
from runtime.sql._rounding import round_ratio

Cte = tuple[str, exp.Select]


def depth_of(ruleset: ir.RuleSet) -> int:
    """How many levels of chain columns a query carries (1 without a hierarchy: the seller)."""
    return max(1, max_depth(ruleset))


def version_index(ruleset: ir.RuleSet) -> exp.Expr:
    """The index of the version in force on `t.date` (NULL when none is), as `RuleSet.version_on`."""
    arms = []
    for i, version in reversed(list(enumerate(ruleset.versions))):
        day = col("date", "t")
        starts = exp.GTE(this=day, expression=x.date(version.effective_from.isoformat()))
        then: exp.Expr = lit(i)
        if version.effective_until is not None:
            then = case([(exp.LTE(this=day, expression=x.date(version.effective_until.isoformat())), then)])
        arms.append((starts, then))
    return case(arms)


def _in_versions(vidx: exp.Expr, indices: list[int]) -> exp.Expr:
    return exp.In(this=x.paren(vidx), expressions=[lit(i) for i in indices]) if indices else exp.false()


def _hierarchical(ruleset: ir.RuleSet) -> list[int]:
    return [i for i, v in enumerate(ruleset.versions) if v.hierarchy is not None]


def _input(ruleset: ir.RuleSet, dialect: str, where: exp.Expr | None, carry: tuple[str, ...] = ()) -> list[Cte]:
    wide = x.wide_type(dialect)

    def w(column: str) -> exp.Expr:
        return exp.Cast(this=col(column, "t"), to=wide)

    named = exp.Nullif(this=col("contract", "t"), expression=exp.Literal.string(""))
    inputs = [exp.alias_(col(d.name, "t"), f"t_{d.name}") for d in ruleset.inputs if d.scope == "transaction"]
    seller = [exp.alias_(_chain.level("p") if name == "level" else col(name, "p"), f"p_{name}")
              for name in _chain.partner_columns(ruleset)]
    columns = [
        exp.alias_(col("id", "t"), "id"), exp.alias_(col("date", "t"), "date"),
        exp.alias_(col("partner", "t"), "partner"),
        exp.alias_(exp.Coalesce(this=named, expressions=[col("contract", "p")]), "contract"),
        exp.alias_(named.copy(), "contract_named"), exp.alias_(col("product", "t"), "product"),
        exp.alias_(w("list_price"), "list_price"), exp.alias_(w("sell_price"), "sell_price"),
        exp.alias_(w("quantity"), "quantity"), *seller, *inputs,
        exp.alias_(x.mul(w("list_price"), w("quantity")), "list_amount"),
        exp.alias_(x.mul(w("sell_price"), w("quantity")), "sell_amount"),
        exp.alias_(version_index(ruleset), "vidx"), *(exp.alias_(col(c, "t"), c) for c in carry)]
    depth = max_depth(ruleset)
    ctes: list[Cte] = []
    if depth:
        ctes += [("q_walk", _chain.walk_cte(ruleset, depth)),
                 ("q_chains", exp.select(*_chain.chain_columns(ruleset, depth)).from_("q_walk"))]
        flat = [i for i in range(len(ruleset.versions)) if i not in _hierarchical(ruleset)]
        in_flat = _in_versions(version_index(ruleset), flat)
        columns += [col("depth", "ch"), col("levels_ok", "ch")]
        for j in range(1, depth + 1):
            for name in _chain.partner_columns(ruleset):
                # Without a hierarchy in the version in force, the chain is the seller alone.
                value: exp.Expr = col(f"c{j}_{name}", "ch")
                if flat:
                    alone = (_chain.level("p") if name == "level" else col(name, "p")) if j == 1 else exp.Null()
                    value = case([(in_flat.copy(), alone)], value)
                columns.append(exp.alias_(value, f"c{j}_{name}"))
    query = exp.select(*columns).from_(exp.alias_(exp.to_table("transactions"), "t")).join(
        exp.alias_(exp.to_table("partners"), "p"), on=_and_in_force(
            ruleset, exp.EQ(this=col("id", "p"), expression=col("partner", "t")), "p"))
    if (items := _catalog(ruleset, dialect)) is not None:
        ctes.append(("q_catalog", items))
        day = col("date", "t")
        on = exp.and_(exp.EQ(this=col("c_sku", "ci"), expression=col("sku", "t")),
                      exp.EQ(this=col("c_vidx", "ci"), expression=version_index(ruleset)),
                      exp.GTE(this=day, expression=col("c_from", "ci")),
                      exp.Paren(this=exp.or_(is_null(col("c_until", "ci")),
                                             exp.LT(this=day.copy(), expression=col("c_until", "ci")))))
        query = query.join(exp.alias_(exp.to_table("q_catalog"), "ci"), on=on, join_type="left")
        query = query.select(col("sku", "t"), *(exp.alias_(col(f"c_{name}", "ci"), f"i_{name}")
                                                for name in ("sku", "category", "unit", "list_price")))
    if depth:
        query = query.join(exp.alias_(exp.to_table("q_chains"), "ch"),
                           on=_and_in_force(ruleset, exp.EQ(this=col("id", "ch"), expression=col("partner", "t")),
                                            "ch"))
    if where is not None:
        query = query.where(where)
    return [*ctes, ("q_input", query)]


def _and_in_force(ruleset: ir.RuleSet, on: exp.Expr, alias: str) -> exp.Expr:
    """A join to partner rows, on the row in force on the transaction's date when the program reviews tiers."""
    return exp.and_(on, _chain.in_force(alias, col("date", "t"))) if _chain.reviewed(ruleset) else on


def _first(ruleset: ir.RuleSet, rates: Rates) -> list[Cte]:
    """q_kind and q_first: the contract's kind, the chain's length and the first partner's contract."""
    referral = is_("kind", "referral")
    q_kind = exp.select(exp.Star(), exp.alias_(case([(c, exp.Literal.string(k)) for c, k in rates.kind]), "kind")
                        ).from_("q_input").where(not_null(col("vidx")))
    hierarchical = _hierarchical(ruleset)
    length = case([(referral, lit(0)), (_in_versions(col("vidx"), hierarchical), col("depth"))], lit(1)) \
        if hierarchical else case([(referral, lit(0))], lit(1))
    q_first = exp.select(exp.Star(), exp.alias_(length, "chain_len")).from_("q_kind").where(not_null(col("kind")))
    first = case([(exp.GT(this=col("chain_len"), expression=lit(1)), col("c1_contract"))], col("contract")) \
        if hierarchical else col("contract")
    q_first2 = exp.select(exp.Star(), exp.alias_(first, "first_contract")).from_("q_first0")
    return [("q_kind", q_kind), ("q_first0", q_first), ("q_first", q_first2)]


def accepted(ruleset: ir.RuleSet) -> exp.Expr:
    """Whether the row engine accepts a transaction's chain: known, within depth, levels in place."""
    arms = []
    for i, version in enumerate(ruleset.versions):
        if version.hierarchy is None:
            continue
        own = exp.In(this=col("first_contract"), expressions=[exp.Literal.string(c.id) for c in version.contracts])
        arms.append(exp.and_(is_("vidx", i), exp.Not(this=exp.Paren(this=exp.and_(
            _chain.known_chain(version), exp.or_(exp.EQ(this=col("chain_len"), expression=lit(1)), own))))))
    rejected = x.any_of(arms)
    return exp.or_(is_("kind", "referral"), exp.Not(this=exp.Paren(this=rejected)))


def _arms(arms: list[Arm], scale: int, default: exp.Expr | None = None) -> exp.Expr:
    return case([(c, x.rescale(n, scale)) for c, n in arms], default)


def _scale(nums: list[Num]) -> int:
    return math.lcm(1, *(n.scale for n in nums))


def pass_scales(rates: Rates) -> list[tuple[int, int]]:
    """The scales of each pass-through slot's amount and fee."""
    return [(_scale([n for _, n in s.amounts]), _scale([n for _, n in s.fees])) for s in rates.passes]


def _rates(ruleset: ir.RuleSet, rates: Rates, dialect: str) -> Cte:
    s = rates.scale
    services_scale = _scale([n for _, n in rates.services])
    fee_scale = _scale([n for _, n, _, _ in rates.fees])
    sign = case([(exp.LT(this=col("quantity"), expression=lit(0)), lit(-1))], lit(1))
    fee_arms, cap_arms = [], []
    for cond, fee, is_rate, cap in rates.fees:
        raw = x.rescale(fee, fee_scale)
        fee_arms.append((cond, x.mul(raw, col("sell_amount") if is_rate else sign)))
        if cap is not None:
            cap_arms.append((cond, x.typed(cap * fee_scale, dialect)))
    columns: list[exp.Expr] = [exp.Star(), exp.alias_(_arms(rates.base, s, lit(0)), "base"),
                               exp.alias_(_arms(rates.uplift, s, lit(0)), "uplift")]
    for k, slot in enumerate(rates.caps):
        columns.append(exp.alias_(case([(exp.and_(v, c), exp.true()) for v, c, _ in slot], exp.false()),
                                  f"cap_on_{k}"))
        columns.append(exp.alias_(case([(v, x.rescale(n, s)) for v, _, n in slot], lit(0)), f"cap_{k}"))
    for j in range(2, depth_of(ruleset) + 1):
        deep = exp.GTE(this=col("chain_len"), expression=lit(j))
        columns.append(exp.alias_(case([(deep, _arms(rates.levels.get(j, []), s, lit(0)))], lit(0)), f"m{j}"))
    columns += [exp.alias_(_arms(rates.services, services_scale), "services_n"),
                exp.alias_(case(fee_arms), "fee_n"), exp.alias_(case(cap_arms), "fee_cap")]
    for e, (entry, (a_scale, f_scale)) in enumerate(zip(rates.passes, pass_scales(rates), strict=True)):
        columns += [exp.alias_(_arms(entry.amounts, a_scale), f"pt{e}_n"),
                    exp.alias_(_arms(entry.fees, f_scale), f"ptf{e}_n")]
    # A transaction whose chain the row engine rejects (E512, E513) is left out, as it is there.
    query = exp.select(*columns).from_("q_first")
    if max_depth(ruleset):
        query = query.where(accepted(ruleset))
    if (priced := priced_out(ruleset)) is not None:
        query = query.where(exp.Not(this=exp.Paren(this=priced)))
    return "q_rates", query


def _catalog(ruleset: ir.RuleSet, dialect: str) -> exp.Select | None:
    """`q_catalog`: each version's SKUs, one row per price (from, until: the next price's start), or None."""
    rows: list[exp.Select] = []
    for i, version in enumerate(ruleset.versions):
        for item in version.catalog.items if version.catalog is not None else ():
            for k, (start, price) in enumerate(item.prices):
                until = item.prices[k + 1][0] if k + 1 < len(item.prices) else None
                rows.append(exp.select(
                    exp.alias_(lit(i), "c_vidx"), exp.alias_(x.text(item.sku), "c_sku"),
                    exp.alias_(x.date(start.isoformat()), "c_from"),
                    exp.alias_(x.date(until.isoformat()) if until else exp.cast(exp.Null(), "DATE"), "c_until"),
                    exp.alias_(x.text(item.category), "c_category"), exp.alias_(x.text(item.unit), "c_unit"),
                    exp.alias_(x.typed(price, dialect), "c_list_price")))
    if not rows:
        return None
    query: exp.Expr = rows[0]
    for row in rows[1:]:
        query = exp.union(query, row, distinct=False)
    return exp.select(exp.Star()).from_(exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier("c"))))


def priced_out(ruleset: ir.RuleSet) -> exp.Expr | None:
    """Whether a price rule rejects or holds a transaction (`ir.PRICE_CHECKS`): such a row is left out, as the
    row engine leaves it out of every total (None: no rule of the program can). Rules `_support` refuses
    (a discount that is not a constant, a minimum fee that rejects or holds) are not here."""
    arms = []
    for i, version in enumerate(ruleset.versions):
        rules = version.price_rules
        parts: list[exp.Expr] = []
        if version.catalog is not None:
            # An unknown SKU is rejected (E555); a list price other than the catalog's, unless flagged (E554).
            named = exp.Not(this=is_null(col("sku")))
            wrong = is_null(col("i_list_price"))
            if version.catalog.action != "flag":
                wrong = exp.or_(wrong, exp.NEQ(this=col("list_price"), expression=col("i_list_price")))
            parts.append(exp.and_(named, exp.Paren(this=wrong)))
        if rules is None:
            if parts:
                arms.append(exp.and_(is_("vidx", i), exp.Paren(this=x.any_of(parts))))
            continue
        if rules.ceiling == "list_price" and rules.ceiling_action != "flag":
            parts.append(exp.GT(this=col("sell_price"), expression=col("list_price")))
        discount = rules.max_discount
        if discount is not None and rules.max_discount_action != "flag" and isinstance(discount, ir.Const):
            d = Fraction(discount.value)
            parts.append(exp.LT(this=x.mul(col("sell_price"), lit(d.denominator)),
                                expression=x.mul(col("list_price"), lit(d.denominator - d.numerator))))
        if parts:
            arms.append(exp.and_(is_("vidx", i), exp.Paren(this=x.any_of(parts))))
    return x.any_of(arms) if arms else None


def _caps(rates: Rates, dialect: str) -> tuple[list[Cte], str]:
    wide_null = exp.Cast(this=exp.Null(), to=x.wide_type(dialect))
    ctes: list[Cte] = [("q_cap", exp.select(exp.Star(), exp.alias_(x.add(col("base"), col("uplift")), "total"),
                                            exp.alias_(wide_null, "mincap_0")).from_("q_rates"))]
    source = "q_cap"
    for k in range(len(rates.caps)):
        on, cap_k, low = col(f"cap_on_{k}"), col(f"cap_{k}"), col(f"mincap_{k}")
        lower = exp.or_(is_null(low), exp.LT(this=cap_k, expression=low))
        step = exp.select(exp.Star(), exp.alias_(case([(exp.and_(on, lower), cap_k)], low), f"mincap_{k + 1}")
                          ).from_(source)
        ctes.append((f"q_cap{k}", step))
        source = f"q_cap{k}"
    return ctes, source


def _priced(rates: Rates, source: str) -> Cte:
    mincap = col(f"mincap_{len(rates.caps)}")
    has_cap = not_null(mincap)
    referral = is_("kind", "referral")  # a referral contract earns a fee; it has no margin, caps or headroom
    margin = case([(referral, lit(0)), (exp.and_(has_cap, exp.LT(this=mincap, expression=col("total"))), mincap)],
                  col("total"))
    headroom = case([(referral, exp.Null()), (has_cap, case([(exp.GT(this=mincap, expression=col("total")),
                                                              x.sub(mincap, col("total")))], lit(0)))])
    fee_capped = case([(exp.and_(not_null(col("fee_cap")), exp.GT(this=exp.Abs(this=col("fee_n")),
                                                                   expression=col("fee_cap"))),
                        case([(exp.GT(this=col("fee_n"), expression=lit(0)), col("fee_cap"))],
                             exp.Neg(this=col("fee_cap"))))], col("fee_n"))
    refund = exp.LT(this=col("quantity"), expression=lit(0))

    def signed(column: str) -> exp.Expr:
        """A refund (negative quantity) reverses the amount."""
        return case([(refund.copy(), exp.Neg(this=exp.Abs(this=col(column))))], col(column))

    passes = [exp.alias_(case([(referral.copy(), exp.Null())], signed(f"pt{e}_n")), f"pt{e}_v")
              for e in range(len(rates.passes))]
    return "q_priced", exp.select(exp.Star(), exp.alias_(margin, "margin"), exp.alias_(headroom, "headroom"),
                                  exp.alias_(fee_capped, "fee_c"), exp.alias_(signed("services_n"), "services_v"),
                                  *passes).from_(source)


def _models(ruleset: ir.RuleSet) -> list[tuple[exp.Expr, str]]:
    """(condition, model) per hierarchy model in use; a single model needs no condition."""
    models: dict[str, list[int]] = {}
    for i, version in enumerate(ruleset.versions):
        models.setdefault(version.hierarchy.model if version.hierarchy else "nested", []).append(i)
    if len(models) == 1:
        return [(exp.true(), next(iter(models)))]
    return [(_in_versions(col("vidx"), indices), model) for model, indices in models.items()]


def _prices(ruleset: ir.RuleSet, rates: Rates, dialect: str) -> list[Cte]:
    s, depth = rates.scale, depth_of(ruleset)
    rounding = ruleset.rounding
    mode, unit = rounding.mode, rounding.unit
    rate_of = {1: col("margin"), **{j: col(f"m{j}") for j in range(2, depth + 1)}}

    def term_rate(term: Term) -> exp.Expr:
        total: exp.Expr = rate_of[term.levels[0] + 1]
        for j in term.levels[1:]:
            total = x.add(total, rate_of[j + 1])
        return x.sub(lit(s), total) if term.complement else total

    # The rounded amounts each level's price is made of (`price_terms`: the one statement of where a sale is
    # rounded), per hierarchy model in use; their exact values (list amount × a rate, scaled by s) first.
    models = _models(ruleset)
    terms = {model: price_terms(depth, model == "stacked", rounding) for _, model in models}
    exact: list[exp.Expr] = []
    names: dict[tuple[str, int, int], str] = {}
    for model, levels in terms.items():
        for k, priced in enumerate(levels):
            for t, term in enumerate(priced.terms):
                names[(model, k, t)] = name = f"n{len(names) + 1}"
                exact.append(exp.alias_(x.mul(col("list_amount"), term_rate(term)), name))
    # A contract's per-line `margin_cap` on the level-1 partner's margin (`Term.amount`), and what its line's label
    # adds when it bites, by version and the level-1 partner's contract.
    caps = [(i, c) for i, v in enumerate(ruleset.versions) for c in v.contracts if c.margin_cap is not None]
    if caps:
        def by_contract(value: Callable[[ir.Contract], exp.Expr]) -> exp.Expr:
            return case([(exp.and_(is_("vidx", i), exp.EQ(this=col("first_contract"),
                                                          expression=exp.Literal.string(c.id))), value(c))
                         for i, c in caps])
        money = functools.partial(format_amount, currency=ruleset.currency, minor_unit=ruleset.minor_unit)
        exact += [exp.alias_(by_contract(lambda c: lit(c.margin_cap or 0)), "mcap"),
                  exp.alias_(by_contract(lambda c: exp.Literal.string(margin_cap_note(c.margin_cap, money))),
                             "mcap_text")]
    rated = exp.select(exp.Star(), *exact).from_("q_priced")

    def limited(amount: exp.Expr, term: Term) -> tuple[exp.Expr, exp.Expr]:
        """A rounded amount under the margin cap, and whether the cap bit (`Term.amount`)."""
        margin = x.sub(col("list_amount"), amount) if term.complement else amount
        over, under = exp.GT(this=margin, expression=col("mcap")), exp.LT(this=margin.copy(), expression=exp.Neg(
            this=col("mcap")))
        held = case([(over, col("mcap")), (under, exp.Neg(this=col("mcap")))], margin.copy())
        bit = case([(exp.or_(over.copy(), under.copy()), exp.true())], exp.false())
        return (x.sub(col("list_amount"), held) if term.complement else held), bit

    def rounded(n: exp.Expr, scale: int, cond: exp.Expr, mode: str = mode) -> exp.Expr:
        return case([(cond, round_ratio(n, scale, unit, mode, dialect))])

    bits: dict[str, exp.Expr] = {}  # by model: whether the margin cap bit on level 1's margin

    def price(model: str, k: int) -> exp.Expr:
        priced = terms[model][k]
        total: exp.Expr = col("list_amount") if priced.base else lit(0)
        for t, term in enumerate(priced.terms):
            amount = round_ratio(col(names[(model, k, t)]), s, unit, term.mode, dialect)
            if caps and term.capped:
                amount, bits[model] = limited(amount, term)
            total = x.add(total, amount) if term.sign > 0 else x.sub(total, amount)
        return total

    columns: list[exp.Expr] = [exp.Star()]
    for k in range(1, depth + 1):
        made = price(models[0][1], k - 1) if len(models) == 1 else case([(c, price(m, k - 1)) for c, m in models])
        columns.append(exp.alias_(case([(exp.GTE(this=col("chain_len"), expression=lit(k)), made)]), f"pr{k}"))
    if caps:
        bit = bits[models[0][1]] if len(models) == 1 else case([(c, bits[m]) for c, m in models])
        columns.append(exp.alias_(case([(bit, col("mcap_text"))], exp.Literal.string("")), "mcap_note"))
    services_scale = _scale([n for _, n in rates.services])
    fee_scale = _scale([n for _, n, _, _ in rates.fees])
    columns += [exp.alias_(rounded(col("services_v"), services_scale, not_null(col("services_v"))), "services"),
                exp.alias_(rounded(col("fee_c"), fee_scale, not_null(col("fee_c")), rounding.mode_for("referral_fee")),
                           "referral_fee")]
    for e, (a_scale, f_scale) in enumerate(pass_scales(rates)):
        # Each pass-through entry whose amount is not zero: the amount at cost, and the fee on it (`ptf<e>_u`
        # before its `fee_cap`, which q_lines applies).
        some = exp.and_(not_null(col(f"pt{e}_v")), exp.NEQ(this=col(f"pt{e}_v"), expression=lit(0)))
        fee = rounded(x.mul(col(f"pt{e}_v"), col(f"ptf{e}_n")), a_scale * f_scale, some.copy(),
                      rounding.mode_for("pass_through_fee"))
        columns += [exp.alias_(rounded(col(f"pt{e}_v"), a_scale, some), f"pt{e}"),
                    exp.alias_(fee, f"ptf{e}_u" if rates.passes[e].fee_caps else f"ptf{e}")]
    return [("q_rated", rated), ("q_prices", exp.select(*columns).from_("q_rated"))]


def _capped_fees(rates: Rates) -> list[exp.Expr]:
    """Each pass-through fee under its `fee_cap` (`_limits.capped_line`: at most the cap either way, applied to
    the rounded line), and `ptf<e>_capped`: whether the cap took something off (the line says so)."""
    columns: list[exp.Expr] = []
    for e, entry in enumerate(rates.passes):
        if not entry.fee_caps:
            continue
        fee = col(f"ptf{e}_u")
        cap = case([(cond.copy(), lit(value)) for cond, value in entry.fee_caps])
        over = exp.GT(this=fee.copy(), expression=cap.copy())
        under = exp.LT(this=fee.copy(), expression=exp.Neg(this=cap.copy()))
        columns += [exp.alias_(case([(over, cap.copy()), (under, exp.Neg(this=cap.copy()))], fee.copy()),
                               f"ptf{e}"),
                    exp.alias_(case([(exp.or_(over.copy(), under.copy()), exp.true())], exp.false()),
                               f"ptf{e}_capped")]
    return columns


def _lines(ruleset: ir.RuleSet, rates: Rates) -> Cte:
    depth = depth_of(ruleset)
    columns: list[exp.Expr] = [exp.Star()]
    for k in range(1, depth + 1):
        receives = case([(exp.GT(this=col("chain_len"), expression=lit(k)), col(f"pr{k + 1}"))],
                        col("sell_amount")) if k < depth else col("sell_amount")
        columns.append(exp.alias_(case([(exp.GTE(this=col("chain_len"), expression=lit(k)),
                                         x.sub(receives, col(f"pr{k}")))]), f"keep{k}"))
    gross = case([(exp.EQ(this=col("chain_len"), expression=lit(k)), x.sub(col("sell_amount"), col(f"pr{k}")))
                  for k in range(1, depth + 1)], lit(0))
    columns += [exp.alias_(col("pr1"), "wholesale"), exp.alias_(gross, "partner_gross"), *_capped_fees(rates)]
    return "q_lines", exp.select(*columns).from_("q_prices")


def quote_ctes(ruleset: ir.RuleSet, rates: Rates, dialect: str, where: exp.Expr | None = None,
               carry: tuple[str, ...] = ()) -> list[Cte]:
    """The CTEs of a quote, in order (the last, q_lines, has every quote column; `carry`: more columns of
    `transactions` it passes through)."""
    ctes = _input(ruleset, dialect, where, carry) + _first(ruleset, rates) + [_rates(ruleset, rates, dialect)]
    caps, source = _caps(rates, dialect)
    return ctes + caps + [_priced(rates, source), *_prices(ruleset, rates, dialect), _lines(ruleset, rates)]


def version_name(ruleset: ir.RuleSet) -> exp.Expr:
    return case([(is_("vidx", i), exp.Literal.string(v.version)) for i, v in enumerate(ruleset.versions)])


def _total(columns: list[str]) -> exp.Expr:
    """The sum of the non-NULL columns (NULL when all are NULL)."""
    if not columns:
        return exp.Null()
    total: exp.Expr = exp.Coalesce(this=col(columns[0]), expressions=[lit(0)])
    for c in columns[1:]:
        total = x.add(total, exp.Coalesce(this=col(c), expressions=[lit(0)]))
    return case([(x.any_of([not_null(col(c)) for c in columns]), total)])


def quote_select(ruleset: ir.RuleSet, rates: Rates) -> exp.Select:
    """The final SELECT of the quote query, over q_lines."""
    big = exp.DataType.build("BIGINT")

    def out(e: exp.Expr, name: str) -> exp.Expr:
        return exp.alias_(exp.Cast(this=e, to=big), name)

    passes = range(len(rates.passes))
    return exp.select(
        col("id"), col("date"), col("partner"), exp.alias_(version_name(ruleset), "version"), col("contract"),
        col("kind"), out(col("list_amount"), "list_amount"), out(col("sell_amount"), "sell_amount"),
        out(col("margin"), "margin_num"), exp.alias_(lit(rates.scale), "rate_den"),
        out(col("headroom"), "headroom_num"), out(col("wholesale"), "wholesale"),
        out(col("partner_gross"), "partner_gross"), out(col("services"), "services"),
        out(col("referral_fee"), "referral_fee"), out(col("chain_len"), "chain_depth"),
        out(_total([f"pt{e}" for e in passes]), "pass_through"), out(_total([f"ptf{e}" for e in passes]), "fee"),
    ).from_("q_lines").order_by(col("id"))

