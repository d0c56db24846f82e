"""CSV cells a spreadsheet would run as formulas are neutralised alike by both engines, and no control
character is written: hostile transaction ids and partner ids, settled by the row engine and by DuckDB."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from runtime.io.cells import CONTROL_PATTERN, FORMULA_STARTS, csv_text, sql_csv_text
from tests.unit.runtime.sql import _engine_data as data
from tests.unit.runtime.sql.test_engine_equivalence import PROGRAMS, same_tree, settle, settled

HOSTILE = ['=HYPERLINK("http://evil.example/?x","click")', "+1", "@SUM(A1:A9)", "-2+3", "\tT-tab", "\rT-cr",
           "T\x00nul", "T\x07bell\x7f", "=1,2", '"=quoted"', "T-ok"]


@pytest.mark.parametrize("text", [*HOSTILE, "", "'=already", "T\nline", "ａ=b", "¥-1", "=\u0301x", "-\u0301",
                                  "\u200b=x", "\U0001f600"])
def test_the_sql_expression_makes_the_cell_the_python_function_makes(text: str) -> None:
    con = duckdb.connect()
    [(cell,)] = con.execute(f"SELECT {sql_csv_text('x')} FROM (SELECT ?::VARCHAR AS x)", [text]).fetchall()
    assert cell == csv_text(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_a_text_cell_never_starts_a_formula_nor_carries_a_control_character(text: str) -> None:
    import re
    cell = csv_text(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert not re.search(CONTROL_PATTERN, cell)
    assert cell.lstrip("'").replace("\ufffd", "?") == re.sub(CONTROL_PATTERN, "?", text)


def _text_cells(path: Path, numeric: set[str]) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [v for row in rows for k, v in row.items() if k not in numeric and v]


@pytest.mark.parametrize("program", PROGRAMS)
def test_both_engines_write_hostile_ids_as_the_same_safe_cells(program: str, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    ruleset = settled(program)
    columns, rows, partners = data.transaction_rows(program, ruleset, 200, seed=7)
    sold = Counter(row["partner"] for row in rows if row["partner"] in partners)
    seller = sold.most_common(1)[0][0]
    evil = "=cmd|' /C calc'!A0"
    partners = {(evil if k == seller else k): (replace(p, id=evil) if k == seller else p)
                for k, p in partners.items()}
    partners = {k: (replace(p, parent=evil) if p.parent == seller else p) for k, p in partners.items()}
    for n, row in enumerate(rows):
        if row["partner"] == seller:
            row["partner"] = evil
        if n < len(HOSTILE) * 3 and n % 3 == 0:
            row["id"] = HOSTILE[n // 3]
    partners_file = data.write_partners(tmp_path / "partners.csv", ruleset, partners)
    transactions = data.write_csv(tmp_path / "t.csv", columns, rows)
    settle(program, partners_file, transactions, tmp_path / "rows", "rows")
    settle(program, partners_file, transactions, tmp_path / "duckdb", "duckdb")
    capsys.readouterr()
    same_tree(tmp_path / "rows", tmp_path / "duckdb")
    out = tmp_path / "rows"
    lines = (out / "lines.csv").read_text(encoding="utf-8")
    assert "\n'=cmd|" in lines and ",'+1," in lines
    assert "'=HYPERLINK(" in lines + (out / "rejects.csv").read_text(encoding="utf-8")
    cells = _text_cells(out / "lines.csv", {"amount"}) + _text_cells(out / "rejects.csv", {"row"})
    cells += _text_cells(out / "statements.csv", {"level", "transactions", "total", *(
        k for v in ruleset.versions for k in ("margin", "services", "referral_fee", "fee", "ladder", "bonus",
                                              "ladder_clawback", "bonus_clawback", "cap", "pass_through"))})
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    for path in out.rglob("*"):
        if path.is_file():
            assert not [c for c in path.read_text(encoding="utf-8") if c < " " and c not in "\t\r\n" or c == "\x7f"]
