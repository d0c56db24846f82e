"""Dated facts through the command line: withheld benefits with their reasons in quotes and statements,
`--partner-facts` counted in the summary, `ppl check` refusing bad records, and both engines agreeing."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from ppl.cli import main
from tests.unit.facts._facts_program import PARTNERS, write_files


def _quote(program: Path, partners: Path, partner: str, day: str, *extra: str) -> int:
    return main(["quote", str(program), "--partners", str(partners), "--partner", partner, "--date", day,
                 "--list-price", "100000", "--sell-price", "100000", "--quantity", "1", *extra])


def test_a_quote_lists_benefits_withheld_with_the_record_and_its_date(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, _ = write_files(tmp_path)
    assert _quote(program, partners, "P-1", "2026-09-15") == 0
    out = capsys.readouterr().out
    assert "Benefits withheld\n  Early roadmap access: NDA expired on 2026-08-31  [benefit `roadmap`" in out
    assert _quote(program, partners, "P-1", "2026-05-10") == 0
    assert "Benefits withheld" not in capsys.readouterr().out


def test_a_quote_in_json_gives_each_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, _ = write_files(tmp_path)
    assert _quote(program, partners, "P-3", "2026-09-15", "--format", "json") == 0
    withheld = {w["name"]: w["reasons"] for w in json.loads(capsys.readouterr().out)["withheld"]}
    assert withheld == {
        "Early roadmap access": ["no `nda` on file"],
        "Product training": ["condition not met: `count(partner.certifications, valid_on: as_of) >= 1`",
                             "Controllers not valid until 2026-10-01"]}


def test_a_margin_reads_the_nda_on_the_transaction_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, _ = write_files(tmp_path)
    assert _quote(program, partners, "P-1", "2026-08-31", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["margin"] == "0.13"  # 12% under the NDA (its last day) + 1% gold
    assert _quote(program, partners, "P-1", "2026-09-01", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["margin"] == "0.11"


def _settle(program: Path, partners: Path, transactions: Path, out: Path, *extra: str) -> int:
    return main(["settle", str(program), "--partners", str(partners), "--transactions", str(transactions),
                 "--out", str(out), "--color", "never", *extra])


def test_a_statement_lists_benefits_granted_and_withheld_at_the_period_end(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, transactions = write_files(tmp_path)
    assert _settle(program, partners, transactions, tmp_path / "out", "--period", "2026-09") == 0
    data = json.loads((tmp_path / "out" / "statements.json").read_text(encoding="utf-8"))
    p1 = next(s for s in data["statements"] if s["partner"] == "P-1")
    assert [b["name"] for b in p1["benefits"]] == ["Product training"]
    assert p1["withheld"][0]["reasons"] == ["NDA expired on 2026-08-31"]
    assert p1["next_tier"]["tier"] == "member"  # on 2026-09-30 one certification is valid, gold needs two
    markdown = (tmp_path / "out" / "statements" / "P-1.md").read_text(encoding="utf-8")
    assert "## Benefits as of 2026-09-30\n\n- Product training: granted (benefit `training`)\n" \
           "- Early roadmap access: **withheld**: NDA expired on 2026-08-31 (benefit `roadmap`)" in markdown


def test_partner_facts_are_added_and_counted_in_the_summary(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, transactions = write_files(tmp_path)
    facts = tmp_path / "facts.csv"
    facts.write_text("partner,fact,from,until,name,value\nP-2,nda,2026-01-01,,NDA,\nP-9,nda,2026-01-01,,,\n",
                     encoding="utf-8")
    assert _settle(program, partners, transactions, tmp_path / "out", "--period", "2026-05",
                   "--partner-facts", str(facts)) == 0
    captured = capsys.readouterr()
    assert "fact records: 9 read = 8 accepted + 1 rejected [E529]" in captured.out
    assert f"warning: {facts}: row 2: unknown partner `P-9` [E529]" in captured.err
    lines = (tmp_path / "out" / "lines.csv").read_text(encoding="utf-8")
    assert "P-2,T-3,margin,margin on T-3,24000," in lines  # 12% of ¥200,000 under the NDA the facts file adds


def test_check_refuses_a_facts_file_with_bad_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, _ = write_files(tmp_path)
    facts = tmp_path / "facts.csv"
    facts.write_text("partner,fact,from,until,name,value\nP-2,nda,2026-02-30,,,\n", encoding="utf-8")
    assert main(["check", str(program), "--partners", str(partners), "--partner-facts", str(facts)]) == 2
    assert "row 1: partner `P-2`: `nda`: `from`: `2026-02-30` is not a date" in capsys.readouterr().err
    assert main(["check", str(program), "--partner-facts", str(facts)]) == 2
    assert "give --partners too" in capsys.readouterr().err


def _random_data(tmp_path: Path, seed: int) -> tuple[Path, Path, Path]:
    rng = random.Random(seed)
    rows = ["id,date,partner,list_price,sell_price,quantity"]
    for i in range(300):
        day = f"2026-{rng.randint(4, 12):02d}-{rng.randint(1, 28):02d}"
        price = rng.choice((1000, 25_000, 100_000))
        rows.append(f"T-{i},{day},P-{rng.randint(1, 4)},{price},{price - rng.choice((0, 500))},{rng.randint(1, 3)}")
    partners = PARTNERS + "P-4,reseller,gold,\"[\"\"kansai\"\"]\",\"{\"\"from\"\": \"\"2026-07-01\"\"}\",\n"
    return write_files(tmp_path, partners, "\n".join(rows) + "\n")


@pytest.mark.parametrize("period", ["2026-05", "2026-09", "2026-10", "FY2026"])
def test_both_engines_settle_a_program_that_reads_facts_alike(
        tmp_path: Path, period: str, capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, transactions = _random_data(tmp_path, seed=len(period))
    assert _settle(program, partners, transactions, tmp_path / "rows", "--period", period, "--engine", "rows") == 0
    assert _settle(program, partners, transactions, tmp_path / "sql", "--period", period, "--engine", "duckdb") == 0
    assert "rows staged through Python: 0" in capsys.readouterr().err  # the facts are SQL, not staged rows
    for name in ("statements.json", "lines.csv", "rejects.csv", "statements.csv"):
        assert (tmp_path / "rows" / name).read_bytes() == (tmp_path / "sql" / name).read_bytes(), name
    lines = (tmp_path / "rows" / "lines.csv").read_text(encoding="utf-8")
    assert lines.count("\n") > 1


def test_explain_gives_the_reasons_for_a_transaction_and_for_a_statement(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, transactions = write_files(tmp_path)
    base = ["explain", str(program), "--partners", str(partners), "--transactions", str(transactions)]
    assert main([*base, "--id", "T-2"]) == 0
    assert "Benefits withheld\n  Early roadmap access: NDA expired on 2026-08-31" in capsys.readouterr().out
    assert main([*base, "--partner", "P-1", "--period", "2026-09"]) == 0
    out = capsys.readouterr().out
    assert "Benefits as of 2026-09-30\n  Product training: granted" in out
    assert "Early roadmap access: withheld: NDA expired on 2026-08-31" in out


def test_the_json_summary_counts_the_fact_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program, partners, transactions = write_files(tmp_path)
    assert _settle(program, partners, transactions, tmp_path / "out", "--period", "2026-05", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["fact_records"] == {"read": 7, "accepted": 7, "rejected": 0}
