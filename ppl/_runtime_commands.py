"""`ppl settle`, `ppl quote` and `ppl explain`: the runtime on files, from the command line.

A program is given as a `.yaml` file (checked and compiled on the fly) or as a compiled `.json`
rule set. Exit status: 0 done; 1 the program has errors, or the transaction asked about cannot be
quoted or found; 2 usage or I/O errors (including a bad partners file or transaction arguments).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from compiler.lower import compile_program
from compiler.pipeline import check
from policy_lang import diagnostics as dg
from runtime import explain, ir, ir_json
from runtime import io as rio
from runtime.decisions import QuoteError, Rejected, Settler, quote
from runtime.decisions.refunds import quote_problem
from runtime.engine import EvaluationError
from runtime.loaded import Runtime
from runtime.model import Line, Partner, Period, Transaction, Volumes
from runtime.money import format_amount

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
REJECT_TITLES = {**rio.CODES, "E500": "missing field (read by a rule)", "E501": "division by zero",
                 "E502": "bad value (in a rule)", "E510": "no version in force", "E511": "unknown partner",
                 "E512": "unknown contract", "E513": "bad distributor chain", "E514": "outside the period",
                 "E540": "quantity of 0", "E541": "unit price of 0", "E542": "negative quantity, no refund_of",
                 "E543": "refund of an unknown sale", "E544": "refund of more than remains",
                 "E545": "refund disagrees with its sale", "E546": "refund with a positive quantity",

"E550": "above the list price", "E551": "below the discount floor", "E552": "fee below the minimum",
                 "E553": "billed above cost", "E554": "list price not the catalog's", "E555": "unknown SKU"}
"""Titles of the codes a settlement rejects rows with: the readers' and the decisions'."""


class _Exit(Exception):
    """Stop a command with an exit status, after its message has been printed."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _fail(command: str, message: str, status: int = EXIT_USAGE) -> _Exit:
    print(f"ppl {command}: {message}", file=sys.stderr)
    return _Exit(status)


def _color(stream: TextIO, choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


# --- loading ---------------------------------------------------------------------------------------


def load_ruleset(path: str, command: str, color: str = "auto") -> ir.RuleSet:
    """A rule set from a program (`.yaml`, checked and compiled) or an artifact (`.json`).

    Raises:
        _Exit: 1 when the program has errors (its diagnostics are printed), 2 for usage or I/O errors.
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        result = check([path])
        errors = [d for d in result.diagnostics if d.severity is dg.Severity.ERROR]
        if result.diagnostics:
            sys.stderr.write(dg.render_text(result.diagnostics, result.sources, color=_color(sys.stderr, color)))
        if errors and all(d.code == "E107" for d in errors) or not result.files:
            raise _Exit(EXIT_USAGE)
        if errors or len(result.programs) != 1:
            raise _fail(command, f"{path} has errors; nothing was computed", EXIT_ERRORS)
        return compile_program(result.programs[0])
    if suffix == ".json":
        try:
            return ir_json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise _fail(command, f"cannot read {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise _fail(command, f"{path} is not UTF-8 text") from None
        except ir_json.ArtifactError as exc:
            raise _fail(command, f"{path}: {exc}") from None
    raise _fail(command, f"{path}: give a program (.yaml) or a compiled rule set (.json)")


def load_partners(path: str, ruleset: ir.RuleSet, command: str) -> dict[str, Partner]:
    """Every partner of a file, or an exit with the problems listed (at most 20)."""
    try:
        return rio.read_partners(path, ruleset)
    except rio.ReadError as exc:
        raise _fail(command, str(exc)) from None
    except rio.PartnersError as exc:
        for problem in exc.problems[:20]:
            print(f"{exc.path}: {problem}", file=sys.stderr)
        more = len(exc.problems) - 20
        raise _fail(command, f"{exc.path} has mistakes" + (f" (and {more} more)" if more > 0 else "")) from None


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


def _period(text: str, ruleset: ir.RuleSet, command: str) -> Period:
    try:
        return rio.parse_period(text, ruleset.fiscal_year_start)
    except ValueError as exc:
        raise _fail(command, str(exc)) from None


def _reader(path: str, ruleset: ir.RuleSet, command: str) -> rio.TransactionReader:
    try:
        return rio.read_transactions(path, ruleset)
    except rio.ReadError as exc:
        raise _fail(command, str(exc)) from None


def _money(ruleset: ir.RuleSet, amount: int) -> str:
    return format_amount(amount, ruleset.currency, ruleset.minor_unit)


# --- settle ----------------------------------------------------------------------------------------


class _Progress:
    """A progress bar on standard error, redrawn at most ten times a second; only on a terminal."""

    def __init__(self, reader: rio.TransactionReader, stream: TextIO) -> None:
        self.reader = reader
        self.stream = stream
        self.last = 0.0

    def update(self, rows: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        done = min(1.0, self.reader.position / self.reader.size) if self.reader.size else 1.0
        bar = "█" * int(done * 30) + "░" * (30 - int(done * 30))
        self.stream.write(f"\r  settling {bar} {done:4.0%}  {rows:,} rows")
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
        raise _fail("settle", "--engine duckdb needs the sql extra (pip install 'ppl[sql]')") from None
    reasons = engine.refused(ruleset)
    if reasons and args.engine == "duckdb":
        for reason in reasons:
            print(f"ppl settle: not supported by the duckdb engine yet: {reason}", file=sys.stderr)
        raise _fail("settle", f"program `{ruleset.program_id}` cannot be settled with --engine duckdb; "
                    "use --engine rows", EXIT_ERRORS)
    if args.engine == "duckdb":
        return True, "--engine duckdb"
    if reasons:
        return False, f"auto: the duckdb engine does not settle this program ({'; '.join(reasons)})"
    return True, "auto: the duckdb engine settles every rule of this program"


def _report(settlement: Any, engine: str, why: str, fmt: str, summary: str, written: list[Path],
            elapsed: float) -> None:
    """After a settlement: the summary (text, or JSON with how it was computed) on standard output; the files
    written, the engine and why, and how its quotes were answered, on standard error."""
    plans = settlement.plans
    if fmt == "json":
        data = {"period": str(settlement.period), "program": settlement.program_id, "engine": engine,
                "engine_reason": why, "read": settlement.read, "accepted": settlement.accepted,
                "rejected": settlement.rejected, "held": settlement.held, "partners": len(settlement.statements),
                "plans": plans.as_json(), "staged_rows": settlement.staged_rows}
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


def _settle_duckdb(args: argparse.Namespace, ruleset: ir.RuleSet, partners: dict[str, Partner],
                   period: Period, why: str) -> int:
    from runtime.sql import engine

    rt = Runtime(ruleset, "compiled")
    codes: Counter[str] = Counter()
    options = engine.Options(memory_limit=args.memory_limit, threads=args.threads, unique_ids=args.unique_ids)
    started = time.perf_counter()
    try:
        settlement, written = engine.settle_files(rt, partners, period, args.transactions, args.out, options,
                                                  on_reject=lambda r: codes.update((r.code,)))
    except rio.ReadError as exc:
        raise _fail("settle", str(exc)) from None
    except engine.EngineError as exc:
        raise _fail("settle", f"{args.transactions}: {exc}") from None
    except OSError as exc:
        raise _fail("settle", f"cannot write to {args.out}: {exc.strerror or exc}") from None
    elapsed = time.perf_counter() - started
    summary = render_summary(settlement, ruleset, partners, codes, args.period, "duckdb")
    _report(settlement, "duckdb", why, args.format, summary, written, elapsed)
    return EXIT_OK


def _cmd_settle(args: argparse.Namespace) -> int:
    ruleset = load_ruleset(args.program, "settle", args.color)
    partners = load_partners(args.partners, ruleset, "settle")
    period = _period(args.period, ruleset, "settle")
    columnar, why = _columnar(args, ruleset)
    if columnar:
        return _settle_duckdb(args, ruleset, partners, period, why)
    expressions = "interpreted" if args.engine == "interpreted" else "compiled"
    rt = Runtime(ruleset, expressions)
    reader = _reader(args.transactions, ruleset, "settle")
    try:
        writer = rio.SettlementWriter(args.out, ruleset, partners)
    except OSError as exc:
        reader.close()
        raise _fail("settle", f"cannot write to {args.out}: {exc.strerror or exc}") from None
    codes: Counter[str] = Counter()

    def on_reject(rejected: Rejected) -> None:
        codes[rejected.code] += 1
        writer.on_reject(rejected)

    settler = Settler(rt, partners, period, on_line=writer.on_line, on_reject=on_reject,
                      keep_sales=reader.may_refund, on_hold=writer.on_hold, on_violation=writer.on_violation)
    progress = _Progress(reader, sys.stderr) if sys.stderr.isatty() else None
    started = time.perf_counter()
    seen: set[str] | None = set() if args.unique_ids else None
    try:
        for rows, item in enumerate(reader, 1):
            if seen is not None and not isinstance(item[1], Rejected):
                if item[1].id in seen:
                    settler.reject(item[0], item[1].id, "E524", f"transaction id `{item[1].id}` appears twice",
                                   "id")
                    continue
                seen.add(item[1].id)
            rio.feed(settler, (item,))
            if progress is not None and rows % 500 == 0:
                progress.update(rows)
        settlement = settler.finish()
        written = writer.finish(settlement)
    except OSError as exc:
        writer.close()
        raise _fail("settle", f"cannot write to {args.out}: {exc.strerror or exc}") from None
    finally:
        reader.close()
        if progress is not None:
            progress.clear()
    elapsed = time.perf_counter() - started
    summary = render_summary(settlement, ruleset, partners, codes, args.period, expressions)
    _report(settlement, expressions, why, args.format, summary, written, elapsed)
    return EXIT_OK


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


# --- quote -----------------------------------------------------------------------------------------


def _transaction_values(args: argparse.Namespace) -> dict[str, Any]:
    flags = {"id": args.id, "partner": args.partner, "date": args.date, "list_price": args.list_price,
             "sell_price": args.sell_price, "quantity": args.quantity, "contract": args.contract,
             "product": args.product}
    given = [k for k, v in flags.items() if v is not None and k != "id"] + (["field"] if args.field else [])
    if args.transaction is not None:
        if given:
            raise _fail("quote", "give either --transaction or the flags (--partner, --date, …), not both")
        try:
            data = json.loads(args.transaction, parse_float=Decimal)
        except ValueError as exc:
            raise _fail("quote", f"--transaction is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise _fail("quote", "--transaction must be a JSON object")
        data.setdefault("id", args.id or "quote")
        return data
    missing = [f"--{k.replace('_', '-')}" for k in ("partner", "date", "list_price") if flags[k] is None]
    if missing:
        raise _fail("quote", f"give --transaction JSON, or at least {', '.join(missing)}")
    values: dict[str, Any] = {k: v for k, v in flags.items() if v is not None}
    values.setdefault("id", "quote")
    values.setdefault("sell_price", values["list_price"])
    values.setdefault("quantity", "1")
    for item in args.field or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise _fail("quote", f"--field `{item}`: write name=value")
        values[name.strip()] = value
    return values


def _parse_one(values: Mapping[str, Any], ruleset: ir.RuleSet, command: str) -> Transaction:
    parsed = rio.parse_transaction(values, ruleset)
    if isinstance(parsed, Rejected):
        where = f"`{parsed.field}`: " if parsed.field else ""
        raise _fail(command, f"{where}{parsed.reason} [{parsed.code}]")
    if (problem := quote_problem(ruleset, parsed)) is not None:
        code, reason, field = problem
        raise _fail(command, f"`{field}`: {reason} [{code}]")
    return parsed


def _quote(rt: Runtime, txn: Transaction, partners: Mapping[str, Partner], volumes: Mapping[str, Volumes],
           command: str) -> Any:
    try:
        return quote(rt, txn, partners, volumes)
    except QuoteError as exc:
        where = f"{exc.at}: " if exc.at else ""
        raise _fail(command, f"{where}error[{exc.code}]: {exc.message}", EXIT_ERRORS) from None
    except EvaluationError as exc:
        raise _fail(command, str(exc), EXIT_ERRORS) from None


def _cmd_quote(args: argparse.Namespace) -> int:
    ruleset = load_ruleset(args.program, "quote", args.color)
    partners = load_partners(args.partners, ruleset, "quote")
    txn = _parse_one(_transaction_values(args), ruleset, "quote")
    q = _quote(Runtime(ruleset, args.engine), txn, partners, {}, "quote")
    if args.format == "json":
        sys.stdout.write(json.dumps(rio.quote_json(q), ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(explain.render_quote(q, ruleset, txn))
    return EXIT_OK


# --- explain ---------------------------------------------------------------------------------------


def _find(path: str, ruleset: ir.RuleSet, txn_id: str) -> tuple[int, Transaction]:
    with _reader(path, ruleset, "explain") as reader:
        for row, item in reader:
            if isinstance(item, Transaction):
                if item.id == txn_id:
                    return row, item
            elif item.transaction == txn_id:
                where = f"`{item.field}`: " if item.field else ""
                raise _fail("explain", f"{path}: row {row}: transaction `{txn_id}` is rejected: {where}"
                            f"{item.reason} [{item.code}]", EXIT_ERRORS)
    raise _fail("explain", f"{path}: no transaction `{txn_id}`", EXIT_ERRORS)


def _fiscal_year(day: Any, ruleset: ir.RuleSet) -> Period:
    start = ruleset.fiscal_year_start
    year = day.year if day.month >= start else day.year - 1
    return rio.parse_period(f"FY{year}", start)


def _before(path: str, ruleset: ir.RuleSet, target_row: int, target: Transaction, period: Period) \
        -> Iterator[tuple[int, Transaction]]:
    with _reader(path, ruleset, "explain") as reader:
        for row, item in reader:
            if isinstance(item, Transaction) and item.date in period and row != target_row and (
                    item.date < target.date or (item.date == target.date and row < target_row)):
                yield row, item


def _cmd_explain(args: argparse.Namespace) -> int:
    if (args.id is None) == (args.partner is None):
        raise _fail("explain", "give --id TXN (one transaction) or --partner ID --period P (a statement)")
    ruleset = load_ruleset(args.program, "explain", args.color)
    rt = Runtime(ruleset, args.engine)
    partners = load_partners(args.partners, ruleset, "explain")
    if args.partner is not None:
        if args.period is None:
            raise _fail("explain", "--partner needs --period")
        return _explain_partner(args, rt, partners, _period(args.period, ruleset, "explain"))
    row, txn = _find(args.transactions, ruleset, args.id)
    if txn.refund_of is not None:
        raise _fail("explain", f"transaction `{txn.id}` is a refund of `{txn.refund_of}`: it reverses that sale's "
                    f"lines in proportion to the units it returns; explain the sale with --id {txn.refund_of}",
                    EXIT_ERRORS)
    period = _period(args.period, ruleset, "explain") if args.period else _fiscal_year(txn.date, ruleset)
    if txn.date not in period:
        raise _fail("explain", f"transaction `{txn.id}` is dated {txn.date}, outside the period {period}")
    # Period-to-date volumes: the transactions of the period before this one (by date, then row).
    settler = Settler(rt, partners, Period(period.start, txn.date))
    for before_row, before in _before(args.transactions, ruleset, row, txn, period):
        settler.add(before, before_row)
    volumes = {s.partner: s.volumes for s in settler.finish().statements}
    q = _quote(rt, txn, partners, volumes, "explain")
    sys.stdout.write(f"{args.transactions}: row {row}; period {period}, volumes to date from "
                     f"{settler.accepted:,} earlier transactions\n\n")
    sys.stdout.write(explain.render_quote(q, ruleset, txn))
    return EXIT_OK


def _explain_partner(args: argparse.Namespace, rt: Runtime, partners: Mapping[str, Partner], period: Period) -> int:
    if args.partner not in partners:
        raise _fail("explain", f"{args.partners}: no partner `{args.partner}`", EXIT_ERRORS)
    lines: list[Line] = []

    def on_line(line: Line) -> None:
        if line.partner == args.partner:
            lines.append(line)

    settler = Settler(rt, partners, period, on_line=on_line)
    with _reader(args.transactions, rt.ruleset, "explain") as reader:
        rio.feed(settler, reader)
    settlement = settler.finish()
    statement = next(s for s in settlement.statements if s.partner == args.partner)
    sys.stdout.write(explain.render_statement(statement, rt.ruleset, lines, partners[args.partner]))
    return EXIT_OK


# --- parsers ---------------------------------------------------------------------------------------


def _common(p: argparse.ArgumentParser, settle: bool = False) -> None:
    p.add_argument("program", metavar="PROGRAM_OR_RULESET",
                   help="a program (.yaml), checked and compiled on the fly, or a compiled rule set (.json)")
    p.add_argument("--partners", required=True, metavar="FILE", help="the partners (.csv, .jsonl or .ndjson)")
    if settle:
        p.add_argument("--engine", choices=ENGINES, default="auto",
                       help="auto (default): duckdb when the program can be settled there, else rows; rows: stream "
                       "the rows through the compiled rules (`compiled` is the same, `interpreted` uses the "
                       "reference interpreter); duckdb: settle in embedded DuckDB (CSV or Parquet read by DuckDB; "
                       "the same files)")
    else:
        p.add_argument("--engine", choices=("compiled", "interpreted"), default="compiled",
                       help="evaluate with generated code (default) or the reference interpreter")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour diagnostics (default: only on a terminal)")


def run(command: Any) -> Any:
    """Wrap a command so that `_Exit` becomes its exit status."""
    def wrapped(args: argparse.Namespace) -> int:
        try:
            status: int = command(args)
        except _Exit as stop:
            return stop.status
        return status
    return wrapped


def add_parsers(sub: Any) -> None:
    """Register `settle`, `quote` and `explain` on the subcommand parser of `ppl`."""
    periods = "FY2026 (a fiscal year), 2026-04 (a month), 2026-04..2027-03 (months) or 2026-04-01..2027-03-31 (days)"
    p = sub.add_parser("settle", help="settle a period: statements for every partner",
                       description="Settle a period over a transactions file and write the statements. Exit "
                       "status: 0 settled (rejected rows are listed in rejects.csv), 1 the program has errors, "
                       "2 usage or I/O error.")
    _common(p, settle=True)
    p.add_argument("--transactions", required=True, metavar="FILE",
                   help="the transactions (.csv, .jsonl, .ndjson or .parquet)")
    p.add_argument("--period", required=True, metavar="P", help=periods)
    p.add_argument("--out", required=True, metavar="DIR", help="where to write the statements")
    p.add_argument("--unique-ids", action="store_true",
                   help="reject a row whose transaction id appeared before (keeps every id in memory)")
    p.add_argument("--memory-limit", dest="memory_limit", default="2GB", metavar="SIZE", type=_memory_size,
                   help="duckdb engine: the most memory DuckDB may use before it spills to disk (default: 2GB)")
    p.add_argument("--threads", type=_positive, metavar="N", help="duckdb engine: threads (default: one per core)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="the summary on standard output: a table (default), or JSON with the engine and why, how "
                   "quotes were answered and the rows staged through Python")
    p.set_defaults(run=run(_cmd_settle))

    p = sub.add_parser("quote", help="quote one transaction and explain every number",
                       description="Quote one transaction, given as JSON or as flags. Exit status: 0 quoted, "
                       "1 the program has errors or cannot judge the transaction, 2 usage or I/O error.")
    _common(p)
    p.add_argument("--transaction", metavar="JSON", help="the transaction as a JSON object (keys as in a "
                   "transactions file)")
    p.add_argument("--id", help="the transaction id (default: quote)")
    p.add_argument("--partner", help="the selling partner")
    p.add_argument("--date", help="the date, YYYY-MM-DD")
    p.add_argument("--list-price", dest="list_price", metavar="AMOUNT", help="list price per unit")
    p.add_argument("--sell-price", dest="sell_price", metavar="AMOUNT", help="sell price per unit (default: list)")
    p.add_argument("--quantity", help="units; negative for a refund (default: 1)")
    p.add_argument("--contract", help="the contract (default: the partner's)")
    p.add_argument("--product", help="the product")
    p.add_argument("--field", action="append", metavar="NAME=VALUE", help="a declared transaction input; repeat")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.set_defaults(run=run(_cmd_quote))

    p = sub.add_parser("explain", help="explain a transaction of a file, or a partner's statement",
                       description="With --id: quote one transaction of a transactions file with its period-to-date "
                       "volumes, every number with its rule and source. With --partner and --period: that partner's "
                       "statement lines with their rules. Exit status: 0 explained, 1 the program has errors or the "
                       "transaction or partner is not found or cannot be quoted, 2 usage or I/O error.")
    _common(p)
    p.add_argument("--transactions", required=True, metavar="FILE", help="the transactions (.csv, .jsonl, .ndjson)")
    p.add_argument("--id", metavar="TXN", help="the transaction to explain")
    p.add_argument("--partner", metavar="ID", help="the partner whose statement to explain")
    p.add_argument("--period", metavar="P", help=f"{periods}; with --id, default: the fiscal year of the transaction")
    p.set_defaults(run=run(_cmd_explain))
