"""An impact for people and for machines: text (a terminal), JSON (stable, documented in docs/reviewing.md) and
Markdown (a pull-request comment). Amounts are exact minor units; only text and Markdown format them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from runtime import explain
from runtime.impact.model import Impact, KindChange, PartnerImpact, Reconciliation, StandingChange
from runtime.io.cells import md_code, md_text
from runtime.io.writers import KIND_TITLES
from runtime.money import format_amount, format_change

FORMAT_VERSION = "ppl-impact/1"
"""The version of the JSON layout; it changes only when a field changes meaning or goes away."""
MOVERS = 10
"""How many of the largest movers an impact lists by default."""
_WHAT = {"tier": "tier", "ladder_step": "ladder", "bonus": "bonus"}


def _money(impact: Impact) -> Callable[[int], str]:
    def money(amount: int) -> str:
        return format_amount(amount, impact.currency, impact.minor_unit)
    return money


def _signed(impact: Impact) -> Callable[[int], str]:
    """A difference with its sign: +¥1,000, -¥1,000, ¥0."""
    def signed(amount: int) -> str:
        return format_change(amount, impact.currency, impact.minor_unit)
    return signed


def _value(change: StandingChange, value: str | int | None, money: Callable[[int], str]) -> str:
    if value is None:
        return "—"
    if change.what == "bonus" and isinstance(value, int):
        return money(value)
    if change.what == "ladder_step":
        return f"step {value}"
    return str(value)


def standing_text(change: StandingChange, money: Callable[[int], str]) -> str:
    """A standing change in words: ``tier: tier2 → tier1``, ``ladder `annual-volume`: step 2 → step 3``."""
    name = _WHAT[change.what] + (f" `{change.id}`" if change.id else "")
    return f"{name}: {_value(change, change.before, money)} → {_value(change, change.after, money)}"


def _reconciliation_text(label: str, side: Reconciliation) -> list[str]:
    held = f" + {side.held:,} held" if side.held else ""
    lines = [f"{label}: `{side.program}` version {side.version or '—'} ({side.engine} engine): {side.read:,} rows "
             f"read = {side.accepted:,} accepted + {side.rejected:,} rejected{held}"]
    if side.codes:
        lines.append("  rejected: " + ", ".join(f"{code} × {n:,}" for code, n in side.codes))
    return lines


def _rejected_text(impact: Impact) -> list[str]:
    if not (impact.rejected_old_only or impact.rejected_new_only):
        return []
    return [f"rejected on one side only: {impact.rejected_old_only:,} before, {impact.rejected_new_only:,} after"]


def render_text(impact: Impact, movers: int = MOVERS) -> str:
    """The impact as a terminal shows it: reconciliation, totals by kind, the partners that change, the losers."""
    money, signed = _money(impact), _signed(impact)
    out = [f"Money impact over {impact.period}", "",
           *_reconciliation_text("before", impact.old), *_reconciliation_text("after", impact.new),
           *_rejected_text(impact), ""]
    rows = [["kind", "before", "after", "difference"]]
    rows += [[KIND_TITLES.get(k.kind, k.kind), money(k.before), money(k.after), signed(k.difference)]
             for k in impact.kinds]
    rows.append(["earned by partners", money(impact.before), money(impact.after), signed(impact.difference)])
    out += explain.render_table(rows, right=[1, 2, 3])
    moved = impact.movers(movers)
    out.append("")
    if moved:
        rows = [["largest movers", "before", "after", "difference"]]
        rows += [[p.partner, money(p.before), money(p.after), signed(p.difference)] for p in moved]
        out += explain.render_table(rows, right=[1, 2, 3])
    else:
        out.append("No partner earns a different amount.")
    standings = [p for p in impact.partners if p.standings]
    if standings:
        out += ["", "Standings that change:"]
        out += [f"  {p.partner}: " + "; ".join(standing_text(s, money) for s in p.standings) for p in standings]
    losers = impact.losers
    out += ["", f"{len(losers):,} partner(s) would earn less" + (":" if losers else ".")]
    out += [f"  {p.partner}: {money(p.before)} → {money(p.after)} ({signed(p.difference)})" for p in losers]
    return "\n".join(out) + "\n"


def _kind_json(k: KindChange) -> dict[str, Any]:
    return {"kind": k.kind, "before": k.before, "after": k.after, "difference": k.difference}


def _partner_json(p: PartnerImpact) -> dict[str, Any]:
    return {"partner": p.partner, "before": p.before, "after": p.after, "difference": p.difference,
            "loses": p.loses, "kinds": [_kind_json(k) for k in p.kinds],
            "standings": [{"what": s.what, "id": s.id, "before": s.before, "after": s.after} for s in p.standings]}


def _side_json(side: Reconciliation) -> dict[str, Any]:
    return {"program": side.program, "version": side.version, "engine": side.engine, "read": side.read,
            "accepted": side.accepted, "rejected": side.rejected, "held": side.held,
            "rejected_by_code": dict(side.codes)}


def impact_json(impact: Impact, movers: int = MOVERS) -> dict[str, Any]:
    """The impact as plain JSON data (docs/reviewing.md describes every field); amounts in minor units."""
    return {"format": FORMAT_VERSION, "period": str(impact.period), "currency": impact.currency,
            "minor_unit": impact.minor_unit, "before": _side_json(impact.old), "after": _side_json(impact.new),
            "rejected_before_only": impact.rejected_old_only, "rejected_after_only": impact.rejected_new_only,
            "totals": {"before": impact.before, "after": impact.after, "difference": impact.difference},
            "kinds": [_kind_json(k) for k in impact.kinds],
            "losers": [p.partner for p in impact.losers],
            "movers": [p.partner for p in impact.movers(movers)],
            "partners": [_partner_json(p) for p in impact.partners]}


def render_json(impact: Impact, movers: int = MOVERS) -> str:
    """`impact_json` as text: keys in a fixed order, one per line, non-ASCII kept."""
    return json.dumps(impact_json(impact, movers), ensure_ascii=False, indent=1) + "\n"


def render_markdown(impact: Impact, limit: int = 50) -> str:
    """The impact as a pull-request comment: a totals line, the kinds, then a table of the partners whose figures
    or standings change (at most `limit` rows), losers first and in bold, then by the size of the difference."""
    money, signed = _money(impact), _signed(impact)
    losers = impact.losers
    out = ["### Money impact", "",
           f"**Total earned by partners over {impact.period}: {money(impact.before)} → {money(impact.after)} "
           f"({signed(impact.difference)})**; {len(losers):,} partner(s) would earn less.", ""]
    out += [f"Rows: {_md_side(impact.old)} before, {_md_side(impact.new)} after."]
    if impact.rejected_old_only or impact.rejected_new_only:
        out[-1] += (f" Rejected on one side only: {impact.rejected_old_only:,} before, "
                    f"{impact.rejected_new_only:,} after.")
    out += ["", "| kind | before | after | difference |", "|---|---:|---:|---:|"]
    out += [f"| {md_text(KIND_TITLES.get(k.kind, k.kind))} | {money(k.before)} | {money(k.after)} | "
            f"{signed(k.difference)} |" for k in impact.kinds if k.before or k.after]
    out.append(f"| **earned by partners** | **{money(impact.before)}** | **{money(impact.after)}** | "
               f"**{signed(impact.difference)}** |")
    changed = impact.changed
    out.append("")
    if not changed:
        out.append("No partner's figures change.")
        return "\n".join(out) + "\n"
    first = [*losers, *sorted((p for p in changed if not p.loses), key=lambda p: (-abs(p.difference), p.partner))]
    out += ["| partner | before | after | difference | changes |", "|---|---:|---:|---:|---|"]
    for p in first[:limit]:
        cells = [md_code(p.partner, True), money(p.before), money(p.after), signed(p.difference)]
        if p.loses:
            cells = [f"**{cell}**" for cell in cells]
        notes = "; ".join(md_text(standing_text(s, money)) for s in p.standings)
        out.append(f"| {' | '.join(cells)} | {notes or '—'} |")
    if len(first) > limit:
        out += ["", f"… and {len(first) - limit:,} more partner(s) whose figures change."]
    return "\n".join(out) + "\n"


def _md_side(side: Reconciliation) -> str:
    held = f" + {side.held:,} held" if side.held else ""
    return f"{side.read:,} read = {side.accepted:,} accepted + {side.rejected:,} rejected{held}"
