"""The program-test library without the command line: the example programs' tests, results and coverage."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import program_tests

ROOT = Path(__file__).resolve().parents[3]
TESTS = ROOT / "programs" / "tests"
SAAS = ROOT / "programs" / "saas_reseller.yaml"


def _cases_in(path: Path) -> int:
    return len(re.findall(r"^  - name:", path.read_text(encoding="utf-8"), re.MULTILINE))


@pytest.mark.parametrize("engine", ["compiled", "interpreted"])
def test_the_example_programs_tests_run_through_the_library(engine: str) -> None:
    run = program_tests.run_test_files([str(TESTS)], engine)
    files = sorted(TESTS.glob("*.tests.yaml"))
    assert run.paths == [str(f) for f in files] and run.missing == []
    assert [len(results) for _, results in run.results] == [_cases_in(f) for f in files]
    assert run.cases == sum(_cases_in(f) for f in files) == run.count("passed")
    assert run.failed == 0 and run.diagnostics == () and run.ok
    assert sorted(c.program for c in run.coverage) == \
        ["cloudnote-partners", "hoshino-trading-partners", "newswave-agencies"]
    assert all(c.covered == len(c.items) for c in run.coverage) and run.below(100) == []


def test_a_failing_case_carries_each_figure_that_differs_with_the_rules_behind_it(tmp_path: Path) -> None:
    path = tmp_path / "saas.tests.yaml"
    path.write_text(f"""\
program: {SAAS}
partners:
  - id: gold
    contract: reseller
    tier: tier1
    fields: {{trailing_sales: ¥4億, certified_engineers: 6, nda_signed: true, region: kanto, segment: enterprise,
             open_leads: 2, lead_capacity: 10}}
cases:
  - name: a gold sale
    quote:
      transaction: {{partner: gold, date: 2026-06-01, list_price: "¥1,200,000"}}
    expect:
      margin: 18%
      wholesale: ¥1
""", encoding="utf-8")
    run = program_tests.run_test_files([str(path)])
    [(test_file, [result])] = run.results
    assert test_file.path.endswith("saas.tests.yaml") and (result.name, result.status) == ("a gold sale", "failed")
    [mismatch] = result.mismatches
    assert (mismatch.figure, mismatch.expected, mismatch.actual) == ("wholesale", "¥1", "¥984,000")
    assert any(b.rule == "tier `tier1`" for b in mismatch.because)
    assert not run.ok and run.failed == 1 and run.below(50) == run.coverage


def test_paths_not_found_and_malformed_files_are_data_not_exceptions(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tests.yaml"
    bad.write_text("program: nowhere.yaml\ncases: []\n", encoding="utf-8")
    run = program_tests.run_test_files([str(tmp_path / "missing"), str(bad)])
    assert run.missing == [str(tmp_path / "missing")] and run.paths == [str(bad)]
    assert [d.code for d in run.diagnostics] == ["E107"] and run.loaded.malformed == [str(bad)]
    assert run.results == [] and not run.ok


def test_the_library_does_not_import_the_command_line() -> None:
    code = ("import sys, program_tests; program_tests.run_test_files(['programs/tests']); "
            "print(sorted(m for m in sys.modules if m == 'ppl' or m.startswith('ppl.')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


def test_the_example_in_the_docs_runs(in_root: Path) -> None:
    page = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    section = page.split("## Running program tests from Python", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(snippet, "docs/testing.md", "exec"), {})  # the page's own example, as a reader runs it
    cases = sum(_cases_in(f) for f in sorted(TESTS.glob("*.tests.yaml")))
    assert out.getvalue() == f"{cases} cases: {cases} passed\n" + "".join(
        f"{p}: 100%\n" for p in ("newswave-agencies", "hoshino-trading-partners", "cloudnote-partners"))
