"""`ppl settle`: settle a period over a transactions file and write every partner's statement.

With `--as-of DATE` it settles the program year to that date instead, and sets each partner's figures
per kind of line against what the year's earlier runs paid, read from the settlement ledger (`--ledger`)
in which the run is then recorded (docs/ledger.md).

A program is given as a `.yaml` file (checked and compiled on the fly) or as a compiled `.json` rule
set. The row engine streams the rows through the compiled rules; the columnar engine settles in
embedded DuckDB; both write the same files. Exit status: 0 settled (rejected rows are listed in
rejects.csv); 1 the program has errors, the engine asked for cannot settle it, or the ledger refuses the
run (E580, E581); 2 usage or I/O errors.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO, TypeAlias

from policy_lang import diagnostics as dg
from policy_lang.source import Span
from ppl.common import (
    EXIT_ERRORS,
    EXIT_OK,
    PERIODS,
    CommandError,
    add_color_option,
    add_partners_option,
    add_program_argument,
    facts_summary,
    ledger_problem,
    load_partners,
    load_ruleset,
    parse_period,
    use_color,
)
from runtime import explain, ir
from runtime import io as rio
from runtime.decisions import (
    PILOT_HINT,
    Carried,
    Settlement,
    pilot_advisory,
    review_dates,
)
from runtime.io import outdir
from runtime.io.facts import FactReport
from runtime.io.settling import Progress, settle_file
from runtime.loaded import Runtime
from runtime.model import Partner, Period
from runtime.money import format_amount
from runtime.store import Ledger, LedgerError, is_url, settle_against, year_to_date
from runtime.store import shown as shown_target

NAME = "settle"
REJECT_TITLES = {**rio.CODES, "E524": "duplicate transaction id", "E500": "missing field (read by a rule)",
                 "E501": "division by zero",
                 "E502": "bad value (in a rule)", "E510": "no version in force", "E511": "unknown partner",
                 "E512": "unknown contract", "E513": "bad distributor chain", "E514": "outside the period",
                 "E515": "partner not a member on the date",
                 "E540": "quantity of 0", "E541": "unit price of 0", "E542": "negative quantity, no refund_of",
                 "E543": "refund of an unknown sale", "E544": "refund of more than remains",
                 "E545": "refund disagrees with its sale", "E546": "refund with a positive quantity",

"E550": "above the list price", "E551": "below the discount floor", "E552": "fee below the minimum",
                 "E553": "billed above cost", "E554": "list price not the catalog's", "E555": "unknown SKU"}
"""Titles of the codes a settlement rejects rows with: the readers' and the decisions'."""


def _memory_size(text: str) -> str:
    """`--memory-limit`: a size such as 512MB, 2GB or 1.5GiB (a usage error otherwise)."""
    if not re.fullmatch(r"\s*\d+(\.\d+)?\s*([KMGT]i?B|B)\s*", text, re.IGNORECASE):
        raise argparse.ArgumentTypeError(f"`{text}` is not a size such as 512MB or 2GB")
    return text.strip()


def _positive(text: str) -> int:
    """`--threads`: a whole number of at least 1 (a usage error otherwise)."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number of at least 1")
    return int(text)


class _Progress:
    """A progress bar on standard error, redrawn at most ten times a second; only on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = 0.0

    def update(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.last < 0.1:
            return
        self.last = now
        done = min(1.0, progress.position / progress.size) if progress.size else 1.0
        bar = "█" * int(done * 30) + "░" * (30 - int(done * 30))
        self.stream.write(f"\r  settling {bar} {done:4.0%}  {progress.read:,} rows")
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\x1b[2K")
        self.stream.flush()


ENGINES = ("rows", "duckdb", "auto", "compiled", "interpreted")
"""`ppl settle --engine`: the row engine (`rows`, the same as `compiled`; `interpreted` evaluates with the
reference interpreter), the columnar engine (`duckdb`), or `auto` (the default: duckdb for a program it settles,
when the `sql` extra is installed; else rows). Both write the same files."""


def _columnar(args: argparse.Namespace, ruleset: ir.RuleSet) -> tuple[bool, str]:
    """Whether to settle in DuckDB (asked for, or `auto` and the program is one the columnar engine settles),
    and why."""
    if args.engine not in ("duckdb", "auto"):
        return False, f"--engine {args.engine}"
    try:
        from runtime.sql import engine
    except ImportError:  # sqlglot or duckdb missing: the `sql` extra
        if args.engine == "auto":
            return False, "auto: the sql extra (duckdb, sqlglot) is not installed"
        raise CommandError("--engine duckdb needs the sql extra (pip install 'ppl[sql]')") from None
    reasons = engine.refused(ruleset)
    if reasons and args.engine == "duckdb":
        raise CommandError(*(f"not supported by the duckdb engine yet: {reason}" for reason in reasons),
                           f"program `{ruleset.program_id}` cannot be settled with --engine duckdb; use --engine rows",
                           status=EXIT_ERRORS)
    if args.engine == "duckdb":
        return True, "--engine duckdb"
    if reasons:
        return False, f"auto: the duckdb engine does not settle this program ({'; '.join(reasons)})"
    return True, "auto: the duckdb engine settles every rule of this program"


def _report(settlement: Any, engine: str, why: str, fmt: str, summary: str, written: list[Path],
            elapsed: float, settled: rio.Settled | None = None, facts: FactReport | None = None) -> None:
    """After a settlement: the summary (text, or JSON with how it was computed) on standard output; the files
    written, the engine and why, and how its quotes were answered, on standard error."""
    plans = settlement.plans
    if fmt == "json":
        data = {"period": str(settlement.period), "program": settlement.program_id, "engine": engine,
                "engine_reason": why, "read": settlement.read, "accepted": settlement.accepted,
                "rejected": settlement.rejected, "held": settlement.held, "partners": len(settlement.statements),
                "plans": plans.as_json(), "staged_rows": settlement.staged_rows}
        if facts is not None and facts.read:
            data["fact_records"] = facts.summary()
        if settled is not None:
            data |= {"as_of": settled.as_of.isoformat(), "run": settled.run, "repeat": settled.repeat,
                     "payable": settled.payable()}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(summary)
    names = ", ".join(f"{p}{os.sep}" if p.is_dir() else str(p) for p in written)
    lines = [f"\nwrote {names} in {elapsed:.1f}s", f"engine: {engine} ({why})",
             f"quotes: {plans.planned:,} by plans, {plans.fallbacks:,} by the reference path, {plans.refused:,} "
             "refused"]
    lines += [f"  {reason}: {n:,}" for reason, n in plans.by_reason]
    if engine == "duckdb":
        lines.append(f"rows staged through Python: {settlement.staged_rows:,}")
    print("\n".join(lines), file=sys.stderr)


EngineRun: TypeAlias = tuple[Settlement, list[Path], Counter[str], float]
"""What an engine returns: the settlement, the paths it wrote, the count of each reject code, the seconds."""


def _settle_duckdb(args: argparse.Namespace, ruleset: ir.RuleSet, partners: dict[str, Partner],
                   period: Period, out: Path, carried: Carried | None = None) -> EngineRun:
    from runtime.sql import engine

    rt = Runtime(ruleset, "compiled")
    codes: Counter[str] = Counter()
    options = engine.Options(memory_limit=args.memory_limit, threads=args.threads,
                             unique_ids=not args.allow_duplicate_ids)
    started = time.perf_counter()
    try:
        settlement, written = engine.settle_files(rt, partners, period, args.transactions, out, options,
                                                  on_reject=lambda r: codes.update((r.code,)), carried=carried)
    except rio.ReadError as exc:
        raise CommandError(str(exc)) from None
    except engine.EngineError as exc:
        raise CommandError(f"{args.transactions}: {exc}") from None
    return settlement, written, codes, time.perf_counter() - started


def run(args: argparse.Namespace) -> int:
    """Settle the period and write the statements; the summary goes to standard output.

    The files are written into a temporary sibling of `--out`, which replaces it when every file is
    written (`runtime.io.outdir`): a failed settlement leaves the previous files as they were.
    """
    ruleset = load_ruleset(args.program, args.color, args.trusted_key)
    facts = FactReport()
    partners = load_partners(args.partners, ruleset, args.partner_facts, facts)
    as_of = _as_of(args)
    period = parse_period(args.period, ruleset) if as_of is None else year_to_date(as_of, ruleset.fiscal_year_start)
    _pilot_advisory(ruleset, partners, period, args)
    columnar, why = _columnar(args, ruleset)
    settle = _settle_duckdb if columnar else _settle_rows
    ledger = _open_ledger(args.ledger, args.follow_symlinks) if args.ledger is not None else None
    settled = None
    try:
        carried = ledger.carried(ruleset.program_id, period.start.year) if ledger is not None else None
        with outdir.output_dir(args.out, rio.writers.OUTPUT_NAMES, args.follow_symlinks) as out:
            settlement, written, codes, elapsed = settle(args, ruleset, partners, period, out, carried)
            if as_of is not None:
                # INVARIANT: recorded before the directory is swapped into place, so a refusal writes nothing
                settled = settle_against(ledger, ruleset, settlement, as_of)
                rio.write_statements(out, settlement, ruleset, partners, settled)
    except outdir.OutputError as exc:
        raise CommandError(str(exc)) from None
    except LedgerError as exc:
        raise CommandError(*ledger_problem(f"--ledger {shown_target(args.ledger)}", exc), status=EXIT_ERRORS) from None
    except OSError as exc:
        raise CommandError(f"cannot write to {args.out}: {exc.strerror or exc}") from None
    finally:
        if ledger is not None:
            ledger.close()
    written = [Path(args.out) / path.relative_to(out) for path in written]
    engine = "duckdb" if columnar else "interpreted" if args.engine == "interpreted" else "compiled"
    shown = args.period if as_of is None else f"FY{period.start.year} as of {as_of.isoformat()}"
    summary = render_summary(settlement, ruleset, partners, codes, shown, engine) + facts_summary(facts)
    if settled is not None:
        summary += _settled_summary(settled, ruleset)
    _report(settlement, engine, why, args.format, summary, written, elapsed, settled, facts)
    return EXIT_OK


def _as_of(args: argparse.Namespace) -> datetime.date | None:
    """`--as-of` as a date; exactly one of `--period` and `--as-of`, and `--ledger` only with `--as-of`."""
    if (args.period is None) == (args.as_of is None):
        raise CommandError("give either --period P or --as-of DATE")
    if args.ledger is not None and args.as_of is None:
        raise CommandError("--ledger needs --as-of DATE: a ledger records settlements of the year to a date")
    if args.as_of is None:
        return None
    try:
        return datetime.date.fromisoformat(args.as_of.strip())
    except ValueError:
        raise CommandError(f"--as-of: `{args.as_of}` is not a date such as 2026-06-30") from None


def _open_ledger(path: str, follow_symlinks: bool) -> Ledger:
    """The ledger (a file or a `postgresql://` URL), created with its schema on first use; never a symbolic link
    unless allowed (as `--out`)."""
    if not is_url(path) and Path(path).is_symlink() and not follow_symlinks:
        raise CommandError(f"--ledger {path}: the ledger is a symbolic link; a settlement is recorded in a file "
                           "named as it is [E107]", "hint: name the file itself, or give --follow-symlinks to record "
                           "in the ledger the link points to")
    try:
        return Ledger(path)
    except LedgerError as exc:
        raise CommandError(*ledger_problem(f"--ledger {shown_target(path)}", exc)) from None


def _settled_summary(settled: rio.Settled, ruleset: ir.RuleSet) -> str:
    """The summary's last lines: the run, the as-of and the total payable now."""
    run = "no ledger run" if settled.run is None else f"run {settled.run}"
    payable = format_amount(settled.payable(), ruleset.currency, ruleset.minor_unit)
    return f"\n{run}, as of {settled.as_of.isoformat()}: payable now {payable} ({settled.note()})\n"


def _pilot_advisory(ruleset: ir.RuleSet, partners: Mapping[str, Partner], period: Period,
                    args: argparse.Namespace) -> None:
    """W306 on standard error when the partners active on the period's last day are outside the pilot size (an
    advisory: the settlement and its exit status are unchanged)."""
    message = pilot_advisory(ruleset.pilot, partners.values(), period.end)
    if message is None or ruleset.pilot is None:
        return
    at = ruleset.pilot.at
    span = Span(at.file, at.line, at.col, at.line, at.col) if at is not None else None
    warning = dg.warning("W306", f"{args.partners}: {message}", span, hint=PILOT_HINT)
    sys.stderr.write(dg.render_text([warning], {}, color=use_color(sys.stderr, args.color)))


def _settle_rows(args: argparse.Namespace, ruleset: ir.RuleSet, partners: dict[str, Partner], period: Period,
                 out: Path, carried: Carried | None = None) -> EngineRun:
    expressions = "interpreted" if args.engine == "interpreted" else "compiled"
    rt = Runtime(ruleset, expressions)
    started = time.perf_counter()
    codes: Counter[str] = Counter()
    bar = _Progress(sys.stderr) if sys.stderr.isatty() else None
    with _rereadable(args.transactions, rt, period, carried) as transactions:
        try:
            settlement, written = settle_file(rt, partners, period, transactions, out,
                                              unique_ids=not args.allow_duplicate_ids, carried=carried,
                                              on_reject=lambda rejected: codes.update((rejected.code,)),
                                              on_progress=bar.update if bar is not None else None)
        except rio.ReadError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if bar is not None:
                bar.clear()
    return settlement, written, codes, time.perf_counter() - started


@contextlib.contextmanager
def _rereadable(path: str, rt: Runtime, period: Period, carried: Carried | None = None) -> Iterator[str]:
    """The transactions as a file that can be read once per pass: as given, unless the period holds tier reviews
    (several passes) and the input is not a regular file (standard input, a pipe), which is then copied to a
    temporary file first."""
    if not review_dates(rt, period, carried) or Path(path).is_file() or not Path(path).exists():
        yield path
        return
    suffix = "".join(Path(path).suffixes) or ".csv"
    with tempfile.TemporaryDirectory(prefix="ppl-settle-") as temp:
        spooled = Path(temp) / f"transactions{suffix}"
        try:
            with open(path, "rb") as source, open(spooled, "wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
        except OSError as exc:
            raise CommandError(f"{path}: cannot read: {exc.strerror or exc}") from None
        yield str(spooled)


def render_summary(settlement: Any, ruleset: ir.RuleSet, partners: Mapping[str, Partner], codes: Mapping[str, int],
                   period_text: str, engine: str) -> str:
    """The summary table `ppl settle` prints: reconciliation, totals by kind, top partners."""
    money = format_amount
    cur, mu = ruleset.currency, ruleset.minor_unit
    version = ruleset.version_on(settlement.period.end)
    sha = rio.ruleset_sha256(ruleset)
    out = [f"Settled {period_text} ({settlement.period}) with `{ruleset.program_id}` version "
           f"{version.version if version else '—'} (sha256 {sha[:12]}…, {engine} engine)", ""]
    rows = [["partners", f"{len(settlement.statements):,}"], ["transactions read", f"{settlement.read:,}"],
            ["accepted", f"{settlement.accepted:,}"], ["rejected", f"{settlement.rejected:,}"]]
    rows += [[f"  {code} {REJECT_TITLES.get(code, '')}".rstrip(), f"{n:,}"] for code, n in sorted(codes.items())]
    if settlement.held:
        rows.append(["held for review", f"{settlement.held:,}"])
    out += explain.render_table(rows, right=[1])
    totals: Counter[str] = Counter()
    for s in settlement.statements:
        totals.update(s.totals)
    rows = [["kind", "amount"]]
    rows += [[rio.writers.KIND_TITLES.get(k, k), money(totals[k], cur, mu)] for k in rio.writers.ordered_kinds(totals)]
    earned = sum(s.total for s in settlement.statements)
    rows.append(["earned by partners", money(earned, cur, mu)])
    out += ["", *explain.render_table(rows, right=[1])]
    top = sorted(settlement.statements, key=lambda s: (-s.total, s.partner))[:5]
    rows = [["top partners", "level", "tier", "next tier", "transactions", "earned"]]
    for s in top:
        p = partners.get(s.partner)
        rows.append([s.partner, str(p.level) if p else "", s.tier or "—",
                     rio.writers.next_tier_id(s.next_tier) or "—", f"{s.transactions:,}", money(s.total, cur, mu)])
    out += ["", *explain.render_table(rows, right=[1, 4, 5])]
    return "\n".join(out) + "\n"


def add_parser(sub: Any) -> None:
    """Register `settle` on the subcommand parser of `ppl`."""
    p = sub.add_parser(NAME, help="settle a period: statements for every partner",
                       description="Settle a period over a transactions file and write the statements. Exit "
                       "status: 0 settled (rejected rows are listed in rejects.csv), 1 the program has errors or the "
                       "ledger refuses the run, 2 usage or I/O error.")
    add_program_argument(p)
    add_partners_option(p)
    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help="auto (default): duckdb when the program can be settled there, else rows; rows: stream "
                   "the rows through the compiled rules (`compiled` is the same, `interpreted` uses the "
                   "reference interpreter); duckdb: settle in embedded DuckDB (CSV or Parquet read by DuckDB; "
                   "the same files)")
    add_color_option(p)
    p.add_argument("--transactions", required=True, metavar="FILE",
                   help="the transactions (.csv, .jsonl, .ndjson or .parquet)")
    p.add_argument("--period", metavar="P", help=PERIODS + " (or give --as-of)")
    p.add_argument("--as-of", dest="as_of", metavar="DATE",
                   help="settle the program year from its first day to DATE (YYYY-MM-DD) inclusive, instead of "
                   "--period: statements show, per kind, earned to date, paid before and payable now")
    p.add_argument("--ledger", metavar="DB",
                   help="with --as-of: the settlement ledger (an SQLite file, created if missing, or a postgresql:// "
                   "URL) that records the run and "
                   "says what earlier runs of the year paid; without it, paid before is taken as 0")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="where to write the statements: a new directory, or one a settlement wrote before, which is "
                   "replaced as a whole once every file is written")
    p.add_argument("--follow-symlinks", dest="follow_symlinks", action="store_true",
                   help="allow --out to be a symbolic link (the directory it points to is replaced), and --ledger "
                   "(the ledger it points to records the run)")
    p.add_argument("--allow-duplicate-ids", dest="allow_duplicate_ids", action="store_true",
                   help="settle a row whose transaction id appeared before (by default it is rejected, E524)")
    p.add_argument("--unique-ids", action="store_true", help=argparse.SUPPRESS)  # the default now; kept for scripts
    p.add_argument("--memory-limit", dest="memory_limit", default="2GB", metavar="SIZE", type=_memory_size,
                   help="duckdb engine: the most memory DuckDB may use before it spills to disk (default: 2GB)")
    p.add_argument("--threads", type=_positive, metavar="N", help="duckdb engine: threads (default: one per core)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="the summary on standard output: a table (default), or JSON with the engine and why, how "
                   "quotes were answered and the rows staged through Python")

