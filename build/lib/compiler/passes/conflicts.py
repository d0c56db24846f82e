"""Conflict rules: contradictions, rules that can never decide, and chains that can leave a deal unowned.

The chain is checked by running it on every contest of two claims the rules can tell apart
(`compiler.passes._claim_shapes`): a finding is reported only when a contest proves it, and each comes
with such a contest in words (`compiler.passes._claim_words`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from compiler.context import Context
from compiler.passes import _claim_shapes as shapes
from compiler.passes import _claim_words as words
from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.schema import CONFLICT_RULE_BY, CONFLICT_RULE_OPTIONS


def check_conflicts(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield diagnostics for contradictory, unreachable or incomplete conflict precedence chains."""
    for body in ctx.all_bodies():
        if body.conflicts is not None:
            yield from _registration(body.conflicts.registration)
            yield from _chain(body.conflicts, _levels(ctx, body.conflicts))


def _levels(ctx: Context, conflicts: ast.Conflicts) -> int:
    """The most tier levels of any version in which these conflict rules are in force."""
    return max((len(v.body.tiers.levels) for v in ctx.views if v.body.conflicts is conflicts and v.body.tiers),
               default=0)


def _registration(registration: ast.Registration | None) -> Iterator[dg.Diagnostic]:
    """Registration periods are stored as calendar durations: a literal such as `90d` or `6mo`, more than zero."""
    if registration is None:
        return
    for what, expr in (("expiry", registration.expires_after), ("renewal period", registration.renewal_period)):
        if expr is None:
            continue
        if not isinstance(expr, ast.DurationLit):
            yield dg.error("E307", f"in deal registration: the {what} must be a duration written out, such as `90d`",
                           expr.span, hint="write one duration: `90d`, `12w`, `6mo` or `1y`")
        elif expr.amount <= 0:
            yield dg.error("E207", f"in deal registration: the {what} must be longer than zero", expr.span,
                           hint="write a duration such as `90d`")


def _chain(conflicts: ast.Conflicts, levels: int) -> Iterator[dg.Diagnostic]:
    shape = [d for r in conflicts.precedence for d in _shape(r)]
    yield from shape
    if any(d.severity is dg.Severity.ERROR for d in shape):
        return  # a malformed rule would make the enumeration report on a chain the program does not state
    rules = conflicts.precedence
    steps = shapes.read_steps(conflicts)
    space = shapes.Space.of(steps, levels)
    silenced: set[int] = set()
    for later, first, kind in _pairs(steps, space):
        silenced.add(later.index)
        yield _pair_error(kind, rules[later.index], rules[first.index], later, first)
    outcomes = shapes.explore(steps, space)
    deciders = {o.decider for o in outcomes}
    for step in steps:
        if step.index not in deciders and step.index not in silenced:
            yield _never_decides(step, steps, space, rules)
    if conflicts.otherwise != "vendor_decides":
        yield from _unresolved(conflicts, steps, outcomes)
    for step in steps:
        if step.rule == "exclusivity" and not step.needs_registration:
            yield from _unregistered_never_wins(step, steps, space, rules)


def _pairs(steps: Sequence[shapes.Step], space: shapes.Space) -> Iterator[tuple[shapes.Step, shapes.Step, str]]:
    """(later, first, kind) for each rule listed twice, the opposite of an earlier one, or of equal precedence."""
    paired: set[int] = set()
    for later in steps:
        for first in steps[:later.index]:
            if first.index in paired:
                continue
            # Rules that read different attributes differ somewhere (each can tell apart a contest the other
            # passes on), so only rules reading the same ones are compared.
            kind = "twice" if _same_rule(first, later) else \
                shapes.compare(first, later, space) if first.reads() == later.reads() else None
            if kind is not None:
                paired.add(later.index)
                yield later, first, kind
                break


def _same_rule(a: shapes.Step, b: shapes.Step) -> bool:
    """Listed twice: the same rule and `by` (for exclusivity the same condition, for an order the same list)."""
    return (a.rule, a.by, a.condition, a.order) == (b.rule, b.by, b.condition, b.order)


def _pair_error(kind: str, rule: ast.ConflictRule, first: ast.ConflictRule, later: shapes.Step,
                earlier: shapes.Step) -> dg.Diagnostic:
    if kind == "twice":
        return dg.error("E350", f"conflict rule `{rule.rule}` appears twice", rule.span,
                        labels=_label(first, "first listed here"), hint="remove one of them")
    if kind == "opposite":
        return dg.error("E350", f"{_called(later)} contradicts {_called(earlier)}", rule.span,
                        labels=_label(first, "the opposite rule"), hint="keep one of the two")
    return dg.error("E350", f"{_called(later)} has the same precedence as {_called(earlier)}: the two keep the same "
                    "claims in every contest", rule.span, labels=_label(first, "decides alike"),
                    hint="keep one of the two; their order means nothing")


def _called(step: shapes.Step) -> str:
    """`tie_break` by `order`: the rule as a message names it."""
    return f"`{step.rule}` by `{step.by}`" if step.by else f"`{step.rule}`"


def _never_decides(step: shapes.Step, steps: Sequence[shapes.Step], space: shapes.Space,
                   rules: Sequence[ast.ConflictRule]) -> dg.Diagnostic:
    """W303, with the rules that decide first in the contests this rule would tell apart."""
    rule = rules[step.index]
    vendor = step.by == "vendor_decides"  # it would decide every contest that reaches it
    apart = shapes.explore(steps, space, eager=step.reads(),
                           admit=lambda d, _r, v: vendor or shapes.verdict(step, (0, 1), d, v) is not None)
    firsts: dict[int, shapes.Outcome] = {}
    for outcome in apart:
        if outcome.decider is not None:
            firsts.setdefault(outcome.decider, outcome)
    if not firsts:
        hint = "the program has no tiers; declare `tiers`, or remove this rule" if step.by == "higher_tier" else None
        return dg.warning("W303", f"conflict rule {_called(step)} can never decide: no two claims differ by it",
                          rule.span, hint=hint)
    names = " or ".join(_called(steps[i]) for i in sorted(firsts)) + " before it always decides first" \
        if len(firsts) <= _NAMED else f"{len(firsts)} rules before it always decide first"
    first = steps[max(firsts)]  # the nearest: moving past it lets the rule decide where that one did
    hint = ("remove it: the rules before it decide every contest" if vendor
            else "end the chain with `otherwise: vendor_decides` instead" if first.by == "vendor_decides"
            else f"move it before {_called(first)}")
    return dg.warning("W303", f"conflict rule {_called(step)} can never decide: {names}", rule.span,
                      labels=_firsts(firsts, steps, rules), hint=hint)


_NAMED = 3
"""The most rules a finding names (and shows a contest for); more are counted."""


def _firsts(firsts: dict[int, shapes.Outcome], steps: Sequence[shapes.Step],
            rules: Sequence[ast.ConflictRule]) -> list[dg.Label]:
    """A note at each rule that decides first, with a contest where it does."""
    return [dg.Label(span, "decides first, e.g. for " + words.describe_contest(o.contest, steps))
            for i, o in sorted(firsts.items())[:_NAMED] if (span := rules[i].span) is not None]


def _unresolved(conflicts: ast.Conflicts, steps: Sequence[shapes.Step],
                outcomes: Sequence[shapes.Outcome]) -> Iterator[dg.Diagnostic]:
    """E351 once for each kind of claimants the chain can leave without an owner."""
    ways: dict[tuple[tuple[bool, bool], ...], shapes.Outcome] = {}
    for outcome in outcomes:
        if outcome.decider is None and len(outcome.live) > 1:
            c = outcome.contest
            ways.setdefault(tuple(sorted(zip(c.direct, c.registered, strict=True))), outcome)
    span = conflicts.precedence[-1].span if conflicts.precedence else conflicts.span
    for outcome in ways.values():
        yield dg.error("E351", "a contested deal can stay unresolved: "
                       f"{words.describe_contest(outcome.contest, steps)}; no rule tells them apart", span,
                       hint=_unresolved_hint(outcome.contest, steps))


def _unresolved_hint(contest: shapes.Contest, steps: Sequence[shapes.Step]) -> str:
    rules = {s.rule if s.rule != "tie_break" else s.by for s in steps}
    otherwise = "`otherwise: vendor_decides` to the conflict rules"
    if "first_registration" not in rules and all(contest.registered):
        return f"add `- rule: first_registration`, or {otherwise}"
    if any(contest.direct) and not rules & {"partner_over_direct", "direct_over_partner"}:
        return f"add `- rule: partner_over_direct`, or {otherwise}"
    if not any(contest.direct) and "partner_id" not in rules:
        return f"add a `tie_break` by `partner_id` (it tells any two partners apart), or {otherwise}"
    return f"add {otherwise}"


def _unregistered_never_wins(step: shapes.Step, steps: Sequence[shapes.Step], space: shapes.Space,
                             rules: Sequence[ast.ConflictRule]) -> Iterator[dg.Diagnostic]:
    """W314 when a claim holding this right without a registration never owns a deal against a registration."""
    key = step.reads()[0]

    def admit(_direct: tuple[bool, ...], registered: tuple[bool, ...], values: shapes.Known) -> bool:
        """Contests of a claim holding this right without a registration and a registered claim."""
        return registered.count(False) == 1 and bool(values[key][registered.index(False)])

    outcomes = shapes.explore(steps, space, eager=(key,), admit=admit)
    if not outcomes or any(o.owner is not None and not o.contest.registered[o.owner] for o in outcomes):
        return
    firsts: dict[int, shapes.Outcome] = {}
    for outcome in outcomes:
        if outcome.decider is not None:
            firsts.setdefault(outcome.decider, outcome)
    right = words.RIGHTS.get(step.by or "", "right")
    hint = f"move this rule before {_called(steps[min(firsts)])}, or remove `needs_registration: false`" if firsts \
        else "remove `needs_registration: false`"
    yield dg.warning("W314", f"a partner holding this {right} without a registration never wins a deal another "
                     "claimant registered", rules[step.index].span, labels=_firsts(firsts, steps, rules), hint=hint)


def _shape(rule: ast.ConflictRule) -> Iterator[dg.Diagnostic]:
    # A `by` that belongs to another rule is reported while loading (policy_lang.schema), at the `by` itself.
    allowed = CONFLICT_RULE_BY.get(rule.rule, ())
    if rule.by is None and allowed:
        yield dg.error("E202", f"conflict rule `{rule.rule}` needs `by`", rule.span,
                       hint=f"add `by:` with one of {', '.join(f'`{a}`' for a in allowed)}")
    if rule.rule == "exclusivity" and rule.when is None:
        yield dg.error("E202", "conflict rule `exclusivity` needs `when`", rule.span,
                       hint="say who holds the exclusive right, e.g. `when: partner.territory == deal.region`")
    if rule.rule != "exclusivity" and rule.when is not None:
        yield dg.error("E203", f"`when` does not apply to conflict rule `{rule.rule}`", rule.when.span)
    given = {"needs_registration": rule.needs_registration, "applies": rule.applies, "order": rule.order}
    for option, value in given.items():
        if value is not None and CONFLICT_RULE_OPTIONS[option] != rule.rule:
            yield dg.error("E203", f"`{option}` does not apply to conflict rule `{rule.rule}`", rule.span,
                           hint=f"`{option}` belongs to `{CONFLICT_RULE_OPTIONS[option]}`")
    if rule.rule == "tie_break" and rule.by == "order":
        yield from _order(rule)
    elif rule.rule == "tie_break" and rule.order is not None:
        yield dg.error("E203", f"`order` applies only to `tie_break` by `order`, not by `{rule.by}`", rule.span,
                       hint="write `by: order`, or remove `order`")


def _order(rule: ast.ConflictRule) -> Iterator[dg.Diagnostic]:
    """A tie-break by an explicit order lists partner ids, each once."""
    if not rule.order:
        yield dg.error("E202", "`tie_break` by `order` needs `order`: the partner ids, the favoured first", rule.span,
                       hint="add e.g. `order: [tc-kanto, tc-kansai]`")
        return
    seen: set[str] = set()
    for partner in rule.order:
        if partner in seen:
            yield dg.error("E352", f"partner `{partner}` is listed twice in the tie-break order", rule.span,
                           hint="list each partner once; the order is the favoured first")
        seen.add(partner)


def _label(rule: ast.ConflictRule, note: str) -> list[dg.Label]:
    return [dg.Label(rule.span, note)] if rule.span else []
