"""Explanations as text: a quote, a line, a statement, each number with the rule behind it and its source.

Rendered from the Quote and Statement objects the decisions return, never from the program's
YAML, so an explanation shows what executed. Every place is printed as `file:line:col`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from runtime import ir
from runtime.labels import rule_label
from runtime.model import Figure, Line, Partner, Quote, Statement, Transaction
from runtime.money import format_amount, format_rate

_ROUNDING = {"down": "rounded down", "up": "rounded up", "half_up": "rounded half up",
             "half_even": "rounded half to even"}
KIND_TITLES = {"margin": "margin", "services": "services", "referral_fee": "referral fee", "fee": "fee",
               "ladder": "ladder", "ladder_clawback": "ladder clawback", "bonus": "bonus",
               "bonus_clawback": "bonus clawback", "cap": "payout cap", "pass_through": "pass-through at cost"}
_KIND_ORDER = tuple(KIND_TITLES)
NOT_EARNED = ("pass_through", "services")  # what Statement.total leaves out


def width(text: str) -> int:
    """Terminal cells a text takes: two for wide (East Asian) characters."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def render_table(rows: Sequence[Sequence[str]], right: Iterable[int] = (), indent: str = "  ") -> list[str]:
    """Rows as aligned columns (the first row is the header when there is one); `right` columns align right.

    >>> render_table([["kind", "amount"], ["margin", "¥1,000"]], right=[1])
    ['  kind    amount', '  margin  ¥1,000']
    """
    if not rows:
        return []
    aligned = set(right)
    columns = max(len(r) for r in rows)
    widths = [max((width(r[i]) for r in rows if i < len(r)), default=0) for i in range(columns)]
    out = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - width(cell))
            last = i == len(row) - 1
            cells.append(pad + cell if i in aligned else cell if last else cell + pad)
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def _where(at: ir.Loc | None) -> str:
    return str(at) if at is not None else "—"


def wholesale_reason(ruleset: ir.RuleSet, q: Quote) -> str:
    """How a quote's wholesale price came about, at the program's rounding point (docs/computation.md, step 6).

    >>> from runtime.model import Quote
    >>> q = Quote("t", "p", "1", "c", "distributor", 1005, 1005, (), Fraction(1, 10), 904, (), (), (), (), ())
    >>> wholesale_reason(ir.RuleSet("p", {}, {}, "JPY", 0, ir.Rounding(1, "half_up"), 4, "", {}, (), ()), q)
    'list amount ¥1,005 less the margin: ¥1,005 × 10% = ¥100.5, rounded half up to ¥1: ¥101'
    """
    text = _Text(ruleset)
    rounding = ruleset.rounding
    if rounding.point == "wholesale":
        return (f"list amount {text.money(q.list_amount)} × (1 − {format_rate(q.margin)}) = "
                f"{_exact(text, q.list_amount * (1 - q.margin))}, "
                f"{_ROUNDING.get(rounding.mode_for('margin'), 'rounded')} to {text.unit()}")
    exact = q.list_amount * q.margin
    return (f"list amount {text.money(q.list_amount)} less the margin: {text.money(q.list_amount)} × "
            f"{format_rate(q.margin)} = {_exact(text, exact)}, {_ROUNDING.get(rounding.mode_for('margin'), 'rounded')}"
            f" to {text.unit()}: {text.money(q.list_amount - q.wholesale if q.wholesale is not None else 0)}")


def _exact(text: _Text, value: Fraction) -> str:
    """An exact amount, with as many decimals as it needs (up to four): ¥100.5."""
    if value.denominator == 1:
        return text.money(value)
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001")).normalize()
    symbol = "¥" if text.ruleset.currency == "JPY" else ""
    return f"{'-' if shown < 0 else ''}{symbol}{abs(shown):,f}" if symbol else f"{shown:,f} {text.ruleset.currency}"


class _Text:
    def __init__(self, ruleset: ir.RuleSet) -> None:
        self.ruleset = ruleset

    def money(self, amount: int | Fraction) -> str:
        return format_amount(amount, self.ruleset.currency, self.ruleset.minor_unit)

    def unit(self) -> str:
        return self.money(self.ruleset.rounding_unit)

    def figure(self, f: Figure) -> str:
        if isinstance(f.value, Fraction):
            return format_rate(f.value)
        return self.money(f.value) if f.value else ""


def render_line(line: Line, ruleset: ir.RuleSet) -> str:
    """One line: amount, what it is, the rule and version behind it, and where the rule is written.

    The amount comes first so that a column of lines reads like a statement.
    """
    money = _Text(ruleset).money(line.amount)
    return f"{money}  {line.label}  [{rule_label(line.rule)}, version {line.version}, {_where(line.at)}]"


def _rates(q: Quote, text: _Text) -> list[str]:
    first = q.chain[0].partner if q.chain else q.partner
    out = ["", f"Margin of `{first}`, which buys from the vendor" if q.kind != "referral" else "Referral fee"]
    # The ladder rate of a quote comes from the volumes so far; the statement settles the ladder for the period.
    rows = [[f.name + (" (provisional)" if f.name == "ladder rate" else ""), text.figure(f), rule_label(f.rule),
              _where(f.at)] for f in q.rates]
    if q.kind != "referral":
        rows.append(["= margin", format_rate(q.margin), "base + tier uplift + ladder rate, capped", ""])
    if q.wholesale is not None:
        rows.append(["wholesale", text.money(q.wholesale), wholesale_reason(text.ruleset, q), ""])
    return out + (render_table(rows, right=[1]) if rows else ["  none"])


def _chain(q: Quote, text: _Text) -> list[str]:
    if not q.chain:
        return []
    rows = [["level", "partner", "margin", "pays", "receives", "keeps", "rule", "source"]]
    rows += [[str(s.level), s.partner, format_rate(s.margin), text.money(s.pays), text.money(s.receives),
              text.money(s.keeps), rule_label(s.rule), _where(s.at)] for s in q.chain]
    return ["", "Distributor chain (each level pays the one above; the vendor receives the wholesale price)",
            *render_table(rows, right=[0, 2, 3, 4, 5])]


def _lines(lines: Sequence[Line], text: _Text) -> list[str]:
    rows = [["partner", "kind", "amount", "line", "rule", "source"]]
    rows += [[line.partner, KIND_TITLES.get(line.kind, line.kind), text.money(line.amount), line.label,
              rule_label(line.rule), _where(line.at)] for line in lines]
    return render_table(rows, right=[2])


def render_quote(q: Quote, ruleset: ir.RuleSet, txn: Transaction | None = None) -> str:
    """A quote for people: every amount and rate with the rule that produced it and its `file:line:col`."""
    text = _Text(ruleset)
    out = [f"Transaction `{q.transaction}`" + (f" on {txn.date.isoformat()}" if txn else "")
           + f" by partner `{q.partner}`: {rule_label(ir.RuleRef.contract(q.contract))} ({q.kind}), "
           f"version {q.version} of `{ruleset.program_id}`", ""]
    amounts = [["list amount", text.money(q.list_amount)], ["sell amount", text.money(q.sell_amount)]]
    if txn is not None:
        amounts[0].append(f"list price {text.money(txn.list_price)} × {txn.quantity:,}")
        amounts[1].append(f"sell price {text.money(txn.sell_price)} × {txn.quantity:,}")
    out += ["Amounts", *render_table(amounts, right=[1])]
    out += _rates(q, text)
    out += _chain(q, text)
    out += ["", "Lines", *_lines(q.lines, text)]
    out += ["", "Benefits"]
    out += render_table([[f.name, text.figure(f), rule_label(f.rule), _where(f.at)] for f in q.benefits], right=[1]) \
        if q.benefits else ["  none"]
    if q.withheld:
        out += ["", "Benefits withheld"]
        out += [f"  {w.name}: {'; '.join(w.reasons)}  [{rule_label(w.rule)}, {_where(w.at)}]" for w in q.withheld]
    out += ["", "Price rules"]
    out += [f"  {v.kind} ({v.code}, {v.action}): {v.message}  [{rule_label(v.rule)}, {_where(v.at)}]"
            for v in q.violations] if q.violations else ["  no violations"]
    out += ["", "Next steps"]
    out += [f"  - {step}" for step in q.next_steps] if q.next_steps else ["  none"]
    return "\n".join(out) + "\n"


def _ordered(kinds: Iterable[str]) -> list[str]:
    found = set(kinds)
    return [k for k in _KIND_ORDER if k in found] + sorted(found - set(_KIND_ORDER))


def group_lines(lines: Iterable[Line]) -> list[tuple[Line, int, int]]:
    """Transaction lines grouped by kind, rule, version and source: (first line, count, sum)."""
    groups: dict[tuple[str, ir.RuleRef, str, ir.Loc | None], tuple[Line, int, int]] = {}
    for line in lines:
        key = (line.kind, line.rule, line.version, line.at)
        first, count, total = groups.get(key, (line, 0, 0))
        groups[key] = (first, count + 1, total + line.amount)
    order = {k: i for i, k in enumerate(_KIND_ORDER)}
    return sorted(groups.values(), key=lambda g: (order.get(g[0].kind, len(order)), g[0].kind,
                                                  rule_label(g[0].rule),
                                                  g[0].version))


def render_statement(statement: Statement, ruleset: ir.RuleSet, lines: Iterable[Line] = (),
                     partner: Partner | None = None) -> str:
    """A statement for people: transaction lines grouped by the rule behind them, period lines, totals, next tier.

    `lines` are the partner's transaction lines (from the settler's `on_line`); they are grouped by rule.
    """
    text = _Text(ruleset)
    s = statement
    who = f"`{s.partner}`" + (f" ({rule_label(ir.RuleRef.contract(partner.contract))}, level {partner.level}"
                               + (f", under `{partner.parent}`" if partner.parent else "") + ")" if partner else "")
    out = [f"Statement of {who} for {s.period}, program `{ruleset.program_id}`",
           f"  tier {f'`{s.tier}`' if s.tier else '—'}, {s.transactions:,} transactions",
           f"  volumes, net of refunds: sales {text.money(s.volumes.sales)}, purchases "
           f"{text.money(s.volumes.purchases)}, at list {text.money(s.volumes.list_sales)}, "
           f"{s.volumes.quantity:,} units", "", "Transaction lines, by rule"]
    groups = group_lines(lines)
    rows = [["kind", "lines", "amount", "rule", "version", "source"]]
    rows += [[KIND_TITLES.get(g.kind, g.kind), f"{n:,}", text.money(total), rule_label(g.rule), g.version,
              _where(g.at)]
             for g, n, total in groups]
    out += render_table(rows, right=[1, 2]) if groups else ["  none"]
    if s.tier_history:
        rows = [["review", "window", "sales", "before", "after", "outcome", "why"]]
        rows += [[d.review.isoformat(), f"{d.window_start.isoformat()}..{d.window_end.isoformat()}",
                  text.money(d.figures.sales), d.previous or "—", d.tier or "—", d.outcome, d.reason]
                 for d in s.tier_history]
        out += ["", "Tier reviews", *render_table(rows, right=[2])]
    out += ["", "Period lines (ladders, bonuses, clawbacks)"]
    rows = [["kind", "amount", "line", "rule", "version", "source"]]
    rows += [[KIND_TITLES.get(line.kind, line.kind), text.money(line.amount), line.label, rule_label(line.rule),
              line.version, _where(line.at)] for line in s.period_lines]
    out += render_table(rows, right=[1]) if s.period_lines else ["  none"]
    rows = [[KIND_TITLES.get(k, k) + (" (not earned)" if k in NOT_EARNED else ""), text.money(s.totals[k])]
            for k in _ordered(s.totals)]
    rows.append(["earned", text.money(s.total)])
    out += ["", "Totals", *render_table(rows, right=[1])]
    nxt = s.next_tier
    out += ["", "Tier for the next period: "
            + (f"{rule_label(nxt.rule)} ({_where(nxt.at)})" if nxt else "none qualifies")]
    if s.benefits or s.withheld:
        out += ["", f"Benefits as of {s.period.end.isoformat()}"]
        out += [f"  {f.name}: granted  [{rule_label(f.rule)}, {_where(f.at)}]" for f in s.benefits]
        out += [f"  {w.name}: withheld: {'; '.join(w.reasons)}  [{rule_label(w.rule)}, {_where(w.at)}]"
                for w in s.withheld]
    return "\n".join(out) + "\n"
