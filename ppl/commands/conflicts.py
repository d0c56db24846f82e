"""`ppl conflicts`: group a registrations file by customer and decide who owns each customer claimed more
than once."""

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
    problems_error,
)
from runtime import identity, ids, ir
from runtime.decisions import QuoteError
from runtime.decisions.conflicts import Claim, Deal, Ownership, decide
from runtime.engine import EvaluationError
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


def add_parser(sub: Any) -> None:
    """Register `conflicts` on the subcommand parser of `ppl`."""
    p = sub.add_parser(
        NAME, help="decide who owns each customer claimed more than once",
        description="Group a registrations file by customer (corporate number first, else the normalised name) and, "
        "for each customer claimed more than once, print the owner and why, why each other claimant lost, and "
        "which names were matched. Exit status: 0 every conflict decided, 1 the vendor must decide some (or the "
        "program has errors), 2 usage or I/O error.")
    add_runtime_arguments(p)
    p.add_argument("--registrations", required=True, metavar="FILE",
                   help="registrations (.csv, .jsonl or .ndjson): id, partner (empty: direct sales), customer, "
                   "corporate_number, registered_at, renewals, customer_choice, and the declared deal fields")
    p.add_argument("--at", metavar="TIMESTAMP", help="decide as of this time, with its UTC offset (default: "
                   "each customer's latest registration)")
    add_format_option(p)


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

    def checked(check: Callable[[str, str], str], name: str, what: str) -> str:
        try:
            return check(text(name), what)
        except ids.IdProblem as exc:  # the identity policy (`runtime.ids`)
            raise ValueError(f"{exc.reason} [{exc.code}]") from None

    reg_id, customer = checked(ids.canonical_id, "id", "registration"), checked(ids.check_name, "customer", "customer")
    partner = None if is_empty(values.get("partner")) else checked(ids.canonical_id, "partner", "partner")
    if partner is not None and partner not in partners:
        raise ValueError(unknown_partner(partner, partners))
    number = None if is_empty(values.get("corporate_number")) else text("corporate_number")
    key = identity.customer_key(customer, number)
    registered_at = timestamp(text("registered_at"), "`registered_at`")
    try:
        renewals = 0 if is_empty(values.get("renewals")) else parse_integer(values["renewals"])
        choice = False if is_empty(values.get("customer_choice")) else parse_boolean(values["customer_choice"])
    except ValueProblem as exc:
        raise ValueError(exc.reason) from None
    if renewals < 0:
        raise ValueError(f"`renewals` is {renewals}; it counts renewals, 0 or more")
    fields = declared_values(values, "deal", ruleset, strict=False)
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
        raise CommandError(str(exc)) from None
    if problems:
        raise problems_error(path, problems)
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
        out.append(f"  owner: {owner['claim']} ({who(owner['partner'])}) by {owner['rule']}: {owner['message']}"
                   f"{place(owner['at'])}")
    elif result["vendor_decides"]:
        tied = [r["claim"] for r in reasons if r["outcome"] == "vendor_decides"]
        out.append(f"  no owner: no rule decides between {', '.join(tied)}; the vendor decides"
                   f"{place(next(r['at'] for r in reasons if r['outcome'] == 'vendor_decides'))}")
    else:
        out.append("  no owner: no registration is in force")
    for r in reasons:
        if r["outcome"] in ("lost", "expired"):
            verb = "lost to" if r["outcome"] == "lost" else "expired:"
            rule = f" {r['rule']}:" if r["outcome"] == "lost" else ""
            out.append(f"  {r['claim']} ({who(r['partner'])}) {verb}{rule} {r['message']}{place(r['at'])}")
    return out


def run(args: argparse.Namespace) -> int:
    """Decide every customer claimed more than once; the status is 1 when some are left to the vendor."""
    ruleset = load_ruleset(args.program, args.color, args.trusted_key)
    partners = load_partners(args.partners, ruleset, args.partner_facts)
    at = moment(args.at) if args.at is not None else None
    rows = _read_registrations(args.registrations, ruleset, partners)
    rt = Runtime(ruleset, args.engine)
    results = [_decide_group(rt, g, at, partners) for g in group_by_customer(rows) if len(g) > 1]
    undecided = sum(1 for r in results if r["error"] or r["vendor_decides"])
    if args.format == "json":
        print_json({"registrations": len(rows), "conflicts": results})
    else:
        blocks = ["\n".join(render_conflict(r)) for r in results]
        sys.stdout.write("\n\n".join(blocks) + ("\n" if blocks else ""))
    print(f"{len(rows)} registrations, {len(results)} customers claimed more than once, {undecided} not decided",
          file=sys.stderr)
    return EXIT_ERRORS if undecided else EXIT_OK
