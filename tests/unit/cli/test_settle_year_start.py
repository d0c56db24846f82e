"""`ppl settle --as-of --ledger` across program years: the review on the year's first day is held on the months the
ledger recorded for the year before, with the standing the previous year left; `{months: N}` windows reach back
before the year through the ledger. Without a ledger, the year starts from the partners file's tier."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ppl.cli import main
from runtime.store import Ledger

PROGRAM = """\
ppl: 1
program:
  id: year-start
  title: Year start
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
  fiscal_year_start: 4
contracts:
  - id: reseller
    kind: distributor
    margin: 15%
tiers:
  cadence: quarterly
  review:
    window: WINDOW
    keep: 2
    grace: 1
  levels:
    - id: gold
      qualify: period.sales >= ¥1,000,000
      margin_uplift: 3%
    - id: member
      qualify: true
"""
PARTNERS = "id,contract,tier\nr,reseller,member\ns,reseller,member\n"
# r: gold from 2026-07-01, kept at 10-01, in grace at 01-01; Jan–Mar 2027 ¥1,000,000 again.
# s: the same first three reviews; Jan–Mar 2027 only ¥300,000 (and its grace is used up).
ROWS = ("id,date,partner,list_price,sell_price,quantity\n"
        "r1,2026-05-15,r,1200000,1200000,1\n"
        "s1,2026-05-15,s,1200000,1200000,1\n"
        "s2,2026-08-15,s,100000,100000,1\n"
        "s3,2026-11-15,s,100000,100000,1\n"
        "r4,2027-02-15,r,1000000,1000000,1\n"
        "s4,2027-02-15,s,300000,300000,1\n"
        "r5,2027-04-10,r,100000,100000,1\n"
        "s5,2027-04-10,s,100000,100000,1\n"
        "r6,2027-05-10,r,100000,100000,1\n")


def _settle(tmp_path: Path, as_of: str, window: str = "since_last_review", *extra: str) -> int:
    program, partners, transactions = tmp_path / "p.yaml", tmp_path / "partners.csv", tmp_path / "t.csv"
    program.write_text(PROGRAM.replace("WINDOW", window), encoding="utf-8")
    partners.write_text(PARTNERS, encoding="utf-8")
    transactions.write_text(ROWS, encoding="utf-8")
    return main(["settle", str(program), "--partners", str(partners), "--transactions", str(transactions),
                 "--as-of", as_of, "--out", str(tmp_path / f"out-{as_of}"), "--color", "never", *extra])


def _statements(tmp_path: Path, as_of: str) -> dict[str, dict[str, object]]:
    data = json.loads((tmp_path / f"out-{as_of}" / "statements.json").read_text(encoding="utf-8"))
    return {s["partner"]: s for s in data["statements"]}


def _history(statement: dict[str, object]) -> list[tuple[str, str, str, str, int]]:
    history = statement["tier_history"]
    assert isinstance(history, list)
    return [(h["review"], h["window"]["start"], h["tier"], h["outcome"], h["figures"]["sales"]) for h in history]


def _only(statement: dict[str, Any]) -> dict[str, Any]:
    [decision] = statement["tier_history"]
    assert isinstance(decision, dict)
    return decision


def _margins(tmp_path: Path, as_of: str) -> dict[str, str]:
    lines = (tmp_path / f"out-{as_of}" / "lines.csv").read_text(encoding="utf-8").splitlines()
    return {row.split(",")[0]: row.split(",")[4] for row in lines[1:]}


def test_the_review_on_the_years_first_day_reads_the_ledgers_months_and_standing(tmp_path: Path) -> None:
    ledger = str(tmp_path / "ledger.db")
    assert _settle(tmp_path, "2027-03-31", "since_last_review", "--ledger", ledger) == 0
    assert [h[3] for h in _history(_statements(tmp_path, "2027-03-31")["s"])] == ["promoted", "kept", "grace"]
    assert _settle(tmp_path, "2027-04-30", "since_last_review", "--ledger", ledger) == 0
    found = _statements(tmp_path, "2027-04-30")
    # Q4 (Jan–Mar 2027) from the ledger: r ¥1,000,000 meets gold; s ¥300,000, its grace used at 2027-01-01: demoted
    assert _history(found["r"]) == [("2027-04-01", "2027-01-01", "gold", "met", 1_000_000)]
    assert _history(found["s"]) == [("2027-04-01", "2027-01-01", "member", "demoted", 300_000)]
    decision = _only(found["r"])
    assert decision["previous"] == "gold" and "window from" not in decision["reason"]
    # the decision is in force from the year's first day: r5 at gold's 18%, s5 at member's 15%
    assert _margins(tmp_path, "2027-04-30") == {"r": "18000", "s": "15000"}


def test_without_the_ledger_the_year_starts_from_the_partners_file(tmp_path: Path) -> None:
    assert _settle(tmp_path, "2027-04-30") == 0
    found = _statements(tmp_path, "2027-04-30")
    assert found["r"]["tier_history"] == [] and found["r"]["tier"] == "member"
    assert _margins(tmp_path, "2027-04-30") == {"r": "15000", "s": "15000"}


def test_a_ledger_without_the_previous_years_months_changes_nothing(tmp_path: Path) -> None:
    ledger = str(tmp_path / "ledger.db")
    assert _settle(tmp_path, "2027-04-30", "since_last_review", "--ledger", ledger) == 0
    assert _statements(tmp_path, "2027-04-30")["r"]["tier_history"] == []


def test_a_months_window_reaches_back_before_the_year_through_the_ledger(tmp_path: Path) -> None:
    ledger = str(tmp_path / "ledger.db")
    assert _settle(tmp_path, "2027-03-31", "{months: 12}", "--ledger", ledger) == 0
    assert _settle(tmp_path, "2027-07-31", "{months: 12}", "--ledger", ledger) == 0
    found = _statements(tmp_path, "2027-07-31")
    # 04-01 reads Apr 2026–Mar 2027: r ¥2,200,000, s ¥1,700,000; 07-01 reads Jul 2026–Jun 2027: r ¥1,200,000,
    # s ¥600,000 (s met gold at every review of FY2026, so its grace is unused)
    assert _history(found["r"]) == [("2027-04-01", "2026-04-01", "gold", "met", 2_200_000),
                                    ("2027-07-01", "2026-07-01", "gold", "met", 1_200_000)]
    assert _history(found["s"]) == [("2027-04-01", "2026-04-01", "gold", "met", 1_700_000),
                                    ("2027-07-01", "2026-07-01", "gold", "grace", 600_000)]


def test_without_the_ledger_a_months_window_is_clipped_to_the_year(tmp_path: Path) -> None:
    assert _settle(tmp_path, "2027-07-31", "{months: 12}") == 0
    decision = _only(_statements(tmp_path, "2027-07-31")["r"])
    assert (decision["window"]["start"], decision["figures"]["sales"]) == ("2027-04-01", 200_000)
    assert decision["reason"].endswith("; window from 2027-04-01, the first settled month")


def test_a_repeat_of_the_second_as_of_records_nothing(tmp_path: Path) -> None:
    ledger = str(tmp_path / "ledger.db")
    for as_of in ("2027-03-31", "2027-04-30", "2027-04-30"):
        assert _settle(tmp_path, as_of, "since_last_review", "--ledger", ledger) == 0
    with Ledger(ledger) as opened:
        assert [run.as_of.isoformat() for run in opened.runs()] == ["2027-03-31", "2027-04-30"]
    with sqlite3.connect(ledger) as db:
        months = db.execute("SELECT run, COUNT(*) FROM run_months GROUP BY run").fetchall()
        figures = db.execute("SELECT run, partner, month, sales FROM run_figures ORDER BY run, partner, month")
        assert months == [(1, 12), (2, 1)]
        assert figures.fetchall() == [
            (1, "r", "2026-05", 1_200_000), (1, "r", "2027-02", 1_000_000), (1, "s", "2026-05", 1_200_000),
            (1, "s", "2026-08", 100_000), (1, "s", "2026-11", 100_000), (1, "s", "2027-02", 300_000),
            (2, "r", "2027-04", 100_000), (2, "s", "2027-04", 100_000)]


@pytest.mark.parametrize("window", ["since_last_review", "{months: 12}"])
def test_both_engines_agree_on_the_years_first_review(tmp_path: Path, window: str) -> None:
    for engine in ("rows", "duckdb"):
        ledger = str(tmp_path / f"{engine}.db")
        assert _settle(tmp_path, "2027-03-31", window, "--ledger", ledger, "--engine", engine) == 0
        assert _settle(tmp_path, "2027-07-31", window, "--ledger", ledger, "--engine", engine) == 0
        (tmp_path / "out-2027-07-31").rename(tmp_path / engine)
    for name in ("statements.json", "lines.csv", "statements/r.md", "statements/s.md"):
        assert (tmp_path / "duckdb" / name).read_bytes() == (tmp_path / "rows" / name).read_bytes()


def test_explain_partner_with_the_ledger_holds_the_years_first_review_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger.db"
    assert _settle(tmp_path, "2027-03-31", "since_last_review", "--ledger", str(ledger)) == 0
    before = ledger.read_bytes()
    capsys.readouterr()
    common = [str(tmp_path / "p.yaml"), "--partners", str(tmp_path / "partners.csv"), "--transactions",
              str(tmp_path / "t.csv"), "--partner", "s", "--period", "2027-04", "--color", "never"]
    assert main(["explain", *common, "--ledger", str(ledger)]) == 0
    with_ledger = capsys.readouterr().out
    assert main(["explain", *common]) == 0
    without = capsys.readouterr().out
    # the 2027-04-01 review demotes s (its Q4 ¥300,000 from the ledger, grace used); without the ledger, no review
    assert "demoted" in with_ledger and "tier `member`" in with_ledger
    assert "demoted" not in without and "tier `member`" in without
    assert ledger.read_bytes() == before
