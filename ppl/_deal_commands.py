"""`ppl conflicts`, `ppl registry` and `ppl route`: who owns a customer, the registry of deal registrations, and
who is offered a lead.

A program is given as a `.yaml` file (checked and compiled on the fly) or as a compiled `.json` rule set.
Exit status: 0 done; 1 a rejected registration (or renewal, or withdrawal), or a decision that could not be
made (the vendor decides, no partner can take a lead, the program has no such rules); 2 usage or I/O errors.
"""

from __future__ import annotations

from typing import Any

from ppl._conflicts_command import _cmd_conflicts
from ppl._conflicts_command import group_by_customer as group_by_customer
from ppl._conflicts_command import render_conflict as render_conflict
from ppl._deal_values import EXAMPLE_TIME as EXAMPLE_TIME
from ppl._deal_values import _format
from ppl._deal_values import jsonable as jsonable
from ppl._registry_command import _cmd_registry, _registry_parsers
from ppl._registry_command import render_history as render_history
from ppl._registry_command import render_outcome as render_outcome
from ppl._registry_command import render_registrations as render_registrations
from ppl._route_command import _cmd_route
from ppl._route_command import render_routing as render_routing
from ppl._runtime_commands import _common, run


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

