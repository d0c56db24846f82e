"""Replaying logged decisions against another rule set: what would change, per partner, in yen.

A `quote` decision's input is `{"transaction": row, "partners": {id: row}, "volumes": {id: {...}}}` (the
transaction as received, the partner rows of its chain as `runtime.io.writers.partner_row` writes them,
the period volumes it read; `quote_input` builds it), and its output is `quote_json` of the quote (with
the service's envelope keys beside it). A `quote_batch` decision's input has `transactions` (a list)
instead of `transaction`, and its output is `{"quotes": [...]}`, one per transaction in order: a quote, or
the refusal of one. Replay parses the rows against the new rule set (`parse_transaction`,
`parse_partners`), quotes them again, and compares the figures (`figures`): amounts, rates, the chain's
shares, the lines, benefits and violations; not the wording, the rule references or source places.
"""

from __future__ import annotations

import datetime
import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from runtime import ir
from runtime.decisions import QuoteError, Rejected
from runtime.decisions.quote import Quoter
from runtime.decisions.refunds import quote_problem
from runtime.engine import EvaluationError
from runtime.io.readers import PartnersError, parse_partners, parse_transaction
from runtime.io.writers import partner_row, quote_json, ruleset_sha256
from runtime.loaded import Runtime
from runtime.model import NOT_EARNED, Partner, Volumes
from runtime.service.context import Decision
from runtime.service.decision_log import Skipped

KINDS = ("quote", "quote_batch")
"""The kinds of decision replay re-evaluates; others are skipped."""
LARGEST = 10
"""How many of the largest changes a report lists."""
REFUSALS = 20
"""How many refusals a report lists (all are counted)."""
PLANNED = 8
"""A decision with this many transactions or more is quoted on generated plans, which pay off over many quotes of
one partner table; fewer are quoted on the reference path (as `runtime.decisions.quote` quotes one)."""
NOT_A_DECISION = "not a decision (unreadable)"
"""The reason a record of the log that is not a decision is skipped for."""
UNREADABLE = 100
"""How many records that are not decisions a report lists by line (all are counted)."""
VOLUME_KEYS = ("sales", "purchases", "list_sales", "quantity", "deals")

Status = Literal["unchanged", "changed", "now_refused"]


def quote_input(transaction: Mapping[str, Any], partners: Iterable[Partner], volumes: Mapping[str, Volumes],
                ruleset: ir.RuleSet | None = None) -> dict[str, Any]:
    """The input of a logged `quote` decision: the transaction as received, the partner rows of its chain, and
    the period volumes the quote read (by partner)."""
    return {"transaction": dict(transaction), "partners": {p.id: partner_row(p, ruleset) for p in partners},
            "volumes": {pid: {k: getattr(v, k) for k in VOLUME_KEYS} for pid, v in volumes.items()}}


@dataclass(frozen=True, slots=True)
class Filter:
    """Which logged decisions to replay: those of one program and these kinds, made between two instants
    (inclusive; None: no bound)."""

    program: str
    kinds: tuple[str, ...] = KINDS
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None

    def skips(self, decision: Decision) -> str | None:
        """Why a decision is not replayed, or None."""
        if decision.kind not in KINDS:
            return "a kind replay does not re-evaluate"
        if decision.kind not in self.kinds:
            return "another kind"
        if decision.program != self.program:
            return "another program"
        if self.since is not None and decision.at < self.since:
            return "before --since"
        if self.until is not None and decision.at > self.until:
            return "after --until"
        return None


@dataclass(frozen=True, slots=True)
class Figures:
    """A quote's figures as replay compares them (JSON values: amounts in minor units, rates as exact strings)."""

    values: tuple[tuple[str, Any], ...]  # everything compared, in order
    earned: Mapping[str, int]  # by partner: the quote's lines, except those not earned (pass-through, services)
    partner_gross: int
    wholesale: int | None
    margin: str


def _rows(data: Any, keys: tuple[str, ...]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(item.get(k) for k in keys) for item in data)


def figures(quote: Mapping[str, Any]) -> Figures | None:
    """The figures of a quote's JSON (`quote_json`), or None when it is not a quote (a refusal).

    Raises:
        ValueError: it looks like a quote but a part of it is not of a quote's shape.
    """
    if "chain" not in quote or "lines" not in quote:
        return None
    try:
        earned: Counter[str] = Counter()
        for line in quote["lines"]:
            if line["kind"] not in NOT_EARNED:
                earned[line["partner"]] += line["amount"]
        values = (("list_amount", quote["list_amount"]), ("sell_amount", quote["sell_amount"]),
                  ("margin", quote["margin"]), ("wholesale", quote["wholesale"]),
                  ("partner_gross", quote["partner_gross"]),
                  ("chain", _rows(quote["chain"], ("partner", "level", "margin", "pays", "receives", "keeps"))),
                  ("lines", _rows(quote["lines"], ("partner", "kind", "amount"))),
                  ("benefits", _rows(quote.get("benefits", ()), ("name", "value"))),
                  ("violations", _rows(quote.get("violations", ()), ("kind", "code", "action"))))
        return Figures(values, dict(earned), quote["partner_gross"], quote["wholesale"], quote["margin"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"the logged quote is not of a quote's shape ({type(exc).__name__}: {exc})") from None


@dataclass(frozen=True, slots=True)
class Replayed:
    """One quote replayed: the decision and transaction, the seller, the figures before and after (None:
    refused), why the new rule set refuses it, and what changed."""

    decision: str
    transaction: str
    seller: str
    before: Figures | None
    after: Figures | None
    refusal: str | None
    status: Status

    def differences(self) -> dict[str, int]:
        """By partner: earned after − before (a side that is refused counts nothing)."""
        before = self.before.earned if self.before else {}
        after = self.after.earned if self.after else {}
        return {p: after.get(p, 0) - before.get(p, 0) for p in sorted({*before, *after})}

    @property
    def size(self) -> int:
        """How large the change is: the sum of the partners' differences, each without its sign."""
        return sum(abs(d) for d in self.differences().values())


@dataclass(slots=True)
class PartnerChange:
    """A partner's earnings over the quotes quoted under both rule sets, before and after, in minor units."""

    quotes: int = 0
    before: int = 0
    after: int = 0

    @property
    def difference(self) -> int:
        return self.after - self.before


@dataclass(slots=True)
class Report:
    """What replaying a log against a rule set found. Counts reconcile: `read = replayed + skipped`, and the
    quotes of the replayed decisions = unchanged + changed + now refused."""

    program: str
    ruleset_hash: str
    currency: str
    minor_unit: int
    read: int = 0
    replayed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # by reason
    unreadable: list[Skipped] = field(default_factory=list)  # records of the log that are not decisions
    statuses: Counter[str] = field(default_factory=Counter)  # quotes by status
    partners: dict[str, PartnerChange] = field(default_factory=dict)
    totals: dict[str, PartnerChange] = field(default_factory=dict)  # partner_gross and wholesale, summed
    largest: list[tuple[int, int, Replayed]] = field(default_factory=list)  # a heap: (size, order, replayed)
    refusals: list[Replayed] = field(default_factory=list)  # the first `REFUSALS` now refused

    @property
    def changed(self) -> bool:
        """Whether anything would change: a quote whose figures differ, or one now refused."""
        return bool(self.statuses["changed"] or self.statuses["now_refused"])

    def skip(self, reason: str) -> None:
        self.read += 1
        self.skipped[reason] += 1

    def unreadable_record(self, skipped: Skipped) -> None:
        """A record of the log that is not a decision (`read_log`'s `on_skip`): counted, and the first
        `UNREADABLE` listed."""
        if len(self.unreadable) < UNREADABLE:
            self.unreadable.append(skipped)
        self.skip(NOT_A_DECISION)

    def add(self, replayed: Replayed) -> None:
        self.statuses[replayed.status] += 1
        if replayed.status == "now_refused" and len(self.refusals) < REFUSALS:
            self.refusals.append(replayed)
        before, after = replayed.before, replayed.after
        if before is None or after is None:
            return
        for pid in sorted({*before.earned, *after.earned}):
            change = self.partners.setdefault(pid, PartnerChange())
            change.quotes += 1
            change.before += before.earned.get(pid, 0)
            change.after += after.earned.get(pid, 0)
        for name, old, new in (("partner_gross", before.partner_gross, after.partner_gross),
                               ("wholesale", before.wholesale or 0, after.wholesale or 0)):
            total = self.totals.setdefault(name, PartnerChange())
            total.quotes += 1
            total.before += old
            total.after += new
        if replayed.status == "changed":
            entry = (replayed.size, -sum(self.statuses.values()), replayed)
            if len(self.largest) < LARGEST:
                heapq.heappush(self.largest, entry)
            else:
                heapq.heappushpop(self.largest, entry)

    def largest_changes(self) -> list[Replayed]:
        """The largest changes, largest first (the earlier in the log first among equals)."""
        return [r for _, _, r in sorted(self.largest, key=lambda e: (-e[0], -e[1]))]


def replay(decisions: Iterable[Decision], rt: Runtime, only: Filter, report: Report | None = None) -> Report:
    """Re-evaluate each logged decision `only` selects against `rt`'s rule set, and report what would change.

    Give `report` (made with `new_report`) to count the records `read_log` skips into it as they are read.
    """
    report = report if report is not None else new_report(rt.ruleset)
    for decision in decisions:
        reason = only.skips(decision)
        if reason is None:
            try:
                items = _items(decision)
            except ValueError as exc:
                reason = f"an input replay cannot read: {exc}"
        if reason is not None:
            report.skip(reason)
            continue
        report.read += 1
        report.replayed += 1
        for replayed in _replay_one(decision, items, rt):
            report.add(replayed)
    return report


def new_report(ruleset: ir.RuleSet) -> Report:
    """An empty report of a replay against `ruleset`."""
    return Report(ruleset.program_id, ruleset_sha256(ruleset), ruleset.currency, ruleset.minor_unit)


_Item = tuple[Mapping[str, Any], Figures | None]


def _items(decision: Decision) -> list[_Item]:
    """The transactions of a decision, each with the figures logged for it (None: it was refused).

    Raises:
        ValueError: the input or output is not of the decision's kind.
    """
    data, output = decision.input, decision.output
    rows: Any
    quotes: Any
    if decision.kind == "quote":
        rows, quotes = [data.get("transaction")], [output]
    else:
        rows, quotes = data.get("transactions"), output.get("quotes")
        if not isinstance(rows, list) or not isinstance(quotes, list) or len(rows) != len(quotes):
            raise ValueError("`transactions` and `quotes` are not lists of the same length")
    if not all(isinstance(r, dict) for r in rows) or not all(isinstance(q, dict) for q in quotes):
        raise ValueError("a transaction or its logged answer is not an object")
    if not isinstance(data.get("partners", {}), dict) or not isinstance(data.get("volumes", {}), dict):
        raise ValueError("`partners` or `volumes` is not an object")
    _volumes(data.get("volumes", {}))
    return [(row, figures(q)) for row, q in zip(rows, quotes, strict=True)]


def _volumes(data: Mapping[str, Any]) -> dict[str, Volumes]:
    found: dict[str, Volumes] = {}
    for pid, values in data.items():
        if not isinstance(values, dict) or not all(type(values.get(k, 0)) is int for k in VOLUME_KEYS):
            raise ValueError(f"the volumes of `{pid}` are not whole numbers")
        found[pid] = Volumes(**{k: values.get(k, 0) for k in VOLUME_KEYS})
    return found


def _replay_one(decision: Decision, items: list[_Item], rt: Runtime) -> Iterable[Replayed]:
    """Each transaction of a decision quoted again under the new rule set."""
    ruleset = rt.ruleset
    refusal: str | None = None
    quoter: Quoter | None = None
    try:
        partners = parse_partners(decision.input.get("partners", {}).values(), ruleset, source="the partners")
        quoter = Quoter(rt, partners, _volumes(decision.input.get("volumes", {})))
    except PartnersError as exc:
        refusal = "the partners: " + "; ".join(exc.problems)
    planned = len(items) >= PLANNED
    for row, before in items:
        after, why = (None, refusal) if quoter is None else _quote(quoter, row, ruleset, planned)
        status: Status = "now_refused" if after is None and before is not None else \
            "unchanged" if after == before or (after is not None and before is not None
                                                and after.values == before.values) else "changed"
        yield Replayed(decision.id, str(row.get("id", "")), str(row.get("partner", "")), before, after,
                       why if after is None else None, status)


def _quote(quoter: Quoter, row: Mapping[str, Any], ruleset: ir.RuleSet,
           planned: bool) -> tuple[Figures | None, str | None]:
    """A transaction's figures under the new rule set, or why it refuses the transaction (on the generated plans
    when `planned`, else on the reference path, which gives the same quote)."""
    parsed = parse_transaction(row, ruleset)
    if isinstance(parsed, Rejected):
        where = f"`{parsed.field}`: " if parsed.field else ""
        return None, f"{where}{parsed.reason} [{parsed.code}]"
    problem = quote_problem(ruleset, parsed)
    if problem is not None:
        code, reason, name = problem
        return None, f"`{name}`: {reason} [{code}]"
    try:
        found = figures(quote_json(quoter.quote(parsed) if planned else quoter.reference(parsed)))
    except (QuoteError, EvaluationError) as exc:
        return None, f"{exc.message} [{exc.code}]"
    return found, None
