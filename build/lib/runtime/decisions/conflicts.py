"""Deal conflicts (バッティング): who owns a deal that several partners, or a partner and the vendor's
own sales team, claim.

`decide` answers for a set of registrations of one customer, as a file of registrations states them: the
registrations are replayed in order of arrival (`runtime.decisions.deals`), the customer's documented
choices and the close are taken at the deal's instant, and the owner at that instant is returned. It is
the same decision the registry makes as the registrations arrive: a registration rejected on arrival
(another partner held the deal) does not come back when the holder's protection ends. Every claim that
loses says which rule took it out, and where that rule is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from runtime import instants
from runtime.decisions._chain import DIRECT as DIRECT
from runtime.decisions._chain import Claim as Claim
from runtime.decisions._chain import Deal as Deal
from runtime.decisions._chain import Ownership as Ownership
from runtime.decisions._chain import Reason as Reason
from runtime.decisions._chain import aware, second
from runtime.decisions._chain import expires_at as expires_at
from runtime.decisions._input_objects import check_claimants, check_deal, check_kind
from runtime.decisions.deals import Event, replay
from runtime.decisions.quote import QuoteError
from runtime.loaded import Runtime
from runtime.model import Partner


def claim_events(deal: Deal, claims: Sequence[Claim]) -> list[Event]:
    """The history a set of claims states: each registration at its instant, then, at the deal's instant, the
    customer's documented choices and the close."""
    events = [Event("register", c.id, c.registered_at, c.partner, deal.fields, c.renewals) for c in claims
              if second(c.registered_at) <= second(deal.at)]
    events += [Event("choose", c.id, deal.at, c.partner) for c in claims if c.customer_choice]
    events.append(Event("close", "close", deal.at, None, deal.fields))
    return events


def decide(rt: Runtime, deal: Deal, claims: Sequence[Claim], partners: Mapping[str, Partner], *,
           checked: bool = False) -> Ownership:
    """Decide who owns a deal at its instant, the registrations replayed in order of arrival.

    Unless `checked`, the deal, the claims and the partners they name (with the partners above them) are
    checked as file rows are.

    Raises:
        InputError: unless `checked`, a deal, claim or partner built in Python that a file reader would refuse.
        QuoteError: a naive timestamp (E530), no version in force (E510), no conflict rules (E531), an unknown
            partner (E511), two claims with one id (E533), or a field an exclusivity condition reads is missing
            (E500).
    """
    if not checked:
        check_kind(deal, Deal, "deal")
        for claim in claims:
            check_kind(claim, Claim, "claim")
        check_deal(deal, claims, rt.ruleset)
        check_claimants(claims, partners, rt.ruleset)
    aware(deal.at, "the deal time")
    for claim in claims:
        aware(claim.registered_at, f"registration `{claim.id}`")
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
    history = replay(rt, deal.customer, claim_events(deal, claims), partners)
    ownership = history.ownership(deal.at)
    late = tuple(Reason(c.id, "lost", "registration", f"registered at {c.registered_at.isoformat()}, after the deal",
                        version.rules.conflicts.at, "registration")
                 for c in claims if second(c.registered_at) > second(deal.at))
    return Ownership(ownership.owner, ownership.vendor_decides, ownership.decided_by, ownership.reasons + late,
                     ownership.version)
