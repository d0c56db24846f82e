"""`--ledger DB` on `ppl quote` and `ppl explain`: the tier in force on a transaction's date, as the program's last
recorded settlement run decided it at its tier reviews (without `--ledger`, the partners file's tier holds)."""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from ppl.common import EXIT_ERRORS, CommandError, ledger_problem
from runtime import ir
from runtime.decisions import Carried
from runtime.io.tier_history import decision_json, figures_text
from runtime.model import Partner, Period, Quote, TierDecision
from runtime.money import format_amount
from runtime.store import Ledger, LedgerError, shown

UNKNOWN_TIER = "E516"
_T = TypeVar("_T")


def add_ledger_option(p: argparse.ArgumentParser) -> None:
    """`--ledger DB`: read the tiers in force from the settlement ledger."""
    p.add_argument("--ledger", metavar="DB",
                   help="the settlement ledger: the tier in force on the transaction's date is the one the program's "
                   "last recorded run decided at its tier reviews (default: the partners file's tier)")


def tiers_in_force(path: str | None, ruleset: ir.RuleSet, partners: Mapping[str, Partner],
                   day: datetime.date) -> tuple[dict[str, Partner], dict[str, TierDecision]]:
    """The partners with the tiers in force on `day` by the ledger at `path`, and the decisions that set them (the
    partners as given, and none, without a ledger).

    Raises:
        CommandError: the ledger cannot be read, or names a tier the program does not have (E516).
    """
    if path is None:
        return dict(partners), {}
    decided = _read(path, lambda ledger: ledger.tiers_on(ruleset.program_id, day))
    known = {t.id for v in ruleset.versions if v.tiers is not None for t in v.tiers.levels}
    for decision in decided.values():
        if decision.tier is not None and decision.tier not in known:
            raise CommandError(f"--ledger {shown(path)}: the review of {decision.review.isoformat()} put "
                               f"`{decision.partner}` in tier `{decision.tier}`, which program "
                               f"`{ruleset.program_id}` does not have [{UNKNOWN_TIER}]", status=EXIT_ERRORS)
    decided = {pid: d for pid, d in decided.items() if pid in partners}
    return ({pid: Partner(p.id, p.contract, decided[pid].tier, p.level, p.parent, p.fields, p.joined, p.left)
             if pid in decided else p for pid, p in partners.items()}, decided)


def render_tiers(decided: Mapping[str, TierDecision], quote: Quote, ruleset: ir.RuleSet,
                 day: datetime.date) -> str:
    """The decisions that set the tiers of the quote's partners, with the figures that decided them."""
    shown = [decided[pid] for pid in _partners_of(quote) if pid in decided]
    if not shown:
        return ""

    def money(amount: int) -> str:
        return format_amount(amount, ruleset.currency, ruleset.minor_unit)

    out = ["", f"Tiers in force on {day.isoformat()}, from the ledger:"]
    for d in shown:
        out.append(f"  {d.partner}: `{d.tier or '—'}`, decided at the review of {d.review.isoformat()} ({d.outcome}): "
                   f"{d.reason}")
        out.append(f"    window {d.window_start.isoformat()} to {d.window_end.isoformat()}: "
                   f"{figures_text(d.figures, money)}")
    return "\n".join(out) + "\n"


def tiers_json(decided: Mapping[str, TierDecision], quote: Quote, partners: Mapping[str, Partner]) \
        -> dict[str, dict[str, Any]]:
    """`tiers_in_force` of a quote's JSON with `--ledger`: for each partner of the quote, the tier in force and the
    decision that set it (review date, outcome, window, figures and why; `null`: no recorded review decided it, and
    the partners file's tier holds)."""
    return {pid: {"tier": partners[pid].tier if pid in partners else None,
                  "decision": decision_json(decided[pid]) if pid in decided else None}
            for pid in _partners_of(quote)}


def _partners_of(quote: Quote) -> Iterable[str]:
    seen = dict.fromkeys([quote.partner, *(s.partner for s in quote.chain)])
    return sorted(seen)


def carried_months(path: str | None, ruleset: ir.RuleSet, period: Period) -> Carried | None:
    """What a settlement of `period` reads from before it in the ledger at `path` (the months and standings that
    hold the year's first tier review), read without writing; None without a ledger.

    Raises:
        CommandError: the ledger cannot be read.
    """
    if path is None:
        return None
    return _read(path, lambda ledger: ledger.carried(ruleset.program_id, period.start.year))


def _read(path: str, query: Callable[[Ledger], _T]) -> _T:
    """A query of the ledger at `path`, opened for reading alone.

    Raises:
        CommandError: there is no such file, or it cannot be read as a ledger (its problem and hint).
    """
    if not Path(path).is_file():
        raise CommandError(f"--ledger: there is no ledger file {path}")
    try:
        with Ledger(path, read_only=True) as ledger:
            return query(ledger)
    except LedgerError as exc:
        raise CommandError(*ledger_problem(f"--ledger {shown(path)}", exc)) from None
