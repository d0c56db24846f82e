"""A replay's report for people (text, Markdown) and for programs (JSON).

Amounts are minor units in JSON and formatted in the program's currency (`runtime.money`) in text and
Markdown; a difference carries its sign. Markdown escapes every id read from the log (`runtime.io.cells`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runtime.io.cells import md_code, md_text
from runtime.money import format_amount, format_change
from runtime.service.replay import PartnerChange, Replayed, Report

TOTAL_NAMES = {"partner_gross": "partner gross (sellers)", "wholesale": "wholesale (the vendor)"}


def _money(report: Report) -> Callable[[int], str]:
    def money(amount: int) -> str:
        return format_amount(amount, report.currency, report.minor_unit)
    return money


def _signed(report: Report) -> Callable[[int], str]:
    def signed(amount: int) -> str:
        return format_change(amount, report.currency, report.minor_unit)
    return signed


def _change_json(change: PartnerChange) -> dict[str, int]:
    return {"quotes": change.quotes, "before": change.before, "after": change.after, "difference": change.difference}


def _replayed_json(r: Replayed) -> dict[str, Any]:
    data: dict[str, Any] = {"decision": r.decision, "transaction": r.transaction, "seller": r.seller,
                            "status": r.status}
    if r.refusal is not None:
        data["reason"] = r.refusal
    if r.before is not None and r.after is not None:
        data["differences"] = r.differences()
        data["partner_gross"] = {"before": r.before.partner_gross, "after": r.after.partner_gross}
        data["margin"] = {"before": r.before.margin, "after": r.after.margin}
    return data


def report_json(report: Report, log: str) -> dict[str, Any]:
    """The report as JSON data: counts that reconcile, partners, totals, the largest changes, refusals."""
    return {
        "log": log,
        "ruleset": {"program": report.program, "sha256": report.ruleset_hash},
        "currency": report.currency, "minor_unit": report.minor_unit,
        "decisions": {"read": report.read, "replayed": report.replayed, "skipped": sum(report.skipped.values()),
                      "skipped_by_reason": dict(sorted(report.skipped.items())),
                      "unreadable": [{"line": s.line, "reason": s.reason} for s in report.unreadable]},
        "quotes": {"replayed": sum(report.statuses.values()), "unchanged": report.statuses["unchanged"],
                   "changed": report.statuses["changed"], "now_refused": report.statuses["now_refused"]},
        "partners": {pid: _change_json(c) for pid, c in sorted(report.partners.items())},
        "totals": {name: _change_json(c) for name, c in sorted(report.totals.items())},
        "largest_changes": [_replayed_json(r) for r in report.largest_changes()],
        "now_refused": [_replayed_json(r) for r in report.refusals],
    }


def _counts(report: Report) -> list[str]:
    skipped = sum(report.skipped.values())
    quotes = report.statuses
    lines = [f"decisions: {report.read:,} read = {report.replayed:,} replayed + {skipped:,} skipped"]
    lines += [f"  skipped, {reason}: {n:,}" for reason, n in sorted(report.skipped.items())]
    lines += [f"  line {s.line}: {s.reason}" for s in report.unreadable]
    lines.append(f"quotes: {sum(quotes.values()):,} replayed = {quotes['unchanged']:,} unchanged + "
                 f"{quotes['changed']:,} changed + {quotes['now_refused']:,} now refused")
    return lines


def _describe(r: Replayed, report: Report, code: Callable[[str], str]) -> str:
    signed, money = _signed(report), _money(report)
    head = f"decision {code(r.decision)}, transaction {code(r.transaction)} (seller {code(r.seller)})"
    if r.before is None or r.after is None:
        return f"{head}: {r.refusal or 'refused before, quoted now'}"
    parts = [f"{code(pid)} {signed(d)}" for pid, d in r.differences().items() if d]
    gross = f"partner gross {money(r.before.partner_gross)} → {money(r.after.partner_gross)}"
    margin = f"margin {r.before.margin} → {r.after.margin}" if r.before.margin != r.after.margin else ""
    return f"{head}: " + "; ".join(p for p in (", ".join(parts), gross, margin) if p)


def render_text(report: Report, log: str) -> str:
    """The report as plain text."""
    money, signed = _money(report), _signed(report)
    out = [f"replay of {log} against program {report.program} (rule set sha256 {report.ruleset_hash})",
           *_counts(report)]
    both = report.totals.get("partner_gross", PartnerChange()).quotes
    out += ["", f"earned per partner, over the {both:,} quotes quoted under both rule sets (every line but "
            "pass-through and services):"]
    rows = [(pid, c) for pid, c in sorted(report.partners.items())]
    rows += [(TOTAL_NAMES[name], c) for name, c in sorted(report.totals.items())]
    width = max([len("partner"), *(len(name) for name, _ in rows)])
    out.append(f"  {'partner':<{width}}  {'quotes':>7}  {'before':>16}  {'after':>16}  {'difference':>16}")
    for name, c in rows:
        out.append(f"  {name:<{width}}  {c.quotes:>7,}  {money(c.before):>16}  {money(c.after):>16}  "
                   f"{signed(c.difference):>16}")
    largest = report.largest_changes()
    if largest:
        out += ["", "largest changes:"] + [f"  {_describe(r, report, str)}" for r in largest]
    if report.refusals:
        more = report.statuses["now_refused"] - len(report.refusals)
        out += ["", "now refused:"] + [f"  {_describe(r, report, str)}" for r in report.refusals]
        out += [f"  … and {more:,} more"] if more > 0 else []
    verdict = "something would change" if report.changed else "nothing would change"
    return "\n".join([*out, "", f"{verdict}."]) + "\n"


def render_markdown(report: Report, log: str) -> str:
    """The report as Markdown: the counts, a table per partner, the largest changes and the refusals."""
    money, signed = _money(report), _signed(report)
    out = [f"# Replay of {md_code(log)}", "",
           f"Against program {md_code(report.program)}, rule set sha256 {md_code(report.ruleset_hash)}.", "",
           "```text",
           *(line.replace("`", "'") for line in _counts(report)), "```", "",
           "| partner | quotes | before | after | difference |", "|---|---:|---:|---:|---:|"]
    for pid, c in sorted(report.partners.items()):
        out.append(f"| {md_code(pid, True)} | {c.quotes:,} | {money(c.before)} | {money(c.after)} | "
                   f"{signed(c.difference)} |")
    for name, c in sorted(report.totals.items()):
        out.append(f"| *{TOTAL_NAMES[name]}* | {c.quotes:,} | {money(c.before)} | {money(c.after)} | "
                   f"{signed(c.difference)} |")
    largest = report.largest_changes()
    if largest:
        out += ["", "## Largest changes", ""] + [f"- {md_text(_describe(r, report, str), start=True)}"
                                                 for r in largest]
    if report.refusals:
        out += ["", "## Now refused", ""] + [f"- {md_text(_describe(r, report, str), start=True)}"
                                             for r in report.refusals]
    verdict = "Something would change." if report.changed else "Nothing would change."
    return "\n".join([*out, "", verdict]) + "\n"
