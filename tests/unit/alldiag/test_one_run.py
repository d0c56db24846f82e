"""Every mistake in one run: an error is confined to the construct that has it, and the rest is checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.pipeline import check, check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from policy_lang.partial import Broken
from tests.support.programs import HEADER

HERE = Path(__file__).resolve().parent



def codes_of(text: str) -> list[str]:
    loaded = load_program_text("p.yaml", text)
    found = list(loaded.diagnostics)
    checkable = loaded.checkable()
    if checkable is not None:
        found.extend(check_program(*checkable))
    return [d.code for d in dg.sort_diagnostics(found) if d.severity is dg.Severity.ERROR]


def test_one_mistake_of_each_kind_in_different_constructs_is_reported_in_one_run(monkeypatch: pytest.MonkeyPatch
                                                                                  ) -> None:
    monkeypatch.chdir(HERE)
    result = check(["many_mistakes.yaml"])
    found = [(d.code, d.span.line if d.span else 0) for d in result.diagnostics if d.severity is dg.Severity.ERROR]
    assert found == [
        ("E401", 8),   # a date error: the version ends before it starts
        ("E307", 21),  # a type error in contract `agency`: a margin written as money
        ("E302", 32),  # an unknown name in ladder `annual-volume`
        ("E322", 39),  # an overlapping step in ladder `quarterly-volume`
        ("E201", 48),  # a schema error in tier `gold` (no echo where `silver` names it)
    ]


def test_a_schema_error_in_one_tier_leaves_the_other_constructs_checked() -> None:
    text = HEADER + """\
contracts:
  - {id: r, kind: distributor, margin: ¥100}
tiers:
  cadence: quarterly
  levels:
    - {id: gold, qualify: true, colour: red, margin_uplift: [1]}
    - {id: silver, qualify: partner.tier == "gold"}
"""
    assert codes_of(text) == ["E307", "E203", "E201"]


def test_a_reference_to_a_ladder_with_a_schema_error_is_not_an_unknown_ladder() -> None:
    text = HEADER + """\
contracts:
  - {id: r, kind: distributor, margin: 10%, ladder: volume, bonuses: [b]}
ladders:
  - {id: volume, basis: purchases, period: quarterly, mode: marginal, steps: [{from: ¥0, rate: 1%}]}
"""
    assert codes_of(text) == ["E301", "E204"]  # the bonus is unknown; the ladder's period is not a period


def test_an_unknown_key_leaves_its_construct_checked() -> None:
    text = HEADER + """\
contracts:
  - {id: r, kind: distributor, margin: ¥100, colour: red}
"""
    assert codes_of(text) == ["E307", "E203"]


def test_an_expression_error_leaves_the_other_constructs_checked() -> None:
    text = HEADER + """\
contracts:
  - {id: r, kind: distributor, margin: 10% +, ladder: volume}
  - {id: s, kind: distributor, margin: ¥5}
ladders:
  - {id: volume, basis: purchases, period: quarter, mode: marginal, steps: [{from: ¥0, rate: 1%}]}
"""
    assert codes_of(text) == ["E121", "E307"]


def test_an_unknown_name_in_one_ladder_leaves_the_other_ladders_analysed() -> None:
    text = HEADER + """\
contracts:
  - {id: r, kind: distributor, margin: 10%, ladder: a}
  - {id: s, kind: distributor, margin: 10%, ladder: b}
ladders:
  - {id: a, basis: purchases, period: quarter, mode: marginal, steps: [{from: ¥0, rate: partner.x}]}
  - {id: b, basis: purchases, period: quarter, mode: marginal, steps: [{from: ¥0, rate: 1%}, {from: ¥0, rate: 2%}]}
"""
    assert codes_of(text) == ["E302", "E321"]


def test_an_error_in_the_program_header_still_stops_the_checks() -> None:
    text = HEADER.replace("currency: JPY", "currency: 7") + "contracts:\n  - {id: r, kind: distributor, margin: ¥1}\n"
    assert codes_of(text) == ["E201"]


def test_a_whole_broken_tiers_section_leaves_tier_names_unchallenged() -> None:
    text = HEADER + """\
contracts:
  - {id: r, kind: distributor, margin: 10%, bonuses: [b]}
bonuses:
  - id: b
    basis: purchases
    period: quarter
    kind: one_off
    when: partner.tier == "gold"
    steps: [{target: ¥100, pay: ¥10}]
tiers: [gold, silver]
conflicts:
  precedence:
    - {rule: tie_break, by: higher_tier}
"""
    assert codes_of(text) == ["E201"]


def test_a_program_without_errors_is_checked_whole() -> None:
    loaded = load_program_text("p.yaml", HEADER + "contracts:\n  - {id: r, kind: distributor, margin: 10%}\n")
    assert loaded.program is not None and loaded.partial is None
    assert loaded.checkable() == (loaded.program, Broken())


def test_a_program_with_errors_is_never_given_to_the_compiler() -> None:
    loaded = load_program_text("p.yaml", HEADER + "contracts:\n  - {id: r, kind: distributor, margin: [1]}\n"
                                                  "  - {id: s, kind: distributor, margin: 10%}\n")
    assert loaded.program is None
    assert loaded.partial is not None and [c.id.name for c in loaded.partial.program.body.contracts or ()] == ["s"]


def test_json_output_lists_the_related_places_with_their_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    result = check(["many_mistakes.yaml"])
    overlap = next(d for d in json.loads(dg.render_json(result.diagnostics))["diagnostics"] if d["code"] == "E322")
    assert overlap["related"] == [{"file": "many_mistakes.yaml", "line": 41, "col": 15, "label": "step 2 starts here"}]


def test_a_broken_catalog_leaves_the_item_fields_of_the_rules_unchallenged() -> None:
    text = HEADER + """\
contracts:
  - {id: r, kind: distributor, margin: 20%}
catalog:
  categories: [plan, seats, addon]
  items:
    - {sku: CN-PEN, category: addon, list_price: [1]}
price_rules:
  margin_caps:
    - {id: addon-cap, when: item.category == addon, cap: ¥8}
"""
    assert codes_of(text) == ["E201", "E307"]
