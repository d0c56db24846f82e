"""Shared fixtures and the `--update-golden` option; quote plans are strict under test.

`PPL_STRICT_PLANS=1` is set for the whole suite (before any test module imports the runtime): a
quote plan that fails where the reference path answers raises `PlanError` instead of falling back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server for the session (tests/support/postgres.py): its URL.

    Skipped when the machine has no PostgreSQL binaries, except under CI, where that fails.
    """
    from tests.support import postgres

    if postgres.binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("no PostgreSQL server binaries; `make test` installs Debian's postgresql package")
        pytest.skip("no PostgreSQL server binaries on this machine")
    with postgres.server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """The URL of a fresh, empty database on the session's PostgreSQL server."""
    from tests.support import postgres

    return postgres.fresh_database(postgres_server)
