"""Limits: caps that are zero or less, thresholds a volume cap makes unreachable, payouts a cap swallows.

Certain mistakes are errors: a threshold above the volume its ladder or bonus counts can never be
reached, whatever the partner sells (E370); a cap of zero or less pays nothing at all (E371). What
only makes a rule pointless, or may bite depending on the rest of a statement, is a warning: a
bonus step whose payout the money cap already takes (W310, the percentage counterpart of W304), a
money cap that the steps can never reach (W311), a bonus step larger than the program's payout cap
(W312).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from compiler.consts import const_value, format_amount, is_percent
from compiler.context import Context
from compiler.passes.ladders import least_reaching
from policy_lang import ast
from policy_lang import diagnostics as dg


def check_limits(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield diagnostics for caps that make a threshold unreachable or a payout pointless."""
    program = ctx.program
    yield from _positive(program.payout_cap, "the program's payout cap", ctx, "money")
    for body in ctx.all_bodies():
        for ladder in body.ladders or ():
            owner = f"ladder `{ladder.id.name}`"
            yield from _positive(ladder.volume_cap, f"the volume cap of {owner}", ctx, ladder.basis)
            yield from _reachable(owner, [(s.start, s.strict, "step") for s in ladder.steps], ladder.volume_cap,
                                  ladder.basis, ctx)
        for bonus in body.bonuses or ():
            owner = f"bonus `{bonus.id.name}`"
            yield from _positive(bonus.volume_cap, f"the volume cap of {owner}", ctx, bonus.basis)
            yield from _reachable(owner, [(s.target, s.strict, "target") for s in bonus.steps], bonus.volume_cap,
                                  bonus.basis, ctx)
            yield from _cap_exhausted(bonus, ctx)
            yield from _cap_unreached(bonus, ctx)
            yield from _above_payout_cap(bonus, program.payout_cap, ctx)
        for contract in body.contracts or ():
            yield from _positive(contract.margin_cap, f"the margin cap of contract `{contract.id.name}`", ctx,
                                 "money")
        for p in body.price_rules.pass_through if body.price_rules else ():
            yield from _positive(p.fee_cap, f"the fee cap of pass-through `{p.id.name}`", ctx, "money")


def _show(value: Decimal, basis: str, ctx: Context) -> str:
    return f"{value:,}" if basis == "quantity" else format_amount(value, ctx.currency)


def _positive(expr: ast.Expr | None, what: str, ctx: Context, basis: str) -> Iterator[dg.Diagnostic]:
    value = const_value(expr)
    if expr is not None and value is not None and value <= 0:
        yield dg.error("E371", f"{what} is {_show(value, basis, ctx)}, so nothing is ever counted or paid",
                       expr.span, hint="a cap is a positive limit; remove it to set no limit")


def _reachable(owner: str, thresholds: list[tuple[ast.Expr, bool, str]], cap_expr: ast.Expr | None, basis: str,
               ctx: Context) -> Iterator[dg.Diagnostic]:
    """E370: a step or target that the volume cap makes unreachable (the least volume reaching it is above it)."""
    cap = const_value(cap_expr)
    if cap is None or cap_expr is None or cap <= 0:
        return
    for index, (expr, strict, noun) in enumerate(thresholds, 1):
        value = const_value(expr)
        if value is None or least_reaching(value, strict, basis, ctx) <= cap:
            continue
        written = f"above {_show(value, basis, ctx)}" if strict else _show(value, basis, ctx)
        yield dg.error("E370", f"in {owner}: {noun} {index} ({written}) can never be reached: the {owner.split()[0]} "
                       f"counts at most {_show(cap, basis, ctx)} of volume", expr.span,
                       labels=[dg.Label(cap_expr.span, "volume cap set here")] if cap_expr.span else (),
                       hint="raise `volume_cap` above the threshold, or lower the threshold to the cap or below")


def _pay_at(step: ast.BonusStep, volume: Decimal) -> Decimal | None:
    """What a bonus step pays at a volume: its money, or its percentage of the volume."""
    pay = const_value(step.pay)
    if pay is None:
        return None
    return pay * volume if is_percent(step.pay) else pay


def _cap_exhausted(bonus: ast.Bonus, ctx: Context) -> Iterator[dg.Diagnostic]:
    """W310: in a cumulative bonus with a percentage payout, earlier steps already pay the cap at a step's target.

    Payouts never fall as volume grows, so the step adds nothing at any volume that reaches it. (With
    money payouts only, W304 says the same.)
    """
    cap = const_value(bonus.cap)
    if cap is None or bonus.cap is None or bonus.kind != "cumulative" or \
            not any(is_percent(s.pay) for s in bonus.steps):
        return
    for index, step in enumerate(bonus.steps, 1):
        target = const_value(step.target)
        if target is None or index == 1:
            continue
        at = least_reaching(target, step.strict, bonus.basis, ctx)
        earlier = [_pay_at(s, at) for s in bonus.steps[:index - 1]]
        if any(p is None for p in earlier):
            return
        paid = sum((p for p in earlier if p is not None), Decimal(0))
        if paid >= cap:
            yield dg.warning("W310", f"in bonus `{bonus.id.name}`: step {index} adds nothing; at its target the "
                             f"earlier steps already pay {format_amount(paid, ctx.currency)}, the cap "
                             f"{format_amount(cap, ctx.currency)}", step.pay.span,
                             labels=[dg.Label(bonus.cap.span, "cap set here")] if bonus.cap.span else (),
                             hint="raise the cap, or remove the step")


def _cap_unreached(bonus: ast.Bonus, ctx: Context) -> Iterator[dg.Diagnostic]:
    """W311: the most the steps can pay is below the bonus's money cap, so the cap never limits anything."""
    cap = const_value(bonus.cap)
    if cap is None or bonus.cap is None:
        return
    volume = const_value(bonus.volume_cap)
    if volume is None and any(is_percent(s.pay) for s in bonus.steps):
        return  # a percentage of an uncounted volume has no most
    most = Decimal(0)
    for step in bonus.steps:
        target = const_value(step.target)
        pay = _pay_at(step, volume if volume is not None else Decimal(0))
        if target is None or pay is None:
            return
        if volume is not None and least_reaching(target, step.strict, bonus.basis, ctx) > volume:
            break  # unreachable (E370)
        most = most + pay if bonus.kind == "cumulative" else max(most, pay)
    if most < cap:
        counted = f" on at most {_show(volume, bonus.basis, ctx)} of volume" if volume is not None else ""
        yield dg.warning("W311", f"in bonus `{bonus.id.name}`: the cap {format_amount(cap, ctx.currency)} is never "
                         f"reached; the steps pay at most {format_amount(most, ctx.currency)}{counted}",
                         bonus.cap.span, hint="remove the cap, or lower it to what the bonus can pay")


def _above_payout_cap(bonus: ast.Bonus, payout_cap: ast.Expr | None, ctx: Context) -> Iterator[dg.Diagnostic]:
    """W312: a step pays more than the program's payout cap, so a partner can never be paid it in full.

    A warning, not an error: a statement's other lines (clawbacks) and a settlement period longer or
    shorter than the bonus's decide what the cap takes.
    """
    limit = const_value(payout_cap)
    if limit is None or payout_cap is None or limit <= 0:
        return
    for index, step in enumerate(bonus.steps, 1):
        if is_percent(step.pay):
            continue
        pay = const_value(step.pay)
        if pay is not None and pay > limit:
            yield dg.warning("W312", f"in bonus `{bonus.id.name}`: step {index} pays "
                             f"{format_amount(pay, ctx.currency)}, more than the program's payout cap "
                             f"{format_amount(limit, ctx.currency)}", step.pay.span,
                             labels=[dg.Label(payout_cap.span, "payout cap set here")] if payout_cap.span else (),
                             hint="lower the payout, or raise `payout_cap`")
