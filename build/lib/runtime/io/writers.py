"""Writing a settlement: statements as JSON, CSV and Markdown; every line and every reject as CSV.

Amounts are integers (minor units) in CSV and JSON, and formatted (`¥1,200,000`) in Markdown.
`lines.csv` and `rejects.csv` are written as the settler produces lines and rejects, so memory does
not grow with the number of transactions; the statements are written when the period is settled.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from runtime import ir, ir_json
from runtime.decisions.settle import Flagged, Rejected, Settlement
from runtime.io.cells import csv_row, md_code, md_text
from runtime.io.tier_history import decision_json, render_tier_history
from runtime.labels import rule_label
from runtime.model import Figure, Line, Partner, Quote, Share, Statement, Violation, Volumes, Withheld
from runtime.money import format_amount

KINDS = ("margin", "services", "referral_fee", "fee", "ladder", "ladder_clawback", "bonus", "bonus_clawback", "cap",
         "pass_through")
"""Line kinds in the order statements show them."""

KIND_TITLES = {"margin": "margin", "services": "services (billed by the partner)", "referral_fee": "referral fee",
               "fee": "pass-through fee", "ladder": "ladder", "ladder_clawback": "ladder clawback",
               "bonus": "bonus", "bonus_clawback": "bonus clawback", "cap": "payout cap",
               "pass_through": "pass-through (at cost)"}
NOT_EARNED = ("pass_through", "services")  # shown, but not part of what the partner earns (Statement.total)

OUTPUT_NAMES = ("statements.json", "statements.csv", "lines.csv", "rejects.csv", "held.csv", "violations.csv",
                "statements")
"""What `SettlementWriter` writes at the top of its directory."""
LINE_COLUMNS = ("partner", "transaction", "kind", "label", "amount", "rule", "version", "at")
REJECT_COLUMNS = ("row", "id", "field", "code", "reason")
VIOLATION_COLUMNS = ("row", "id", "partner", "code", "kind", "reason")


def ruleset_sha256(ruleset: ir.RuleSet) -> str:
    """The rule set's identity: the SHA-256 its artifact carries."""
    return ir.digest(ir_json.encode(ruleset))


def loc_text(at: ir.Loc | None) -> str | None:
    """`file:line:col`, or None."""
    return str(at) if at is not None else None


def next_tier_id(figure: Figure | None) -> str | None:
    """The tier a statement's `next_tier` names."""
    return None if figure is None else figure.rule.id


def _rate(value: int | Fraction) -> str:
    return ir_json.encode_fraction(value if isinstance(value, Fraction) else Fraction(value))


def line_json(line: Line) -> dict[str, Any]:
    """A line as JSON data."""
    return {"partner": line.partner, "transaction": line.transaction, "kind": line.kind, "label": line.label,
            "amount": line.amount, "rule": rule_label(line.rule), "version": line.version, "at": loc_text(line.at)}


def _volumes(v: Volumes) -> dict[str, int]:
    return {"sales": v.sales, "purchases": v.purchases, "list_sales": v.list_sales, "quantity": v.quantity,
            "deals": v.deals}


def statement_json(statement: Statement, partner: Partner | None = None, reviews: bool = False) -> dict[str, Any]:
    """A statement as JSON data: totals by kind, total, volumes, period lines, next tier (and, when the program
    reviews tiers, the tier history: the key is left out otherwise, so such statements stay as they were)."""
    nxt = statement.next_tier
    return {
        "partner": statement.partner,
        "contract": partner.contract if partner else None, "level": partner.level if partner else None,
        "parent": partner.parent if partner else None,
        "tier": statement.tier, "transactions": statement.transactions,
        "totals": dict(statement.totals), "total": statement.total,
        "volumes": _volumes(statement.volumes), "gross_volumes": _volumes(statement.gross_volumes),
        "period_lines": [line_json(line) for line in statement.period_lines],
        "next_tier": None if nxt is None else {"tier": next_tier_id(nxt), "rule": rule_label(nxt.rule),
                                             "at": loc_text(nxt.at)},
        "problems": list(statement.problems),
        **({"tier_history": [decision_json(d) for d in statement.tier_history]} if reviews else {}),
        **({"benefits": [_figure(f) for f in statement.benefits],
            "withheld": [withheld_json(w) for w in statement.withheld]}
           if statement.benefits or statement.withheld else {}),
    }


def settlement_json(settlement: Settlement, ruleset: ir.RuleSet, partners: Mapping[str, Partner]) -> dict[str, Any]:
    """A whole settlement as JSON data, with the program's identity and the reconciliation of its input."""
    version = ruleset.version_on(settlement.period.end)
    totals: dict[str, int] = {}
    for statement in settlement.statements:
        for kind, amount in statement.totals.items():
            totals[kind] = totals.get(kind, 0) + amount
    return {
        "program": {"id": ruleset.program_id, "title": ruleset.title, "source": ruleset.source,
                    "version": version.version if version else None,
                    "versions": [v.version for v in ruleset.versions
                                 if v.effective_from <= settlement.period.end
                                 and (v.effective_until is None or v.effective_until >= settlement.period.start)],
                    "sha256": ruleset_sha256(ruleset)},
        "currency": ruleset.currency, "minor_unit": ruleset.minor_unit,
        "period": {"start": settlement.period.start.isoformat(), "end": settlement.period.end.isoformat()},
        "reconciliation": {"read": settlement.read, "accepted": settlement.accepted, "rejected": settlement.rejected,
                           "held": settlement.held},
        "totals": dict(sorted(totals.items())),
        "total": sum(s.total for s in settlement.statements),
        "statements": [statement_json(s, partners.get(s.partner), has_reviews(ruleset))
                       for s in settlement.statements],
    }


def _figure(f: Figure) -> dict[str, Any]:
    value: Any = f.value if isinstance(f.value, int) else _rate(f.value)
    return {"name": f.name, "value": value, "rule": rule_label(f.rule), "at": loc_text(f.at)}


def _share(s: Share) -> dict[str, Any]:
    return {"partner": s.partner, "level": s.level, "margin": _rate(s.margin), "pays": s.pays,
            "receives": s.receives, "keeps": s.keeps, "rule": rule_label(s.rule), "at": loc_text(s.at)}


def _violation(v: Violation) -> dict[str, Any]:
    return {"kind": v.kind, "code": v.code, "action": v.action, "message": v.message, "rule": rule_label(v.rule),
            "at": loc_text(v.at)}


def quote_json(quote: Quote) -> dict[str, Any]:
    """A quote as JSON data: amounts in minor units, rates as exact decimal strings, places as `file:line:col`."""
    return {
        "transaction": quote.transaction, "partner": quote.partner, "version": quote.version,
        "contract": quote.contract, "kind": quote.kind, "list_amount": quote.list_amount,
        "sell_amount": quote.sell_amount, "margin": _rate(quote.margin), "wholesale": quote.wholesale,
        "partner_gross": quote.partner_gross, "rates": [_figure(f) for f in quote.rates],
        "chain": [_share(s) for s in quote.chain], "lines": [line_json(line) for line in quote.lines],
        "benefits": [_figure(f) for f in quote.benefits], "violations": [_violation(v) for v in quote.violations],
        "next_steps": list(quote.next_steps),
        **({"withheld": [withheld_json(w) for w in quote.withheld]} if quote.withheld else {}),
    }


def partner_row(partner: Partner, ruleset: ir.RuleSet | None = None) -> dict[str, Any]:
    """A partner as the row of a partners file that reads back as it (`runtime.io.readers.parse_partners`).

    Keys as in a partners file: `id, contract, tier, level, parent, joined, left`, then the declared fields in
    their order, each a JSON value: dates in ISO form, rates as exact decimal strings, durations as `90d`, a dated
    record as `{"from", "until", "name"}`, a list as a list. Money is in minor units, which is how the file writes
    it when the currency has none (yen); give `ruleset` to write the money inputs of a currency with a minor unit
    in its units (`12.50`), as a file does.
    """
    money = {i.name for i in ruleset.inputs if i.scope == "partner" and i.type == "money"} if ruleset else set()
    row: dict[str, Any] = {
        "id": partner.id, "contract": partner.contract, "tier": partner.tier, "level": partner.level,
        "parent": partner.parent, "joined": _json_value(partner.joined), "left": _json_value(partner.left)}
    for name, value in partner.fields.items():
        if name in money and ruleset is not None and ruleset.minor_unit and isinstance(value, int):
            row[name] = format(Decimal(value).scaleb(-ruleset.minor_unit), "f")
        else:
            row[name] = _json_value(value)
    return row


def _json_value(value: Any) -> Any:
    """A runtime value of a declared input as the JSON value a file gives for it."""
    match value:
        case None | bool() | int() | str():
            return value
        case Fraction():
            return ir_json.encode_fraction(value)
        case datetime.date():
            return value.isoformat()
        case ir.Duration(amount=amount, unit=unit):
            return f"{amount}{unit}"
        case ir.Dated(start=start, until=until, name=name):
            return {"from": start.isoformat(), "until": until.isoformat() if until else None, "name": name}
        case tuple() | list():
            return [_json_value(v) for v in value]
    raise TypeError(f"a partner field holds {type(value).__name__}, which no partners file gives")


def withheld_json(w: Withheld) -> dict[str, Any]:
    """A withheld benefit as JSON data: its name, the reasons in words, the rule and where it is written."""
    return {"name": w.name, "reasons": list(w.reasons), "rule": rule_label(w.rule), "at": loc_text(w.at)}


def statement_file_names(partner_ids: list[str]) -> dict[str, str]:
    """A safe, distinct file name for each partner's statement (`a-01.md`); ids never name a path."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for partner_id in partner_ids:
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", partner_id).lstrip(".") or "partner"
        name, n = f"{stem}.md", 1
        while name.lower() in used:
            n += 1
            name = f"{stem}~{n}.md"
        used.add(name.lower())
        names[partner_id] = name
    return names


def render_statement_markdown(statement: Statement, ruleset: ir.RuleSet, partner: Partner | None,
                              sha256: str) -> str:
    """A partner's statement for people: period, transactions, totals, period lines with their rules, next tier.

    Every text that comes from the input (ids, names, labels, reasons) is escaped (`runtime.io.cells.md_text`,
    `md_code`), so that none can forge a heading, a table cell, a link or HTML.
    """
    money = _money(ruleset)
    version = ruleset.version_on(statement.period.end)
    title = ruleset.title.get("en") or ruleset.title.get("") or ruleset.program_id
    shown_version = md_text(version.version) if version else "—"
    out = [f"# Statement of {md_code(statement.partner)}", "",
           f"{md_text(title, start=True)} ({md_code(ruleset.program_id)}, version {shown_version}), "
           f"period {statement.period.start.isoformat()} to {statement.period.end.isoformat()}.", "",
           "| | |", "|---|---|"]
    if partner is not None:
        parent = f", under {md_code(partner.parent, True)}" if partner.parent else ""
        contract = md_text(rule_label(ir.RuleRef.contract(partner.contract)))
        out.append(f"| partner | {md_code(partner.id, True)}: {contract}, level {partner.level}{parent} |")
    out.append(f"| tier | {md_code(statement.tier, True) if statement.tier else '—'} |")
    out.append(f"| transactions | {statement.transactions:,} |")
    for name, v in (("volumes, net of refunds", statement.volumes), ("volumes, sales only", statement.gross_volumes)):
        out.append(f"| {name} | sales {money(v.sales)}, purchases {money(v.purchases)}, at list "
                   f"{money(v.list_sales)}, {v.quantity:,} units |")
    out += render_tier_history(statement.tier_history, money)
    out += ["", "## Totals", "", "| kind | amount |", "|---|---:|"]
    for kind in ordered_kinds(statement.totals):
        out.append(f"| {md_text(KIND_TITLES.get(kind, kind))} | {money(statement.totals[kind])} |")
    out.append(f"| **earned** | **{money(statement.total)}** |")
    shown = [KIND_TITLES[k] for k in NOT_EARNED if k in statement.totals]
    if shown:
        out += ["", f"Earned is every line except {' and '.join(shown)}."]
    out += ["", "## Period lines", ""]
    if statement.period_lines:
        out += ["| line | amount | rule | version | source |", "|---|---:|---|---|---|"]
        for line in statement.period_lines:
            out.append(f"| {md_text(line.label)} | {money(line.amount)} | {md_text(rule_label(line.rule))} | "
                       f"{md_text(line.version)} | {md_code(str(line.at), True) if line.at else '—'} |")
    else:
        out.append("No ladder or bonus lines in this period.")
    out += ["", "## Tier for the next period", ""]
    out.append(_next_tier(statement))
    out += _benefits(statement)
    if statement.problems:
        out += ["", "## Problems", ""] + [f"- {md_text(problem, start=True)}" for problem in statement.problems]
    out += ["", f"Transaction lines are in `lines.csv`. Rule set sha256 {md_code(sha256)}.", ""]
    return "\n".join(out)


def _benefits(statement: Statement) -> list[str]:
    """The benefits granted and withheld as of the period's last day (nothing when none has a condition)."""
    if not statement.benefits and not statement.withheld:
        return []
    day = statement.period.end.isoformat()
    out = ["", f"## Benefits as of {day}", ""]
    out += [f"- {md_text(f.name, start=True)}: granted ({md_text(rule_label(f.rule))})" for f in statement.benefits]
    out += [f"- {md_text(w.name, start=True)}: **withheld**: {md_text('; '.join(w.reasons))} "
            f"({md_text(rule_label(w.rule))})" for w in statement.withheld]
    return out


def _next_tier(statement: Statement) -> str:
    nxt = statement.next_tier
    if nxt is None:
        return "Not known: a tier could not be evaluated." if statement.problems else "No tier qualifies."
    at = f" ({md_code(str(nxt.at))})" if nxt.at else ""
    return f"{md_code(next_tier_id(nxt) or '')}: {md_text(rule_label(nxt.rule))}{at}."


def has_reviews(ruleset: ir.RuleSet) -> bool:
    """Whether a version of the program reviews tiers (`tiers.review`)."""
    return any(v.tiers is not None and v.tiers.review is not None for v in ruleset.versions)


def ordered_kinds(totals: Mapping[str, int]) -> list[str]:
    """The kinds of a totals mapping in statement order (unknown kinds last, by name)."""
    return [k for k in KINDS if k in totals] + sorted(k for k in totals if k not in KINDS)


def _money(ruleset: ir.RuleSet) -> Callable[[int | Fraction], str]:
    def money(amount: int | Fraction) -> str:
        return format_amount(amount, ruleset.currency, ruleset.minor_unit)
    return money


class _SafeWriter:
    """A CSV writer whose text cells are safe to open in a spreadsheet (`runtime.io.cells`)."""

    def __init__(self, handle: IO[str]) -> None:
        self._writer = csv.writer(handle)

    def writerow(self, values: Iterable[object]) -> None:
        self._writer.writerow(csv_row(values))


class SettlementWriter:
    """Writes a settlement into a directory: lines and rejects as they come, statements when settled.

    Use `on_line`, `on_reject`, `on_hold` and `on_violation` as the settler's sinks, then `finish(settlement)`.

    Raises:
        OSError: the directory or a file cannot be written.
    """

    def __init__(self, out_dir: str | Path, ruleset: ir.RuleSet, partners: Mapping[str, Partner]) -> None:
        self.out = Path(out_dir)
        self.ruleset = ruleset
        self.partners = partners
        self.out.mkdir(parents=True, exist_ok=True)
        self._files: list[IO[str]] = []
        self.lines = self._csv("lines.csv", LINE_COLUMNS)
        self.rejects = self._csv("rejects.csv", REJECT_COLUMNS)
        self.held = self._csv("held.csv", REJECT_COLUMNS)
        self.violations = self._csv("violations.csv", VIOLATION_COLUMNS)
        self.written: list[Path] = [self.out / "lines.csv", self.out / "rejects.csv", self.out / "held.csv",
                                    self.out / "violations.csv"]

    def _csv(self, name: str, columns: tuple[str, ...]) -> Any:
        handle = open(self.out / name, "w", encoding="utf-8", newline="")  # closed by close()
        self._files.append(handle)
        writer = _SafeWriter(handle)
        writer.writerow(columns)
        return writer

    def on_line(self, line: Line) -> None:
        """Write one line to `lines.csv`."""
        self.lines.writerow((line.partner, line.transaction or "", line.kind, line.label, line.amount,
                             rule_label(line.rule), line.version, loc_text(line.at) or ""))

    def on_reject(self, rejected: Rejected) -> None:
        """Write one rejected row to `rejects.csv`."""
        self.rejects.writerow((rejected.row, rejected.transaction, rejected.field or "", rejected.code,
                               rejected.reason))

    def on_hold(self, held: Rejected) -> None:
        """Write one row a price rule holds for review to `held.csv` (the columns of `rejects.csv`)."""
        self.held.writerow((held.row, held.transaction, held.field or "", held.code, held.reason))

    def on_violation(self, flagged: Flagged) -> None:
        """Write one flagged price-rule violation of a settled line to `violations.csv`."""
        self.violations.writerow((flagged.row, flagged.transaction, flagged.partner, flagged.code, flagged.kind,
                                  flagged.reason))

    def close(self) -> None:
        """Close the streamed files."""
        for handle in self._files:
            handle.close()

    def finish(self, settlement: Settlement) -> list[Path]:
        """Write the period lines and the statements, close everything; the paths written, in order."""
        for statement in settlement.statements:
            for line in statement.period_lines:
                self.on_line(line)
        self.close()
        statements_json, statements_csv, folder = write_statements(self.out, settlement, self.ruleset, self.partners)
        return [statements_json, statements_csv, *self.written, folder]


@dataclass(frozen=True, slots=True)
class Settled:
    """A settlement of the program year to an as-of date, set against what the year's earlier runs paid.

    Each mapping is by partner, then kind of line, in minor units; payable = earned − paid before.
    """

    as_of: datetime.date
    run: int | None  # the ledger's run; None when settled without a ledger (nothing paid before)
    repeat: bool  # the run was already recorded: nothing new is paid
    earned: Mapping[str, Mapping[str, int]]
    paid_before: Mapping[str, Mapping[str, int]]

    def figures(self, partner: str) -> dict[str, tuple[int, int, int]]:
        """A partner's (earned, paid before, payable) by kind, in statement order."""
        earned, paid = self.earned.get(partner, {}), self.paid_before.get(partner, {})
        kinds = ordered_kinds({k: 0 for k in (*earned, *paid)})
        return {k: (earned.get(k, 0), paid.get(k, 0), earned.get(k, 0) - paid.get(k, 0)) for k in kinds}

    def totals(self, partner: str) -> tuple[int, int, int]:
        """A partner's (earned, paid before, payable) over the kinds it earns (not `NOT_EARNED`)."""
        earned = [f for k, f in self.figures(partner).items() if k not in NOT_EARNED]
        return sum(f[0] for f in earned), sum(f[1] for f in earned), sum(f[2] for f in earned)

    def payable(self) -> int:
        """The total payable now, over every partner and every kind it earns."""
        return sum(self.totals(p)[2] for p in self.partners())

    def partners(self) -> list[str]:
        """Every partner with a figure, sorted."""
        return sorted({*self.earned, *self.paid_before})

    def note(self) -> str:
        """What the paid-before figures are: the ledger's, a repeat of a recorded run, or none."""
        if self.run is None:
            return "settled without a ledger: paid before is taken as 0"
        if self.repeat:
            return f"already recorded as run {self.run}: nothing new is payable"
        return f"recorded as run {self.run}"


def _settled_json(settled: Settled, partner: str) -> dict[str, Any]:
    figures = settled.figures(partner)
    earned, paid_before, payable = settled.totals(partner)
    return {"kinds": {k: {"earned": e, "paid_before": b, "payable": p} for k, (e, b, p) in figures.items()},
            "earned": earned, "paid_before": paid_before, "payable": payable}


def _settled_markdown(settled: Settled, partner: str, money: Callable[[int | Fraction], str]) -> list[str]:
    figures = settled.figures(partner)
    out = ["", f"## Settled as of {settled.as_of.isoformat()}", "", f"The program year to date, {settled.note()}.",
           "", "| kind | earned to date | paid before | payable now |", "|---|---:|---:|---:|"]
    for kind, (earned, before, payable) in figures.items():
        out.append(f"| {md_text(KIND_TITLES.get(kind, kind))} | {money(earned)} | {money(before)} | "
                   f"{money(payable)} |")
    totals = settled.totals(partner)
    out.append(f"| **earned** | **{money(totals[0])}** | **{money(totals[1])}** | **{money(totals[2])}** |")
    shown = [KIND_TITLES[k] for k in NOT_EARNED if k in figures]
    if shown:
        out += ["", f"The earned row counts every kind except {' and '.join(shown)}."]
    return out


def write_statements(out: Path, settlement: Settlement, ruleset: ir.RuleSet, partners: Mapping[str, Partner],
                     settled: Settled | None = None) -> list[Path]:
    """Write statements.json, statements.csv and a Markdown statement per partner; the paths written.

    With `settled` (a settlement to an as-of date), each statement also shows, per kind of line, earned to
    date, paid before and payable now; without it the files are those of a period's settlement.
    """
    sha256 = ruleset_sha256(ruleset)
    data = settlement_json(settlement, ruleset, partners)
    if settled is not None:
        data["as_of"] = {"date": settled.as_of.isoformat(), "run": settled.run, "repeat": settled.repeat,
                         "note": settled.note(), "payable": settled.payable()}
        for statement in data["statements"]:
            statement["settled"] = _settled_json(settled, statement["partner"])
    (out / "statements.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _write_summary_csv(out, settlement, ruleset, partners, settled)
    folder = out / "statements"
    folder.mkdir(exist_ok=True)
    names = statement_file_names([s.partner for s in settlement.statements])
    money = _money(ruleset)
    for statement in settlement.statements:
        text = render_statement_markdown(statement, ruleset, partners.get(statement.partner), sha256)
        if settled is not None:
            text += "\n".join(_settled_markdown(settled, statement.partner, money)) + "\n"
        (folder / names[statement.partner]).write_text(text, encoding="utf-8")
    return [out / "statements.json", out / "statements.csv", folder]


def _write_summary_csv(out: Path, settlement: Settlement, ruleset: ir.RuleSet, partners: Mapping[str, Partner],
                       settled: Settled | None) -> None:
    extra = sorted({k for s in settlement.statements for k in s.totals if k not in KINDS})
    kinds = [*(k for k in KINDS if k != "cap" or ruleset.payout_cap is not None), *extra]
    figures = ("earned", "paid_before", "payable")
    more = [] if settled is None else [f"{k}_{f}" for k in kinds for f in figures] + [f"total_{f}" for f in figures]
    with open(out / "statements.csv", "w", encoding="utf-8", newline="") as handle:
        writer = _SafeWriter(handle)
        writer.writerow(("partner", "contract", "level", "parent", "tier", "next_tier", "transactions", *kinds,
                         "total", *more))
        for s in settlement.statements:
            p = partners.get(s.partner)
            row: list[object] = [s.partner, p.contract if p else "", p.level if p else "",
                                 (p.parent or "") if p else "", s.tier or "", next_tier_id(s.next_tier) or "",
                                 s.transactions, *(s.totals.get(k, 0) for k in kinds), s.total]
            if settled is not None:
                got = settled.figures(s.partner)
                row += [v for k in kinds for v in got.get(k, (0, 0, 0))]
                row += settled.totals(s.partner)
            writer.writerow(row)
