"""`ppl conflicts`: group a file of deal events by customer and, for each customer claimed more than once, replay
its history with the one deal decision (`runtime.decisions.deals`): each event's status on arrival and why, the
owner at `--at` and the rule that decided, and the changes of owner with their causes."""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ppl.commands._deal_values import (
    declared_values,
    moment,
    place,
    print_json,
    timestamp,
    unknown_partner,
    who,
)
from ppl.common import (
    EXIT_ERRORS,
    EXIT_OK,
    CommandError,
    add_format_option,
    add_runtime_arguments,
    load_partners,
    load_ruleset,
)
from runtime import identity, ids, ir
from runtime.decisions import QuoteError
from runtime.decisions.conflicts import Reason
from runtime.decisions.deals import EVENT_KINDS, Event, History, replay
from runtime.engine import EvaluationError
from runtime.io.deal_json import claim_reason_json
from runtime.io.records import ReadError, RecordFile
from runtime.io.values import (
    ValueProblem,
    is_empty,
    parse_boolean,
    parse_integer,
    parse_text,
)
from runtime.loaded import Runtime
from runtime.model import Partner

NAME = "conflicts"
CHOICE_SUFFIX = "-choice"
"""The id of the choice a registration row states with `customer_choice: true`: the registration's id and this."""


def add_parser(sub: Any) -> None:
    """Register `conflicts` on the subcommand parser of `ppl`."""
    p = sub.add_parser(
        NAME, help="decide who owns each customer claimed more than once",
        description="Group a file of deal registrations (and renewals, withdrawals, customer choices and closes) "
        "by customer (corporate number first, else the normalised name) and, for each customer claimed more than "
        "once, replay its history: each event's status on arrival and why, the owner at --at and the rule that "
        "decided, why each other registration does not own the deal, the changes of owner and their causes, and "
        "which names were matched. Exit status: 0 every conflict decided, 1 the vendor must decide some (or the "
        "program has errors), 2 usage or I/O error.")
    add_runtime_arguments(p)
    p.add_argument("--registrations", required=True, metavar="FILE",
                   help="deal events (.csv, .jsonl or .ndjson): id, event (register, renew, withdraw, choose, close; "
                   "default register), partner (empty: direct sales), customer, corporate_number, registered_at "
                   "(the event's instant), renewals, customer_choice, and the declared deal fields")
    p.add_argument("--at", metavar="TIMESTAMP", help="the owner as of this time, with its UTC offset (default: "
                   "each customer's latest event)")
    add_format_option(p)


@dataclass
class _Row:
    row: int
    event: Event
    customer: str
    key: identity.CustomerKey
    fields: dict[str, Any]
    chose: bool = False  # a registration row with `customer_choice: true`
    links: list[tuple[str, str]] = field(default_factory=list)  # (earlier row's event id, how they matched)


_Text = Callable[[str], str]


def _texts(values: Mapping[str, Any]) -> tuple[_Text, Callable[[str, str], str]]:
    """Readers of a row's text columns: plain text, and ids or names by the identity policy (`runtime.ids`)."""
    def text(name: str) -> str:
        if is_empty(values.get(name)):
            raise ValueError(f"`{name}` is missing")
        try:
            return parse_text(values[name])
        except ValueProblem as exc:
            raise ValueError(f"`{name}`: {exc.reason}") from None

    def checked(name: str, what: str) -> str:
        try:
            check = ids.check_name if name == "customer" else ids.canonical_id
            return check(text(name), what)
        except ids.IdProblem as exc:
            raise ValueError(f"{exc.reason} [{exc.code}]") from None

    return text, checked


def _kind(values: Mapping[str, Any]) -> str:
    if is_empty(values.get("event")):
        return "register"
    kind = str(values["event"]).strip().lower()
    if kind not in EVENT_KINDS:
        raise ValueError(f"`event` is `{values['event']}`; write one of {', '.join(EVENT_KINDS)}")
    return kind


def _partner(kind: str, event_id: str, values: Mapping[str, Any], checked: Callable[[str, str], str],
             partners: Mapping[str, Partner], registered: Mapping[str, str | None]) -> str | None:
    """The claimant (register), the one who asks (renew, withdraw: by default the registration's partner), the
    partner chosen (choose; empty: direct sales); a close has none."""
    if kind in ("renew", "withdraw") and event_id not in registered:
        raise ValueError(f"`{kind}` names registration `{event_id}`, which no earlier row registers")
    if kind == "close" or (kind in ("renew", "withdraw") and is_empty(values.get("partner"))):
        return registered.get(event_id) if kind != "close" else None
    partner = None if is_empty(values.get("partner")) else checked("partner", "partner")
    if partner is not None and partner not in partners:
        raise ValueError(unknown_partner(partner, partners))
    return partner


def _parse_row(row: int, values: Mapping[str, Any], ruleset: ir.RuleSet, partners: Mapping[str, Partner],
               registered: Mapping[str, tuple[str | None, str]]) -> _Row:
    text, checked = _texts(values)
    kind = _kind(values)
    event_id = checked("id", {"close": "close", "choose": "choice"}.get(kind, "registration"))
    partner = _partner(kind, event_id, values, checked, partners, {i: p for i, (p, _) in registered.items()})
    # a renewal or a withdrawal is of its registration's customer unless the row names one
    customer = registered[event_id][1] if kind in ("renew", "withdraw") and is_empty(values.get("customer")) \
        else checked("customer", "customer")
    number = None if is_empty(values.get("corporate_number")) else text("corporate_number")
    key = identity.customer_key(customer, number)
    at = timestamp(text("registered_at"), "`registered_at`")
    try:
        renewals = 0 if is_empty(values.get("renewals")) else parse_integer(values["renewals"])
        chose = False if is_empty(values.get("customer_choice")) else parse_boolean(values["customer_choice"])
    except ValueProblem as exc:
        raise ValueError(exc.reason) from None
    if renewals < 0:
        raise ValueError(f"`renewals` is {renewals}; it counts renewals, 0 or more")
    if kind != "register" and (renewals or chose):
        raise ValueError(f"`renewals` and `customer_choice` belong to a registration, not to a `{kind}` row")
    fields = declared_values(values, "deal", ruleset, strict=False) if kind in ("register", "close") else {}
    return _Row(row, Event(kind, event_id, at, partner, fields, renewals), customer, key, fields, chose)


def _read_rows(path: str, ruleset: ir.RuleSet, partners: Mapping[str, Partner]) -> tuple[list[_Row], list[str]]:
    """The rows read, and each rejected row with its number and reason (the rest go on)."""
    rows: list[_Row] = []
    problems: list[str] = []
    seen: dict[str, int] = {}  # the id of each registration, choice and close → its row
    registered: dict[str, tuple[str | None, str]] = {}  # registration id → its partner and customer
    try:
        with RecordFile(path, ("id", "customer", "registered_at")) as records:
            for record in records:
                if record.problem is not None:
                    problems.append(f"row {record.row}: {record.problem}")
                    continue
                try:
                    parsed = _parse_row(record.row, record.values, ruleset, partners, registered)
                except ValueError as exc:
                    problems.append(f"row {record.row}: {exc}")
                    continue
                event = parsed.event
                if event.kind not in ("renew", "withdraw") and event.id in seen:
                    what = {"register": "registration", "choose": "choice"}.get(event.kind, event.kind)
                    problems.append(f"row {record.row}: {what} `{event.id}` is already in row {seen[event.id]}")
                    continue
                if event.kind not in ("renew", "withdraw"):
                    seen[event.id] = record.row
                if event.kind == "register":
                    registered[event.id] = (event.partner, parsed.customer)
                rows.append(parsed)
    except ReadError as exc:
        raise CommandError(str(exc)) from None
    return rows, problems


def _how(a: _Row, b: _Row) -> str:
    how = identity.explain_match(a.customer, b.customer, a.key, b.key)
    if a.customer.strip() == b.customer.strip() and not how.startswith("matched by corporate number"):
        return f"the same name, {b.customer.strip()}"
    return how


def group_by_customer(rows: Sequence[_Row]) -> list[list[_Row]]:
    """Rows grouped by customer (`identity.same_customer`, joined transitively), in file order; a renewal or a
    withdrawal joins its registration's group whatever customer it names.

    Each row records the earlier ones it matched and how, so the output can show the names matched.
    """
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_number: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    registration: dict[str, int] = {}
    for i, row in enumerate(rows):
        if row.event.kind in ("renew", "withdraw"):
            parent[root(i)] = root(registration[row.event.id])
        candidates = by_number.get(row.key.corporate_number or "", []) + by_name.get(row.key.name, [])
        for j in sorted(set(candidates)):
            other = rows[j]
            if root(j) != root(i) and identity.same_customer(other.key, row.key):
                # an event on a registration of the customer names it as it is written: no match to show
                if row.event.kind == "register" or row.customer.strip() != other.customer.strip():
                    row.links.append((other.event.id, _how(other, row)))
                parent[root(i)] = root(j)
        if row.event.kind == "register":
            registration[row.event.id] = i
        if row.key.corporate_number is not None:
            by_number.setdefault(row.key.corporate_number, []).append(i)
        if row.key.name:
            by_name.setdefault(row.key.name, []).append(i)
    groups: dict[int, list[_Row]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(root(i), []).append(row)
    return sorted(groups.values(), key=lambda g: g[0].row)


def deals_of(group: Sequence[_Row]) -> list[list[_Row]]:
    """A customer's rows cut into deals, as the registry cuts them: a close ends a deal, and the rows that arrive
    after it are the customer's next deal."""
    deals: list[list[_Row]] = [[]]
    for row in sorted(group, key=lambda r: (r.event.at.astimezone(datetime.UTC), r.row)):
        deals[-1].append(row)
        if row.event.kind == "close":
            deals.append([])
    return [d for d in deals if d]


def _notes(group: Sequence[_Row]) -> list[str]:
    """Where the registrations disagree on a deal field: the earliest registration's value describes the deal."""
    ordered = sorted((r for r in group if r.event.kind == "register"), key=lambda r: (r.event.at, r.row))
    fields: dict[str, tuple[Any, str]] = {}
    notes: list[str] = []
    for reg in ordered:
        for name, value in reg.fields.items():
            if name not in fields:
                fields[name] = (value, reg.event.id)
            elif fields[name][0] != value:
                notes.append(f"{reg.event.id} gives deal.{name} = {value}, {fields[name][1]} gave "
                             f"{fields[name][0]}; the earlier registration's value is used")
    return notes


def _events(group: Sequence[_Row]) -> list[Event]:
    """The group's events in file order; a registration's `customer_choice` is a choice documented with it."""
    events: list[Event] = []
    for row in group:
        events.append(row.event)
        if row.chose:
            events.append(Event("choose", row.event.id + CHOICE_SUFFIX, row.event.at, row.event.partner))
    return events


def _reason(reason: Reason) -> dict[str, Any]:
    """A reason's rule, message and where the rule is written (`where`)."""
    return {"rule": reason.rule, "rule_id": reason.rule_id, "message": reason.message,
            "where": str(reason.at) if reason.at else None}


def _history(history: History, at: datetime.datetime, partner_of: Mapping[str, str | None]) -> dict[str, Any]:
    """Statuses on arrival, the owner at `at` with every registration's reason, and the changes of owner."""
    ownership = history.owner_at(at)
    arrivals = [{"event": a.event.kind, "id": a.event.id, "partner": a.event.partner, "at": a.event.at,
                 "status": a.status, **_reason(a.reason), "holder": a.holder, "version": a.version}
                for a in history.arrivals]
    owner = ownership.owner
    decided = ownership.decided_by
    reasons = [claim_reason_json(r, partner_of) for r in ownership.reasons]
    changes = [{"at": c.at, "previous": c.previous, "owner": c.owner, "partner": c.partner, "cause": c.cause,
                **_reason(c.reason)} for c in history.changes_until(at)]
    return {"owner": owner.id if owner else None, "partner": owner.partner if owner else None,
            "vendor_decides": ownership.vendor_decides, "version": ownership.version or None,
            "decided_by": claim_reason_json(decided, partner_of) if decided and owner else None,
            "reasons": reasons, "arrivals": arrivals, "changes": changes}


def _decide_group(rt: Runtime, group: Sequence[_Row], at: datetime.datetime | None,
                  partners: Mapping[str, Partner]) -> dict[str, Any]:
    registrations = [r for r in group if r.event.kind == "register"]
    when = at or max(r.event.at for r in group)
    result: dict[str, Any] = {
        "customer": registrations[0].customer, "registrations": [r.event.id for r in registrations],
        "at": when, "matches": [{"registration": r.event.id, "with": other, "how": how} for r in group
                                for other, how in r.links],
        "notes": _notes(group), "owner": None, "partner": None, "vendor_decides": False, "version": None,
        "decided_by": None, "reasons": [], "arrivals": [], "changes": [], "error": None}
    try:
        history = replay(rt, result["customer"], _events(group), partners)
        result.update(_history(history, when, {r.event.id: r.event.partner for r in registrations}))
    except (QuoteError, EvaluationError) as exc:
        result["error"] = f"{exc.at}: error[{exc.code}]: {exc.message}" if exc.at else \
            f"error[{exc.code}]: {exc.message}"
    return result


def _arrival_line(a: Mapping[str, Any]) -> str:
    what = "close" if a["event"] == "close" else f"{a['event']} {a['id']}"
    if a["event"] == "choose":
        what += f" of {who(a['partner'])}"
    elif a["event"] != "close":
        what += f" ({who(a['partner'])})"
    return f"    {a['at'].isoformat()}  {what}: {a['status']} by {a['rule']}: {a['message']}{place(a['where'])}"


def _change_line(c: Mapping[str, Any]) -> str:
    owner = f"{c['owner']} ({who(c['partner'])})" if c["owner"] else "nobody"
    return (f"    {c['at'].isoformat()}  {c['previous'] or 'nobody'} → {owner} on {c['cause']}, by {c['rule']}: "
            f"{c['message']}")


def _owner_lines(result: Mapping[str, Any]) -> list[str]:
    decided = result["decided_by"]
    owner = f"  owner: {result['owner']} ({who(result['partner'])})"
    if result["owner"] is None:
        out = ["  no owner: no registration is in force"]
    elif result["vendor_decides"]:
        out = [f"{owner}, which arrived first, stays in force until the vendor decides: no rule tells the claims "
               "apart"]
    else:
        out = [f"{owner} by {decided['rule']}: {decided['message']}{place(decided['at'])}"]
    for r in result["reasons"]:
        if r["claim"] == result["owner"] or r["outcome"] == "owner":
            continue
        verb = {"lost": f"lost to {r['rule']}:", "expired": "expired:"}.get(r["outcome"], f"{r['outcome']}:")
        out.append(f"  {r['claim']} ({who(r['partner'])}) {verb} {r['message']}{place(r['at'])}")
    return out


def render_conflict(result: Mapping[str, Any]) -> list[str]:
    """One customer's history as text: the names matched, each event's status on arrival, the owner at the
    instant asked and why the others do not own the deal, and the changes of owner."""
    registrations = result["registrations"]
    version = f" under version {result['version']}" if result["version"] else ""
    out = [f"{result['customer']}: {len(registrations)} registrations ({', '.join(registrations)}), decided at "
           f"{result['at'].isoformat()}{version}"]
    out += [f"  {m['registration']} matched {m['with']}: {m['how']}" for m in result["matches"]]
    out += [f"  note: {n}" for n in result["notes"]]
    if result["error"]:
        return [*out, f"  cannot decide: {result['error']}"]
    out += ["  on arrival:", *(_arrival_line(a) for a in result["arrivals"])]
    out += _owner_lines(result)
    return [*out, "  changes of owner:", *(_change_line(c) for c in result["changes"])]


def run(args: argparse.Namespace) -> int:
    """Decide every customer claimed more than once; the status is 1 when some are left to the vendor."""
    ruleset = load_ruleset(args.program, args.color, args.trusted_key)
    partners = load_partners(args.partners, ruleset, args.partner_facts)
    at = moment(args.at) if args.at is not None else None
    rows, rejected = _read_rows(args.registrations, ruleset, partners)
    for problem in rejected:
        print(f"rejected: {args.registrations}: {problem}", file=sys.stderr)
    rt = Runtime(ruleset, args.engine)
    contested = [d for g in group_by_customer(rows) for d in deals_of(g)
                 if sum(r.event.kind == "register" for r in d) > 1]
    results = [_decide_group(rt, g, at, partners) for g in contested]
    undecided = sum(1 for r in results if r["error"] or r["vendor_decides"])
    registrations = sum(1 for r in rows if r.event.kind == "register")
    if args.format == "json":
        print_json({"registrations": registrations, "events": len(rows), "rejected": rejected,
                    "conflicts": results})
    else:
        blocks = ["\n".join(render_conflict(r)) for r in results]
        sys.stdout.write("\n\n".join(blocks) + ("\n" if blocks else ""))
    others = len(rows) - registrations
    more = f" and {others} other event{'s' if others != 1 else ''}" if others else ""
    refused = f", {len(rejected)} row{'s' if len(rejected) != 1 else ''} rejected" if rejected else ""
    print(f"{registrations} registrations{more}{refused}, {len(results)} customers claimed more than once, "
          f"{undecided} not decided", file=sys.stderr)
    return EXIT_ERRORS if undecided or rejected else EXIT_OK
