"""A quote plan as the `Quoter` keeps it, why a plan could not be made, and the counts of how quotes were answered.

A plan is only an accelerator: every quote it answers, the reference path (`runtime.decisions._quoting`)
answers the same. So every way a quote can leave the plan is named and counted:

- `NoPlan`: the rules of a (seller, contract) cannot be made a plan (a margin that reads the
  transaction, …); every quote of it takes the reference path. Expected, and counted by its reason.
- refused: the rules refuse the transaction (`QuoteError`, `EvaluationError`: a missing field, an
  unknown partner, …); the quote is re-run on the reference path, which raises the located error.
- error: any other exception while making or running a plan, or a plan that raised where the reference
  path answers. A bug: with `PPL_STRICT_PLANS=1` in the environment it is raised as `PlanError`;
  otherwise the reference path answers and the error is counted by its exception's class.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, Literal

from runtime.model import Quote, QuoteFigures, Transaction

STRICT_VARIABLE: Final = "PPL_STRICT_PLANS"
"""The environment variable that, set to 1, makes a plan's bug raise instead of falling back."""

Outcome = Literal["planned", "no_plan", "error"]


class NoPlan(Exception):
    """This quote's rules cannot be made a plan: every quote of it takes the reference path."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PlanError(RuntimeError):
    """A plan failed where the reference path answers (raised only under `PPL_STRICT_PLANS=1`)."""


def strict_plans() -> bool:
    """Whether plan bugs are raised (`PPL_STRICT_PLANS=1`) rather than counted."""
    return os.environ.get(STRICT_VARIABLE, "") == "1"


class Plan:
    """The two functions that quote one (seller, contract), and how many quotes each path answered.

    `outcome` is "planned" for generated code; "no_plan" or "error" for the reference path standing in
    for a plan that could not be made, with `reason` saying why.
    """

    __slots__ = ("figures", "quote", "outcome", "reason", "ran")

    def __init__(self, figures: Callable[[Transaction], QuoteFigures], quote: Callable[[Transaction], Quote],
                 outcome: Outcome = "planned", reason: str = "") -> None:
        self.figures = figures
        self.quote = quote
        self.outcome: Outcome = outcome
        self.reason = reason
        self.ran = 0  # quotes answered (a price rule's rejection included)


@dataclass(frozen=True, slots=True)
class PlanStats:
    """How a `Quoter`'s quotes were answered.

    Attributes:
        planned: quotes answered by a generated plan.
        no_plan: quotes answered by the reference path because their rules cannot be made a plan.
        errors: quotes answered by the reference path after a plan failed (a bug; see `PPL_STRICT_PLANS`).
        refused: quotes the rules refused (a `QuoteError` or `EvaluationError`, raised by the reference path).
        by_reason: the fallbacks and refusals by reason ("no plan: …", "error: <exception>", "refused: E5xx"),
            sorted by reason.
    """

    planned: int = 0
    no_plan: int = 0
    errors: int = 0
    refused: int = 0
    by_reason: tuple[tuple[str, int], ...] = ()

    @property
    def fallbacks(self) -> int:
        """Quotes answered by the reference path instead of a plan (refusals not included)."""
        return self.no_plan + self.errors

    def __add__(self, other: PlanStats) -> PlanStats:
        reasons = Counter(dict(self.by_reason))
        reasons.update(dict(other.by_reason))
        return PlanStats(self.planned + other.planned, self.no_plan + other.no_plan, self.errors + other.errors,
                         self.refused + other.refused, tuple(sorted(reasons.items())))

    def as_json(self) -> dict[str, object]:
        """The counts as a JSON object (reasons as an object, in order)."""
        return {"planned": self.planned, "no_plan": self.no_plan, "errors": self.errors, "refused": self.refused,
                "by_reason": dict(self.by_reason)}


def plan_stats(plans: Iterable[Plan], errors: Counter[str], refused: Counter[str]) -> PlanStats:
    """The counts of a quoter's plans, with the quotes whose plan failed (`errors`) or the rules refused."""
    counts = {"planned": 0, "no_plan": 0, "error": 0}
    reasons: Counter[str] = Counter()
    for plan in plans:
        counts[plan.outcome] += plan.ran
        if plan.outcome == "no_plan" and plan.ran:
            reasons[f"no plan: {plan.reason}"] += plan.ran
        elif plan.outcome == "error" and plan.ran:
            reasons[f"error: {plan.reason}"] += plan.ran
    reasons.update({f"error: {name}": n for name, n in errors.items()})
    reasons.update({f"refused: {code}": n for code, n in refused.items()})
    return PlanStats(counts["planned"], counts["no_plan"], counts["error"] + sum(errors.values()),
                     sum(refused.values()), tuple(sorted(reasons.items())))
