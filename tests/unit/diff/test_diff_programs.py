"""`diff_rulesets` on the example programs: each revised copy names exactly its edits, with the place on both
sides; a copy that differs in layout only, and a program against its own rule set, show no change."""

from __future__ import annotations

from pathlib import Path

import pytest

from ppl.commands._diff_sides import Loaded, load_side
from runtime import ir_json
from runtime.diff import ProgramDiff, diff_rulesets
from tests.unit.diff._revisions import EDITS, EXPECTED, REFORMATS, original, reformatted, revised

STEMS = sorted(EDITS)


def _loaded(path: Path) -> Loaded:
    return load_side(str(path), color="never")


def _diff(old: Path, new: Path) -> ProgramDiff:
    a, b = _loaded(old), _loaded(new)
    return diff_rulesets(a.ruleset, b.ruleset, a.name, b.name, a.places, b.places)


def _written(tmp_path: Path, stem: str, text: str) -> Path:
    path = tmp_path / f"{stem}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("stem", STEMS)
def test_a_revised_program_shows_exactly_its_edits_with_both_places(stem: str, in_root: Path,
                                                                    tmp_path: Path) -> None:
    new_path = _written(tmp_path, stem, revised(stem))
    diff = _diff(Path("programs") / f"{stem}.yaml", new_path)
    found = [(c.kind, c.id, c.step, c.attribute, c.old, c.new, c.old_loc.line, c.old_loc.col, c.versions)
             for c in diff.changes if c.old_loc is not None]
    assert found == EXPECTED[stem]
    assert all(c.action == "changed" for c in diff.changes)
    assert {c.old_loc.file for c in diff.changes if c.old_loc} == {f"programs/{stem}.yaml"}
    assert [(c.new_loc.line, c.new_loc.col) for c in diff.changes if c.new_loc] == \
           [(line, col) for *_, line, col, _ in EXPECTED[stem]]
    assert {c.new_loc.file for c in diff.changes if c.new_loc} == {str(new_path)}


@pytest.mark.parametrize("stem", STEMS)
def test_the_reverse_diff_swaps_old_and_new(stem: str, in_root: Path, tmp_path: Path) -> None:
    old, new = Path("programs") / f"{stem}.yaml", _written(tmp_path, stem, revised(stem))
    forward, backward = _diff(old, new), _diff(new, old)
    assert [(c.path, c.old, c.new) for c in backward.changes] == [(c.path, c.new, c.old) for c in forward.changes]


@pytest.mark.parametrize("stem", sorted(REFORMATS))
def test_layout_comments_key_order_and_spelling_are_no_change(stem: str, in_root: Path, tmp_path: Path) -> None:
    text = reformatted(stem)
    assert text != original(stem)
    diff = _diff(Path("programs") / f"{stem}.yaml", _written(tmp_path, stem, text))
    assert diff.empty, [c.path for c in diff.changes]


@pytest.mark.parametrize("stem", STEMS)
def test_a_program_and_its_compiled_rule_set_are_the_same(stem: str, in_root: Path) -> None:
    ruleset = _loaded(Path("programs") / f"{stem}.yaml").ruleset
    assert diff_rulesets(ruleset, ir_json.loads(ir_json.dumps(ruleset))).empty
