"""The settlement's own checks on typed rows, in SQL, in the row engine's order.

After a row parses: a repeated id (E524, unless `--allow-duplicate-ids`), a date outside the period (E514), no
version in force (E510), an unknown partner (E511), a seller or distributor that is not a member on the row's date
(E515), an unknown contract (E512). Then the rules: a
row whose quote would read a field it lacks is handed to the row engine's quoter, which says whether
it fails (E500…) or not; `suspect` builds that condition from the fields each rule reads.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

from runtime import ir
from runtime.decisions import QuoteError, Timeline, chain_of, has_membership, member_named, membership_chain
from runtime.loaded import transaction_slots
from runtime.model import Partner, Period
from runtime.sql import _facts
from runtime.sql._chain import SINCE_ALWAYS, UNTIL_FURTHER_NOTICE, reviewed

_NULLABLE_BUILTIN = {("partner", "tier"): "p.tier", ("partner", "parent"): "p.parent",
                     ("transaction", "contract"): "t.contract"}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def fields_of(node: object) -> Iterator[ir.Field]:
    """Every field an expression reads."""
    if isinstance(node, ir.Field):
        yield node
        return
    if isinstance(node, tuple):
        for item in node:
            yield from fields_of(item)
        return
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            yield from fields_of(getattr(node, f.name))


def _column(field: ir.Field, declared: set[tuple[str, str]]) -> str | None:
    """The column that is NULL when the row lacks the field (None: never lacking)."""
    key = (field.scope, field.name)
    if field.scope == "transaction" and field.name.startswith("item."):
        return "t.sku"  # a row that names no SKU has no item (the row engine rejects it, E500)
    if key in _NULLABLE_BUILTIN:
        return _NULLABLE_BUILTIN[key]
    if key in declared:
        return f"{'t' if field.scope == 'transaction' else 'p'}.{_q(field.name)}"
    return None


def _any_null(exprs: list[ir.Expr], declared: set[tuple[str, str]]) -> str | None:
    # A dated fact or list is never missing: no record is NULL (`valid_on` is false), no member an empty list.
    columns = sorted({c for e in exprs for f in fields_of(e)
                      if f.type not in ("dated", "list") and (c := _column(f, declared)) is not None})
    return " OR ".join(f"{c} IS NULL" for c in columns) if columns else None


def suspect(ruleset: ir.RuleSet) -> str:
    """A condition over `t` (typed row), `p` (its partner) and `vidx`: the quote might read a missing field."""
    declared = {(d.scope, d.name) for d in ruleset.inputs}
    arms: list[str] = []
    for i, version in enumerate(ruleset.versions):
        common: list[ir.Expr] = []
        by_contract: dict[str, list[ir.Expr]] = {}
        by_tier: dict[str, list[ir.Expr]] = {}
        for key, expr in transaction_slots(version):
            kind, _, rest = key.partition(":")
            name = rest.rpartition(":")[0]
            if kind == "contract":
                by_contract.setdefault(name, []).append(expr)
            elif kind == "tier":
                by_tier.setdefault(name, []).append(expr)
            else:
                common.append(expr)
        parts = []
        if (cond := _any_null(common, declared)) is not None:
            parts.append(f"({cond})")
        for contract, exprs in by_contract.items():
            if (cond := _any_null(exprs, declared)) is not None:
                parts.append(f"(contract_id = {_lit(contract)} AND ({cond}))")
        for tier, exprs in by_tier.items():
            if (cond := _any_null(exprs, declared)) is not None:
                parts.append(f"(p.tier = {_lit(tier)} AND ({cond}))")
        if parts:
            arms.append(f"(vidx = {i} AND ({' OR '.join(parts)}))")
    return " OR ".join(arms) if arms else "false"


def price_suspect(ruleset: ir.RuleSet) -> str:
    """A condition over `t` and `vidx`: a price rule may find a violation (the row engine's quoter judges the row,
    which it rejects, holds or settles with its flagged violations listed)."""
    arms: list[str] = []
    for i, version in enumerate(ruleset.versions):
        rules = version.price_rules
        parts = []
        if version.catalog is not None:
            parts.append("t.sku IS NOT NULL")  # an unknown SKU, a list price other than the catalog's
        if rules is None:
            if parts:
                arms.append(f"(vidx = {i} AND ({' OR '.join(parts)}))")
            continue
        if rules.ceiling == "list_price":
            parts.append("t.sell_price > t.list_price")
        if rules.max_discount is not None:
            if isinstance(rules.max_discount, ir.Const) and isinstance(rules.max_discount.value, int | Fraction):
                d = Fraction(rules.max_discount.value)
                parts.append(f"t.sell_price * {d.denominator} < t.list_price * {d.denominator - d.numerator}")
            else:
                parts.append("true")  # a discount that depends on the partner or transaction: the quoter reads it
        if rules.min_fee is not None:
            parts.append("t.quantity > 0")  # a sale's fee lines are the quoter's to judge
        if parts:
            arms.append(f"(vidx = {i} AND ({' OR '.join(parts)}))")
    return " OR ".join(arms) if arms else "false"


def version_index(ruleset: ir.RuleSet) -> str:
    """The index of the version in force on `t.date`, or NULL, as `RuleSet.version_on`."""
    arms = []
    for i, version in reversed(list(enumerate(ruleset.versions))):
        then = str(i)
        if version.effective_until is not None:
            then = f"CASE WHEN t.date > DATE '{version.effective_until.isoformat()}' THEN NULL ELSE {i} END"
        arms.append(f"WHEN t.date >= DATE '{version.effective_from.isoformat()}' THEN {then}")
    return f"CASE {' '.join(arms)} END" if arms else "NULL"


def program_tables(con: Any, ruleset: ir.RuleSet) -> None:
    """`v_versions(v_idx, version)` and `v_contracts(c_idx, contract)`."""
    con.execute("CREATE TEMP TABLE v_versions(v_idx INTEGER, version VARCHAR)")
    con.execute("CREATE TEMP TABLE v_contracts(c_idx INTEGER, contract VARCHAR)")
    for i, version in enumerate(ruleset.versions):
        con.execute("INSERT INTO v_versions VALUES (?, ?)", [i, version.version])
        for contract in version.contracts:
            con.execute("INSERT INTO v_contracts VALUES (?, ?)", [i, contract.id])


_PARTNER_TYPES = {"money": "HUGEINT", "integer": "HUGEINT", "boolean": "BOOLEAN", "date": "DATE"}


def partners_table(con: Any, ruleset: ir.RuleSet, partners: dict[str, Partner],
                   timeline: Timeline | None = None) -> None:
    """`partners(id, contract, tier, level, parent, <declared partner inputs>)`, as the SQL assumes; with tier
    reviews also `p_from, p_until`: one row per partner and stretch between reviews, with the tier in force."""
    inputs = [d for d in ruleset.inputs if d.scope == "partner"]
    cols = "".join(f", {_q(d.name)} {_facts.column_type(d) or _PARTNER_TYPES.get(d.type, 'VARCHAR')}"
                   for d in inputs)
    if reviewed(ruleset):
        cols += ", p_from DATE, p_until DATE"
    con.execute(f"CREATE TABLE partners(id VARCHAR, contract VARCHAR, tier VARCHAR, level INTEGER, parent VARCHAR"
                f"{cols})")

    def value(v: object, decl: ir.InputDecl) -> object:
        if decl.type in ("dated", "list"):
            return _facts.column_value(v, decl)
        return v if v is None or decl.type in _PARTNER_TYPES or isinstance(v, str) else str(v)

    rows = [[p.id, p.contract, p.tier, p.level, p.parent, *(value(p.fields.get(d.name), d) for d in inputs),
             *stretch] for stretch, stated in _stretches(ruleset, partners, timeline) for p in stated.values()]
    for start in range(0, len(rows), 500):  # many rows to a statement: DuckDB's executemany runs one per row
        chunk = rows[start:start + 500]
        marks = ", ".join("(" + ", ".join("?" for _ in chunk[0]) + ")" for _ in chunk)
        con.execute(f"INSERT INTO partners VALUES {marks}", [v for row in chunk for v in row])


def _stretches(ruleset: ir.RuleSet, partners: Mapping[str, Partner],
               timeline: Timeline | None) -> list[tuple[list[datetime.date], Mapping[str, Partner]]]:
    """The partners of each stretch between tier reviews and its [from, until) (none without reviews: one
    stretch, and no such columns)."""
    if not reviewed(ruleset):
        return [([], partners)]
    bounds = [datetime.date.fromisoformat(SINCE_ALWAYS), *(timeline.reviews if timeline is not None else ()),
              datetime.date.fromisoformat(UNTIL_FURTHER_NOTICE)]
    return [([start, until], timeline.partners_in(partners, k) if timeline is not None else partners)
            for k, (start, until) in enumerate(itertools.pairwise(bounds))]


def _missing_read(partner: Partner, read: set[str]) -> bool:
    """Whether a partner lacks a field the rules read (its tier, parent or a declared input)."""
    return any((partner.tier if name == "tier" else partner.parent if name == "parent" else
                partner.fields.get(name)) is None for name in read if name not in ("id", "level", "contract"))


def chains_table(con: Any, ruleset: ir.RuleSet, partners: Mapping[str, Partner],
                 timeline: Timeline | None = None) -> None:
    """`odd_chains(vidx, partner)`: sellers whose quote the row engine's quoter must judge under a version with a
    hierarchy: a broken chain (E513), a first partner whose contract the version lacks (E512), or a partner up
    the chain that lacks a field the rules read (its tier, in any stretch between tier reviews)."""
    con.execute("CREATE OR REPLACE TEMP TABLE odd_chains(o_vidx INTEGER, partner VARCHAR)")
    rows = []
    for i, version in enumerate(ruleset.versions):
        if version.hierarchy is None:
            continue
        contracts = {c.id for c in version.contracts}
        read = {f.name for _, expr in transaction_slots(version) for f in fields_of(expr) if f.scope == "partner"}
        for partner in partners.values():
            try:
                chain = chain_of(partner, partners, version)
            except QuoteError:
                rows.append([i, partner.id])
                continue
            above = [p.id for p in chain[:-1]]
            if chain[0].contract not in contracts or any(_missing_read(stated[pid], read) for _, stated in
                                                         _stretches(ruleset, partners, timeline) for pid in above):
                rows.append([i, partner.id])
    if rows:
        con.executemany("INSERT INTO odd_chains VALUES (?, ?)", rows)


def memberships_table(con: Any, ruleset: ir.RuleSet, partners: Mapping[str, Partner]) -> None:
    """`memberships(m_vidx, partner, seq, who, joined, left_on)`: for each version and seller, the partners whose
    membership its sales need (`runtime.decisions._membership.membership_chain`, the seller first), when any of
    them states a `joined` or `left` day; `who` is how the E515 reason names each."""
    con.execute("CREATE OR REPLACE TEMP TABLE memberships(m_vidx INTEGER, partner VARCHAR, seq INTEGER, "
                "who VARCHAR, joined DATE, left_on DATE)")
    if not has_membership(partners.values()):
        return
    rows: list[list[object]] = []
    for i, version in enumerate(ruleset.versions):
        for seller in partners.values():
            chain = membership_chain(seller, partners, version)
            rows.extend([i, seller.id, seq, member_named(member, seller), member.joined, member.left]
                        for seq, member in enumerate(chain) if member.joined is not None or member.left is not None)
    if rows:
        con.executemany("INSERT INTO memberships VALUES (?, ?, ?, ?, ?, ?)", rows)


def _lapsed(con: Any, ruleset: ir.RuleSet) -> None:
    """`lapsed(l_row, l_reason)`: sales whose seller or a distributor it buys through is not a member on their
    date, with `runtime.decisions._membership.reason` for the first such partner (the seller first)."""
    reason = ("arg_min(m.who || ' is not a member on ' || CAST(t.date AS VARCHAR) || ': ' || CASE WHEN t.date < "
              "m.joined THEN 'it joined on ' || CAST(m.joined AS VARCHAR) ELSE 'it left on ' || "
              "CAST(m.left_on AS VARCHAR) END, m.seq)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE lapsed AS SELECT t.row AS l_row, {reason} AS l_reason "
                f"FROM (SELECT t.*, {version_index(ruleset)} AS vidx FROM txn t) t JOIN memberships m "
                "ON m.m_vidx = t.vidx AND m.partner = t.partner "
                "WHERE t.refund_of IS NULL AND (t.date < m.joined OR t.date > m.left_on) GROUP BY t.row")


def zero_price(ruleset: ir.RuleSet) -> str:
    """A condition over `t` and `vidx`: a sale with a unit price of 0 that its version does not allow (E541)."""
    arms = []
    for i, version in enumerate(ruleset.versions):
        allowed = version.price_rules.zero_price if version.price_rules is not None else ()
        if allowed:
            arms.append(f"WHEN {i} THEN t.product NOT IN ({', '.join(_lit(p) for p in allowed)})")
    allowed_by_version = f"CASE vidx {' '.join(arms)} ELSE true END" if arms else "true"
    # A row naming a catalog SKU is judged by the catalog (`refunds.zero_price_problem`).
    no_sku = "t.sku IS NULL AND " if any(v.catalog for v in ruleset.versions) else ""
    return (f"(t.refund_of IS NULL AND {no_sku}(t.list_price = 0 OR t.sell_price = 0) AND vidx IS NOT NULL AND "
            f"{allowed_by_version})")


def _zero_price_reason() -> str:
    """`runtime.decisions.refunds.zero_price_problem`'s reason, over `t`."""
    return ("CASE WHEN t.list_price = 0 THEN '`list_price`' ELSE '`sell_price`' END || ' is 0 for ' || "
            "CASE WHEN t.product <> '' THEN 'product `' || t.product || '`' ELSE 'a row without a `product`' END || "
            "'; a zero-priced product is settled only when the program names it under `price_rules.zero_price`'")


def check(con: Any, ruleset: ir.RuleSet, period: Period, unique_ids: bool) -> None:
    """Rows of `txn` the settlement rejects go to `rej`; rows to ask the quoter about, to `ask(row)`.

    A refund (`refund_of`) is checked here for its id and date only: the rest is its sale's (`_refunds`)."""
    repeated = ""
    if unique_ids:
        # A hash aggregate and a hash join, which DuckDB spills to disk: memory is bounded whatever the file's size.
        con.execute("CREATE OR REPLACE TEMP TABLE repeats AS SELECT t.row AS r_row FROM txn t JOIN (SELECT id, "
                    "min(row) AS first FROM txn GROUP BY id HAVING count(*) > 1) d ON d.id = t.id AND t.row > d.first")
        repeated = ("WHEN dup.r_row IS NOT NULL THEN {'code': 'E524', 'reason': 'transaction id `' || t.id || "
                    "'` appears twice', 'field': 'id'} ")
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE repeats(r_row BIGINT)")
    start, end = period.start.isoformat(), period.end.isoformat()
    _lapsed(con, ruleset)
    con.execute(
        f"CREATE TEMP TABLE checked AS SELECT t.row, t.id, t.date, t.partner, p.id AS known, vidx, contract_id, "
        f"CASE {repeated}"
        f"WHEN NOT (t.date BETWEEN DATE '{start}' AND DATE '{end}') THEN {{'code': 'E514', 'reason': 'dated ' || "
        f"CAST(t.date AS VARCHAR) || ', outside the period {start}..{end}', 'field': 'date'}} "
        "WHEN t.refund_of IS NOT NULL THEN NULL "
        f"WHEN {zero_price(ruleset)} THEN {{'code': 'E541', 'reason': {_zero_price_reason()}, 'field': "
        "CASE WHEN t.list_price = 0 THEN 'list_price' ELSE 'sell_price' END} "
        "WHEN vidx IS NULL THEN {'code': 'E510', 'reason': 'no version of program `' || ? || '` is in force on ' || "
        "CAST(t.date AS VARCHAR), 'field': NULL} "
        "WHEN p.id IS NULL THEN {'code': 'E511', 'reason': 'unknown partner `' || t.partner || '`', 'field': NULL} "
        "WHEN l.l_row IS NOT NULL THEN {'code': 'E515', 'reason': l.l_reason, 'field': NULL} "
        "WHEN c.contract IS NULL THEN {'code': 'E512', 'reason': 'unknown contract `' || contract_id || "
        "'` in version ' || v.version, 'field': NULL} "
        f"WHEN o.partner IS NOT NULL OR {suspect(ruleset)} OR {price_suspect(ruleset)} "
        "THEN {'code': 'ASK', 'reason': NULL, 'field': NULL} "
        "END AS v "
        f"FROM (SELECT t.*, {version_index(ruleset)} AS vidx FROM txn t) t LEFT JOIN partners p ON p.id = t.partner "
        f"{'AND t.date >= p.p_from AND t.date < p.p_until ' if reviewed(ruleset) else ''}"
        "CROSS JOIN LATERAL (SELECT COALESCE(t.contract, p.contract) AS contract_id) "
        "LEFT JOIN v_versions v ON v.v_idx = t.vidx "
        "LEFT JOIN v_contracts c ON c.c_idx = t.vidx AND c.contract = contract_id "
        "LEFT JOIN odd_chains o ON o.o_vidx = t.vidx AND o.partner = t.partner "
        "LEFT JOIN repeats dup ON dup.r_row = t.row "
        "LEFT JOIN lapsed l ON l.l_row = t.row "
        "WHERE dup.r_row IS NOT NULL OR l.l_row IS NOT NULL "
        "OR NOT (t.date BETWEEN DATE '" + start + "' AND DATE '" + end + "') "
        "OR vidx IS NULL OR p.id IS NULL "
        f"OR c.contract IS NULL OR o.partner IS NOT NULL OR {zero_price(ruleset)} "
        f"OR ({suspect(ruleset)}) OR ({price_suspect(ruleset)})",
        [ruleset.program_id])
    con.execute("INSERT INTO rej SELECT row, id, v.field, v.code, v.reason FROM checked WHERE v IS NOT NULL AND "
                "v.code <> 'ASK'")
    con.execute("CREATE TEMP TABLE ask AS SELECT row FROM checked WHERE v.code = 'ASK'")
    con.execute("DROP TABLE checked")
    con.execute("DROP TABLE repeats")
    con.execute("DROP TABLE lapsed")
