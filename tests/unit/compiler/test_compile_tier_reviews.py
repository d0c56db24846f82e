"""Tier reviews: `tiers.review` compiles into `ir.Review`, round-trips through the artifact, leaves artifacts
without it as they were, and its keys are checked (E364, W308, W309)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from compiler.lower import compile_program
from compiler.passes.tiers import MAX_REVIEWS
from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from runtime import ir, ir_json
from runtime.ir_check import ShapeError, check_ruleset

ROOT = Path(__file__).resolve().parents[3]
HEADER = """\
ppl: 1
program:
  id: reviewed-tiers
  title: Reviewed Tiers
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
contracts:
  - id: reseller
    kind: distributor
    margin: 15%
tiers:
  cadence: quarterly
"""
LEVELS = """\
  levels:
    - id: gold
      qualify: period.sales >= ¥10,000,000
      margin_uplift: 3%
    - id: member
      qualify: true
"""


def codes(review: str, levels: str = LEVELS) -> list[str]:
    """The codes `ppl check` reports for a program with this review."""
    loaded = load_program_text("t.yaml", HEADER + review + levels)
    if loaded.program is None:
        return [d.code for d in loaded.diagnostics]
    return [d.code for d in [*loaded.diagnostics, *check_program(loaded.program)]]


def compiled(review: str) -> ir.RuleSet:
    loaded = load_program_text("t.yaml", HEADER + review + LEVELS)
    assert loaded.program is not None
    assert not dg.has_errors(check_program(loaded.program))
    return compile_program(loaded.program)


@pytest.mark.parametrize(("review", "expected"), [
    ("  review:\n    window: year_to_date\n", ir.Review("year_to_date", None, 1, 0)),
    ("  review:\n    window: since_last_review\n    keep: 2\n", ir.Review("since_last_review", None, 2, 0)),
    ("  review:\n    window: {months: 12}\n    keep: 2\n    grace: 1\n", ir.Review("months", 12, 2, 1)),
])
def test_a_review_compiles_into_the_tiers_of_the_rule_set(review: str, expected: ir.Review) -> None:
    tiers = compiled(review).versions[0].tiers
    assert tiers is not None
    assert tiers.review == expected


def test_a_review_round_trips_through_the_artifact() -> None:
    ruleset = compiled("  review:\n    window: {months: 6}\n    keep: 2\n    grace: 1\n")
    assert ir_json.loads(ir_json.dumps(ruleset)) == ruleset


def test_tiers_without_a_review_encode_no_review_key() -> None:
    assert '"review"' not in ir_json.dumps(compiled(""))


@pytest.mark.parametrize("program", sorted((ROOT / "programs").glob("*.yaml")), ids=lambda p: p.stem)
def test_example_programs_without_a_review_encode_no_review_key(program: Path) -> None:
    loaded = load_program_text(str(program), program.read_text(encoding="utf-8"))
    assert loaded.program is not None
    tiers = [v.tiers for v in compile_program(loaded.program).versions if v.tiers is not None]
    if all(t.review is None for t in tiers):
        assert '"review"' not in ir_json.dumps(compile_program(loaded.program))


@pytest.mark.parametrize("review", [
    "  review:\n    window: {months: 0}\n",
    "  review:\n    window: {months: 37}\n",
    "  review:\n    window: year_to_date\n    keep: 0\n",
    "  review:\n    window: year_to_date\n    grace: -1\n",
])
def test_a_review_key_out_of_range_is_E364(review: str) -> None:
    assert codes(review) == ["E364"]


@pytest.mark.parametrize("review", [
    "  review:\n    window: {months: 36}\n    keep: 8\n    grace: 8\n",
    "  review:\n    window: {months: 1}\n",
])
def test_review_keys_at_their_limits_are_clean(review: str) -> None:
    assert codes(review) == []


def test_a_review_whose_every_tier_is_assigned_is_W308() -> None:
    levels = "  levels:\n    - id: gold\n      assigned: true\n    - id: member\n      assigned: true\n"
    assert codes("  review:\n    window: year_to_date\n", levels) == ["W308"]


@pytest.mark.parametrize(("key", "value"), [("keep", 9), ("grace", 9)])
def test_keep_or_grace_beyond_two_years_of_reviews_is_W309(key: str, value: int) -> None:
    assert codes(f"  review:\n    window: year_to_date\n    {key}: {value}\n") == ["W309"]


@pytest.mark.parametrize("bad", ["window: monthly", "window: {months: 3, days: 2}", "keep: 1"])
def test_a_review_the_schema_refuses_is_a_schema_error(bad: str) -> None:
    assert all(c.startswith("E2") for c in codes(f"  review:\n    {bad}\n")) and codes(f"  review:\n    {bad}\n")


@pytest.mark.parametrize(("field", "value"), [("months", 40), ("keep", 0), ("grace", -2), ("window", "weekly")])
def test_a_hand_made_artifact_with_a_review_out_of_range_is_refused(field: str, value: Any) -> None:
    ruleset = compiled("  review:\n    window: {months: 12}\n")
    version = ruleset.versions[0]
    assert version.tiers is not None and version.tiers.review is not None
    review = dataclasses.replace(version.tiers.review, **{field: value})
    tiers = dataclasses.replace(version.tiers, review=review)
    bad = dataclasses.replace(ruleset, versions=(dataclasses.replace(version, tiers=tiers),))
    with pytest.raises(ShapeError):
        check_ruleset(bad)


def test_a_grace_beyond_any_program_is_refused_at_compilation_not_by_the_runtime() -> None:


    text = Path("programs/saas_reseller.yaml").read_text(encoding="utf-8").replace(
        "    grace: 1\n", "    grace: 99999999999999999999\n")
    loaded = load_program_text("p.yaml", text)
    assert loaded.program is not None
    found = [d for d in check_program(loaded.program) if d.code == "E364"]
    assert [d.message for d in found] == ["tier review: `grace: 99999999999999999999` is out of range"]
    assert f"to {MAX_REVIEWS}" in (found[0].hint or "")
