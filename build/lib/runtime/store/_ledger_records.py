"""The settlement ledger's schema, its records (`Run`, `LedgerLine`) and their CSV and JSON exports.

The ledger lives in its own database with its own migrations (`LEDGER_MIGRATIONS`, `_ledger_schema`),
opened by the registry's machinery (`runtime.store.migrations.open_database`). Triggers refuse every UPDATE and
DELETE of a run or a line: the ledger is append-only, and a correction is a new run.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from runtime.io.cells import csv_row
from runtime.io.tier_history import decision_json
from runtime.io.writers import KINDS
from runtime.ir import RuleRef
from runtime.model import TierDecision, Volumes
from runtime.store._db import Row
from runtime.store._ledger_schema import LEDGER_MIGRATIONS as LEDGER_MIGRATIONS
from runtime.store.migrations import RegistryError, SchemaError

UTC = datetime.UTC
JSON_FORMAT = "ppl-ledger/1"
"""The `format` of a JSON export."""
CSV_COLUMNS = ("run", "program", "year", "as_of", "ruleset_sha256", "currency", "minor_unit", "recorded_at",
               "partner", "kind", "earned", "paid_before", "payable")
"""The columns of a CSV export: one row per line of a run, runs in the order they were recorded."""

Figures = Mapping[str, Mapping[str, int]]
"""Amounts in minor units, by partner and then by kind of line."""


class LedgerError(RegistryError):
    """A ledger request that cannot be carried out: a message in the program's words, a code when one fits, and
    a hint (what to do instead) when there is one."""

    def __init__(self, message: str, code: str | None = None, at: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, code, at)
        self.hint = hint


class LedgerSchemaError(LedgerError, SchemaError):
    """A file refused untouched: a ledger written by a newer ppl, or another kind of ppl store."""




@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One partner's figures for one kind of line in a run, in minor units."""

    partner: str
    kind: str
    earned: int  # earned in the program year up to the run's as-of
    paid_before: int  # the sum of the payables of the year's earlier runs
    payable: int  # earned - paid_before: paid by this run (negative: owed back)


@dataclass(frozen=True, slots=True)
class Run:
    """One recorded settlement run: a program year settled to an as-of date, against what was paid before."""

    id: int  # 1, 2, 3 … in the order runs were recorded in this ledger
    program: str
    year: int  # the fiscal year the as-of falls in (FY2026: 2026)
    as_of: datetime.date
    ruleset_sha256: str
    currency: str
    minor_unit: int
    recorded_at: datetime.datetime  # aware, UTC
    lines: tuple[LedgerLine, ...]  # by partner, then kind in statement order
    tiers: tuple[TierDecision, ...] = ()  # the tier reviews of the run's year to its as-of, by review then partner

    def earned(self) -> dict[str, dict[str, int]]:
        """Earned to the as-of, by partner and kind."""
        return _by_partner(self.lines, "earned")

    def payable(self) -> dict[str, dict[str, int]]:
        """Payable by this run, by partner and kind."""
        return _by_partner(self.lines, "payable")

    def to_json(self) -> dict[str, Any]:
        """The run as a JSON object (the element of an export's `runs`)."""
        return {"run": self.id, "program": self.program, "year": self.year, "as_of": self.as_of.isoformat(),
                "ruleset_sha256": self.ruleset_sha256, "currency": self.currency, "minor_unit": self.minor_unit,
                "recorded_at": self.recorded_at.isoformat(timespec="microseconds"),
                "lines": [{"partner": x.partner, "kind": x.kind, "earned": x.earned, "paid_before": x.paid_before,
                           "payable": x.payable} for x in self.lines],
                # Left out without reviews, so such exports stay as they were.
                **({"tiers": [{"partner": d.partner, **decision_json(d)} for d in self.tiers]} if self.tiers else {})}


def _by_partner(lines: Iterable[LedgerLine], field: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for line in lines:
        out.setdefault(line.partner, {})[line.kind] = getattr(line, field)
    return out


def kind_order(kind: str) -> tuple[int, str]:
    """A sort key: kinds in statement order (`runtime.io.writers.KINDS`), unknown kinds last by name."""
    return (KINDS.index(kind), "") if kind in KINDS else (len(KINDS), kind)


def nonzero(figures: Figures) -> dict[tuple[str, str], int]:
    """The figures that are not zero, by (partner, kind): two statements that pay the same compare equal."""
    return {(p, k): v for p, kinds in figures.items() for k, v in kinds.items() if v != 0}


def run_of(row: Row, lines: Sequence[Row], tiers: Sequence[Row] = ()) -> Run:
    """A run from its `runs` row, its `run_lines` rows and its `run_tiers` rows."""
    made = [LedgerLine(x["partner"], x["kind"], x["earned"], x["paid_before"], x["payable"]) for x in lines]
    made.sort(key=lambda x: (x.partner, kind_order(x.kind)))
    decided = sorted((tier_of(x) for x in tiers), key=lambda d: (d.review, d.partner))
    return Run(row["id"], row["program"], row["year"], datetime.date.fromisoformat(row["as_of"]),
               row["ruleset_sha256"], row["currency"], row["minor_unit"],
               datetime.datetime.fromisoformat(row["recorded_at"]).astimezone(UTC), tuple(made), tuple(decided))


TIER_COLUMNS = ("partner", "review", "window_start", "window_end", "sales", "purchases", "list_sales", "quantity",
                "deals", "previous", "tier", "outcome", "rule", "reason")
"""The columns of `run_tiers` after `run`, in order."""


def tier_row(decision: TierDecision) -> tuple[object, ...]:
    """A decision as the values of `TIER_COLUMNS` (the rule as the id of the tier that qualified)."""
    v = decision.figures
    return (decision.partner, decision.review.isoformat(), decision.window_start.isoformat(),
            decision.window_end.isoformat(), v.sales, v.purchases, v.list_sales, v.quantity, v.deals,
            decision.previous, decision.tier, decision.outcome,
            decision.rule.id if decision.rule is not None else None, decision.reason)


def tier_of(x: Row) -> TierDecision:
    """A decision from its `run_tiers` row."""
    day = datetime.date.fromisoformat
    return TierDecision(x["partner"], day(x["review"]), day(x["window_start"]), day(x["window_end"]),
                        Volumes(x["sales"], x["purchases"], x["list_sales"], x["quantity"], x["deals"]),
                        x["previous"], x["tier"], x["outcome"],
                        RuleRef.tier(x["rule"]) if x["rule"] is not None else None, x["reason"])


def write_tiers_csv(runs: Iterable[Run], target: str | Path | IO[str]) -> None:
    """Every tier decision of every run as CSV: the run's id, program, year and as-of, then `TIER_COLUMNS`."""
    handle, owned = _target(target)
    try:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("run", "program", "year", "as_of", *TIER_COLUMNS))
        for run in runs:
            for decision in run.tiers:
                writer.writerow(csv_row([run.id, run.program, run.year, run.as_of.isoformat(),
                                         *tier_row(decision)]))
    finally:
        if owned:
            handle.close()


def _target(target: str | Path | IO[str]) -> tuple[IO[str], bool]:
    if isinstance(target, (str, Path)):
        try:
            return open(target, "w", encoding="utf-8", newline=""), True  # noqa: SIM115 - closed by the caller
        except OSError as exc:
            raise LedgerError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target, False


def write_runs_csv(runs: Iterable[Run], target: str | Path | IO[str]) -> None:
    """Every line of every run as CSV (`CSV_COLUMNS`); text cells safe to open (`runtime.io.cells`)."""
    handle, owned = _target(target)
    try:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for run in runs:
            head = [run.id, run.program, run.year, run.as_of.isoformat(), run.ruleset_sha256, run.currency,
                    run.minor_unit, run.recorded_at.isoformat(timespec="microseconds")]
            for line in run.lines:
                writer.writerow(csv_row([*head, line.partner, line.kind, line.earned, line.paid_before,
                                         line.payable]))
    finally:
        if owned:
            handle.close()


def write_runs_json(runs: Iterable[Run], target: str | Path | IO[str]) -> None:
    """Every run, with its lines, as one JSON document: `{"format": "ppl-ledger/1", "runs": [...]}`."""
    handle, owned = _target(target)
    try:
        document = {"format": JSON_FORMAT, "runs": [run.to_json() for run in runs]}
        handle.write(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    finally:
        if owned:
            handle.close()
