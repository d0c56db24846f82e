"""The fuzz targets, briefly: every committed seed replayed, then a short Hypothesis run per target.

`make fuzz` (`python -m tests.fuzz.run`) runs the same targets for minutes each; here each gets about
`FUZZ_EXAMPLES` examples so that the whole directory stays well under a minute.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.targets import TARGETS, corpus_files

pytestmark = pytest.mark.fuzz

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
"""Examples per target in the normal suite."""
DEADLINE = timedelta(seconds=30)
"""The longest one input may take here: a hostile input is answered in seconds, not minutes (`make fuzz` holds
each input to 10 s; the suite allows more, as it shares the machine with the other tests)."""

SEEDS = [(name, path) for name in TARGETS for path in corpus_files(name)]


def test_every_target_has_a_committed_corpus() -> None:
    assert {name for name, _ in SEEDS} == set(TARGETS)


@pytest.mark.parametrize(("name", "path"), SEEDS, ids=[f"{n}/{p.name}" for n, p in SEEDS])
def test_a_committed_seed_is_answered_without_a_crash(name: str, path: object) -> None:
    from pathlib import Path

    assert isinstance(path, Path)
    TARGETS[name].run(path.read_bytes())


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_a_target_answers_any_input_without_a_crash(name: str) -> None:
    target = TARGETS[name]

    @settings(max_examples=FUZZ_EXAMPLES, deadline=DEADLINE, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        target.run(data.draw(target.strategy(), label="input"))

    fuzz()
