"""`ppl test`: passing and failing cases, the explanation of a failure, malformed test files, coverage, JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from compiler.pipeline import program_files
from ppl import program_tests

ROOT = Path(__file__).resolve().parents[3]
PROGRAMS = ROOT / "programs"
SAAS = PROGRAMS / "saas_reseller.yaml"

PARTNERS = """\
partners:
  - id: gold
    contract: reseller
    tier: tier1
    fields: {trailing_sales: ¥4億, certified_engineers: 6, nda_signed: true, region: kanto, segment: enterprise,
             open_leads: 2, lead_capacity: 10}
"""

GOLD_SALE = """\
  - name: a gold reseller buys a ¥1,200,000 licence
    quote:
      transaction:
        partner: gold
        date: 2026-06-01
        list_price: ¥1,200,000
    expect:
{expect}
"""


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`ppl test …` through a parser of its own, as `ppl/cli.py` will register it."""
    parser = argparse.ArgumentParser(prog="ppl")
    program_tests.add_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["test", *argv])
    status: int = args.run(args)
    out, err = capsys.readouterr()
    return status, out, err


def write(tmp_path: Path, body: str, name: str = "saas.tests.yaml", program: Path = SAAS) -> Path:
    path = tmp_path / name
    path.write_text(f"program: {program}\n{body}", encoding="utf-8")
    return path


def gold_case(expect: str) -> str:
    return PARTNERS + "cases:\n" + GOLD_SALE.format(expect=expect)


# --- the example programs' own tests ----------------------------------------------------------------


@pytest.mark.parametrize("engine", ["compiled", "interpreted"])
def test_every_example_program_passes_its_tests_with_full_coverage(
        engine: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run([str(PROGRAMS / "tests"), "--threshold", "100", "--engine", engine], capsys)
    assert status == 0, out + err
    assert " 0 failed" in out and "  FAIL " not in out
    for program in ("cloudnote-partners", "newswave-agencies", "hoshino-trading-partners"):
        assert f"Coverage of `{program}`" in out
    assert out.count("items, 100%") == 3


def test_every_example_program_has_a_test_file() -> None:
    for program in sorted(PROGRAMS.glob("*.yaml")):
        assert (PROGRAMS / "tests" / f"{program.stem}.tests.yaml").is_file(), program.name


def test_check_skips_test_files_in_directories_but_not_files_named_outright() -> None:
    files, problems = program_files([str(PROGRAMS)])
    assert problems == [] and files and not any(f.endswith(".tests.yaml") for f in files)
    named = str(PROGRAMS / "tests" / "saas_reseller.tests.yaml")
    assert program_files([named])[0] == [named]


# --- passing and failing ---------------------------------------------------------------------------


def test_a_passing_file_prints_one_line_per_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, gold_case("      margin: 18%\n      wholesale: ¥984,000\n      partner_gross: ¥216,000"))
    status, out, err = run([str(path)], capsys)
    assert (status, err) == (0, "")
    assert "  PASS a gold reseller buys a ¥1,200,000 licence\n" in out
    assert out.rstrip().endswith("1 case: 1 passed, 0 failed")


def test_a_failing_case_shows_expected_and_actual_with_the_rules_behind_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, gold_case("      margin: 19%\n      wholesale: ¥984,000\n      lines:\n"
                                     "        margin: ¥216,001"))
    status, out, _ = run([str(path)], capsys)
    assert status == 1
    assert "  FAIL a gold reseller buys a ¥1,200,000 licence" in out
    assert f"margin: expected 19%, got 18%  (expected at {path}:16:15)" in out
    # the explanation: each rate with its rule and where the rule is written
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if "margin: expected 19%" in line)
    trace = lines[start + 1:start + 4]
    assert "base margin" in trace[0] and "15%" in trace[0] and "contract `reseller`" in trace[0]
    assert "tier uplift" in trace[1] and "tier `tier1`" in trace[1]
    assert "ladder rate" in trace[2] and "ladder `annual-volume` step 1" in trace[2]
    assert all("saas_reseller.yaml:" in line and line.rstrip()[-1].isdigit() for line in trace)
    assert "wholesale: expected" not in out  # what matches is not shown
    assert "lines.margin: expected ¥216,001, got ¥216,000" in out
    assert "margin on t1" in out and "version 2026.04" in out
    assert out.rstrip().endswith("1 case: 0 passed, 1 failed")


def test_a_failing_statement_explains_its_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = PARTNERS + """\
cases:
  - name: a year
    settle:
      period: FY2026
      transactions:
        - {partner: gold, date: 2026-05-10, list_price: ¥4億}
        - {partner: gold, date: 2026-11-10, list_price: ¥3億}
    expect:
      statements:
        gold:
          totals:
            ladder: ¥36,000,000
          next_tier: tier2
"""
    status, out, _ = run([str(write(tmp_path, body))], capsys)
    assert status == 1
    assert "statements.gold.totals.ladder: expected ¥36,000,000, got ¥35,000,000" in out
    assert "ladder `annual-volume` step 3, version 2026.10" in out
    assert "statements.gold.next_tier: expected tier2, got tier1" in out
    assert "tier `tier1`" in out


def test_an_expected_error_passes_and_an_unexpected_one_fails(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    body = PARTNERS + """\
cases:
  - name: nobody
    quote:
      transaction: {partner: nobody, date: 2026-06-01, list_price: ¥100万}
    expect:
      error: E511
  - name: too early
    quote:
      transaction: {partner: gold, date: 2026-03-31, list_price: ¥100万}
    expect:
      margin: 18%
  - name: no error
    quote:
      transaction: {partner: gold, date: 2026-06-01, list_price: ¥100万}
    expect:
      error: E510
"""
    status, out, _ = run([str(write(tmp_path, body))], capsys)
    assert status == 1
    assert "PASS nobody" in out
    assert "FAIL too early" in out and "error[E510]: no version of program `cloudnote-partners`" in out
    assert "FAIL no error" in out and "error: expected E510, got no error" in out


def test_a_known_failure_does_not_fail_the_run_until_it_passes(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    case = GOLD_SALE.replace("    quote:", "    known_failure: the margin should be 19%\n    quote:")
    failing = PARTNERS + "cases:\n" + case.format(expect="      margin: 19%")
    status, out, _ = run([str(write(tmp_path, failing))], capsys)
    assert status == 0
    assert "KNOWN FAILURE a gold reseller" in out and "known failure: the margin should be 19%" in out
    assert "1 known failure" in out
    passing = PARTNERS + "cases:\n" + case.format(expect="      margin: 18%")
    status, out, _ = run([str(write(tmp_path, passing))], capsys)
    assert status == 1 and "passes now: remove `known_failure`" in out


# --- malformed test files --------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "code", "where", "words"), [
    (gold_case("      margn: 18%"), "E203", "16:7", "did you mean `margin`?"),
    (gold_case("      margin: ¥1,00"), "E122", "16:15", "digit groups"),
    (gold_case("      margin: ¥100"), "E201", "16:15", "must be a percentage"),
    (gold_case("      lines: {margin: ¥216,000}"), "E103", "16:28", "a comma ends a value"),
    (gold_case("      benefits: [priority-lead]"), "E301", "16:18", "did you mean `priority-leads`?"),
    (gold_case("      wholesale: $12.50"), "E305", "16:18", "program's currency is JPY"),
    (gold_case("      statements: {gold: {total: ¥1}}"), "E203", "16:7", "unknown key `statements`"),
    (gold_case("      {}"), "E202", "16:7", "`expect` lists no figures"),
    (PARTNERS.replace("tier: tier1", "tier: tier9") + "cases:\n" + GOLD_SALE.format(expect="      margin: 18%"),
     "E301", "5:11", "unknown tier `tier9`"),
    (PARTNERS.replace("segment: enterprise", "segment: enterprize") + "cases:\n"
     + GOLD_SALE.format(expect="      margin: 18%"), "E522", "6:101", "did you mean `enterprise`?"),
    (PARTNERS + "cases:\n" + GOLD_SALE.format(expect="      margin: 18%").replace("date: 2026-06-01",
                                                                                    "date: 2026-02-30"),
     "E400", "13:15", "must be a date"),
    (PARTNERS + "cases:\n  - name: x\n    quote: {transaction: {partner: gold, date: 2026-06-01}}\n"
     "    expect: {margin: 18%}\n", "E202", "10:26", "a transaction has no `list_price`"),
    ("cases:\n  - name: [unclosed\n", "E101", "", "invalid YAML"),
])
def test_a_malformed_test_file_is_reported_at_its_place_and_exits_two(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, code: str, where: str, words: str) -> None:
    path = write(tmp_path, body)
    status, out, err = run([str(path)], capsys)
    assert status == 2
    assert f"{path}:{where}" in err and f"error[{code}]" in err, err
    assert words in err
    assert "Traceback" not in err
    assert "1 test file could not be read" in out


def test_a_program_that_does_not_exist_is_named_with_the_path_it_was_looked_for(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.tests.yaml"
    path.write_text("program: ../nowhere.yaml\ncases: []\n", encoding="utf-8")
    status, _, err = run([str(path)], capsys)
    assert status == 2
    assert f"{path}:1:10: error[E107]: cannot read program `../nowhere.yaml`" in err


def test_a_program_with_errors_fails_every_case_of_its_files(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(SAAS.read_text(encoding="utf-8").replace("partner.nda_signed", "partner.nda_signd"),
                      encoding="utf-8")
    path = write(tmp_path, gold_case("      margin: 18%"), program=broken)
    status, out, err = run([str(path)], capsys)
    assert status == 1
    assert "error[E302]" in err and "unknown field `partner.nda_signd`" in err
    assert "FAIL a gold reseller buys a ¥1,200,000 licence" in out and "the program has errors" in out


def test_paths_that_hold_no_test_files_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run([str(tmp_path)], capsys)
    assert status == 2 and "no test files (*.tests.yaml) found" in err
    status, _, err = run([str(tmp_path / "missing.tests.yaml")], capsys)
    assert status == 2 and "no such file or directory" in err


# --- coverage ---------------------------------------------------------------------------------------


def test_coverage_names_each_item_and_what_covered_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([str(write(tmp_path, gold_case("      margin: 18%")))], capsys)
    assert status == 0
    assert "Coverage of `cloudnote-partners`" in out and "7 of 18 items, 38.9%" in out
    rows = {line.split("  ")[1].strip(): line for line in out.splitlines() if line.startswith("  ladder")
            or line.startswith("  bonus") or line.startswith("  contract") or line.startswith("  tier")}
    assert rows["ladder `annual-volume` step 1"].endswith("a gold reseller buys a ¥1,200,000 licence")
    assert rows["ladder `annual-volume` step 2"].endswith("—")
    assert rows["contract `solution`"].endswith("—")
    assert "not yet testable" in out and "conflict rule `first_registration`" in out and "lead routing" in out


@pytest.mark.parametrize(("threshold", "status"), [("38", 0), ("39", 1), ("150", 2)])
def test_threshold_fails_the_run_below_it(tmp_path: Path, capsys: pytest.CaptureFixture[str], threshold: str,
                                          status: int) -> None:
    got, _, err = run([str(write(tmp_path, gold_case("      margin: 18%"))), "--threshold", threshold], capsys)
    assert got == status
    if status == 1:
        assert "coverage of `cloudnote-partners` is 38.9%, below the threshold of 39%" in err


def test_json_output_for_ci(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = PARTNERS + "cases:\n" + GOLD_SALE.format(expect="      margin: 18%") \
        + GOLD_SALE.replace("a gold", "another gold").format(expect="      wholesale: ¥1")
    status, out, err = run([str(write(tmp_path, body)), "--format", "json", "--threshold", "50"], capsys)
    assert (status, err) == (1, "")
    data = json.loads(out)
    [case_ok, case_bad] = data["files"][0]["cases"]
    assert case_ok["status"] == "passed" and case_bad["status"] == "failed"
    [mismatch] = case_bad["mismatches"]
    assert (mismatch["figure"], mismatch["expected"], mismatch["actual"]) == ("wholesale", "¥1", "¥984,000")
    assert any(b["rule"] == "tier `tier1`" and "saas_reseller.yaml:" in b["at"] for b in mismatch["because"])
    [coverage] = data["coverage"]
    assert (coverage["program"], coverage["covered"], coverage["total"]) == ("cloudnote-partners", 7, 18)
    assert coverage["below_threshold"] is True
    assert {"item": "contract `referral`", "covered_by": []} in coverage["items"]
    assert data["summary"] == {"cases": 2, "passed": 1, "failed": 1, "known_failures": 0}


def test_json_output_carries_the_diagnostics_of_a_malformed_file(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([str(write(tmp_path, gold_case("      margn: 18%"))), "--format", "json"], capsys)
    assert status == 2
    [diagnostic] = json.loads(out)["diagnostics"]
    assert diagnostic["code"] == "E203" and diagnostic["span"]["line"] == 16
