"""Records from a Parquet file, a batch at a time, every value as the text DuckDB gives it.

Both engines read Parquet the same way, so that a value means the same to each: every column is
cast to text (a DATE becomes `2026-04-01`, an integer its digits, NULL stays missing) and then
parsed like a CSV cell. Row *n* is the file's *n*-th record. Reading needs the `duckdb` package;
memory stays flat, since records are fetched a batch at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

BATCH = 8_192


class ParquetProblem(Exception):
    """The file cannot be read as Parquet (or DuckDB is missing); the message says why."""


def connect() -> Any:
    """A single-threaded in-memory DuckDB connection (one thread keeps records in file order).

    Raises:
        ParquetProblem: the duckdb package is not installed.
    """
    try:
        import duckdb
    except ImportError:  # an optional dependency: the `sql` extra
        raise ParquetProblem("reading Parquet needs the duckdb package (pip install 'ppl[sql]')") from None
    return duckdb.connect(config={"threads": 1})


def quote(name: str) -> str:
    """A column name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def columns(con: Any, path: Path) -> tuple[str, ...]:
    """The file's column names.

    Raises:
        ParquetProblem: the file is not Parquet.
    """
    import duckdb

    try:
        described = con.execute("SELECT * FROM read_parquet($1) LIMIT 0", [str(path)]).description
    except duckdb.Error as exc:
        raise ParquetProblem(f"cannot read as Parquet: {str(exc).splitlines()[0]}") from None
    return tuple(str(d[0]) for d in described)


def as_text(names: tuple[str, ...]) -> str:
    """The select list that casts every column to text, keeping its name."""
    return ", ".join(f"CAST({quote(n)} AS VARCHAR) AS {quote(n)}" for n in names)


def records(con: Any, path: Path, names: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row, values) for every record, in file order, fetched `BATCH` at a time (empty names are left out)."""
    cursor = con.execute(f"SELECT file_row_number, {as_text(names)} FROM read_parquet($1, file_row_number = true)",
                         [str(path)])
    keys = [n.strip() for n in names]
    while True:
        batch = cursor.fetchmany(BATCH)
        if not batch:
            return
        for number, *values in batch:
            yield number + 1, {k: v for k, v in zip(keys, values, strict=True) if k}
