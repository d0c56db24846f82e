"""Fixtures of the service tests: compiled bundles, a keys file with a key of each role, a test client."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

with warnings.catch_warnings():  # Starlette asks for `httpx2` (a renamed httpx); the httpx client works the same
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from compiler.lower import compile_program
from compiler.pipeline import check
from runtime import ir_json
from runtime.service.app import create_app
from runtime.service.auth import new_key, write_keys
from runtime.service.deps import MemoryLog

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = "newswave-agencies"
SELLER = "ag3-01"  # a reseller at level 3, under ag2-01 under ag1-01
TXN = {"id": "T1", "date": "2026-05-01", "partner": SELLER, "product": "reserved", "list_price": 1000000,
       "sell_price": 1000000, "quantity": 2, "placement": "in_feed", "ad_spend": 0}


def compile_text(program: str = "ad_agency", change: tuple[str, str] | None = None,
                 tmp: Path | None = None) -> str:
    """The artifact text of a bundled program; with `change`, of a copy of it with one text replaced (in `tmp`)."""
    source = ROOT / "programs" / f"{program}.yaml"
    if change is not None:
        assert tmp is not None
        text = source.read_text(encoding="utf-8")
        assert change[0] in text
        source = tmp / source.name
        source.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    result = check([str(source)])
    return ir_json.dumps(compile_program(result.programs[0]))


LEVEL1_MARGIN = ("margin: 20%", "margin: 25%")
"""A change of the ad agency program: the 1st-tier agencies' margin, 20 % → 25 %."""


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled ad agency program compiled once, with its partners beside it."""
    out = tmp_path_factory.mktemp("artifacts")
    (out / "ad_agency.ruleset.json").write_text(compile_text(), encoding="utf-8")
    shutil.copy(ROOT / "examples" / "data" / "partners.csv", out / "ad_agency.partners.csv")
    return out


@pytest.fixture(scope="session")
def changed_artifact(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The ad agency program with the 1st-tier margin raised, compiled once: another hash of the same program."""
    return compile_text(change=LEVEL1_MARGIN, tmp=tmp_path_factory.mktemp("changed"))


@pytest.fixture
def bundle(artifacts: Path, tmp_path: Path) -> Path:
    """A bundle directory of the test's own (a copy), so that a test may replace its files."""
    out = tmp_path / "bundle"
    shutil.copytree(artifacts, out)
    return out


@dataclass(frozen=True, slots=True)
class TestKeys:
    """A keys file and one key of each role (the partner key is the reseller SELLER's)."""

    __test__ = False
    path: Path
    admin: str
    vendor: str
    partner: str
    other: str  # a partner key of another partner (ag3-02)

    def header(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def keys(tmp_path: Path) -> TestKeys:
    """A keys file with an admin, a vendor and two partner keys."""
    made = [new_key("admin", key_id_="admin1"), new_key("vendor", key_id_="vendor1"),
            new_key("partner", SELLER, "p-ag3-01"), new_key("partner", "ag3-02", "p-ag3-02")]
    path = tmp_path / "keys.json"
    write_keys(path, [record for _key, record in made])
    return TestKeys(path, *(key for key, _record in made))


@pytest.fixture
def log() -> MemoryLog:
    return MemoryLog()


@pytest.fixture
def client(bundle: Path, keys: TestKeys, log: MemoryLog) -> Iterator[TestClient]:
    """A test client of a service over the bundle, with the memory log."""
    with TestClient(create_app(bundle, keys.path, log=log), raise_server_exceptions=False) as c:
        yield c
