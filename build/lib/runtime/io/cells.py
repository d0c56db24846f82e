"""Text cells that are safe to open: the one rule for every CSV file ppl writes, in Python and in SQL.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a carriage
return) as a formula, so a transaction id such as `=HYPERLINK("http://…")` in `lines.csv` would be
code the moment someone opens the file. As OWASP recommends for CSV injection, such a text cell is
written with a single quote in front (`'=HYPERLINK(…)`), which spreadsheets show as text. A control
character (NUL and the other C0 controls except tab, line feed and carriage return, and DEL) is never
written: each becomes U+FFFD, the replacement character. Tab, line feed and carriage return stay
inside a cell (CSV quotes such a cell).

Only text cells follow the rule: ids, labels, reasons, names, rules, versions, places. Numbers (amounts,
which may be negative, row numbers, counts) are written as they are. The row engine writes its cells
with `csv_text`; the columnar engine, which writes `lines.csv` in SQL, uses `sql_csv_text`, built from
the same constants, so both write the same bytes.

    >>> csv_text("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> csv_text("T-1"), csv_text("-2+3"), csv_text("a\\x00b") == "a\\ufffdb"
    ('T-1', "'-2+3", True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)."""
FORMULA_GUARD = "'"
"""Written before a text cell that starts with one of `FORMULA_STARTS`."""
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
"""The control characters never written, as a regular expression that Python's `re` and RE2 (DuckDB) read
alike: C0 controls except tab, line feed and carriage return, and DEL."""
REPLACEMENT = "\ufffd"
"""What a control character becomes."""

_CONTROL = re.compile(CONTROL_PATTERN)


def csv_text(text: str) -> str:
    """A text cell as written: control characters replaced, and a formula's first character guarded."""
    text = _CONTROL.sub(REPLACEMENT, text)
    return FORMULA_GUARD + text if text.startswith(FORMULA_STARTS) else text


def csv_row(values: Iterable[object]) -> list[object]:
    """A CSV row as written: every text cell through `csv_text`; numbers and the rest as they are."""
    return [csv_text(v) if isinstance(v, str) else v for v in values]


def _sql_string(text: str) -> str:
    """A SQL string literal of printable ASCII text."""
    assert text.isascii() and text.isprintable(), text
    return "'" + text.replace("'", "''") + "'"


def sql_clean(column: str) -> str:
    """DuckDB SQL for the text of `column` with its control characters replaced (as `csv_text` does)."""
    return f"regexp_replace({column}, {_sql_string(CONTROL_PATTERN)}, chr({ord(REPLACEMENT)}), 'g')"


def sql_csv_text(column: str) -> str:
    """DuckDB SQL for the text cell `csv_text` makes of `column` (a VARCHAR expression; NULL stays NULL)."""
    clean = sql_clean(column)
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)
    return f"CASE WHEN left({clean}, 1) IN ({starts}) THEN {_sql_string(FORMULA_GUARD)} || {clean} ELSE {clean} END"


# --- Markdown ---------------------------------------------------------------------------------------

_MD_ESCAPED = re.compile(r"([\\\[\]|])")
_MD_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_MD_BLOCK_START = re.compile(r"^(\s*)([#>+*-]|\d+[.)])")
_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85]+")


def _one_line(text: str) -> str:
    return _BREAKS.sub(" ", _CONTROL.sub(REPLACEMENT, text))


def md_text(text: str, start: bool = False) -> str:
    r"""Text for a Markdown line or table cell that cannot forge structure: one line, no control characters,
    `\`, `[`, `]` and `|` backslash-escaped, HTML's `&`, `<`, `>` as entities, and (when it starts a line, `start`)
    no heading, quote or list marker in front. Backquoted code in the text stays code.

    >>> md_text("a | [link](http://x) <b>")
    'a \\| \\[link\\](http://x) &lt;b&gt;'
    >>> md_text("# not a heading\nnor two lines", start=True)
    '\\# not a heading nor two lines'
    """
    text = _MD_ESCAPED.sub(r"\\\1", _one_line(text))
    for char, entity in _MD_ENTITIES:
        text = text.replace(char, entity)
    return _MD_BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text) if start else text


def md_code(text: str, in_table: bool = False) -> str:
    """Text as one Markdown code span, whatever backquotes it holds; in a table, its `|` escaped (GFM splits
    cells on `|` even inside code).

    >>> md_code("T-1"), md_code("a`b"), md_code("`x|y`", in_table=True)
    ('`T-1`', '``a`b``', '`` `x\\\\|y` ``')
    """
    text = _one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip(" ") else ""
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"
