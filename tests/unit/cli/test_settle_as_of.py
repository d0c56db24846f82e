"""`ppl settle --as-of DATE --ledger DB`: the year to date set against what earlier runs paid, on both engines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ppl.cli import main
from runtime.store import Ledger
from tests.unit.cli._asof_program import write_files

# Q1: ¥1,200,000 (ladder step 2, 2%). Q2: ¥900,000 more, ¥2,100,000 in all (step 3, 5%; the bonus target of
# ¥1,500,000 reached). Q3: the Q2 sale refunded, back to ¥1,200,000 (step 2 again, the bonus below its target).
ROWS = ("S1,2026-05-10,p,1200000,1200000,1,\n"
        "S2,2026-08-01,p,900000,900000,1,\n"
        "R1,2026-11-15,p,,,-1,S2\n")
ENGINES = ["rows", "duckdb"]


def _settle(tmp_path: Path, as_of: str, engine: str, *extra: str, out: str | None = None) -> int:
    program, partners, transactions = write_files(tmp_path, ROWS)
    return main(["settle", str(program), "--partners", str(partners), "--transactions", str(transactions),
                 "--as-of", as_of, "--out", str(tmp_path / (out or f"out-{as_of}")), "--engine", engine,
                 "--color", "never", *extra])


def _figures(tmp_path: Path, as_of: str, out: str | None = None) -> dict[str, Any]:
    data = json.loads((tmp_path / (out or f"out-{as_of}") / "statements.json").read_text(encoding="utf-8"))
    [statement] = data["statements"]
    return {k: (v["earned"], v["paid_before"], v["payable"]) for k, v in statement["settled"]["kinds"].items()}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_ladder_step_crossed_mid_year_re_rates_the_earlier_volume(engine: str, tmp_path: Path) -> None:
    ledger = str(tmp_path / "ledger.db")
    assert _settle(tmp_path, "2026-06-30", engine, "--ledger", ledger) == 0
    # Q1: 2% of ¥1,200,000 = ¥24,000; margin 10% = ¥120,000.
    assert _figures(tmp_path, "2026-06-30") == {"margin": (120_000, 0, 120_000), "ladder": (24_000, 0, 24_000)}
    assert _settle(tmp_path, "2026-09-30", engine, "--ledger", ledger) == 0
    # Q2: the whole year's ¥2,100,000 at the new 5% = ¥105,000, less the ¥24,000 paid in Q1: ¥81,000.
    q2 = _figures(tmp_path, "2026-09-30")
    assert q2["ladder"] == (105_000, 24_000, 2_100_000 * 5 // 100 - 24_000)
    assert q2["bonus"] == (30_000, 0, 30_000)
    assert q2["margin"] == (210_000, 120_000, 90_000)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bonus_is_clawed_back_once_and_a_repeat_pays_nothing(engine: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    ledger = str(tmp_path / "ledger.db")
    for as_of in ("2026-06-30", "2026-09-30", "2026-12-31"):
        assert _settle(tmp_path, as_of, engine, "--ledger", ledger) == 0
    # Q3: the refund takes the volume back to ¥1,200,000: the ¥30,000 bonus is clawed back, the ladder returns
    # to 2% (the 5% line on the net ¥1,200,000 is ¥60,000, its clawback 3% of it, −¥36,000).
    q3 = _figures(tmp_path, "2026-12-31")
    assert q3["bonus_clawback"] == (-30_000, 0, -30_000)
    assert q3["bonus"] == (30_000, 30_000, 0)
    assert q3["ladder"] == (60_000, 105_000, -45_000)
    assert q3["ladder_clawback"] == (-36_000, 0, -36_000)
    assert q3["margin"] == (120_000, 210_000, -90_000)
    capsys.readouterr()
    # The same as-of again records nothing and pays nothing.
    assert _settle(tmp_path, "2026-12-31", engine, "--ledger", ledger, out="again") == 0
    assert "run 3, as of 2026-12-31: payable now ¥0 (already recorded as run 3" in capsys.readouterr().out
    assert all(payable == 0 for _, _, payable in _figures(tmp_path, "2026-12-31", "again").values())
    # The year end: the bonus is not clawed back a second time.
    assert _settle(tmp_path, "2027-03-31", engine, "--ledger", ledger) == 0
    assert _figures(tmp_path, "2027-03-31")["bonus_clawback"] == (-30_000, -30_000, 0)
    with Ledger(ledger) as book:
        runs = book.runs("asof-program", 2026)
        assert [run.id for run in runs] == [1, 2, 3, 4]
        assert book.paid_to_date("asof-program", 2026) == {"p": {"margin": 120_000, "ladder": 60_000,
                                                                 "ladder_clawback": -36_000, "bonus": 30_000,
                                                                 "bonus_clawback": -30_000}}


def test_both_engines_record_the_same_figures(tmp_path: Path) -> None:
    for engine in ENGINES:
        for as_of in ("2026-06-30", "2026-09-30", "2026-12-31"):
            assert _settle(tmp_path, as_of, engine, "--ledger", str(tmp_path / f"{engine}.db"),
                           out=f"{engine}-{as_of}") == 0
    with Ledger(tmp_path / "rows.db") as rows, Ledger(tmp_path / "duckdb.db") as duck:
        assert [r.lines for r in rows.runs()] == [r.lines for r in duck.runs()]
    for name in ("statements.json", "statements.csv", "statements/p.md"):
        assert ((tmp_path / "rows-2026-12-31" / name).read_bytes()
                == (tmp_path / "duckdb-2026-12-31" / name).read_bytes())


def test_an_older_as_of_is_refused_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = str(tmp_path / "ledger.db")
    assert _settle(tmp_path, "2026-09-30", "rows", "--ledger", ledger) == 0
    capsys.readouterr()
    assert _settle(tmp_path, "2026-06-30", "rows", "--ledger", ledger) == 1
    err = capsys.readouterr().err
    assert "[E580]" in err and "older than the ledger's last run" in err
    assert not (tmp_path / "out-2026-06-30").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out-")] == []
    with Ledger(ledger) as book:
        assert len(book.runs()) == 1


def test_without_a_ledger_paid_before_is_zero_and_the_statement_says_so(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert _settle(tmp_path, "2026-09-30", "rows") == 0
    # margin ¥210,000 + ladder ¥105,000 + bonus ¥30,000, all of it payable
    assert "no ledger run, as of 2026-09-30: payable now ¥345,000" in capsys.readouterr().out
    assert _figures(tmp_path, "2026-09-30")["ladder"] == (105_000, 0, 105_000)
    text = (tmp_path / "out-2026-09-30" / "statements" / "p.md").read_text(encoding="utf-8")
    assert "settled without a ledger: paid before is taken as 0" in text
    header = (tmp_path / "out-2026-09-30" / "statements.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith("total,margin_earned,margin_paid_before,margin_payable,services_earned,"
                           "services_paid_before,services_payable,referral_fee_earned,referral_fee_paid_before,"
                           "referral_fee_payable,fee_earned,fee_paid_before,fee_payable,ladder_earned,"
                           "ladder_paid_before,ladder_payable,ladder_clawback_earned,ladder_clawback_paid_before,"
                           "ladder_clawback_payable,bonus_earned,bonus_paid_before,bonus_payable,"
                           "bonus_clawback_earned,bonus_clawback_paid_before,bonus_clawback_payable,"
                           "pass_through_earned,pass_through_paid_before,pass_through_payable,total_earned,"
                           "total_paid_before,total_payable")


def test_a_transaction_after_the_as_of_is_outside_the_period(tmp_path: Path) -> None:
    assert _settle(tmp_path, "2026-06-30", "rows") == 0
    rejects = (tmp_path / "out-2026-06-30" / "rejects.csv").read_text(encoding="utf-8")
    assert "E514" in rejects and "S2" in rejects and "R1" in rejects


@pytest.mark.parametrize(("extra", "message"), [
    (["--period", "FY2026"], "give either --period P or --as-of DATE"),
    (["--as-of", "2026-13-01"], "is not a date"),
])
def test_as_of_usage_errors(extra: list[str], message: str, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, transactions = write_files(tmp_path, ROWS)
    base = ["settle", str(program), "--partners", str(partners), "--transactions", str(transactions),
            "--out", str(tmp_path / "out"), "--as-of", "2026-06-30"]
    args = base[:-2] + extra if extra[0] == "--as-of" else base + extra
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_a_ledger_needs_an_as_of(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, transactions = write_files(tmp_path, ROWS)
    assert main(["settle", str(program), "--partners", str(partners), "--transactions", str(transactions),
                 "--out", str(tmp_path / "out"), "--period", "FY2026", "--ledger", str(tmp_path / "l.db")]) == 2
    assert "--ledger needs --as-of" in capsys.readouterr().err
    assert not (tmp_path / "l.db").exists()


def test_the_example_agency_program_settles_to_date_alike_on_both_engines(in_root: Path, tmp_path: Path) -> None:
    args = ["settle", "programs/ad_agency.yaml", "--transactions", "examples/data/transactions.csv", "--partners",
            "examples/data/partners.csv", "--color", "never"]
    for engine in ENGINES:
        for as_of in ("2026-06-30", "2026-09-30"):
            assert main([*args, "--engine", engine, "--as-of", as_of, "--ledger", str(tmp_path / f"{engine}.db"),
                         "--out", str(tmp_path / f"{engine}-{as_of}")]) == 0
    with Ledger(tmp_path / "rows.db") as rows, Ledger(tmp_path / "duckdb.db") as duck:
        assert [r.lines for r in rows.runs()] == [r.lines for r in duck.runs()]
        runs = rows.runs()
    paid: dict[tuple[str, str], int] = {}
    for run in runs:
        for line in run.lines:
            paid[line.partner, line.kind] = paid.get((line.partner, line.kind), 0) + line.payable
    assert {k: v for k, v in paid.items() if v} == {(p, k): v for p, kinds in runs[-1].earned().items()
                                                    for k, v in kinds.items()}
    data = json.loads((tmp_path / "rows-2026-09-30" / "statements.json").read_text(encoding="utf-8"))
    assert any("pass_through" in s["settled"]["kinds"] for s in data["statements"])
    for statement in data["statements"]:  # pass-through at cost is shown, but is not part of what is earned
        assert statement["settled"]["earned"] == statement["total"]
    assert data["as_of"]["payable"] == sum(s["settled"]["payable"] for s in data["statements"])
