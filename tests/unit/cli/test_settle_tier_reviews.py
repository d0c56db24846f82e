"""`ppl settle` with tier reviews: statements carry the tier history, `--as-of --ledger` records each run's
decisions (a repeat records nothing), `ppl ledger show` lists them and the exports include them; the input is read
once per pass, from standard input too."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ppl.cli import main
from runtime.store import Ledger

ROOT = Path(__file__).resolve().parents[3]
PROGRAM = """\
ppl: 1
program:
  id: reviewed-tiers
  title: Reviewed tiers
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
    window: since_last_review
    keep: 2
    grace: 1
  levels:
    - id: gold
      qualify: period.sales >= ¥1,000,000
      margin_uplift: 3%
    - id: member
      qualify: true
"""
PARTNERS = "id,contract,tier\nr,reseller,member\n"
ROWS = ("id,date,partner,list_price,sell_price,quantity\n"
        "t1,2026-05-15,r,1200000,1200000,1\n"
        "t2,2026-08-15,r,100000,100000,1\n"
        "t3,2026-11-15,r,100000,100000,1\n")


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    program, partners, transactions = tmp_path / "p.yaml", tmp_path / "partners.csv", tmp_path / "t.csv"
    program.write_text(PROGRAM, encoding="utf-8")
    partners.write_text(PARTNERS, encoding="utf-8")
    transactions.write_text(ROWS, encoding="utf-8")
    return program, partners, transactions


def _settle(tmp_path: Path, as_of: str, *extra: str) -> int:
    program, partners, transactions = _files(tmp_path)
    return main(["settle", str(program), "--partners", str(partners), "--transactions", str(transactions),
                 "--as-of", as_of, "--out", str(tmp_path / f"out-{as_of}"), "--color", "never", *extra])


def _statement(tmp_path: Path, as_of: str) -> dict[str, object]:
    data = json.loads((tmp_path / f"out-{as_of}" / "statements.json").read_text(encoding="utf-8"))
    [statement] = data["statements"]
    assert isinstance(statement, dict)
    return statement


def test_statements_show_the_tier_history_and_the_tier_at_the_period_end(tmp_path: Path) -> None:
    assert _settle(tmp_path, "2027-03-31") == 0
    statement = _statement(tmp_path, "2027-03-31")
    history = statement["tier_history"]
    assert isinstance(history, list)
    assert [(h["review"], h["tier"], h["outcome"]) for h in history] == [
        ("2026-07-01", "gold", "promoted"), ("2026-10-01", "gold", "kept"), ("2027-01-01", "gold", "grace")]
    assert history[0]["window"] == {"start": "2026-04-01", "end": "2026-06-30"}
    assert history[0]["figures"]["sales"] == 1_200_000
    assert statement["tier"] == "gold"
    markdown = (tmp_path / "out-2027-03-31" / "statements" / "r.md").read_text(encoding="utf-8")
    assert "## Tier reviews" in markdown
    assert "| 2026-07-01 | 2026-04-01 to 2026-06-30 | ¥1,200,000 | `member` | `gold` | promoted |" in markdown
    lines = (tmp_path / "out-2027-03-31" / "lines.csv").read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[4] for row in lines[1:]] == ["180000", "18000", "18000"]


def test_the_ledger_records_the_tier_history_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = str(tmp_path / "ledger.db")
    assert _settle(tmp_path, "2026-09-30", "--ledger", ledger) == 0
    assert _settle(tmp_path, "2026-12-31", "--ledger", ledger) == 0
    assert _settle(tmp_path, "2026-12-31", "--ledger", ledger) == 0  # a repeat: nothing new
    with Ledger(ledger) as opened:
        runs = opened.runs()
        assert [len(run.tiers) for run in runs] == [1, 2]
        assert [(d.review.isoformat(), d.tier, d.outcome) for d in runs[1].tiers] == [
            ("2026-07-01", "gold", "promoted"), ("2026-10-01", "gold", "kept")]
        in_force = opened.tiers_on("reviewed-tiers", datetime.date.fromisoformat("2026-11-01"))
        assert in_force["r"].tier == "gold" and in_force["r"].outcome == "kept"
        assert opened.tiers_on("reviewed-tiers", datetime.date.fromisoformat("2026-06-01")) == {}
    capsys.readouterr()
    assert main(["ledger", "show", "--db", ledger]) == 0
    shown = capsys.readouterr().out
    assert "tier reviews:" in shown and "promoted" in shown and "kept" in shown
    assert main(["ledger", "export", "--db", ledger, "--format", "json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [len(run.get("tiers", [])) for run in exported["runs"]] == [1, 2]
    assert main(["ledger", "export", "--db", ledger, "--tiers"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["run"], r["review"], r["outcome"]) for r in rows] == [
        ("1", "2026-07-01", "promoted"), ("2", "2026-07-01", "promoted"), ("2", "2026-10-01", "kept")]


def test_a_ledger_without_reviews_exports_no_tiers_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = str(tmp_path / "ledger.db")
    assert _settle(tmp_path, "2026-06-30", "--ledger", ledger) == 0  # no review before the as-of
    capsys.readouterr()
    assert main(["ledger", "export", "--db", ledger, "--format", "json"]) == 0
    assert "tiers" not in json.loads(capsys.readouterr().out)["runs"][0]


def test_transactions_from_a_pipe_are_read_once_per_pass(tmp_path: Path) -> None:
    program, partners, transactions = _files(tmp_path)
    assert _settle(tmp_path, "2027-03-31") == 0
    done = subprocess.run([sys.executable, "-m", "ppl", "settle", str(program), "--partners", str(partners),
                           "--transactions", "/dev/stdin", "--as-of", "2027-03-31", "--out", str(tmp_path / "piped"),
                           "--engine", "rows"], input=ROWS.encode(), capture_output=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr.decode()
    for name in ("statements.json", "lines.csv"):
        assert (tmp_path / "piped" / name).read_bytes() == (tmp_path / "out-2027-03-31" / name).read_bytes()


def test_the_duckdb_engine_settles_reviewed_tiers_as_the_row_engine(tmp_path: Path) -> None:
    assert _settle(tmp_path, "2027-03-31", "--engine", "rows") == 0
    (tmp_path / "out-2027-03-31").rename(tmp_path / "rows")
    assert _settle(tmp_path, "2027-03-31", "--engine", "duckdb") == 0
    for name in ("statements.json", "lines.csv", "statements/r.md"):
        assert (tmp_path / "out-2027-03-31" / name).read_bytes() == (tmp_path / "rows" / name).read_bytes()


def _quote(tmp_path: Path, day: str, *extra: str) -> int:
    program, partners, _ = _files(tmp_path)
    return main(["quote", str(program), "--partners", str(partners), "--partner", "r", "--date", day,
                 "--list-price", "100000", "--format", "json", *extra])


def test_quote_with_the_ledger_uses_the_tier_in_force_on_the_date(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    ledger = str(tmp_path / "ledger.db")
    assert _settle(tmp_path, "2026-12-31", "--ledger", ledger) == 0
    capsys.readouterr()
    margins = {}
    for day, extra in (("2026-06-30", ("--ledger", ledger)), ("2026-07-01", ("--ledger", ledger)),
                       ("2026-07-01", ())):
        assert _quote(tmp_path, day, *extra) == 0
        margins[day, bool(extra)] = json.loads(capsys.readouterr().out)["lines"][0]["amount"]
    # before the first review the partners file's member (15%); from 07-01 the ledger's gold (18%); without
    # --ledger the partners file's tier holds
    assert margins == {("2026-06-30", True): 15_000, ("2026-07-01", True): 18_000, ("2026-07-01", False): 15_000}


def test_quote_json_with_the_ledger_names_the_decision_that_set_the_tier(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = str(tmp_path / "ledger.db")
    assert _settle(tmp_path, "2026-12-31", "--ledger", ledger) == 0
    capsys.readouterr()
    assert _quote(tmp_path, "2026-11-01", "--ledger", ledger) == 0
    found = json.loads(capsys.readouterr().out)["tiers_in_force"]
    # t2 (08-15) was sold under `gold` (18%): ¥100,000 of sales, ¥82,000 of purchases
    assert found == {"r": {"tier": "gold", "decision": {
        "review": "2026-10-01", "window": {"start": "2026-07-01", "end": "2026-09-30"},
        "figures": {"sales": 100_000, "purchases": 82_000, "list_sales": 100_000, "quantity": 1, "deals": 1},
        "previous": "gold", "tier": "gold", "outcome": "kept", "rule": "tier `member`",
        "at": None,  # the ledger records the rule, not where the program writes it
        "reason": "qualifies for `member`; `gold` was earned at 2026-07-01 and is kept for 2 reviews "
                  "(1 of 2 in force)"}}}
    # before the first review no recorded decision set the tier: the partners file's holds
    assert _quote(tmp_path, "2026-06-30", "--ledger", ledger) == 0
    assert json.loads(capsys.readouterr().out)["tiers_in_force"] == {"r": {"tier": "member", "decision": None}}
    # without --ledger the JSON is as it always was
    assert _quote(tmp_path, "2026-11-01") == 0
    assert "tiers_in_force" not in json.loads(capsys.readouterr().out)


def test_explain_with_the_ledger_shows_the_decision_and_its_figures(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    ledger = str(tmp_path / "ledger.db")
    assert _settle(tmp_path, "2026-12-31", "--ledger", ledger) == 0
    program, partners, transactions = _files(tmp_path)
    capsys.readouterr()
    assert main(["explain", str(program), "--partners", str(partners), "--transactions", str(transactions),
                 "--id", "t3", "--ledger", ledger]) == 0
    shown = capsys.readouterr().out
    assert "tier uplift       3%  tier `gold`" in shown
    assert ("  r: `gold`, decided at the review of 2026-10-01 (kept): qualifies for `member`; `gold` was earned at "
            "2026-07-01 and is kept for 2 reviews (1 of 2 in force)") in shown
    assert "    window 2026-07-01 to 2026-09-30: sales ¥100,000," in shown


def test_a_ledger_tier_the_program_does_not_have_is_E516(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    ledger = str(tmp_path / "ledger.db")
    assert _settle(tmp_path, "2026-12-31", "--ledger", ledger) == 0
    (tmp_path / "p.yaml").write_text(PROGRAM.replace("gold", "platinum"), encoding="utf-8")
    program, partners = tmp_path / "p.yaml", tmp_path / "partners.csv"
    capsys.readouterr()
    assert main(["quote", str(program), "--partners", str(partners), "--partner", "r", "--date", "2026-11-01",
                 "--list-price", "100000", "--ledger", ledger]) == 1
    assert "[E516]" in capsys.readouterr().err


def _block(page: str, title: str) -> str:
    found = re.search(rf'```\w+ title="{re.escape(title)}"\n(.*?)```', page, re.DOTALL)
    assert found is not None, title
    return found.group(1)


def test_the_worked_example_of_the_reference_is_what_the_runtime_computes(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "reference" / "tiers-and-benefits.md").read_text(encoding="utf-8")
    for name in ("reviews.yaml", "review-partners.csv", "review-transactions.csv"):
        (tmp_path / name).write_text(_block(page, name), encoding="utf-8")
    assert main(["settle", str(tmp_path / "reviews.yaml"), "--partners", str(tmp_path / "review-partners.csv"),
                 "--transactions", str(tmp_path / "review-transactions.csv"), "--period", "2026-04..2027-06",
                 "--out", str(tmp_path / "out"), "--color", "never"]) == 0
    statement = (tmp_path / "out" / "statements" / "r.md").read_text(encoding="utf-8")
    computed = statement[statement.index("| review |"):statement.index("\n\n## Totals")]
    documented = page.split("<!-- tier-reviews-example:", 1)[1].split("-->\n", 1)[1]
    assert documented.startswith(computed + "\n"), "docs/reference/tiers-and-benefits.md: paste the computed table"
    lines = (tmp_path / "out" / "lines.csv").read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[4] for row in lines[1:]] == ["180000", "18000", "18000", "18000", "15000"]


def test_explain_a_statement_lists_its_tier_reviews(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, transactions = _files(tmp_path)
    assert main(["explain", str(program), "--partners", str(partners), "--transactions", str(transactions),
                 "--partner", "r", "--period", "FY2026"]) == 0
    shown = capsys.readouterr().out
    assert "  tier `gold`, 3 transactions" in shown
    assert "Tier reviews" in shown and "2026-10-01  2026-07-01..2026-09-30" in shown
    assert "margin      3  ¥216,000" in shown  # 15% of ¥1,200,000, then 18% of ¥100,000 twice
