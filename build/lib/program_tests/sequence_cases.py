"""What a `settlements` case says: transactions, then runs of the year to date against one ledger.

A `settlements` case settles the program year to each run's `as_of` in turn, against one fresh
ledger, as `ppl settle --as-of DATE --ledger FILE` does run after run. Each run expects, per partner
and kind of line (the kinds statements and the ledger use: margin, ladder, ladder_clawback, bonus,
bonus_clawback, fee …, and `total` over the kinds a partner earns), what was earned to date, what the
year's earlier runs paid and what this run pays; whether the run repeats the last one; the total
payable; each partner's tier reviews (`tiers`); or the code the ledger refuses the run with (E580).
See docs/testing.md.

    settlements:
      transactions: [...]
      runs:
        - as_of: 2026-06-30
          expect:
            gold: {margin: {earned: ¥…, paid: ¥0, payable: ¥…}, ladder: ¥…}   # a bare amount: payable
        - as_of: 2026-06-30
          expect: {repeat: true, payable: ¥0}
        - as_of: 2026-09-30
          expect:
            tiers: {gold: [2026-07-01 tier1 met], silver: tier2}
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from policy_lang.source import Span
from policy_lang.yaml_loader import YMap, YNode, YScalar, YSeq
from program_tests.tier_histories import TierHistoryReader
from program_tests.values import Check
from runtime.io.writers import KINDS
from runtime.model import Transaction

FIGURES = ("earned", "paid", "payable")
"""What a run expects of a partner's kind: earned to date, paid before this run, payable now."""
TOTAL = "total"
"""A partner's `total`: its figures over the kinds it earns (not pass-through or services)."""
RUN_KEYS = ("repeat", "payable", "error", "tiers")
"""The keys of a run's `expect` that are not partners; `tiers` holds each partner's tier reviews
(`program_tests.tier_histories`), beside the partners' figures."""
_RUN = ("as_of", "expect")
_SETTLEMENTS = ("transactions", "runs")


@dataclass(frozen=True, slots=True)
class SequenceRun:
    """One run of a sequence: the as-of it settles the year to, and what it expects."""

    as_of: datetime.date
    span: Span
    checks: tuple[Check, ...]


@dataclass(frozen=True, slots=True)
class SequenceInput:
    """The runs of a `settlements` case, in the order they are recorded in the case's ledger."""

    runs: tuple[SequenceRun, ...]


class SequenceReader(TierHistoryReader):
    """Reads the `settlements` of a case; the case reader gives it `transaction`."""

    def transaction(self, node: YNode, default_id: str) -> Transaction | None:
        raise NotImplementedError  # the case reader's

    def settlements_input(self, node: YNode) -> tuple[tuple[Transaction, ...], SequenceInput] | None:
        """The transactions and the runs of a `settlements` case, or None (with diagnostics)."""
        keys = self.mapping(node, "`settlements`", _SETTLEMENTS, _SETTLEMENTS)
        if keys is None:
            return None
        items = self.items(keys["transactions"], "`transactions`")
        txns = [self.transaction(item, f"t{i}") for i, item in enumerate(items, 1)]
        runs = [self.sequence_run(item, i) for i, item in enumerate(self.items(keys["runs"], "`runs`"), 1)]
        if isinstance(keys["runs"], YSeq) and not keys["runs"].items:
            self.error("E206", "`runs` is empty: a sequence settles the year to one as-of date or more", keys["runs"])
        if not runs or any(t is None for t in txns) or any(r is None for r in runs):
            return None
        return (tuple(t for t in txns if t is not None),
                SequenceInput(tuple(r for r in runs if r is not None)))

    def sequence_run(self, node: YNode, index: int) -> SequenceRun | None:
        keys = self.mapping(node, "a run", _RUN, _RUN)
        if keys is None:
            return None
        as_of = self.date(keys["as_of"], "`as_of`")
        if as_of is None:
            return None
        checks = self.run_expectations(keys["expect"], str(index), as_of)
        return SequenceRun(as_of, node.span, tuple(checks)) if checks is not None else None

    def run_expectations(self, node: YNode, run: str, as_of: datetime.date) -> list[Check] | None:
        """A run's `expect`: `repeat`, `payable` (over every partner), `error`, `tiers`, and partners' figures."""
        if not isinstance(node, YMap):
            self.error("E201", "a run's `expect` must be a mapping", node)
            return None
        if not node.items:
            self.error("E202", "`expect` lists no figures: a run must expect something", node)
            return None
        if node.get("error") is not None and len(node.items) > 1:
            self.error("E208", "a run that expects an error expects no figures", node)
            return None
        checks: list[Check] = []
        ok = True
        for key, value in node.items:
            name = str(key.value)
            found = self.run_check(run, name, key, value, as_of)
            ok = ok and found is not None
            checks.extend(found or ())
        return checks if ok else None

    def run_check(self, run: str, name: str, key: YScalar, node: YNode, as_of: datetime.date) \
            -> list[Check] | None:
        path = ("runs", run, name)
        match name:
            case "repeat":
                flag = self.flag(node, "`repeat`")
                return None if flag is None else [Check(path, flag, "flag", node.span)]
            case "payable":
                amount = self.money(node, "`payable`")
                return None if amount is None else [Check(path, amount, "money", node.span)]
            case "error":
                return self.run_error(path, node)
            case "tiers":
                return self.run_tiers(path, node, as_of)
        if not self.known(key, name, [*RUN_KEYS, *self.partners], "partner"):
            return None
        return self.partner_figures(path, name, node)

    def run_error(self, path: tuple[str, ...], node: YNode) -> list[Check] | None:
        code = self.text(node, "`error`")
        if code is None:
            return None
        if len(code) != 4 or code[0] not in "EW" or not code[1:].isdigit():
            self.error("E205", f"`error` must be a diagnostic code such as E580, not `{code}`", node)
            return None
        return [Check(path, code, "code", node.span)]

    def partner_figures(self, path: tuple[str, ...], pid: str, node: YNode) -> list[Check] | None:
        """`gold: {margin: {earned: ¥…, paid: ¥…, payable: ¥…}, ladder: ¥…, total: {payable: ¥…}}`."""
        entries = self.entries(node, f"the figures of `{pid}`")
        if isinstance(node, YMap) and not node.items:
            self.error("E202", f"the figures of `{pid}` list nothing", node)
            return None
        checks: list[Check] = []
        for key, value in entries:
            kind = str(key.value)
            if not self.known(key, kind, [*KINDS, TOTAL], "line kind"):
                return None
            found = self.kind_figures((*path, kind), kind, value)
            if found is None:
                return None
            checks.extend(found)
        return checks if entries else None

    def kind_figures(self, path: tuple[str, ...], kind: str, node: YNode) -> list[Check] | None:
        """A bare amount is what the run pays (`payable`); a mapping names any of earned, paid and payable."""
        if not isinstance(node, YMap):
            amount = self.money(node, f"`{kind}` (an amount payable, or earned / paid / payable)")
            return None if amount is None else [Check((*path, "payable"), amount, "money", node.span)]
        keys = self.mapping(node, f"`{kind}`", FIGURES)
        if keys is None:
            return None
        if not keys:
            if not node.items:
                self.error("E202", f"`{kind}` lists no figures: earned, paid or payable", node)
            return None
        checks: list[Check] = []
        for figure, value in keys.items():
            amount = self.money(value, f"`{figure}`")
            if amount is None:
                return None
            checks.append(Check((*path, figure), amount, "money", value.span))
        return checks


def run_index(check: Check) -> int:
    """The run (0-based) a sequence check belongs to."""
    return int(check.path[1]) - 1


def figure_name(path: Sequence[str]) -> str:
    """`gold ladder payable`, `payable`, `repeat`: a sequence check's figure, without its run."""
    return " ".join(path[2:])
