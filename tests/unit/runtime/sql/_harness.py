"""Load transactions and partners into DuckDB and compare the SQL with the row engine (runtime.decisions.settle)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from runtime import ir
from runtime.decisions import settle
from runtime.loaded import Runtime
from runtime.model import Partner, Period, Transaction
from runtime.sql import quote_query, render, statement_query

_TYPES = {"money": "BIGINT", "integer": "BIGINT", "boolean": "BOOLEAN", "text": "VARCHAR", "enum": "VARCHAR"}


def load(ruleset: ir.RuleSet, txns: Sequence[Transaction], partners: Mapping[str, Partner]) -> Any:
    """An in-memory DuckDB with the two tables the SQL assumes."""
    con = duckdb.connect()
    t_inputs = [d for d in ruleset.inputs if d.scope == "transaction"]
    p_inputs = [d for d in ruleset.inputs if d.scope == "partner"]
    t_cols = "".join(f", {d.name} {_TYPES.get(d.type, 'VARCHAR')}" for d in t_inputs)
    p_cols = "".join(f", {d.name} {_TYPES.get(d.type, 'VARCHAR')}" for d in p_inputs)
    con.execute("CREATE TABLE transactions(id VARCHAR, date DATE, partner VARCHAR, contract VARCHAR, "
                f"product VARCHAR, list_price BIGINT, sell_price BIGINT, quantity BIGINT{t_cols})")
    con.execute(f"CREATE TABLE partners(id VARCHAR, contract VARCHAR, tier VARCHAR, level INTEGER, parent VARCHAR"
                f"{p_cols})")
    marks = ", ".join("?" for _ in range(8 + len(t_inputs)))
    if txns:
        con.executemany(f"INSERT INTO transactions VALUES ({marks})", [
            [t.id, t.date, t.partner, t.contract, t.product, t.list_price, t.sell_price, t.quantity,
             *(t.fields.get(d.name) for d in t_inputs)] for t in txns])
    marks = ", ".join("?" for _ in range(5 + len(p_inputs)))
    con.executemany(f"INSERT INTO partners VALUES ({marks})", [
        [p.id, p.contract, p.tier, p.level, p.parent, *(p.fields.get(d.name) for d in p_inputs)]
        for p in partners.values()])
    return con


def sql_statements(ruleset: ir.RuleSet, con: Any, period: Period) -> tuple[dict[str, dict[str, int]],
                                                                         dict[str, list[tuple[str, str, int]]]]:
    """Totals by partner and kind, and the period lines (kind, rule, amount) of each partner, from the SQL."""
    rows = con.execute(render(statement_query(ruleset, period, "duckdb"), "duckdb")).fetchall()
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    lines: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for partner, kind, rule, _start, _end, amount in rows:
        totals[partner][kind] += amount
        if rule != "transaction lines":
            lines[partner].append((kind, rule, amount))
    return totals, lines


def row_statements(rt: Runtime, txns: Sequence[Transaction], partners: Mapping[str, Partner],
                   period: Period) -> tuple[dict[str, dict[str, int]], dict[str, list[tuple[str, str, int]]]]:
    """The same from the row engine."""
    result = settle(rt, txns, partners, period)
    totals = {s.partner: dict(s.totals) for s in result.statements}
    lines = {s.partner: [(line.kind, _rule(line.rule), line.amount) for line in s.period_lines]
             for s in result.statements}
    return totals, lines


def _rule(rule: str) -> str:
    return rule


def nonzero(totals: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    return {p: {k: v for k, v in kinds.items() if v} for p, kinds in totals.items() if any(kinds.values())}


def assert_same(rt: Runtime, txns: Sequence[Transaction], partners: Mapping[str, Partner], period: Period) -> None:
    """The SQL statement and the row engine's agree on every total and every period line."""
    con = load(rt.ruleset, txns, partners)
    sql_totals, sql_lines = sql_statements(rt.ruleset, con, period)
    row_totals, row_lines = row_statements(rt, txns, partners, period)
    assert nonzero(sql_totals) == nonzero(row_totals)
    assert {p: v for p, v in sql_lines.items() if v} == {p: v for p, v in row_lines.items() if v}


def quotes(ruleset: ir.RuleSet, con: Any) -> list[tuple[Any, ...]]:
    return list(con.execute(render(quote_query(ruleset, "duckdb"), "duckdb")).fetchall())


def sample(rng: random.Random, options: Sequence[Any]) -> Any:
    return options[rng.randrange(len(options))]


def value_for(ruleset: ir.RuleSet, type_: str, rng: random.Random) -> Any:
    """A random value of a declared input type."""
    if type_ == "money":
        return rng.randrange(0, 5_000_000) * 100
    if type_ == "integer":
        return rng.randrange(0, 12)
    if type_ == "boolean":
        return rng.random() < 0.5
    if type_ in ruleset.enums:
        return sample(rng, ruleset.enums[type_])
    return "x"


def example_data(ruleset: ir.RuleSet, seed: int, count: int = 250) -> tuple[list[Transaction], dict[str, Partner]]:
    """Partners on every contract and tier of the first version, and a year of sales and refunds."""
    import datetime

    rng = random.Random(seed)
    version = ruleset.versions[0]
    tiers = [t.id for t in version.tiers.levels] if version.tiers else []
    partners = {}
    for c in version.contracts:
        for i in range(3):
            fields = {d.name: value_for(ruleset, d.type, rng) for d in ruleset.inputs if d.scope == "partner"}
            pid = f"{c.id}-{i}"
            partners[pid] = Partner(pid, c.id, sample(rng, [*tiers, None]), 1, None, fields)
    ids = sorted(partners)
    txns = []
    for i in range(count):
        list_price = rng.randrange(1, 40) * 1_000_000 + rng.randrange(0, 1000)
        quantity = rng.choice([1, 1, 2, 3, 5, -1, -2])
        fields = {d.name: value_for(ruleset, d.type, rng) for d in ruleset.inputs if d.scope == "transaction"}
        day = datetime.date(2026, 4, 1) + datetime.timedelta(days=rng.randrange(365))
        txns.append(Transaction(f"t{i:04d}", day, sample(rng, ids), list_price,
                                rng.randrange(list_price * 8 // 10, list_price + 1), quantity, None, "p", fields))
    return txns, partners


def assert_same_quotes(rt: Runtime, txns: Sequence[Transaction], partners: Mapping[str, Partner]) -> None:
    """The SQL quote columns equal the row engine's quotes (without the provisional ladder rate)."""
    from fractions import Fraction

    from runtime.decisions import quote

    con = load(rt.ruleset, txns, partners)
    by_id = {row[0]: row for row in quotes(rt.ruleset, con)}
    for txn in txns:
        q = quote(rt, txn, partners, include_ladder=False, next_steps=False, benefits=False, violations=False)
        row = by_id[txn.id]
        (_, _, _, version, contract, kind, list_amount, sell_amount, margin_num, rate_den, headroom_num, wholesale,
         gross, services, fee) = row
        lines = {line.kind: line.amount for line in q.lines}
        assert (version, contract, kind, list_amount, sell_amount) == (q.version, q.contract, q.kind, q.list_amount,
                                                                       q.sell_amount)
        assert Fraction(margin_num, rate_den) == q.margin
        assert (None if headroom_num is None else Fraction(headroom_num, rate_den)) == q.ladder_headroom
        assert (wholesale, gross) == (q.wholesale, q.partner_gross)
        assert (services, fee) == (lines.get("services"), lines.get("referral_fee"))
