"""`ppl test` with `tiers` in the runs of a `settlements` case: each partner's tier reviews of the year to the
run's as-of, or the tier in force at it; how a failure reads, malformed expectations, and coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

import program_tests
from ppl.cli import main

ROOT = Path(__file__).resolve().parents[3]
SAAS = ROOT / "programs" / "saas_reseller.yaml"

# CloudNote reviews tiers quarterly on the quarter before the review: tier 1 needs ¥7500万 of sales in it
# (with a ¥3億 record and 5 engineers), tier 2 the record and engineers alone. riser is registered in
# tier 2: ¥8000万 in the first quarter promotes it on 1 July; ¥1000万 in the second keeps tier 1 on 1 October
# (reached one review earlier, kept for two). No other partner of the file.
HEAD = """\
partners:
  - id: riser
    contract: reseller
    tier: tier2
    fields: {trailing_sales: ¥4億, certified_engineers: 6, nda_signed: false, region: hokkaido,
             segment: smb, open_leads: 0, lead_capacity: 5}
cases:
  - name: a promotion kept
    settlements:
      transactions:
        - {id: t1, partner: riser, date: 2026-05-20, list_price: ¥8000万}
        - {id: t2, partner: riser, date: 2026-08-20, list_price: ¥1000万}
      runs:
        - as_of: 2026-06-30
          expect:
"""
FIRST = "            tiers: {riser: tier2}\n"
SECOND = """\
        - as_of: 2026-12-31
          expect:
            tiers:
              riser: [2026-07-01 tier1 promoted, {review: 2026-10-01, tier: tier1, outcome: kept, sales: ¥1000万,
                                                  deals: 1}]
"""


def write(tmp_path: Path, first: str = FIRST, second: str = SECOND) -> Path:
    path = tmp_path / "tiers.tests.yaml"
    path.write_text(f"program: {SAAS}\n{HEAD}{first}{second}", encoding="utf-8")
    return path


def run(path: Path, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[int, str, str]:
    status = main(["test", str(path), *more])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("engine", ["compiled", "interpreted"])
def test_a_run_passes_when_each_partner_has_the_tier_reviews_it_expects(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str) -> None:
    status, out, err = run(write(tmp_path), capsys, "--engine", engine)
    assert (status, err) == (0, ""), out
    assert "  PASS a promotion kept\n" in out


def test_a_review_that_differs_names_the_run_the_partner_and_the_review(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    second = SECOND.replace("2026-07-01 tier1 promoted", "2026-07-01 tier2 met")
    status, out, _ = run(write(tmp_path, second=second), capsys)
    assert status == 1
    assert "run 2, as of 2026-12-31: tiers riser review 2026-07-01: expected tier2 met, got tier1 promoted" in out
    assert "qualifies for `tier1`: promoted from `tier2`" in out and "2026-04-01 to 2026-06-30" in out


def test_a_figure_a_review_read_is_compared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(write(tmp_path, second=SECOND.replace("sales: ¥1000万", "sales: ¥1001万")), capsys)
    assert status == 1
    assert "tiers riser review 2026-10-01 sales: expected ¥10,010,000, got ¥10,000,000" in out


def test_a_missing_or_an_extra_review_fails_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    second = SECOND.replace("2026-07-01 tier1 promoted, ", "")
    status, out, _ = run(write(tmp_path, second=second), capsys)
    assert status == 1
    assert "tiers riser reviews: expected [2026-10-01], got [2026-07-01, 2026-10-01]" in out


def test_the_tier_in_force_at_the_as_of_is_compared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(write(tmp_path, first="            tiers: {riser: tier1}\n"), capsys)
    assert status == 1
    assert "run 1, as of 2026-06-30: tiers riser in force: expected tier1, got tier2" in out
    assert "the partners file's tier holds" in out


@pytest.mark.parametrize(("first", "code", "words"), [
    ("            tiers: {riser: [2026-07-01 tier1]}\n", "E205", "a tier review is written DATE TIER OUTCOME"),
    ("            tiers: {riser: [2026-13-01 tier1 promoted]}\n", "E400", "must be a date (YYYY-MM-DD)"),
    ("            tiers: {riser: [2026-07-01 tier9 promoted]}\n", "E301", "unknown tier `tier9`"),
    ("            tiers: {riser: [2026-07-01 tier1 upgraded]}\n", "E301", "unknown tier review outcome `upgraded`"),
    ("            tiers: {riser: tier9}\n", "E301", "unknown tier `tier9`"),
    ("            tiers: {nobody: tier1}\n", "E301", "unknown partner `nobody`"),
    ("            tiers: {riser: [2026-06-01 tier1 met, 2026-05-01 tier1 met]}\n", "E205", "oldest first"),
    ("            tiers: {riser: [2026-07-01 tier1 promoted]}\n", "E207", "after the run's as-of 2026-06-30"),
    ("            tiers: {riser: [{review: 2026-07-01, tier: tier1}]}\n", "E202", "has no `outcome`"),
    ("            tiers: {riser: [{review: 2026-07-01, tier: tier1, outcome: met, salez: ¥1}]}\n", "E203",
     "unknown key `salez` in a tier review"),
    ("            tiers: [riser]\n", "E201", "`tiers` (by partner: a tier, or its tier reviews) must be a mapping"),
    ("            tiers: {}\n", "E202", "`tiers` names no partner"),
])
def test_a_malformed_tier_expectation_is_reported_at_its_place(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], first: str, code: str, words: str) -> None:
    path = write(tmp_path, first=first)
    status, _, err = run(path, capsys)
    assert status == 2
    assert f"{path}:17:" in err and f"error[{code}]" in err and words in err, err


def test_a_partner_without_a_tier_is_written_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(write(tmp_path, first="            tiers: {riser: none}\n"), capsys)
    assert status == 1
    assert "tiers riser in force: expected none, got tier2" in out


def test_coverage_counts_the_tiers_a_review_reached(tmp_path: Path) -> None:
    result = program_tests.run_test_files([str(write(tmp_path))])
    assert result.ok
    items = result.coverage[0].items
    assert items["tier `tier1`"] == ["a promotion kept"]
