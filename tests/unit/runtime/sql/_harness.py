"""Load transactions and partners into DuckDB and compare the SQL with the row engine, line by line.

The row engine (runtime.decisions) is the truth: quotes, quote lines and settlements computed by it
are compared with the rows the SQL gives for the same data.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import duckdb

from runtime import ir
from runtime.decisions import QuoteError, Settler, quote, settle
from runtime.decisions.quote import Quoter
from runtime.decisions.reviews import Figures, Timeline, settle_timeline
from runtime.engine import EvaluationError
from runtime.labels import rule_label
from runtime.loaded import Runtime
from runtime.model import Line, Partner, Period, Transaction
from runtime.sql import quote_lines_query, quote_query, render, rule_refs, statement_query
from runtime.sql._chain import reviewed
from runtime.sql._checks import _stretches

_TYPES = {"money": "BIGINT", "integer": "BIGINT", "boolean": "BOOLEAN", "text": "VARCHAR", "enum": "VARCHAR",
          "percent": "DECIMAL(38, 10)", "number": "DECIMAL(38, 10)", "date": "DATE"}


def _cell(value: Any) -> Any:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return value


def load(ruleset: ir.RuleSet, txns: Sequence[Transaction], partners: Mapping[str, Partner],
         timeline: Timeline | None = None) -> Any:
    """An in-memory DuckDB with the two tables the SQL assumes; with tier reviews, the partners table has a row
    per stretch between the reviews of `timeline` (one stretch, the partners file's tiers, without it)."""
    con = duckdb.connect()
    t_inputs = [d for d in ruleset.inputs if d.scope == "transaction"]
    p_inputs = [d for d in ruleset.inputs if d.scope == "partner"]
    catalog = any(v.catalog for v in ruleset.versions)  # then the table has the rows' SKUs
    t_cols = "".join(f", {d.name} {_TYPES.get(d.type, 'VARCHAR')}" for d in t_inputs) + (", sku VARCHAR"
                                                                                       if catalog else "")
    p_cols = "".join(f", {d.name} {_TYPES.get(d.type, 'VARCHAR')}" for d in p_inputs)
    p_cols += ", p_from DATE, p_until DATE" if reviewed(ruleset) else ""
    con.execute("CREATE TABLE transactions(id VARCHAR, date DATE, partner VARCHAR, contract VARCHAR, "
                f"product VARCHAR, list_price BIGINT, sell_price BIGINT, quantity BIGINT{t_cols})")
    con.execute(f"CREATE TABLE partners(id VARCHAR, contract VARCHAR, tier VARCHAR, level INTEGER, parent VARCHAR"
                f"{p_cols})")
    marks = ", ".join("?" for _ in range(8 + len(t_inputs) + catalog))
    if txns:
        con.executemany(f"INSERT INTO transactions VALUES ({marks})", [
            [t.id, t.date, t.partner, t.contract, t.product, t.list_price, t.sell_price, t.quantity,
             *(_cell(t.fields.get(d.name)) for d in t_inputs), *([t.sku] if catalog else [])] for t in txns])
    rows = [[p.id, p.contract, p.tier, p.level, p.parent, *(_cell(p.fields.get(d.name)) for d in p_inputs), *bounds]
            for bounds, stated in _stretches(ruleset, partners, timeline) for p in stated.values()]
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"INSERT INTO partners VALUES ({marks})", rows)
    return con


def timeline_of(rt: Runtime, txns: Sequence[Transaction], partners: Mapping[str, Partner],
                period: Period) -> Timeline | None:
    """The tiers a period's reviews put in force, as the row engine's `settle` finds them (None: no review)."""
    def run(tiers: Timeline) -> Figures:
        quiet = Settler(rt, partners, period, timeline=tiers)
        for row, txn in enumerate(txns, 1):
            quiet.add(txn, row)
        return quiet.figures

    return settle_timeline(rt, partners, period, run)


Lines = dict[str, list[tuple[str, ir.RuleRef, int]]]
Totals = dict[str, dict[str, int]]


def sql_statements(ruleset: ir.RuleSet, con: Any, period: Period) -> tuple[Totals, Lines]:
    """Totals by partner and kind, and the period lines (kind, rule, amount) of each partner, from the SQL."""
    rows = con.execute(render(statement_query(ruleset, period, "duckdb"), "duckdb")).fetchall()
    refs = rule_refs(ruleset)
    totals: Totals = defaultdict(lambda: defaultdict(int))
    lines: Lines = defaultdict(list)
    for partner, kind, rule, _start, _end, amount in rows:
        totals[partner][kind] += amount
        if rule != "transaction lines":
            lines[partner].append((kind, refs[rule], amount))
    return totals, lines


def row_statements(rt: Runtime, txns: Sequence[Transaction], partners: Mapping[str, Partner],
                   period: Period) -> tuple[Totals, Lines, list[Line]]:
    """The same from the row engine, with every transaction line it made."""
    made: list[Line] = []
    result = settle(rt, txns, partners, period, on_line=made.append)
    assert result.read == result.accepted + result.rejected + result.held == len(txns)
    totals = {s.partner: dict(s.totals) for s in result.statements}
    lines = {s.partner: [(line.kind, line.rule, line.amount) for line in s.period_lines]
             for s in result.statements}
    return totals, lines, made


def nonzero(totals: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    return {p: {k: v for k, v in kinds.items() if v} for p, kinds in totals.items() if any(kinds.values())}


def sql_lines(ruleset: ir.RuleSet, con: Any) -> list[tuple[str, str, str, int, str, str]]:
    """Every quote line from the SQL: (transaction, partner, kind, amount, rule, version), in order."""
    rows = con.execute(render(quote_lines_query(ruleset, "duckdb"), "duckdb")).fetchall()
    return [(t, partner, kind, amount, rule, version) for t, _day, version, partner, kind, amount, rule in rows]


def assert_same(rt: Runtime, txns: Sequence[Transaction], partners: Mapping[str, Partner], period: Period) -> None:
    """The SQL statement and the row engine's agree on every total, every period line and every transaction line."""
    con = load(rt.ruleset, txns, partners, timeline_of(rt, txns, partners, period))
    sql_totals, sql_period = sql_statements(rt.ruleset, con, period)
    row_totals, row_period, made = row_statements(rt, txns, partners, period)
    assert nonzero(sql_totals) == nonzero(row_totals)
    assert {p: v for p, v in sql_period.items() if v} == {p: v for p, v in row_period.items() if v}
    days = {t.id: t.date for t in txns}
    refs = rule_refs(rt.ruleset)
    sql_made: dict[str, list[tuple[str, str, int, ir.RuleRef]]] = defaultdict(list)
    for t, partner, kind, amount, rule, _version in sql_lines(rt.ruleset, con):
        if days[t] in period:
            sql_made[t].append((partner, kind, amount, refs[rule]))
    row_made: dict[str, list[tuple[str, str, int, ir.RuleRef]]] = defaultdict(list)
    for line in made:
        assert line.transaction is not None
        row_made[line.transaction].append((line.partner, line.kind, line.amount, line.rule))
    assert sql_made == row_made


def quotes(ruleset: ir.RuleSet, con: Any) -> list[tuple[Any, ...]]:
    return list(con.execute(render(quote_query(ruleset, "duckdb"), "duckdb")).fetchall())


def _sum(lines: Sequence[Line], kind: str) -> int | None:
    found = [line.amount for line in lines if line.kind == kind]
    return sum(found) if found else None


def assert_same_quotes(rt: Runtime, txns: Sequence[Transaction], partners: Mapping[str, Partner]) -> None:
    """The SQL quote columns and lines equal the row engine's quotes (without the provisional ladder rate);
    the transactions the row engine rejects or a price rule holds are the ones the SQL leaves out."""
    con = load(rt.ruleset, txns, partners)
    by_id = {row[0]: row for row in quotes(rt.ruleset, con)}
    lines_by_id: dict[str, list[tuple[str, str, int, str, str]]] = defaultdict(list)
    for t, partner, kind, amount, rule, version in sql_lines(rt.ruleset, con):
        lines_by_id[t].append((partner, kind, amount, rule, version))
    accepted = set()
    for txn in txns:
        try:
            q = quote(rt, txn, partners, include_ladder=False, next_steps=False, benefits=False, violations=False)
        except (QuoteError, EvaluationError):
            continue
        if any(v.action == "hold" for v in q.violations):
            continue  # held for review: left out of the settlement, as a rejected row is
        accepted.add(txn.id)
        row = by_id[txn.id]
        (_, _, _, version, contract, kind, list_amount, sell_amount, margin_num, rate_den, headroom_num, wholesale,
         gross, services, fee, depth, passed, pass_fee) = row
        assert (version, contract, kind, list_amount, sell_amount) == (q.version, q.contract, q.kind, q.list_amount,
                                                                       q.sell_amount)
        assert Fraction(margin_num, rate_den) == q.margin
        assert (None if headroom_num is None else Fraction(headroom_num, rate_den)) == q.ladder_headroom
        assert (wholesale, gross, depth) == (q.wholesale, q.partner_gross, len(q.chain))
        assert (services, fee) == (_sum(q.lines, "services"), _sum(q.lines, "referral_fee"))
        assert (passed, pass_fee) == (_sum(q.lines, "pass_through"), _sum(q.lines, "fee"))
        assert lines_by_id[txn.id] == [(line.partner, line.kind, line.amount, rule_label(line.rule), line.version)
                                       for line in q.lines]
    assert set(by_id) == accepted


def sample(rng: random.Random, options: Sequence[Any]) -> Any:
    return options[rng.randrange(len(options))]


def value_for(ruleset: ir.RuleSet, type_: str, rng: random.Random) -> Any:
    """A random value of a declared input type."""
    if type_ == "money":
        return sample(rng, [0, rng.randrange(0, 5_000_000) * 100, rng.randrange(-10**6, 10**7)])
    if type_ == "integer":
        return rng.randrange(0, 12)
    if type_ == "boolean":
        return rng.random() < 0.5
    if type_ in ("percent", "number"):
        return Fraction(rng.randrange(-50, 400), sample(rng, [100, 1000, 8]))
    if type_ in ruleset.enums:
        return sample(rng, ruleset.enums[type_])
    return "x"


def _partners(ruleset: ir.RuleSet, rng: random.Random) -> dict[str, Partner]:
    """Partners on every contract and tier; with a hierarchy, chains of every depth and a few broken ones."""
    version = ruleset.versions[0]
    tiers = [t.id for t in version.tiers.levels] if version.tiers else []
    depth = max((v.hierarchy.max_depth for v in ruleset.versions if v.hierarchy), default=0)
    partners: dict[str, Partner] = {}

    def add(pid: str, contract: str, level: int = 1, parent: str | None = None) -> None:
        fields = {d.name: value_for(ruleset, d.type, rng) for d in ruleset.inputs if d.scope == "partner"}
        partners[pid] = Partner(pid, contract, sample(rng, [*tiers, None]), level, parent, fields)

    for c in version.contracts:
        for i in range(3):
            add(f"{c.id}-{i}", c.id)
            if depth and c.kind != "referral":
                below = f"{c.id}-{i}"
                for level in range(2, depth + 1):
                    add(f"{below}-{level}", c.id, level, below)
                    below = f"{below}-{level}"
        if depth and c.kind != "referral":
            add(f"{c.id}-orphan", c.id, 2, "nobody")  # its parent is unknown
            add(f"{c.id}-misplaced", c.id, 3, f"{c.id}-0")  # level 3 right below level 1
            add(f"{c.id}-loop-a", c.id, 2, f"{c.id}-loop-b")
            add(f"{c.id}-loop-b", c.id, 2, f"{c.id}-loop-a")
    return partners


def _volume(rt: Runtime, partners: Mapping[str, Partner], txn: Transaction, basis: str) -> int | None:
    try:
        priced = Quoter(rt, partners, include_ladder=False).price(txn)
    except (QuoteError, EvaluationError):
        return None
    return {"sales": priced.sell_amount, "list_sales": priced.list_amount, "quantity": txn.quantity,
            "purchases": priced.prices[0] if priced.prices else 0}.get(basis)


def boundary(rt: Runtime, partners: Mapping[str, Partner], seller: str, basis: str, target: int,
             template: Transaction) -> Transaction | None:
    """A sale by `seller` whose basis volume is exactly `target` (or the least above it), found by bisection."""
    if basis in ("quantity", "deals"):
        return None
    lo, hi = 1, max(2, target * 4)
    while lo < hi:
        mid = (lo + hi) // 2
        txn = Transaction(template.id, template.date, seller, mid, mid, 1, None, "p", template.fields)
        volume = _volume(rt, partners, txn, basis)
        if volume is None:
            return None
        if volume < target:
            lo = mid + 1
        else:
            hi = mid
    return Transaction(template.id, template.date, seller, lo, lo, 1, None, "p", template.fields)


def _boundaries(rt: Runtime, partners: dict[str, Partner], rng: random.Random, day: datetime.date,
                fields: Any) -> list[Transaction]:
    """For each ladder step and bonus target: a level-1 partner of its own whose sale reaches it exactly, or one
    unit of money less (just below)."""
    version = rt.ruleset.versions[-1]
    out: list[Transaction] = []
    for contract in version.contracts:
        targets = [(lad.basis, s.start) for lad in version.ladders if lad.id == contract.ladder for s in lad.steps]
        targets += [(b.basis, s.target) for b in version.bonuses if b.id in contract.bonuses for s in b.steps]
        for n, (basis, target) in enumerate(t for t in targets if t[1] > 0):
            pid = f"edge-{contract.id}-{n}"
            partners[pid] = Partner(pid, contract.id, None, 1, None, dict(partners[f"{contract.id}-0"].fields))
            template = Transaction(f"e-{pid}", day, pid, 1, 1, 1, None, "p", fields)
            txn = boundary(rt, partners, pid, basis, target, template)
            if txn is not None:
                below = Transaction(txn.id, txn.date, pid, txn.list_price - 1, txn.sell_price - 1, 1, None, "p",
                                    fields)
                out.append(below if rng.random() < 0.5 and txn.list_price > 1 else txn)
    return out


def example_data(ruleset: ir.RuleSet, seed: int, count: int = 250,
                 rt: Runtime | None = None) -> tuple[list[Transaction], dict[str, Partner]]:
    """Partners on every contract and tier (in chains when the program has a hierarchy), a year of sales, and with
    a runtime, sales that reach ladder steps and bonus targets exactly. (The warehouse queries take sales; refunds,
    which name their sale in `refund_of`, are compared on the columnar engine: test_engine_equivalence.)"""
    rng = random.Random(seed)
    partners = _partners(ruleset, rng)
    ids = sorted(partners)
    txns = []
    for i in range(count):
        list_price = rng.randrange(1, 40) * 1_000_000 + rng.randrange(0, 1000)
        quantity = rng.choice([1, 1, 2, 3, 5])
        fields = {d.name: value_for(ruleset, d.type, rng) for d in ruleset.inputs if d.scope == "transaction"}
        day = datetime.date(2026, 4, 1) + datetime.timedelta(days=rng.randrange(365))
        contract = sample(rng, [None] * 8 + [c.id for c in ruleset.versions[0].contracts] + [""])
        txns.append(Transaction(f"t{i:04d}", day, sample(rng, ids), list_price,
                                rng.randrange(list_price * 8 // 10, list_price + 1), quantity, contract, "p", fields))
    if rt is not None:
        fields = {d.name: value_for(ruleset, d.type, rng) for d in ruleset.inputs if d.scope == "transaction"}
        txns += _boundaries(rt, partners, rng, datetime.date(2026, 11, 10), fields)
    return txns, partners
