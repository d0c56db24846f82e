"""The canonical key order: one table that agrees with the schema and with the language reference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy_lang.fmt import KEY_ORDER, format_text
from policy_lang.fmt.key_order import schema_constructs

ROOT = Path(__file__).resolve().parents[3]


def _reference_tables() -> list[list[str]]:
    """The key column of every `| key | …` table of docs/reference, in order."""
    tables: list[list[str]] = []
    for page in sorted((ROOT / "docs" / "reference").glob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if line.startswith("| key"):
                end = next((n for n, row in enumerate(lines[i + 2:]) if not row.startswith("|")), len(lines))
                keys = [m.group(1) for row in lines[i + 2:i + 2 + end] if (m := re.match(r"\| `(\w+)`", row))]
                tables.append(keys)
    return tables


def test_the_table_has_each_schema_construct_with_exactly_its_keys() -> None:
    constructs = {name: set(node["properties"]) for name, node in schema_constructs()}
    assert {name: set(keys) for name, keys in KEY_ORDER.items()} == constructs
    assert all(len(set(keys)) == len(keys) for keys in KEY_ORDER.values())


def test_every_reference_table_lists_its_keys_in_the_canonical_order() -> None:
    checked = 0
    for keys in _reference_tables():
        owners = [order for order in KEY_ORDER.values() if set(keys) <= set(order) and len(keys) > 1]
        if not owners:
            continue  # a table of something else (where expressions appear, what each contract kind takes)
        assert any([k for k in order if k in keys] == keys for order in owners), keys
        checked += 1
    assert checked >= 25


def test_the_file_starts_with_ppl_and_program_and_ends_with_revisions() -> None:
    assert KEY_ORDER["file"][:2] == ("ppl", "program") and KEY_ORDER["file"][-1] == "revisions"


@pytest.mark.parametrize(("written", "expected"), [
    ("program: {id: x}\nppl: 1\n", "ppl: 1\nprogram: {id: x}\n"),
    ("contracts:\n  - margin: 15%\n    kind: distributor\n    id: a\n",
     "contracts:\n  - id: a\n    kind: distributor\n    margin: 15%\n"),
    ("ppl: 1\nzeta: 1\nalpha: 2\nprogram: {id: x}\n", "ppl: 1\nprogram: {id: x}\nzeta: 1\nalpha: 2\n"),
    ("program:\n  rounding:\n    unit: ¥1\n    mode: down\n  id: x\n",
     "program:\n  id: x\n  rounding:\n    mode: down\n    unit: ¥1\n"),
])
def test_keys_follow_the_table_and_unknown_keys_keep_their_order_after_the_known(written: str, expected: str) -> None:
    assert format_text("p.yaml", written).text == expected


def test_a_construct_inside_a_list_inside_a_revision_is_ordered_as_its_own_kind() -> None:
    written = "revisions:\n  - contracts:\n      - fee: 10%\n        id: r\n    version: \"2\"\n"
    expected = "revisions:\n  - version: \"2\"\n    contracts:\n      - id: r\n        fee: 10%\n"
    assert format_text("p.yaml", written).text == expected
