"""Running the quote SQL on the accepted rows, and what comes of it: transaction lines and accounts.

`quote` materialises table `q`: every column of the generated quote (`runtime.sql.settle_quote_query`,
CTE `q_lines`) over view `transactions` (the typed rows nobody rejected), with each row's number.
From `q`, `copy_lines` writes the transaction lines as CSV text exactly as `SettlementWriter.on_line`
would (in row order, each transaction's lines as its quote lists them: each chain level's margin,
each pass-through at cost and its fee, services, referral fee), and `fill_accounts` gives a `Settler`
the per-partner, per-month sums it keeps (each chain level's, as `Settler.add` adds them), so that its
`finish` makes the same statements as after streaming every row.

The arithmetic runs in BIGINT; when a value outgrows it DuckDB stops with an overflow error, and the
quote is run again in HUGEINT, so amounts stay exact either way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlglot import exp

from runtime import ir
from runtime.decisions import QuoteError, Settler, chain_of, fee_cap_note
from runtime.decisions import display_title as _title
from runtime.engine import EvaluationError
from runtime.io.cells import csv_row, sql_clean, sql_csv_text
from runtime.io.values import parse_duration, parse_rate
from runtime.labels import LINE_PREFIXES, OnTransaction, at_cost_label, fee_label, rule_label
from runtime.model import Partner, Transaction
from runtime.money import format_amount, format_rate
from runtime.sql import render
from runtime.sql._build import _rates, _with, pass_scales, rate_scale, settle_quote_query
from runtime.sql._quote import depth_of, quote_ctes
from runtime.sql._rates import max_depth, unbounded_rates
from runtime.sql._validate import txn_columns


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ask_quoter(con: Any, ruleset: ir.RuleSet, settler: Settler) -> int:
    """Rows in `ask`: the row engine's quoter decides whether reading the rules fails; failures go to `rej`,
    rows a price rule holds to `held`, and the flagged violations of the rows it settles to `flags`. Returns the
    number of rows it quoted (staged through Python)."""
    con.execute("CREATE TEMP TABLE held(row BIGINT, id VARCHAR, field VARCHAR, code VARCHAR, reason VARCHAR)")
    con.execute("CREATE TEMP TABLE flags(row BIGINT, id VARCHAR, partner VARCHAR, code VARCHAR, kind VARCHAR, "
                "reason VARCHAR)")
    cols = txn_columns(ruleset)
    names = ", ".join(f"t.{_q(n)}" for n, _ in cols)
    cursor = con.execute(f"SELECT {names} FROM txn t SEMI JOIN ask USING (row) ORDER BY t.row")
    kinds = {d.name: d.type for d in ruleset.inputs if d.scope == "transaction"}
    catalog = any(v.catalog for v in ruleset.versions)  # then the last column is the SKU
    declared = cols[10:-1] if catalog else cols[10:]
    failed: list[tuple[int, str, str, str]] = []
    held: list[tuple[int, str, str, str]] = []
    flags: list[tuple[int, str, str, str, str, str]] = []
    asked = 0
    while batch := cursor.fetchmany(4096):
        asked += len(batch)
        for row, txn_id, date, partner, contract, product, list_price, sell_price, quantity, _, *values in batch:
            sku = values.pop() if catalog else None
            fields = {name: _runtime_value(v, kinds[name]) for (name, _), v in zip(declared, values, strict=True)
                      if v is not None}
            txn = Transaction(txn_id, date, partner, int(list_price), int(sell_price), int(quantity), contract,
                              product, fields, sku=sku)
            try:
                violations = settler.quoter_on(txn.date).quote(txn).violations
            except (QuoteError, EvaluationError) as exc:
                failed.append((row, txn_id, exc.code, exc.message))
                continue
            holds = [v for v in violations if v.action == "hold"]
            if holds:  # as `Settler.judged`
                held.append((row, txn_id, holds[0].code, "; ".join(v.message for v in holds)))
            else:
                flags.extend((row, txn_id, partner, v.code, v.kind, v.message) for v in violations)
    # Many rows to a statement (DuckDB's executemany runs one statement per row).
    insert_rows(con, "rej", [[row, txn_id, None, code, reason] for row, txn_id, code, reason in failed])
    insert_rows(con, "held", [[row, txn_id, None, code, reason] for row, txn_id, code, reason in held])
    insert_rows(con, "flags", [list(flag) for flag in flags])
    return asked


def ask_rates(con: Any, ruleset: ir.RuleSet) -> None:
    """Rows whose quote computes a rate outside [0 %, 100 %] join `ask`, so that the row engine's quoter rejects
    them (E560) with its own reason; nothing is run when every rate of the program is a constant in range."""
    versions = [(i, *unbounded_rates(v)) for i, v in enumerate(ruleset.versions)]
    if not any(unbounded or referral for _, unbounded, referral in versions):
        return
    rates = _rates(ruleset, "duckdb", None)
    s = rates.scale
    out = [f"base < 0 OR base > {s}", f"uplift < 0 OR uplift > {s}", f"margin > {s}"]
    out += [f"(cap_on_{k} AND (cap_{k} < 0 OR cap_{k} > {s}))" for k in range(len(rates.caps))]
    out += [f"m{j} < 0 OR m{j} > {s}" for j in range(2, depth_of(ruleset) + 1)]
    out += [f"(pt{e}_n <> 0 AND (ptf{e}_n < 0 OR ptf{e}_n > {f_scale}))"
            for e, (_, f_scale) in enumerate(pass_scales(ruleset))]
    unbounded = " OR ".join(f"vidx = {i}" for i, flag, _ in versions if flag) or "false"
    referral = " OR ".join(f"(vidx = {i} AND contract = '{c}')" for i, _, ids in versions for c in ids) or "false"
    where = (f"(kind = 'referral' AND ({referral})) OR (kind <> 'referral' AND ({unbounded}) AND "
             f"({' OR '.join(f'({o})' for o in out)}))")
    declared = "".join(f", {_q(d.name)}" for d in ruleset.inputs if d.scope == "transaction")
    con.execute("CREATE OR REPLACE TEMP VIEW transactions AS SELECT row, id, date, partner, contract, product, "
                f"list_price, sell_price, quantity{declared} FROM txn ANTI JOIN rej USING (row)")
    query = _with(quote_ctes(ruleset, rates, "duckdb", carry=("row",)), exp.select(exp.Star()).from_("q_priced"))
    con.execute(f"INSERT INTO ask SELECT row FROM ({render(query, 'duckdb', pretty=False)}) WHERE {where}")


def _runtime_value(value: Any, type_name: str) -> Any:
    if type_name in ("money", "integer"):
        return int(value)
    if type_name in ("number", "percent"):
        return parse_rate(value)
    if type_name == "duration":
        return parse_duration(value)
    return value


def _level_partner(ruleset: ir.RuleSet, k: int) -> str:
    """The column of `q` naming the partner at level k of a transaction's chain."""
    return f"c{k}_id" if max_depth(ruleset) else "partner"


def quote(con: Any, ruleset: ir.RuleSet) -> int:
    """Table `q0`: every accepted row's quote, with its row number; the number of rows quoted.

    Raises:
        duckdb.Error: DuckDB failed, also in HUGEINT.
    """
    import duckdb

    declared = "".join(f", {_q(d.name)}" for d in ruleset.inputs if d.scope == "transaction")
    declared += ", sku" if any(v.catalog for v in ruleset.versions) else ""
    con.execute("CREATE OR REPLACE TEMP VIEW transactions AS SELECT row, id, date, partner, contract, product, "
                f"list_price, sell_price, quantity{declared} FROM txn ANTI JOIN rej USING (row) "
                # a refund is its sale's quote reversed (`_refunds`)
                "ANTI JOIN held USING (row) WHERE refund_of IS NULL")
    depth = depth_of(ruleset)
    keep = ["row", "id", "date", "partner", "contract", "vidx", "kind", "chain_len", "quantity", "list_amount",
            "sell_amount", "headroom", "services", "referral_fee"]
    for k in range(1, depth + 1):
        keep += [f"keep{k}", f"pr{k}"] + ([f"c{k}_id"] if max_depth(ruleset) else [])
    for e in range(len(pass_scales(ruleset))):
        keep += [f"pt{e}", f"ptf{e}", f"ptf{e}_n"] + ([f"ptf{e}_capped"] if _fee_capped(ruleset, e) else [])
    for exact in ("BIGINT", "HUGEINT"):
        query = settle_quote_query(ruleset, ("row",), exact)
        try:
            # `lid`: the transaction the lines' labels name (a refund's are its sale's); `deal`: what it adds to
            # the deals (a sale 1; a refund −1 when it returns the sale's last unit, else 0).
            con.execute(f"CREATE OR REPLACE TEMP TABLE q0 AS SELECT {', '.join(_q(c) for c in keep)}, id AS lid, "
                        f"CAST(1 AS BIGINT) AS deal FROM ({render(query, 'duckdb', pretty=False)})")
            break
        except (duckdb.OutOfRangeException, duckdb.ConversionException):  # a value or a constant outgrew BIGINT
            if exact == "HUGEINT":
                raise
    found = con.execute("SELECT count(*) FROM q0").fetchone()
    return int(found[0]) if found else 0


def csv_line(values: tuple[str, ...]) -> str:
    """A row as `SettlementWriter` writes it, with its line end."""
    return _csv(*values) + "\r\n"


def _csv(*values: str) -> str:
    """Values as the CSV text `SettlementWriter` writes (minimal quoting), without a line end."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(csv_row(values))
    return out.getvalue()


def _first_margin_at(version: ir.Version, first: Partner, first_contract: ir.Contract,
                     contract: ir.Contract) -> ir.Loc | None:
    """Where level 1's margin comes from: the first rate of its standing, else the seller's contract."""
    if first_contract.margin is not None:
        return first_contract.margin.at
    if version.hierarchy is not None:
        level = next((lv for lv in version.hierarchy.levels if lv.level == first.level), None)
        if level is not None:
            return level.margin.at
    tier = next((t for t in version.tiers.levels if t.id == first.tier), None) if version.tiers else None
    if tier is not None and tier.uplift is not None:
        return tier.uplift.at
    return contract.at


def _loc(at: ir.Loc | None) -> str:
    return str(at) if at is not None else ""


def _line_meta(con: Any, ruleset: ir.RuleSet, partners: Mapping[str, Partner]) -> list[str]:
    """`lmeta`: per version, seller and contract of `q0` (key `mk`), the CSV text around each line's amount; the
    names of its text columns.

    `p<k>`: level k's partner and the comma after it; `s<k>`: the comma, rule, version and source after
    level k's margin; `seller`, and `svc`, `ref` and `m_pt<e>`/`m_ptf<e>` after the services, referral
    fee and pass-through lines; `m_ptl<e>`: the pass-through line's label, `m_ptn<e>` its name. The fee
    labels are in `fee_labels` (key `fk`).
    """
    depth = depth_of(ruleset)
    passes = len(pass_scales(ruleset))
    texts = ["seller", "svc", "ref", *(f"{n}{k}" for k in range(1, depth + 1) for n in ("p", "s")),
             *(f"{n}{e}" for e in range(passes) for n in ("m_pt", "m_ptf", "m_ptl", "m_ptn"))]
    rows = []
    found = con.execute("SELECT DISTINCT vidx, partner, contract FROM q0 ORDER BY ALL").fetchall()
    for mk, (vidx, seller_id, contract_id) in enumerate(found, 1):
        version = ruleset.versions[vidx]
        seller = partners[seller_id]
        contract = next(c for c in version.contracts if c.id == contract_id)
        chain = chain_of(seller, partners, version) if contract.kind != "referral" else [seller]
        first = chain[0]
        first_contract = contract if first is seller else next(c for c in version.contracts
                                                                if c.id == first.contract)
        levels = {lv.level: lv for lv in version.hierarchy.levels} if version.hierarchy else {}
        v = version.version
        fee_at = contract.fee.at if contract.fee else contract.at
        row: list[str | int | None] = [mk, vidx, seller_id, contract_id, _csv(seller_id) + ",",
                                       "," + _csv(rule_label(ir.RuleRef.contract(contract.id)), v, _loc(contract.at)),
                                       "," + _csv(rule_label(ir.RuleRef.contract(contract.id)), v, _loc(fee_at))]
        for k in range(1, depth + 1):
            if k > len(chain):
                row += [None, None]
            elif k == 1:
                at = _first_margin_at(version, first, first_contract, contract)
                row += [_csv(first.id) + ",", "," + _csv(rule_label(ir.RuleRef.direct_margin()), v, _loc(at))]
            else:
                partner = chain[k - 1]
                level = levels.get(partner.level)
                row += [_csv(partner.id) + ",", "," + _csv(rule_label(ir.RuleRef.hierarchy_level(partner.level)), v,
                                                           _loc(level.margin.at if level else None))]
        entries = version.price_rules.pass_through if version.price_rules else ()
        for e in range(passes):
            if e < len(entries):
                p = entries[e]
                rule = rule_label(ir.RuleRef.pass_through(p.id))
                name = _title(p.title, p.id)
                row += ["," + _csv(rule, v, _loc(p.amount.at)), "," + _csv(rule, v, _loc(p.fee.at)),
                        _csv(at_cost_label(name)), name]
            else:
                row += [None, None, None, None]
        rows.append(row)
    cols = ["mk INTEGER", "vidx INTEGER", "partner VARCHAR", "contract VARCHAR", *(f"{t} VARCHAR" for t in texts)]
    con.execute(f"CREATE OR REPLACE TEMP TABLE lmeta({', '.join(cols)})")
    insert_rows(con, "lmeta", rows)
    labels: list[list[Any]] = []
    for e, (_, f_scale) in enumerate(pass_scales(ruleset)):
        capped = f"q.ptf{e}_capped" if _fee_capped(ruleset, e) else "FALSE"
        for vidx, name, n, cut in con.execute(f"SELECT DISTINCT q.vidx, m.m_ptn{e}, q.ptf{e}_n, {capped} FROM q0 q "
                                              f"JOIN lmeta m USING (vidx, partner, contract) WHERE q.pt{e} IS NOT "
                                              "NULL ORDER BY ALL").fetchall():
            rules = ruleset.versions[vidx].price_rules
            note = fee_cap_note(rules.pass_through[e].fee_cap, lambda v: format_amount(
                v, ruleset.currency, ruleset.minor_unit)) if cut and rules is not None else ""
            labels.append([len(labels) + 1, vidx, e, n, bool(cut),
                           _csv(fee_label(name, format_rate(Fraction(int(n), f_scale)), note))])
    con.execute("CREATE OR REPLACE TEMP TABLE fee_labels(fk INTEGER, vidx INTEGER, e INTEGER, n HUGEINT, "
                "capped BOOLEAN, label VARCHAR)")
    insert_rows(con, "fee_labels", labels)
    return texts


def _fee_capped(ruleset: ir.RuleSet, e: int) -> bool:
    """Whether the e-th pass-through entry of some version has a `fee_cap` (its quote has `ptf<e>_capped`)."""
    return any(v.price_rules is not None and e < len(v.price_rules.pass_through)
               and v.price_rules.pass_through[e].fee_cap is not None for v in ruleset.versions)


def insert_rows(con: Any, table: str, rows: list[list[Any]], batch: int = 500) -> None:
    """Rows into a table, many to a statement (DuckDB's executemany runs one statement per row)."""
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        marks = ", ".join("(" + ", ".join("?" for _ in chunk[0]) + ")" for _ in chunk)
        con.execute(f"INSERT INTO {table} VALUES {marks}", [v for row in chunk for v in row])


def _lookups(con: Any, texts: list[str]) -> None:
    """Each text column of `lmeta` as a list in a variable `lm_<column>` (entry mk), and the fee labels as
    `lm_fee` (entry fk), so that reading them is a constant lookup rather than a join."""
    for name in texts:
        con.execute(f"SET VARIABLE lm_{name} = (SELECT COALESCE(list({name} ORDER BY mk), []) FROM lmeta)")
    con.execute("SET VARIABLE lm_fee = (SELECT COALESCE(list(label ORDER BY fk), []) FROM fee_labels)")


def copy_lines(con: Any, ruleset: ir.RuleSet, partners: Mapping[str, Partner], header: str, path: Path) -> None:
    """Write `header` and every transaction line of `q0` to `path` as CSV rows (CRLF, minimal quoting), in row
    order; `q0` becomes `q` (for the accounts)."""
    texts = _line_meta(con, ruleset, partners)
    passes = len(pass_scales(ruleset))
    fees = "".join(f", f{e}.fk AS fk{e}" for e in range(passes))
    joins = "".join(f" LEFT JOIN fee_labels f{e} ON f{e}.vidx = q.vidx AND f{e}.e = {e} AND f{e}.n = q.ptf{e}_n "
                    f"AND f{e}.capped = {f'q.ptf{e}_capped' if _fee_capped(ruleset, e) else 'FALSE'}"
                    for e in range(passes))
    depth = depth_of(ruleset)
    # Only what the lines read is sorted by row (the sort carries every column it keeps); the accounts
    # read the whole quote, in any order.
    capped = any(c.margin_cap is not None for v in ruleset.versions for c in v.contracts)
    needed = ["row", "id", "lid", "kind", "chain_len", *(f"keep{k}" for k in range(1, depth + 1)),
              *(["mcap_note"] * capped),
              *(f"{c}{e}" for e in range(passes) for c in ("pt", "ptf")), "services", "referral_fee"]
    con.execute(f"CREATE OR REPLACE TEMP TABLE ql AS SELECT {', '.join(f'q.{c}' for c in needed)}, m.mk{fees} "
                f"FROM q0 q JOIN lmeta m USING (vidx, partner, contract){joins} ORDER BY q.row")
    con.execute("ALTER TABLE q0 RENAME TO q")
    _lookups(con, texts)

    def get(name: str, key: str = "mk") -> str:
        return f"getvariable('lm_{name}')[{key}]"

    def line(prefix: str, kind: str, label: str, amount: str, suffix: str) -> str:
        return f"concat({prefix}, tid, ',{kind},', {label}, ',', {amount}, {suffix})"

    def label(kind: OnTransaction, note: str = "") -> str:
        prefix = LINE_PREFIXES[kind]
        assert "'" not in prefix
        return f"concat(lq, '{prefix}', ide, {note + ', ' if note else ''}lq)"

    # Level 1's margin line says when the contract's per-line margin cap bit (`mcap_note`, from the quote).
    notes = {1: "mcap_note"} if capped else {}
    parts = [f"CASE WHEN kind <> 'referral' AND chain_len >= {k} THEN "
             f"{line(get(f'p{k}'), 'margin', label('margin', notes.get(k, '')), f'keep{k}', get(f's{k}'))} END"
             for k in range(1, depth + 1)]
    for e in range(passes):
        parts.append(f"CASE WHEN pt{e} IS NOT NULL THEN concat("
                     f"{line(get('seller'), 'pass_through', get(f'm_ptl{e}'), f'pt{e}', get(f'm_pt{e}'))}, "
                     "chr(13), chr(10), "
                     f"{line(get('seller'), 'fee', get('fee', f'fk{e}'), f'ptf{e}', get(f'm_ptf{e}'))}) END")
    parts.append(f"CASE WHEN services IS NOT NULL THEN "
                 f"{line(get('seller'), 'services', label('services'), 'services', get('svc'))} END")
    parts.append(f"CASE WHEN referral_fee IS NOT NULL THEN "
                 f"{line(get('seller'), 'referral_fee', label('referral_fee'), 'referral_fee', get('ref'))} END")
    # A transaction id with a comma, quote or line break is quoted, in its lines' labels too.
    def special(c: str) -> str:
        return f"contains({c}, ',') OR contains({c}, '\"') OR contains({c}, chr(10)) OR contains({c}, chr(13))"

    # The id and the label are text cells, written as `runtime.io.cells.csv_text` writes them; the label starts
    # with its prefix, so only its control characters are replaced.
    source = (f"(SELECT *, CASE WHEN lodd THEN '\"' ELSE '' END AS lq, "
              "CASE WHEN lodd THEN replace(lid, '\"', '\"\"') ELSE lid END AS ide, "
              "CASE WHEN odd THEN '\"' || replace(id, '\"', '\"\"') || '\"' ELSE id END AS tid "
              f"FROM (SELECT *, {special('id')} AS odd, {special('lid')} AS lodd FROM "
              f"(SELECT * REPLACE ({sql_csv_text('id')} AS id, {sql_clean('lid')} AS lid) FROM ql)))")
    # `q` is in row order and the scan keeps it (preserve_insertion_order), so the lines stream straight to
    # the file: each row's lines are one value, which DuckDB ends with CRLF, and the header is the name of
    # that one column (written as it is: no quoting).
    name = '"' + header.removesuffix("\r\n").replace('"', '""') + '"'
    con.execute(f"COPY (SELECT l AS {name} FROM (SELECT concat_ws(chr(13) || chr(10), {', '.join(parts)}) AS l "
                f"FROM {source}) WHERE l <> '') TO ? (FORMAT csv, HEADER true, QUOTE '', ESCAPE '', "
                "DELIMITER '\x01', NEW_LINE '\r\n')", [str(path)])
    con.execute("DROP TABLE ql")


def fill_accounts(con: Any, ruleset: ir.RuleSet, settler: Settler) -> None:
    """Give the settler the sums it would have kept, row by row (`Settler.add`)."""
    month = "year(date) * 12 + month(date) - 1"
    volume = "quantity, deal, date"
    arms = ["SELECT partner, sell_amount AS sales, 0 AS purchases, list_amount, " + volume +
            " FROM q WHERE kind = 'referral'"]
    for k in range(1, depth_of(ruleset) + 1):
        # Each level receives what the level below pays it (the seller: the sell amount), and pays its price.
        arms.append(f"SELECT {_level_partner(ruleset, k)}, keep{k} + pr{k}, pr{k}, list_amount, {volume} FROM q "
                    f"WHERE kind <> 'referral' AND chain_len >= {k}")
    rows = con.execute(
        f"SELECT partner, {month} AS m, quantity > 0 AS gross, sum(sales), sum(purchases), sum(list_amount), "
        f"sum(quantity), sum(deal) FROM ({' UNION ALL '.join(arms)}) GROUP BY ALL").fetchall()
    accounts = settler.accounts
    for partner, m, gross, sales, purchases, list_sales, quantity, deals in rows:
        accounts[partner].add(m, (int(sales), int(purchases), int(list_sales), int(quantity), int(deals)), gross)
    for partner, count in con.execute("SELECT partner, count(*) FROM q GROUP BY ALL").fetchall():
        accounts[partner].transactions += count
    kinds = [f"SELECT {_level_partner(ruleset, k)} AS partner, 'margin' AS kind, keep{k} AS amount FROM q "
             f"WHERE kind <> 'referral' AND chain_len >= {k}" for k in range(1, depth_of(ruleset) + 1)]
    for e in range(len(pass_scales(ruleset))):
        kinds += [f"SELECT partner, 'pass_through', pt{e} FROM q WHERE pt{e} IS NOT NULL",
                  f"SELECT partner, 'fee', ptf{e} FROM q WHERE pt{e} IS NOT NULL"]
    kinds += ["SELECT partner, 'services', services FROM q WHERE services IS NOT NULL",
              "SELECT partner, 'referral_fee', referral_fee FROM q WHERE referral_fee IS NOT NULL"]
    for partner, kind, amount in con.execute(f"SELECT partner, kind, sum(amount) FROM ({' UNION ALL '.join(kinds)}) "
                                             "GROUP BY ALL").fetchall():
        accounts[partner].totals[kind] += int(amount)
    ladders = con.execute(f"SELECT {_level_partner(ruleset, 1)}, {month}, headroom, sum(list_amount) FROM q "
                          "WHERE kind <> 'referral' GROUP BY ALL").fetchall()
    den = rate_scale(ruleset)
    for partner, m, headroom, amount in ladders:
        key = (m, None if headroom is None else Fraction(int(headroom), den))
        accounts[partner].ladder_list[key] += int(amount)
