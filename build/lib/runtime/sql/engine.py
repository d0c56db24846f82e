"""Settling a period in embedded DuckDB: the columnar engine behind `ppl settle --engine duckdb`.

The transactions file (CSV or Parquet) is read by DuckDB itself; rows are checked in SQL with the
row engine's codes and reasons (see `_validate` and `_checks`), the generated quote SQL prices every
accepted row, and DuckDB writes the transaction lines. Only what the row engine keeps per partner
and month comes back to Python, where the row engine's `Settler` makes the statements, so that
statements, lines and rejects are the files the row engine writes, byte for byte. Rows read =
accepted + rejected. DuckDB's memory is limited and it may spill to a temporary directory.

Rows Python still sees one by one: rows with a value in a form other than the plain one (the row
engine's parser judges them), rows whose rules might read a field they lack (the row engine's
quoter judges them), rejected rows (written to rejects.csv), and every row of a file DuckDB cannot
split exactly (JSON Lines, CSV with line breaks inside quoted values or bad UTF-8).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime import ir
from runtime.decisions import Carried, Figures, Flagged, Rejected, Settler, Timeline, settle_timeline
from runtime.decisions.settle import Settlement
from runtime.io import SettlementWriter
from runtime.io.readers import parse_transaction, required_columns
from runtime.io.records import ReadError, RecordFile
from runtime.io.values import declared
from runtime.io.writers import LINE_COLUMNS
from runtime.loaded import Runtime
from runtime.model import Partner, Period
from runtime.sql import _checks, _input, _refunds, _run, _validate, unsupported


@dataclass(frozen=True, slots=True)
class Options:
    """How DuckDB may use the machine."""

    memory_limit: str = "2GB"  # DuckDB spills to `temp_directory` beyond this
    threads: int | None = None  # None: DuckDB's default (one per core)
    temp_directory: str | None = None  # None: a fresh directory under the system's temporary directory
    unique_ids: bool = True  # reject a row whose transaction id appeared before (E524); `--allow-duplicate-ids`


class EngineError(Exception):
    """The columnar engine cannot settle this program or file; the message says why."""


def refused(ruleset: ir.RuleSet) -> list[str]:
    """What keeps the columnar engine from settling a program (empty: it can)."""
    reasons = unsupported(ruleset)
    return sorted(set(reasons), key=reasons.index)


def _connect(options: Options, temp: str) -> Any:
    import duckdb

    config: dict[str, Any] = {"memory_limit": options.memory_limit, "temp_directory": temp,
                              "preserve_insertion_order": True}
    if options.threads is not None:
        config["threads"] = options.threads
    con = duckdb.connect(config=config)
    con.execute("SET enable_progress_bar = false")  # a long query would draw one on standard output
    return con


def _stage_python(con: Any, path: Path, ruleset: ir.RuleSet) -> int:
    """Every record through the row engine's reader and parser, into `txn` and `rej` (the slow, exact path); the
    number of records."""
    cols = [n for n, _ in _validate.txn_columns(ruleset)]
    good: list[list[Any]] = []
    bad: list[list[Any]] = []

    def flush() -> None:
        if good:
            con.executemany(f"INSERT INTO txn_py VALUES ({', '.join('?' for _ in cols)})", good)
            good.clear()
        if bad:
            con.executemany("INSERT INTO rej VALUES (?, ?, ?, ?, ?)", bad)
            bad.clear()

    staged = 0
    with RecordFile(path) as records:
        for record in records:
            staged += 1
            if record.problem is not None:
                txn_id = record.values.get("id")
                bad.append([record.row, txn_id.strip() if isinstance(txn_id, str) else str(txn_id) if isinstance(
                    txn_id, int) else "", None, "E521", record.problem])
            else:
                _parsed(record.row, record.values, ruleset, good, bad)
            if len(good) + len(bad) >= 2048:
                flush()
    flush()
    return staged


def _parsed(row: int, values: Mapping[str, Any], ruleset: ir.RuleSet, good: list[list[Any]],
            bad: list[list[Any]]) -> None:
    item = parse_transaction(values, ruleset, row)
    if isinstance(item, Rejected):
        bad.append([row, item.transaction, item.field, item.code, item.reason])
        return
    extra = [item.fields.get(name) for name in declared(ruleset, "transaction")]
    extra = [str(v) if v is not None and not isinstance(v, int | bool | str) and not hasattr(v, "isoformat")
             else v for v in extra]
    sku = [item.sku] if any(v.catalog for v in ruleset.versions) else []
    good.append([row, item.id, item.date, item.partner, item.contract, item.product, item.list_price,
                 item.sell_price, item.quantity, item.refund_of, *extra, *sku])


def _load(con: Any, path: Path, ruleset: ir.RuleSet) -> int:
    """`txn` and `rej` from the transactions file, by the fastest exact path; the number of rows parsed in Python."""
    columns, header_lines, fmt = _input.header(path, required_columns(ruleset))
    names = _input.wanted(columns, list(declared(ruleset, "transaction")))
    _validate.create_tables(con, ruleset)
    if any(v.catalog for v in ruleset.versions) and ("sku" in columns or not {"list_price", "sell_price"} <= set(
            columns)):
        # Rows that name a SKU take their list price from the catalog: every row goes through the row engine's parser.
        return _stage_python(con, path, ruleset)
    if fmt == "parquet":
        _input.load_parquet(con, path, names)
    elif fmt != "csv" or header_lines != 1 or not _input.load_csv(con, path, columns, names):
        return _stage_python(con, path, ruleset)
    _validate.validate(con, ruleset, names)
    good: list[list[Any]] = []
    bad: list[list[Any]] = []
    for row, values in _validate.python_rows(con, names):
        _parsed(row, values, ruleset, good, bad)
    if good:
        con.executemany(f"INSERT INTO txn_py VALUES ({', '.join('?' for _ in good[0])})", good)
    if bad:
        con.executemany("INSERT INTO rej VALUES (?, ?, ?, ?, ?)", bad)
    if fmt == "csv":
        con.execute("DROP TABLE raw")
    return len(good) + len(bad)


def settle_files(rt: Runtime, partners: Mapping[str, Partner], period: Period, transactions: str | Path,
                 out: str | Path, options: Options = Options(),
                 on_reject: Callable[[Rejected], None] | None = None,
                 carried: Carried | None = None) -> tuple[Settlement, list[Path]]:
    """Settle a period over a transactions file in DuckDB and write the settlement into `out` (`carried`: the
    ledger's months and standings from before the period, which its tier reviews read).

    Writes what `SettlementWriter` writes for the row engine (statements, lines, rejects), the same
    bytes. Returns the settlement and the paths written.

    Raises:
        EngineError: the program uses what the engine does not settle, or DuckDB fails.
        ReadError: the transactions file cannot be read (as the row engine's reader says).
        OSError: the output cannot be written.
    """
    import duckdb

    reasons = refused(rt.ruleset)
    if reasons:
        raise EngineError("; ".join(reasons))
    # A file the row engine's reader refuses is refused before any output.
    _input.header(Path(transactions), required_columns(rt.ruleset))
    temp = options.temp_directory or tempfile.mkdtemp(prefix="ppl-duckdb-")
    try:
        timeline = settle_timeline(rt, partners, period, lambda tiers: _quiet_pass(
            rt, partners, period, Path(transactions), options, temp, tiers), carried)
        writer = SettlementWriter(out, rt.ruleset, partners)
        settler = Settler(rt, partners, period, timeline=timeline, checked=True)  # rows and partners read from files
        try:
            with _connection(options, temp) as con:
                staged, accepted = _settle_rows(con, rt, partners, period, Path(transactions), options, settler,
                                                timeline)
                _run.copy_lines(con, rt.ruleset, partners, _run.csv_line(LINE_COLUMNS), writer.out / _PARTIAL)
                _run.fill_accounts(con, rt.ruleset, settler)
                rejected = _write_rejects(con, writer, on_reject)
                held = _write_held(con, writer)
        except BaseException:
            writer.close()
            raise
    except duckdb.Error as exc:
        raise EngineError(f"DuckDB: {str(exc).splitlines()[0]}") from None
    finally:
        if options.temp_directory is None:
            shutil.rmtree(temp, ignore_errors=True)
    settler.accepted, settler.rejected, settler.held = accepted, rejected, held
    settler.read = accepted + rejected + held
    settler.staged_rows = staged
    settlement = settler.finish()
    written = writer.finish(settlement)
    _splice_lines(writer.out)
    return settlement, written


@contextlib.contextmanager
def _connection(options: Options, temp: str) -> Iterator[Any]:
    con = _connect(options, temp)
    try:
        yield con
    finally:
        con.close()


def _settle_rows(con: Any, rt: Runtime, partners: Mapping[str, Partner], period: Period, transactions: Path,
                 options: Options, settler: Settler, timeline: Timeline | None) -> tuple[int, int]:
    """Load, check and quote every row (table `q0`): the rows staged through Python and the rows accepted."""
    _input.macros(con)
    staged = _load(con, transactions, rt.ruleset)
    _checks.program_tables(con, rt.ruleset)
    _checks.partners_table(con, rt.ruleset, dict(partners), timeline)
    _checks.chains_table(con, rt.ruleset, partners, timeline)
    _checks.memberships_table(con, rt.ruleset, partners)
    _checks.check(con, rt.ruleset, period, options.unique_ids)
    _run.ask_rates(con, rt.ruleset)
    staged += _run.ask_quoter(con, rt.ruleset, settler)
    accepted = _run.quote(con, rt.ruleset)
    accepted += _refunds.apply(con, rt.ruleset)
    return staged, accepted


def _quiet_pass(rt: Runtime, partners: Mapping[str, Partner], period: Period, transactions: Path, options: Options,
                temp: str, timeline: Timeline) -> Figures:
    """A settlement pass without outputs under a timeline of tiers: the monthly figures the reviews read."""
    settler = Settler(rt, partners, period, timeline=timeline, checked=True)
    with _connection(options, temp) as con:
        _settle_rows(con, rt, partners, period, transactions, options, settler, timeline)
        _run.copy_lines(con, rt.ruleset, partners, "lines", Path(temp) / "pass-lines.csv")  # `q0` becomes `q`
        _run.fill_accounts(con, rt.ruleset, settler)
    return settler.figures


_PARTIAL = ".lines.duckdb.csv"


def _write_rejects(con: Any, writer: SettlementWriter, on_reject: Callable[[Rejected], None] | None) -> int:
    cursor = con.execute("SELECT row, COALESCE(id, ''), code, reason, field FROM rej ORDER BY row")
    count = 0
    while batch := cursor.fetchmany(4096):
        for row, txn_id, code, reason, field in batch:
            rejected = Rejected(row, txn_id, code, reason, field)
            writer.on_reject(rejected)
            if on_reject is not None:
                on_reject(rejected)
            count += 1
    return count


def _write_held(con: Any, writer: SettlementWriter) -> int:
    """`held.csv` and `violations.csv`, as the row engine writes them (in row order); the number of held rows."""
    for row, txn_id, partner, code, kind, reason in con.execute(
            "SELECT row, id, partner, code, kind, reason FROM flags ORDER BY row, rowid").fetchall():
        writer.on_violation(Flagged(row, txn_id, partner, code, kind, reason))
    count = 0
    for row, txn_id, code, reason in con.execute("SELECT row, id, code, reason FROM held ORDER BY row").fetchall():
        writer.on_hold(Rejected(row, txn_id, code, reason))
        count += 1
    return count


def _splice_lines(out: Path) -> None:
    """After `SettlementWriter.finish`: the period lines it wrote follow the header and transaction lines DuckDB
    wrote, and that file becomes `lines.csv`."""
    partial = out / _PARTIAL
    final = out / "lines.csv"
    with open(final, "rb") as written, open(partial, "ab") as target:
        written.readline()  # the header, which DuckDB wrote too
        shutil.copyfileobj(written, target, 1 << 20)
    os.replace(partial, final)


__all__ = ["EngineError", "Options", "ReadError", "refused", "settle_files"]
