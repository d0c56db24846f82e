"""The settlement ledger: an append-only record of every settlement run, and what each one paid.

A run settles a program year up to an as-of date. For each partner and each kind of line it records
what was earned to date, what the year's earlier runs paid (`paid_before`) and the difference, payable
now (negative when the partner owes money back). What was paid in a year is the sum of its runs'
payables (`paid_to_date`), so the sum of the payables always equals the last run's earned figures.

`record` decides inside one write transaction (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a lock on `runs`), so
processes recording at once serialise:

- the same as-of again, with the same rule set hash and the same earned figures, records nothing and
  returns the run already recorded: nothing is paid twice;
- the same as-of with other figures or another rule set is a correction: a new run paying the difference;
- an as-of earlier than the year's last run is refused (E580); runs of a year go forward in time;
- a program's runs are in one currency: a run in another currency or minor unit is refused (E581).

One ledger file may hold several programs; each program's years are kept apart (`paid_to_date` and
`last_run` take the program id). Runs are numbered 1, 2, 3 … in the order they were recorded.
Triggers refuse every UPDATE and DELETE, so the ledger is never rewritten. A run also records the monthly
figures its tier reviews read (`_ledger_months`), which a later year's settlement reads back (`carried`). See
docs/ledger.md.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import IO

from runtime import ids, ir
from runtime.decisions import Carried, Settlement
from runtime.io.writers import Settled, ruleset_sha256
from runtime.model import Period, Statement, TierDecision
from runtime.store._db import Row, Session, is_url, shown
from runtime.store._ledger_file import FILE_PROBLEM, check_ledger_file, open_read_only
from runtime.store._ledger_months import MonthlyFigures, carried, write_months
from runtime.store._ledger_records import (
    LEDGER_MIGRATIONS,
    UTC,
    Figures,
    LedgerError,
    LedgerSchemaError,
    Run,
    kind_order,
    nonzero,
    run_of,
    tier_row,
    write_runs_csv,
    write_runs_json,
    write_tiers_csv,
)
from runtime.store.migrations import RegistryError, SchemaError, open_database

OLDER_AS_OF = "E580"
CURRENCY_MISMATCH = "E581"
_INT64 = 1 << 63  # SQLite stores integers in 64 bits: every amount lies strictly between -2**63 and 2**63
_SHA256 = re.compile(r"[0-9a-f]{64}")


def fiscal_year(as_of: datetime.date, fiscal_year_start: int = 1) -> int:
    """The program year an as-of date falls in, named by the calendar year it starts in (FY2026: 2026).

    >>> fiscal_year(datetime.date(2027, 3, 31), 4), fiscal_year(datetime.date(2027, 4, 1), 4)
    (2026, 2027)
    """
    return as_of.year if as_of.month >= fiscal_year_start else as_of.year - 1


def year_to_date(as_of: datetime.date, fiscal_year_start: int = 1) -> Period:
    """What a settlement as of a date settles: the program year the date falls in, from its first day to the date.

    >>> year_to_date(datetime.date(2026, 9, 30), 4)
    Period(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 9, 30))
    """
    return Period(datetime.date(fiscal_year(as_of, fiscal_year_start), fiscal_year_start, 1), as_of)


def earned_figures(statements: Iterable[Statement]) -> dict[str, dict[str, int]]:
    """The figures a run records from a settlement to date: each partner's totals by kind of line, zeros left out."""
    earned = {s.partner: {k: v for k, v in s.totals.items() if v} for s in statements}
    return {p: kinds for p, kinds in earned.items() if kinds}


def settle_against(ledger: Ledger | None, ruleset: ir.RuleSet, settlement: Settlement,
                   as_of: datetime.date) -> Settled:
    """Record a settlement of the year to `as_of` in the ledger (when there is one) and set it against what was paid.

    This is what `ppl settle --as-of --ledger` does after settling, and what program tests of a sequence of
    settlements do: one function, so the two cannot drift.

    Raises:
        LedgerError: the ledger refuses the run (`Ledger.record`: an older as-of E580, another currency E581).
    """
    earned = earned_figures(settlement.statements)
    if ledger is None:
        return Settled(as_of, None, False, earned, {})
    year = fiscal_year(as_of, ruleset.fiscal_year_start)
    before = ledger.last_run(ruleset.program_id, year)
    run = ledger.record(ruleset.program_id, as_of, ruleset_sha256(ruleset), earned, currency=ruleset.currency,
                        minor_unit=ruleset.minor_unit, fiscal_year_start=ruleset.fiscal_year_start,
                        tiers=[d for s in settlement.statements for d in s.tier_history], months=settlement.months)
    if before is not None and run.id == before.id:
        return Settled(as_of, run.id, True, run.earned(), ledger.paid_to_date(ruleset.program_id, year))
    paid: dict[str, dict[str, int]] = {}
    for line in run.lines:
        if line.paid_before:
            paid.setdefault(line.partner, {})[line.kind] = line.paid_before
    return Settled(as_of, run.id, False, run.earned(), paid)


class Ledger:
    """The settlement runs recorded in one SQLite file (or a PostgreSQL database named by a `postgresql://` URL),
    created with its schema on first use.

    A path that is not a ledger this ppl can use is refused before SQLite writes to it, and left as it was
    (`check_ledger_file`). `read_only` opens an existing ledger for reading alone: nothing is migrated or
    written, so showing or exporting a ledger never changes its file.

    Raises:
        LedgerError: the file cannot be opened, is not a ledger, or cannot be written (E107).
        LedgerSchemaError: the file was written by a newer ppl, or holds another kind of ppl store (a
            registry); a `LedgerError` and a `SchemaError`.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = shown(path)  # as messages show it: a URL without its password
        if not is_url(path):
            check_ledger_file(Path(path), writing=not read_only)
        try:
            self._db = open_read_only(path) if read_only else open_database(path, LEDGER_MIGRATIONS)
        except SchemaError as exc:
            raise LedgerSchemaError(_ledger_words(exc), FILE_PROBLEM) from None
        except RegistryError as exc:
            raise LedgerError(_ledger_words(exc), FILE_PROBLEM) from None
        self._db.lost = lambda reason: LedgerError(f"the ledger {self.path} cannot be reached: {reason}", FILE_PROBLEM)

    def close(self) -> None:
        """Close the database file."""
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # --- reading ---

    def paid_to_date(self, program_id: str, year: int) -> dict[str, dict[str, int]]:
        """What the year's runs paid, by partner and kind: the sum of their payables (zero sums left out)."""
        return _paid(self._db, program_id, year)

    def last_run(self, program_id: str, year: int) -> Run | None:
        """The year's most recently recorded run, or None before the first."""
        return _last(self._db, program_id, year)

    def runs(self, program_id: str | None = None, year: int | None = None) -> list[Run]:
        """Every run (of a program, of a year), in the order recorded."""
        found = {"program": program_id, "year": year}
        where = " AND ".join(f"{column} = ?" for column, value in found.items() if value is not None)
        # INVARIANT: the column names are this method's, never input.
        rows = self._db.execute(f"SELECT * FROM runs{' WHERE ' if where else ''}{where} ORDER BY id",
                                tuple(v for v in found.values() if v is not None)).fetchall()
        return [_run(self._db, row) for row in rows]

    def export_csv(self, target: str | Path | IO[str]) -> None:
        """Every line of every run as CSV (`CSV_COLUMNS`), to a file path or an open text stream."""
        write_runs_csv(self.runs(), target)

    def export_tiers_csv(self, target: str | Path | IO[str]) -> None:
        """Every tier decision of every run as CSV (`write_tiers_csv`), to a file path or an open text stream."""
        write_tiers_csv(self.runs(), target)

    def tiers_on(self, program_id: str, day: datetime.date) -> dict[str, TierDecision]:
        """The decisions that set each partner's tier in force on a day, read from the program's last recorded
        run (a partner with none there holds the partners file's tier)."""
        row = self._db.execute("SELECT * FROM runs WHERE program = ? ORDER BY id DESC LIMIT 1",
                               (program_id,)).fetchone()
        found: dict[str, TierDecision] = {}
        for decision in _run(self._db, row).tiers if row is not None else ():
            if decision.review <= day:
                found[decision.partner] = decision  # INVARIANT: a run's decisions are in review order
        return found

    def carried(self, program_id: str, year: int) -> Carried | None:
        """What a settlement of the program's year `year` reads from before it: the months the earlier years'
        last runs recorded, their figures and each partner's standing (`_ledger_months.carried`)."""
        return carried(self._db, program_id, year)

    def export_json(self, target: str | Path | IO[str]) -> None:
        """Every run with its lines as JSON (`{"format": "ppl-ledger/1", "runs": [...]}`), to a path or stream."""
        write_runs_json(self.runs(), target)

    # --- recording ---

    def record(self, program_id: str, as_of: datetime.date, ruleset_sha256: str, earned: Figures, *,
               currency: str, minor_unit: int, fiscal_year_start: int = 1,
               recorded_at: datetime.datetime | None = None, tiers: Sequence[TierDecision] = (),
               months: MonthlyFigures | None = None) -> Run:
        """Record a settlement of the program year to `as_of`, against what the year's earlier runs paid.

        Args:
            earned: earned in the year up to the as-of, in minor units, by partner and kind of line.
            fiscal_year_start: the program's first month of the year, which decides the year of the as-of.
            recorded_at: when the run is recorded (aware); now by default.
            tiers: the tier reviews the settlement decided (recorded with the run).
            months: each partner's figures by month index, as a tier review reads them (recorded with the run
                for the months of its year up to the as-of; None: no months are recorded).

        Returns:
            The new run, its `paid_before` and `payable` filled in; or, when the as-of, rule set hash and
            earned figures repeat the year's last run, that run (nothing new is recorded).

        Raises:
            LedgerError: an as-of earlier than the year's last run (E580), a currency or minor unit other
                than the program's earlier runs' (E581), a naive `recorded_at` (E530), a partner id the id
                policy refuses (E525, E526, E528), or figures that are not integers within 64 bits.
        """
        program = _id(program_id, "program id")
        figures = _figures(earned)
        _check_run(as_of, ruleset_sha256, currency, minor_unit)
        if type(fiscal_year_start) is not int or not 1 <= fiscal_year_start <= 12:
            raise LedgerError(f"the fiscal year start `{fiscal_year_start}` is not a month (1 to 12)")
        stamp = _stamp(recorded_at)
        year = fiscal_year(as_of, fiscal_year_start)
        with self._write() as db:
            _same_currency(db, program, currency, minor_unit)
            last = _last(db, program, year)
            if last is not None and as_of < last.as_of:
                raise LedgerError(f"the settlement as of {as_of.isoformat()} is older than the ledger's last run "
                                  f"for {program} FY{year} (run {last.id}, as of {last.as_of.isoformat()}); "
                                  "settle as of that date or later", OLDER_AS_OF)
            decided = sorted(tiers, key=lambda d: (d.review, d.partner))
            if (last is not None and last.as_of == as_of and last.ruleset_sha256 == ruleset_sha256
                    and nonzero(last.earned()) == nonzero(figures)
                    and [tier_row(d) for d in last.tiers] == [tier_row(d) for d in decided]):
                return last
            row = (program, year, as_of.isoformat(), ruleset_sha256, currency, minor_unit, stamp)
            run = _append(db, row, figures, _paid(db, program, year), decided)
            if months is not None:
                first = year * 12 + fiscal_year_start - 1
                write_months(db, run.id, range(first, as_of.year * 12 + as_of.month), months)
            return run

    def _write(self) -> AbstractContextManager[Session]:
        """One write transaction holding the ledger's write lock (`runtime.store._db.Database.transaction`)."""
        return self._db.transaction("runs", lambda exc: LedgerError(f"the ledger {self.path} is busy: {exc}"))


def _ledger_words(exc: RegistryError) -> str:
    """The opener's message, which speaks of a registry, about the ledger it opened."""
    return exc.message.replace("the registry", "the ledger", 1)


def _run(db: Session, row: Row) -> Run:
    lines = db.execute("SELECT * FROM run_lines WHERE run = ?", (row["id"],)).fetchall()
    tiers = db.execute("SELECT * FROM run_tiers WHERE run = ?", (row["id"],)).fetchall()
    return run_of(row, lines, tiers)


def _last(db: Session, program: str, year: int) -> Run | None:
    row = db.execute("SELECT * FROM runs WHERE program = ? AND year = ? ORDER BY id DESC LIMIT 1",
                     (program, year)).fetchone()
    return None if row is None else _run(db, row)


def _append(db: Session, row: tuple[object, ...], figures: Figures, paid: Figures,
            tiers: Sequence[TierDecision] = ()) -> Run:
    """Append a run (its `runs` row), a line for every partner and kind earned now or paid before, and its tier
    decisions."""
    run_id = db.execute("INSERT INTO runs (program, year, as_of, ruleset_sha256, currency, minor_unit, recorded_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", row).fetchall()[0][0]
    keys = {(p, k) for source in (figures, paid) for p, kinds in source.items() for k in kinds}
    for partner, kind in sorted(keys, key=lambda pk: (pk[0], kind_order(pk[1]))):
        now = figures.get(partner, {}).get(kind, 0)
        before = paid.get(partner, {}).get(kind, 0)
        _fits(now - before, f"the payable of {partner} {kind}")
        db.execute("INSERT INTO run_lines (run, partner, kind, earned, paid_before, payable) VALUES (?, ?, ?, ?, ?, ?)",
                   (run_id, partner, kind, now, before, now - before))
    for decision in tiers:
        db.execute("INSERT INTO run_tiers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (run_id, *tier_row(decision)))
    return _run(db, db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone())


def _paid(db: Session, program: str, year: int) -> dict[str, dict[str, int]]:
    """Summed in Python: a year's sum may pass 64 bits where SQLite's SUM would fail."""
    paid: dict[str, dict[str, int]] = {}
    for row in db.execute("SELECT partner, kind, payable FROM run_lines JOIN runs ON runs.id = run_lines.run "
                          "WHERE program = ? AND year = ?", (program, year)):
        kinds = paid.setdefault(row["partner"], {})
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + row["payable"]
    return {p: {k: v for k, v in kinds.items() if v != 0} for p, kinds in paid.items() if any(kinds.values())}


def _same_currency(db: Session, program: str, currency: str, minor_unit: int) -> None:
    row = db.execute("SELECT currency, minor_unit FROM runs WHERE program = ? ORDER BY id LIMIT 1",
                     (program,)).fetchone()
    if row is not None and (row["currency"], row["minor_unit"]) != (currency, minor_unit):
        raise LedgerError(f"the ledger holds {program}'s runs in {row['currency']} with {row['minor_unit']} "
                          f"decimals; a run in {currency} with {minor_unit} cannot be set against them",
                          CURRENCY_MISMATCH)


def _id(text: object, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise LedgerError(f"{what} `{text}` is not an id")
    try:
        return ids.canonical_id(text, what)
    except ids.IdProblem as exc:
        raise LedgerError(exc.reason, exc.code) from None


def _fits(amount: int, what: str) -> None:
    if not -_INT64 < amount < _INT64:
        raise LedgerError(f"{what}, {amount}, does not fit the ledger's 64-bit amounts")


def _figures(earned: Figures) -> dict[str, dict[str, int]]:
    """The earned figures checked: partner ids by the id policy, kinds as text, amounts as 64-bit integers."""
    out: dict[str, dict[str, int]] = {}
    for partner, kinds in earned.items():
        pid = _id(partner, "partner")
        for kind, amount in kinds.items():
            if not isinstance(kind, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", kind):
                raise LedgerError(f"the kind of line `{kind}` of {pid} is not a line kind")
            if type(amount) is not int:
                raise LedgerError(f"{pid} {kind}: `{amount!r}` is not an amount in minor units (an integer)")
            _fits(amount, f"{pid} {kind}")
            out.setdefault(pid, {})[kind] = out.get(pid, {}).get(kind, 0) + amount
    return out


def _check_run(as_of: object, sha256: object, currency: object, minor_unit: object) -> None:
    if not isinstance(as_of, datetime.date) or isinstance(as_of, datetime.datetime):
        raise LedgerError(f"the as-of `{as_of}` is not a date")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise LedgerError(f"`{sha256}` is not a rule set's sha256 (64 lowercase hexadecimal digits)")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        raise LedgerError(f"`{currency}` is not a currency code (ISO 4217, such as JPY)")
    if type(minor_unit) is not int or not 0 <= minor_unit <= 8:
        raise LedgerError(f"`{minor_unit}` is not a number of decimals of a currency")


def _stamp(recorded_at: datetime.datetime | None) -> str:
    moment = datetime.datetime.now(UTC) if recorded_at is None else recorded_at
    if not isinstance(moment, datetime.datetime) or moment.utcoffset() is None:
        raise LedgerError(f"the recording time `{moment}` has no timezone; write it with an offset", "E530")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
