"""`ppl registry`: the deal registration registry on the command line, and its subcommand parsers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ppl.commands._deal_values import (
    EXAMPLE_TIME,
    declared_values,
    id_value,
    moment,
    place,
    print_json,
    unknown_partner,
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
from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.store import HistoryEvent, Outcome, Registration, Registry, RegistryError, TimeOrderError

NAME = "registry"


def add_parser(sub: Any) -> None:
    """Register `registry` and its actions on the subcommand parser of `ppl`."""
    p = sub.add_parser(
        NAME, help="the deal registration registry: register, renew, withdraw, expire, read",
        description="Deal registrations in an SQLite file, decided by the program's conflict rules. Partners "
        "act with --as PARTNER (the vendor's sales team with --direct) and see only their own claims. Exit "
        "status: 0 done, 1 a request was rejected or cannot be decided, 2 usage or I/O error.")
    p.add_argument("--db", required=True, metavar="FILE", help="the registry file (created on first use)")
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


def _deal_fields(items: Sequence[str] | None, ruleset: ir.RuleSet) -> dict[str, Any]:
    values: dict[str, str] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"--field `{item}`: write name=value")
        values[name.strip()] = value
    try:
        return declared_values(values, "deal", ruleset, strict=True)
    except ValueError as exc:
        raise CommandError(f"--field: {exc}") from None


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
    out = [head, f"  {outcome.rule}: {outcome.message}{place(outcome.at)}"]
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
        at = moment(args.at)
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
                    at = moment(None)
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
        expired = registry.expire(moment(args.at))
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
        print_json(result)
    else:
        sys.stdout.write("\n".join(lines) + "\n")
    return status


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
        add_format_option(sub)
