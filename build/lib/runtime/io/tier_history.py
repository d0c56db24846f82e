"""A statement's tier history (the tier reviews of its period) as JSON data and as Markdown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runtime.io.cells import md_code, md_text
from runtime.labels import rule_label
from runtime.model import TierDecision, Volumes


def decision_json(decision: TierDecision) -> dict[str, Any]:
    """A tier review's decision as JSON data: the review date, the window, the figures read, the tiers and why."""
    v = decision.figures
    return {"review": decision.review.isoformat(),
            "window": {"start": decision.window_start.isoformat(), "end": decision.window_end.isoformat()},
            "figures": {"sales": v.sales, "purchases": v.purchases, "list_sales": v.list_sales,
                        "quantity": v.quantity, "deals": v.deals},
            "previous": decision.previous, "tier": decision.tier, "outcome": decision.outcome,
            "rule": rule_label(decision.rule) if decision.rule is not None else None,
            "at": str(decision.rule.at) if decision.rule is not None and decision.rule.at is not None else None,
            "reason": decision.reason}


def render_tier_history(history: tuple[TierDecision, ...], money: Callable[[int], str]) -> list[str]:
    """The `## Tier reviews` section of a Markdown statement (no lines without a review)."""
    if not history:
        return []
    out = ["", "## Tier reviews", "", "| review | window | sales | tier before | tier after | outcome | why |",
           "|---|---|---:|---|---|---|---|"]
    for d in history:
        out.append(f"| {d.review.isoformat()} | {d.window_start.isoformat()} to {d.window_end.isoformat()} | "
                   f"{money(d.figures.sales)} | {_tier(d.previous)} | {_tier(d.tier)} | {d.outcome} | "
                   f"{md_text(d.reason)} |")
    return out


def figures_text(v: Volumes, money: Callable[[int], str]) -> str:
    """The figures a review read, in words."""
    return (f"sales {money(v.sales)}, purchases {money(v.purchases)}, at list {money(v.list_sales)}, "
            f"{v.quantity:,} units, {v.deals:,} deals")


def _tier(tier: str | None) -> str:
    return md_code(tier, True) if tier is not None else "—"
