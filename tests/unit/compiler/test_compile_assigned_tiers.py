"""Assigned tiers: `assigned: true` instead of a qualification compiles, round-trips through the artifact, and
leaves the artifacts of programs without one byte for byte as they were."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from runtime import ir, ir_json
from runtime.ir_json import ArtifactError

ROOT = Path(__file__).resolve().parents[3]
HEADER = """\
ppl: 1
program:
  id: assigned-tiers
  title: Assigned Tiers
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
  levels:
"""
GOLD_ASSIGNED = """\
    - id: gold
      assigned: true
      margin_uplift: 3%
    - id: member
      qualify: true
"""


def codes(levels: str) -> list[str]:
    """The codes `ppl check` reports for a program with these tier levels."""
    loaded = load_program_text("t.yaml", HEADER + levels)
    if loaded.program is None:
        return [d.code for d in loaded.diagnostics]
    return [d.code for d in [*loaded.diagnostics, *check_program(loaded.program)]]


def compiled(levels: str) -> ir.RuleSet:
    loaded = load_program_text("t.yaml", HEADER + levels)
    assert loaded.program is not None
    assert not dg.has_errors(check_program(loaded.program))
    return compile_program(loaded.program)


def test_an_assigned_tier_compiles_without_a_qualification() -> None:
    tiers = compiled(GOLD_ASSIGNED).versions[0].tiers
    assert tiers is not None
    gold, member = tiers.levels
    assert (gold.assigned, gold.qualify, gold.requirements) == (True, ir.Const("boolean", False), None)
    assert not member.assigned


def test_an_assigned_tier_round_trips_through_the_artifact() -> None:
    ruleset = compiled(GOLD_ASSIGNED)
    text = ir_json.dumps(ruleset)
    assert ir_json.loads(text) == ruleset
    levels = json.loads(text)["ruleset"]["versions"][0]["tiers"]["levels"]
    assert [level.get("assigned") for level in levels] == [True, None]


def test_a_tier_assigned_false_is_a_qualified_tier() -> None:
    assert codes("    - id: gold\n      assigned: false\n      qualify: period.deals >= 2\n") == []
    assert codes("    - id: gold\n      assigned: false\n") == ["E202"]


@pytest.mark.parametrize("program", sorted((ROOT / "programs").glob("*.yaml")), ids=lambda p: p.stem)
def test_programs_without_an_assigned_tier_encode_no_assigned_key(program: Path) -> None:
    loaded = load_program_text(program.name, program.read_text(encoding="utf-8"))
    assert loaded.program is not None
    assert '"assigned"' not in ir_json.dumps(compile_program(loaded.program))


def test_a_tier_both_assigned_and_qualified_is_E363() -> None:
    assert codes("    - id: gold\n      assigned: true\n      qualify: period.deals >= 2\n") == ["E363"]


def test_a_tier_neither_assigned_nor_qualified_is_E202_as_before() -> None:
    assert codes("    - id: gold\n      margin_uplift: 3%\n") == ["E202"]


@pytest.mark.parametrize("qualify", ["partner.tier == gold", "gold == partner.tier", "partner.tier in [gold]",
                                     "period.deals >= 2 and partner.tier == gold"])
def test_a_qualification_that_requires_the_tier_itself_is_W307(qualify: str) -> None:
    assert codes(f"    - id: gold\n      qualify: {qualify}\n    - id: member\n      qualify: true\n") == ["W307"]


@pytest.mark.parametrize("qualify", ["partner.tier == gold or period.deals >= 2", "partner.tier == member",
                                     "partner.tier in [gold, member]"])
def test_a_qualification_that_keeps_or_earns_the_tier_is_not_W307(qualify: str) -> None:
    assert codes(f"    - id: gold\n      qualify: {qualify}\n    - id: member\n      qualify: true\n") == []


def test_an_artifact_whose_assigned_tier_has_a_qualification_is_refused() -> None:
    data = ir_json.encode(compiled(GOLD_ASSIGNED))
    data["versions"][0]["tiers"]["levels"][0]["qualify"] = ir_json.encode_expr(ir.Const("boolean", True))
    with pytest.raises(ArtifactError, match="an assigned tier qualifies by no rule"):
        ir_json.decode(data)


def test_an_artifact_whose_assigned_flag_is_not_true_or_false_is_refused() -> None:
    data = ir_json.encode(compiled(GOLD_ASSIGNED))
    data["versions"][0]["tiers"]["levels"][0]["assigned"] = "yes"
    with pytest.raises(ArtifactError, match="assigned"):
        ir_json.decode(data)
