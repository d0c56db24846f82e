"""Transactions into DuckDB as text: table `raw(row, problem, <column> VARCHAR…)`, one row per record.

CSV is read by DuckDB as physical lines (so row numbers are the row engine's: the line a record
starts on, less the header line) and split into fields in SQL. Parquet is read by DuckDB with every
column cast to text, as the row engine's Parquet reader does. Files the fast path cannot take exactly
(JSON Lines; CSV with line breaks inside quoted values, stray quotes, bad UTF-8 or a header over
several lines) are read by the row engine's own reader instead: `fallback` says so, and the caller
parses those records in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runtime.io import parquet as _parquet
from runtime.io.readers import REQUIRED_TRANSACTION_COLUMNS
from runtime.io.records import RecordFile

PY_SPACE = (r"[\t\n\x{0b}\x{0c}\r\x{1c}-\x{1f} \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
            r"\x{202f}\x{205f}\x{3000}]")
"""The characters Python's str.strip() removes, as an RE2 class."""

_FIELD = r'("(?:[^"]|"")*"|[^,"]*),'  # one CSV field and its comma: quoted, or without quotes


def macros(con: Any) -> None:
    """SQL helpers shared by the validation: Python's strip(), the reader's shortening of shown values."""
    # A value that starts and ends with a printable ASCII character other than a space has nothing to strip.
    con.execute("CREATE OR REPLACE MACRO pystrip(s) AS CASE WHEN ascii(s) BETWEEN 33 AND 126 AND "
                f"ascii(s[-1]) BETWEEN 33 AND 126 THEN s ELSE regexp_replace(s, '^{PY_SPACE}+|{PY_SPACE}+$', '', "
                "'g') END")
    con.execute("CREATE OR REPLACE MACRO shown(s) AS CASE WHEN length(s) <= 40 THEN s ELSE left(s, 37) || '…' END")
    con.execute("CREATE OR REPLACE MACRO blank(s) AS s IS NULL OR pystrip(s) = ''")


def wanted(columns: Sequence[str], declared: Sequence[str]) -> list[str]:
    """The columns a settlement reads: the fixed ones and the declared transaction inputs (`columns`: the file's)."""
    out = ["id", "date", "partner", "contract", "product", "list_price", "sell_price", "quantity", "refund_of"]
    return out + [d for d in declared if d not in out]


def _quote(name: str) -> str:
    return _parquet.quote(name)


def load_parquet(con: Any, path: Path, names: list[str]) -> None:
    """`raw` from a Parquet file (columns it lacks are NULL)."""
    present = set(_parquet.columns(con, path))
    stripped = {c.strip(): c for c in present if c.strip()}
    cols = ", ".join(f"CAST({_quote(stripped[n])} AS VARCHAR) AS {_quote(n)}" if n in stripped
                     else f"CAST(NULL AS VARCHAR) AS {_quote(n)}" for n in names)
    # A view: the validation reads the file once, in one pass.
    con.execute(f"CREATE VIEW raw AS SELECT file_row_number + 1 AS row, CAST(NULL AS VARCHAR) AS problem, {cols} "
                f"FROM read_parquet({_literal(str(path))}, file_row_number = true)")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def header(path: Path, required: tuple[str, ...] = REQUIRED_TRANSACTION_COLUMNS) -> tuple[tuple[str, ...], int, str]:
    """A transactions file's columns, the lines its header takes, and its format (the row engine's checks).

    Raises:
        ReadError: as the row engine's reader.
    """
    with RecordFile(path, required) as records:
        lines = getattr(records, "_header_lines", 1)
        return records.columns, lines, records.format


def load_csv(con: Any, path: Path, columns: tuple[str, ...], names: list[str]) -> bool:
    """`raw` from a CSV file, split in SQL; False (and no table) when the file needs the row engine's reader."""
    import duckdb

    try:
        con.execute("CREATE TEMP TABLE csv_lines AS SELECT l FROM read_csv($1, header = false, "
                    "columns = {'l': 'VARCHAR'}, delim = '\x01', quote = '', escape = '', auto_detect = false, "
                    "strict_mode = true, parallel = false)", [str(path)])
    except duckdb.Error:  # bad UTF-8, a control character DuckDB splits on, …: the row engine's reader copes
        return False
    odd = con.execute(
        "SELECT count(*) FROM csv_lines WHERE contains(l, chr(13)) OR contains(l, chr(10)) OR (contains(l, '\"') "
        f"AND array_to_string(regexp_extract_all(l || ',', '{_FIELD}', 1), ',') <> l)").fetchone()
    if odd is None or odd[0]:
        con.execute("DROP TABLE csv_lines")
        return False
    width = len(columns)
    fields = (f"CASE WHEN contains(l, '\"') THEN list_transform(regexp_extract_all(l || ',', '{_FIELD}', 1), "
              "lambda x: CASE WHEN starts_with(x, '\"') THEN replace(x[2:-2], '\"\"', '\"') ELSE x END) "
              "ELSE string_split(l, ',') END")
    position = {c: i + 1 for i, c in reversed(list(enumerate(columns))) if c}
    cols = ", ".join(f"f[{position[n]}] AS {_quote(n)}" if n in position else f"CAST(NULL AS VARCHAR) AS {_quote(n)}"
                     for n in names)
    problem = (f"CASE WHEN len(f) < {width} OR len(list_filter(f[{width + 1}:], lambda x: pystrip(x) <> '')) > 0 "
               f"THEN 'the row has ' || len(f) || ' values; the header has {width} columns' END")
    # A blank line, or one blank value where the header has several columns, is not a row (as the row engine).
    skip = "l IS NULL" if width <= 1 else "l IS NULL OR (len(f) = 1 AND pystrip(f[1]) = '')"
    con.execute(f"CREATE TABLE raw AS SELECT n - 1 AS row, {problem} AS problem, {cols} FROM ("
                f"SELECT rowid + 1 AS n, l, {fields} AS f FROM csv_lines) WHERE n > 1 AND NOT ({skip})")
    con.execute("DROP TABLE csv_lines")
    return True


