"""Shared fixtures and the `--update-golden` option; quote plans are strict under test.

`PPL_STRICT_PLANS=1` is set for the whole suite (before any test module imports the runtime): a
quote plan that fails where the reference path answers raises `PlanError` instead of falling back.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PPL_STRICT_PLANS", "1")

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden files from the current output instead of comparing")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the repository root as the working directory, so file names print as in the docs."""
    monkeypatch.chdir(ROOT)
    return ROOT
