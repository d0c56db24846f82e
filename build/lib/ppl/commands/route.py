"""`ppl route`: the order in which partners are offered a lead, and where a would-be reseller goes."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ppl.commands._deal_values import field_options, id_value, moment, place, print_json
from ppl.common import (
    EXIT_ERRORS,
    EXIT_OK,
    CommandError,
    add_format_option,
    add_runtime_arguments,
    decision_error,
    json_object_option,
    load_partners,
    load_ruleset,
)
from runtime import explain, ir, limits, strict_json
from runtime.decisions import QuoteError
from runtime.decisions.resellers import Application, ResellerRoute, route_new_reseller
from runtime.decisions.routing import Lead, Routing, route
from runtime.engine import EvaluationError
from runtime.io.deal_inputs import parse_lead, start_of_day
from runtime.io.deal_json import reseller_json as reseller_json
from runtime.io.records import ReadError, RecordFile
from runtime.loaded import Runtime
from runtime.model import Partner
from runtime.store import Applications, RegistryError, shown

NAME = "route"


def add_parser(sub: Any) -> None:
    """Register `route` on the subcommand parser of `ppl`."""
    p = sub.add_parser(
        NAME, help="the order in which partners are offered a lead",
        description="Rank the partners for an inbound lead by the program's lead routing, with the reasons, and "
        "list who was left out; or say where a would-be reseller goes. Exit status: 0 routed, 1 no partner can "
        "take a lead or the program has no lead routing, 2 usage or I/O error.")
    add_runtime_arguments(p)
    p.add_argument("--lead", metavar="JSON", help='the lead as a JSON object: {"id": …, "date": "YYYY-MM-DD", '
                   "and the declared lead fields}; `-` reads it from standard input")
    p.add_argument("--lead-file", dest="lead_file", metavar="FILE",
                   help="leads in a file: one JSON object or a list (.json), or one per row (.csv, .jsonl)")
    p.add_argument("--new-reseller", dest="new_reseller", metavar="APPLICANT",
                   help="route an inquiry from a company that wants to become a reseller")
    p.add_argument("--date", help="with --new-reseller: the inquiry's date, YYYY-MM-DD (received at the start of "
                   "that day in the program's time zone)")
    p.add_argument("--at", metavar="TIMESTAMP", help="with --new-reseller: when the inquiry was received, with its "
                   "UTC offset, e.g. 2026-06-01T10:00:00+09:00 (default: now)")
    p.add_argument("--field", action="append", default=[], metavar="NAME=VALUE",
                   help="with --new-reseller: a declared applicant field (repeatable), e.g. --field region=kanto")
    p.add_argument("--registry", metavar="DB", help="with --new-reseller: record the inquiry in the registry's "
                   "database (an SQLite file or a postgresql:// URL) and route it knowing the inquiries recorded "
                   "before it (without it: route against no earlier inquiries and record nothing)")
    add_format_option(p)


def _leads(args: argparse.Namespace, ruleset: ir.RuleSet) -> list[Lead]:
    if args.lead is not None:
        data = json_object_option(args.lead, "--lead")
        try:
            return [parse_lead(data, ruleset, "lead", strict=True)]
        except ValueError as exc:
            raise CommandError(f"--lead: {exc}") from None
    path = args.lead_file
    leads: list[Lead] = []
    try:
        if Path(path).suffix.lower() == ".json":
            data = strict_json.loads(_read_json_file(path))
            items = data if isinstance(data, list) else [data]
            for n, item in enumerate(items, 1):
                if not isinstance(item, dict):
                    raise CommandError(f"{path}: lead {n} is not a JSON object")
                leads.append(parse_lead(item, ruleset, f"lead-{n}", strict=True))
            return leads
        with RecordFile(path, ("date",)) as records:
            for record in records:
                if record.problem is not None:
                    raise CommandError(f"{path}: row {record.row}: {record.problem}")
                leads.append(parse_lead(record.values, ruleset, f"row-{record.row}", strict=False))
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    except ReadError as exc:
        raise CommandError(str(exc)) from None
    except RecursionError:
        raise CommandError(f"{path} is not valid JSON: nested too deeply") from None
    except ValueError as exc:  # JSON syntax, or a lead's values
        raise CommandError(f"{path}: {exc}") from None
    return leads


def _read_json_file(path: str) -> str:
    """A JSON file's text, refused by its size before it is read (and while reading) over `MAX_JSON_FILE_BYTES`."""
    limit = limits.MAX_JSON_FILE_BYTES.value()
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        data = fh.read(limit + 1) if size <= limit else b""
    if size > limit or len(data) > limit:
        raise CommandError(f"{path}: not read: more than {limit:,} bytes (raise the limit with the environment "
                           f"variable `{limits.MAX_JSON_FILE_BYTES.variable}`, or write the leads as CSV or JSON "
                           "Lines)")
    return data.decode("utf-8")


def render_routing(routing: Routing, lead: Lead) -> list[str]:
    """The order a lead is offered in, with the reasons, and who was left out."""
    out = [f"lead {routing.lead} ({lead.date.isoformat()}), version {routing.version}: "
           f"{len(routing.order)} partner{'s' if len(routing.order) != 1 else ''} in order"]
    out += explain.render_table([[f"{p.position}.", p.partner, "; ".join(p.why)] for p in routing.order],
                                right=[0])
    if routing.left_out:
        out.append("left out:")
        out += explain.render_table([[p.partner, f"{p.reason}{place(p.at)}".replace("  [", " [")]
                                     for p in routing.left_out])
    return out


def run(args: argparse.Namespace) -> int:
    """Route the leads (or the would-be reseller); the status is 1 when no partner can take a lead."""
    given = [flag for flag, value in (("--lead", args.lead), ("--lead-file", args.lead_file),
                                      ("--new-reseller", args.new_reseller)) if value is not None]
    if len(given) != 1:
        raise CommandError("give one of --lead JSON, --lead-file FILE or --new-reseller APPLICANT")
    extra = [flag for flag, value in (("--date", args.date), ("--at", args.at), ("--field", args.field),
                                      ("--registry", args.registry)) if value]
    if args.new_reseller is None and extra:
        raise CommandError(f"{extra[0]} goes with --new-reseller APPLICANT")
    ruleset = load_ruleset(args.program, args.color, args.trusted_key)
    partners = load_partners(args.partners, ruleset, args.partner_facts)
    rt = Runtime(ruleset, args.engine)
    try:
        if args.new_reseller is not None:
            return _new_reseller(args, rt, partners)
        leads = _leads(args, ruleset)
        results = [(lead, route(rt, lead, partners)) for lead in leads]
    except (QuoteError, EvaluationError) as exc:
        raise decision_error(exc) from None
    if args.format == "json":
        print_json([routing for _, routing in results])
    else:
        sys.stdout.write("\n\n".join("\n".join(render_routing(r, lead)) for lead, r in results) + "\n")
    nobody = [r.lead for _, r in results if not r.order]
    if nobody:
        raise CommandError(f"no partner can take {', '.join(nobody)}", status=EXIT_ERRORS)
    return EXIT_OK


def _new_reseller(args: argparse.Namespace, rt: Runtime, partners: Mapping[str, Partner]) -> int:
    """Route a would-be reseller's inquiry (recorded in the registry with `--registry`) and show why."""
    application = Application(id_value(args.new_reseller, "applicant"), _received(args, rt.ruleset),
                               field_options(args.field, "applicant", rt.ruleset))
    if args.registry is None:
        answer = route_new_reseller(rt, application, partners)
    else:
        try:
            with Applications(args.registry, rt, partners) as applications:
                answer = applications.apply(application.applicant, application.at, application.fields)
        except RegistryError as exc:
            raise CommandError(str(exc), status=EXIT_ERRORS) from None
    if args.format == "json":
        print_json(reseller_json(answer, args.registry is not None))
    else:
        sys.stdout.write("\n".join(render_reseller_route(answer, args.registry)) + "\n")
    return EXIT_OK


def _received(args: argparse.Namespace, ruleset: ir.RuleSet) -> datetime.datetime:
    """When the inquiry was received: `--at`, else the start of `--date` in the program's time zone, else now."""
    if args.at is not None and args.date is not None:
        raise CommandError("give --at TIMESTAMP or --date DATE, not both")
    if args.date is None:
        return moment(args.at, "--at")
    try:
        return start_of_day(args.date, ruleset)
    except ValueError as exc:
        raise CommandError(f"--date: {exc}") from None


def render_reseller_route(answer: ResellerRoute, registry: str | None = None) -> list[str]:
    """Where an inquiry went, each key's reason and where its rule is written, and who was left out."""
    target = f"1st-tier distributor {answer.partner}" if answer.partner is not None else "the vendor"
    out = [f"new reseller {answer.applicant} ({answer.at.isoformat()}), version {answer.version}: to {target}"]
    out += explain.render_table([[r.key, f"{r.rule}: {r.found}" if r.found else r.rule, place(r.at).strip()]
                                 for r in answer.reasons])
    if answer.left_out:
        out.append("left out:")
        out += explain.render_table([[x.partner, x.reason, place(x.at).strip()] for x in answer.left_out])
    out.append(f"recorded in {shown(registry)}" if registry is not None else "not recorded (no --registry)")
    return out
