"""What a `deal` case says: one customer's deal history, event by event, and what the designer expects of it.

A `deal` case states a registration history with the instant of each event, as the registry receives it:
registrations, renewals, withdrawals, the customer's documented choice and the close. It expects the status
each event gets on arrival (`statuses`), the rule behind it (`because`), the owner at chosen instants
(`owners`) and the changes of owner in order (`changes`). The runtime replays the history with
`runtime.decisions.deals.replay`, the one decision the registry and `ppl conflicts` make. See
docs/testing.md.

    deal:
      customer: 九州製作所
      fields: {region: kyushu}
      events:
        - {register: r1, partner: hokkaido, at: 2026-04-01T09:00:00+09:00}
        - {register: r2, partner: kanto, at: 2026-05-01T09:00:00+09:00}
        - {choose: kanto, at: 2026-06-01T10:00:00+09:00}            # or {choose: c1, partner: kanto, …}
        - {close: k1, at: 2026-06-10T10:00:00+09:00}
    expect:
      statuses: {r1: accepted, r2: held, choice: [pending, applied], k1: closed}
      because: {r2: first_registration}
      owners:
        - {at: 2026-06-09T10:00:00+09:00, owner: r1, by: first_registration}
        - {at: 2026-06-10T10:00:00+09:00, owner: r2, by: customer_choice}
      changes:
        - {at: 2026-04-01T09:00:00+09:00, owner: r1}
        - {at: 2026-06-10T10:00:00+09:00, owner: r2, cause: choice}
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policy_lang.source import Span
from policy_lang.yaml_loader import YMap, YNode, YScalar, YSeq
from program_tests.values import TIMESTAMP_EXAMPLE, Check, ValueReader
from runtime import ir
from runtime.decisions.deals import STATUSES, Event

EVENT_KEYS = ("register", "renew", "withdraw", "choose", "close")
"""The key that names an event's kind; its value is the registration (or the close's id, or the chosen partner)."""
DEAL_EXPECT = ("statuses", "because", "owners", "changes", "error")
"""What a `deal` case can expect."""
REASON_RULES = ("registration", "otherwise", "program", "membership", "withdrawal", "customer_choice")
"""The rules a status can be given by besides the program's conflict rules: the registration itself (alone, a
duplicate, a renewal), `otherwise` (the vendor decides), `program` (no version or no conflict rules in force),
`membership` (the partner is not a member that day) and `withdrawal`."""
CHOICE = "choice"
"""The name of a customer's choice that gives no `id`."""
NONE = "none"
_DEAL = ("customer", "fields", "events")
_EVENT = {"register": ("register", "partner", "at", "fields"), "renew": ("renew", "partner", "at"),
          "withdraw": ("withdraw", "partner", "at"), "choose": ("choose", "partner", "at", "id"),
          "close": ("close", "at", "fields")}
_OWNER = ("at", "owner", "by", "vendor_decides")
_CHANGE = ("at", "owner", "cause")


@dataclass(frozen=True, slots=True)
class DealInput:
    """A deal's history: its events in the order written (the runtime orders them by instant), and where a
    timestamp without an offset is written (the runtime refuses it with E530)."""

    customer: str
    events: tuple[Event, ...]
    naive: tuple[Span, ...] = ()

    def names(self) -> list[str]:
        """The names `statuses` and `because` use: registrations, closes and choices, in order of first mention."""
        return list(dict.fromkeys(e.id for e in self.events))


def instant(path: Sequence[str]) -> datetime.datetime:
    """The instant an `owners` check is about (its path holds it in ISO 8601)."""
    return datetime.datetime.fromisoformat(path[1])


class DealReader(ValueReader):
    """Reads a `deal` case: its history and its expectations."""

    def __init__(self, ruleset: ir.RuleSet) -> None:
        super().__init__(ruleset)
        rules = {r.rule for v in ruleset.versions if v.conflicts for r in v.conflicts.precedence}
        self.reason_rules = sorted(rules | set(REASON_RULES))

    # --- the history --------------------------------------------------------------------------------

    def deal_input(self, node: YNode) -> DealInput | None:
        """A `deal`: `customer`, `fields` (the deal's, for every registration and close) and `events`."""
        keys = self.mapping(node, "`deal`", _DEAL, ("customer", "events"))
        if keys is None:
            return None
        customer = self.text(keys["customer"], "`customer`")
        fields = self.fields(keys["fields"], "deal", "the deal") if "fields" in keys else {}
        items = self.items(keys["events"], "`events`")
        if isinstance(keys["events"], YSeq) and not items:
            self.error("E206", "`events` is empty: a deal's history has one event or more", keys["events"])
            return None
        naive: list[Span] = []
        registered: dict[str, str | None] = {}  # registration id → its partner
        names: set[str] = set()
        events = [self.deal_event(item, fields, registered, names, naive) for item in items]
        if customer is None or not events or any(e is None for e in events):
            return None
        return DealInput(customer, tuple(e for e in events if e is not None), tuple(naive))

    def deal_event(self, node: YNode, fields: dict[str, Any], registered: dict[str, str | None], names: set[str],
                   naive: list[Span]) -> Event | None:
        kinds = [k for k in EVENT_KEYS if isinstance(node, YMap) and node.get(k) is not None]
        if len(kinds) != 1:
            if isinstance(node, YMap):
                self.error("E208" if kinds else "E202", "an event is one of `register: ID`, `renew: ID`, "
                           "`withdraw: ID`, `choose: PARTNER` and `close: ID`", node)
            else:
                self.error("E201", "an event must be a mapping", node)
            return None
        kind = kinds[0]
        keys = self.mapping(node, f"a `{kind}` event", _EVENT[kind], (kind, "at"))
        if keys is None:
            return None
        at = self.timestamp(keys["at"], f"the `at` of a `{kind}` event")
        if at is not None and at.tzinfo is None:
            naive.append(keys["at"].span)  # the runtime refuses it with E530, which a case can expect
        own = self.fields(keys["fields"], "deal", f"`{kind}` event") if "fields" in keys else {}
        match kind:
            case "register":
                return self._register(keys, at, {**fields, **own}, registered, names)
            case "renew" | "withdraw":
                return self._on_registration(kind, keys, at, registered)
            case "choose":
                return self._choose(keys, at, registered, names)
            case "close":
                name = self._name(keys["close"], "a close's id", registered, names)
                return Event("close", name, at, None, {**fields, **own}) if name and at else None
        raise AssertionError(kind)

    def _name(self, node: YNode, what: str, registered: dict[str, str | None], names: set[str]) -> str | None:
        """A new event name (a registration id, a close's or a choice's id): unique in the case, and not `none`."""
        name = self.text(node, what)
        if name is None:
            return None
        if name.lower() == NONE:
            self.error("E205", f"{what} cannot be `none`: `owner: none` says that nobody owns the deal", node)
            return None
        if name in names or name in registered:
            self.error("E300", f"two events are named `{name}`", node,
                       "renew or withdraw a registration by its id; give each choice its own `id`")
            return None
        names.add(name)
        return name

    def _partner(self, node: YNode, what: str) -> tuple[bool, str | None]:
        """A partner of the file, or `null` for the vendor's direct sales: (read, partner)."""
        if isinstance(node, YScalar) and node.value is None:
            return True, None
        found = self.text(node, f"{what} (a partner, or null for direct sales)")
        return (found is not None and self.known(node, found, self.partners, "partner")), found

    def _register(self, keys: dict[str, YNode], at: datetime.datetime | None, fields: dict[str, Any],
                  registered: dict[str, str | None], names: set[str]) -> Event | None:
        rid = self._name(keys["register"], "a registration's id", registered, names)
        if "partner" not in keys:
            self.error("E202", "a registration has no `partner` (null for direct sales)", keys["register"])
            return None
        ok, partner = self._partner(keys["partner"], "a registration's `partner`")
        if rid is None or not ok or at is None:
            return None
        registered[rid] = partner
        return Event("register", rid, at, partner, fields)

    def _on_registration(self, kind: str, keys: dict[str, YNode], at: datetime.datetime | None,
                         registered: dict[str, str | None]) -> Event | None:
        """A renewal or a withdrawal: of a registration above it, by its partner unless `partner` says who asks."""
        rid = self.text(keys[kind], f"the registration to {kind}")
        if rid is None or not self.known(keys[kind], rid, registered, "registration"):
            return None
        ok, partner = self._partner(keys["partner"], f"the `partner` of a `{kind}`") if "partner" in keys \
            else (True, registered[rid])
        return Event(kind, rid, at, partner) if ok and at is not None else None

    def _choose(self, keys: dict[str, YNode], at: datetime.datetime | None, registered: dict[str, str | None],
                names: set[str]) -> Event | None:
        """`{choose: PARTNER}` (named `choice`, or by its `id`), or `{choose: ID, partner: PARTNER}` as a
        registration is written."""
        if "partner" in keys and "id" in keys:
            self.error("E208", "a choice is `{choose: PARTNER, id: ID}` or `{choose: ID, partner: PARTNER}`",
                       keys["id"])
            return None
        ok, partner = self._partner(keys["partner"] if "partner" in keys else keys["choose"], "the partner chosen")
        if "partner" in keys or "id" in keys:
            name = self._name(keys["choose" if "partner" in keys else "id"], "a choice's id", registered, names)
        elif CHOICE in names or CHOICE in registered:
            self.error("E300", f"two events are named `{CHOICE}`", keys["choose"], "give each choice its own `id`")
            name = None
        else:
            name = CHOICE
            names.add(name)
        return Event("choose", name, at, partner) if ok and name is not None and at is not None else None

    # --- the expectations ---------------------------------------------------------------------------

    def deal_check(self, name: str, node: YNode, deal: DealInput | None) -> list[Check] | None:
        """One key of a deal case's `expect`."""
        named = deal.names() if deal is not None else None
        match name:
            case "statuses":
                return self._per_event(name, node, named, STATUSES, "status")
            case "because":
                return self._per_event(name, node, named, self.reason_rules, "conflict rule")
            case "owners":
                return self._owners(node, self._claims(deal))
            case "changes":
                return self._changes(node, self._claims(deal))
            case "error":
                code = self.text(node, "`error`")
                if code is not None and (len(code) != 4 or code[0] not in "EW" or not code[1:].isdigit()):
                    self.error("E205", f"`error` must be a diagnostic code such as E530, not `{code}`", node)
                    return None
                return None if code is None else [Check(("error",), code, "code", node.span)]
        raise AssertionError(name)

    def _claims(self, deal: DealInput | None) -> list[str] | None:
        """What can own the deal: registrations, choices, and partners' territories (`territory:PARTNER`)."""
        if deal is None:
            return None
        return [*deal.names(), *(f"territory:{p}" for p in self.partners)]

    def _per_event(self, name: str, node: YNode, named: list[str] | None, pool: Sequence[str], label: str) \
            -> list[Check] | None:
        """`{r1: accepted, r2: [held]}`: a value is the first event of that name; a list, every one in order."""
        checks: list[Check] | None = []
        entries = self.entries(node, f"`{name}`")
        if isinstance(node, YMap) and not entries:
            self.error("E202", f"`{name}` names no event", node)
            return None
        for key, value in entries:
            event = str(key.value)
            ok = named is None or self.known(key, event, named, "event")
            items = value.items if isinstance(value, YSeq) else [value]
            words = [self.text(item, f"a {label}") for item in items]
            for item, word in zip(items, words, strict=True):
                ok = word is not None and self.known(item, word, pool, label) and ok
            if not ok or checks is None:
                checks = None
                continue
            expected = tuple(w for w in words if w is not None)
            checks.append(Check((name, event), expected if isinstance(value, YSeq) else expected[0],
                                "list" if isinstance(value, YSeq) else "text", value.span))
        return checks

    def _owner(self, node: YNode, claims: list[str] | None) -> str | None:
        if isinstance(node, YScalar) and (node.value is None or node.value == NONE):
            return NONE
        claim = self.text(node, "an owner (a registration, or none)")
        if claim is None or (claims is not None and not self.known(node, claim, claims, "claim")):
            return None
        return claim

    def _moment(self, node: YNode, what: str) -> datetime.datetime | None:
        at = self.timestamp(node, what)
        if at is not None and at.tzinfo is None:
            self.error("E530", f"{what} has no timezone", node, f"write it with its offset, e.g. {TIMESTAMP_EXAMPLE}")
            return None
        return at

    def _owners(self, node: YNode, claims: list[str] | None) -> list[Check] | None:
        """`[{at: INSTANT, owner: r1, by: first_registration, vendor_decides: false}, …]`: `at` and any of the rest."""
        checks: list[Check] | None = []
        for item in self.items(node, "`owners` (the owner at chosen instants)"):
            keys = self.mapping(item, "an owner at an instant", _OWNER, ("at",))
            if keys is not None and len(keys) == 1:
                self.error("E202", "an owner at an instant names `owner`, `by` or `vendor_decides`", item)
                keys = None
            at = self._moment(keys["at"], "the `at` of an owner") if keys is not None else None
            found = self._owner_checks(("owners", at.isoformat()), keys, claims) if keys and at else None
            checks = None if found is None or checks is None else [*checks, *found]
        return checks

    def _owner_checks(self, path: tuple[str, ...], keys: dict[str, YNode], claims: list[str] | None) \
            -> list[Check] | None:
        checks: list[Check] = []
        for name, value in keys.items():
            if name == "at":
                continue
            got: Any = (self._owner(value, claims) if name == "owner" else self.flag(value, "`vendor_decides`")
                        if name == "vendor_decides" else NONE if isinstance(value, YScalar) and value.value in
                        (None, NONE) else self.text(value, "`by`"))
            if got is None or (name == "by" and got != NONE and not self.known(value, got, self.reason_rules,
                                                                             "conflict rule")):
                return None
            checks.append(Check((*path, name), got, "flag" if name == "vendor_decides" else "text", value.span))
        return checks

    def _changes(self, node: YNode, claims: list[str] | None) -> list[Check] | None:
        """The changes of owner, in order: `{at: INSTANT, owner: r1, cause: r1}` (`cause` optional)."""
        items = self.items(node, "`changes`")
        checks: list[Check] | None = [Check(("changes",), len(items), "count", node.span)]
        for index, item in enumerate(items):
            keys = self.mapping(item, "a change of owner", _CHANGE, ("at", "owner"))
            if keys is None:
                checks = None
                continue
            at = self._moment(keys["at"], "the `at` of a change")
            owner = self._owner(keys["owner"], claims)
            cause = self.text(keys["cause"], "a change's `cause`") if "cause" in keys else ""
            if at is None or owner is None or cause is None or checks is None:
                checks = None
                continue
            path = ("changes", str(index))
            checks += [Check((*path, "at"), at, "instant", keys["at"].span),
                       Check((*path, "owner"), owner, "text", keys["owner"].span)]
            if "cause" in keys:
                checks.append(Check((*path, "cause"), cause, "text", keys["cause"].span))
        return checks
