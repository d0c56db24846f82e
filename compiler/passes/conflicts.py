"""Conflict rules: contradictions, rules that can never decide, and chains that can leave a deal unowned.

The precedence chain is read like a sort: each rule either decides between competing claims or passes
them on. `first_registration` decides whenever two registrations differ in time, so after it only a
tie-break can still act; a tie-break acts only on ties of first registration.
"""

from __future__ import annotations

from collections.abc import Iterator

from compiler.context import Context
from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.schema import CONFLICT_RULE_BY, CONFLICT_RULE_OPTIONS


def check_conflicts(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield diagnostics for contradictory, unreachable or incomplete conflict precedence chains."""
    for body in ctx.all_bodies():
        if body.conflicts is not None:
            yield from _registration(body.conflicts.registration)
            yield from _chain(body.conflicts)


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


def _chain(conflicts: ast.Conflicts) -> Iterator[dg.Diagnostic]:
    seen: dict[tuple[str, str | None], ast.ConflictRule] = {}
    decided_by: ast.ConflictRule | None = None  # a rule after which only ties remain
    first: ast.ConflictRule | None = None
    for rule in conflicts.precedence:
        yield from _shape(rule)
        key = (rule.rule, rule.by)
        if key in seen:
            yield dg.error("E350", f"conflict rule `{rule.rule}` appears twice", rule.span,
                           labels=_label(seen[key], "first listed here"), hint="remove one of them")
            continue
        seen[key] = rule
        opposite = {"partner_over_direct": "direct_over_partner", "direct_over_partner": "partner_over_direct"}
        if rule.rule in opposite and (other := next((r for (name, _), r in seen.items()
                                                     if name == opposite[rule.rule]), None)):
            yield dg.error("E350", f"`{rule.rule}` contradicts `{other.rule}`", rule.span,
                           labels=_label(other, "the opposite rule"), hint="keep one of the two")
            continue
        if rule.rule == "tie_break":
            if first is None:
                yield dg.error("E350", "`tie_break` comes before `first_registration`, so there is no tie to break",
                               rule.span, hint="place the tie-break right after `first_registration`")
                continue  # misplaced: it decides nothing, so it must not hide the rules after it
            if decided_by is not None and decided_by.rule == "tie_break":
                yield dg.warning("W303", "this tie-break can never decide: the one before it already breaks "
                                 "every tie it can", rule.span, labels=_label(decided_by, "breaks the ties first"))
            decided_by = rule if rule.by == "vendor_decides" or decided_by is None or \
                decided_by.rule != "tie_break" else decided_by
            if rule.by == "vendor_decides":
                decided_by = rule
            continue
        if decided_by is not None:
            hint = "move it before `first_registration`" if decided_by.rule == "first_registration" else None
            if rule.rule == "exclusivity":
                hint = "exclusivity must come before `first_registration` to beat registration order"
            yield dg.warning("W303", f"conflict rule `{rule.rule}` can never decide: `{decided_by.rule}` before it "
                             "always decides first", rule.span, labels=_label(decided_by, "decides first"), hint=hint)
            continue
        if rule.rule == "first_registration":
            first = rule
            decided_by = rule
    yield from _completeness(conflicts, first)


def _completeness(conflicts: ast.Conflicts, first: ast.ConflictRule | None) -> Iterator[dg.Diagnostic]:
    if conflicts.otherwise == "vendor_decides":
        return
    rules = {r.rule: r for r in conflicts.precedence}
    tie = rules.get("tie_break")
    hint = "add `otherwise: vendor_decides` to the conflict rules"
    if first is None:
        last = conflicts.precedence[-1] if conflicts.precedence else None
        yield dg.error("E351", "a deal claimed by two partners can stay unresolved: no rule decides between their "
                       "registrations", last.span if last is not None else conflicts.span,
                       hint="add `- rule: first_registration`, or " + hint.removeprefix("add "))
    elif tie is None:
        yield dg.error("E351", "two registrations at the same instant: no rule decides", first.span,
                       hint="add `- rule: tie_break` after `first_registration`, or " + hint.removeprefix("add "))
    elif tie.by == "higher_tier":
        yield dg.error("E351", "two registrations at the same instant from partners of the same tier: no rule "
                       "decides", tie.span, hint=hint)


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
