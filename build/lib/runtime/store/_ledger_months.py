"""The monthly figures a settlement ledger records with each run, and what a later year reads back from them.

A run records the months of its year up to its as-of (`run_months`) and each partner's figures in them
(`run_figures`, months without figures left out): what a tier review reads. A settlement of a later year reads,
for each month before its year, the figures of the last recorded run of the year that month falls in, and each
partner's standing after the last decision those runs recorded (`runtime.decisions.reviews.Carried`).
"""

from __future__ import annotations

from collections.abc import Mapping

from runtime.decisions import Carried, standing_after
from runtime.model import TierDecision, Volumes
from runtime.store._db import Session
from runtime.store._ledger_records import tier_of

MonthlyFigures = Mapping[str, Mapping[int, Volumes]]
"""A partner's figures by month index (year × 12 + month − 1), by partner."""


def _month_text(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def _month_of(text: str) -> int:
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def write_months(db: Session, run: int, months: range, figures: MonthlyFigures) -> None:
    """Record a run's months and each partner's nonzero figures in them (inside the caller's transaction)."""
    for month in months:
        db.execute("INSERT INTO run_months (run, month) VALUES (?, ?)", (run, _month_text(month)))
    for partner in sorted(figures):
        for month, v in sorted(figures[partner].items()):
            if month in months and any((v.sales, v.purchases, v.list_sales, v.quantity, v.deals)):
                db.execute("INSERT INTO run_figures VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (run, partner, _month_text(month), v.sales, v.purchases, v.list_sales, v.quantity,
                            v.deals))


def carried(db: Session, program: str, year: int) -> Carried | None:
    """What a settlement of `program`'s year `year` reads from the years before it: the months recorded by each
    earlier year's last run, their figures, and each partner's standing after those runs' decisions (None: no
    month before the year recorded)."""
    last_runs = [row["id"] for row in db.execute(
        "SELECT MAX(id) AS id FROM runs WHERE program = ? AND year < ? GROUP BY year ORDER BY year", (program, year))]
    recorded: set[int] = set()
    months: dict[str, dict[int, Volumes]] = {}
    decisions: dict[str, list[TierDecision]] = {}
    for run in last_runs:
        recorded.update(_month_of(r["month"]) for r in db.execute("SELECT month FROM run_months WHERE run = ?",
                                                                  (run,)))
        for r in db.execute("SELECT * FROM run_figures WHERE run = ?", (run,)):
            months.setdefault(r["partner"], {})[_month_of(r["month"])] = Volumes(
                r["sales"], r["purchases"], r["list_sales"], r["quantity"], r["deals"])
        for d in sorted((tier_of(r) for r in db.execute("SELECT * FROM run_tiers WHERE run = ?", (run,))),
                        key=lambda d: (d.review, d.partner)):
            decisions.setdefault(d.partner, []).append(d)
    if not recorded:
        return None
    standings = {pid: found for pid, ds in decisions.items() if (found := standing_after(ds)) is not None}
    return Carried(frozenset(recorded), months, standings)
