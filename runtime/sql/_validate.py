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

from runtime import ir
from runtime.io.values import MAX_AMOUNT_DIGITS, MAX_QUANTITY, declared

PY = "PY"  # the verdict of a value the row engine's parser must judge
TYPES = {"money": "HUGEINT", "integer": "HUGEINT", "boolean": "BOOLEAN", "date": "DATE"}
"""Typed columns of `txn` for declared inputs (others stay text, trimmed)."""

_DIGITS = "'^[0-9]{1,30}$'"
_INTEGER = "'^-?[0-9]{1,29}$'"
_ASCII = "'^[\\x{20}-\\x{7e}]*$'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _bad(code: str, reason: str, field: str) -> str:
    return f"{{'code': '{code}', 'reason': {reason}, 'field': '{field}'}}"


def _missing(name: str) -> str:
    return _bad("E520", f"'`{name}` is missing'", name)


def _py() -> str:
    return f"{{'code': '{PY}', 'reason': NULL, 'field': NULL}}"


def _date_check(col: str, name: str) -> str:
    s = f"pystrip({col})"
    ok = (f"(regexp_matches({s}, '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$') AND try_cast({s} AS DATE) IS NOT NULL "
          f"AND {s} >= '0001-01-01')")
    bad = _bad("E521", f"'`' || shown({col}) || '` is not a date (YYYY-MM-DD)'", name)
    return f"CASE WHEN {ok} THEN NULL WHEN NOT regexp_matches({s}, {_ASCII}) THEN {_py()} ELSE {bad} END"


def _money_check(col: str, name: str, minor_unit: int) -> str:
    s = f"pystrip({col})"
    limit = 10 ** (MAX_AMOUNT_DIGITS + minor_unit)
    too_large = (f"'`' || shown({col}) || '` is too large for an amount (more than {MAX_AMOUNT_DIGITS} digits)'")
    return (f"CASE WHEN NOT regexp_matches({s}, {_DIGITS}) THEN {_py()} "
            f"WHEN TRY_CAST({s} AS HUGEINT) * {10 ** minor_unit} >= {limit} THEN {_bad('E521', too_large, name)} END")


def _integer_check(col: str) -> str:
    return f"CASE WHEN NOT regexp_matches(pystrip({col}), {_INTEGER}) THEN {_py()} END"


def _value_check(col: str, name: str, type_name: str, ruleset: ir.RuleSet) -> tuple[str, str]:
    """(verdict, typed value) of a declared input; blank is no value and no problem."""
    s = f"pystrip({col})"
    if type_name == "money":
        return _money_check(col, name, ruleset.minor_unit), f"TRY_CAST({s} AS HUGEINT) * {10 ** ruleset.minor_unit}"
    if type_name == "integer":
        return _integer_check(col), f"TRY_CAST({s} AS HUGEINT)"
    if type_name == "boolean":
        bad = _bad("E521", f"'`' || shown({col}) || '` is not `true` or `false`'", name)
        return (f"CASE WHEN lower({s}) IN ('true', 'false') THEN NULL WHEN NOT regexp_matches({s}, {_ASCII}) "
                f"THEN {_py()} ELSE {bad} END"), f"lower({s}) = 'true'"
    if type_name == "date":
        return _date_check(col, name), f"TRY_CAST({s} AS DATE)"
    if type_name in ("number", "percent"):
        return (f"CASE WHEN NOT regexp_matches({s}, '^-?[0-9]{{1,29}}(\\.[0-9]{{1,28}})?%?$') OR length({s}) > 29 "
                f"THEN {_py()} END"), s
    if type_name == "duration":
        bad = _bad("E521", f"'`' || shown({col}) || '` is not a duration (such as 90d, 2w, 3mo or 1y)'", name)
        return (f"CASE WHEN regexp_matches({s}, '^[0-9]{{1,18}}(d|w|mo|y)$') THEN NULL "
                f"WHEN NOT regexp_matches({s}, {_ASCII}) THEN {_py()} ELSE {bad} END"), s
    members = ruleset.enums.get(type_name)
    if members is not None:
        listed = "[" + ", ".join("'" + m.replace("'", "''") + "'" for m in members) + "]"
        return f"CASE WHEN NOT list_contains({listed}, {s}) THEN {_py()} END", s
    return "NULL", s


def checks(ruleset: ir.RuleSet) -> tuple[list[str], list[tuple[str, str]]]:
    """The verdicts of a row's values in the order the row engine reads them, and the typed columns."""
    mu = ruleset.minor_unit
    as_int = "TRY_CAST(pystrip(quantity) AS HUGEINT)"
    too_many = (f"'quantity `' || format('{{:,}}', {as_int}) || '` is too large for one row "
                f"(more than {MAX_QUANTITY:,})'")
    verdicts = [
        f"CASE WHEN blank(id) THEN {_missing('id')} END",
        f"CASE WHEN blank(date) THEN {_missing('date')} ELSE {_date_check('date', 'date')} END",
        f"CASE WHEN blank(partner) THEN {_missing('partner')} END",
        *(f"CASE WHEN blank({n}) THEN {_missing(n)} ELSE {_money_check(n, n, mu)} END"
          for n in ("list_price", "sell_price")),
        f"CASE WHEN blank(quantity) THEN {_missing('quantity')} ELSE {_integer_check('quantity')} END",
        f"CASE WHEN abs({as_int}) > {MAX_QUANTITY} THEN {_bad('E521', too_many, 'quantity')} END",
    ]
    typed = [("id", "pystrip(id)"), ("date", "TRY_CAST(pystrip(date) AS DATE)"), ("partner", "pystrip(partner)"),
             ("contract", "CASE WHEN blank(contract) THEN NULL ELSE pystrip(contract) END"),
             ("product", "CASE WHEN blank(product) THEN '' ELSE pystrip(product) END"),
             ("list_price", f"TRY_CAST(pystrip(list_price) AS HUGEINT) * {10 ** mu}"),
             ("sell_price", f"TRY_CAST(pystrip(sell_price) AS HUGEINT) * {10 ** mu}"),
             ("quantity", "TRY_CAST(pystrip(quantity) AS BIGINT)")]
    for name, type_name in declared(ruleset, "transaction").items():
        col = _q(name)
        verdict, value = _value_check(col, name, type_name, ruleset)
        verdicts.append(f"CASE WHEN blank({col}) THEN NULL ELSE {verdict} END")
        typed.append((name, f"CASE WHEN blank({col}) THEN NULL ELSE {value} END"))
    return verdicts, typed


def txn_columns(ruleset: ir.RuleSet) -> list[tuple[str, str]]:
    """The columns of `txn` and their SQL types."""
    cols = [("row", "BIGINT"), ("id", "VARCHAR"), ("date", "DATE"), ("partner", "VARCHAR"), ("contract", "VARCHAR"),
            ("product", "VARCHAR"), ("list_price", "HUGEINT"), ("sell_price", "HUGEINT"), ("quantity", "BIGINT")]
    return cols + [(name, TYPES.get(t, "VARCHAR")) for name, t in declared(ruleset, "transaction").items()]


def create_tables(con: Any, ruleset: ir.RuleSet) -> None:
    """Empty `txn` and `rej`."""
    cols = ", ".join(f"{_q(n)} {t}" for n, t in txn_columns(ruleset))
    con.execute(f"CREATE TABLE txn({cols})")
    con.execute("CREATE TABLE rej(row BIGINT, id VARCHAR, field VARCHAR, code VARCHAR, reason VARCHAR)")


def validate(con: Any, ruleset: ir.RuleSet) -> None:
    """`raw` → `txn` (rows whose every value is plain and good), `rej` (rows with a problem found in SQL),
    `raw_py` (rows for the row engine's parser)."""
    verdicts, typed = checks(ruleset)
    first = "COALESCE(" + ", ".join(verdicts) + ")"
    con.execute(f"CREATE TEMP TABLE judged AS SELECT row, problem, {first} AS v FROM raw WHERE problem IS NULL")
    con.execute("INSERT INTO rej SELECT row, COALESCE(pystrip(id), ''), NULL, 'E521', problem FROM raw "
                "WHERE problem IS NOT NULL")
    con.execute(f"INSERT INTO rej SELECT r.row, COALESCE(pystrip(r.id), ''), j.v.field, j.v.code, j.v.reason "
                f"FROM judged j JOIN raw r USING (row) WHERE j.v IS NOT NULL AND j.v.code <> '{PY}'")
    names = ", ".join(_q(n) for n, _ in txn_columns(ruleset))
    values = ", ".join(f"{expr} AS {_q(n)}" for n, expr in typed)
    con.execute(f"INSERT INTO txn({names}) SELECT r.row, {values} FROM judged j JOIN raw r USING (row) "
                "WHERE j.v IS NULL")
    con.execute(f"CREATE TEMP TABLE raw_py AS SELECT r.* FROM judged j JOIN raw r USING (row) "
                f"WHERE j.v.code = '{PY}'")
    con.execute("DROP TABLE judged")


def python_rows(con: Any, table: str, names: list[str]) -> Iterable[tuple[int, dict[str, Any]]]:
    """(row, raw values) of the rows in `table`, for the row engine's parser."""
    cursor = con.execute(f"SELECT row, {', '.join(_q(n) for n in names)} FROM {table} ORDER BY row")
    while batch := cursor.fetchmany(4096):
        for row, *values in batch:
            yield row, {n: v for n, v in zip(names, values, strict=True) if v is not None}
