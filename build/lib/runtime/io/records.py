"""Records from CSV and JSON Lines files, one at a time, with the row number people look up.

A record is a mapping from column (or key) to its raw value: text for CSV; JSON values for JSON
Lines, where fractional numbers are `Decimal`s, never floats. A record that cannot be read at all
(bad UTF-8, bad JSON, a CSV row with the wrong number of values) comes as a problem instead, and
the next record is read as usual: one bad row never ends the file.

Rows are read in bounded chunks: a row or a field over its limit (`runtime.limits.MAX_ROW_BYTES`,
`MAX_FIELD_CHARS`) comes as a problem with the code E527, and the reading goes on at the next line,
so a file with a gigabyte on one line costs no more memory than the limit.

Row numbers: for CSV, the line on which the record starts less the header line, so the first data
row is row 1 (and row *n* is line *n + 1* of a file without blank lines or line breaks inside
quoted values); for JSON Lines, the line number.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from runtime import limits, strict_json
from runtime.io import parquet as _parquet

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


class ReadError(Exception):
    """A file that cannot be read at all: it does not exist, has no header, or has an unknown format."""

    def __init__(self, path: str | Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.message = message


@dataclass(frozen=True, slots=True)
class Record:
    """One row: its number, and either its values or why it could not be read."""

    row: int
    values: dict[str, Any]
    problem: str | None = None
    code: str = "E521"  # the problem's code: E521 a row that cannot be read, E527 one too large


def file_format(path: str | Path) -> str:
    """`csv`, `jsonl` or `parquet`, by the file's extension.

    Raises:
        ReadError: the extension is not .csv, .jsonl, .ndjson or .parquet.
    """
    found = FORMATS.get(Path(path).suffix.lower())
    if found is None:
        raise ReadError(path, "unknown file format; name the file *.csv, *.jsonl, *.ndjson or *.parquet")
    return found


def _utf8(values: list[str]) -> bool:
    try:
        for value in values:
            value.encode("utf-8")
    except UnicodeEncodeError:  # a byte that was not UTF-8, kept as a lone surrogate by `surrogateescape`
        return False
    return True


def _no_constants(name: str) -> Any:
    raise ValueError(f"`{name}` is not a number")


TOO_LARGE = "E527"
"""The code of a row or field over its limit."""

_SKIP = 1 << 16
"""How much of an over-long line is read at a time while skipping it."""


def _limit_advice(limit: limits.Limit) -> str:
    return f"raise the limit with the environment variable `{limit.variable}`"


def _large_field(values: dict[str, Any] | list[str], most: int, columns: tuple[str, ...] = ()) -> str | None:
    """Why one of a row's text values is over `most` characters, or None (a list is named by `columns`)."""
    pairs = values.items() if isinstance(values, dict) else enumerate(values)
    for key, value in pairs:
        if isinstance(value, str) and len(value) > most:
            name = columns[key] if isinstance(key, int) and key < len(columns) else key
            return f"`{name}` has {len(value):,} characters (more than {most:,}); " \
                   f"{_limit_advice(limits.MAX_FIELD_CHARS)}"
    return None


def _id_of(values: dict[str, Any], most: int) -> dict[str, Any]:
    """Only the id of a row with a value too large (so that its rejection names it), unless the id is that value."""
    found = values.get("id")
    fits = isinstance(found, int) or isinstance(found, str) and len(found) <= most
    return {"id": found} if fits else {}


class _RowTooLarge(Exception):
    """A CSV record over `MAX_ROW_BYTES`; the rest of its line has been skipped."""


class _Lines:
    """The lines of a CSV file for `csv.reader`, each read in bounded chunks.

    A record longer than the row limit (its lines together) raises `_RowTooLarge` from `__next__`,
    after skipping the rest of it unread: the rest of its line and, while a quoted value is open (an
    odd number of `"` so far, since a quote inside a value is doubled), the lines after it. The reader
    then goes on at the next record. `line` counts the lines read, as `csv.reader.line_num` would.
    """

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self._limit = limits.MAX_ROW_BYTES.value()
        self._used = 0
        self._quotes = 0
        self.line = 0

    def start_record(self) -> None:
        """The next line starts a record: its budget is the whole row limit."""
        self._used = 0
        self._quotes = 0

    def __iter__(self) -> _Lines:
        return self

    @property
    def used(self) -> int:
        """Characters of the record read so far."""
        return self._used

    def __next__(self) -> str:
        allowed = self._limit - self._used
        line = self._text.readline(allowed + 1)
        if not line:
            raise StopIteration
        self.line += 1
        self._quotes += line.count('"')
        if len(line) <= allowed or len(line.rstrip("\r\n")) <= allowed:
            self._used += len(line)
            return line
        self._skip_record(line.endswith(("\n", "\r")))
        raise _RowTooLarge(f"the row is longer than {self._limit:,} characters; {_limit_advice(limits.MAX_ROW_BYTES)}")

    def _skip_record(self, ended: bool) -> None:
        while True:
            while not ended:
                piece = self._text.readline(_SKIP)
                if not piece:
                    return
                self._quotes += piece.count('"')
                ended = piece.endswith(("\n", "\r"))
            if self._quotes % 2 == 0:
                return
            self.line += 1
            ended = False


class RecordFile:
    """An open CSV or JSON Lines file, read one record at a time; `position` tells how far (bytes)."""

    def __init__(self, path: str | Path, required: tuple[str, ...] = ()) -> None:
        self.path = Path(path)
        self.format = file_format(path)
        try:
            self._binary: IO[bytes] = open(self.path, "rb")  # closed by close()
        except OSError as exc:
            raise ReadError(path, f"cannot read: {exc.strerror or exc}") from exc
        try:
            self.size = self.path.stat().st_size
            self._field_limit = limits.MAX_FIELD_CHARS.value()
            self.columns: tuple[str, ...] = ()
            self._text: IO[str] | None = None
            if self.format == "csv":
                self._open_csv(required)
            elif self.format == "parquet":
                self._open_parquet(required)
        except BaseException:
            self._binary.close()
            raise

    def _open_csv(self, required: tuple[str, ...]) -> None:
        # surrogateescape keeps a row with bad bytes readable; the row is then rejected, not the file.
        self._text = io.TextIOWrapper(self._binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
        self._lines = _Lines(self._text)
        # INVARIANT: Python's reader refuses a field over its own (process-wide) limit, 128 KiB unless raised;
        # it must admit any field of a row within the row limit, so that ours, checked on each row, can name
        # the column. Raising it is safe: no row longer than the row limit reaches the reader.
        if csv.field_size_limit() < (most := max(limits.MAX_FIELD_CHARS.value(), limits.MAX_ROW_BYTES.value())):
            csv.field_size_limit(most)
        self._csv = csv.reader(self._lines)
        try:
            header = next(self._csv)
        except StopIteration:
            raise ReadError(self.path, "the file is empty; the first line must name the columns") from None
        except (csv.Error, _RowTooLarge) as exc:
            raise ReadError(self.path, f"cannot read the header: {exc}") from exc
        columns = tuple(c.strip() for c in header)
        if not _utf8(list(columns)):
            raise ReadError(self.path, "the header is not valid UTF-8")
        self._check_columns(columns, required)
        self._header_lines = self._lines.line

    def _open_parquet(self, required: tuple[str, ...]) -> None:
        try:
            self._duck = _parquet.connect()
            names = _parquet.columns(self._duck, self.path)
        except _parquet.ParquetProblem as exc:
            raise ReadError(self.path, str(exc)) from None
        self._names = names
        self._rows_read = 0
        self._rows = self._duck.execute("SELECT count(*) FROM read_parquet($1)", [str(self.path)]).fetchone()[0]
        self._check_columns(tuple(n.strip() for n in names), required)

    def _check_columns(self, columns: tuple[str, ...], required: tuple[str, ...]) -> None:
        seen: set[str] = set()
        for column in columns:
            if column and column in seen:
                raise ReadError(self.path, f"the header names column `{column}` twice")
            seen.add(column)
        missing = [c for c in required if c not in seen]
        if missing:
            names = ", ".join(f"`{c}`" for c in missing)
            raise ReadError(self.path, f"the header has no column {names}; it has {', '.join(columns) or 'none'}")
        self.columns = columns

    @property
    def position(self) -> int:
        """Bytes read so far (at the granularity of the read buffer; for Parquet, in proportion to rows)."""
        if self.format == "parquet":
            return self.size * self._rows_read // self._rows if self._rows else self.size
        return self._binary.tell() if not self._binary.closed else self.size

    def close(self) -> None:
        """Close the file."""
        if self._text is not None:
            self._text.close()
        if self.format == "parquet" and hasattr(self, "_duck"):
            self._duck.close()
        self._binary.close()

    def __enter__(self) -> RecordFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Record]:
        if self.format == "parquet":
            return self._parquet_records()
        return self._csv_records() if self.format == "csv" else self._json_records()

    def _parquet_records(self) -> Iterator[Record]:
        for row, values in _parquet.records(self._duck, self.path, self._names):
            self._rows_read = row
            if (large := _large_field(values, self._field_limit)) is not None:
                yield Record(row, _id_of(values, self._field_limit), large, TOO_LARGE)
                continue
            yield Record(row, values)

    def _csv_records(self) -> Iterator[Record]:
        width = len(self.columns)
        last_line = self._header_lines
        while True:
            start = last_line + 1
            self._lines.start_record()
            try:
                values = next(self._csv)
            except StopIteration:
                return
            except _RowTooLarge as exc:
                last_line = self._lines.line
                yield Record(start - self._header_lines, {}, str(exc), TOO_LARGE)
                continue
            except csv.Error as exc:
                last_line = self._lines.line
                yield _csv_problem(start - self._header_lines, exc)
                continue
            last_line = self._lines.line
            row = start - self._header_lines
            if not values or (len(values) == 1 and not values[0].strip() and width > 1):
                continue  # a blank line is not a row
            if not _utf8(values):
                yield Record(row, {}, "the row is not valid UTF-8 text")
                continue
            # A record no longer than the field limit cannot hold a value over it: most rows skip the check.
            if self._lines.used > self._field_limit and \
                    (large := _large_field(values, self._field_limit, self.columns)) is not None:
                yield Record(row, _id_of(dict(zip(self.columns, values, strict=False)), self._field_limit), large,
                             TOO_LARGE)
                continue
            extra = values[width:]
            if len(values) < width or any(v.strip() for v in extra):
                yield Record(row, dict(zip(self.columns, values, strict=False)),
                             f"the row has {len(values)} values; the header has {width} columns")
                continue
            yield Record(row, {c: v for c, v in zip(self.columns, values, strict=False) if c})

    def _json_lines(self) -> Iterator[tuple[int, bytes | None]]:
        """(line number, line) for every line, read in bounded chunks; None for a line over the row limit,
        whose rest is skipped unread."""
        limit = limits.MAX_ROW_BYTES.value()
        number = 0
        while raw := self._binary.readline(limit + 1):
            number += 1
            if len(raw) <= limit or len(raw.rstrip(b"\r\n")) <= limit:
                yield number, raw
                continue
            if not raw.endswith(b"\n"):
                while (rest := self._binary.readline(_SKIP)) and not rest.endswith(b"\n"):
                    pass
            yield number, None

    def _json_records(self) -> Iterator[Record]:
        limit = limits.MAX_ROW_BYTES.value()
        for number, raw in self._json_lines():
            if raw is None:
                yield Record(number, {}, f"the line is longer than {limit:,} bytes; "
                             f"{_limit_advice(limits.MAX_ROW_BYTES)}", TOO_LARGE)
                continue
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield Record(number, {}, "the line is not valid UTF-8 text")
                continue
            if number == 1:
                text = text.removeprefix("\ufeff")
            try:
                data = strict_json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
            except strict_json.DuplicateKey as exc:
                yield Record(number, {}, f"the line names `{exc.key}` twice; which value is meant cannot be told")
                continue
            except ValueError as exc:  # json.JSONDecodeError, or a constant or over-long number
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                yield Record(number, {}, f"the line is not valid JSON: {reason}")
                continue
            except RecursionError:
                yield Record(number, {}, "the line is not valid JSON: nested too deeply")
                continue
            if not isinstance(data, dict):
                yield Record(number, {}, "the line is not a JSON object")
                continue
            if len(raw) > self._field_limit and (large := _large_field(data, self._field_limit)) is not None:
                yield Record(number, _id_of(data, self._field_limit), large, TOO_LARGE)
                continue
            yield Record(number, data)


def _csv_problem(row: int, exc: csv.Error) -> Record:
    """A CSV row Python's reader refused: a field over its limit is too large (E527), anything else unreadable."""
    if "field larger than field limit" in str(exc):
        most = max(limits.MAX_FIELD_CHARS.value(), limits.MAX_ROW_BYTES.value(), csv.field_size_limit())
        return Record(row, {}, f"a value has more than {most:,} characters; "
                      f"{_limit_advice(limits.MAX_FIELD_CHARS)}", TOO_LARGE)
    return Record(row, {}, f"the row cannot be read as CSV: {exc}")
