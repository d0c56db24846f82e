"""Settling a transactions file with the row engine into a directory of statements: `ppl settle` and the
service's settlement jobs both call `settle_file`, so a period is settled one way wherever it is asked for.

The rows stream through the settler (`runtime.decisions.Settler`): when the period holds tier reviews, quiet
passes without outputs find the timeline of tiers first (`settle_timeline`), then one pass writes the lines,
rejects, held rows, violations and the statements (`SettlementWriter`). A repeated transaction id is rejected
(E524) unless `unique_ids` is off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from runtime.decisions import Carried, Figures, Rejected, Settlement, Settler, Timeline, settle_timeline
from runtime.io.idset import IdSet
from runtime.io.readers import TransactionReader, feed, read_transactions
from runtime.io.writers import SettlementWriter
from runtime.loaded import Runtime
from runtime.model import Partner, Period

PROGRESS_EVERY = 500
"""Rows between two progress reports."""


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a settlement has read: rows read (accepted + rejected + held for review), bytes of the file read,
    its size."""

    read: int
    accepted: int
    rejected: int
    held: int
    position: int
    size: int


def feed_rows(reader: TransactionReader, settler: Settler, unique_ids: bool = True,
              on_progress: Callable[[Progress], None] | None = None) -> None:
    """Give every row of the reader to the settler (a repeated transaction id rejected, E524, when `unique_ids`);
    close the reader.

    Raises:
        ReadError: the file cannot be read.
    """
    seen = IdSet() if unique_ids else None  # bounded memory: spills to disk
    try:
        for rows, item in enumerate(reader, 1):
            if seen is not None and not isinstance(item[1], Rejected) and not seen.add(item[1].id):
                settler.reject(item[0], item[1].id, "E524", f"transaction id `{item[1].id}` appears twice", "id")
                continue
            feed(settler, (item,))
            if on_progress is not None and rows % PROGRESS_EVERY == 0:
                on_progress(progress(settler, reader))
    finally:
        reader.close()
        if seen is not None:
            seen.close()


def progress(settler: Settler, reader: TransactionReader) -> Progress:
    """The settler's counts and the reader's position now."""
    return Progress(settler.read, settler.accepted, settler.rejected, settler.held, reader.position, reader.size)


def settle_file(rt: Runtime, partners: Mapping[str, Partner], period: Period, transactions: str | Path, out: Path,
                *, unique_ids: bool = True, carried: Carried | None = None,
                on_reject: Callable[[Rejected], None] | None = None,
                on_progress: Callable[[Progress], None] | None = None) -> tuple[Settlement, list[Path]]:
    """Settle a period over a transactions file (CSV or JSON Lines) and write every file of a settlement into
    `out`; the settlement and the paths written.

    The file is read once per pass, so it must be a regular file when the period holds tier reviews.
    `on_reject` sees each rejected row, `on_progress` the counts every `PROGRESS_EVERY` rows of the last pass.

    Raises:
        ReadError: the file cannot be read, or its header lacks a required column.
        OSError: `out` cannot be written.
    """
    timeline = settle_timeline(rt, partners, period,
                               lambda tiers: _quiet_pass(rt, partners, period, transactions, tiers, unique_ids),
                               carried)
    reader = read_transactions(transactions, rt.ruleset)
    try:
        writer = SettlementWriter(out, rt.ruleset, partners)
    except OSError:
        reader.close()
        raise

    def rejected(row: Rejected) -> None:
        if on_reject is not None:
            on_reject(row)
        writer.on_reject(row)

    settler = Settler(rt, partners, period, on_line=writer.on_line, on_reject=rejected, keep_sales=reader.may_refund,
                      on_hold=writer.on_hold, on_violation=writer.on_violation, timeline=timeline,
                      checked=True)  # rows read from a file are checked by the reader
    try:
        feed_rows(reader, settler, unique_ids, on_progress)
        settlement = settler.finish()
        written = writer.finish(settlement)
    except BaseException:
        writer.close()
        raise
    return settlement, written


def _quiet_pass(rt: Runtime, partners: Mapping[str, Partner], period: Period, transactions: str | Path,
                timeline: Timeline, unique_ids: bool) -> Figures:
    """A settlement pass without outputs under a timeline of tiers: the monthly figures the reviews read."""
    reader = read_transactions(transactions, rt.ruleset)
    settler = Settler(rt, partners, period, keep_sales=reader.may_refund, timeline=timeline, checked=True)
    feed_rows(reader, settler, unique_ids)
    return settler.figures
