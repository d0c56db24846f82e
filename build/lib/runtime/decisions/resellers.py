"""Where a would-be reseller goes: to the vendor, or to the 1st-tier distributor the program's routing chooses.

The practice: a company that asks to resell is not signed by the vendor directly but introduced to a
1st-tier distributor (一次代理店), which takes it on as its 2nd-tier reseller. `route_new_reseller` is
one pure decision over the application, the partners and the applications routed before it, in receipt
order. The candidates are the 1st-tier partners under a distributor contract that are members on the
application's day. The keys of `hierarchy.new_resellers.order` narrow them, strongest first: a
`prefer` key keeps the distributors that meet its condition (when any does), a `fewest` key keeps those
with the least `children` (the partners whose parent it is, plus the applicants routed to it before) or
the least of a declared integer partner input. The distributors still equal take turns (`rotate`): the
application goes to the one after the distributor that got the latest earlier application among them,
in partner-id order; the first such application goes to the first by id. An applicant that applied
before goes where it went, while that distributor can still take it (a repeat is no new turn). The
scalar `new_resellers: level_1` is the mapping form with no keys: the 1st-tier distributors in turn.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runtime import instants, ir
from runtime.decisions._membership import is_member
from runtime.decisions._slots import partner_fields
from runtime.decisions.quote import QuoteError
from runtime.loaded import LoadedVersion, Runtime
from runtime.model import Partner

CHILDREN = "children"
"""`fewest: children`: the partners whose parent a distributor is, plus the applicants routed to it before."""


@dataclass(frozen=True, slots=True)
class Application:
    """An application from a company that asks to resell: who, when it was received, and its declared fields."""

    applicant: str
    at: datetime.datetime  # the instant it was received, with its UTC offset
    fields: Mapping[str, Any] = field(default_factory=dict)  # declared `applicant.*` inputs


@dataclass(frozen=True, slots=True)
class Routed:
    """An application routed earlier, and where it went (None: the vendor)."""

    application: Application
    partner: str | None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the application went where it did: one key of the routing, the rule in words, what it found there."""

    key: str  # to | applied_before | prefer | fewest | among_equals
    rule: str
    found: str
    at: ir.Loc | None


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A 1st-tier distributor that did not get the application, the key that left it out, and why."""

    partner: str
    key: str  # applied_before | prefer | fewest | among_equals
    reason: str
    at: ir.Loc | None


@dataclass(frozen=True, slots=True)
class ResellerRoute:
    """Where an application went (a partner id, or None: the vendor), with the reasons and who was left out."""

    applicant: str
    at: datetime.datetime
    version: str
    partner: str | None
    reasons: tuple[Reason, ...]
    left_out: tuple[LeftOut, ...] = ()


def route_new_reseller(rt: Runtime, application: Application, partners: Mapping[str, Partner],
                       earlier: Sequence[Routed] = ()) -> ResellerRoute:
    """Route one application under the version in force at its instant, knowing the applications routed before it.

    Args:
        rt: the program.
        application: the application to route.
        partners: the partners, by id.
        earlier: the applications already routed, in receipt order, with where each went.

    Raises:
        QuoteError: a naive instant (E530), no version in force (E510), a partner without a counted input (E500).
        EvaluationError: a `prefer` condition failed (a field it reads is missing or of the wrong kind).
    """
    if application.at.tzinfo is None or application.at.utcoffset() is None:
        raise QuoteError("E530", f"the application time {application.at.isoformat()} has no UTC offset")
    version = rt.version_at(application.at)
    if version is None:
        raise QuoteError("E510", f"no version of program `{rt.ruleset.program_id}` is in force at "
                         f"{application.at.isoformat()}")
    rules = version.rules
    vendor = _to_vendor(rules)
    if vendor is not None:
        return ResellerRoute(application.applicant, application.at, rules.version, None, (vendor,))
    assert rules.hierarchy is not None  # INVARIANT: _to_vendor answers unless the hierarchy routes to level 1
    stated = rules.hierarchy.routing
    to = Reason("to", "new resellers are introduced to a 1st-tier distributor", "",
                stated.at if stated is not None else rules.hierarchy.at)
    day = instants.local_date(application.at, rt.ruleset.time_zone)
    candidates = _candidates(rules, partners, day)
    if not candidates:
        none = Reason("to", to.rule, "but there is no 1st-tier distributor, so the vendor handles it", to.at)
        return ResellerRoute(application.applicant, application.at, rules.version, None, (none,))
    choice = _Choice(version, application, partners, earlier, day)
    choice.partner = choice.repeat(candidates) or choice.choose(candidates)
    return ResellerRoute(application.applicant, application.at, rules.version, choice.partner,
                         (to, *choice.reasons), tuple(choice.left_out))


def _to_vendor(rules: ir.Version) -> Reason | None:
    """The reason an application goes to the vendor under a version, or None when the hierarchy routes it."""
    routing, hierarchy = rules.lead_routing, rules.hierarchy
    if routing is not None and routing.new_resellers == "vendor":
        return Reason("to", "the vendor handles inquiries from new resellers itself", "", routing.at)
    if hierarchy is None or hierarchy.new_resellers != "level_1":
        return Reason("to", "the vendor handles inquiries from new resellers itself", "",
                      hierarchy.at if hierarchy is not None else None)
    return None


def _candidates(rules: ir.Version, partners: Mapping[str, Partner], day: datetime.date) -> list[Partner]:
    """The 1st-tier partners under a distributor contract that are members on the day, by id."""
    distributors = {c.id for c in rules.contracts if c.kind == "distributor"}
    return sorted((p for p in partners.values()
                   if p.level == 1 and p.contract in distributors and is_member(p, day)), key=lambda p: p.id)


def _title(key: ir.ResellerKey) -> str:
    if key.title:
        return key.title.get("en") or key.title.get("") or next(iter(key.title.values()))
    return f"fewest {key.fewest}" if key.fewest is not None else "preference"


class _Choice:
    """One application's routing, worked out key by key: who is left after each key, and why the rest left."""

    def __init__(self, version: LoadedVersion, application: Application, partners: Mapping[str, Partner],
                 earlier: Sequence[Routed], day: datetime.date) -> None:
        self.version = version
        self.application = application
        self.partners = partners
        self.earlier = earlier
        self.day = day
        self.reasons: list[Reason] = []
        self.left_out: list[LeftOut] = []
        self.partner: str | None = None

    def repeat(self, candidates: list[Partner]) -> str | None:
        """An applicant that applied before goes where it went, while that distributor can take it."""
        before = next((r for r in reversed(self.earlier) if r.application.applicant == self.application.applicant
                       and r.partner is not None), None)
        if before is None or before.partner not in {p.id for p in candidates}:
            return None
        when = before.application.at.isoformat()
        self.reasons.append(Reason("applied_before", "an applicant that applied before goes where it went",
                                   f"applied at {when} and went to {before.partner}", None))
        self.left_out.extend(LeftOut(p.id, "applied_before", f"the applicant went to {before.partner} at {when}",
                                     None) for p in candidates if p.id != before.partner)
        return before.partner

    def choose(self, candidates: list[Partner]) -> str:
        rules = self.version.rules
        assert rules.hierarchy is not None
        routing = rules.hierarchy.routing or ir.LEVEL_1_IN_TURN
        left = candidates
        for index, key in enumerate(routing.order):
            if len(left) == 1:
                break
            left = self._prefer(left, index, key) if key.prefer is not None else self._fewest(left, key)
        return self._turn(left, routing)

    def _prefer(self, left: list[Partner], index: int, key: ir.ResellerKey) -> list[Partner]:
        """Keep the distributors that meet the condition, when any does."""
        slot = ir.reseller_slot(index)
        meets = {p.id: bool(self.version.reseller(self._env(p))[slot]) for p in left}
        kept = [p for p in left if meets[p.id]]
        title = _title(key)
        if not kept:
            self.reasons.append(Reason("prefer", title, "no distributor meets it", key.at))
            return left
        self.reasons.append(Reason("prefer", title, "yes", key.at))
        self.left_out.extend(LeftOut(p.id, "prefer", f"{title}: no", key.at) for p in left if not meets[p.id])
        return kept

    def _fewest(self, left: list[Partner], key: ir.ResellerKey) -> list[Partner]:
        """Keep the distributors with the least of the count."""
        assert key.fewest is not None
        counts = {p.id: self._count(p, key.fewest) for p in left}
        least = min(counts.values())
        title = _title(key)
        self.reasons.append(Reason("fewest", title, f"{key.fewest} {least}", key.at))
        self.left_out.extend(LeftOut(p.id, "fewest", f"{title}: {key.fewest} {counts[p.id]}, more than {least}",
                                     key.at) for p in left if counts[p.id] > least)
        return [p for p in left if counts[p.id] == least]

    def _count(self, partner: Partner, what: str) -> int:
        if what == CHILDREN:
            children = {p.id for p in self.partners.values() if p.parent == partner.id}
            children.update(r.application.applicant for r in self.earlier if r.partner == partner.id)
            return len(children)
        value = partner.fields.get(what)
        if type(value) is not int:
            raise QuoteError("E500", f"partner `{partner.id}` has no whole number `{what}`, which reseller routing "
                             "counts")
        return value

    def _turn(self, left: list[Partner], routing: ir.ResellerRouting) -> str:
        """The distributors still equal take turns: the one after the latest to get an application among them."""
        if len(left) == 1:
            return left[0].id
        ids = [p.id for p in left]
        latest = next((r for r in reversed(self._turns()) if r.partner in ids), None)
        if latest is None or latest.partner is None:
            chosen, found = ids[0], f"the first application among {', '.join(ids)}: the first by id"
        else:
            chosen = ids[(ids.index(latest.partner) + 1) % len(ids)]
            found = (f"{latest.partner} got the latest application among {', '.join(ids)} "
                     f"({latest.application.applicant})")
        self.reasons.append(Reason("among_equals", "equals take turns in receipt order", found, routing.at))
        self.left_out.extend(LeftOut(p, "among_equals", f"equals take turns: it is {chosen}'s turn", routing.at)
                             for p in ids if p != chosen)
        return chosen

    def _turns(self) -> list[Routed]:
        """The earlier applications that took a turn: each applicant's first (a repeat is no new turn)."""
        seen: set[str] = set()
        turns: list[Routed] = []
        for routed in self.earlier:
            if routed.application.applicant not in seen:
                seen.add(routed.application.applicant)
                turns.append(routed)
        return turns

    def _env(self, partner: Partner) -> dict[str, Any]:
        application = self.application
        env = partner_fields(partner) | {"applicant.id": application.applicant, "applicant.date": self.day}
        env.update((f"applicant.{k}", v) for k, v in application.fields.items())
        return env
