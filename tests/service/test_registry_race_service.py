"""The registry's race through the service: 64 registrations of one customer, from 8 processes, half of them
through two `ppl serve` instances sharing the registry, on SQLite and on PostgreSQL — exactly one accepted.

Each trial starts two service instances on a fresh registry; four processes register through the Python API
and four send the same requests over HTTP, two to each instance (a vendor key stating the partner and the
instant, as a claim entered for a partner would be). `PPL_REGISTRY_TRIALS=100` runs a hundred trials per store.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from runtime import ir_json
from runtime.service.auth import new_key, write_keys
from tests.support import registry_race as rr
from tests.support.serving import serving
from tests.unit.runtime.store._registry_program import compile_test_program

TRIALS = int(os.environ.get("PPL_REGISTRY_TRIALS", "1"))
PROGRAM = "registry-test"


@dataclass(frozen=True, slots=True)
class ViaService:
    """A submitter that sends its registrations to a service instance (picklable: spawned processes call it)."""

    url: str
    key: str

    def __call__(self, target: str, partners: Sequence[str], ready: Callable[[], None]) -> list[rr.Answer]:
        answers = []
        with httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.key}"}, timeout=120) as http:
            ready()
            for partner in partners:
                body = {"customer": rr.customer_of(partner), "partner": partner, "fields": rr.DEAL,
                        "at": rr.MOMENT.isoformat()}
                answer = http.post(f"/v1/programs/{PROGRAM}/registrations", json=body)
                assert answer.status_code == 200, answer.text
                o = answer.json()["outcome"]
                answers.append(rr.Answer(partner, o["accepted"], o["claim"], o["owner"], o["rule"], o["arrival"]))
        return answers


def _bundle(tmp: Path) -> tuple[Path, Path, str]:
    """A bundle of the registry test program with its 64 partners, and a keys file with one vendor key."""
    bundle = tmp / "bundle"
    bundle.mkdir()
    (bundle / "registry-test.ruleset.json").write_text(ir_json.dumps(compile_test_program()), encoding="utf-8")
    with (bundle / "registry-test.partners.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "contract", "tier", "territory"])
        for p in rr.PARTNERS.values():
            out.writerow([p.id, p.contract, p.tier, p.fields["territory"]])
    key, record = new_key("vendor", key_id_="race")
    write_keys(tmp / "keys.json", [record])
    return bundle, tmp / "keys.json", key


def _race_through_services(targets: Sequence[str], tmp: Path) -> None:
    bundle, keys, key = _bundle(tmp)
    for trial, target in enumerate(targets):
        with serving(bundle, keys, tmp, ["--registry", target]) as one, \
                serving(bundle, keys, tmp, ["--registry", target]) as two:
            submitters: list[rr.Submitter] = [rr.register_directly] * 4
            submitters += [ViaService(one.url, key), ViaService(two.url, key)] * 2
            [got], _elapsed = rr.race(submitters, [target])
            rr.check_trial(target, got)
            assert sum(1 for g in got if g.accepted) == 1, f"trial {trial}"


def test_sixty_four_registrations_through_two_instances_on_sqlite_accept_exactly_one(tmp_path: Path) -> None:
    _race_through_services([str(tmp_path / f"registry-{n}.db") for n in range(TRIALS)], tmp_path)


def test_sixty_four_registrations_through_two_instances_on_postgresql_accept_exactly_one(
        postgres_server: str, tmp_path: Path) -> None:
    from tests.support.postgres import fresh_database

    _race_through_services([fresh_database(postgres_server) for _ in range(TRIALS)], tmp_path)


@pytest.fixture(autouse=True)
def _spawned_processes_find_the_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spawned submitters import this module and tests.support by name: the repository root on their path."""
    root = str(Path(__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
