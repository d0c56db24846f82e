"""The store tests' target: each test that takes `store_target` runs on an SQLite file and on a fresh
PostgreSQL database (skipped where the machine has no PostgreSQL server binaries)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An SQLite file that does not exist yet, or the URL of a fresh, empty PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    url: str = request.getfixturevalue("postgres_url")
    return url
