"""Ladders, bonuses and rates: step order, overlaps and gaps, rates in range, caps, payout cliffs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal

from compiler.consts import const_value, format_amount, format_rate, is_percent
from compiler.context import Context
from policy_lang import ast
from policy_lang import diagnostics as dg


def check_ladders(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield diagnostics for badly ordered steps, rates out of range, unreachable payouts and cliffs."""
    found = list(_constants(ctx))
    yield from found
    if found:
        return  # the checks below read these values
    for body in ctx.all_bodies():
        for ladder in body.ladders or ():
            yield from _steps(f"ladder `{ladder.id.name}`", [(s.start, s.end) for s in ladder.steps],
                              show=_volume(ladder.basis, ctx.currency))
            for step in ladder.steps:
                yield from _rate(step.rate, f"ladder `{ladder.id.name}`", "step rate")
            if ladder.mode == "retroactive" and ladder.basis != "quantity":
                yield from _cliffs(ladder, ctx)
        for bonus in body.bonuses or ():
            yield from _steps(f"bonus `{bonus.id.name}`", [(s.target, None) for s in bonus.steps], noun="target")
            yield from _bonus_cap(bonus, ctx)
            if bonus.basis != "quantity":
                yield from _bonus_cliffs(bonus, ctx)
        yield from _body_rates(body)


def _exact(expr: ast.Expr | None, owner: str, what: str, ctx: Context, unit: str) -> Iterator[dg.Diagnostic]:
    """A value the rule set stores as a constant: it must fold to one, exact in minor units or whole units.

    `unit` is "money", "count" or "rate".
    """
    if expr is None:
        return
    value = const_value(expr)
    if value is None:
        yield dg.error("E307", f"in {owner}: the {what} must be a constant", expr.span,
                       hint="write a literal such as `¥100,000,000`, `1億` or `5%`")
        return
    scaled = value * 10 ** ctx.minor_unit if unit == "money" else value
    if unit != "rate" and scaled != scaled.to_integral_value():
        if unit == "money":
            yield dg.error("E309", f"in {owner}: the {what} {value} is finer than {ctx.currency} allows", expr.span,
                           hint="round it to the currency's smallest unit")
        else:
            yield dg.error("E307", f"in {owner}: the {what} {value} is not a whole number of units", expr.span)


def _constants(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Thresholds, rates, payouts and caps are stored as exact constants."""
    yield from _exact(ctx.program.cliff_tolerance, "the program header", "cliff tolerance", ctx, "money")
    yield from _exact(ctx.program.payout_cap, "the program header", "payout cap", ctx, "money")
    for body in ctx.all_bodies():
        for contract in body.contracts or ():
            yield from _exact(contract.fee_cap, f"contract `{contract.id.name}`", "fee cap", ctx, "money")
            yield from _exact(contract.margin_cap, f"contract `{contract.id.name}`", "margin cap", ctx, "money")
        if body.price_rules is not None:
            yield from _exact(body.price_rules.min_fee, "the price rules", "minimum fee", ctx, "money")
        for item in body.catalog.items if body.catalog else ():
            owner = f"catalog item `{item.sku.name}`"
            yield from _exact(item.list_price, owner, "list price", ctx, "money")
            for price in item.prices:
                yield from _exact(price.list_price, owner, f"list price from {price.start}", ctx, "money")
        for ladder in body.ladders or ():
            owner, unit = f"ladder `{ladder.id.name}`", "count" if ladder.basis == "quantity" else "money"
            for i, step in enumerate(ladder.steps, 1):
                yield from _exact(step.start, owner, f"step {i} threshold", ctx, unit)
                yield from _exact(step.end, owner, f"step {i} upper bound", ctx, unit)
                yield from _exact(step.rate, owner, f"step {i} rate", ctx, "rate")
            yield from _exact(ladder.volume_cap, owner, "volume cap", ctx, unit)
        for bonus in body.bonuses or ():
            owner, unit = f"bonus `{bonus.id.name}`", "count" if bonus.basis == "quantity" else "money"
            for i, bstep in enumerate(bonus.steps, 1):
                yield from _exact(bstep.target, owner, f"target {i}", ctx, unit)
                yield from _exact(bstep.pay, owner, f"payout {i}", ctx, "rate" if is_percent(bstep.pay) else "money")
            yield from _exact(bonus.cap, owner, "cap", ctx, "money")
            yield from _exact(bonus.volume_cap, owner, "volume cap", ctx, unit)
        for p in body.price_rules.pass_through if body.price_rules else ():
            yield from _exact(p.fee_cap, f"pass-through `{p.id.name}`", "fee cap", ctx, "money")


def least_reaching(threshold: Decimal, strict: bool, basis: str, ctx: Context) -> Decimal:
    """The least volume that reaches a threshold (as `runtime.decisions._limits.least_reaching`, in the
    program's units): the threshold for `from`/`target`, one minor unit or one unit more for `above`."""
    if not strict:
        return threshold
    return threshold + (Decimal(1) if basis == "quantity" else Decimal(1).scaleb(-ctx.minor_unit))


def _volume(basis: str, currency: str) -> Callable[[Decimal], str]:
    """How a volume of this basis is written in messages: an amount, or a count of units."""
    if basis == "quantity":
        return lambda value: f"{value:,}"
    return lambda value: format_amount(value, currency)


def _steps(owner: str, bounds: Sequence[tuple[ast.Expr, ast.Expr | None]], noun: str = "step",
           show: Callable[[Decimal], str] = str) -> Iterator[dg.Diagnostic]:
    previous: tuple[Decimal, ast.Expr, ast.Expr | None] | None = None
    for index, (start_expr, end_expr) in enumerate(bounds, 1):
        start = const_value(start_expr)
        if start is None:
            yield dg.error("E307", f"in {owner}: the {noun} threshold must be a constant amount",
                           start_expr.span, hint="write a literal such as `¥100,000,000` or `1億`")
            return
        if start < 0:
            yield dg.error("E320", f"in {owner}: {noun} {index} is below zero", start_expr.span,
                           hint="volumes start at zero; let the first step start at `¥0`" if noun == "step"
                           else "a target is a volume to reach, zero or more")
        end = const_value(end_expr) if end_expr is not None else None
        if end is not None and end_expr is not None and end <= start:
            yield dg.error("E322", f"in {owner}: {noun} {index} ends before it starts", end_expr.span,
                           hint="`to` must be greater than `from`")
        if previous is not None:
            prev_start, prev_expr, prev_end_expr = previous
            where = "starts here" if noun == "step" else "is set here"
            label = [dg.Label(prev_expr.span, f"{noun} {index - 1} {where}")] if prev_expr.span else []
            if start == prev_start:
                same = "starts at the same threshold as" if noun == "step" else "is the same as"
                yield dg.error("E321", f"in {owner}: {noun} {index} {same} {noun} {index - 1}", start_expr.span,
                               labels=label,
                               hint=f"merge the two steps, or change one {'threshold' if noun == 'step' else 'target'}")
            elif start < prev_start:
                yield dg.error("E320", f"in {owner}: {noun} {index} is lower than {noun} {index - 1}",
                               start_expr.span, labels=label, hint=f"list the {noun}s in increasing order")
            prev_end = const_value(prev_end_expr) if prev_end_expr is not None else None
            if prev_end is not None and prev_end_expr is not None and start > prev_start:
                if prev_end > start:
                    yield dg.error("E322", f"in {owner}: {noun} {index - 1} reaches past the start of {noun} {index}",
                                   prev_end_expr.span, hint="end a step where the next one starts")
                elif prev_end < start:
                    yield dg.error("E323", f"in {owner}: volumes from {show(prev_end)} (where {noun} {index - 1} "
                                   f"ends) to {show(start)} (where {noun} {index} starts) have no {noun}",
                                   prev_end_expr.span,
                                   hint="end a step where the next one starts, or leave out `to`")
        previous = (start, start_expr, end_expr)


def _rate(expr: ast.Expr | None, owner: str, what: str, allow_full: bool = False) -> Iterator[dg.Diagnostic]:
    value = const_value(expr)
    if expr is None or value is None:
        return
    if value < 0 or value > 1 or (value == 1 and not allow_full):
        yield dg.error("E330", f"in {owner}: {what} {format_rate(value)} is outside 0% to 100%", expr.span,
                       hint="a margin of 100% or more would leave a wholesale price of zero or less"
                       if value >= 1 else "rates cannot be negative")


def _body_rates(body: ast.Body) -> Iterator[dg.Diagnostic]:
    for contract in body.contracts or ():
        yield from _rate(contract.margin, f"contract `{contract.id.name}`", "margin")
        if contract.fee is not None and isinstance(const_value(contract.fee), Decimal) and \
                is_percent(contract.fee):
            yield from _rate(contract.fee, f"contract `{contract.id.name}`", "fee")
    for tier in body.tiers.levels if body.tiers else ():
        yield from _rate(tier.margin_uplift, f"tier `{tier.id.name}`", "margin uplift")
    if (rules := body.price_rules) is not None:
        yield from _rate(rules.max_discount, "the price rules", "maximum discount")
        yield from _rate(rules.max_channel_margin, "the price rules", "maximum channel margin")
        for cap in rules.margin_caps:
            yield from _rate(cap.cap, f"margin cap `{cap.id.name}`", "cap")
        for p in rules.pass_through:
            yield from _rate(p.fee, f"pass-through `{p.id.name}`", "fee")
            yield from _rate(p.max_markup, f"pass-through `{p.id.name}`", "maximum markup")
    for level in body.hierarchy.levels if body.hierarchy else ():
        yield from _rate(level.margin, f"hierarchy level {level.level}", "margin")


def _bonus_cap(bonus: ast.Bonus, ctx: Context) -> Iterator[dg.Diagnostic]:
    cap = const_value(bonus.cap)
    if cap is None or bonus.cap is None:
        return
    paid = Decimal(0)
    for index, step in enumerate(bonus.steps, 1):
        if is_percent(step.pay):
            return  # a percentage of volume: the total is not known statically
        pay = const_value(step.pay)
        if pay is None:
            return
        owner = f"bonus `{bonus.id.name}`"
        if pay > cap:
            yield dg.error("E331", f"in {owner}: step {index} pays {format_amount(pay, ctx.currency)}, more than "
                           f"the cap {format_amount(cap, ctx.currency)}", step.pay.span,
                           labels=[dg.Label(bonus.cap.span, "cap set here")] if bonus.cap.span else (),
                           hint="raise the cap or lower the payout")
        elif bonus.kind == "cumulative" and paid >= cap:
            yield dg.warning("W304", f"in {owner}: step {index} adds nothing; earlier steps already reach the cap",
                             step.pay.span, hint="raise the cap, or remove the step")
        paid = paid + pay if bonus.kind == "cumulative" else max(paid, pay)


def _cliffs(ladder: ast.Ladder, ctx: Context) -> Iterator[dg.Diagnostic]:
    tolerance = const_value(ctx.program.cliff_tolerance)
    if tolerance is None:
        return
    previous_rate: Decimal | None = None
    for step in ladder.steps:
        start, rate = const_value(step.start), const_value(step.rate)
        if start is None or rate is None:
            return
        if previous_rate is not None and rate > previous_rate:
            jump = least_reaching(start, step.strict, ladder.basis, ctx) * (rate - previous_rate)
            if jump > tolerance:
                yield dg.warning(
                    "W302", f"payout cliff in ladder `{ladder.id.name}`: reaching {format_amount(start, ctx.currency)} "
                    f"raises the payout by {format_amount(jump, ctx.currency)} at once "
                    f"({format_rate(rate - previous_rate)} more on the whole period), over the tolerance "
                    f"{format_amount(tolerance, ctx.currency)}", step.start.span,
                    hint="use `mode: marginal`, add smaller steps, or raise `cliff_tolerance`")
        previous_rate = rate


def _bonus_cliffs(bonus: ast.Bonus, ctx: Context) -> Iterator[dg.Diagnostic]:
    """A bonus step is a jump by design; warn when one jump is larger than the stated tolerance."""
    tolerance = const_value(ctx.program.cliff_tolerance)
    if tolerance is None:
        return
    cap = const_value(bonus.cap)
    paid = Decimal(0)  # what the bonus pays just below the target
    for step in bonus.steps:
        target, pay = const_value(step.target), const_value(step.pay)
        if target is None or pay is None:
            return
        amount = least_reaching(target, step.strict, bonus.basis, ctx) * pay if is_percent(step.pay) else pay
        reached = paid + amount if bonus.kind == "cumulative" else amount
        if cap is not None:
            reached = min(reached, cap)
        jump = reached - paid
        if jump > tolerance:
            yield dg.warning(
                "W302", f"payout cliff in bonus `{bonus.id.name}`: reaching {format_amount(target, ctx.currency)} "
                f"raises the payout by {format_amount(jump, ctx.currency)} at once, over the tolerance "
                f"{format_amount(tolerance, ctx.currency)}", step.target.span,
                hint="split the step into smaller ones, or raise `cliff_tolerance`")
        paid = max(paid, reached)
