"""`ppl explain`: a transaction of a file with its period-to-date volumes, or a partner's statement, explained."""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from ppl.commands._deal_values import id_value
from ppl.commands._ledger_tiers import add_ledger_option, carried_months, render_tiers, tiers_in_force
from ppl.common import (
    EXIT_ERRORS,
    EXIT_OK,
    PERIODS,
    CommandError,
    add_runtime_arguments,
    load_partners,
    load_ruleset,
    open_transactions,
    parse_period,
    quote_one,
)
from runtime import explain, ir
from runtime import io as rio
from runtime.decisions import Figures, Settler, Timeline, settle_timeline
from runtime.loaded import Runtime
from runtime.model import Line, Partner, Period, Transaction

NAME = "explain"


def add_parser(sub: Any) -> None:
    """Register `explain` on the subcommand parser of `ppl`."""
    p = sub.add_parser(NAME, help="explain a transaction of a file, or a partner's statement",
                       description="With --id: quote one transaction of a transactions file with its period-to-date "
                       "volumes, every number with its rule and source. With --partner and --period: that partner's "
                       "statement lines with their rules. Exit status: 0 explained, 1 the program has errors or the "
                       "transaction or partner is not found or cannot be quoted, 2 usage or I/O error.")
    add_runtime_arguments(p)
    p.add_argument("--transactions", required=True, metavar="FILE", help="the transactions (.csv, .jsonl, .ndjson)")
    p.add_argument("--id", metavar="TXN", help="the transaction to explain")
    p.add_argument("--partner", metavar="ID", help="the partner whose statement to explain")
    p.add_argument("--period", metavar="P", help=f"{PERIODS}; with --id, default: the fiscal year of the transaction")
    add_ledger_option(p)


def _find(path: str, ruleset: ir.RuleSet, txn_id: str) -> tuple[int, Transaction]:
    with open_transactions(path, ruleset) as reader:
        for row, item in reader:
            if isinstance(item, Transaction):
                if item.id == txn_id:
                    return row, item
            elif item.transaction == txn_id:
                where = f"`{item.field}`: " if item.field else ""
                raise CommandError(f"{path}: row {row}: transaction `{txn_id}` is rejected: {where}"
                                   f"{item.reason} [{item.code}]", status=EXIT_ERRORS)
    raise CommandError(f"{path}: no transaction `{txn_id}`", status=EXIT_ERRORS)


def _fiscal_year(day: datetime.date, ruleset: ir.RuleSet) -> Period:
    start = ruleset.fiscal_year_start
    year = day.year if day.month >= start else day.year - 1
    return rio.parse_period(f"FY{year}", start)


def _before(path: str, ruleset: ir.RuleSet, target_row: int, target: Transaction, period: Period) \
        -> Iterator[tuple[int, Transaction]]:
    with open_transactions(path, ruleset) as reader:
        for row, item in reader:
            if isinstance(item, Transaction) and item.date in period and row != target_row and (
                    item.date < target.date or (item.date == target.date and row < target_row)):
                yield row, item


def run(args: argparse.Namespace) -> int:
    """Explain one transaction (`--id`) or one partner's statement (`--partner`, `--period`)."""
    if (args.id is None) == (args.partner is None):
        raise CommandError("give --id TXN (one transaction) or --partner ID --period P (a statement)")
    # Ids as the files are read: in their canonical form (`runtime.ids`), so `Ｔ000001` finds T000001.
    args.id = None if args.id is None else id_value(args.id, "--id")
    args.partner = None if args.partner is None else id_value(args.partner, "--partner")
    ruleset = load_ruleset(args.program, args.color, args.trusted_key)
    rt = Runtime(ruleset, args.engine)
    partners = load_partners(args.partners, ruleset, args.partner_facts)
    if args.partner is not None:
        if args.period is None:
            raise CommandError("--partner needs --period")
        return _explain_partner(args, rt, partners, parse_period(args.period, ruleset))
    return _explain_transaction(args, rt, partners)


def _explain_transaction(args: argparse.Namespace, rt: Runtime, partners: Mapping[str, Partner]) -> int:
    ruleset = rt.ruleset
    row, txn = _find(args.transactions, ruleset, args.id)
    if txn.refund_of is not None:
        raise CommandError(f"transaction `{txn.id}` is a refund of `{txn.refund_of}`: it reverses that sale's "
                           f"lines in proportion to the units it returns; explain the sale with --id {txn.refund_of}",
                           status=EXIT_ERRORS)
    period = parse_period(args.period, ruleset) if args.period else _fiscal_year(txn.date, ruleset)
    if txn.date not in period:
        raise CommandError(f"transaction `{txn.id}` is dated {txn.date}, outside the period {period}")
    # Period-to-date volumes: the transactions of the period before this one (by date, then row).
    settler = Settler(rt, partners, Period(period.start, txn.date), checked=True)
    for before_row, before in _before(args.transactions, ruleset, row, txn, period):
        settler.add(before, before_row)
    volumes = {s.partner: s.volumes for s in settler.finish().statements}
    in_force, decided = tiers_in_force(getattr(args, "ledger", None), ruleset, partners, txn.date)
    q = quote_one(rt, txn, in_force, volumes)
    sys.stdout.write(f"{args.transactions}: row {row}; period {period}, volumes to date from "
                     f"{settler.accepted:,} earlier transactions\n\n")
    sys.stdout.write(explain.render_quote(q, ruleset, txn) + render_tiers(decided, q, ruleset, txn.date))
    return EXIT_OK


def _explain_partner(args: argparse.Namespace, rt: Runtime, partners: Mapping[str, Partner], period: Period) -> int:
    if args.partner not in partners:
        raise CommandError(f"{args.partners}: no partner `{args.partner}`", status=EXIT_ERRORS)
    lines: list[Line] = []

    def on_line(line: Line) -> None:
        if line.partner == args.partner:
            lines.append(line)

    def run_pass(tiers: Timeline) -> Figures:
        quiet = Settler(rt, partners, period, timeline=tiers, checked=True)
        with open_transactions(args.transactions, rt.ruleset) as reader:
            rio.feed(quiet, reader)
        return quiet.figures

    # A program that reviews tiers is settled in passes, as `ppl settle` does (docs/computation.md); with a ledger,
    # the year's first review reads the months before the year from it.
    carried = carried_months(getattr(args, "ledger", None), rt.ruleset, period)
    timeline = settle_timeline(rt, partners, period, run_pass, carried)
    settler = Settler(rt, partners, period, on_line=on_line, timeline=timeline, checked=True)
    with open_transactions(args.transactions, rt.ruleset) as reader:
        rio.feed(settler, reader)
    settlement = settler.finish()
    statement = next(s for s in settlement.statements if s.partner == args.partner)
    sys.stdout.write(explain.render_statement(statement, rt.ruleset, lines, partners[args.partner]))
    return EXIT_OK
