"""Properties of `diff_rulesets` over rule sets changed in the IR: a changed step rate or threshold is exactly
one change, naming that step; a rule set is no change against itself or its artifact; swapping the sides
swaps old and new."""

from __future__ import annotations

import dataclasses
import functools
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppl.commands._diff_sides import load_side
from runtime import ir, ir_json
from runtime.diff import diff_rulesets
from tests.conftest import ROOT

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RATES = st.fractions(min_value=0, max_value=1, max_denominator=10_000)


@functools.cache
def _saas() -> ir.RuleSet:
    return load_side(str(ROOT / "programs" / "saas_reseller.yaml"), color="never").ruleset


def _with_step(ruleset: ir.RuleSet, index: int, **changes: Any) -> ir.RuleSet:
    """The rule set with one step of the first version's first ladder changed."""
    first = ruleset.versions[0]
    ladder = first.ladders[0]
    steps = tuple(dataclasses.replace(s, **changes) if i == index else s for i, s in enumerate(ladder.steps))
    version = dataclasses.replace(first, ladders=(dataclasses.replace(ladder, steps=steps), *first.ladders[1:]))
    return dataclasses.replace(ruleset, versions=(version, *ruleset.versions[1:]))


@PROPERTY
@given(index=st.integers(0, 2), rate=RATES)
def test_a_changed_step_rate_is_exactly_one_change(index: int, rate: Fraction) -> None:
    old = _saas()
    before = old.versions[0].ladders[0].steps[index].rate
    diff = diff_rulesets(old, _with_step(old, index, rate=rate))
    if rate == before:
        assert diff.empty
        return
    (change,) = diff.changes
    assert (change.kind, change.id, change.step, change.attribute) == ("ladder_step", "annual-volume", index + 1,
                                                                       "rate")
    assert change.old_loc == change.new_loc == old.versions[0].ladders[0].steps[index].at
    assert change.versions == ("2026.04",)


@PROPERTY
@given(index=st.integers(1, 2), start=st.integers(1, 10**12), strict=st.booleans())
def test_a_changed_threshold_is_one_change_and_the_reverse_swaps_the_sides(index: int, start: int,
                                                                          strict: bool) -> None:
    old = _saas()
    new = _with_step(old, index, start=start, strict=strict)
    forward, backward = diff_rulesets(old, new), diff_rulesets(new, old)
    assert len(forward.changes) <= 1
    assert [(c.path, c.old, c.new) for c in backward.changes] == [(c.path, c.new, c.old) for c in forward.changes]
    assert all(c.attribute == "from" and c.step == index + 1 for c in forward.changes)
    assert diff_rulesets(new, ir_json.loads(ir_json.dumps(new))).empty
