"""Checking raw text rows in SQL, as `runtime.io.readers.parse_transaction` does, first problem first.

Every value in a plain form (digits, an ISO date, `true`/`false`, an enumeration member) is checked
and converted in SQL, with the row engine's code and reason. A value in any other form (currency
signs, 万 and 億, thousands separators, full-width digits, a misspelt member that deserves a "did you
mean") marks its row for the row engine's own parser, so those reasons are the same by construction.
The result is two tables: `txn` (typed rows) and `rej` (row, id, field, code, reason).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from runtime import ids, ir
from runtime.io.values import MAX_QUANTITY, declared, line_amount_reason
from runtime.model import UNSTATED
from runtime.money import MAX_AMOUNT_DIGITS

PY = "PY"  # the verdict of a value the row engine's parser must judge
TYPES = {"money": "HUGEINT", "integer": "HUGEINT", "boolean": "BOOLEAN", "date": "DATE"}
"""Typed columns of `txn` for declared inputs (others stay text, trimmed)."""

_DIGITS = "'[0-9]{1,30}'"
_INTEGER = "'-?[0-9]{1,29}'"
_ASCII = "'[\\x{20}-\\x{7e}]*'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _bad(code: str, reason: str, field: str) -> str:
    return f"{{'code': '{code}', 'reason': {reason}, 'field': '{field}'}}"


def _missing(name: str) -> str:
    return _bad("E520", f"'`{name}` is missing'", name)


def _py() -> str:
    return f"{{'code': '{PY}', 'reason': NULL, 'field': NULL}}"


def _date_check(s: str, raw: str, name: str) -> str:
    ok = (f"(regexp_full_match({s}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND TRY_CAST({s} AS DATE) IS NOT NULL "
          f"AND {s} >= '0001-01-01')")
    bad = _bad("E521", f"'`' || shown({raw}) || '` is not a date (YYYY-MM-DD)'", name)
    # A timestamp (`2026-09-30T15:00:00Z`): the row engine's parser takes its date in the program's time zone.
    stamp = f"regexp_full_match({s}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ][\\x{{20}}-\\x{{7e}}]*')"
    return (f"CASE WHEN {ok} THEN NULL WHEN {stamp} OR NOT regexp_full_match({s}, {_ASCII}) THEN {_py()} "
            f"ELSE {bad} END")


def _money_check(s: str, raw: str, name: str, minor_unit: int) -> str:
    limit = 10 ** (MAX_AMOUNT_DIGITS + minor_unit)
    too_large = (f"'`' || shown({raw}) || '` is too large for an amount (more than {MAX_AMOUNT_DIGITS} digits)'")
    return (f"CASE WHEN NOT regexp_full_match({s}, {_DIGITS}) THEN {_py()} "
            f"WHEN length({s}) > {MAX_AMOUNT_DIGITS} AND TRY_CAST({s} AS HUGEINT) * {10 ** minor_unit} >= {limit} "
            f"THEN {_bad('E521', too_large, name)} END")


def _money(s: str, minor_unit: int) -> str:
    """A checked amount in minor units: fewer than MAX_AMOUNT_DIGITS + minor unit digits fit a BIGINT (< 2⁶³)."""
    assert MAX_AMOUNT_DIGITS + minor_unit <= 18
    return f"TRY_CAST({s} AS BIGINT) * {10 ** minor_unit}"


def _id_check(s: str) -> str:
    """An id in printable ASCII within the length limit is its own canonical form (`runtime.ids.canonical_id`);
    any other id is the row engine's parser's to normalise or refuse (E525, E526, E528)."""
    return (f"CASE WHEN NOT regexp_full_match({s}, {_ASCII}) OR length({s}) > {ids.MAX_ID_LENGTH} THEN {_py()} "
            "END")


def _integer_check(s: str) -> str:
    return f"CASE WHEN NOT regexp_full_match({s}, {_INTEGER}) THEN {_py()} END"


def _value_check(s: str, raw: str, name: str, type_name: str, ruleset: ir.RuleSet) -> tuple[str, str]:
    """(verdict, typed value) of a declared input over its stripped text `s`; blank is no value and no problem."""
    if type_name == "money":
        return _money_check(s, raw, name, ruleset.minor_unit), f"TRY_CAST({s} AS HUGEINT) * {10 ** ruleset.minor_unit}"
    if type_name == "integer":
        return _integer_check(s), f"TRY_CAST({s} AS HUGEINT)"
    if type_name == "boolean":
        bad = _bad("E521", f"'`' || shown({raw}) || '` is not `true` or `false`'", name)
        return (f"CASE WHEN lower({s}) IN ('true', 'false') THEN NULL WHEN NOT regexp_full_match({s}, {_ASCII}) "
                f"THEN {_py()} ELSE {bad} END"), f"lower({s}) = 'true'"
    if type_name == "date":
        return _date_check(s, raw, name), f"TRY_CAST({s} AS DATE)"
    if type_name in ("number", "percent"):
        return (f"CASE WHEN NOT regexp_full_match({s}, '-?[0-9]{{1,29}}(\\.[0-9]{{1,28}})?%?') OR length({s}) > 29 "
                f"THEN {_py()} END"), s
    if type_name == "duration":
        bad = _bad("E521", f"'`' || shown({raw}) || '` is not a duration (such as 90d, 2w, 3mo or 1y)'", name)
        return (f"CASE WHEN regexp_full_match({s}, '[0-9]{{1,18}}(d|w|mo|y)') THEN NULL "
                f"WHEN NOT regexp_full_match({s}, {_ASCII}) THEN {_py()} ELSE {bad} END"), s
    members = ruleset.enums.get(type_name)
    if members is not None:
        listed = ", ".join("'" + m.replace("'", "''") + "'" for m in members)
        return f"CASE WHEN {s} NOT IN ({listed}) THEN {_py()} END", s
    return "NULL", s


def _literal(value: object, type_name: str) -> str:
    if type_name == "date":
        return f"DATE '{value}'"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _outside(decl: ir.InputDecl, value: str) -> str | None:
    """A condition over a declared input's typed value: it lies outside the input's `min`/`max`/`values`
    (None: the input states no range). Rates and numbers stay text in SQL: any value of a ranged one is
    left to the row engine's parser."""
    if decl.min is None and decl.max is None and decl.values is None:
        return None
    if decl.type in ("number", "percent", "duration", "boolean"):
        return "true"
    parts = []
    if decl.min is not None:
        parts.append(f"{value} < {_literal(decl.min, decl.type)}")
    if decl.max is not None:
        parts.append(f"{value} > {_literal(decl.max, decl.type)}")
    if decl.values is not None:
        parts.append(f"{value} NOT IN ({', '.join(_literal(v, decl.type) for v in decl.values)})")
    return "(" + " OR ".join(f"({p})" for p in parts) + ")"


def _s(name: str) -> str:
    """The stripped text of a column in the validation's inner query."""
    return _q("s_" + name)


def checks(ruleset: ir.RuleSet) -> tuple[list[str], list[tuple[str, str]]]:
    """The verdicts of a row's values in the order the row engine reads them, and the typed columns, over the
    stripped text of each column (`_s(name)`, NULL or '' when blank) and its raw text."""
    mu = ruleset.minor_unit

    def blank(name: str) -> str:
        return f"({_s(name)} IS NULL OR {_s(name)} = '')"

    as_int = f"TRY_CAST({_s('quantity')} AS HUGEINT)"
    limit = 10 ** (MAX_AMOUNT_DIGITS + mu)
    too_many = (f"'quantity `' || format('{{:,}}', {as_int}) || '` is too large for one row "
                f"(more than {MAX_QUANTITY:,})'")
    refund = f"NOT {blank('refund_of')}"
    # `runtime.decisions.refunds.quantity_problem`, word for word.
    negative = (f"'quantity `' || format('{{:,}}', {as_int}) || '` is negative, but the row names no sale; a refund "
                "names the sale it reverses in `refund_of`'")
    positive = (f"'a refund of `' || {_s('refund_of')} || '` with quantity `' || format('{{:,}}', {as_int}) || '`; "
                f"a refund states the units returned as a negative quantity (`' || format('{{:,}}', -{as_int}) || "
                "'`)'")
    zero = "'quantity is 0; a row is a sale or a refund of at least one unit'"
    verdicts = [
        f"CASE WHEN {blank('id')} THEN {_missing('id')} ELSE {_id_check(_s('id'))} END",
        f"CASE WHEN {blank('date')} THEN {_missing('date')} ELSE {_date_check(_s('date'), 'date', 'date')} END",
        f"CASE WHEN {blank('partner')} THEN {_missing('partner')} ELSE {_id_check(_s('partner'))} END",
        *(f"CASE WHEN NOT {blank(n)} THEN {_id_check(_s(n))} END" for n in ("contract", "product", "refund_of")),
        *(f"CASE WHEN {blank(n)} THEN CASE WHEN NOT ({refund}) THEN {_missing(n)} END "
          f"ELSE {_money_check(_s(n), n, n, mu)} END" for n in ("list_price", "sell_price")),
        f"CASE WHEN {blank('quantity')} THEN {_missing('quantity')} ELSE {_integer_check(_s('quantity'))} END",
        f"CASE WHEN abs({as_int}) > {MAX_QUANTITY} THEN {_bad('E521', too_many, 'quantity')} END",
        # The line amount (`values.line_amount_problem`; a blank price has none): both factors clamped, so the
        # product fits a HUGEINT whatever the row holds.
        *(f"CASE WHEN least(coalesce(TRY_CAST({_s(n)} AS HUGEINT), 0) * {10 ** mu}, {limit}) * "
          f"least(coalesce(abs({as_int}), 0), {MAX_QUANTITY + 1}) >= {limit} "
          f"THEN {_bad('E521', _literal(line_amount_reason(n), 'text'), 'quantity')} END"
          for n in ("list_price", "sell_price")),
        f"CASE WHEN {as_int} = 0 THEN "
        f"{_bad('E540', zero, 'quantity')} "
        f"WHEN {as_int} < 0 AND NOT ({refund}) THEN {_bad('E542', negative, 'quantity')} "
        f"WHEN {as_int} > 0 AND {refund} THEN {_bad('E546', positive, 'quantity')} END",
    ]
    typed = [("id", _s("id")), ("date", f"TRY_CAST({_s('date')} AS DATE)"), ("partner", _s("partner")),
             ("contract", f"CASE WHEN {blank('contract')} THEN NULL ELSE {_s('contract')} END"),
             ("product", f"CASE WHEN {blank('product')} THEN '' ELSE {_s('product')} END"),
             *((n, f"CASE WHEN {blank(n)} THEN {UNSTATED} ELSE {_money(_s(n), mu)} END")
               for n in ("list_price", "sell_price")),
             ("quantity", f"TRY_CAST({_s('quantity')} AS BIGINT)"),
             ("refund_of", f"CASE WHEN {blank('refund_of')} THEN NULL ELSE {_s('refund_of')} END")]
    ranged = {d.name: d for d in ruleset.inputs if d.scope == "transaction"}
    for name, type_name in declared(ruleset, "transaction").items():
        verdict, value = _value_check(_s(name), _q(name), name, type_name, ruleset)
        outside = _outside(ranged[name], value) if name in ranged else None
        if outside is not None:  # out of its range: the row engine's parser rejects it and says why (E561)
            verdict = f"COALESCE({verdict}, CASE WHEN {outside} THEN {_py()} END)"
        verdicts.append(f"CASE WHEN {blank(name)} THEN NULL ELSE {verdict} END")
        typed.append((name, f"CASE WHEN {blank(name)} THEN NULL ELSE {value} END"))
    if any(v.catalog for v in ruleset.versions):
        typed.append(("sku", "CAST(NULL AS VARCHAR)"))  # a file this path reads names no SKU (see `engine._load`)
    return verdicts, typed


def txn_columns(ruleset: ir.RuleSet) -> list[tuple[str, str]]:
    """The columns of `txn` and their SQL types."""
    cols = [("row", "BIGINT"), ("id", "VARCHAR"), ("date", "DATE"), ("partner", "VARCHAR"), ("contract", "VARCHAR"),
            ("product", "VARCHAR"), ("list_price", "BIGINT"), ("sell_price", "BIGINT"), ("quantity", "BIGINT"),
            ("refund_of", "VARCHAR")]
    cols += [(name, TYPES.get(t, "VARCHAR")) for name, t in declared(ruleset, "transaction").items()]
    return cols + ([("sku", "VARCHAR")] if any(v.catalog for v in ruleset.versions) else [])


def create_tables(con: Any, ruleset: ir.RuleSet) -> None:
    """Empty `txn_py` (rows the row engine's parser took) and `rej`, and view `txn` over `txn_py`."""
    cols = ", ".join(f"{_q(n)} {t}" for n, t in txn_columns(ruleset))
    con.execute(f"CREATE TABLE txn_py({cols})")
    con.execute("CREATE TABLE rej(row BIGINT, id VARCHAR, field VARCHAR, code VARCHAR, reason VARCHAR)")
    con.execute("CREATE OR REPLACE VIEW txn AS SELECT * FROM txn_py")


def validate(con: Any, ruleset: ir.RuleSet, names: list[str]) -> None:
    """`raw` → table `judged` in one pass: each row's typed values and its verdict `v` (NULL: good; code PY:
    the row engine's parser judges the row, whose raw text is kept in `py`). Rows with a problem found in SQL
    go to `rej`, view `txn` takes the good ones (and `txn_py`)."""
    verdicts, typed = checks(ruleset)
    first = "COALESCE(" + ", ".join(verdicts) + ")"
    stripped = ", ".join(f"pystrip({_q(n)}) AS {_s(n)}" for n in names)
    raw_cols = ", ".join(_q(n) for n in names)
    values = ", ".join(f"{expr} AS {_q(n)}" for n, expr in typed)
    kept = ", ".join(f"{_q(n)} AS {_q('r_' + n)}" for n in names)
    packed = ", ".join(f"{_q(n)} := {_q('r_' + n)}" for n in names)
    con.execute(
        f"CREATE TEMP TABLE judged AS SELECT row, v, {', '.join(_q(n) for n, _ in typed)}, "
        f"CASE WHEN v.code = '{PY}' THEN struct_pack({packed}) END AS py FROM ("
        f"SELECT row, {first} AS v, {values}, {kept} FROM (SELECT row, {stripped}, {raw_cols} FROM raw "
        "WHERE problem IS NULL))")
    con.execute("INSERT INTO rej SELECT row, COALESCE(pystrip(id), ''), NULL, 'E521', problem FROM raw "
                "WHERE problem IS NOT NULL")
    con.execute(f"INSERT INTO rej SELECT row, COALESCE(id, ''), v.field, v.code, v.reason FROM judged "
                f"WHERE v IS NOT NULL AND v.code <> '{PY}'")
    cols = ", ".join(_q(n) for n, _ in txn_columns(ruleset))
    con.execute(f"CREATE OR REPLACE VIEW txn AS SELECT {cols} FROM judged WHERE v IS NULL "
                "UNION ALL SELECT * FROM txn_py")


def python_rows(con: Any, names: list[str]) -> Iterable[tuple[int, dict[str, Any]]]:
    """(row, raw values) of the rows `validate` left to the row engine's parser."""
    cursor = con.execute(f"SELECT row, {', '.join('py.' + _q(n) for n in names)} FROM judged "
                         f"WHERE v.code = '{PY}' ORDER BY row")
    while batch := cursor.fetchmany(4096):
        for row, *values in batch:
            yield row, {n: v for n, v in zip(names, values, strict=True) if v is not None}
