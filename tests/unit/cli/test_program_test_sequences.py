"""`ppl test` with `settlements` cases: runs of the year to date against one fresh ledger, what each run
expects, how a failure reads, malformed sequences, and coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

import program_tests
from ppl.cli import main

ROOT = Path(__file__).resolve().parents[3]
SAAS = ROOT / "programs" / "saas_reseller.yaml"

PARTNERS = """\
partners:
  - id: silver
    contract: reseller
    tier: tier2
"""

# silver at 16%: t1 ¥100,000,000 → margin ¥16,000,000, purchases ¥84,000,000 (below 1億, no ladder);
# t2 ¥250,000,000 → margin ¥40,000,000; to 09-30 purchases ¥294,000,000: 2% × ¥350,000,000 = ¥7,000,000,
# growth ¥30,000,000.
SEQUENCE = """\
cases:
  - name: two quarters
    settlements:
      transactions:
        - {{id: t1, partner: silver, date: 2026-05-15, list_price: ¥1億}}
        - {{id: t2, partner: silver, date: 2026-08-20, list_price: ¥2億5000万}}
      runs:
        - as_of: 2026-06-30
          expect:
{first}
        - as_of: 2026-09-30
          expect:
{second}
"""
FIRST = "            silver: {margin: ¥1600万}"
SECOND = """\
            silver:
              margin: {earned: ¥5600万, paid: ¥1600万, payable: ¥4000万}
              ladder: ¥700万
              bonus: {payable: ¥3000万}
              total: {earned: ¥9300万, paid: ¥1600万, payable: ¥7700万}
            payable: ¥7700万
            repeat: false"""


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`ppl test …`."""
    status = main(["test", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def write(tmp_path: Path, first: str = FIRST, second: str = SECOND, extra: str = "") -> Path:
    path = tmp_path / "seq.tests.yaml"
    path.write_text(f"program: {SAAS}\n{PARTNERS}" + SEQUENCE.format(first=first, second=second) + extra,
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["compiled", "interpreted"])
def test_a_sequence_passes_when_every_run_pays_what_it_expects(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str) -> None:
    status, out, err = run([str(write(tmp_path)), "--engine", engine], capsys)
    assert (status, err) == (0, ""), out
    assert "  PASS two quarters\n" in out


def test_the_library_reads_a_settlements_case() -> None:
    loaded = program_tests.load_test_files([str(ROOT / "programs" / "tests" / "saas_reseller.tests.yaml")])
    cases = [c for f in loaded.files for c in f.cases if c.kind == "settlements"]
    assert [len(c.transactions) for c in cases] == [4, 8]  # a year trued up; a year of tier reviews


def test_a_failing_figure_names_its_run_the_figure_and_what_lies_behind_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    second = SECOND.replace("payable: ¥4000万", "payable: ¥4000万1")
    path = write(tmp_path, second=second)
    status, out, _ = run([str(path)], capsys)
    assert status == 1
    assert "  FAIL two quarters" in out
    assert (f"run 2, as of 2026-09-30: silver margin payable: expected ¥40,000,001, got ¥40,000,000  "
            f"(expected at {path}:19:63)") in out
    assert "earned to date" in out and "paid before" in out and "recorded as run 2" in out


def test_an_earned_figure_that_differs_shows_the_rules_behind_it(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([str(write(tmp_path, first="            silver: {margin: {earned: ¥1}}"))], capsys)
    assert status == 1
    assert "run 1, as of 2026-06-30: silver margin earned: expected ¥1, got ¥16,000,000" in out
    assert "1 transaction line" in out and "saas_reseller.yaml:" in out


def test_a_repeat_pays_nothing_and_an_older_as_of_is_refused_as_expected(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = ("        - as_of: 2026-09-30\n          expect: {repeat: true, payable: ¥0, silver: {total: ¥0}}\n"
             "        - as_of: 2026-07-31\n          expect: {error: E580}\n")
    status, out, _ = run([str(write(tmp_path, extra=extra))], capsys)
    assert status == 0, out


def test_an_unexpected_refusal_and_a_missing_one_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = ("        - as_of: 2026-07-31\n          expect: {payable: ¥0}\n"
             "        - as_of: 2026-10-31\n          expect: {error: E580}\n")
    status, out, _ = run([str(write(tmp_path, extra=extra))], capsys)
    assert status == 1
    assert "run 3, as of 2026-07-31: error: expected the run to settle, got E580: the settlement as of " \
           "2026-07-31 is older than the ledger's last run" in out
    assert "run 4, as of 2026-10-31: error: expected E580, got no error" in out


@pytest.mark.parametrize(("first", "code", "words"), [
    ("            silvr: {margin: ¥0}", "E301", "unknown partner `silvr`"),
    ("            silver: {margins: ¥0}", "E301", "unknown line kind `margins`"),
    ("            silver: {margin: {earnt: ¥0}}", "E203", "unknown key `earnt` in `margin`"),
    ("            silver: {margin: {}}", "E202", "`margin` lists no figures"),
    ("            silver: {}", "E202", "the figures of `silver` list nothing"),
    ("            silver: {margin: lots}", "E201", "must be an amount"),
    ("            {error: E580, payable: ¥0}", "E208", "a run that expects an error expects no figures"),
    ("            {error: oops}", "E205", "`error` must be a diagnostic code"),
    ("            {repeat: maybe}", "E201", "must be `true` or `false`"),
    ("            {}", "E202", "a run must expect something"),
])
def test_a_malformed_run_is_reported_at_its_place(tmp_path: Path, capsys: pytest.CaptureFixture[str], first: str,
                                                 code: str, words: str) -> None:
    path = write(tmp_path, first=first)
    status, _, err = run([str(path)], capsys)
    assert status == 2
    assert f"{path}:15:" in err and f"error[{code}]" in err and words in err, err


@pytest.mark.parametrize(("edit", "code", "words"), [
    (("      runs:\n", "      runs: []\n      more:\n"), "E203", "unknown key `more` in `settlements`"),
    (("    settlements:\n", "    expect: {accepted: 1}\n    settlements:\n"), "E208",
     "a `settlements` case expects figures per run"),
    (("        - as_of: 2026-06-30\n", "        - as_if: 2026-06-30\n"), "E203", "unknown key `as_if` in a run"),
    (("        - as_of: 2026-06-30\n", "        - as_of: 30 June\n"), "E400", "`as_of` must be a date"),
])
def test_a_malformed_sequence_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          edit: tuple[str, str], code: str, words: str) -> None:
    path = write(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    status, _, err = run([str(path)], capsys)
    assert status == 2
    assert f"error[{code}]" in err and words in err, err


def test_an_empty_list_of_runs_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "seq.tests.yaml"
    path.write_text(f"program: {SAAS}\n{PARTNERS}cases:\n  - name: nothing\n    settlements:\n"
                    "      transactions: []\n      runs: []\n", encoding="utf-8")
    status, _, err = run([str(path)], capsys)
    assert status == 2 and "error[E206]: `runs` is empty" in err, err


def test_coverage_counts_what_any_run_of_a_sequence_reached(tmp_path: Path) -> None:
    result = program_tests.run_test_files([str(write(tmp_path))])
    assert result.ok
    items = result.coverage[0].items
    assert items["ladder `annual-volume` step 2"] == ["two quarters"]
    assert items["bonus `growth` step 1"] == ["two quarters"]
    assert items["ladder `annual-volume` step 3"] == []


def test_program_tests_and_the_command_line_settle_against_a_ledger_by_one_function() -> None:
    from ppl.commands import settle as command
    from program_tests import sequences
    from runtime import store

    for name in ("settle_against", "year_to_date"):  # imported, never copied
        assert vars(sequences)[name] is vars(store)[name] is vars(command)[name]
