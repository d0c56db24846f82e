"""Running a case on the runtime and comparing the figures it expects, with the rules behind each.

A quote case runs `runtime.decisions.quote`, a settlement case `runtime.decisions.settle` (conflict,
deal and routing cases are in `decisions`). Each expected figure is looked up in the result; a figure that
differs becomes a `Mismatch` that carries the rules (and their `file:line:col`) behind the actual value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, TypeVar

from policy_lang.source import Span
from program_tests.cases import Case, Check
from runtime import explain, ir
from runtime.decisions import QuoteError, Rejected, quote, settle
from runtime.decisions.refunds import quote_problem
from runtime.engine import EvaluationError
from runtime.labels import rule_label
from runtime.loaded import Runtime
from runtime.model import Line, Partner, Quote, Statement
from runtime.money import format_amount, format_rate


@dataclass(frozen=True, slots=True)
class Because:
    """A rule behind an actual figure: what it gave, the rule, and where the rule is written."""

    what: str
    value: str
    rule: str
    at: str


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A figure that differs from what the test expects."""

    figure: str
    expected: str
    actual: str
    at: Span
    because: tuple[Because, ...]


@dataclass(frozen=True, slots=True)
class CaseResult:
    """How a case went: passed, failed, known_failure (failed as the test file says it does) or broken."""

    name: str
    at: Span | None
    status: str
    mismatches: tuple[Mismatch, ...] = ()
    problem: str | None = None  # why the case could not be judged
    known_failure: str | None = None  # what the test file says about a case that is known to fail


@dataclass(slots=True)
class Settled:
    """What a settlement gave: statements by partner, transaction lines, rejects and counts."""

    statements: dict[str, Statement]
    lines: list[Line]  # transaction lines, as the settler made them
    rejects: list[Rejected]
    accepted: int
    rejected: int
    held: list[Rejected] = field(default_factory=list)  # rows a price rule held for review


class Shown:
    """Values shown as people write them: amounts in the program's currency, rates as percentages."""

    def __init__(self, ruleset: ir.RuleSet) -> None:
        self.ruleset = ruleset

    def money(self, amount: int | Fraction | None) -> str:
        return "none" if amount is None else format_amount(amount, self.ruleset.currency, self.ruleset.minor_unit)

    def value(self, value: Any, kind: str) -> str:
        if value is None:
            return "none"
        if kind == "money":
            return self.money(value)
        if kind == "rate" or (kind == "figure" and isinstance(value, Fraction)):
            return format_rate(Fraction(value))
        if kind == "figure":
            return self.money(value)
        if kind == "flag":
            return "true" if value else "false"
        if kind in ("ids", "list"):
            return "[" + ", ".join(value) + "]" if not isinstance(value, str) else value
        if kind == "instant":
            return str(value.isoformat())
        if kind == "one_of":
            return "one of [" + ", ".join(value) + "]" if not isinstance(value, str) else value
        if kind == "order":
            return "[" + ", ".join(f"[{', '.join(e)}]" if isinstance(e, tuple) else e for e in value) + "]"
        if kind == "contains":
            return "; ".join(f'"{s}"' for s in value) if not isinstance(value, str) else f'a step containing "{value}"'
        return str(value)


def _at(at: ir.Loc | None) -> str:
    return str(at) if at is not None else "—"


def _figure_name(path: tuple[str, ...]) -> str:
    if path[0] == "chain" and len(path) > 1:
        return f"chain[{int(path[1]) + 1}]" + "".join(f".{p}" for p in path[2:])
    if path[0] == "next_steps_contain":
        return "next steps"
    return ".".join(path)


def _line_because(lines: Iterable[Line], shown: Shown) -> list[Because]:
    return [Because(line.label, shown.money(line.amount), f"{rule_label(line.rule)}, version {line.version}",
                    _at(line.at)) for line in lines]


def _quote_actual(q: Quote, check: Check, shown: Shown) -> tuple[Any, list[Because]]:
    """The actual value of a quote's figure, and the rules behind it."""
    path = check.path
    rates = [Because(f.name, shown.value(f.value, "figure"), rule_label(f.rule), _at(f.at))
             for f in q.rates]
    match path[0]:
        case "margin":
            return q.margin, rates
        case "wholesale":
            return q.wholesale, [*rates, Because("wholesale", shown.money(q.wholesale),
                                                 explain.wholesale_reason(shown.ruleset, q), "—")]
        case "partner_gross":
            return q.partner_gross, [Because(f"`{s.partner}` keeps", shown.money(s.keeps),
                                             rule_label(s.rule), _at(s.at)) for s in q.chain[-1:]]
        case "list_amount" | "sell_amount" | "version" | "contract":
            return getattr(q, path[0]), []
        case "rates":
            found = [f for f in q.rates if f.name == path[1]]
            return (found[0].value if found else None), [b for b in rates if b.what == path[1]]
        case "lines":
            lines = [line for line in q.lines if line.kind == path[1]]
            return sum(line.amount for line in lines), _line_because(lines, shown)
        case "benefits" | "benefit_values":
            because = [Because(f.name, shown.value(f.value, "figure") if f.value else "",
                               rule_label(f.rule), _at(f.at))
                       for f in q.benefits]
            if path[0] == "benefits":
                return sorted(f.rule.id for f in q.benefits), because
            values = [f.value for f in q.benefits if f.rule.id == path[1]]
            return (values[0] if values else None), because
        case "violations":
            return sorted(v.kind for v in q.violations), [Because(v.message, v.kind, rule_label(v.rule), _at(v.at))
                                                          for v in q.violations]
        case "next_steps_contain":
            return q.next_steps, []
        case "chain":
            because = [Because(f"level {s.level} `{s.partner}`: pays {shown.money(s.pays)}, receives "
                               f"{shown.money(s.receives)}, keeps", shown.money(s.keeps), rule_label(s.rule),
                               _at(s.at)) for s in q.chain]
            if len(path) == 1:
                return len(q.chain), because
            index = int(path[1])
            if index >= len(q.chain):
                return None, because
            share = q.chain[index]
            value = getattr(share, path[2])
            return (value, [because[index]])
    raise AssertionError(path)


def _settle_actual(s: Settled, check: Check, shown: Shown) -> tuple[Any, list[Because]]:
    """The actual value of a settlement's figure, and the rules behind it."""
    path = check.path
    if path[0] == "held":
        return len(s.held), [Because(f"held `{r.transaction}`", r.code, r.reason, "—") for r in s.held]
    if path[0] in ("accepted", "rejected", "rejects"):
        because = [Because(f"rejected `{r.transaction}`", r.code, r.reason, "—") for r in s.rejects]
        if path[0] == "rejects":
            codes = [r.code for r in s.rejects if r.transaction == path[1]]
            return (codes[0] if codes else None), because
        return getattr(s, path[0]), because
    statement = s.statements.get(path[1])
    if statement is None:
        return None, []
    name = path[2]
    if name == "totals":
        kind = path[3]
        mine = [line for line in s.lines if line.partner == statement.partner and line.kind == kind]
        because = [Because(f"{count} transaction line{'s' if count != 1 else ''}", shown.money(total),
                           f"{rule_label(first.rule)}, version {first.version}", _at(first.at))
                   for first, count, total in explain.group_lines(mine)]
        because += _line_because((line for line in statement.period_lines if line.kind == kind), shown)
        return statement.totals.get(kind, 0), because
    if name == "total":
        return statement.total, [Because(explain.KIND_TITLES.get(k, k) + (" (not earned)" if k in explain.NOT_EARNED
                                                                           else ""), shown.money(v), "", "")
                                 for k, v in statement.totals.items()]
    if name == "next_tier":
        figure = statement.next_tier
        return (figure.rule.id if figure else None), (
            [Because("tier for the next period", figure.rule.id, rule_label(figure.rule), _at(figure.at))]
            if figure else [])
    if name == "tier":
        return statement.tier, []
    if name == "transactions":
        return statement.transactions, []
    volumes = statement.volumes if name == "volumes" else statement.gross_volumes
    return volumes.basis(path[3]), []


def _in_order(expected: Sequence[str | tuple[str, ...]], actual: Sequence[str]) -> bool:
    """Partners in the expected order; a group (a tuple) matches its members in any order."""
    at = 0
    for entry in expected:
        group = entry if isinstance(entry, tuple) else (entry,)
        if sorted(actual[at:at + len(group)]) != sorted(group):
            return False
        at += len(group)
    return at == len(actual)


def _equal(check: Check, actual: Any) -> bool:
    if check.kind == "contains":
        return any(check.expected in step for step in actual)
    if check.kind == "order":
        return actual is not None and _in_order(check.expected, actual)
    if check.kind == "one_of":
        return actual in check.expected
    return bool(check.expected == actual)


def _mismatch(check: Check, actual: Any, because: list[Because], shown: Shown) -> Mismatch:
    return Mismatch(_figure_name(check.path), shown.value(check.expected, check.kind),
                    shown.value(actual, check.kind) if check.kind != "contains" else
                    (shown.value(actual, "contains") or "no next steps"), check.span, tuple(because))


def _settle_case(rt: Runtime, case: Case, partners: Mapping[str, Partner]) -> Settled:
    assert case.period is not None
    lines: list[Line] = []
    rejects: list[Rejected] = []
    held: list[Rejected] = []
    result = settle(rt, case.transactions, partners, case.period, on_line=lines.append, on_reject=rejects.append,
                    on_hold=held.append)
    return Settled({st.partner: st for st in result.statements}, lines, rejects, result.accepted, result.rejected,
                   held)


R = TypeVar("R")


def judge(case: Case, produce: Callable[[], R], actual: Callable[[R, Check], tuple[Any, list[Because]]],
          shown: Shown, checks: Sequence[Check] | None = None, notes: Mapping[str, str] | None = None) \
        -> tuple[CaseResult, R | None]:
    """Run a case's decision and compare the figures it lists (`checks`: the case's own unless given).

    A refusal passes when the case expects its code; `notes` adds, by code, where the test file caused it.
    """
    wanted = next((c for c in case.checks if c.path == ("error",)), None)
    try:
        result = produce()
    except (QuoteError, EvaluationError) as exc:
        where = f"{exc.at}: " if exc.at is not None else ""
        note = (notes or {}).get(exc.code, "")
        if wanted is None:
            return _finish(case, [], f"the runtime cannot judge it: {where}error[{exc.code}]: {exc.message}{note}"), \
                None
        if exc.code == wanted.expected:
            return _finish(case, [], None), None
        return _finish(case, [Mismatch("error", wanted.expected, f"{exc.code}: {exc.message}{note}", wanted.span,
                                       (Because("error", exc.code, exc.message, _at(exc.at)),))], None), None
    if wanted is not None:
        return _finish(case, [Mismatch("error", wanted.expected, "no error", wanted.span, ())], None), result
    mismatches = []
    for expected in case.checks if checks is None else checks:
        value, because = actual(result, expected)
        if not _equal(expected, value):
            mismatches.append(_mismatch(expected, value, because, shown))
    return _finish(case, mismatches, None), result


def _quote_case(rt: Runtime, case: Case, partners: Mapping[str, Partner]) -> Quote:
    """A quote case's quote; a transaction that is no sale is refused as `ppl quote` refuses it."""
    txn = case.transactions[0]
    if (problem := quote_problem(rt.ruleset, txn)) is not None:
        raise QuoteError(problem[0], problem[1])
    return quote(rt, txn, partners, case.volumes)


def run_case(rt: Runtime, case: Case, partners: Mapping[str, Partner]) -> tuple[CaseResult, Quote | Settled | None]:
    """Run a quote or settlement case and compare the figures it lists; also give what the runtime produced."""
    shown = Shown(rt.ruleset)
    if case.period is None:
        return judge(case, lambda: _quote_case(rt, case, partners),
                     lambda q, check: _quote_actual(q, check, shown), shown)
    return judge(case, lambda: _settle_case(rt, case, partners),
                 lambda s, check: _settle_actual(s, check, shown), shown)


def _finish(case: Case, mismatches: list[Mismatch], problem: str | None) -> CaseResult:
    failed = bool(mismatches) or problem is not None
    if case.known_failure is None:
        return CaseResult(case.name, case.span, "failed" if failed else "passed", tuple(mismatches), problem)
    if failed:
        return CaseResult(case.name, case.span, "known_failure", tuple(mismatches), problem, case.known_failure)
    return CaseResult(case.name, case.span, "failed", (), f"passes now: remove `known_failure` (it said: "
                      f"{case.known_failure})")
