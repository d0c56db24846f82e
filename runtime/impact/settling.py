"""Settling one period on two rule sets with the engines of `ppl settle`, and comparing: `money_impact`.

Each side is settled by the code that `ppl settle` runs (`runtime.io.settling.settle_file` for the row engine,
`runtime.sql.engine.settle_files` for the columnar one) into a temporary directory that is removed afterwards,
so the figures compared are the figures a settlement would pay.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from runtime import ir
from runtime.decisions import Rejected, Settlement
from runtime.impact.compare import check_comparable, compare_settlements, reconciliation
from runtime.impact.model import EngineRefused, Impact
from runtime.io.settling import settle_file
from runtime.loaded import Runtime
from runtime.model import Partner, Period

ENGINES = ("auto", "rows", "compiled", "interpreted", "duckdb")
"""Engines a side may be settled with, as `ppl settle --engine` names them: `rows` (the same as `compiled`) and
`interpreted` stream the rows, `duckdb` settles in embedded DuckDB, `auto` takes duckdb for a program it settles
when the `sql` extra is installed, else rows."""


@dataclass(frozen=True, slots=True)
class Side:
    """One side's settlement, the engine that made it, the count of each reject code and the rows rejected."""

    settlement: Settlement
    engine: str  # compiled | interpreted | duckdb
    codes: Mapping[str, int]
    rejected: frozenset[int]


def money_impact(old: ir.RuleSet, new: ir.RuleSet, transactions: str | Path, partners: Mapping[str, Partner],
                 period: Period, engine: str = "auto", *, new_partners: Mapping[str, Partner] | None = None,
                 unique_ids: bool = True) -> Impact:
    """What changing the program from `old` to `new` does to the money of a period over the same transactions.

    Args:
        old: the rule set before the change.
        new: the rule set after it.
        transactions: a transactions file (CSV, JSON Lines or, for duckdb, Parquet); read once per side and pass.
        partners: the partners, as read for `old`.
        period: the period settled on both sides.
        engine: one of `ENGINES`.
        new_partners: the partners as read for `new` (their inputs may differ); `partners` when not given.
        unique_ids: reject a repeated transaction id (E524), as `ppl settle` does by default.

    Raises:
        ImpactError: the rule sets pay in different currencies (E586), or the sides read different rows (E587).
        ReadError: the transactions cannot be read.
        EngineRefused: `engine` is `duckdb` and a program uses what it does not settle.
        ImportError: `engine` is `duckdb` and the `sql` extra is not installed.
    """
    assert engine in ENGINES, engine
    check_comparable(old, new)
    with _readable(transactions) as path:
        before = settle_side(old, partners, period, path, engine, unique_ids)
        after = settle_side(new, partners if new_partners is None else new_partners, period, path, engine,
                            unique_ids)
    return compare_settlements(reconciliation(old, before.settlement, before.engine, before.codes),
                               reconciliation(new, after.settlement, after.engine, after.codes),
                               before.settlement, after.settlement, new.currency, new.minor_unit,
                               before.rejected, after.rejected)


def settle_side(ruleset: ir.RuleSet, partners: Mapping[str, Partner], period: Period, transactions: Path,
                engine: str = "auto", unique_ids: bool = True) -> Side:
    """Settle the period on one rule set, as `ppl settle` would, and keep the settlement (not its files)."""
    codes: Counter[str] = Counter()
    rejected: set[int] = set()

    def on_reject(row: Rejected) -> None:
        codes[row.code] += 1
        rejected.add(row.row)

    with tempfile.TemporaryDirectory(prefix="ppl-impact-") as temp:
        if _columnar(ruleset, engine):
            from runtime.sql import engine as columnar

            rt = Runtime(ruleset, "compiled")
            settlement, _ = columnar.settle_files(rt, partners, period, transactions, Path(temp) / "out",
                                                  columnar.Options(unique_ids=unique_ids), on_reject=on_reject)
            return Side(settlement, "duckdb", dict(codes), frozenset(rejected))
        expressions = "interpreted" if engine == "interpreted" else "compiled"
        rt = Runtime(ruleset, expressions)
        settlement, _ = settle_file(rt, partners, period, transactions, Path(temp) / "out", unique_ids=unique_ids,
                                    on_reject=on_reject)
    return Side(settlement, expressions, dict(codes), frozenset(rejected))


def _columnar(ruleset: ir.RuleSet, engine: str) -> bool:
    """Whether a side is settled in DuckDB: asked for, or `auto` with the `sql` extra and a program it settles."""
    if engine not in ("duckdb", "auto"):
        return False
    try:
        from runtime.sql import engine as columnar
    except ImportError:  # sqlglot or duckdb missing: the `sql` extra
        if engine == "auto":
            return False
        raise
    reasons = columnar.refused(ruleset)
    if reasons and engine == "duckdb":
        raise EngineRefused(f"program `{ruleset.program_id}`: " + "; ".join(reasons))
    return not reasons


@contextlib.contextmanager
def _readable(path: str | Path) -> Iterator[Path]:
    """The transactions as a file that each side can read again: as given, unless it is a pipe (or another
    stream), which is copied to a temporary file first; what cannot be read is left to the reader to say."""
    given = Path(path)
    if given.is_file() or given.is_dir() or not given.exists():
        yield given
        return
    suffix = "".join(given.suffixes) or ".csv"
    with tempfile.TemporaryDirectory(prefix="ppl-impact-") as temp:
        spooled = Path(temp) / f"transactions{suffix}"
        with open(given, "rb") as source, open(spooled, "wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        yield spooled
