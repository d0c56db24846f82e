"""Hostile ids in every id field: the row engine and the duckdb engine reject the same rows with the same codes.

A settled row is copied with one id spoilt at a time (a zero-width joiner, a right-to-left override, a tab or
a line separator inside, Cyrillic `Р` among Latin letters, over the length limit) or written another way
that has the same canonical form (full-width, a no-break space), which must then settle as the row it
copies, or repeat its id (`Ｔ-1` after `T-1`: E524).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from runtime import io as rio
from runtime.model import Transaction
from tests.unit.runtime.sql import _engine_data as data
from tests.unit.runtime.sql.test_engine_equivalence import PERIOD, PROGRAMS, same_tree, settle, settled

WIDE = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}  # ASCII → full-width


def _spoil(value: str, bad: str) -> str:
    return (value or "x9")[:1] + bad + (value or "x9")[1:]


def _lookalike(value: str) -> str:
    """The value with its first Latin letter that has one replaced by its Cyrillic lookalike (else `Р` in front)."""
    table = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")
    for n, char in enumerate(value):
        if char.translate(table) != char:
            return value[:n] + char.translate(table) + value[n + 1:]
    return "\u0420" + value


def hostile_rows(base: dict[str, str]) -> list[tuple[dict[str, str], str | None]]:
    """Copies of a settled row with one id changed, and the code each must be rejected with (None: as the base)."""
    cases: list[tuple[str, str, str | None]] = [
        ("id", _spoil("H1", "\u200d"), "E525"),
        ("id", _spoil("H2", "\u202e"), "E525"),
        ("id", _spoil("H3", "\t"), "E525"),
        ("id", "\u0420H4", "E526"),
        ("id", "H5" + "x" * 300, "E528"),
        ("id", base["id"].translate(WIDE), "E524"),  # Ｔ00001 repeats T00001
        ("id", "H\u00a07", None),  # a no-break space: `H 7`, a new id
        ("partner", _spoil(base["partner"], "\u200d"), "E525"),
        ("partner", _spoil(base["partner"], "\u2028"), "E525"),
        ("partner", _lookalike(base["partner"]), "E526"),
        ("partner", base["partner"].translate(WIDE), None),
        ("contract", _spoil(base["contract"], "\u202e"), "E525"),
        ("product", _spoil(base["product"], "\u200b"), "E525"),
        ("product", base["product"].translate(WIDE), None),
        ("refund_of", _spoil(base["id"], "\ufeff"), "E525"),
        ("refund_of", _lookalike(base["id"]), "E526"),
    ]
    out = []
    for n, (field, value, code) in enumerate(cases, 1):
        row = {**base, "id": f"H{n:02d}", field: value}
        out.append((row, code))
    return out


def _rejects(path: Path) -> dict[int, tuple[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {int(r["row"]): (r["code"], r["field"]) for r in csv.DictReader(handle)}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("program", PROGRAMS)
def test_both_engines_reject_the_same_hostile_ids_with_the_same_codes(program: str, fmt: str, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    ruleset = settled(program)
    columns, rows, partners = data.transaction_rows(program, ruleset, 150, seed=3)
    contracts = {c.id for v in ruleset.versions for c in v.contracts}
    base_row = next(n for n, r in enumerate(rows, 1)
                    if isinstance(t := rio.parse_transaction(r, ruleset), Transaction) and t.refund_of is None
                    and t.quantity > 0 and t.partner in partners and t.contract in (None, *contracts) and t.product
                    and PERIOD.start <= t.date <= PERIOD.end)
    base = rows[base_row - 1]
    added = hostile_rows(base)
    rows += [row for row, _ in added]
    partners_file = data.write_partners(tmp_path / "partners.csv", ruleset, partners)
    if fmt == "csv":
        transactions = data.write_csv(tmp_path / "t.csv", columns, rows)
    else:
        transactions = data.write_parquet(tmp_path / "t.parquet", columns, rows)
    settle(program, partners_file, transactions, tmp_path / "rows", "rows")
    settle(program, partners_file, transactions, tmp_path / "duckdb", "duckdb")
    capsys.readouterr()
    same_tree(tmp_path / "rows", tmp_path / "duckdb")
    by_rows, by_duckdb = _rejects(tmp_path / "rows" / "rejects.csv"), _rejects(tmp_path / "duckdb" / "rejects.csv")
    assert by_rows == by_duckdb
    first = len(rows) - len(added) + 1
    found = {row: code for row, (code, _) in by_rows.items() if row >= first}
    as_base = by_rows.get(base_row, (None, None))[0]
    assert as_base is None  # the row copied settles, so its copies written another way settle too
    expected = {first + n: code or as_base for n, (_, code) in enumerate(added)}
    assert {row: found.get(row) for row in expected} == expected
