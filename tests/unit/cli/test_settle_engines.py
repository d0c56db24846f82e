"""`ppl settle --engine`: auto (default: duckdb for a program it settles), rows, duckdb; Parquet input; refusals
without a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from ppl.cli import main
from tests.unit.runtime.sql import _engine_data as data
from tests.unit.runtime.sql.test_engine_equivalence import ROOT, compiled


def _files(tmp_path: Path, program: str) -> tuple[Path, Path]:
    ruleset = compiled(program)
    columns, rows, partners = data.transaction_rows(program, ruleset, 80, seed=2)
    return (data.write_partners(tmp_path / "p.csv", ruleset, partners),
            data.write_parquet(tmp_path / "t.parquet", columns, rows))


def _settle(program: str, partners: Path, transactions: Path, out: Path, *extra: str) -> int:
    return main(["settle", str(ROOT / "programs" / f"{program}.yaml"), "--partners", str(partners), "--transactions",
                 str(transactions), "--period", "FY2026", "--out", str(out), "--color", "never", *extra])


def test_duckdb_engine_on_parquet_names_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partners, transactions = _files(tmp_path, "saas_reseller")
    assert _settle("saas_reseller", partners, transactions, tmp_path / "out", "--engine", "duckdb", "--threads",
                   "2", "--memory-limit", "256MB") == 0
    out = capsys.readouterr().out
    assert "duckdb engine" in out
    assert (tmp_path / "out" / "statements.json").exists()


@pytest.mark.parametrize("program", ["ad_agency", "saas_reseller"])
def test_default_is_duckdb_for_a_program_it_settles(program: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    partners, transactions = _files(tmp_path, program)
    assert _settle(program, partners, transactions, tmp_path / "out") == 0
    assert "duckdb engine" in capsys.readouterr().out
    assert _settle(program, partners, transactions, tmp_path / "rows", "--engine", "rows") == 0
    assert "compiled engine" in capsys.readouterr().out
    for name in ("statements.json", "lines.csv", "rejects.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "rows" / name).read_bytes()


_REFUSED = (Path(__file__).parent.parent / "runtime" / "sql" / "refused_by_sql.yaml").read_text(encoding="utf-8")


def test_refused_program_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = tmp_path / "refused.yaml"
    program.write_text(_REFUSED, encoding="utf-8")
    partners = tmp_path / "p.csv"
    partners.write_text("id,contract\nP1,sp\n", encoding="utf-8")
    transactions = tmp_path / "t.csv"
    transactions.write_text("id,date,partner,list_price,sell_price,quantity\nT1,2026-05-01,P1,1000,900,2\n",
                            encoding="utf-8")

    def run(out: str, *extra: str) -> int:
        return main(["settle", str(program), "--partners", str(partners), "--transactions", str(transactions),
                     "--period", "FY2026", "--out", str(tmp_path / out), "--color", "never", *extra])

    assert run("out", "--engine", "duckdb") == 1
    err = capsys.readouterr().err
    assert "not supported by the duckdb engine yet" in err and "division" in err and "Traceback" not in err
    assert run("auto", "--engine", "auto") == 0
    assert "compiled engine" in capsys.readouterr().out


def test_a_file_that_is_not_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partners, _ = _files(tmp_path, "saas_reseller")
    bad = tmp_path / "bad.parquet"
    bad.write_text("id,date\n", encoding="utf-8")
    for engine in ("rows", "duckdb"):
        assert _settle("saas_reseller", partners, bad, tmp_path / engine, "--engine", engine) == 2
        err = capsys.readouterr().err
        assert "cannot read as Parquet" in err and "Traceback" not in err


@pytest.mark.parametrize("option, value", [("--threads", "0"), ("--threads", "two"), ("--memory-limit", "lots"),
                                           ("--memory-limit", "2 XB")])
def test_a_bad_engine_option_is_a_usage_error_before_anything_is_read(
        option: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        _settle("saas_reseller", tmp_path / "none.csv", tmp_path / "none.parquet", tmp_path / "out", option, value)
    assert exit_.value.code == 2
    assert f"argument {option}: `{value}`" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
