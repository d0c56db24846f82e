"""`ppl test PATH` as a gate: every program under PATH is checked, an untested program counts as 0 % covered,
and the coverage over PATH counts every program's items together."""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

from ppl.cli import main
from program_tests import run_test_files

ROOT = Path(__file__).resolve().parents[3]
PROGRAMS = ROOT / "programs"
BROKEN = ROOT / "examples" / "broken_reseller.yaml"

ONE_CASE = """\
program: ../saas_reseller.yaml
partners:
  - id: gold
    contract: reseller
    tier: tier1
    fields: {trailing_sales: ¥4億, certified_engineers: 6, nda_signed: true, region: kanto, segment: enterprise,
             open_leads: 2, lead_capacity: 10}
cases:
  - name: a gold reseller buys a ¥1,200,000 licence
    quote:
      transaction:
        partner: gold
        date: 2026-06-01
        list_price: ¥1,200,000
    expect:
      partner_gross: ¥216,000
"""


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`ppl test …`: its status, standard output and standard error."""
    status = main(["test", *argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of programs with one tested program (one passing case), the working directory."""
    shutil.copy(PROGRAMS / "saas_reseller.yaml", tmp_path / "saas_reseller.yaml")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "saas_reseller.tests.yaml").write_text(ONE_CASE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_tested_program_alone_passes_as_before(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run([".", "--threshold", "1"], capsys)
    assert (status, err) == (0, "")
    assert out.rstrip().endswith("1 case: 1 passed, 0 failed")
    assert "untested" not in out and "Coverage over the programs" not in out


def test_a_broken_untested_program_beside_a_tested_one_fails(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(BROKEN, repo / "broken.yaml")
    for argv in (["."], [".", "--threshold", "0"]):
        status, out, err = run(argv, capsys)
        assert status == 1
        assert "error[E302]" in err and "ppl test: `broken.yaml` has errors\n" in err
        assert "1 passed, 0 failed; 1 untested program (0% covered): broken.yaml" in out


def test_a_broken_program_fails_the_json_report_too(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(BROKEN, repo / "broken.yaml")
    status, out, _ = run([".", "--format", "json"], capsys)
    data = json.loads(out)
    assert status == 1
    assert data["programs_with_errors"] == ["broken.yaml"] and data["untested"] == ["broken.yaml"]
    assert any(d["code"] == "E302" for d in json.loads(out)["diagnostics"])


def test_an_untested_clean_program_lowers_the_coverage(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(PROGRAMS / "ad_agency.yaml", repo / "ad_agency.yaml")
    status, out, err = run([".", "--threshold", "1"], capsys)
    assert status == 1
    assert "Coverage of `newswave-agencies` (ad_agency.yaml): untested (no test file names it), 0 of " in out
    assert "; 1 untested program (0% covered): ad_agency.yaml" in out
    assert ("ppl test: coverage of `newswave-agencies` is 0%, below the threshold of 1% "
            "(no test file names ad_agency.yaml)") in err
    status, out, _ = run([".", "--threshold", "0"], capsys)
    assert status == 0 and "Coverage over the programs: " in out


def test_the_coverage_over_the_paths_counts_every_program_s_items(repo: Path) -> None:
    alone = run_test_files(["."])
    [tested] = alone.coverage
    shutil.copy(PROGRAMS / "ad_agency.yaml", repo / "ad_agency.yaml")
    both = run_test_files(["."])
    tested, untested = both.coverage
    assert (tested.tested, untested.tested, untested.percent, untested.covered) == (True, False, Fraction(0), 0)
    assert both.untested == ["ad_agency.yaml"] and both.broken == []
    assert both.combined == Fraction(100 * tested.covered, len(tested.items) + len(untested.items))
    assert 0 < both.combined < alone.combined
    assert both.below(1) == [untested]


def test_the_json_report_marks_untested_programs(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(PROGRAMS / "ad_agency.yaml", repo / "ad_agency.yaml")
    status, out, _ = run([".", "--format", "json", "--threshold", "50"], capsys)
    data = json.loads(out)
    assert status == 1
    assert [(c["file"], c["tested"], c["below_threshold"]) for c in data["coverage"]] == [
        ("saas_reseller.yaml", True, True), ("ad_agency.yaml", False, True)]
    assert data["untested"] == ["ad_agency.yaml"] and 0 < data["combined_coverage"] < 50


def test_a_test_file_named_outright_checks_no_other_program(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(BROKEN, repo / "broken.yaml")
    status, out, err = run(["tests/saas_reseller.tests.yaml"], capsys)
    assert (status, err) == (0, "") and "untested" not in out


def test_a_program_named_by_a_test_file_is_not_untested_however_the_paths_overlap(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([".", "tests", str(repo)], capsys)
    assert status == 0 and "untested" not in out


def test_the_untested_program_shown_in_the_docs_is_what_ppl_test_prints(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "programs" / "tests").mkdir(parents=True)
    for name in ("saas_reseller.yaml", "ad_agency.yaml", "tests/saas_reseller.tests.yaml"):
        shutil.copy(PROGRAMS / name, tmp_path / "programs" / name)
    monkeypatch.chdir(tmp_path)
    status, out, _ = run(["programs/"], capsys)
    assert status == 0
    page = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    lines = out.splitlines()
    shown = [next(line for line in lines if line.startswith("Coverage of `newswave-agencies`")), *lines[-2:]]
    for line in shown:
        assert line in page, f"docs/testing.md: paste the current output of `ppl test programs/`: {line}"
