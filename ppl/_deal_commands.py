"""`ppl conflicts`, `ppl registry` and `ppl route`: who owns a customer, the registry of deal registrations, and
who is offered a lead.

A program is given as a `.yaml` file (checked and compiled on the fly) or as a compiled `.json` rule set.
Exit status: 0 done; 1 a rejected registration (or renewal, or withdrawal), or a decision that could not be
made (the vendor decides, no partner can take a lead, the program has no such rules); 2 usage or I/O errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import difflib
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from ppl._runtime_commands import EXIT_ERRORS, EXIT_OK, _common, _fail, load_partners, load_ruleset, run
from runtime import explain, identity, ir
from runtime.decisions import QuoteError
from runtime.decisions.conflicts import Claim, Deal, Ownership, decide
from runtime.decisions.routing import Lead, Routing, route, route_new_reseller
from runtime.engine import EvaluationError
from runtime.io.records import ReadError, RecordFile
from runtime.io.values import (
    ValueProblem,
    declared,
    is_empty,
    parse_boolean,
    parse_date,
    parse_integer,
    parse_text,
    parse_value,
)
from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.store import HistoryEvent, Outcome, Registration, Registry, RegistryError, TimeOrderError

EXAMPLE_TIME = "2026-06-01T10:00:00+09:00"


# --- values ----------------------------------------------------------------------------------------


def _timestamp(text: str, what: str) -> datetime.datetime:
    """A date and time with a UTC offset.

    Raises:
        ValueError: not a date and time, or without an offset; the message says which.
    """
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} `{text}` is not a date and time; write it like {EXAMPLE_TIME}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} `{text}` has no timezone; write it with an offset, like {EXAMPLE_TIME} [E530]")
    return moment


def _moment(text: str | None, command: str, what: str = "--at") -> datetime.datetime:
    """A timestamp option; without one, now (in the local offset)."""
    if text is None:
        return datetime.datetime.now().astimezone()
    try:
        return _timestamp(text, what)
    except ValueError as exc:
        raise _fail(command, str(exc)) from None


def _unknown_field(name: str, scope: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean `{close[0]}`?" if close else f"the program declares {', '.join(known) or 'none'}"
    return f"unknown {scope} field `{name}`; {hint}"


def _unknown_partner(name: str, partners: Mapping[str, Partner]) -> str:
    close = difflib.get_close_matches(name, sorted(partners), n=1)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    return f"unknown partner `{name}`: not in the partners file{hint}"


def _declared_values(values: Mapping[str, Any], scope: str, ruleset: ir.RuleSet, strict: bool,
                     builtin: Iterable[str] = ()) -> dict[str, Any]:
    """The declared inputs of a scope from raw values, converted by their types.

    Raises:
        ValueError: a bad value, or (when strict) a key that is neither declared nor built in.
    """
    inputs = declared(ruleset, scope)
    if strict:
        for name in values:
            if name not in inputs and name not in builtin:
                raise ValueError(_unknown_field(name, scope, sorted(inputs)))
    out: dict[str, Any] = {}
    for name, type_name in inputs.items():
        raw = values.get(name)
        if is_empty(raw):
            continue
        try:
            out[name] = parse_value(raw, type_name, ruleset)
        except ValueProblem as exc:
            raise ValueError(f"`{name}`: {exc.reason} [{exc.code}]") from None
    return out


def jsonable(value: Any) -> Any:
    """Results as JSON values: dataclasses as objects, times in ISO 8601, exact numbers as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return str(value)
    return value


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(value), ensure_ascii=False, indent=1) + "\n")


def _place(at: object) -> str:
    return f"  [{at}]" if at else ""


def _who(partner: str | None) -> str:
    return f"partner {partner}" if partner is not None else "direct sales"


# --- conflicts -------------------------------------------------------------------------------------


@dataclass
class _Registration:
    row: int
    claim: Claim
    customer: str
    key: identity.CustomerKey
    fields: dict[str, Any]
    links: list[tuple[str, str]] = field(default_factory=list)  # (earlier registration, how they matched)


_BUILTIN_COLUMNS = ("id", "partner", "customer", "corporate_number", "registered_at", "renewals", "customer_choice")


def _parse_registration(row: int, values: Mapping[str, Any], ruleset: ir.RuleSet,
                        partners: Mapping[str, Partner]) -> _Registration:
    def text(name: str) -> str:
        if is_empty(values.get(name)):
            raise ValueError(f"`{name}` is missing")
        try:
            return parse_text(values[name])
        except ValueProblem as exc:
            raise ValueError(f"`{name}`: {exc.reason}") from None

    reg_id, customer = text("id"), text("customer")
    partner = None if is_empty(values.get("partner")) else text("partner")
    if partner is not None and partner not in partners:
        raise ValueError(_unknown_partner(partner, partners))
    number = None if is_empty(values.get("corporate_number")) else text("corporate_number")
    key = identity.customer_key(customer, number)
    registered_at = _timestamp(text("registered_at"), "`registered_at`")
    try:
        renewals = 0 if is_empty(values.get("renewals")) else parse_integer(values["renewals"])
        choice = False if is_empty(values.get("customer_choice")) else parse_boolean(values["customer_choice"])
    except ValueProblem as exc:
        raise ValueError(exc.reason) from None
    if renewals < 0:
        raise ValueError(f"`renewals` is {renewals}; it counts renewals, 0 or more")
    fields = _declared_values(values, "deal", ruleset, strict=False)
    return _Registration(row, Claim(reg_id, partner, registered_at, renewals, choice), customer, key, fields)


def _read_registrations(path: str, ruleset: ir.RuleSet, partners: Mapping[str, Partner]) -> list[_Registration]:
    rows: list[_Registration] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    try:
        with RecordFile(path, ("id", "customer", "registered_at")) as records:
            for record in records:
                if record.problem is not None:
                    problems.append(f"row {record.row}: {record.problem}")
                    continue
                try:
                    parsed = _parse_registration(record.row, record.values, ruleset, partners)
                except ValueError as exc:
                    problems.append(f"row {record.row}: {exc}")
                    continue
                if parsed.claim.id in seen:
                    problems.append(f"row {record.row}: registration `{parsed.claim.id}` is already in row "
                                    f"{seen[parsed.claim.id]}")
                    continue
                seen[parsed.claim.id] = record.row
                rows.append(parsed)
    except ReadError as exc:
        raise _fail("conflicts", str(exc)) from None
    if problems:
        for problem in problems[:20]:
            print(f"{path}: {problem}", file=sys.stderr)
        more = len(problems) - 20
        raise _fail("conflicts", f"{path} has mistakes" + (f" (and {more} more)" if more > 0 else ""))
    return rows


def _how(a: _Registration, b: _Registration) -> str:
    how = identity.explain_match(a.customer, b.customer, a.key, b.key)
    if a.customer.strip() == b.customer.strip() and not how.startswith("matched by corporate number"):
        return f"the same name, {b.customer.strip()}"
    return how


def group_by_customer(rows: Sequence[_Registration]) -> list[list[_Registration]]:
    """Registrations grouped by customer (`identity.same_customer`, joined transitively), in file order.

    Each registration records the earlier ones it matched and how, so the output can show the names matched.
    """
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_number: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        candidates = by_number.get(row.key.corporate_number or "", []) + by_name.get(row.key.name, [])
        for j in sorted(set(candidates)):
            other = rows[j]
            if root(j) != root(i) and identity.same_customer(other.key, row.key):
                row.links.append((other.claim.id, _how(other, row)))
                parent[root(i)] = root(j)
        if row.key.corporate_number is not None:
            by_number.setdefault(row.key.corporate_number, []).append(i)
        if row.key.name:
            by_name.setdefault(row.key.name, []).append(i)
    groups: dict[int, list[_Registration]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(root(i), []).append(row)
    return sorted(groups.values(), key=lambda g: g[0].row)


def _deal_of(group: Sequence[_Registration], at: datetime.datetime) -> tuple[Deal, list[str]]:
    """The deal a group claims: the earliest registration's fields win, later ones fill in; and disagreements."""
    ordered = sorted(group, key=lambda r: (r.claim.registered_at, r.row))
    fields: dict[str, Any] = {}
    notes: list[str] = []
    source: dict[str, str] = {}
    for reg in ordered:
        for name, value in reg.fields.items():
            if name not in fields:
                fields[name], source[name] = value, reg.claim.id
            elif fields[name] != value:
                notes.append(f"{reg.claim.id} gives deal.{name} = {value}, {source[name]} gave {fields[name]}; "
                             f"the earlier registration's value is used")
    return Deal(ordered[0].customer, at, fields), notes


def _decide_group(rt: Runtime, group: Sequence[_Registration], at: datetime.datetime | None,
                  partners: Mapping[str, Partner]) -> dict[str, Any]:
    when = at or max(r.claim.registered_at for r in group)
    deal, notes = _deal_of(group, when)
    result: dict[str, Any] = {
        "customer": deal.customer, "registrations": [r.claim.id for r in group], "at": when,
        "matches": [{"registration": r.claim.id, "with": other, "how": how} for r in group for other, how in r.links],
        "notes": notes, "owner": None, "vendor_decides": False, "version": None, "decided_by": None,
        "reasons": [], "error": None}
    try:
        ownership: Ownership = decide(rt, deal, [r.claim for r in group], partners)
    except (QuoteError, EvaluationError) as exc:
        result["error"] = f"{exc.at}: error[{exc.code}]: {exc.message}" if exc.at else \
            f"error[{exc.code}]: {exc.message}"
        return result
    partner_of = {r.claim.id: r.claim.partner for r in group}
    reasons = [{"claim": r.claim, "partner": partner_of[r.claim], "outcome": r.outcome, "rule": r.rule,
                "message": r.message, "at": str(r.at) if r.at else None} for r in ownership.reasons]
    result.update(owner=ownership.owner.id if ownership.owner else None, vendor_decides=ownership.vendor_decides,
                  version=ownership.version, reasons=reasons,
                  decided_by=next((r for r in reasons if r["outcome"] == "owner"), None))
    return result


def render_conflict(result: Mapping[str, Any]) -> list[str]:
    """One customer's decision as text: owner and why, why each other claimant lost, which names matched."""
    ids = ", ".join(result["registrations"])
    version = f" under version {result['version']}" if result["version"] else ""
    out = [f"{result['customer']}: {len(result['registrations'])} registrations ({ids}), decided at "
           f"{result['at'].isoformat()}{version}"]
    out += [f"  {m['registration']} matched {m['with']}: {m['how']}" for m in result["matches"]]
    out += [f"  note: {n}" for n in result["notes"]]
    if result["error"]:
        return [*out, f"  cannot decide: {result['error']}"]
    reasons = result["reasons"]
    owner = next((r for r in reasons if r["outcome"] == "owner"), None)
    if owner is not None:
        out.append(f"  owner: {owner['claim']} ({_who(owner['partner'])}) by {owner['rule']}: {owner['message']}"
                   f"{_place(owner['at'])}")
    elif result["vendor_decides"]:
        tied = [r["claim"] for r in reasons if r["outcome"] == "vendor_decides"]
        out.append(f"  no owner: no rule decides between {', '.join(tied)}; the vendor decides"
                   f"{_place(next(r['at'] for r in reasons if r['outcome'] == 'vendor_decides'))}")
    else:
        out.append("  no owner: no registration is in force")
    for r in reasons:
        if r["outcome"] in ("lost", "expired"):
            verb = "lost to" if r["outcome"] == "lost" else "expired:"
            rule = f" {r['rule']}:" if r["outcome"] == "lost" else ""
            out.append(f"  {r['claim']} ({_who(r['partner'])}) {verb}{rule} {r['message']}{_place(r['at'])}")
    return out


def _cmd_conflicts(args: argparse.Namespace) -> int:
    ruleset = load_ruleset(args.program, "conflicts", args.color)
    partners = load_partners(args.partners, ruleset, "conflicts")
    at = _moment(args.at, "conflicts") if args.at is not None else None
    rows = _read_registrations(args.registrations, ruleset, partners)
    rt = Runtime(ruleset, args.engine)
    results = [_decide_group(rt, g, at, partners) for g in group_by_customer(rows) if len(g) > 1]
    undecided = sum(1 for r in results if r["error"] or r["vendor_decides"])
    if args.format == "json":
        _print_json({"registrations": len(rows), "conflicts": results})
    else:
        blocks = ["\n".join(render_conflict(r)) for r in results]
        sys.stdout.write("\n\n".join(blocks) + ("\n" if blocks else ""))
    print(f"{len(rows)} registrations, {len(results)} customers claimed more than once, {undecided} not decided",
          file=sys.stderr)
    return EXIT_ERRORS if undecided else EXIT_OK


# --- registry --------------------------------------------------------------------------------------


def _partner_of(args: argparse.Namespace, partners: Mapping[str, Partner]) -> str | None:
    if args.direct:
        return None
    if args.as_ is None:
        raise _fail("registry", f"{args.action}: say who asks: --as PARTNER, or --direct for the vendor's sales")
    if args.as_ not in partners:
        raise _fail("registry", f"--as: {_unknown_partner(args.as_, partners)}")
    return str(args.as_)


def _deal_fields(items: Sequence[str] | None, ruleset: ir.RuleSet) -> dict[str, Any]:
    values: dict[str, str] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise _fail("registry", f"--field `{item}`: write name=value")
        values[name.strip()] = value
    try:
        return _declared_values(values, "deal", ruleset, strict=True)
    except ValueError as exc:
        raise _fail("registry", f"--field: {exc}") from None


def render_outcome(outcome: Outcome) -> list[str]:
    """A registration, renewal or withdrawal outcome as text."""
    if outcome.action == "register":
        head = {
            "active": f"accepted: registration {outcome.claim} holds the customer",
            "rejected": f"rejected: claim {outcome.claim}; the customer is held by registration {outcome.owner}",
            "superseded": f"superseded: registration {outcome.claim}; the customer is now held by registration "
                          f"{outcome.owner}",
        }.get(outcome.status, f"{outcome.status}: registration {outcome.claim}")
    else:
        done = {"renew": "renewed", "withdraw": "withdrawn"}[outcome.action]
        head = f"{done}: registration {outcome.claim}" if outcome.accepted else \
            f"not {done}: registration {outcome.claim} ({outcome.status})"
    out = [head, f"  {outcome.rule}: {outcome.message}{_place(outcome.at)}"]
    if outcome.action == "register" and outcome.status == "active" and outcome.expires_at is not None:
        out.append(f"  protected until {outcome.expires_at.isoformat()}")
    return out


def render_registrations(registrations: Sequence[Registration], with_partner: bool) -> list[str]:
    """Registrations as a table."""
    if not registrations:
        return ["  (none)"]
    head = ["id", *(["partner"] if with_partner else []), "customer", "registered", "status", "until", "rule"]
    rows = [head]
    for r in registrations:
        until = r.ended_at if r.ended_at is not None else r.expires_at
        rule = r.end_rule if r.end_rule is not None else r.rule
        by = r.superseded_by or r.holder
        rows.append([r.id, *([r.partner or "(direct)"] if with_partner else []), r.customer,
                     r.registered_at.isoformat(), r.status, until.isoformat() if until else "—",
                     f"{rule} ({by})" if by else rule])
    return explain.render_table(rows)


def render_history(events: Sequence[HistoryEvent]) -> list[str]:
    """The history as a table, oldest first."""
    rows = [["#", "at (UTC)", "event", "registration", "partner", "detail"]]
    for e in events:
        detail = e.detail.get("message") or e.detail.get("customer") or e.detail.get("expired_at") or ""
        extra = e.detail.get("holder") or e.detail.get("by")
        rows.append([str(e.seq), e.at.isoformat(), e.event, e.registration, e.partner or "(direct)",
                     f"{detail} ({extra})" if extra else str(detail)])
    return explain.render_table(rows, right=[0])


def _registry_action(args: argparse.Namespace, registry: Registry, ruleset: ir.RuleSet,
                     partners: Mapping[str, Partner]) -> int:
    action = args.action
    result: Any
    if action in ("register", "renew", "withdraw"):
        who = _partner_of(args, partners)
        at = _moment(args.at, "registry")
        if action == "register":
            fields = _deal_fields(args.field, ruleset)
            for attempt in range(3):
                try:
                    result = registry.register(who, args.customer, at, corporate_number=args.corporate_number,
                                               deal_fields=fields, customer_choice=args.customer_choice)
                    break
                except TimeOrderError:
                    # Stamped "now" before another process committed a later stamp: stamp again.
                    if args.at is not None or attempt == 2:
                        raise
                    at = _moment(None, "registry")
        else:
            result = (registry.renew if action == "renew" else registry.withdraw)(who, args.id, at)
        lines = render_outcome(result)
        status = EXIT_OK if result.accepted else EXIT_ERRORS
    elif action == "outcome":
        result = registry.outcome(_partner_of(args, partners), args.id)
        lines, status = render_outcome(result), EXIT_OK
    elif action == "mine":
        result = registry.mine(_partner_of(args, partners), include_inactive=args.all)
        lines, status = render_registrations(result, with_partner=False), EXIT_OK
    elif action == "expire":
        expired = registry.expire(_moment(args.at, "registry"))
        result = {"expired": expired}
        lines, status = [f"expired {expired} registration{'s' if expired != 1 else ''}"], EXIT_OK
    elif action == "admin":
        result = registry.admin_view()
        lines, status = render_registrations(result, with_partner=True), EXIT_OK
    else:
        assert action == "history", action
        result = registry.history()
        lines, status = render_history(result), EXIT_OK
    if args.format == "json":
        _print_json(result)
    else:
        sys.stdout.write("\n".join(lines) + "\n")
    return status


def _cmd_registry(args: argparse.Namespace) -> int:
    ruleset = load_ruleset(args.program, "registry", args.color)
    partners = load_partners(args.partners, ruleset, "registry")
    try:
        registry = Registry(args.db, Runtime(ruleset, args.engine), partners)
    except RegistryError as exc:
        raise _fail("registry", str(exc)) from None
    try:
        return _registry_action(args, registry, ruleset, partners)
    except RegistryError as exc:
        raise _fail("registry", str(exc), EXIT_ERRORS) from None
    finally:
        registry.close()


# --- route -----------------------------------------------------------------------------------------


def _lead(values: Mapping[str, Any], ruleset: ir.RuleSet, default_id: str, strict: bool) -> Lead:
    """A lead from raw values: `id`, `date` and the declared lead inputs.

    Raises:
        ValueError: a missing date, a bad value, or (when strict) an undeclared key.
    """
    lead_id = default_id if is_empty(values.get("id")) else parse_text(values["id"])
    if is_empty(values.get("date")):
        raise ValueError("`date` is missing")
    try:
        date = parse_date(values["date"])
    except ValueProblem as exc:
        raise ValueError(f"`date`: {exc.reason}") from None
    fields = _declared_values(values, "lead", ruleset, strict, builtin=("id", "date"))
    return Lead(lead_id, date, fields)


def _leads(args: argparse.Namespace, ruleset: ir.RuleSet) -> list[Lead]:
    if args.lead is not None:
        try:
            data = json.loads(args.lead)
        except ValueError as exc:
            raise _fail("route", f"--lead is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise _fail("route", "--lead must be a JSON object")
        try:
            return [_lead(data, ruleset, "lead", strict=True)]
        except ValueError as exc:
            raise _fail("route", f"--lead: {exc}") from None
    path = args.lead_file
    leads: list[Lead] = []
    try:
        if Path(path).suffix.lower() == ".json":
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            items = data if isinstance(data, list) else [data]
            for n, item in enumerate(items, 1):
                if not isinstance(item, dict):
                    raise _fail("route", f"{path}: lead {n} is not a JSON object")
                leads.append(_lead(item, ruleset, f"lead-{n}", strict=True))
            return leads
        with RecordFile(path, ("date",)) as records:
            for record in records:
                if record.problem is not None:
                    raise _fail("route", f"{path}: row {record.row}: {record.problem}")
                leads.append(_lead(record.values, ruleset, f"row-{record.row}", strict=False))
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail("route", f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    except ReadError as exc:
        raise _fail("route", str(exc)) from None
    except ValueError as exc:  # JSON syntax, or a lead's values
        raise _fail("route", f"{path}: {exc}") from None
    return leads


def render_routing(routing: Routing, lead: Lead) -> list[str]:
    """The order a lead is offered in, with the reasons, and who was left out."""
    out = [f"lead {routing.lead} ({lead.date.isoformat()}), version {routing.version}: "
           f"{len(routing.order)} partner{'s' if len(routing.order) != 1 else ''} in order"]
    out += explain.render_table([[f"{p.position}.", p.partner, "; ".join(p.why)] for p in routing.order],
                                right=[0])
    if routing.left_out:
        out.append("left out:")
        out += explain.render_table([[p.partner, f"{p.reason}{_place(p.at)}".replace("  [", " [")]
                                     for p in routing.left_out])
    return out


def _cmd_route(args: argparse.Namespace) -> int:
    given = [flag for flag, value in (("--lead", args.lead), ("--lead-file", args.lead_file),
                                      ("--new-reseller", args.new_reseller)) if value is not None]
    if len(given) != 1:
        raise _fail("route", "give one of --lead JSON, --lead-file FILE or --new-reseller APPLICANT")
    ruleset = load_ruleset(args.program, "route", args.color)
    partners = load_partners(args.partners, ruleset, "route")
    rt = Runtime(ruleset, args.engine)
    try:
        if args.new_reseller is not None:
            return _new_reseller(args, rt, partners)
        leads = _leads(args, ruleset)
        results = [(lead, route(rt, lead, partners)) for lead in leads]
    except (QuoteError, EvaluationError) as exc:
        where = f"{exc.at}: " if exc.at else ""
        raise _fail("route", f"{where}error[{exc.code}]: {exc.message}", EXIT_ERRORS) from None
    if args.format == "json":
        _print_json([routing for _, routing in results])
    else:
        sys.stdout.write("\n\n".join("\n".join(render_routing(r, lead)) for lead, r in results) + "\n")
    nobody = [r.lead for _, r in results if not r.order]
    if nobody:
        print(f"ppl route: no partner can take {', '.join(nobody)}", file=sys.stderr)
    return EXIT_ERRORS if nobody else EXIT_OK


def _new_reseller(args: argparse.Namespace, rt: Runtime, partners: Mapping[str, Partner]) -> int:
    try:
        day = parse_date(args.date) if args.date is not None else datetime.date.today()
    except ValueProblem as exc:
        raise _fail("route", f"--date: {exc.reason}") from None
    chosen, why = route_new_reseller(rt, args.new_reseller, day, partners)
    if args.format == "json":
        _print_json({"applicant": args.new_reseller, "date": day, "partner": chosen, "reason": why})
    else:
        target = f"1st-tier distributor {chosen}" if chosen is not None else "the vendor"
        sys.stdout.write(f"new reseller {args.new_reseller}: to {target}\n  {why}\n")
    return EXIT_OK


# --- parsers ---------------------------------------------------------------------------------------


def _format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")


def _claimant(p: argparse.ArgumentParser) -> None:
    who = p.add_mutually_exclusive_group()
    who.add_argument("--as", dest="as_", metavar="PARTNER", help="the partner making the request")
    who.add_argument("--direct", action="store_true", help="the request is the vendor's direct sales team's")


def _at(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--at", metavar="TIMESTAMP", help=f"{what}, with its UTC offset, e.g. {EXAMPLE_TIME} "
                   "(default: now)")


def _registry_parsers(p: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    a = actions.add_parser("register", help="claim a customer", description="Claim a customer. Exit status 1 "
                           "when the claim is rejected; the output names the registration that holds the customer "
                           "and the rule.")
    _claimant(a)
    a.add_argument("--customer", required=True, help="the customer's name, as written")
    a.add_argument("--corporate-number", dest="corporate_number", metavar="NUMBER",
                   help="the customer's 13-digit corporate number (法人番号), which matches before the name")
    a.add_argument("--field", action="append", metavar="NAME=VALUE", help="a declared deal input; repeat")
    a.add_argument("--customer-choice", dest="customer_choice", action="store_true",
                   help="the customer has documented that it chose this claimant")
    _at(a, "when the claim is made")
    for name, summary in (("renew", "renew one's own registration before it expires"),
                          ("withdraw", "withdraw one's own registration")):
        a = actions.add_parser(name, help=summary, description=f"{summary[0].upper()}{summary[1:]}. Exit status 1 "
                               "when it is refused.")
        a.add_argument("id", metavar="REGISTRATION")
        _claimant(a)
        _at(a, f"when to {name}")
    a = actions.add_parser("outcome", help="the outcome of one's own claim")
    a.add_argument("id", metavar="CLAIM")
    _claimant(a)
    a = actions.add_parser("mine", help="one's own registrations")
    _claimant(a)
    a.add_argument("--all", action="store_true", help="also those no longer in force, and rejected claims")
    a = actions.add_parser("expire", help="mark registrations past their expiry as expired (administrator)")
    _at(a, "the time to expire up to")
    actions.add_parser("admin", help="every registration of every partner (administrator)")
    actions.add_parser("history", help="the append-only history of every change (administrator)")
    for sub in actions.choices.values():
        _format(sub)


def add_commands(subparsers: Any) -> None:
    """Register `conflicts`, `registry` and `route` on the subcommand parser of `ppl`."""
    p = subparsers.add_parser(
        "conflicts", help="decide who owns each customer claimed more than once",
        description="Group a registrations file by customer (corporate number first, else the normalised name) and, "
        "for each customer claimed more than once, print the owner and why, why each other claimant lost, and "
        "which names were matched. Exit status: 0 every conflict decided, 1 the vendor must decide some (or the "
        "program has errors), 2 usage or I/O error.")
    _common(p)
    p.add_argument("--registrations", required=True, metavar="FILE",
                   help="registrations (.csv, .jsonl or .ndjson): id, partner (empty: direct sales), customer, "
                   "corporate_number, registered_at, renewals, customer_choice, and the declared deal fields")
    p.add_argument("--at", metavar="TIMESTAMP", help="decide as of this time, with its UTC offset (default: "
                   "each customer's latest registration)")
    _format(p)
    p.set_defaults(run=run(_cmd_conflicts))

    p = subparsers.add_parser(
        "registry", help="the deal registration registry: register, renew, withdraw, expire, read",
        description="Deal registrations in an SQLite file, decided by the program's conflict rules. Partners "
        "act with --as PARTNER (the vendor's sales team with --direct) and see only their own claims. Exit "
        "status: 0 done, 1 a request was rejected or cannot be decided, 2 usage or I/O error.")
    p.add_argument("--db", required=True, metavar="FILE", help="the registry file (created on first use)")
    _common(p)
    _registry_parsers(p)
    p.set_defaults(run=run(_cmd_registry))

    p = subparsers.add_parser(
        "route", help="the order in which partners are offered a lead",
        description="Rank the partners for an inbound lead by the program's lead routing, with the reasons, and "
        "list who was left out; or say where a would-be reseller goes. Exit status: 0 routed, 1 no partner can "
        "take a lead or the program has no lead routing, 2 usage or I/O error.")
    _common(p)
    p.add_argument("--lead", metavar="JSON", help='the lead as a JSON object: {"id": …, "date": "YYYY-MM-DD", '
                   "and the declared lead fields}")
    p.add_argument("--lead-file", dest="lead_file", metavar="FILE",
                   help="leads in a file: one JSON object or a list (.json), or one per row (.csv, .jsonl)")
    p.add_argument("--new-reseller", dest="new_reseller", metavar="APPLICANT",
                   help="route an inquiry from a company that wants to become a reseller")
    p.add_argument("--date", help="with --new-reseller: the inquiry's date, YYYY-MM-DD (default: today)")
    _format(p)
    p.set_defaults(run=run(_cmd_route))

