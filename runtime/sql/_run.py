"""Running the quote SQL on the accepted rows, and what comes of it: transaction lines and accounts.

`quote` materialises table `q`: the generated quote query (`runtime.sql.quote_query`) over view
`transactions` (the typed rows nobody rejected), with each row's number, id and quantity. From `q`,
`copy_lines` writes the transaction lines as CSV text exactly as `SettlementWriter.on_line` would
(in row order, by DuckDB's COPY), and `fill_accounts` gives a `Settler` the per-partner, per-month
sums it keeps, so that its `finish` makes the same statements as after streaming every row.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from runtime import ir
from runtime.decisions import QuoteError, Settler
from runtime.engine import EvaluationError
from runtime.io.values import parse_duration, parse_rate
from runtime.model import Transaction
from runtime.sql import quote_query, render
from runtime.sql._validate import txn_columns

_CSV_SPECIAL = "'[,\"\\r\\n]'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ask_quoter(con: Any, ruleset: ir.RuleSet, settler: Settler) -> None:
    """Rows in `ask`: the row engine's quoter decides whether reading the rules fails; failures go to `rej`."""
    cols = txn_columns(ruleset)
    names = ", ".join(f"t.{_q(n)}" for n, _ in cols)
    cursor = con.execute(f"SELECT {names} FROM txn t JOIN ask USING (row) ORDER BY t.row")
    kinds = {d.name: d.type for d in ruleset.inputs if d.scope == "transaction"}
    failed: list[tuple[int, str, str, str]] = []
    while batch := cursor.fetchmany(4096):
        for row, txn_id, date, partner, contract, product, list_price, sell_price, quantity, *values in batch:
            fields = {name: _runtime_value(v, kinds[name]) for (name, _), v in zip(cols[9:], values, strict=True)
                      if v is not None}
            txn = Transaction(txn_id, date, partner, int(list_price), int(sell_price), int(quantity), contract,
                              product, fields)
            try:
                settler.quoter.price(txn)
            except (QuoteError, EvaluationError) as exc:
                failed.append((row, txn_id, exc.code, exc.message))
    if failed:
        con.executemany("INSERT INTO rej VALUES (?, ?, NULL, ?, ?)", failed)


def _runtime_value(value: Any, type_name: str) -> Any:
    if type_name in ("money", "integer"):
        return int(value)
    if type_name in ("number", "percent"):
        return parse_rate(value)
    if type_name == "duration":
        return parse_duration(value)
    return value


def quote(con: Any, ruleset: ir.RuleSet) -> None:
    """Table `q`: every accepted row's quote, with its row number, transaction id, quantity and partner's tier."""
    declared = "".join(f", {_q(d.name)}" for d in ruleset.inputs if d.scope == "transaction")
    con.execute("CREATE TEMP VIEW transactions AS SELECT CAST(row AS VARCHAR) AS id, date, partner, contract, "
                f"product, list_price, sell_price, quantity{declared} FROM txn ANTI JOIN rej USING (row)")
    query = quote_query(ruleset, "duckdb")
    query.set("order", None)  # rows are put in order where it matters, by row number
    con.execute("CREATE TEMP TABLE q AS SELECT t.row, t.id AS txn_id, t.quantity, p.tier AS p_tier, "
                "qq.* EXCLUDE (id) "
                f"FROM ({render(query, 'duckdb', pretty=False)}) qq JOIN txn t ON t.row = CAST(qq.id AS BIGINT) "
                "JOIN partners p ON p.id = qq.partner")


def line_meta(con: Any, ruleset: ir.RuleSet) -> None:
    """`meta`: the rule and source of each kind of transaction line, by version, contract and tier."""
    con.execute("CREATE TEMP TABLE meta(version VARCHAR, contract VARCHAR, tier VARCHAR, margin_rule VARCHAR, "
                "margin_at VARCHAR, contract_rule VARCHAR, services_at VARCHAR, fee_at VARCHAR)")
    tiers: list[str | None] = [None, *sorted({t.id for v in ruleset.versions if v.tiers for t in v.tiers.levels})]
    rows = []
    for version in ruleset.versions:
        levels = {t.id: t for t in version.tiers.levels} if version.tiers else {}
        for contract in version.contracts:
            for tier_id in tiers:
                tier = levels.get(tier_id) if tier_id is not None else None
                # The margin line's source is the first rate of the margin (base margin, else tier uplift).
                if contract.margin is not None:
                    at = contract.margin.at
                elif tier is not None and tier.uplift is not None:
                    at = tier.uplift.at
                else:
                    at = contract.at
                fee_at = contract.fee.at if contract.fee else contract.at
                rows.append([version.version, contract.id, tier_id, "margin of the vendor's direct partner",
                             _loc(at), f"contract `{contract.id}`", _loc(contract.at), _loc(fee_at)])
    if rows:
        con.executemany("INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _loc(at: ir.Loc | None) -> str:
    return str(at) if at is not None else ""


def copy_lines(con: Any, path: Path) -> None:
    """Write every transaction line of `q` to `path` as CSV rows (CRLF, minimal quoting), in row order."""
    con.execute(f"CREATE OR REPLACE MACRO csvq(s) AS CASE WHEN regexp_matches(s, {_CSV_SPECIAL}) "
                "THEN '\"' || replace(s, '\"', '\"\"') || '\"' ELSE s END")

    def line(kind: str, label: str, amount: str, rule: str, at: str) -> str:
        return (f"csvq(q.partner) || ',' || csvq(q.txn_id) || ',{kind},' || csvq('{label} on ' || q.txn_id) || ',' "
                f"|| CAST({amount} AS VARCHAR) || ',' || csvq(m.{rule}) || ',' || csvq(q.version) || ',' || "
                f"csvq(m.{at}) || chr(13)")

    fee = "COALESCE(q.referral_fee, 0)"
    join = ("FROM q JOIN meta m ON m.version = q.version AND m.contract = q.contract AND "
            "m.tier IS NOT DISTINCT FROM q.p_tier")
    con.execute(
        "COPY (SELECT l FROM ("
        f"SELECT q.row, 0 AS o, {line('margin', 'margin', 'q.partner_gross', 'margin_rule', 'margin_at')} AS l "
        f"{join} WHERE q.kind <> 'referral' UNION ALL "
        f"SELECT q.row, 1, {line('services', 'services', 'q.services', 'contract_rule', 'services_at')} "
        f"{join} WHERE q.kind <> 'referral' AND q.services IS NOT NULL UNION ALL "
        f"SELECT q.row, 2, {line('referral_fee', 'referral fee', fee, 'contract_rule', 'fee_at')} "
        f"{join} WHERE q.kind = 'referral') ORDER BY row, o) "
        "TO ? (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01')", [str(path)])


def fill_accounts(con: Any, settler: Settler) -> int:
    """Give the settler the sums it would have kept, row by row; the number of rows quoted."""
    rows = con.execute(
        "SELECT partner, year(date) * 12 + month(date) - 1 AS m, quantity > 0 AS gross, sum(sell_amount), "
        "sum(CASE WHEN kind = 'referral' THEN 0 ELSE wholesale END), sum(list_amount), sum(quantity), "
        "sum(sign(quantity)), count(*), "
        "sum(partner_gross) FILTER (kind <> 'referral'), count(*) FILTER (kind <> 'referral'), "
        "sum(services) FILTER (kind <> 'referral' AND services IS NOT NULL), "
        "count(*) FILTER (kind <> 'referral' AND services IS NOT NULL), "
        "sum(COALESCE(referral_fee, 0)) FILTER (kind = 'referral'), count(*) FILTER (kind = 'referral') "
        "FROM q GROUP BY ALL ORDER BY ALL").fetchall()
    quoted = 0
    for partner, month, gross, sales, purchases, list_sales, quantity, deals, count, *kinds in rows:
        account = settler.accounts[partner]
        account.add(month, (int(sales), int(purchases or 0), int(list_sales), int(quantity), int(deals)), gross)
        account.transactions += count
        quoted += count
        for kind, (amount, n) in zip(("margin", "services", "referral_fee"), zip(kinds[::2], kinds[1::2],
                                                                                 strict=True), strict=True):
            if n:
                account.totals[kind] += int(amount)
    ladders = con.execute("SELECT partner, year(date) * 12 + month(date) - 1, headroom_num, rate_den, "
                          "sum(list_amount) FROM q WHERE kind <> 'referral' GROUP BY ALL ORDER BY ALL").fetchall()
    for partner, month, headroom, den, amount in ladders:
        key = (month, None if headroom is None else Fraction(int(headroom), int(den)))
        settler.accounts[partner].ladder_list[key] += int(amount)
    return quoted

