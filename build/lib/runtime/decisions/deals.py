"""A deal's history, and the one decision over it: the status of each event as it arrived, and the owner at
any instant.

Everything that happens to one customer's deal is an event with the instant it arrived: a registration,
a renewal, a withdrawal, the customer's documented choice, the close. `replay` takes them in order of
arrival (equal instants in the order given) and decides each under the version of the program in force
at its instant:

- a **registration** is `accepted` when it would own the deal at its instant against the claims standing
  then (registrations in force, territories that own deals without a registration, the customer's applied
  choice); the registrations it beats are superseded from that instant. Otherwise it is rejected:
  `duplicate` (its partner already holds the deal), `held` (another claim holds it, by the rule named),
  `closed` (the deal has closed) or `outside` (no version in force, no conflict rules, or the partner is
  not a member of the program that day). A rejected registration never competes later: when the holder's
  protection ends, the customer is free for the next registration;
- a **renewal** extends a registration in force within the program's `renewals`; a **withdrawal** ends one;
- the **customer's choice** is applied when the program says (`customer_choice: applies: at_close`, the
  default: at the close; `when_documented`: from its own instant), and only over the rules listed after
  `customer_choice`: a rule before it (an exclusive territory, say) still beats the chosen partner;
- the **close** fixes the owner; registrations after it are rejected.

The owner at an instant is the precedence chain (`runtime.decisions._chain`) over the claims standing then,
so an expiry, a withdrawal, a territory granted from a date or an applied choice changes the owner only from
its own instant. The registry (`runtime.store.registry`), `ppl conflicts`, program tests and the guides all
call this module; none decides a deal by itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from runtime import instants, ir
from runtime.decisions._chain import Chain, Claim, Contest, Ownership, Reason, aware, expires_at, rule_name
from runtime.decisions._deal_records import ACCEPTED as ACCEPTED
from runtime.decisions._deal_records import APPLIED as APPLIED
from runtime.decisions._deal_records import CLOSED as CLOSED
from runtime.decisions._deal_records import DUPLICATE as DUPLICATE
from runtime.decisions._deal_records import EVENT_KINDS as EVENT_KINDS
from runtime.decisions._deal_records import EXPIRED as EXPIRED
from runtime.decisions._deal_records import HELD as HELD
from runtime.decisions._deal_records import NOT_APPLIED as NOT_APPLIED
from runtime.decisions._deal_records import OUTSIDE as OUTSIDE
from runtime.decisions._deal_records import PENDING as PENDING
from runtime.decisions._deal_records import REFUSED as REFUSED
from runtime.decisions._deal_records import RENEWED as RENEWED
from runtime.decisions._deal_records import STATUSES as STATUSES
from runtime.decisions._deal_records import WITHDRAWN as WITHDRAWN
from runtime.decisions._deal_records import Arrival as Arrival
from runtime.decisions._deal_records import Change as Change
from runtime.decisions._deal_records import Event as Event
from runtime.decisions._deal_records import _Held, boundaries
from runtime.decisions._membership import is_member
from runtime.decisions.quote import QuoteError
from runtime.loaded import LoadedVersion, Runtime
from runtime.model import Partner


class History:
    """The deal's events replayed: the statuses on arrival, the changes of owner, the owner at any instant."""

    def __init__(self, rt: Runtime, customer: str, partners: Mapping[str, Partner]) -> None:
        self.rt = rt
        self.customer = customer
        self.partners = partners
        self.held: dict[str, _Held] = {}  # registration id → how it stands, in order of acceptance
        self.rejected: dict[str, Arrival] = {}  # registration id → its rejection
        self.registered: dict[str, Event] = {}  # every registration event by id
        self.arrivals: list[Arrival] = []
        self.changes: list[Change] = []
        self.pending: Event | None = None  # a choice waiting for the close
        self.closed: Event | None = None
        self.disputed: str | None = None  # the holder a tie left to the vendor's decision
        self.rights_won: dict[str, Reason] = {}  # a right without registration → the rule it last beat a claim by
        self.close_fields: Mapping[str, Any] = {}
        self.events: list[Event] = []  # replayed so far, in order of arrival
        self._owner: tuple[str | None, str | None] = (None, None)  # (claim, partner) after the last event

    # --- the replay ---------------------------------------------------------------------------------

    def add(self, event: Event) -> Arrival:
        """Decide one event (arriving no earlier than the last one) and record its status."""
        aware(event.at, f"{event.kind} `{event.id}`")
        self.events.append(event)
        self._note_changes_until(event.at)
        arrival = self._decide(event)
        self.arrivals.append(arrival)
        self._note_change(event.at, event.id, arrival.reason)
        return arrival

    def _decide(self, event: Event) -> Arrival:
        match event.kind:
            case "register":
                return self._register(event)
            case "renew":
                return self._renew(event)
            case "withdraw":
                return self._withdraw(event)
            case "choose":
                return self._choose(event)
            case "close":
                return self._close(event)
        raise QuoteError("E534", f"event `{event.id}`: `{event.kind}` is not one of {', '.join(EVENT_KINDS)}")

    def _version(self, at: datetime.datetime) -> LoadedVersion | None:
        version = self.rt.version_at(at)
        return version if version is not None and version.rules.conflicts is not None else None

    def _arrival(self, event: Event, status: str, rule: str, message: str, at: ir.Loc | None,
                 version: LoadedVersion | None, expires: datetime.datetime | None = None) -> Arrival:
        outcome = "owner" if status == ACCEPTED else "lost"
        reason = Reason(event.id, outcome, rule, message, at, rule.split(" ")[0])
        holder = self.ownership_claim(event.at)
        return Arrival(event, status, reason, holder, version.rules.version if version else None, expires)

    def _outside(self, event: Event) -> tuple[LoadedVersion | None, Arrival | None]:
        """The version deciding an event, or the `outside` arrival when none can."""
        version = self.rt.version_at(event.at)
        if version is None:
            day = instants.local_date(event.at, self.rt.ruleset.time_zone)
            return None, self._arrival(event, OUTSIDE, "program", f"no version of program "
                                       f"`{self.rt.ruleset.program_id}` is in force on {day}", None, None)
        if version.rules.conflicts is None:
            return None, self._arrival(event, OUTSIDE, "program", f"version {version.rules.version} of the program "
                                       "has no conflict rules", version.rules.at, version)
        return version, None

    def _register(self, event: Event) -> Arrival:
        self.registered[event.id] = event
        version, refused = self._outside(event)
        if refused is not None:
            return self._reject(refused)
        assert version is not None and version.rules.conflicts is not None
        conflicts = version.rules.conflicts
        partner = self._partner(event)
        day = instants.local_date(event.at, self.rt.ruleset.time_zone)
        if partner is not None and not is_member(partner, day):
            return self._reject(self._arrival(event, OUTSIDE, "membership", f"partner `{partner.id}` is not a "
                                              f"member of the program on {day}", None, version))
        if self.closed is not None:
            return self._reject(self._arrival(event, CLOSED, "registration", "the deal closed at "
                                              f"{self.closed.at.isoformat()}", conflicts.at, version))
        mine = [h for h in self._standing(event.at) if h.claim.partner == event.partner and not h.chosen_only]
        if mine:
            return self._reject(self._arrival(event, DUPLICATE, "registration", "you already hold this customer "
                                              f"with registration {mine[0].claim.id}; renew it instead",
                                              conflicts.at, version))
        claim = Claim(event.id, event.partner, event.at, event.renewals)
        held = _Held(claim, dict(event.fields), conflicts, expires_at(claim, conflicts, self.rt.ruleset.time_zone))
        contest, chain_claims = self._contest(event.at, version, extra=held)
        if contest.owner is not None and contest.owner.id == event.id:
            self._beaten(contest, event.at)
            held.won_by = contest.decided_by
            self.held[event.id] = held
            assert contest.decided_by is not None
            return self._arrival(event, ACCEPTED, contest.decided_by.rule, contest.decided_by.message,
                                 contest.decided_by.at, version, held.end)
        lost = next(r for r in contest.reasons if r.claim == event.id)
        if contest.owner is None:  # equal under every rule: the claim in force stands until the vendor decides
            holder = next((c.id for c in chain_claims if c.id != event.id), None)
            self.disputed = holder
            return self._reject(self._arrival(event, HELD, "otherwise (vendor_decides)", f"no rule tells this "
                                              f"claim from {holder}; that claim stays in force unless the vendor "
                                              "decides otherwise", lost.at, version))
        self._won(contest)
        return self._reject(self._arrival(event, HELD, lost.rule, lost.message, lost.at, version))

    def _reject(self, arrival: Arrival) -> Arrival:
        if arrival.event.kind == "register":
            self.rejected[arrival.event.id] = arrival
        return arrival

    def _partner(self, event: Event) -> Partner | None:
        if event.partner is None:
            return None
        found = self.partners.get(event.partner)
        if found is None:
            raise QuoteError("E511", f"{event.kind} `{event.id}` names unknown partner `{event.partner}`")
        return found

    def _renew(self, event: Event) -> Arrival:
        held, refused = self._own(event, "renew")
        if refused is not None:
            return refused
        assert held is not None
        conflicts = held.conflicts
        if conflicts.expires_after is None:
            return self._arrival(event, REFUSED, "registration", "registrations do not expire under this program; "
                                 "there is nothing to renew", conflicts.at, self._version(event.at))
        if held.claim.renewals >= conflicts.renewals:
            allowed = f"{conflicts.renewals} renewal{'s' if conflicts.renewals != 1 else ''}"
            used = "it" if conflicts.renewals == 1 else "them"
            return self._arrival(event, REFUSED, "registration", f"the program allows {allowed}, and this "
                                 f"registration has used {used}", conflicts.at, self._version(event.at))
        held.claim = replace(held.claim, renewals=held.claim.renewals + 1)
        held.end = expires_at(held.claim, conflicts, self.rt.ruleset.time_zone)
        assert held.end is not None
        return self._arrival(event, RENEWED, "registration", f"renewed ({held.claim.renewals} of "
                             f"{conflicts.renewals}); protected until {held.end.isoformat()}", conflicts.at,
                             self._version(event.at), held.end)

    def _withdraw(self, event: Event) -> Arrival:
        held, refused = self._own(event, "withdraw")
        if refused is not None:
            return refused
        assert held is not None
        held.ended = event.at
        held.ended_by = Reason(held.claim.id, "withdrawn", "withdrawal", "withdrawn by its claimant", None,
                               "withdrawal")
        return self._arrival(event, WITHDRAWN, "withdrawal", "withdrawn by its claimant", None,
                             self._version(event.at))

    def _own(self, event: Event, action: str) -> tuple[_Held | None, Arrival | None]:
        """The partner's own registration in force, or the refusal of the request."""
        version = self._version(event.at)
        held = self.held.get(event.id)
        where = held.conflicts.at if held else None
        if held is None or held.claim.partner != event.partner or held.chosen_only:
            return None, self._arrival(event, REFUSED, "registration", f"no registration `{event.id}` of this "
                                       "claimant is in force", where, version)
        if held.end is not None and held.end <= event.at and (held.ended is None or held.ended > held.end):
            return None, self._arrival(event, EXPIRED, "registration", f"the registration expired at "
                                       f"{held.end.isoformat()}; register the customer again", where, version)
        if not held.standing(event.at):
            return None, self._arrival(event, REFUSED, "registration", f"registration {event.id} is "
                                       f"{held.ended_by.outcome if held.ended_by else 'ended'}, not in force "
                                       f"({action} refused)", where, version)
        return held, None

    def _choose(self, event: Event) -> Arrival:
        version, refused = self._outside(event)
        if refused is not None:
            return refused
        assert version is not None and version.rules.conflicts is not None
        rule = next((r for r in version.rules.conflicts.precedence if r.rule == "customer_choice"), None)
        if rule is None:
            return self._arrival(event, NOT_APPLIED, "customer_choice", "the program does not let the customer's "
                                 "choice decide a deal", version.rules.conflicts.at, version)
        if self.closed is not None:
            return self._arrival(event, CLOSED, "registration", f"the deal closed at {self.closed.at.isoformat()}",
                                 version.rules.conflicts.at, version)
        self._partner(event)
        if rule.applies == "at_close":
            self.pending = event
            return self._arrival(event, PENDING, "customer_choice", "recorded; the program applies the customer's "
                                 "choice at the close", rule.at, version)
        return self._apply_choice(event, event.at, version)

    def _apply_choice(self, event: Event, at: datetime.datetime, version: LoadedVersion) -> Arrival:
        """Give the chosen partner a claim marked as chosen, and let the chain decide from `at`."""
        for held in self.held.values():  # an earlier choice no longer holds
            held.claim = replace(held.claim, customer_choice=False)
            if held.chosen_only and held.standing(at):
                held.ended, held.ended_by = at, Reason(held.claim.id, "lost", "customer_choice",
                                                       "the customer chose another claimant", None, "customer_choice")
        mine = next((h for h in self._standing(at) if h.claim.partner == event.partner), None)
        if mine is not None:
            mine.claim = replace(mine.claim, customer_choice=True)
            contest, _ = self._contest(at, version)
            chosen = mine
        else:
            registration = next((e for e in reversed(self.registered.values()) if e.partner == event.partner), None)
            claim = Claim(registration.id if registration else event.id, event.partner,
                          registration.at if registration else at, 0, True)
            assert version.rules.conflicts is not None
            chosen = _Held(claim, dict(registration.fields) if registration else {}, version.rules.conflicts, None,
                           chosen_only=True)
            contest, _ = self._contest(at, version, extra=chosen)
        if contest.owner is not None and contest.owner.id == chosen.claim.id:
            self._beaten(contest, at)
            chosen.won_by = contest.decided_by
            self.held[chosen.claim.id] = chosen  # a registration superseded earlier stands again, as chosen
            assert contest.decided_by is not None
            return self._arrival(event, APPLIED, contest.decided_by.rule, f"the customer chose "
                                 f"{_who(event.partner)}; {chosen.claim.id} owns the deal", contest.decided_by.at,
                                 version)
        chosen.claim = replace(chosen.claim, customer_choice=False)
        lost = next((r for r in contest.reasons if r.claim == chosen.claim.id), None)
        rule, message, where = (lost.rule, lost.message, lost.at) if lost else ("otherwise", "no rule decides", None)
        return self._arrival(event, NOT_APPLIED, rule, f"the customer's choice of {_who(event.partner)} does not "
                             f"override this rule: {message}", where, version)

    def _close(self, event: Event) -> Arrival:
        if self.closed is not None:
            return self._arrival(event, REFUSED, "registration", f"the deal already closed at "
                                 f"{self.closed.at.isoformat()}", None, self._version(event.at))
        version, refused = self._outside(event)
        if refused is not None:
            return refused
        assert version is not None
        self.close_fields = dict(event.fields)
        if self.pending is not None:
            applied = self._apply_choice(self.pending, event.at, version)
            self.arrivals.append(replace(applied, event=replace(self.pending, at=event.at)))
            self._note_change(event.at, self.pending.id, applied.reason)
            self.pending = None
        self.closed = event
        ownership = self.ownership(event.at)
        owner = ownership.owner.id if ownership.owner else None
        message = f"closed; the deal is {owner}'s" if owner else "closed with no owner"
        if ownership.vendor_decides:
            message += "; the vendor decides between the claims left equal"
        decided = ownership.decided_by
        return self._arrival(event, CLOSED, decided.rule if decided else "registration", message,
                             decided.at if decided else None, version)

    # --- the chain over the claims standing at an instant --------------------------------------------

    def _standing(self, at: datetime.datetime) -> list[_Held]:
        return [h for h in self.held.values() if h.standing(at)]

    def _fields(self, at: datetime.datetime, extra: _Held | None = None) -> dict[str, Any]:
        """The deal as the registrations in force describe it (the oldest first); others only fill gaps."""
        fields: dict[str, Any] = {}
        described = [h.fields for h in self._standing(at)] + ([extra.fields] if extra else [])
        described += [e.fields for e in self.registered.values()] + [self.close_fields]
        for given in described:
            for name, value in given.items():
                fields.setdefault(name, value)
        return fields

    def _territories(self, at: datetime.datetime, chain: Chain, taken: set[str | None]) -> list[Claim]:
        """Partners whose exclusive right owns the deal without a registration (`needs_registration: false`)."""
        claims: list[Claim] = []
        day = instants.local_date(at, self.rt.ruleset.time_zone)
        for index, rule in enumerate(chain.conflicts.precedence):
            if rule.rule != "exclusivity" or rule.needs_registration:
                continue
            for partner in sorted(self.partners.values(), key=lambda p: p.id):
                if partner.id in taken or not is_member(partner, day):
                    continue
                if chain.holds(index, rule, partner, f"territory of `{partner.id}`"):
                    claims.append(Claim(f"territory:{partner.id}", partner.id, at, registered=False))
                    taken.add(partner.id)
        return claims

    def _contest(self, at: datetime.datetime, version: LoadedVersion,
                 extra: _Held | None = None) -> tuple[Contest, list[Claim]]:
        standing = self._standing(at)
        chain = Chain(version, self.rt.ruleset.time_zone, at, self._fields(at, extra), self.customer, self.partners)
        claims = [h.claim for h in standing] + ([extra.claim] if extra else [])
        claims += self._territories(at, chain, {c.partner for c in claims})
        return chain.contest(claims), claims

    def _beaten(self, contest: Contest, at: datetime.datetime) -> None:
        """Supersede, from `at`, every registration in force that lost the contest."""
        lost = {r.claim: r for r in contest.reasons if r.outcome == "lost"}
        for held in self._standing(at):
            if held.claim.id in lost:
                held.ended, held.ended_by = at, lost[held.claim.id]
        self.disputed = None

    def _won(self, contest: Contest) -> None:
        """Remember the rule by which the owner beat a newcomer: alone later, it holds by that rule."""
        if contest.owner is not None and contest.owner.id in self.held:
            self.held[contest.owner.id].won_by = contest.decided_by
        elif contest.owner is not None and not contest.owner.registered and contest.decided_by is not None:
            self.rights_won[contest.owner.id] = contest.decided_by

    # --- the owner at an instant ------------------------------------------------------------------------

    def owner_at(self, at: datetime.datetime) -> Ownership:
        """Who owns the deal at any instant: the events that arrived by then, replayed."""
        aware(at, "the instant decided")
        moment = at.astimezone(datetime.UTC)
        if all(e.at.astimezone(datetime.UTC) <= moment for e in self.events):
            return self.ownership(at)
        earlier = History(self.rt, self.customer, self.partners)
        for event in self.events:
            if event.at.astimezone(datetime.UTC) <= moment:
                earlier.add(event)
        return earlier.ownership(at)

    def ownership(self, at: datetime.datetime) -> Ownership:
        """Who owns the deal at `at`, no earlier than the last event replayed (else use `owner_at`): the owner, the
        rule that decided, and every reason."""
        version = self._version(at)
        if version is None:
            return Ownership(None, False, None, self._fates(at, None), "")
        contest, _ = self._contest(at, version)
        owner, decided = contest.owner, contest.decided_by
        if owner is not None and owner.id in self.held and decided is not None and decided.rule_id == "registration":
            decided = self.held[owner.id].won_by or decided  # alone now: it holds by the rule it last won by
        elif owner is not None and not owner.registered and decided is not None and decided.rule_id == "registration":
            decided = self.rights_won.get(owner.id) or _by_territory(version, owner)
        vendor = contest.vendor_decides or (owner is not None and owner.id == self.disputed)
        return Ownership(owner, vendor, decided, self._fates(at, contest, decided), version.rules.version)

    def ownership_claim(self, at: datetime.datetime) -> str | None:
        owner = self.ownership(at).owner
        return owner.id if owner else None

    def _fates(self, at: datetime.datetime, contest: Contest | None, decided: Reason | None = None) -> tuple[
            Reason, ...]:
        """Why each registration does or does not own the deal at `at`, in order of arrival."""
        now = {r.claim: r for r in contest.reasons} if contest else {}
        if decided is not None and decided.claim in now:
            now[decided.claim] = decided
        fates: list[Reason] = []
        for event_id in self.registered:
            held = self.held.get(event_id)
            if event_id in now:
                fates.append(now[event_id])
            elif held is not None and held.ended is not None and held.ended <= at and held.ended_by is not None:
                fates.append(held.ended_by)
            elif held is not None and held.end is not None and held.end <= at:
                fates.append(Reason(event_id, "expired", "registration", f"the registration expired at "
                                    f"{held.end.isoformat()}", held.conflicts.at, "registration"))
            elif event_id in self.rejected:
                fates.append(self.rejected[event_id].reason)
        fates.extend(r for c, r in now.items() if c not in self.registered)
        return tuple(fates)

    # --- the changes of owner -------------------------------------------------------------------------

    def _note_changes_until(self, at: datetime.datetime) -> None:
        """Record the changes of owner between the last event and `at` that no event caused, at their own instants:
        a registration's protection ending, a dated partner fact (a territory granted from a date) starting or
        ending. Call `changes_until` to see them up to an instant after the last event."""
        last = self.events[-2].at if len(self.events) > 1 else None
        for moment, cause, reason in boundaries(self.held.values(), self.partners, self.rt.ruleset.time_zone, last, at):
            self._note_change(moment, cause, reason)

    def changes_until(self, at: datetime.datetime) -> tuple[Change, ...]:
        """The changes of owner up to `at`, including those after the last event (expiries, dated facts)."""
        last = self.events[-1].at if self.events else None
        owner, changes = self._owner, list(self.changes)
        for moment, cause, reason in boundaries(self.held.values(), self.partners, self.rt.ruleset.time_zone, last, at):
            self._note_change(moment, cause, reason)
        noted, self.changes, self._owner = self.changes, changes, owner
        return tuple(noted)

    def _note_change(self, at: datetime.datetime, cause: str, reason: Reason) -> None:
        ownership = self.ownership(at) if self._version(at) is not None else None
        owner = ownership.owner if ownership else None
        now = (owner.id if owner else None, owner.partner if owner else None)
        if now == self._owner:
            return
        why = ownership.decided_by if ownership and ownership.decided_by else reason
        self.changes.append(Change(at, self._owner[0], now[0], now[1], cause, why))
        self._owner = now


def _by_territory(version: LoadedVersion, owner: Claim) -> Reason:
    """The reason a partner's exclusive right owns a deal it did not register."""
    assert version.rules.conflicts is not None
    rule = next(r for r in version.rules.conflicts.precedence if r.rule == "exclusivity" and not r.needs_registration)
    return Reason(owner.id, "owner", rule_name(rule), "holds the exclusive right to this deal, without a registration",
                  rule.at, rule.rule)


def _who(partner: str | None) -> str:
    return f"`{partner}`" if partner is not None else "the vendor's direct sales"


def replay(rt: Runtime, customer: str, events: Iterable[Event], partners: Mapping[str, Partner]) -> History:
    """Replay a deal's events in order of arrival (equal instants in the order given).

    Raises:
        QuoteError: a naive timestamp (E530), an unknown partner (E511), two registrations with one id (E533), an
            unknown kind of event (E534), or a field an exclusivity condition reads is missing (E500).
    """
    ordered = sorted(enumerate(events), key=lambda pair: (pair[1].at.astimezone(datetime.UTC), pair[0]))
    history = History(rt, customer, partners)
    seen: set[str] = set()
    for _, event in ordered:
        aware(event.at, f"{event.kind} `{event.id}`")
        if event.kind == "register":
            if event.id in seen:
                raise QuoteError("E533", f"two registrations share the id `{event.id}`; every registration needs "
                                 "its own id")
            seen.add(event.id)
        history.add(event)
    return history


def owner_at(rt: Runtime, customer: str, events: Sequence[Event], partners: Mapping[str, Partner],
             at: datetime.datetime) -> Ownership:
    """Who owns the deal at `at`, from the events that arrived by then."""
    return replay(rt, customer, events, partners).owner_at(at)
