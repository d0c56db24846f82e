"""The `tiers` a run of a `settlements` case expects: each partner's tier reviews of the year to the as-of.

A run's `tiers` maps partners to either the tier in force at the run's as-of (`silver: tier2`, or
`none`) or the tier reviews of the year to that as-of, oldest first; each review is written
`DATE TIER OUTCOME` (`2026-07-01 tier1 promoted`) or as a mapping that may also name the figures the
review read (`{review: 2026-07-01, tier: tier1, outcome: promoted, sales: ¥8000万}`). A list names
every review of the partner: a review it leaves out, or one the year did not hold, fails the run. The
tier in force at the as-of is then the last review's tier (the partners file's before the first).

    tiers:
      riser: [2026-07-01 tier1 promoted, 2026-10-01 tier1 kept]
      silver: tier2
"""

from __future__ import annotations

import datetime
from typing import Any

from policy_lang.yaml_loader import YMap, YNode, YScalar, YSeq
from program_tests.values import Check, ValueReader
from runtime.model import TIER_OUTCOMES, Statement, TierDecision

NO_TIER = "none"
"""How a test file writes "no tier": a review where no tier qualified, or a partner without one."""
IN_FORCE, REVIEWS, REVIEW = "in force", "reviews", "review"
"""The last parts of a tier check's path: `tiers silver in force`, `tiers silver reviews`, `tiers silver review
2026-07-01` (and the figure after it: `… review 2026-07-01 sales`)."""
_ENTRY = ("review", "tier", "outcome")
_MONEY_FIGURES = ("sales", "purchases", "list_sales")
_COUNT_FIGURES = ("quantity", "deals")
_EXAMPLE = "`2026-07-01 tier1 promoted`"


class TierHistoryReader(ValueReader):
    """Reads the `tiers` of a run's `expect`."""

    def run_tiers(self, path: tuple[str, ...], node: YNode, as_of: datetime.date) -> list[Check] | None:
        """Per partner: the tier in force at `as_of` (a tier id or `none`), or its reviews of the year to it."""
        entries = self.entries(node, "`tiers` (by partner: a tier, or its tier reviews)")
        if isinstance(node, YMap) and not node.items:
            self.error("E202", "`tiers` names no partner", node)
            return None
        checks: list[Check] = []
        for key, value in entries:
            pid = str(key.value)
            if not self.known(key, pid, self.partners, "partner"):
                return None
            found = self.partner_tiers((*path, pid), pid, value, as_of)
            if found is None:
                return None
            checks.extend(found)
        return checks if entries else None

    def partner_tiers(self, path: tuple[str, ...], pid: str, node: YNode, as_of: datetime.date) \
            -> list[Check] | None:
        """One partner's: a tier (the tier in force at `as_of`) or a list of reviews (`[]`: none was held)."""
        if not isinstance(node, YSeq):
            tier = self.tier_name(node, f"the tier of `{pid}`")
            return None if tier is None else [Check((*path, IN_FORCE), tier, "text", node.span)]
        checks: list[Check] = []
        dates: list[str] = []
        for item in node.items:
            found = self.review_entry(path, item)
            if found is None:
                return None
            day, entry = found
            if dates and day.isoformat() <= dates[-1]:
                self.error("E205", f"the tier reviews of `{pid}` are listed oldest first, each once: "
                           f"{day.isoformat()} is listed after {dates[-1]}", item)
                return None
            if day > as_of:
                self.error("E207", f"a tier review on {day.isoformat()} is after the run's as-of "
                           f"{as_of.isoformat()}", item, "a run settles the year to its as-of: later reviews "
                           "belong to a later run")
                return None
            dates.append(day.isoformat())
            checks.extend(entry)
        return [Check((*path, REVIEWS), tuple(dates), "ids", node.span), *checks]

    def review_entry(self, path: tuple[str, ...], node: YNode) -> tuple[datetime.date, list[Check]] | None:
        """One review: `DATE TIER OUTCOME`, or a mapping with `review`, `tier`, `outcome` and figures read."""
        if isinstance(node, YMap):
            return self.review_mapping(path, node)
        text = self.text(node, f"a tier review (such as {_EXAMPLE})")
        if text is None:
            return None
        parts = text.split()
        if len(parts) != 3:
            self.error("E205", f"a tier review is written DATE TIER OUTCOME, such as {_EXAMPLE}, not `{text}`", node)
            return None
        day = self.day_of(parts[0], node)
        decided = self.decided(parts[1], parts[2], node)
        if day is None or decided is None:
            return None
        return day, [Check((*path, REVIEW, day.isoformat()), decided, "text", node.span)]

    def review_mapping(self, path: tuple[str, ...], node: YMap) -> tuple[datetime.date, list[Check]] | None:
        keys = self.mapping(node, "a tier review", (*_ENTRY, *_MONEY_FIGURES, *_COUNT_FIGURES), _ENTRY)
        if keys is None:
            return None
        day = self.date(keys["review"], "`review`")
        tier = self.tier_name(keys["tier"], "`tier`")
        outcome = self.text(keys["outcome"], "`outcome`")
        if outcome is not None and not self.known(keys["outcome"], outcome, TIER_OUTCOMES, "tier review outcome"):
            return None
        if day is None or tier is None or outcome is None:
            return None
        decided = f"{tier} {outcome}"
        at = (*path, REVIEW, day.isoformat())
        checks = [Check(at, decided, "text", node.span)]
        for name, value in keys.items():
            if name in _ENTRY:
                continue
            amount = self.money(value, f"`{name}`") if name in _MONEY_FIGURES else self.integer(value, f"`{name}`")
            if amount is None:
                return None
            checks.append(Check((*at, name), amount, "money" if name in _MONEY_FIGURES else "count", value.span))
        return day, checks

    def day_of(self, text: str, node: YNode) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            self.error("E400", f"a tier review's date must be a date (YYYY-MM-DD), not `{text}`", node)
            return None

    def decided(self, tier: str, outcome: str, node: YNode) -> str | None:
        """`tier1 promoted`: a known tier (or `none`) and a review outcome."""
        if tier != NO_TIER and not self.known(node, tier, self.tiers, "tier"):
            return None
        if not self.known(node, outcome, TIER_OUTCOMES, "tier review outcome"):
            return None
        return f"{tier} {outcome}"

    def tier_name(self, node: YNode, what: str) -> str | None:
        """A tier id, or `none` (also YAML's `null`)."""
        if isinstance(node, YScalar) and node.value is None:
            return NO_TIER
        name = self.text(node, what)
        if name is None or name == NO_TIER:
            return name
        return name if self.known(node, name, self.tiers, "tier") else None


def tier_actual(statement: Statement | None, path: tuple[str, ...]) -> tuple[Any, list[tuple[str, str, str]]]:
    """A tier check's actual value from a partner's statement of the year to the as-of, and the decisions behind
    it as (what, value, why). `path` is the check's path after the partner: `in force`, `reviews`, or `review`
    and a date (and a figure)."""
    if statement is None:
        return "no statement", []
    history = statement.tier_history
    because = [_because(d) for d in history] or [("no tier review yet", _named(statement.tier),
                                                  "the partners file's tier holds")]
    match path:
        case (name,) if name == IN_FORCE:
            return _named(statement.tier), because
        case (name,) if name == REVIEWS:
            return tuple(d.review.isoformat() for d in history), because
        case (name, day, *figure) if name == REVIEW:
            found = next((d for d in history if d.review.isoformat() == day), None)
            if found is None:
                return "no review", because
            if figure:
                return found.figures.basis(figure[0]), [_because(found)]
            return f"{_named(found.tier)} {found.outcome}", [_because(found)]
    raise AssertionError(f"unknown tier check {path!r}")


def _named(tier: str | None) -> str:
    return tier if tier is not None else NO_TIER


def _because(decision: TierDecision) -> tuple[str, str, str]:
    window = f"{decision.window_start.isoformat()} to {decision.window_end.isoformat()}"
    return (f"review {decision.review.isoformat()} ({window})", f"{_named(decision.tier)} {decision.outcome}",
            decision.reason)
