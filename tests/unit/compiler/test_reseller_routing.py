"""The mapping form of `hierarchy.new_resellers`: what the schema, the checks and the lowering make of it."""

from __future__ import annotations

import json

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from runtime import ir, ir_json

HEADER = """\
ppl: 1
program:
  id: resellers
  title: Resellers
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
inputs:
  partner:
    region: region
    open_leads: integer
    name: text
  applicant:
    region: region
enums:
  region: [kanto, kansai]
contracts:
  - id: agency
    kind: distributor
hierarchy:
  model: nested
  max_depth: 2
  levels:
    - {level: 1, margin: 20%}
    - {level: 2, margin: 10%}
  new_resellers:
"""
SCALAR = " level_1\n"
GOOD = """\
    to: level_1
    order:
      - prefer: partner.region == applicant.region
        title: {en: same region}
      - fewest: children
      - fewest: open_leads
"""


def diagnose(routing: str, extra: str = "") -> list[tuple[str, str]]:
    loaded = load_program_text("r.yaml", HEADER + routing + extra)
    found = list(loaded.diagnostics)
    if loaded.program is not None:
        found += check_program(loaded.program)
    return [(d.code, d.message) for d in found if d.severity is dg.Severity.ERROR]


def compiled(routing: str) -> ir.RuleSet:
    text = (HEADER + routing).replace("new_resellers:\n level_1", "new_resellers: level_1")
    loaded = load_program_text("r.yaml", text)
    assert loaded.program is not None
    assert not [d for d in check_program(loaded.program) if d.severity is dg.Severity.ERROR]
    return compile_program(loaded.program)


def test_the_mapping_form_compiles_to_its_keys_with_their_places() -> None:
    hierarchy = compiled(GOOD).versions[0].hierarchy
    assert hierarchy is not None and hierarchy.new_resellers == "level_1" and hierarchy.routing is not None
    keys = hierarchy.routing.order
    assert [(k.fewest, k.prefer is not None) for k in keys] == [(None, True), ("children", False),
                                                                ("open_leads", False)]
    assert keys[0].title == {"en": "same region"} and hierarchy.routing.among_equals == "rotate"
    assert keys[0].at is not None and keys[0].at.line == 30


def test_the_scalar_form_compiles_as_before_with_no_routing() -> None:
    ruleset = compiled(SCALAR)
    hierarchy = ruleset.versions[0].hierarchy
    assert hierarchy is not None and (hierarchy.new_resellers, hierarchy.routing) == ("level_1", None)
    assert "routing" not in json.dumps(ir_json.encode(ruleset)["versions"][0]["hierarchy"])


def test_the_artifact_reads_back_and_a_hand_made_bad_count_is_refused() -> None:
    ruleset = compiled(GOOD)
    assert ir_json.loads(ir_json.dumps(ruleset)) == ruleset
    data = ir_json.encode(ruleset)
    data["versions"][0]["hierarchy"]["routing"]["order"][2]["fewest"] = "name"
    with pytest.raises(ir_json.ArtifactError, match=r"hierarchy\.routing\.order\[2\]"):
        ir_json.decode(data)


@pytest.mark.parametrize(("routing", "code", "words"), [
    ("    to: level_1\n    order:\n      - fewest: open_lead\n", "E365", "declares no partner input `open_lead`"),
    ("    to: level_1\n    order:\n      - fewest: name\n", "E365", "`partner.name` is text"),
    ("    to: vendor\n    order:\n      - fewest: children\n", "E366", "new resellers go to the vendor"),
    ("    to: vendor\n    among_equals: rotate\n", "E366", "new resellers go to the vendor"),
    ("    to: level_1\n    order:\n      - fewest: children\n      - fewest: children\n", "E366", "repeats"),
    ("    to: level_1\n    order:\n      - prefer: partner.region == kanto\n      - prefer: partner.region == kanto\n",
     "E366", "repeats"),
    ("    to: level_1\n    order:\n      - {prefer: partner.region == kanto, fewest: children}\n", "E208",
     "exactly one of `prefer` and `fewest`"),
    ("    to: level_1\n    order:\n      - title: nothing\n", "E208", "exactly one of"),
    ("    to: level_1\n    order:\n      - prefer: partner.region == applicant.regoin\n", "E302",
     "unknown field `applicant.regoin`"),
    ("    to: level_1\n    order:\n      - prefer: partner.region == lead.region\n", "E302", "cannot be read here"),
    ("    to: level_1\n    order:\n      - prefer: partner.open_leads\n", "E30", ""),
    ("    to: level_2\n", "E2", ""),
    ("    order:\n      - fewest: children\n", "E2", ""),
    ("    to: level_1\n    among_equals: least_loaded\n", "E2", ""),
])
def test_a_routing_that_cannot_choose_as_written_is_an_error(routing: str, code: str, words: str) -> None:
    found = diagnose(routing)
    assert any(c.startswith(code) and words in m for c, m in found), found


def test_an_applicant_field_cannot_be_read_outside_reseller_routing() -> None:
    found = diagnose(GOOD, "tiers:\n  cadence: quarterly\n  levels:\n    - id: t1\n"
                           "      qualify: applicant.region == kanto\n")
    assert [c for c, m in found if "`applicant.region` cannot be read here" in m] == ["E302"]
