"""The engines the corpus holds to its cases, listed in one place (`ENGINES`).

Each engine settles a period over a partners file and a transactions file and writes what `ppl settle`
writes (statements, lines, rejects, held rows, violations), through the same entry the command uses:

    reference  the reference path: expressions walked by the interpreter, every quote by `Quoter.reference`
    plans      the generated quote plans (`ppl settle --engine rows`), checked to have really run
    duckdb     SQL on DuckDB (`ppl settle --engine duckdb`), for programs `runtime.sql` does not refuse

A quote (one transaction with stated period volumes) runs on the two engines that quote: the reference
path and the plans; the SQL quote query has no provisional ladder rate (`include_ladder=False`), so the
duckdb engine is held to settlements only. Another SQL dialect joins by adding one `Engine` to `ENGINES`
(PostgreSQL and the warehouse dialects cannot settle here yet: `runtime.sql` renders their queries, but
nothing runs them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from runtime import io as rio
from runtime import ir
from runtime.decisions import Rejected, Settler
from runtime.decisions.quote import QuoteError, Quoter
from runtime.decisions.reviews import Figures, Timeline, settle_timeline
from runtime.decisions.settle import Settlement
from runtime.engine import EvaluationError
from runtime.loaded import Runtime
from runtime.model import Partner, Period, Quote, Transaction, Volumes


@dataclass(frozen=True, slots=True)
class EngineRun:
    """What an engine's settlement gave: the settlement, the rows it rejected (as reported), and why the engine
    did not run as itself (see `plans_ran`)."""

    settlement: Settlement
    rejects: tuple[Rejected, ...]
    ran_as_itself: str | None  # None: it did


def plans_ran(quoter: Quoter, rejected: int) -> str | None:
    """Whether a quoter answered on its generated plans: None if so, else what went to the reference path.

    No (seller, contract) may have been given the reference plan; a quote a plan could not make is
    allowed only for rows the settlement rejected (the reference path then says why).
    """
    # INVARIANT: the one place that tells whether plans ran; switch it to the plan counters when they exist.
    if quoter.reference_plans:
        return f"{quoter.reference_plans} seller/contract pair(s) were given the reference plan"
    if quoter.fallbacks > rejected:
        return f"{quoter.fallbacks} quote(s) fell back to the reference path, {rejected} row(s) rejected"
    return None


def _settler(rt: Runtime, partners: Mapping[str, Partner], period: Period, writer: rio.SettlementWriter,
             rejects: list[Rejected], keep_sales: bool, timeline: Timeline | None) -> Settler:
    def on_reject(rejected: Rejected) -> None:
        rejects.append(rejected)
        writer.on_reject(rejected)

    return Settler(rt, partners, period, on_line=writer.on_line, on_reject=on_reject, keep_sales=keep_sales,
                   on_hold=writer.on_hold, on_violation=writer.on_violation, timeline=timeline)


def _timeline(rt: Runtime, reference: bool, partners: Mapping[str, Partner], period: Period,
              transactions: Path) -> Timeline | None:
    """The tiers the period's reviews put in force, found by passes without outputs as `ppl settle` finds them."""
    def run(tiers: Timeline) -> Figures:
        with rio.TransactionReader(transactions, rt.ruleset) as reader:
            quiet = Settler(rt, partners, period, keep_sales=reader.may_refund, timeline=tiers)
            if reference:
                quiet.quoter.quote = quiet.quoter.reference  # type: ignore[method-assign]
            rio.feed(quiet, reader)
        return quiet.figures

    return settle_timeline(rt, partners, period, run)


def _settle_rows(expressions: str, reference: bool, ruleset: ir.RuleSet, partners: Mapping[str, Partner],
                 period: Period, transactions: Path, out: Path) -> EngineRun:
    """A settlement on the row engine, as `ppl settle --engine rows|interpreted` runs it."""
    rt = Runtime(ruleset, expressions)
    timeline = _timeline(rt, reference, partners, period, transactions)
    writer = rio.SettlementWriter(out, ruleset, partners)
    rejects: list[Rejected] = []
    with rio.TransactionReader(transactions, ruleset) as reader:
        settler = _settler(rt, partners, period, writer, rejects, reader.may_refund, timeline)
        if reference:
            settler.quoter.quote = settler.quoter.reference  # type: ignore[method-assign]
        rio.feed(settler, reader)
    settlement = settler.finish()
    writer.finish(settlement)
    ran = None if reference else plans_ran(settler.quoter, settlement.rejected + settlement.held)
    return EngineRun(settlement, tuple(rejects), ran)


def _settle_reference(ruleset: ir.RuleSet, partners: Mapping[str, Partner], period: Period, transactions: Path,
                      out: Path) -> EngineRun:
    return _settle_rows("interpreted", True, ruleset, partners, period, transactions, out)


def _settle_plans(ruleset: ir.RuleSet, partners: Mapping[str, Partner], period: Period, transactions: Path,
                  out: Path) -> EngineRun:
    return _settle_rows("compiled", False, ruleset, partners, period, transactions, out)


def _settle_duckdb(ruleset: ir.RuleSet, partners: Mapping[str, Partner], period: Period, transactions: Path,
                   out: Path) -> EngineRun:
    """A settlement in DuckDB, as `ppl settle --engine duckdb` runs it (one thread: the corpus is small)."""
    from runtime.sql import engine

    rejects: list[Rejected] = []
    settlement, _ = engine.settle_files(Runtime(ruleset, "compiled"), partners, period, transactions, out,
                                        engine.Options(memory_limit="256MB", threads=1), on_reject=rejects.append)
    return EngineRun(settlement, tuple(rejects), None)


def _duckdb_refuses(ruleset: ir.RuleSet) -> str | None:
    from runtime.sql import engine

    reasons = engine.refused(ruleset)
    return "runtime.sql refuses the program: " + "; ".join(reasons) if reasons else None


def _refuses_nothing(ruleset: ir.RuleSet) -> str | None:
    return None


Quoted = tuple[Quote, str | None]  # a quote, and why the engine did not run as itself (None: it did)


def _quote_reference(ruleset: ir.RuleSet, txn: Transaction, partners: Mapping[str, Partner],
                     volumes: Mapping[str, Volumes]) -> Quoted:
    return Quoter(Runtime(ruleset, "interpreted"), partners, volumes).reference(txn), None


def _quote_plans(ruleset: ir.RuleSet, txn: Transaction, partners: Mapping[str, Partner],
                 volumes: Mapping[str, Volumes]) -> Quoted:
    quoter = Quoter(Runtime(ruleset, "compiled"), partners, volumes)
    quoted = quoter.quote(txn)
    return quoted, plans_ran(quoter, 0)


Prices = dict[str, dict[str, int | None]]  # transaction id → {"wholesale": …, "partner_gross": …}


def _price_rows(reference: bool, ruleset: ir.RuleSet, partners: Mapping[str, Partner],
                txns: Sequence[Transaction]) -> Prices:
    """Each sale's wholesale price and what its seller keeps, as a settlement prices it (no ladder rate)."""
    quoter = Quoter(Runtime(ruleset, "interpreted" if reference else "compiled"), partners, include_ladder=False,
                    next_steps=False, benefits=False, violations=False)
    found: Prices = {}
    for txn in txns:
        try:
            q = quoter.reference(txn) if reference else quoter.quote(txn)
        except (QuoteError, EvaluationError):
            continue
        found[txn.id] = {"wholesale": q.wholesale, "partner_gross": q.partner_gross}
    return found


def _price_reference(ruleset: ir.RuleSet, partners: Mapping[str, Partner], txns: Sequence[Transaction]) -> Prices:
    return _price_rows(True, ruleset, partners, txns)


def _price_plans(ruleset: ir.RuleSet, partners: Mapping[str, Partner], txns: Sequence[Transaction]) -> Prices:
    return _price_rows(False, ruleset, partners, txns)


def _price_duckdb(ruleset: ir.RuleSet, partners: Mapping[str, Partner], txns: Sequence[Transaction]) -> Prices:
    """The same from the SQL quote query (`ppl sql quote`), over the sales loaded into DuckDB."""
    from runtime.sql import quote_query, render
    from tests.unit.runtime.sql import _harness

    con = _harness.load(ruleset, txns, partners)
    cursor = con.execute(render(quote_query(ruleset, "duckdb"), "duckdb"))
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row["id"]: {"wholesale": row["wholesale"], "partner_gross": row["partner_gross"]} for row in rows}


@dataclass(frozen=True, slots=True)
class Engine:
    """An engine of the corpus: how it settles, prices sales, quotes (None: it does not), and what it refuses."""

    name: str
    settle: Callable[[ir.RuleSet, Mapping[str, Partner], Period, Path, Path], EngineRun]
    price: Callable[[ir.RuleSet, Mapping[str, Partner], Sequence[Transaction]], Prices]
    quote: Callable[[ir.RuleSet, Transaction, Mapping[str, Partner], Mapping[str, Volumes]], Quoted] | None
    refuses: Callable[[ir.RuleSet], str | None]  # why the engine cannot run a program (None: it can)
    no_quote: str = ""  # why `quote` is None


ENGINES: tuple[Engine, ...] = (
    Engine("reference", _settle_reference, _price_reference, _quote_reference, _refuses_nothing),
    Engine("plans", _settle_plans, _price_plans, _quote_plans, _refuses_nothing),
    Engine("duckdb", _settle_duckdb, _price_duckdb, None, _duckdb_refuses,
           "the duckdb engine settles periods; its quote query has no provisional ladder rate from stated volumes"),
)
REFERENCE = ENGINES[0]
