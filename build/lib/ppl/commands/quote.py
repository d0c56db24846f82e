"""`ppl quote`: quote one transaction, given as JSON or as flags, and explain every number."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ppl.commands._ledger_tiers import add_ledger_option, render_tiers, tiers_in_force, tiers_json
from ppl.common import (
    EXIT_OK,
    CommandError,
    add_format_option,
    add_runtime_arguments,
    json_object_option,
    load_partners,
    load_ruleset,
    quote_one,
)
from runtime import explain, ir
from runtime import io as rio
from runtime.decisions import Rejected
from runtime.decisions.refunds import quote_problem
from runtime.loaded import Runtime
from runtime.model import Transaction

NAME = "quote"


def add_parser(sub: Any) -> None:
    """Register `quote` on the subcommand parser of `ppl`."""
    p = sub.add_parser(NAME, help="quote one transaction and explain every number",
                       description="Quote one transaction, given as JSON or as flags. Exit status: 0 quoted, "
                       "1 the program has errors or cannot judge the transaction, 2 usage or I/O error.")
    add_runtime_arguments(p)
    p.add_argument("--transaction", metavar="JSON", help="the transaction as a JSON object (keys as in a "
                   "transactions file); `-` reads it from standard input")
    p.add_argument("--id", help="the transaction id (default: quote)")
    p.add_argument("--partner", help="the selling partner")
    p.add_argument("--date", help="the date, YYYY-MM-DD")
    p.add_argument("--list-price", dest="list_price", metavar="AMOUNT", help="list price per unit")
    p.add_argument("--sell-price", dest="sell_price", metavar="AMOUNT", help="sell price per unit (default: list)")
    p.add_argument("--quantity", help="units; negative for a refund (default: 1)")
    p.add_argument("--contract", help="the contract (default: the partner's)")
    p.add_argument("--product", help="the product")
    add_ledger_option(p)
    p.add_argument("--field", action="append", metavar="NAME=VALUE", help="a declared transaction input; repeat")
    add_format_option(p)


def _json_values(args: argparse.Namespace) -> dict[str, Any]:
    data = json_object_option(args.transaction, "--transaction", parse_float=Decimal)
    data.setdefault("id", args.id or "quote")
    return data


def transaction_values(args: argparse.Namespace) -> dict[str, Any]:
    """The transaction's raw values, from `--transaction` JSON or from the flags."""
    flags = {"id": args.id, "partner": args.partner, "date": args.date, "list_price": args.list_price,
             "sell_price": args.sell_price, "quantity": args.quantity, "contract": args.contract,
             "product": args.product}
    given = [k for k, v in flags.items() if v is not None and k != "id"] + (["field"] if args.field else [])
    if args.transaction is not None:
        if given:
            raise CommandError("give either --transaction or the flags (--partner, --date, …), not both")
        return _json_values(args)
    missing = [f"--{k.replace('_', '-')}" for k in ("partner", "date", "list_price") if flags[k] is None]
    if missing:
        raise CommandError(f"give --transaction JSON, or at least {', '.join(missing)}")
    values: dict[str, Any] = {k: v for k, v in flags.items() if v is not None}
    values.setdefault("id", "quote")
    values.setdefault("sell_price", values["list_price"])
    values.setdefault("quantity", "1")
    for item in args.field or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"--field `{item}`: write name=value")
        values[name.strip()] = value
    return values


def parse_one(values: Mapping[str, Any], ruleset: ir.RuleSet) -> Transaction:
    """One transaction to quote, or a usage error naming the field and the code."""
    parsed = rio.parse_transaction(values, ruleset)
    if isinstance(parsed, Rejected):
        where = f"`{parsed.field}`: " if parsed.field else ""
        raise CommandError(f"{where}{parsed.reason} [{parsed.code}]")
    if (problem := quote_problem(ruleset, parsed)) is not None:
        code, reason, field = problem
        raise CommandError(f"`{field}`: {reason} [{code}]")
    return parsed


def run(args: argparse.Namespace) -> int:
    """Quote the transaction and print it explained (or as JSON)."""
    ruleset = load_ruleset(args.program, args.color, args.trusted_key)
    partners = load_partners(args.partners, ruleset, args.partner_facts)
    txn = parse_one(transaction_values(args), ruleset)
    partners, decided = tiers_in_force(args.ledger, ruleset, partners, txn.date)
    q = quote_one(Runtime(ruleset, args.engine), txn, partners, {})
    if args.format == "json":
        data = rio.quote_json(q)
        if args.ledger is not None:
            data["tiers_in_force"] = tiers_json(decided, q, partners)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(explain.render_quote(q, ruleset, txn) + render_tiers(decided, q, ruleset, txn.date))
    return EXIT_OK
