"""The duckdb engine writes the row engine's files, byte for byte, for every example program it settles.

Generated CSV (with short and long rows, blank lines, quoted ids) and Parquet files, with refunds,
unknown partners and contracts, dates outside the period and every version, ladder boundaries and
malformed values. A program the engine does not settle yet is reported as skipped with its reasons.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from ppl.cli import main
from runtime import ir
from runtime.sql import engine, unsupported
from tests.unit.runtime.sql import _engine_data as data

ROOT = Path(__file__).resolve().parents[4]
PROGRAMS = sorted(p.stem for p in (ROOT / "programs").glob("*.yaml"))


def compiled(program: str) -> ir.RuleSet:
    return compile_program(check([str(ROOT / "programs" / f"{program}.yaml")]).programs[0])


def settled_or_skip(program: str) -> ir.RuleSet:
    """The program's rule set; skipped when the SQL back end does not translate it, an expected failure (named,
    with the reasons) when it translates but the engine does not settle it yet."""
    ruleset = compiled(program)
    untranslated = unsupported(ruleset)
    if untranslated:
        pytest.skip(f"{program}: the SQL back end does not translate it yet: {'; '.join(untranslated)}")
    reasons = engine.refused(ruleset)
    if reasons:
        pytest.xfail(f"{program} translates to SQL, but the duckdb engine does not settle it yet: "
                     f"{'; '.join(reasons)}")
    return ruleset


def same_tree(left: Path, right: Path) -> None:
    """Every file of both directories exists in both with the same bytes."""
    left_files = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    right_files = sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
    assert left_files == right_files
    for name in left_files:
        assert filecmp.cmp(left / name, right / name, shallow=False), f"{name} differs"


def settle(program: str, partners: Path, transactions: Path, out: Path, engine_name: str, *extra: str) -> None:
    status = main(["settle", str(ROOT / "programs" / f"{program}.yaml"), "--partners", str(partners),
                   "--transactions", str(transactions), "--period", "FY2026", "--out", str(out), "--engine",
                   engine_name, "--color", "never", *extra])
    assert status == 0


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("program", PROGRAMS)
def test_duckdb_writes_the_row_engines_files(program: str, fmt: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    ruleset = settled_or_skip(program)
    columns, rows, partners = data.transaction_rows(program, ruleset, 600, seed=11)
    partners_file = data.write_partners(tmp_path / "partners.csv", ruleset, partners)
    if fmt == "csv":
        transactions = data.write_csv(tmp_path / "t.csv", columns, rows, ragged=True)
    else:
        transactions = data.write_parquet(tmp_path / "t.parquet", columns, rows)
    settle(program, partners_file, transactions, tmp_path / "rows", "rows")
    rows_out = capsys.readouterr().out
    settle(program, partners_file, transactions, tmp_path / "duckdb", "duckdb")
    duck_out = capsys.readouterr().out
    same_tree(tmp_path / "rows", tmp_path / "duckdb")
    assert duck_out.replace("duckdb engine", "compiled engine") == rows_out
    rejects = (tmp_path / "duckdb" / "rejects.csv").read_text(encoding="utf-8").splitlines()
    codes = {line.split(",")[3] for line in rejects[1:] if line.count(",") >= 4}
    assert {"E511", "E514", "E520", "E521"} <= codes


@pytest.mark.parametrize("program", PROGRAMS)
def test_unique_ids_and_a_typed_parquet_file(program: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    ruleset = settled_or_skip(program)
    columns, rows, partners = data.transaction_rows(program, ruleset, 300, seed=5)
    for n, row in enumerate(rows):
        if n % 37 == 0 and n:
            row["id"] = rows[n - 1]["id"]  # a repeated id
    partners_file = data.write_partners(tmp_path / "partners.csv", ruleset, partners)
    transactions = data.write_parquet(tmp_path / "t.parquet", columns, rows, typed=True)
    settle(program, partners_file, transactions, tmp_path / "rows", "rows", "--unique-ids")
    settle(program, partners_file, transactions, tmp_path / "duckdb", "duckdb", "--unique-ids")
    capsys.readouterr()
    same_tree(tmp_path / "rows", tmp_path / "duckdb")
    assert "E524" in (tmp_path / "duckdb" / "rejects.csv").read_text(encoding="utf-8")


def test_json_lines_and_odd_csv_take_the_exact_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = "saas_reseller"
    ruleset = settled_or_skip(program)
    columns, rows, partners = data.transaction_rows(program, ruleset, 120, seed=3)
    partners_file = data.write_partners(tmp_path / "partners.csv", ruleset, partners)
    rows[4]["product"] = "two\nlines"  # a line break inside a quoted value
    odd = data.write_csv(tmp_path / "t.csv", columns, rows)
    with open(odd, "ab") as handle:
        handle.write(b"T9,2026-05-01,\xff\xfe,,,100,100,1\r\n")  # not UTF-8
    settle(program, partners_file, odd, tmp_path / "rows", "rows")
    settle(program, partners_file, odd, tmp_path / "duckdb", "duckdb")
    capsys.readouterr()
    same_tree(tmp_path / "rows", tmp_path / "duckdb")
