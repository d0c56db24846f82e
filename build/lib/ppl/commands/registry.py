"""`ppl registry`: the deal registration registry on the command line, and its subcommand parsers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ppl.commands._deal_values import (
    EXAMPLE_TIME,
    field_options,
    id_value,
    moment,
    place,
    print_json,
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
from runtime import explain, ir
from runtime.io.deal_json import deal_json as deal_json
from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.store import DealView, HistoryEvent, Outcome, Registration, Registry, RegistryError, TimeOrderError

NAME = "registry"


def add_parser(sub: Any) -> None:
    """Register `registry` and its actions on the subcommand parser of `ppl`."""
    p = sub.add_parser(
        NAME, help="the deal registration registry: register, renew, withdraw, choose, close, expire, read",
        description="Deal registrations in an SQLite file or a PostgreSQL database (--db postgresql://…), "
        "decided by the program's conflict rules. Partners act with --as PARTNER (the vendor's sales team with "
        "--direct) and see only their own claims. Exit status: 0 done, 1 a request was rejected or cannot be "
        "decided, 2 usage or I/O error.")
    p.add_argument("--db", "--registry", dest="db", required=True, metavar="FILE",
                   help="the registry: an SQLite file (created on first use) or a postgresql:// URL")
    add_runtime_arguments(p)
    _registry_parsers(p)


def _partner_of(args: argparse.Namespace, partners: Mapping[str, Partner]) -> str | None:
    if args.direct:
        return None
    if args.as_ is None:
        raise CommandError(f"{args.action}: say who asks: --as PARTNER, or --direct for the vendor's sales")
    partner = id_value(args.as_, "--as")
    if partner not in partners:
        raise CommandError(f"--as: {unknown_partner(partner, partners)}")
    return partner


def render_outcome(outcome: Outcome) -> list[str]:
    """A request's outcome as text: a registration names its status on arrival (accepted, or rejected and why)."""
    if outcome.action in ("choose", "close"):
        return _render_vendor_request(outcome)
    if outcome.action == "register":
        rejected = f"rejected ({outcome.arrival})" if outcome.arrival else "rejected"
        held = f"; the customer is held by registration {outcome.owner}" if outcome.owner else ""
        head = {
            "active": f"accepted: registration {outcome.claim} holds the customer",
            "rejected": f"{rejected}: claim {outcome.claim}{held}",
            "superseded": f"superseded: registration {outcome.claim}; the customer is now held by registration "
                          f"{outcome.owner}",
        }.get(outcome.status, f"{outcome.status}: registration {outcome.claim}")
    else:
        done = {"renew": "renewed", "withdraw": "withdrawn"}[outcome.action]
        head = f"{done}: registration {outcome.claim}" if outcome.accepted else \
            f"not {done}: registration {outcome.claim} ({outcome.status})"
    out = [head, f"  {outcome.rule}: {outcome.message}{place(outcome.at)}"]
    if outcome.action == "register" and outcome.status == "active" and outcome.expires_at is not None:
        out.append(f"  protected until {outcome.expires_at.isoformat()}")
    return out


def _render_vendor_request(outcome: Outcome) -> list[str]:
    what = "the customer's choice" if outcome.action == "choose" else "the close"
    return [f"{outcome.arrival}: {what} {outcome.claim}",
            f"  {outcome.rule}: {outcome.message}{place(outcome.at)}",
            f"  the deal is held by {_claim_words(outcome.owner)}"]


def _claim_words(claim: str | None) -> str:
    if claim is None:
        return "nobody"
    if claim.startswith("territory:"):
        return f"the exclusive territory of {claim.removeprefix('territory:')}"
    return f"registration {claim}"


def render_deal(view: DealView) -> list[str]:
    """A customer's deal: every event's status on arrival, the changes of owner, the owner at an instant."""
    out = [f"deal of {view.customer}: {len(view.recorded)} request{'s' if len(view.recorded) != 1 else ''}"]
    rows = [["at", "event", "kind", "claimant", "status", "holder after", "rule"]]
    for a in view.arrivals:
        claimant = "—" if a.event.kind == "close" else a.event.partner or "(direct)"
        rows.append([a.event.at.isoformat(), a.event.id, a.event.kind, claimant,
                     a.status, a.holder or "—", f"{a.reason.rule}: {a.reason.message}{place(a.reason.at)}"])
    out += ["arrivals:", *explain.render_table(rows)]
    changes = [["at", "from", "to", "cause", "rule"]]
    for c in view.changes:
        changes.append([c.at.isoformat(), c.previous or "—", c.owner or "—", c.cause,
                        f"{c.reason.rule}: {c.reason.message}{place(c.reason.at)}"])
    out += ["changes of owner:", *(explain.render_table(changes) if len(changes) > 1 else ["  (none)"])]
    owner, decided = view.owner.owner, view.owner.decided_by
    if owner is None:
        words = "the vendor decides" if view.owner.vendor_decides else "nobody"
    else:
        words = f"{_claim_words(owner.id)} ({who(owner.partner)})"
    rule = f" by {decided.rule}: {decided.message}{place(decided.at)}" if decided is not None else ""
    out.append(f"owner at {view.at.isoformat()}: {words}{rule}")
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
    if action in ("register", "renew", "withdraw", "choose", "close"):
        result = _request(args, registry, ruleset, partners)
        lines = render_outcome(result)
        status = EXIT_OK if result.accepted else EXIT_ERRORS
    elif action == "outcome":
        result = registry.outcome(_partner_of(args, partners), args.id)
        lines, status = render_outcome(result), EXIT_OK
    elif action == "mine":
        result = registry.mine(_partner_of(args, partners), include_inactive=args.all)
        lines, status = render_registrations(result, with_partner=False), EXIT_OK
    elif action == "expire":
        expired = registry.expire(moment(args.at))
        result = {"expired": expired}
        lines, status = [f"expired {expired} registration{'s' if expired != 1 else ''}"], EXIT_OK
    elif action == "admin":
        result = registry.admin_view()
        lines, status = render_registrations(result, with_partner=True), EXIT_OK
    elif action == "deal":
        view = registry.deal(args.customer, args.corporate_number, moment(args.at))
        result, lines, status = deal_json(view), render_deal(view), EXIT_OK
    else:
        assert action == "history", action
        result = registry.history()
        lines, status = render_history(result), EXIT_OK
    if args.format == "json":
        print_json(result)
    else:
        sys.stdout.write("\n".join(lines) + "\n")
    return status


def _request(args: argparse.Namespace, registry: Registry, ruleset: ir.RuleSet,
             partners: Mapping[str, Partner]) -> Outcome:
    """A request that the registry decides, stamped now unless `--at` says when."""
    action = args.action
    if action == "choose":
        chosen = None if args.direct else _chosen(args, partners)
    elif action != "close":
        claimant = _partner_of(args, partners)
    fields = field_options(args.field, "deal", ruleset) if action in ("register", "close") else {}
    at = moment(args.at)
    for attempt in range(3):
        try:
            match action:
                case "register":
                    return registry.register(claimant, args.customer, at, corporate_number=args.corporate_number,
                                             deal_fields=fields)
                case "choose":
                    return registry.choose(args.customer, chosen, at, args.corporate_number)
                case "close":
                    return registry.close_deal(args.customer, at, fields, args.corporate_number)
                case _:
                    return (registry.renew if action == "renew" else registry.withdraw)(claimant, args.id, at)
        except TimeOrderError:
            # Stamped "now" before another process committed a later stamp: stamp again.
            if args.at is not None or attempt == 2:
                raise
            at = moment(None)
    raise AssertionError("unreachable")  # pragma: no cover


def _chosen(args: argparse.Namespace, partners: Mapping[str, Partner]) -> str:
    if args.chosen is None:
        raise CommandError("choose: say whom the customer chose: --chosen PARTNER, or --direct")
    partner = id_value(args.chosen, "--chosen")
    if partner not in partners:
        raise CommandError(f"--chosen: {unknown_partner(partner, partners)}")
    return partner


def run(args: argparse.Namespace) -> int:
    """Carry out the registry action; the status is 1 when a request is rejected."""
    ruleset = load_ruleset(args.program, args.color, args.trusted_key)
    partners = load_partners(args.partners, ruleset, args.partner_facts)
    try:
        registry = Registry(args.db, Runtime(ruleset, args.engine), partners)
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
    try:
        return _registry_action(args, registry, ruleset, partners)
    except RegistryError as exc:
        raise CommandError(str(exc), status=EXIT_ERRORS) from None
    finally:
        registry.close()


def _claimant(p: argparse.ArgumentParser) -> None:
    who = p.add_mutually_exclusive_group()
    who.add_argument("--as", dest="as_", metavar="PARTNER", help="the partner making the request")
    who.add_argument("--direct", action="store_true", help="the request is the vendor's direct sales team's")


def _at(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--at", metavar="TIMESTAMP", help=f"{what}, with its UTC offset, e.g. {EXAMPLE_TIME} "
                   "(default: now)")


def _customer(p: argparse.ArgumentParser) -> None:
    p.add_argument("--customer", required=True, help="the customer's name, as written")
    p.add_argument("--corporate-number", dest="corporate_number", metavar="NUMBER",
                   help="the customer's 13-digit corporate number (法人番号), which matches before the name")


def _registry_parsers(p: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    a = actions.add_parser("register", help="claim a customer", description="Claim a customer. Exit status 1 "
                           "when the claim is rejected; the output names its status on arrival (duplicate, held, "
                           "outside), the registration that holds the customer and the rule.")
    _claimant(a)
    _customer(a)
    a.add_argument("--field", action="append", metavar="NAME=VALUE", help="a declared deal input; repeat")
    _at(a, "when the claim is made")
    a = actions.add_parser("choose", help="record the customer's documented choice (administrator)",
                           description="Record that the customer documented its choice of a partner. The program "
                           "says when it applies (at the close, or at once) and what it may override. Exit "
                           "status 1 when it cannot apply.")
    chosen = a.add_mutually_exclusive_group()
    chosen.add_argument("--chosen", metavar="PARTNER", help="the partner the customer chose")
    chosen.add_argument("--direct", action="store_true", help="the customer chose the vendor's direct sales")
    _customer(a)
    _at(a, "when the customer documented it")
    a = actions.add_parser("close", help="close the customer's deal; its owner is recorded (administrator)",
                           description="Close the customer's deal: the owner then is recorded, and the next "
                           "request on the customer opens a new deal. Exit status 1 when it is refused.")
    _customer(a)
    a.add_argument("--field", action="append", metavar="NAME=VALUE", help="a declared deal input; repeat")
    _at(a, "when the deal closed")
    a = actions.add_parser("deal", help="a customer's deal: statuses on arrival, changes of owner (administrator)",
                           description="Replay a customer's deal: every request with its status on arrival and "
                           "reason, the changes of owner with their causes, and the owner at --at.")
    _customer(a)
    _at(a, "the instant to give the owner at")
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
        add_format_option(sub)
