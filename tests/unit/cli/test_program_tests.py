"""`ppl test`: passing and failing cases, the explanation of a failure, malformed test files, coverage, JSON,
and the conflict, routing and new-reseller cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.pipeline import program_files
from ppl.cli import main

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
    """`ppl test …`."""
    status = main(["test", *argv])
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
    assert "Coverage of `cloudnote-partners`" in out and "7 of 31 items, 22.6%" in out
    rows = {line.split("  ")[1].strip(): line for line in out.splitlines() if line.startswith("  ladder")
            or line.startswith("  bonus") or line.startswith("  contract") or line.startswith("  tier")}
    assert rows["ladder `annual-volume` step 1"].endswith("a gold reseller buys a ¥1,200,000 licence")
    assert rows["ladder `annual-volume` step 2"].endswith("—")
    assert rows["contract `solution`"].endswith("—")
    for item in ("conflict rule 2 `first_registration`", "conflict rule 3 `tie_break` by higher_tier",
                 "registration expiry", "otherwise: vendor_decides", "lead routing `by: tier`",
                 "lead routing `prefer: partner.segment == lead.segment`", "lead routing `eligible`",
                 "lead routing `skip_when`", "new resellers"):
        assert any(line.startswith(f"  {item}  ") and line.endswith("—") for line in out.splitlines()), item
    assert "not yet testable" not in out


@pytest.mark.parametrize(("threshold", "status"), [("22", 0), ("23", 1), ("150", 2)])
def test_threshold_fails_the_run_below_it(tmp_path: Path, capsys: pytest.CaptureFixture[str], threshold: str,
                                          status: int) -> None:
    got, _, err = run([str(write(tmp_path, gold_case("      margin: 18%"))), "--threshold", threshold], capsys)
    assert got == status
    if status == 1:
        assert "coverage of `cloudnote-partners` is 22.6%, below the threshold of 23%" in err


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
    assert (coverage["program"], coverage["covered"], coverage["total"]) == ("cloudnote-partners", 7, 31)
    assert "not_yet_testable" not in coverage
    assert coverage["below_threshold"] is True
    assert {"item": "contract `referral`", "covered_by": []} in coverage["items"]
    assert data["summary"] == {"cases": 2, "passed": 1, "failed": 1, "known_failures": 0}


def test_json_output_carries_the_diagnostics_of_a_malformed_file(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([str(write(tmp_path, gold_case("      margn: 18%"))), "--format", "json"], capsys)
    assert status == 2
    [diagnostic] = json.loads(out)["diagnostics"]
    assert diagnostic["code"] == "E203" and diagnostic["span"]["line"] == 16


# --- deal conflicts -----------------------------------------------------------------------------------

TEAM = PARTNERS + """\
  - id: silver
    contract: reseller
    tier: tier2
    fields: {trailing_sales: ¥8000万, certified_engineers: 3, nda_signed: false, region: kanto, segment: smb,
             open_leads: 1, lead_capacity: 5}
  - id: iron
    contract: reseller
    tier: tier2
    fields: {trailing_sales: ¥7000万, certified_engineers: 2, nda_signed: false, region: kanto, segment: smb,
             open_leads: 0, lead_capacity: 5}
  - id: copper
    contract: reseller
    tier: tier2
    fields: {trailing_sales: ¥6000万, certified_engineers: 2, nda_signed: false, region: kanto, segment: mid_market,
             open_leads: 0, lead_capacity: 5}
  - id: far
    contract: reseller
    tier: tier1
    fields: {trailing_sales: ¥4億, certified_engineers: 6, nda_signed: false, region: kyushu, segment: smb,
             open_leads: 0, lead_capacity: 5}
  - id: busy
    contract: reseller
    tier: tier1
    fields: {trailing_sales: ¥4億, certified_engineers: 6, nda_signed: false, region: kanto, segment: smb,
             open_leads: 5, lead_capacity: 5}
"""

CONFLICT = """\
  - name: {name}
    conflict:
      deal: {{customer: 株式会社ABC, at: {at}}}
      claims:
{claims}
    expect:
{expect}
"""

FIRST = ("        - {id: r1, partner: gold, registered_at: 2026-06-01T10:00:00+09:00}\n"
         "        - {id: r2, partner: silver, registered_at: \"2026-06-02T09:00:00+09:00\"}")


def conflict(expect: str, claims: str = FIRST, at: str = "2026-06-10T10:00:00+09:00", name: str = "a deal") -> str:
    return CONFLICT.format(name=name, at=at, claims=claims, expect=expect)


def test_a_conflict_case_compares_owner_rule_and_losers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = TEAM + "cases:\n" + conflict("      owner: r1\n      vendor_decides: false\n"
                                        "      decided_by: first_registration\n"
                                        "      lost: {r1: null, r2: first_registration}")
    status, out, err = run([str(write(tmp_path, body))], capsys)
    assert (status, err) == (0, ""), out + err
    assert "  PASS a deal" in out


def test_a_failing_conflict_case_shows_every_claim_with_its_rule(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    body = TEAM + "cases:\n" + conflict("      owner: r2\n      decided_by: tie_break\n      lost: {r1: expired}")
    path = write(tmp_path, body)
    status, out, _ = run([str(path)], capsys)
    assert status == 1
    assert f"owner: expected r2, got r1  (expected at {path}:" in out
    assert "decided_by: expected tie_break, got first_registration" in out
    assert "lost.r1: expected expired, got none" in out
    [line] = [x for x in out.splitlines() if "claim `r2`" in x and "lost" in x][:1]
    assert "first_registration: another claimant registered first" in line and "saas_reseller.yaml:143:7" in line


@pytest.mark.parametrize(("at", "expect"), [
    ("2026-06-30T09:59:59+09:00", "      owner: r1\n      decided_by: first_registration"),  # 90 days: 30 June 10:00
    # at 10:00 r1 has expired; r2 was rejected on arrival (r1 held the deal) and does not come back
    ("2026-06-30T10:00:00+09:00", "      owner: none\n      decided_by: none\n"
                                  "      lost: {r1: expired, r2: first_registration}"),
    ("\"2026-06-30 01:00:00Z\"", "      owner: none\n      lost: {r1: expired}"),  # the same instant in UTC
])
def test_expiry_is_counted_in_the_programs_days_and_either_timestamp_form_is_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], at: str, expect: str) -> None:
    claims = ("        - {id: r1, partner: gold, registered_at: 2026-04-01T10:00:00+09:00}\n"
              "        - {id: r2, partner: silver, registered_at: '2026-06-02 09:00:00 +9'}")
    status, out, err = run([str(write(tmp_path, TEAM + "cases:\n" + conflict(expect, claims, at)))], capsys)
    assert (status, err) == (0, ""), out + err


def test_when_no_rule_tells_the_claims_apart_the_first_arrival_stays_for_the_vendor_to_decide(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claims = ("        - {id: r1, partner: silver, registered_at: 2026-06-01T10:00:00+09:00}\n"
              "        - {id: r2, partner: iron, registered_at: 2026-06-01T01:00:00Z}")
    body = TEAM + "cases:\n" + conflict("      owner: r1\n      vendor_decides: true\n      lost: {r2: otherwise}",
                                        claims)
    status, out, err = run([str(write(tmp_path, body))], capsys)
    assert (status, err) == (0, ""), out + err
    row = next(line for line in out.splitlines() if line.startswith("  otherwise: vendor_decides"))
    assert row.endswith("a deal")


def test_a_naive_claim_timestamp_is_the_runtimes_e530_which_a_case_can_expect(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    naive = "        - {id: r1, partner: gold, registered_at: 2026-06-01 10:00:00}"
    body = TEAM + "cases:\n" + conflict("      error: E530", naive) + conflict("      owner: r1", naive, name="b")
    path = write(tmp_path, body)
    status, out, _ = run([str(path)], capsys)
    assert status == 1
    assert "PASS a deal" in out
    assert "FAIL b" in out and "error[E530]: registration `r1`" in out
    assert f"the timestamp without an offset is at {path}:45:50" in out


@pytest.mark.parametrize(("at", "code", "words"), [
    ("2026-06-10T10:00:00", "E530", "the deal's `at` has no timezone"),
    ("\"2026-06-10 10:00\"", "E400", "must be a date and time with its offset"),
    ("2026-06-10", "E400", "must be a date and time with its offset"),
    ("2026-06-31T10:00:00+09:00", "E400", "must be a date and time"),
])
def test_a_deal_time_that_is_not_a_moment_is_reported_at_its_place(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], at: str, code: str, words: str) -> None:
    path = write(tmp_path, TEAM + "cases:\n" + conflict("      owner: r1", at=at))
    status, _, err = run([str(path)], capsys)
    assert status == 2
    assert f"{path}:36:37: error[{code}]" in err and words in err, err


@pytest.mark.parametrize(("expect", "claims", "code", "words"), [
    ("      decided_by: first_registraton", FIRST, "E301", "did you mean `first_registration`?"),
    ("      lost: {r3: expired}", FIRST, "E301", "unknown claim `r3`"),
    ("      lost: {r2: exclusivity}", FIRST, "E301", "unknown conflict rule `exclusivity`"),
    ("      owner: r9", FIRST, "E301", "unknown claim `r9`"),
    ("      vendor_decides: no thanks", FIRST, "E201", "must be `true` or `false`"),
    ("      owner: r1", FIRST.replace("r2", "r1"), "E300", "two claims are named `r1`"),
    ("      owner: r1", "        - {id: r1, partner: gold}", "E202", "a claim has no `registered_at`"),
    ("      owner: r1", "        - {id: r1, partner: gold, registered_at: 2026-06-01T10:00:00+09:00, renewals: -1}",
     "E207", "`renewals` counts the renewals made"),
    ("      margin: 18%", FIRST, "E203", "unknown key `margin` in `expect`"),
])
def test_a_malformed_conflict_case_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str], expect: str,
                                               claims: str, code: str, words: str) -> None:
    status, _, err = run([str(write(tmp_path, TEAM + "cases:\n" + conflict(expect, claims)))], capsys)
    assert status == 2
    assert f"error[{code}]" in err and words in err, err


def test_a_case_does_one_thing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = TEAM + "cases:\n" + conflict("      owner: r1").replace(
        "    conflict:", "    new_reseller: {applicant: a, date: 2026-06-01}\n    conflict:")
    status, _, err = run([str(write(tmp_path, body))], capsys)
    assert status == 2 and "error[E208]: a case does one thing" in err


# --- lead routing and new resellers -------------------------------------------------------------------

ROUTE = """\
  - name: {name}
    route:
      lead: {{id: {lead}, date: 2026-06-01, fields: {{region: kanto, segment: smb}}}}
    expect:
{expect}
"""


def routing(expect: str, name: str = "a lead", lead: str = "L-1") -> str:
    return ROUTE.format(name=name, lead=lead, expect=expect)


def test_a_route_case_compares_the_order_with_groups_of_equals_and_who_was_left_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = TEAM + "cases:\n" + routing(
        "      order: [gold, [silver, iron], copper]\n      first: gold\n"
        "      left_out: {far: not eligible for this lead, busy: at capacity, iron: null}") \
        + routing("      same_order_as: a lead", name="again")
    status, out, err = run([str(write(tmp_path, body))], capsys)
    assert (status, err) == (0, ""), out + err
    covered = {line.split("  ")[1].strip() for line in out.splitlines()
               if line.startswith("  lead routing") and not line.endswith("—")}
    assert covered == {"lead routing `by: tier`", "lead routing `prefer: partner.segment == lead.segment`",
                       "lead routing `eligible`", "lead routing `skip_when`"}


def test_a_failing_route_case_shows_the_order_and_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = TEAM + "cases:\n" + routing("      order: [silver, iron, gold, copper]\n      left_out: {far: at capacity}")
    status, out, _ = run([str(write(tmp_path, body))], capsys)
    assert status == 1
    assert "order: expected [silver, iron, gold, copper], got [gold, " in out
    assert "1. `gold`" in out and "tier `tier1`" in out
    assert "left_out.far: expected at capacity, got not eligible for this lead" in out
    assert "`eligible`: not eligible for this lead" in out and "saas_reseller.yaml:149:13" in out


@pytest.mark.parametrize(("expect", "code", "words"), [
    ("      order: [gold, [silver], iron]", "E201", "a group of equals lists two partners or more"),
    ("      order: [gold, gold]", "E300", "partner `gold` is listed twice"),
    ("      order: [gold, silvr]", "E301", "did you mean `silver`?"),
    ("      left_out: {far: too far}", "E301", "unknown reason `too far`"),
    ("      same_order_as: a lead", "E301", "case `a lead` is not a `route` case above this one"),
    ("      same_order_as: nothing", "E301", "unknown route case `nothing`"),
])
def test_a_malformed_route_case_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str], expect: str,
                                            code: str, words: str) -> None:
    status, _, err = run([str(write(tmp_path, TEAM + "cases:\n" + routing(expect)))], capsys)
    assert status == 2
    assert f"error[{code}]" in err and words in err, err


def test_new_resellers_go_where_the_program_says(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = TEAM + """\
cases:
  - name: to the vendor
    new_reseller: {applicant: acme, date: 2026-06-01}
    expect:
      routed_to_level: vendor
  - name: wrongly to a distributor
    new_reseller: {applicant: acme, date: 2026-06-01}
    expect:
      routed_to_level: 1
"""
    status, out, _ = run([str(write(tmp_path, body))], capsys)
    assert status == 1
    assert "PASS to the vendor" in out
    assert "routed_to_level: expected 1, got vendor" in out
    assert "the vendor handles inquiries from new resellers itself" in out
    assert next(line for line in out.splitlines() if line.startswith("  new resellers")).endswith("(+1 more)")


def test_a_new_reseller_goes_to_a_first_tier_agency_in_a_hierarchy(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    body = """\
partners:
  - {id: top, contract: agency, tier: premier, level: 1}
  - {id: sub, contract: agency, tier: certified, level: 2, parent: top}
cases:
  - name: one 1st-tier agency
    new_reseller: {applicant: acme, date: 2026-06-01}
    expect:
      routed_to_level: 1
      routed_to: top
"""
    status, out, err = run([str(write(tmp_path, body, program=PROGRAMS / "ad_agency.yaml"))], capsys)
    assert (status, err) == (0, ""), out + err


CATALOG_PROGRAM = """\
ppl: 1
program:
  id: catalog-test
  title: Catalog test
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
contracts:
  - id: reseller
    kind: distributor
    margin: 20%
catalog:
  categories: [plan, hardware]
  items:
    - sku: CN-BIZ
      category: plan
      list_price: ¥120,000
      prices:
        - {from: 2026-10-01, list_price: ¥132000}
    - sku: CN-PEN
      category: hardware
      list_price: ¥20,000
price_rules:
  margin_caps:
    - id: hardware-cap
      when: item.category == hardware
      cap: 8%
"""


def test_a_case_may_name_only_the_sku(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = tmp_path / "catalog.yaml"
    program.write_text(CATALOG_PROGRAM, encoding="utf-8")
    body = """\
partners:
  - {id: r, contract: reseller}
cases:
  # ¥132,000 from 2026-10-01, 20%: wholesale ¥105,600
  - name: a plan at its October price
    quote:
      transaction: {partner: r, date: 2026-10-15, sku: CN-BIZ}
    expect: {wholesale: ¥105600}
  # a pen is hardware: 8% of ¥20,000 → wholesale ¥18,400
  - name: a pen under the hardware cap
    quote:
      transaction: {partner: r, date: 2026-06-01, sku: CN-PEN}
    expect: {wholesale: ¥18400}
  - name: the June price in October disagrees with the catalog
    quote:
      transaction: {partner: r, date: 2026-10-15, sku: CN-BIZ, list_price: ¥120000}
    expect: {error: E554}
  - name: an unknown SKU
    quote:
      transaction: {partner: r, date: 2026-06-01, sku: CN-NOPE}
    expect: {error: E555}
"""
    status, out, err = run([str(write(tmp_path, body, "catalog.tests.yaml", program))], capsys)
    assert status == 0, out + err
    assert "4 cases: 4 passed" in out
