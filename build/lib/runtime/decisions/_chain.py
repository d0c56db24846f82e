"""The precedence chain at one instant: which of the claims standing at that instant owns the deal.

Each rule of the program's `conflicts.precedence` either narrows the claims still in contention or
passes them all on; as soon as one claim is left, the rule that left it decides. `tie_break: vendor_decides`
stops the chain; at its end the remaining claims are equal and `otherwise: vendor_decides` applies.
Which claims stand at an instant (registrations in force, territories, the customer's documented choice)
is the deal history's business (`runtime.decisions.deals`); this module only orders them.

Instants are compared to the second, in any notation: 10:00:00.300+09:00 and 01:00:00.900Z are the same
instant for `first_registration`, so the tie-break decides between them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runtime import instants, ir
from runtime.decisions._slots import AS_OF, lacks_fields, partner_fields
from runtime.decisions.quote import QuoteError
from runtime.engine import EvaluationError, operators
from runtime.loaded import LoadedVersion
from runtime.model import Partner

DIRECT = None  # a claim with no partner is the vendor's direct sales team


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim on a deal: a registration, a territory held without one, or the customer's documented choice."""

    id: str
    partner: str | None  # None: the vendor's direct sales team
    registered_at: datetime.datetime  # timezone-aware
    renewals: int = 0
    customer_choice: bool = False  # the customer has documented that it chose this claimant
    registered: bool = True  # False: a partner's exclusive right that owns deals without a registration


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
    outcome: str  # owner | lost | expired | withdrawn | vendor_decides
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


def second(moment: datetime.datetime) -> datetime.datetime:
    """An instant to the second, in UTC: two notations of the same second compare equal."""
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def expires_at(claim: Claim, conflicts: ir.Conflicts, time_zone: str | None = None) -> datetime.datetime | None:
    """When a registration stops protecting its claimant (None: registrations do not expire).

    Durations are counted on the calendar of the program's time zone (`time_zone`; without it, on the
    calendar of the registration's own offset): registered at 00:30 on 1 June in Tokyo, `1mo` ends at
    00:30 on 1 July in Tokyo, however the registration's offset was written.
    """
    if conflicts.expires_after is None or not claim.registered:
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


def rule_name(rule: ir.ConflictRule) -> str:
    """A rule as shown: `first_registration`, `tie_break (higher_tier)`."""
    return f"{rule.rule} ({rule.by})" if rule.by else rule.rule


_WINS = {
    "exclusivity": "holds the exclusive right to this deal",
    "customer_choice": "the customer chose this claimant",
    "partner_over_direct": "a partner's claim comes before the vendor's direct sales",
    "direct_over_partner": "the vendor's direct sales come before partners",
    "first_registration": "registered first",
    "tie_break": "the tie-break favours this claimant",
}


@dataclass(frozen=True, slots=True)
class Contest:
    """The chain's answer among the claims standing at one instant."""

    owner: Claim | None
    vendor_decides: bool
    decided_by: Reason | None
    reasons: tuple[Reason, ...]  # the owner's and the losers' (or the equals' when the vendor decides)


class Chain:
    """The precedence chain of one version, applied at one instant to a deal's fields."""

    def __init__(self, version: LoadedVersion, time_zone: str, instant: datetime.datetime,
                 deal: Mapping[str, Any], customer: str, partners: Mapping[str, Partner]) -> None:
        assert version.rules.conflicts is not None
        self.version = version
        self.conflicts = version.rules.conflicts
        self.day = instants.local_date(instant, time_zone)  # `deal.date` and `as_of`: in the program's time zone
        self.deal = deal
        self.customer = customer
        self.partners = partners

    def partner(self, claim: Claim) -> Partner | None:
        if claim.partner is None:
            return None
        found = self.partners.get(claim.partner)
        if found is None:
            raise QuoteError("E511", f"registration `{claim.id}` names unknown partner `{claim.partner}`")
        return found

    def contest(self, claims: Sequence[Claim]) -> Contest:
        """The owner among `claims` (all standing), the rule that decided and why each other lost."""
        live = list(claims)
        if not live:
            return Contest(None, False, None, ())
        if len(live) == 1:
            won = Reason(live[0].id, "owner", "registration", "the only claim in force", self.conflicts.at,
                         "registration")
            return Contest(live[0], False, won, (won,))
        reasons: list[Reason] = []
        for index, rule in enumerate(self.conflicts.precedence):
            if rule.rule == "tie_break" and rule.by == "vendor_decides":
                break
            keep = self.keep(index, rule, live)
            if keep is None or not keep or len(keep) == len(live):
                continue  # the rule does not tell the claims apart: it passes them on
            message = self.lost_message(rule)
            reasons.extend(Reason(c.id, "lost", rule_name(rule), message, rule.at, rule.rule)
                           for c in live if c not in keep)
            live = keep
            if len(live) == 1:
                won = Reason(live[0].id, "owner", rule_name(rule), _WINS.get(rule.rule, "decided by this rule"),
                             rule.at, rule.rule)
                return Contest(live[0], False, won, (won, *reasons))
        reasons.extend(Reason(c.id, "vendor_decides", "otherwise", "no rule decides between the remaining claims; "
                              "the vendor decides", self.conflicts.at, "otherwise") for c in live)
        return Contest(None, True, None, tuple(reasons))

    def keep(self, index: int, rule: ir.ConflictRule, live: list[Claim]) -> list[Claim] | None:
        """The claims a rule favours (None: the rule cannot act on these claims)."""
        match rule.rule:
            case "exclusivity":
                return [c for c in live if self.exclusive(index, rule, c)]
            case "customer_choice":
                return [c for c in live if c.customer_choice]
            case "partner_over_direct":
                return [c for c in live if c.partner is not None]
            case "direct_over_partner":
                return [c for c in live if c.partner is None]
            case "first_registration":
                ranks = [_arrival_rank(c) for c in live]
                return [c for c, r in zip(live, ranks, strict=True) if r == min(ranks)]
            case "tie_break":
                return self.tie_break(rule, live)
        raise AssertionError(rule.rule)  # pragma: no cover - the schema allows no other rule

    def tie_break(self, rule: ir.ConflictRule, live: list[Claim]) -> list[Claim] | None:
        if rule.by == "partner_id":
            ids = [c.partner for c in live if c.partner is not None]
            if not ids:
                return None
            return [c for c in live if c.partner is None or c.partner == min(ids)]
        ranks = [self.rank(c) if rule.by == "higher_tier" else _listed(rule.order, c) for c in live]
        return [c for c, r in zip(live, ranks, strict=True) if r == min(ranks)]

    def lost_message(self, rule: ir.ConflictRule) -> str:
        match rule.rule, rule.by:
            case "exclusivity", by:
                return f"another claimant holds the exclusive right ({by})"
            case "customer_choice", _:
                return "the customer chose another claimant"
            case "partner_over_direct", _:
                return "a partner's claim comes before the vendor's direct sales"
            case "direct_over_partner", _:
                return "the vendor's direct sales come before partners"
            case "first_registration", _:
                return "another claimant registered first"
            case "tie_break", "higher_tier":
                return "a partner of a higher tier claims the deal"
            case "tie_break", "order":
                return "the program's order of partners puts another claimant first"
            case "tie_break", _:
                return "the tie-break by partner id favours another claimant"
        return "another claim comes first"

    def exclusive(self, index: int, rule: ir.ConflictRule, claim: Claim) -> bool:
        """Whether the claim's partner holds the exclusive right of rule `index` to this deal."""
        partner = self.partner(claim)
        return partner is not None and self.holds(index, rule, partner, claim.id)

    def holds(self, index: int, rule: ir.ConflictRule, partner: Partner, what: str) -> bool:
        """Whether a partner meets an exclusivity condition; a partner without the field it reads holds nothing."""
        assert rule.when is not None
        if lacks_fields(rule.when, partner):
            return False  # no territory (segment, account list) on file: no right, and no placeholder needed
        env = partner_fields(partner) | {"deal.customer": self.customer, "deal.date": self.day, AS_OF: self.day}
        env.update((f"deal.{k}", v) for k, v in self.deal.items())
        try:
            return bool(self.version.deal(env)[ir.conflict_slot(index)])
        except EvaluationError as exc:
            raise QuoteError(exc.code, f"{what}: {exc.message}", exc.at) from exc

    def rank(self, claim: Claim) -> int:
        partner = self.partner(claim)
        tiers = [t.id for t in self.version.rules.tiers.levels] if self.version.rules.tiers else []
        if partner is None or partner.tier not in tiers:
            return len(tiers)
        return tiers.index(partner.tier)


def _arrival_rank(claim: Claim) -> tuple[int, datetime.datetime]:
    """Earlier registrations first, to the second; a claim without a registration after every registration."""
    return (0, second(claim.registered_at)) if claim.registered else (1, second(claim.registered_at))


def _listed(order: Sequence[str], claim: Claim) -> int:
    return order.index(claim.partner) if claim.partner in order else len(order)


def aware(moment: datetime.datetime, what: str) -> None:
    """Refuse a time without an offset (E530)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise QuoteError("E530", f"{what} `{moment.isoformat()}` has no timezone; write it with an offset, "
                         "e.g. 2026-06-01T10:00:00+09:00")
