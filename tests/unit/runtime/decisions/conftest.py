"""Fixtures of the decision tests: a runtime built from an inline program, on both engines."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from runtime.loaded import Runtime
from tests.unit.runtime.decisions.decision_helpers import HEADER, build


@pytest.fixture(params=["compiled", "interpreted"])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make(engine: str) -> Callable[..., Runtime]:
    def _make(body: str, header: str = HEADER) -> Runtime:
        return build(body, engine, header)
    return _make
