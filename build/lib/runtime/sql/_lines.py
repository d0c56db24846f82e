"""Rows per transaction line and per chain level, over q_lines: what quotes list and statements add up.

    q_out    one row per line of a quote (Quote.lines, in order): each level's margin, each pass-through
             at cost and its fee, services, referral fee; with partner, kind, amount, rule, version
    s_rows   one row per partner a transaction moves volume for (each level of its chain, or the seller of
             a referral): what it sold for, what it paid, the list amount and quantity, and whether it is
             the partner that buys from the vendor (whose ladder the list amount counts towards)
"""

from __future__ import annotations

from sqlglot import exp

from runtime import ir
from runtime.labels import rule_label
from runtime.sql import _arith as x
from runtime.sql._arith import case, col, is_, lit, not_null
from runtime.sql._quote import depth_of, version_name
from runtime.sql._rates import Rates, max_depth

Cte = tuple[str, exp.Select]
LINE_KINDS = ("margin", "pass_through", "fee", "services", "referral_fee")


def _values(name: str, first: int, last: int) -> exp.Expr:
    """An inline table of one column `name` holding first..last."""
    return exp.values([(i,) for i in range(first, last + 1)], alias=name, columns=[name])


def _contract_rule(ruleset: ir.RuleSet) -> exp.Expr:
    ids = sorted({c.id for v in ruleset.versions for c in v.contracts})
    return case([(is_("contract", c), exp.Literal.string(rule_label(ir.RuleRef.contract(c)))) for c in ids])


def rule_refs(ruleset: ir.RuleSet) -> dict[str, ir.RuleRef]:
    """Every rule a quote-lines or statement query can name in its `rule` column, by the text it shows.

    The queries carry `runtime.labels.rule_label` of a reference as a literal; this table maps a row back
    to its `RuleRef` without reading the text (labels of distinct references are distinct). A statement's
    rows of rule `transaction lines` sum a partner's transaction lines by kind and name no one rule.
    """
    refs: list[ir.RuleRef] = [ir.RuleRef.direct_margin(), ir.RuleRef.payout_cap()]
    for version in ruleset.versions:
        refs += [ir.RuleRef.contract(c.id) for c in version.contracts]
        refs += [ir.RuleRef.hierarchy_level(lv.level) for lv in version.hierarchy.levels] if version.hierarchy else []
        refs += [ir.RuleRef.hierarchy_level(k) for k in range(2, depth_of(ruleset) + 1)]
        refs += [ir.RuleRef.pass_through(p.id) for p in version.price_rules.pass_through] if version.price_rules \
            else []
        refs += [ir.RuleRef.ladder(lad.id, k) for lad in version.ladders for k in range(1, len(lad.steps) + 1)]
        refs += [ir.RuleRef.bonus(b.id) for b in version.bonuses]
    return {rule_label(ref): ref for ref in refs}


def lines_cte(ruleset: ir.RuleSet, rates: Rates) -> Cte:
    """`q_out`: every line of every quote, in the order a quote lists them (column `o`)."""
    depth = depth_of(ruleset)
    hierarchy = max_depth(ruleset) > 0
    priced = exp.NEQ(this=col("kind"), expression=exp.Literal.string("referral"))
    slots: list[tuple[exp.Expr | str, ...]] = []  # (partner, kind, amount, rule, exists)
    for k in range(1, depth + 1):
        rule = rule_label(ir.RuleRef.direct_margin() if k == 1 else ir.RuleRef.hierarchy_level(k))
        slots.append((col(f"c{k}_id") if hierarchy else col("partner"), "margin", col(f"keep{k}"),
                      exp.Literal.string(rule),
                      exp.and_(priced.copy(), exp.GTE(this=col("chain_len"), expression=lit(k)))))
    for e, entry in enumerate(rates.passes):
        named = case([(c, exp.Literal.string(rule_label(ir.RuleRef.pass_through(pid)))) for c, pid in entry.ids])
        for kind, column in (("pass_through", f"pt{e}"), ("fee", f"ptf{e}")):
            slots.append((col("partner"), kind, col(column), named.copy(), not_null(col(column))))
    for kind in ("services", "referral_fee"):
        slots.append((col("partner"), kind, col(kind), _contract_rule(ruleset), not_null(col(kind))))

    def pick(index: int) -> exp.Expr:
        arms: list[tuple[exp.Expr, exp.Expr]] = []
        for o, slot in enumerate(slots):
            value = slot[index]
            arms.append((exp.EQ(this=col("o"), expression=lit(o)),
                         exp.Literal.string(value) if isinstance(value, str) else value))
        return case(arms)


    query = exp.select(
        exp.alias_(col("id"), "transaction"), col("date"), exp.alias_(version_name(ruleset), "version"),
        exp.alias_(pick(0), "line_partner"), exp.alias_(pick(1), "line_kind"), exp.alias_(pick(2), "amount"),
        exp.alias_(pick(3), "rule"), col("o"),
    ).from_("q_lines").join(_values("o", 0, len(slots) - 1), join_type="cross").where(pick(4))
    return "q_out", query


def lines_select() -> exp.Select:
    """The final SELECT of the quote-lines query, over q_out."""
    big = exp.DataType.build("BIGINT")
    return exp.select(col("transaction"), col("date"), col("version"), exp.alias_(col("line_partner"), "partner"),
                      exp.alias_(col("line_kind"), "kind"), exp.alias_(exp.Cast(this=col("amount"), to=big), "amount"),
                      col("rule")).from_("q_out").order_by(col("transaction"), col("o"))


def volume_cte(ruleset: ir.RuleSet) -> Cte:
    """`s_rows`: each partner's share of a transaction's volumes (runtime.decisions.settle `Settler.add`)."""
    referral = is_("kind", "referral")
    depth = depth_of(ruleset)
    common = [col("date"), col("kind"), col("list_amount"), col("quantity"), col("headroom")]
    if not max_depth(ruleset):
        return "s_rows", exp.select(
            col("partner"), *common, exp.alias_(col("sell_amount"), "sales"),
            exp.alias_(exp.Coalesce(this=col("wholesale"), expressions=[lit(0)]), "purchases"),
            exp.alias_(exp.Not(this=referral), "is_first")).from_("q_lines")

    def at(k_values: list[tuple[int, exp.Expr]]) -> exp.Expr:
        return case([(exp.EQ(this=col("k"), expression=lit(k)), v) for k, v in k_values])

    levels = range(1, depth + 1)
    partner = case([(referral, col("partner"))], at([(k, col(f"c{k}_id")) for k in levels]))
    sales = case([(referral.copy(), col("sell_amount"))],
                  at([(k, x.add(col(f"keep{k}"), col(f"pr{k}"))) for k in levels]))
    purchases = case([(referral.copy(), lit(0))], at([(k, col(f"pr{k}")) for k in levels]))
    first = exp.and_(exp.EQ(this=col("k"), expression=lit(1)), exp.Not(this=referral.copy()))
    # A referral moves volume for its seller only; a chain for each of its levels.
    within = exp.or_(exp.LTE(this=col("k"), expression=col("chain_len")),
                     exp.and_(exp.EQ(this=col("k"), expression=lit(1)), referral.copy()))
    return "s_rows", exp.select(
        exp.alias_(partner, "partner"), *common, exp.alias_(sales, "sales"), exp.alias_(purchases, "purchases"),
        exp.alias_(first, "is_first"),
    ).from_("q_lines").join(_values("k", 1, depth), join_type="cross").where(within)
