"""The docs state the rounding modes as the one table of rounding rules does: words, examples and conditions."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from policy_lang.schema import program_schema
from runtime.engine import rounding
from runtime.engine.operators import round_to
from runtime.engine.rounding import ROUNDING_RULES

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["docs/reference/program.md", "docs/computation.md"]

Table = list[dict[str, str]]


def _tables(page: str) -> list[Table]:
    """The Markdown tables of a page, each a list of rows keyed by the header's cells."""
    tables: list[Table] = []
    header: list[str] | None = None
    for line in (ROOT / page).read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if not text.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in text.strip("|").split("|")]
        if header is None:
            header = cells
            tables.append([])
        elif not all(set(cell) <= set("-:") for cell in cells):
            tables[-1].append(dict(zip(header, cells, strict=False)))  # a `|` in code may split a cell
    return tables


def _mode_tables(page: str, column: str) -> list[Table]:
    return [t for t in _tables(page) if t and {"mode", "`mode`"} & set(t[0]) and column in t[0]]


def _mode(row: dict[str, str]) -> str:
    return row.get("mode", row.get("`mode`", "")).strip("`")


def _yen(text: str) -> Fraction:
    return -Fraction(text.removeprefix("−¥")) if text.startswith("−") else Fraction(text.removeprefix("¥"))


def _shown(value: Fraction | int) -> str:
    return f"−¥{-value}" if value < 0 else f"¥{value}"


def condition_text(condition: rounding.Condition) -> str:
    """A rule's condition in the docs' words."""
    return rounding.fold(condition, lambda fact: fact.value, lambda parts: " and ".join(parts) or "always",
                         lambda parts: ", or ".join(parts) or "never")


PROGRAM_MODES = program_schema()["$defs"]["rounding"]["properties"]["mode"]["enum"]


@pytest.mark.parametrize("page", PAGES)
def test_the_modes_table_says_what_each_rule_does(page: str) -> None:
    tables = _mode_tables(page, "rounds")
    assert tables, f"{page} has no table of the rounding modes"
    for table in tables:
        assert sorted(_mode(row) for row in table) == sorted(PROGRAM_MODES)
        for row in table:
            mode = _mode(row)
            assert row["rounds"] == ROUNDING_RULES[mode].rounds, mode
            for column, shown in row.items():
                if "¥" in column:
                    assert shown == _shown(round_to(_yen(column), 1, mode)), (mode, column)


def test_the_conditions_table_is_the_table_of_rules() -> None:
    [table] = _mode_tables("docs/computation.md", "one unit more when")
    assert {_mode(row): row["one unit more when"] for row in table} == \
        {mode: condition_text(rule.bump) for mode, rule in ROUNDING_RULES.items()}
