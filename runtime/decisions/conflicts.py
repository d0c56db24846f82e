"""Deal conflicts (バッティング): who owns a deal that several partners, or a partner and the vendor's
own sales team, claim.

The program's precedence chain is applied in order. Each rule either narrows the claims still in
contention or passes them all on; as soon as one claim is left, the rule that left it decides. Claims
whose registration has expired never compete. The claims given are taken to be for the same customer
(the registry matches customers with `runtime.identity` before it asks). Every claim that loses says
which rule took it out, and where that rule is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runtime import instants, ir
from runtime.decisions.quote import QuoteError
from runtime.engine import EvaluationError, operators
from runtime.loaded import Runtime
from runtime.model import Partner

DIRECT = None  # a claim with no partner is the vendor's direct sales team


@dataclass(frozen=True, slots=True)
class Claim:
    """A deal registration: who claims the customer, when, and what they may say about it."""

    id: str
    partner: str | None  # None: the vendor's direct sales team
    registered_at: datetime.datetime  # timezone-aware
    renewals: int = 0
    customer_choice: bool = False  # the customer has documented that it chose this claimant


@dataclass(frozen=True, slots=True)
class Deal:
    """The deal being decided: when, and the fields the conflict rules read (`deal.region` …)."""

    customer: str
    at: datetime.datetime  # timezone-aware
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a claim won or lost: the rule, in words, and where it is written."""

    claim: str
    outcome: str  # owner | lost | expired | vendor_decides
    rule: str  # the rule as shown, e.g. "tie_break (higher_tier)"
    message: str
    at: ir.Loc | None = None
    rule_id: str = ""  # the rule's stable name: a precedence rule, "registration" or "otherwise"


@dataclass(frozen=True, slots=True)
class Ownership:
    """The decision: the owning claim (None when nobody owns it or the vendor decides) and every reason."""

    owner: Claim | None
    vendor_decides: bool
    decided_by: Reason | None
    reasons: tuple[Reason, ...]
    version: str


def expires_at(claim: Claim, conflicts: ir.Conflicts, time_zone: str | None = None) -> datetime.datetime | None:
    """When a registration stops protecting its claimant (None: registrations do not expire).

    Durations are counted on the calendar of the program's time zone (`time_zone`; without it, on the
    calendar of the registration's own offset): registered at 00:30 on 1 June in Tokyo, `1mo` ends at
    00:30 on 1 July in Tokyo, however the registration's offset was written.
    """
    if conflicts.expires_after is None:
        return None
    end = _shift(claim.registered_at, conflicts.expires_after, time_zone)
    renewal = conflicts.renewal_period or conflicts.expires_after
    for _ in range(min(claim.renewals, conflicts.renewals)):
        end = _shift(end, renewal, time_zone)
    return end


def _shift(moment: datetime.datetime, duration: ir.Duration, time_zone: str | None = None) -> datetime.datetime:
    if time_zone is not None and moment.utcoffset() is not None:
        local = moment.astimezone(instants.zone(time_zone))
        day = operators.add(local.date(), duration)
        assert isinstance(day, datetime.date)
        shifted = datetime.datetime.combine(day, local.time(), tzinfo=instants.zone(time_zone))
        return shifted.astimezone(moment.tzinfo)
    day = operators.add(moment.date(), duration)
    assert isinstance(day, datetime.date)
    return datetime.datetime.combine(day, moment.timetz())


def _aware(moment: datetime.datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise QuoteError("E530", f"{what} `{moment.isoformat()}` has no timezone; write it with an offset, "
                         "e.g. 2026-06-01T10:00:00+09:00")


class _Deciding:
    def __init__(self, rt: Runtime, deal: Deal, claims: Sequence[Claim], partners: Mapping[str, Partner]) -> None:
        _aware(deal.at, "the deal time")
        for claim in claims:
            _aware(claim.registered_at, f"registration `{claim.id}`")
        version = rt.version_at(deal.at)
        if version is None:
            raise QuoteError("E510", f"no version of program `{rt.ruleset.program_id}` is in force on "
                             f"{instants.local_date(deal.at, rt.ruleset.time_zone)}")
        if version.rules.conflicts is None:
            raise QuoteError("E531", f"version {version.rules.version} of the program has no conflict rules")
        ids = [c.id for c in claims]
        if len(set(ids)) != len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise QuoteError("E533", f"two claims share the id `{twice[0]}`; every registration needs its own id")
        for claim in claims:
            if claim.partner is not None and claim.partner not in partners:
                raise QuoteError("E511", f"registration `{claim.id}` names unknown partner `{claim.partner}`")
        self.rt = rt
        self.version = version
        self.day = instants.local_date(deal.at, rt.ruleset.time_zone)  # `deal.date`: in the program's time zone
        self.conflicts = version.rules.conflicts
        self.deal = deal
        self.claims = list(claims)
        self.partners = partners
        self.reasons: list[Reason] = []
        self.vendor = False  # a `tie_break: vendor_decides` rule was reached

    def partner(self, claim: Claim) -> Partner | None:
        if claim.partner is None:
            return None
        found = self.partners.get(claim.partner)
        if found is None:
            raise QuoteError("E511", f"registration `{claim.id}` names unknown partner `{claim.partner}`")
        return found

    def lose(self, claims: Sequence[Claim], rule: ir.ConflictRule | None, name: str, message: str) -> None:
        self.reasons.extend(Reason(c.id, "lost", name, message, rule.at if rule else None, rule.rule if rule else name)
                            for c in claims)

    def run(self) -> Ownership:
        live = []
        for claim in sorted(self.claims, key=lambda c: (c.registered_at, c.id)):
            end = expires_at(claim, self.conflicts, self.rt.ruleset.time_zone)
            if claim.registered_at > self.deal.at:
                self.reasons.append(Reason(claim.id, "lost", "registration", f"registered at "
                                           f"{claim.registered_at.isoformat()}, after the deal", self.conflicts.at,
                                           "registration"))
            elif end is not None and end <= self.deal.at:
                self.reasons.append(Reason(claim.id, "expired", "registration", f"the registration expired at "
                                           f"{end.isoformat()}", self.conflicts.at, "registration"))
            else:
                live.append(claim)
        if len(live) == 1:
            return self.owned(live[0], Reason(live[0].id, "owner", "registration", "the only registration in force",
                                              self.conflicts.at, "registration"))
        for index, rule in enumerate(self.conflicts.precedence):
            if not live:
                break
            live = self.apply(index, rule, live)
            if len(live) == 1:
                return self.owned(live[0], Reason(live[0].id, "owner", _rule_name(rule),
                                                  _WINS.get(rule.rule, "decided by this rule"), rule.at, rule.rule))
            if self.vendor:
                break
        for claim in live:
            self.reasons.append(Reason(claim.id, "vendor_decides", "otherwise",
                                       "no rule decides between the remaining claims; the vendor decides",
                                       self.conflicts.at, "otherwise"))
        return Ownership(None, bool(live), None, tuple(self.reasons), self.version.rules.version)

    def owned(self, claim: Claim, reason: Reason) -> Ownership:
        self.reasons.append(reason)
        return Ownership(claim, False, reason, tuple(self.reasons), self.version.rules.version)

    def apply(self, index: int, rule: ir.ConflictRule, live: list[Claim]) -> list[Claim]:
        name = _rule_name(rule)
        keep: list[Claim]
        if rule.rule == "exclusivity":
            keep = [c for c in live if self.exclusive(index, c)]
            message = f"another claimant holds the exclusive right ({rule.by})"
        elif rule.rule == "customer_choice":
            keep = [c for c in live if c.customer_choice]
            message = "the customer chose another claimant"
        elif rule.rule == "partner_over_direct":
            keep = [c for c in live if c.partner is not None]
            message = "a partner's claim comes before the vendor's direct sales"
        elif rule.rule == "direct_over_partner":
            keep = [c for c in live if c.partner is None]
            message = "the vendor's direct sales come before partners"
        elif rule.rule == "first_registration":
            first = min(c.registered_at for c in live)
            keep = [c for c in live if c.registered_at == first]
            message = "another claimant registered first"
        elif rule.rule == "tie_break" and rule.by == "higher_tier":
            ranks = [self.rank(c) for c in live]
            best = min(ranks)
            keep = [c for c, r in zip(live, ranks, strict=True) if r == best]
            message = "a partner of a higher tier claims the deal"
        elif rule.rule == "tie_break":  # by: vendor_decides
            self.vendor = True
            return live
        else:  # pragma: no cover - the schema allows no other rule
            raise AssertionError(rule.rule)
        if not keep or len(keep) == len(live):
            return live  # the rule does not tell the claims apart: it passes them on
        self.lose([c for c in live if c not in keep], rule, name, message)
        return keep

    def exclusive(self, index: int, claim: Claim) -> bool:
        partner = self.partner(claim)
        if partner is None:
            return False
        env: dict[str, Any] = {"partner.id": partner.id, "partner.tier": partner.tier,
                               "partner.level": partner.level, "partner.contract": partner.contract,
                               "deal.customer": self.deal.customer, "deal.date": self.day}
        env.update((f"partner.{k}", v) for k, v in partner.fields.items())
        env.update((f"deal.{k}", v) for k, v in self.deal.fields.items())
        try:
            return bool(self.version.deal(env)[ir.conflict_slot(index)])
        except EvaluationError as exc:
            raise QuoteError(exc.code, f"registration `{claim.id}`: {exc.message}", exc.at) from exc

    def rank(self, claim: Claim) -> int:
        partner = self.partner(claim)
        tiers = [t.id for t in self.version.rules.tiers.levels] if self.version.rules.tiers else []
        if partner is None or partner.tier not in tiers:
            return len(tiers)
        return tiers.index(partner.tier)


_WINS = {
    "exclusivity": "holds the exclusive right to this deal",
    "customer_choice": "the customer chose this claimant",
    "partner_over_direct": "a partner's claim comes before the vendor's direct sales",
    "direct_over_partner": "the vendor's direct sales come before partners",
    "first_registration": "registered first",
    "tie_break": "the tie-break favours this claimant",
}


def _rule_name(rule: ir.ConflictRule) -> str:
    return f"{rule.rule} ({rule.by})" if rule.by else rule.rule


def decide(rt: Runtime, deal: Deal, claims: Sequence[Claim], partners: Mapping[str, Partner]) -> Ownership:
    """Decide who owns a deal under the version in force on the deal's date.

    Raises:
        QuoteError: a naive timestamp (E530), no conflict rules (E531), an unknown partner (E511), two claims
            with one id (E533), or a field an exclusivity condition reads is missing (E500).
    """
    return _Deciding(rt, deal, claims, partners).run()


