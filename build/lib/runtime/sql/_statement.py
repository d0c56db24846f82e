"""The period statement as SQL: transaction-line totals, ladders, bonuses and their clawbacks.

Ladders and bonuses are those of the version in force at the period's end (docs/computation.md, "A
statement"); their buckets (month, quarter, … counted from the fiscal year start) are known when the
query is built, so each becomes a CASE over date ranges.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence

from sqlglot import exp

from runtime import ir
from runtime.decisions import PERIOD_SIZES as _SIZES
from runtime.decisions import least_reaching
from runtime.decisions.settle import month_index
from runtime.labels import rule_label
from runtime.model import NOT_EARNED, Period
from runtime.sql import _arith as x
from runtime.sql import _chain
from runtime.sql._arith import col
from runtime.sql._arith import date as _date
from runtime.sql._exprs import Translator
from runtime.sql._lines import LINE_KINDS
from runtime.sql._rates import VOLUMES, resolver
from runtime.sql._rounding import round_ratio

Cte = tuple[str, exp.Select]


def end_version(ruleset: ir.RuleSet, period: Period) -> ir.Version | None:
    """The version whose ladders and bonuses settle the period, as `Settler.finish` picks it."""
    return ruleset.version_on(period.end) or next(
        (v for v in reversed(ruleset.versions) if v.effective_from <= period.end), None)


def buckets(ruleset: ir.RuleSet, period: Period, kind: str) -> list[tuple[datetime.date, datetime.date]]:
    """First and last day of each ladder or bonus period inside the settlement period, as `Settler.buckets`."""
    start = ruleset.fiscal_year_start - 1
    groups: dict[int, list[int]] = {}
    for m in range(month_index(period.start), month_index(period.end) + 1):
        groups.setdefault((m - start) // _SIZES[kind], []).append(m)
    out = []
    for months in groups.values():
        first, last = months[0], months[-1] + 1
        out.append((datetime.date(first // 12, first % 12 + 1, 1),
                    datetime.date(last // 12, last % 12 + 1, 1) - datetime.timedelta(days=1)))
    return out


def _bucket_of(spans: list[tuple[datetime.date, datetime.date]]) -> exp.Expr:
    return x.case([(exp.Between(this=col("date"), low=_date(a.isoformat()), high=_date(b.isoformat())), x.lit(i))
                   for i, (a, b) in enumerate(spans)])


def _basis(name: str) -> exp.Expr:
    return {"sales": col("sales"), "purchases": col("purchases"), "list_sales": col("list_amount"),
            "quantity": col("quantity"), "deals": x.case([(exp.GT(this=col("quantity"), expression=x.lit(0)),
                                                          x.lit(1)), (exp.LT(this=col("quantity"),
                                                                              expression=x.lit(0)), x.lit(-1))],
                                                        x.lit(0))}[name]


def _sum(e: exp.Expr) -> exp.Expr:
    return exp.Coalesce(this=exp.Sum(this=e), expressions=[x.lit(0)])


def _gross(e: exp.Expr) -> exp.Expr:
    return x.case([(exp.GT(this=col("quantity"), expression=x.lit(0)), e)], x.lit(0))


def _grid(agg: str, spans: list[tuple[datetime.date, datetime.date]], contracts: list[str], columns: list[str],
          partner_columns: list[exp.Expr], level_one: bool, reviewed: bool = False) -> exp.Select:
    """Every partner on these contracts × every bucket, with the aggregates (0 without transactions).

    With `level_one` (a hierarchy), only the partners at level 1: ladders and bonuses are the vendor's. With
    `reviewed` (tier reviews), each partner's row in force at the period's end.
    """
    values = exp.values([(i,) for i in range(len(spans))], alias="b", columns=["b"])
    on = exp.and_(exp.EQ(this=col("partner", "a"), expression=col("id", "p")),
                  exp.EQ(this=col("b", "a"), expression=col("b", "b")))
    return exp.select(exp.alias_(col("id", "p"), "partner"), col("b", "b"), *partner_columns,
                      *(exp.alias_(exp.Coalesce(this=col(c, "a"), expressions=[x.lit(0)]), c) for c in columns)
                      ).from_(exp.alias_(exp.to_table("partners"), "p")).join(values, join_type="cross").join(
        exp.alias_(exp.to_table(agg), "a"), on=on, join_type="left").where(
        exp.and_(exp.In(this=col("contract", "p"), expressions=[exp.Literal.string(c) for c in contracts]),
                 exp.EQ(this=_chain.level("p"), expression=x.lit(1)) if level_one else exp.true(),
                 *([_chain.last_stretch_of("p")] if reviewed else [])))


def _line(source: str, kind: str, rule: str | exp.Expr, amount: exp.Expr, o1: int, o3: exp.Expr,
          spans: list[tuple[datetime.date, datetime.date]], where: exp.Expr) -> exp.Select:
    starts = x.case([(exp.EQ(this=col("b"), expression=x.lit(i)), _date(a.isoformat())) for i, (a, _) in
                     enumerate(spans)])
    ends = x.case([(exp.EQ(this=col("b"), expression=x.lit(i)), _date(b.isoformat())) for i, (_, b) in
                   enumerate(spans)])
    return exp.select(col("partner"), exp.alias_(exp.Literal.string(kind), "kind"),
                      exp.alias_(exp.Literal.string(rule) if isinstance(rule, str) else rule, "rule"),
                      exp.alias_(starts, "period_start"),
                      exp.alias_(ends, "period_end"), exp.alias_(amount, "amount"), exp.alias_(x.lit(o1), "o1"),
                      exp.alias_(col("b"), "o2"), exp.alias_(o3, "o3")).from_(source).where(where)


def _counted(volume: exp.Expr, volume_cap: int | None, dialect: str) -> exp.Expr:
    """The volume a ladder or bonus counts (`_limits.counted`): at most its volume cap."""
    if volume_cap is None:
        return volume
    cap = x.typed(volume_cap, dialect)
    return x.case([(exp.GT(this=volume.copy(), expression=cap), cap.copy())], volume)


def _reaches(volume: exp.Expr, threshold: int, strict: bool, dialect: str) -> exp.Expr:
    """Whether a volume has reached a threshold (`_limits.step_reaches`): at least its least reaching volume."""
    return exp.GTE(this=volume, expression=x.typed(least_reaching(threshold, strict), dialect))


def _step(ladder: ir.Ladder, k: int) -> str:
    """The rule of a ladder's step k (from 0) as its lines name it."""
    return rule_label(ir.RuleRef.ladder(ladder.id, k + 1))


def ladder_parts(ruleset: ir.RuleSet, period: Period, ladder: ir.Ladder, contracts: list[str], n: int, scale: int,
                 dialect: str, level_one: bool) -> tuple[list[Cte], list[exp.Select]]:
    """The CTEs and line SELECTs of one ladder (rates over the program scale, headroom included)."""
    spans = buckets(ruleset, period, ladder.period)
    basis = _basis(ladder.basis)
    mode, unit = ruleset.rounding.mode_for("ladder"), ruleset.rounding.unit
    amounts = []
    for k, step in enumerate(ladder.steps):
        rate = x.lit(int(step.rate * scale))
        limited = x.case([(exp.and_(exp.Not(this=exp.Is(this=col("headroom"), expression=exp.Null())),
                                    exp.LT(this=col("headroom"), expression=rate)), col("headroom"))], rate)
        amounts.append(exp.alias_(_sum(x.case([(col("is_first"), x.mul(col("list_amount"), limited))], x.lit(0))),
                                  f"a_{k}"))
    agg = exp.select(col("partner"), exp.alias_(_bucket_of(spans), "b"), exp.alias_(_sum(basis), "net"),
                     exp.alias_(_sum(_gross(basis)), "gross"), *amounts).from_("s_rows").group_by(
        col("partner"), _bucket_of(spans))
    names = ["net", "gross", *(f"a_{k}" for k in range(len(ladder.steps)))]
    ctes: list[Cte] = [(f"l{n}_agg", agg), (f"l{n}_grid", _grid(f"l{n}_agg", spans, contracts, names, [],
                                                               level_one, _chain.reviewed(ruleset)))]
    lines: list[exp.Select] = []
    if ladder.mode == "marginal":
        # Each bracket's rate on the volume inside it, in proportion to the list amounts: over the common
        # denominator scale × net, the numerators add up, so one rounding of the sum (or one per bracket).
        brackets: list[tuple[int, exp.Expr, exp.Expr]] = []  # step index, its numerator, volume inside > 0
        for k, step in enumerate(ladder.steps):
            if step.rate == 0:
                continue
            top = ladder.steps[k + 1].start if k + 1 < len(ladder.steps) else step.end
            net = _counted(col("net"), ladder.volume_cap, dialect)  # a bracket holds the volume beyond its threshold
            low = net if top is None else x.case(
                [(exp.LT(this=net.copy(), expression=x.lit(top)), net.copy())], x.lit(top))
            inside = x.sub(low, x.lit(step.start))
            brackets.append((k, x.mul(col(f"a_{k}"), inside), exp.GT(this=inside, expression=x.lit(0))))
        positive = exp.GT(this=col("net"), expression=x.lit(0))
        denominator = x.mul(x.lit(scale), col("net"))
        if ruleset.rounding.marginal == "per_bracket":
            for k, numerator, has in brackets:
                amount = round_ratio(numerator, denominator, unit, mode, dialect)
                lines.append(_line(f"l{n}_grid", "ladder", _step(ladder, k), amount, 1, x.lit(k), spans,
                                   exp.and_(positive, has)))
            return ctes, lines
        if brackets:
            total: exp.Expr = x.lit(0)
            for _, numerator, has in brackets:
                total = x.add(total, x.case([(has, numerator)], x.lit(0)))
            top_rule = x.case([(has.copy(), exp.Literal.string(_step(ladder, k)))
                               for k, _, has in reversed(brackets)])
            some = x.any_of([has.copy() for _, _, has in brackets])
            lines.append(_line(f"l{n}_grid", "ladder", top_rule, round_ratio(total, denominator, unit, mode, dialect),
                               1, x.lit(0), spans, exp.and_(positive, some)))
        return ctes, lines

    def reached(volume: str) -> exp.Expr:
        """The highest step the counted volume reaches (`_pricing.ladder_step`)."""
        counted = _counted(col(volume), ladder.volume_cap, dialect)
        return x.case([(_reaches(counted.copy(), step.start, step.strict, dialect), x.lit(k))
                       for k, step in reversed(list(enumerate(ladder.steps)))], x.lit(-1))

    pick = exp.select(exp.Star(), exp.alias_(reached("gross"), "i_g"), exp.alias_(reached("net"), "i_n")
                      ).from_(f"l{n}_grid")

    def by_index(index: str, values: Sequence[exp.Expr]) -> exp.Expr:
        return x.case([(exp.EQ(this=col(index), expression=x.lit(k)), v) for k, v in enumerate(values)], x.lit(0))

    rates = [x.lit(int(step.rate * scale)) for step in ladder.steps]
    amounts_of = [col(f"a_{k}") for k in range(len(ladder.steps))]
    chosen = exp.select(exp.Star(), exp.alias_(by_index("i_g", rates), "r_g"),
                        exp.alias_(by_index("i_n", rates), "r_n"),
                        exp.alias_(by_index("i_g", amounts_of), "a_g"),
                        exp.alias_(by_index("i_n", amounts_of), "a_n")).from_(f"l{n}_pick")
    ctes += [(f"l{n}_pick", pick), (f"l{n}_rates", chosen)]

    def counted_share(amount: str) -> exp.Expr:
        """The rate on the counted share of the list amounts (`_limits.counted_share`), rounded."""
        whole = round_ratio(col(amount), scale, unit, mode, dialect)
        if ladder.volume_cap is None:
            return whole
        cap = x.typed(ladder.volume_cap, dialect)
        part = round_ratio(x.mul(col(amount), cap), x.mul(x.lit(scale), col("net")), unit, mode, dialect)
        return x.case([(exp.GT(this=col("net"), expression=cap.copy()), part)], whole)

    rounded = exp.select(exp.Star(), exp.alias_(counted_share("a_g"), "paid"),
                         exp.alias_(counted_share("a_n"), "owed")).from_(f"l{n}_rates")
    ctes.append((f"l{n}_round", rounded))
    any_rate = exp.or_(exp.NEQ(this=col("r_g"), expression=x.lit(0)), exp.NEQ(this=col("r_n"), expression=x.lit(0)))
    def step_rule(index: str) -> exp.Expr:
        return x.case([(exp.EQ(this=col(index), expression=x.lit(k)), exp.Literal.string(_step(ladder, k)))
                       for k in range(-1, len(ladder.steps))])

    lines.append(_line(f"l{n}_round", "ladder", step_rule("i_g"), col("paid"), 1, x.lit(0), spans, any_rate))
    moved = exp.and_(any_rate, exp.NEQ(this=col("r_g"), expression=col("r_n")))
    lines.append(_line(f"l{n}_round", "ladder_clawback", step_rule("i_n"), x.sub(col("owed"), col("paid")), 1,
                       x.lit(1), spans, moved))
    return ctes, lines


def bonus_parts(ruleset: ir.RuleSet, period: Period, bonus: ir.Bonus, contracts: list[str], n: int, o1: int,
                tr: Translator, level_one: bool) -> tuple[list[Cte], list[exp.Select]]:
    """The CTEs and line SELECTs of one bonus."""
    spans = buckets(ruleset, period, bonus.period)
    mode, unit, dialect = ruleset.rounding.mode_for("bonus"), ruleset.rounding.unit, tr.dialect
    scale = math.lcm(1, *(s.pay_rate.denominator for s in bonus.steps if s.pay_rate is not None))
    agg = exp.select(col("partner"), exp.alias_(_bucket_of(spans), "b"),
                     *(exp.alias_(_sum(_basis(v)), f"v_{v}") for v in VOLUMES),
                     exp.alias_(_sum(_gross(_basis(bonus.basis))), "gross")).from_("s_rows").group_by(
        col("partner"), _bucket_of(spans))
    partner_columns = [exp.alias_(_chain.level("p") if c == "level" else col(c, "p"), f"p_{c}")
                       for c in ("tier", "level", "contract")]
    partner_columns += [exp.alias_(col(d.name, "p"), f"p_{d.name}") for d in ruleset.inputs if d.scope == "partner"]
    grid = _grid(f"b{n}_agg", spans, contracts, [*(f"v_{v}" for v in VOLUMES), "gross"], partner_columns,
                 level_one, _chain.reviewed(ruleset))

    def pays(uncounted: exp.Expr) -> exp.Expr:
        volume = _counted(uncounted, bonus.volume_cap, dialect)

        def pay(step: ir.BonusStep) -> exp.Expr:
            if step.pay_money is not None:
                return x.typed(step.pay_money * scale, dialect)
            rate = step.pay_rate or 0
            return x.mul(x.typed(int(rate * scale), dialect), volume.copy())

        reached = [(_reaches(volume.copy(), s.target, s.strict, dialect), pay(s)) for s in bonus.steps]
        if bonus.kind == "one_off":
            total = x.case(list(reversed(reached)), x.lit(0))
        else:
            total = x.lit(0)
            for cond, amount in reached:
                total = x.add(total, x.case([(cond, amount)], x.lit(0)))
        if bonus.cap is not None:
            cap = x.typed(bonus.cap * scale, dialect)
            total = x.case([(exp.LT(this=cap, expression=total), cap)], total)
        return total

    eligible = tr.cond(bonus.when) if bonus.when is not None else exp.true()
    picked = exp.select(exp.Star(), exp.alias_(pays(col("gross")), "earned"),
                        exp.alias_(pays(col(f"v_{bonus.basis}")), "owed_x"),
                        exp.alias_(eligible, "eligible")).from_(f"b{n}_grid")
    rounded = exp.select(exp.Star(), exp.alias_(round_ratio(col("earned"), scale, unit, mode, dialect), "paid"),
                         exp.alias_(round_ratio(col("owed_x"), scale, unit, mode, dialect), "owed")
                         ).from_(f"b{n}_pick")
    ctes: list[Cte] = [(f"b{n}_agg", agg), (f"b{n}_grid", grid), (f"b{n}_pick", picked), (f"b{n}_round", rounded)]
    some = exp.and_(col("eligible"), exp.or_(exp.NEQ(this=col("earned"), expression=x.lit(0)),
                                             exp.NEQ(this=col("owed_x"), expression=x.lit(0))))
    rule = rule_label(ir.RuleRef.bonus(bonus.id))
    lines = [_line(f"b{n}_round", "bonus", rule, col("paid"), o1, x.lit(0), spans, some),
             _line(f"b{n}_round", "bonus_clawback", rule, x.sub(col("owed"), col("paid")), o1, x.lit(1), spans,
                   exp.and_(some, exp.NEQ(this=col("owed"), expression=col("paid"))))]
    return ctes, lines


def transaction_totals(period: Period) -> exp.Select:
    """One line per partner and kind of transaction line (margin, pass_through, fee, services, referral_fee)."""
    order = x.case([(exp.EQ(this=col("line_kind"), expression=exp.Literal.string(k)), x.lit(o))
                    for o, k in enumerate(LINE_KINDS)])
    return exp.select(exp.alias_(col("line_partner"), "partner"), exp.alias_(col("line_kind"), "kind"),
                      exp.alias_(exp.Literal.string("transaction lines"), "rule"),
                      exp.alias_(_date(period.start.isoformat()), "period_start"),
                      exp.alias_(_date(period.end.isoformat()), "period_end"),
                      exp.alias_(exp.Sum(this=col("amount")), "amount"), exp.alias_(x.lit(0), "o1"),
                      exp.alias_(x.lit(0), "o2"), exp.alias_(exp.Max(this=order), "o3")).from_("q_out").group_by(
        col("line_partner"), col("line_kind"))


def period_rates(version: ir.Version | None) -> list[int]:
    """The denominators of the ladder rates the statement compares with the headroom."""
    return [s.rate.denominator for lad in (version.ladders if version else ()) for s in lad.steps]


def period_translator(ruleset: ir.RuleSet, dialect: str, as_of: datetime.date | None = None) -> Translator:
    """The translator of period-end rules (bonus conditions): partner columns and the bucket's volumes;
    `as_of` reads the period's last day."""
    return Translator(resolver(ruleset, "p", True, dialect, as_of), dialect, ruleset.rounding_mode)


def statement_parts(ruleset: ir.RuleSet, period: Period, scale: int,
                    dialect: str) -> tuple[list[Cte], list[exp.Select]]:
    """The statement's CTEs (after the quote's, q_out and s_rows) and the SELECTs of its lines."""
    version = end_version(ruleset, period)
    ctes: list[Cte] = []
    lines = [transaction_totals(period)]
    if version is None:
        return ctes, lines
    level_one = version.hierarchy is not None
    for n, ladder in enumerate(version.ladders):
        contracts = [c.id for c in version.contracts if c.ladder == ladder.id]
        if contracts:
            more, out = ladder_parts(ruleset, period, ladder, contracts, n, scale, dialect, level_one)
            ctes += more
            lines += out
    period_tr = period_translator(ruleset, dialect, period.end)
    for n, bonus in enumerate(version.bonuses):
        contracts = [c.id for c in version.contracts if bonus.id in c.bonuses]
        if contracts:
            more, out = bonus_parts(ruleset, period, bonus, contracts, n, 2 + n, period_tr, level_one)
            ctes += more
            lines += out
    return ctes, lines


def payout_cap_line(query: exp.Query, cap: int, period: Period) -> exp.Select:
    """The `cap` line of each partner whose earnings (`Statement.total`) exceed the program's payout cap: the
    negative amount that brings the total to the cap (`_limits.payout_excess`), after every other line."""
    earned = exp.Sum(this=x.case([(exp.In(this=col("kind"), expressions=[exp.Literal.string(k) for k in NOT_EARNED]),
                                   x.lit(0))], col("amount")))
    return exp.select(col("partner"), exp.alias_(exp.Literal.string("cap"), "kind"),
                      exp.alias_(exp.Literal.string(rule_label(ir.RuleRef.payout_cap())), "rule"),
                      exp.alias_(_date(period.start.isoformat()), "period_start"),
                      exp.alias_(_date(period.end.isoformat()), "period_end"),
                      exp.alias_(x.sub(x.lit(cap), earned.copy()), "amount"), exp.alias_(x.lit(1 << 30), "o1"),
                      exp.alias_(x.lit(0), "o2"), exp.alias_(x.lit(0), "o3")).from_(
        exp.alias_(exp.Subquery(this=query.copy()), "earned_lines")).group_by(col("partner")).having(
        exp.GT(this=earned, expression=x.lit(cap)))


def union_lines(lines: list[exp.Select], payout_cap: int | None = None, period: Period | None = None) -> exp.Expr:
    """UNION ALL of the line SELECTs (and the payout cap's lines), ordered as a statement lists its lines."""
    query: exp.Query = lines[0]
    for part in lines[1:]:
        query = exp.union(query, part, distinct=False)
    if payout_cap is not None and period is not None:
        query = exp.union(query, payout_cap_line(query, payout_cap, period), distinct=False)
    big = exp.DataType.build("BIGINT")
    return exp.select(col("partner"), col("kind"), col("rule"), col("period_start"), col("period_end"),
                      exp.alias_(exp.Cast(this=col("amount"), to=big), "amount")).from_(
        exp.alias_(exp.Subquery(this=query), "lines")).order_by(col("partner"), col("o1"), col("o2"), col("o3"))


