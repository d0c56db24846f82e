"""How constructs are matched: by id (a renamed id is a removal and an addition), ladders step by step,
versions by name; an addition or removal is one change for the construct, not one per attribute."""

from __future__ import annotations

from pathlib import Path

import pytest

from ppl.commands._diff_sides import load_side
from runtime.diff import Change, ProgramDiff, diff_rulesets, render_markdown, render_text, to_json
from tests.unit.diff._revisions import original, replace_once

SAAS = "programs/saas_reseller.yaml"


def _diff(tmp_path: Path, *edits: tuple[str, str]) -> ProgramDiff:
    text = original("saas_reseller")
    for old, new in edits:
        text = replace_once(text, old, new)
    path = tmp_path / "saas.yaml"
    path.write_text(text, encoding="utf-8")
    a, b = load_side(SAAS, color="never"), load_side(str(path), color="never")
    return diff_rulesets(a.ruleset, b.ruleset, a.name, b.name, a.places, b.places)


def _summary(change: Change) -> tuple[str, str, str, int | None, str]:
    return change.action, change.kind, change.id, change.step, change.attribute


def test_a_renamed_benefit_is_a_removal_and_an_addition(in_root: Path, tmp_path: Path) -> None:
    diff = _diff(tmp_path, ("  - id: co-selling\n", "  - id: joint-selling\n"),
                 ("benefits: [priority-leads, roadmap-preview, co-selling]",
                  "benefits: [priority-leads, roadmap-preview, joint-selling]"),
                 ("      benefits: [co-selling]", "      benefits: [joint-selling]"))
    assert [_summary(c) for c in diff.changes] == [
        ("changed", "tier", "tier1", None, "benefits"), ("changed", "tier", "tier2", None, "benefits"),
        ("removed", "benefit", "co-selling", None, ""), ("added", "benefit", "joint-selling", None, "")]
    removed, added = diff.changes[2], diff.changes[3]
    assert removed.old == added.new == "kind: co_selling"
    assert removed.old_loc is not None and removed.new_loc is None and removed.old_loc.line == 125
    assert added.new_loc is not None and added.old_loc is None and added.new_loc.line == 125


def test_a_new_ladder_step_is_one_addition(in_root: Path, tmp_path: Path) -> None:
    diff = _diff(tmp_path, ("      - from: 5億\n        rate: 5%\n",
                            "      - from: 5億\n        rate: 5%\n      - from: 10億\n        rate: 7%\n"))
    assert [_summary(c) for c in diff.changes] == [("added", "ladder_step", "annual-volume", 4, "")]
    assert diff.changes[0].new == "from: ¥1,000,000,000; rate: 7%"
    assert diff.changes[0].versions == ("2026.04",)


def test_a_removed_revision_is_one_removed_version(in_root: Path, tmp_path: Path) -> None:
    text = original("saas_reseller")
    start = text.index('  - version: "2027.04"')
    diff = _diff(tmp_path, (text[start:], ""))
    # the catalog of that version declared the categories as the enumeration `item_category`
    assert [_summary(c) for c in diff.changes] == [("removed", "enum", "item_category", None, ""),
                                                   ("removed", "version", "2027.04", None, "")]
    assert diff.changes[1].old is not None and diff.changes[1].old.startswith("effective_from: 2027-04-01")


def test_an_input_and_an_enumeration_are_placed_where_the_program_writes_them(in_root: Path,
                                                                              tmp_path: Path) -> None:
    diff = _diff(tmp_path, ("  segment: [enterprise, mid_market, smb]", "  segment: [enterprise, smb]"),
                 ("    open_leads: integer", "    open_leads: {type: integer, min: 0}"))
    by_kind = {c.kind: c for c in diff.changes}
    assert by_kind["input"].attribute == "min" and (by_kind["input"].old, by_kind["input"].new) == (None, "0")
    assert by_kind["input"].old_loc is not None and by_kind["input"].old_loc.line == 36
    assert by_kind["enum"].new == "[enterprise, smb]"
    assert by_kind["enum"].old_loc is not None and by_kind["enum"].old_loc.line == 27


@pytest.mark.parametrize("render", [render_text, render_markdown])
def test_an_addition_and_a_removal_read_in_the_renderings(render: object, in_root: Path, tmp_path: Path) -> None:
    diff = _diff(tmp_path, ("  - id: co-selling\n", "  - id: joint-selling\n"),
                 ("benefits: [priority-leads, roadmap-preview, co-selling]",
                  "benefits: [priority-leads, roadmap-preview, joint-selling]"),
                 ("      benefits: [co-selling]", "      benefits: [joint-selling]"))
    assert callable(render)
    text = render(diff)
    assert "co-selling" in text and "joint-selling" in text and "1 added, 1 removed, 2 changed" in text


def test_json_names_every_field_of_a_change(in_root: Path, tmp_path: Path) -> None:
    diff = _diff(tmp_path, ("payout_cap: ¥2億", "payout_cap: ¥2,500万"))
    (change,) = to_json(diff)["changes"]
    assert change == {"kind": "program", "construct": "program setting", "id": "", "step": None,
                      "attribute": "payout_cap", "action": "changed", "old": "¥200,000,000", "new": "¥25,000,000",
                      "old_at": f"{SAAS}:23:15", "new_at": f"{tmp_path / 'saas.yaml'}:23:15", "versions": []}


def test_a_pilot_size_stated_is_a_changed_setting(in_root: Path, tmp_path: Path) -> None:
    diff = _diff(tmp_path, ("  fiscal_year_start: 4\n", "  fiscal_year_start: 4\n  pilot: {min: 3, max: 5}\n"))
    assert [(c.kind, c.attribute, c.old, c.new) for c in diff.changes] == [
        ("program", "pilot", None, "{min: 3, max: 5}")]
    assert diff.changes[0].new_loc is not None and diff.changes[0].new_loc.line == 22
