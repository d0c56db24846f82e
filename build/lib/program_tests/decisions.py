"""Running conflict, deal, routing and new-reseller cases, and comparing what they expect.

A conflict case runs `runtime.decisions.decide`, a deal case `runtime.decisions.deals.replay` and
`History.owner_at`, a route case `runtime.decisions.route`, a new-reseller case
`runtime.decisions.route_new_reseller` over its applications in receipt order, each knowing where the
ones before it went. Rules are named as the program writes them in `rule:` (`first_registration`,
`tie_break`); a claim that lost because its registration expired lost by `expired`, one registered
after the deal by `registration`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from program_tests.cases import EXPIRED, Case, Check, ConflictInput, NewResellerInput, RouteInput
from program_tests.compare import Because, CaseResult, Shown, _at, judge, run_case
from program_tests.deal_cases import NONE, DealInput, instant
from program_tests.sequence_cases import SequenceInput
from program_tests.sequences import run_sequence
from runtime import ir
from runtime.decisions import Ownership, ResellerRoute, Routed, Routing, decide, route, route_new_reseller
from runtime.decisions.deals import Arrival, History, replay
from runtime.loaded import Runtime
from runtime.model import Partner


@dataclass(frozen=True, slots=True)
class NewReseller:
    """Where an inquiry from a would-be reseller went: a partner (None: the vendor), its level, and why; with a
    history, where each application went, in receipt order (`routes`)."""

    partner: str | None
    level: int | None
    why: str
    at: ir.Loc | None
    routes: tuple[ResellerRoute, ...] = ()


@dataclass(frozen=True, slots=True)
class DealRun:
    """A deal's history replayed, and the owner at each instant the case asks about (by its ISO 8601 text)."""

    history: History
    owners: Mapping[str, Ownership]


def _version(rt: Runtime, name: str) -> ir.Version | None:
    return next((v for v in rt.ruleset.versions if v.version == name), None)


def _ownership_actual(o: Ownership, check: Check) -> tuple[Any, list[Because]]:
    because = _reasons(o)
    match check.path[0]:
        case "owner":
            return (o.owner.id if o.owner else None), because
        case "vendor_decides":
            return o.vendor_decides, because
        case "decided_by":
            return (o.decided_by.rule_id if o.decided_by else None), because
        case "lost":
            claim = check.path[1]
            lost = [r for r in o.reasons if r.claim == claim and r.outcome in ("lost", "expired")]
            mine = [b for b in because if b.what == f"claim `{claim}`"]
            if not lost:
                return None, mine
            return (EXPIRED if lost[0].outcome == "expired" else lost[0].rule_id), mine
        case "version":
            return o.version, []
    raise AssertionError(check.path)


def _reasons(o: Ownership) -> list[Because]:
    return [Because(f"claim `{r.claim}`", r.outcome, f"{r.rule}: {r.message}", _at(r.at)) for r in o.reasons]


def _arrived(arrivals: Sequence[Arrival]) -> list[Because]:
    return [Because(f"{a.event.kind} `{a.event.id}` at {a.event.at.isoformat()}", a.status,
                    f"{a.reason.rule}: {a.reason.message}", _at(a.reason.at)) for a in arrivals]


def _deal_actual(run: DealRun, check: Check) -> tuple[Any, list[Because]]:
    """The status, rule, owner or change a deal case expects, as the replayed history has it, and why."""
    path = check.path
    history = run.history
    match path[0]:
        case "statuses" | "because":
            mine = [a for a in history.arrivals if a.event.id == path[1]]
            got = [a.status if path[0] == "statuses" else a.reason.rule_id for a in mine]
            return (tuple(got) if check.kind == "list" else got[0] if got else None), _arrived(mine)
        case "owners":
            o = run.owners[path[1]]
            because = _reasons(o)
            if path[2] == "owner":
                return (o.owner.id if o.owner else NONE), because
            if path[2] == "by":
                return (o.decided_by.rule_id if o.decided_by else NONE), because
            return o.vendor_decides, because
        case "changes":
            asked = [datetime.datetime.fromisoformat(at) for at in run.owners]
            last = [history.events[-1].at] if history.events else []
            until = max([*asked, *last], key=lambda moment: moment.astimezone(datetime.UTC), default=None)
            changes = history.changes_until(until) if until is not None else history.changes
            because = [Because(f"{c.at.isoformat()} {c.previous or NONE} → {c.owner or NONE}", c.cause,
                               f"{c.reason.rule}: {c.reason.message}", _at(c.reason.at)) for c in changes]
            if len(path) == 1:
                return len(changes), because
            index = int(path[1])
            if index >= len(changes):
                return None, because
            change = changes[index]
            value = {"at": change.at, "owner": change.owner or NONE, "cause": change.cause}[path[2]]
            return value, [because[index]]
    raise AssertionError(path)


def _replay(rt: Runtime, inputs: DealInput, checks: Sequence[Check], partners: Mapping[str, Partner]) -> DealRun:
    history = replay(rt, inputs.customer, inputs.events, partners)
    moments = dict.fromkeys(c.path[1] for c in checks if c.path[0] == "owners")
    return DealRun(history, {m: history.owner_at(instant(("owners", m))) for m in moments})


_LEFT_BY = {"not eligible for this lead": "`eligible`", "at capacity": "`skip_when`"}


def _routing_actual(rt: Runtime, r: Routing, check: Check) -> tuple[Any, list[Because]]:
    version = _version(rt, r.version)
    at = _at(version.lead_routing.at if version and version.lead_routing else None)
    placed = [Because(f"{p.position}. `{p.partner}`", "offered", "; ".join(p.why), at) for p in r.order]
    left = [Because(f"`{x.partner}`", "left out", f"{_LEFT_BY.get(x.reason, x.reason)}: {x.reason}", _at(x.at))
            for x in r.left_out]
    match check.path[0]:
        case "order" | "same_order_as":
            return [p.partner for p in r.order], placed + left
        case "first":
            return (r.order[0].partner if r.order else None), placed[:1]
        case "left_out":
            reasons = [x.reason for x in r.left_out if x.partner == check.path[1]]
            return (reasons[0] if reasons else None), [b for b in left if b.what == f"`{check.path[1]}`"] or placed
        case "version":
            return r.version, []
    raise AssertionError(check.path)


def _why(route: ResellerRoute) -> str:
    return "; ".join(f"{r.rule}: {r.found}" if r.found else r.rule for r in route.reasons)


def _new_reseller_actual(n: NewReseller, check: Check) -> tuple[Any, list[Because]]:
    if check.kind == "ids":  # a history: where each application went
        return (tuple(r.partner or "vendor" for r in n.routes),
                [Because(f"{i}. `{r.applicant}`", f"`{r.partner}`" if r.partner else "the vendor", _why(r),
                         _at(r.reasons[-1].at)) for i, r in enumerate(n.routes, 1)])
    because = [Because("routed to", f"`{n.partner}`" if n.partner else "the vendor", n.why, _at(n.at))]
    if check.path[0] == "routed_to_level":
        return ("vendor" if n.partner is None else str(n.level)), because
    return n.partner, because


def _new_reseller(rt: Runtime, inputs: NewResellerInput, partners: Mapping[str, Partner]) -> NewReseller:
    """Route the applications in receipt order, each knowing where the ones before it went."""
    earlier: list[Routed] = []
    routes: list[ResellerRoute] = []
    for application in inputs.applications:
        routes.append(route_new_reseller(rt, application, partners, earlier))
        earlier.append(Routed(application, routes[-1].partner))
    last = routes[-1]
    partner = partners.get(last.partner) if last.partner is not None else None
    return NewReseller(last.partner, partner.level if partner else None, _why(last), last.reasons[-1].at,
                       tuple(routes))


def _same_order(check: Check, earlier: Mapping[str, Any]) -> Check:
    """`same_order_as: <case>`: the order that earlier route case got, to compare with this one."""
    other = earlier.get(check.expected)
    if isinstance(other, Routing):
        return replace(check, expected=tuple(p.partner for p in other.order), kind="order")
    return replace(check, expected=f"the order of case `{check.expected}`, which routed nothing", kind="text")


def run_any(rt: Runtime, case: Case, partners: Mapping[str, Partner],
            earlier: Mapping[str, Any]) -> tuple[CaseResult, Any]:
    """Run a case of any kind; `earlier` holds what the file's earlier cases produced, by name."""
    inputs = case.inputs
    shown = Shown(rt.ruleset)
    if isinstance(inputs, ConflictInput):
        claims = inputs
        notes = {"E530": "; the timestamp without an offset is at " + ", ".join(str(s) for s in claims.naive)} \
            if claims.naive else None
        return judge(case, lambda: decide(rt, claims.deal, claims.claims, partners), _ownership_actual, shown,
                     notes=notes)
    if isinstance(inputs, DealInput):
        deal = inputs
        notes = {"E530": "; the timestamp without an offset is at " + ", ".join(str(s) for s in deal.naive)} \
            if deal.naive else None
        return judge(case, lambda: _replay(rt, deal, case.checks, partners), _deal_actual, shown, notes=notes)
    if isinstance(inputs, RouteInput):
        lead = inputs.lead
        checks = [_same_order(c, earlier) if c.kind == "same_order" else c for c in case.checks]
        return judge(case, lambda: route(rt, lead, partners), lambda r, c: _routing_actual(rt, r, c), shown, checks)
    if isinstance(inputs, NewResellerInput):
        asked = inputs
        return judge(case, lambda: _new_reseller(rt, asked, partners), _new_reseller_actual, shown)
    if isinstance(inputs, SequenceInput):
        return run_sequence(rt, case, partners)
    return run_case(rt, case, partners)
