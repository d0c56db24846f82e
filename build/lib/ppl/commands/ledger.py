"""`ppl ledger`: read the settlement ledger, the append-only record of settlement runs.

`ppl ledger show --db FILE` (or a `postgresql://` URL) lists the runs and, per partner and kind of line, what
each earned, what was paid before it and what it pays; `ppl ledger export --db FILE --format csv|json` writes every run.
Exit status: 0 done; 2 usage or I/O error (no such ledger, a file that is not one, a newer schema). The
ledger is opened for reading alone: showing or exporting it never changes the file.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from typing import Any

from ppl.common import EXIT_OK, CommandError, ledger_problem
from runtime import explain
from runtime.io.writers import KIND_TITLES
from runtime.money import format_amount
from runtime.store import Ledger, LedgerError, Run, write_runs_json

NAME = "ledger"


def add_parser(sub: Any) -> None:
    """Register `ledger` and its actions on the subcommand parser of `ppl`."""
    p = sub.add_parser(
        NAME, help="the settlement ledger: show or export the settlement runs recorded",
        description="The settlement ledger is an append-only record of settlement runs, in an SQLite file or a "
        "PostgreSQL database (--db postgresql://…): per partner and kind "
        "of line, what was earned to the run's as-of date, what earlier runs of the year paid, and what the run "
        "pays (see docs/ledger.md). Exit status: 0 done, 2 usage or I/O error.")
    _db_option(p, argparse.SUPPRESS)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    a = actions.add_parser("show", help="the runs, with each partner's earned, paid before and payable",
                           description="The runs in the order recorded, with their lines.")
    _db_option(a, argparse.SUPPRESS)
    a.add_argument("--program", metavar="ID", help="only this program's runs")
    a.add_argument("--year", type=int, metavar="YEAR", help="only this program year's runs (FY2026: 2026)")
    a.add_argument("--partner", metavar="PARTNER", help="only this partner's lines")
    a.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    a = actions.add_parser("export", help="every run and its lines as CSV or JSON",
                           description="Every run and its lines: CSV, one row per line (text cells safe to open "
                           "in a spreadsheet), or one JSON document.")
    _db_option(a, argparse.SUPPRESS)
    a.add_argument("--format", choices=("csv", "json"), default="csv", help="export format (default: csv)")
    a.add_argument("--tiers", action="store_true",
                   help="CSV: the runs' tier review decisions, one row each, instead of their lines (JSON holds both)")
    a.add_argument("--output", metavar="FILE", help="the file to write (default: standard output)")


def _db_option(p: argparse.ArgumentParser, default: Any) -> None:
    """`--db` (or `--ledger`), accepted before the action or after it (`ppl ledger show --db FILE`)."""
    p.add_argument("--db", "--ledger", dest="db", metavar="FILE", default=default,
                   help="the ledger: an SQLite file or a postgresql:// URL")


def _open(args: argparse.Namespace) -> Ledger:
    db = getattr(args, "db", None)
    if db is None:
        raise CommandError(f"{args.action}: name the ledger file with --db FILE")
    try:
        return Ledger(db, read_only=True)
    except LedgerError as exc:
        raise CommandError(*ledger_problem("--db", exc)) from None


def render_runs(runs: Sequence[Run]) -> list[str]:
    """Runs as text: a heading per run, then a table of its lines."""
    if not runs:
        return ["(no runs)"]
    out: list[str] = []
    for run in runs:
        if out:
            out.append("")
        out.append(f"run {run.id}: {run.program} FY{run.year} as of {run.as_of.isoformat()}, recorded "
                   f"{run.recorded_at.isoformat(timespec='seconds')}, rule set {run.ruleset_sha256[:12]}")
        if not run.lines:
            out.append("  (no lines)")
            continue
        rows = [["partner", "kind", "earned", "paid before", "payable"]]
        for line in run.lines:
            rows.append([line.partner, KIND_TITLES.get(line.kind, line.kind),
                         *(format_amount(v, run.currency, run.minor_unit)
                           for v in (line.earned, line.paid_before, line.payable))])
        out += explain.render_table(rows, right=[2, 3, 4])
        out += _render_tiers(run)
    return out


def _render_tiers(run: Run) -> list[str]:
    """A run's tier review decisions as a table (nothing when it has none)."""
    if not run.tiers:
        return []
    rows = [["partner", "review", "window", "sales", "before", "after", "outcome"]]
    for d in run.tiers:
        rows.append([d.partner, d.review.isoformat(), f"{d.window_start.isoformat()}..{d.window_end.isoformat()}",
                     format_amount(d.figures.sales, run.currency, run.minor_unit), d.previous or "—",
                     d.tier or "—", d.outcome])
    return ["  tier reviews:", *explain.render_table(rows, right=[3])]


def _only(runs: Sequence[Run], partner: str | None) -> list[Run]:
    if partner is None:
        return list(runs)
    return [Run(r.id, r.program, r.year, r.as_of, r.ruleset_sha256, r.currency, r.minor_unit, r.recorded_at,
                tuple(x for x in r.lines if x.partner == partner.strip()),
                tuple(d for d in r.tiers if d.partner == partner.strip())) for r in runs]


def _export(ledger: Ledger, args: argparse.Namespace) -> None:
    target = args.output if args.output is not None else sys.stdout
    if args.tiers and args.format == "csv":
        ledger.export_tiers_csv(target)
        return
    (ledger.export_json if args.format == "json" else ledger.export_csv)(target)


def run(args: argparse.Namespace) -> int:
    """Show or export the ledger."""
    ledger = _open(args)
    try:
        if args.action == "export":
            _export(ledger, args)
            return EXIT_OK
        assert args.action == "show", args.action
        runs = _only(ledger.runs(args.program, args.year), args.partner)
        if args.format == "json":
            sys.stdout.write(_json(runs))
        else:
            sys.stdout.write("\n".join(render_runs(runs)) + "\n")
        return EXIT_OK
    except LedgerError as exc:
        raise CommandError(str(exc)) from None
    finally:
        ledger.close()


def _json(runs: Sequence[Run]) -> str:
    buffer = io.StringIO()
    write_runs_json(runs, buffer)
    return buffer.getvalue()
