"""Bundles: artifacts verified, swapped in atomically, each kept by hash; a bad one refused, the old one serving."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.service.app import create_app
from runtime.service.bundles import BundleError, Bundles, artifact_files, parse_partner_options
from runtime.service.deps import MemoryLog
from tests.service.conftest import PROGRAM, ROOT, TXN, TestKeys

QUOTE = f"/v1/programs/{PROGRAM}/quote"
ARTIFACT = "ad_agency.ruleset.json"
LEVEL1 = {**TXN, "partner": "ag1-01"}


def _replace(path: Path, text: str) -> None:
    """Write a file the way a deployment does: a new file renamed over the old one."""
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _quote(client: TestClient, keys: TestKeys, suffix: str = "") -> Any:
    return client.post(QUOTE + suffix, json={"transaction": LEVEL1}, headers=keys.header(keys.vendor))


def test_programs_lists_each_program_with_its_artifacts(client: TestClient, keys: TestKeys) -> None:
    body = client.get("/v1/programs", headers=keys.header(keys.vendor)).json()
    [program] = body["programs"]
    assert program["program"] == PROGRAM
    [artifact] = program["artifacts"]
    assert artifact["hash"] == program["current"] and artifact["current"] is True
    assert artifact["versions"] == ["2026.04", "2026.10"]
    assert artifact["path"] == ARTIFACT and artifact["partners"] == 47
    assert artifact["loaded_at"].endswith("Z")
    seen_by_partner = client.get("/v1/programs", headers=keys.header(keys.partner)).json()
    assert seen_by_partner["programs"][0]["artifacts"][0]["partners"] is None


def test_a_changed_partners_file_is_served_after_a_reload_under_the_same_hash(
        client: TestClient, keys: TestKeys, bundle: Path) -> None:
    before = client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.vendor)).json()["ruleset"]["hash"]
    partners = bundle / "ad_agency.partners.csv"
    rows = partners.read_text(encoding="utf-8").splitlines()
    partners.write_text("\n".join(r for r in rows if not r.startswith("ag3-01,")) + "\n", encoding="utf-8")
    reload = client.post("/v1/admin/reload", headers=keys.header(keys.admin)).json()
    assert reload["ok"] is True, reload
    assert reload["loaded"] == [before] and reload["current"] == {PROGRAM: before}
    gone = client.post(QUOTE, json={"transaction": TXN}, headers=keys.header(keys.vendor))
    assert gone.status_code == 422 and gone.json()["code"] == "E511"


def test_a_hidden_file_is_not_an_artifact(bundle: Path) -> None:
    (bundle / ".ad_agency.ruleset.json").write_text("{", encoding="utf-8")
    assert [p.name for p in artifact_files(bundle)] == [ARTIFACT]


def test_a_reload_swaps_in_a_changed_artifact_and_keeps_the_old_one_by_hash(
        client: TestClient, keys: TestKeys, bundle: Path, changed_artifact: str) -> None:
    before = _quote(client, keys).json()
    _replace(bundle / ARTIFACT, changed_artifact)
    reload = client.post("/v1/admin/reload", headers=keys.header(keys.admin)).json()
    assert reload["ok"] is True and reload["refused"] == []
    [new_hash] = reload["loaded"]
    assert reload["current"] == {PROGRAM: new_hash} and new_hash != before["ruleset"]["hash"]
    after = _quote(client, keys).json()
    assert after["ruleset"]["hash"] == new_hash
    assert (before["quote"]["margin"], after["quote"]["margin"]) == ("0.22", "0.27")
    pinned = _quote(client, keys, f"?ruleset={before['ruleset']['hash']}").json()
    assert pinned["quote"] == before["quote"] and pinned["ruleset"] == before["ruleset"]
    listed = client.get("/v1/programs", headers=keys.header(keys.vendor)).json()["programs"][0]
    assert [(a["hash"], a["current"]) for a in listed["artifacts"]] == [(before["ruleset"]["hash"], False),
                                                                         (new_hash, True)]


def test_a_reload_without_a_change_loads_nothing(client: TestClient, keys: TestKeys) -> None:
    reload = client.post("/v1/admin/reload", headers=keys.header(keys.admin)).json()
    assert reload["loaded"] == [] and reload["ok"] is True


@pytest.mark.parametrize("corrupt", ["{not json", '{"format": "ppl-ruleset/999"}', "altered"])
def test_a_bad_artifact_is_refused_and_the_old_one_keeps_serving(
        client: TestClient, keys: TestKeys, bundle: Path, corrupt: str) -> None:
    before = _quote(client, keys).json()["ruleset"]["hash"]
    path = bundle / ARTIFACT
    text = path.read_text(encoding="utf-8").replace('"20%"', '"21%"').replace("0.2", "0.3", 1) \
        if corrupt == "altered" else corrupt
    _replace(path, text)
    reload = client.post("/v1/admin/reload", headers=keys.header(keys.admin)).json()
    assert reload["ok"] is False and reload["loaded"] == []
    [refusal] = reload["refused"]
    assert refusal["path"].endswith(ARTIFACT) and refusal["reason"]
    assert reload["current"] == {PROGRAM: before}
    assert _quote(client, keys).json()["ruleset"]["hash"] == before
    metrics = client.get("/metrics").text
    assert 'ppl_bundle_reloads_total{result="refused"} 1.0' in metrics
    assert "ppl_artifacts_refused_total 1.0" in metrics


def test_a_rollback_to_an_earlier_artifact_makes_it_current_again(
        client: TestClient, keys: TestKeys, bundle: Path, changed_artifact: str) -> None:
    original = (bundle / ARTIFACT).read_text(encoding="utf-8")
    first = _quote(client, keys).json()["ruleset"]["hash"]
    _replace(bundle / ARTIFACT, changed_artifact)
    client.post("/v1/admin/reload", headers=keys.header(keys.admin))
    _replace(bundle / ARTIFACT, original)
    reload = client.post("/v1/admin/reload", headers=keys.header(keys.admin)).json()
    assert reload["loaded"] == [] and reload["current"] == {PROGRAM: first}
    assert _quote(client, keys).json()["ruleset"]["hash"] == first


def test_hot_reload_under_load_drops_no_request(client: TestClient, keys: TestKeys, bundle: Path,
                                                changed_artifact: str) -> None:
    """Threads quote without pause while the artifact is replaced, reloaded, then replaced by a corrupt one."""
    old = _quote(client, keys).json()["ruleset"]["hash"]
    stop = threading.Event()
    seen: list[str] = []
    failures: list[str] = []

    def quote_forever() -> None:
        deadline = time.monotonic() + 60  # bounded, whatever happens
        while not stop.is_set() and time.monotonic() < deadline:
            answer = _quote(client, keys)
            if answer.status_code != 200:
                failures.append(answer.text)
            else:
                seen.append(answer.json()["ruleset"]["hash"])

    threads = [threading.Thread(target=quote_forever) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.3)
        _replace(bundle / ARTIFACT, changed_artifact)
        new = client.post("/v1/admin/reload", headers=keys.header(keys.admin)).json()["current"][PROGRAM]
        time.sleep(0.3)
        switched = len(seen)
        _replace(bundle / ARTIFACT, "{corrupt")
        refused = client.post("/v1/admin/reload", headers=keys.header(keys.admin)).json()
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert failures == []
    assert refused["ok"] is False and refused["current"] == {PROGRAM: new}
    assert seen[0] == old and seen[-1] == new and new != old
    first_new = seen.index(new)
    assert set(seen[first_new + 8:]) == {new}  # after the swap (allowing for requests in flight), only the new
    assert set(seen[switched:]) == {new}
    assert len(seen) > 20


def test_the_watcher_reloads_when_the_bundle_changes(bundle: Path, keys: TestKeys, changed_artifact: str) -> None:
    app = create_app(bundle, keys.path, log=MemoryLog(), watch=True, watch_interval=0.05)
    with TestClient(app) as client:
        old = _quote(client, keys).json()["ruleset"]["hash"]
        _replace(bundle / ARTIFACT, changed_artifact)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _quote(client, keys).json()["ruleset"]["hash"] == old:
            time.sleep(0.05)
        assert _quote(client, keys).json()["ruleset"]["hash"] != old


def test_a_single_artifact_is_a_bundle_and_partners_may_be_given_per_program(
        bundle: Path, keys: TestKeys, tmp_path: Path) -> None:
    lone = tmp_path / "lone.json"
    lone.write_text((bundle / ARTIFACT).read_text(encoding="utf-8"), encoding="utf-8")
    partners = {PROGRAM: ROOT / "examples" / "data" / "partners.csv"}
    with TestClient(create_app(lone, keys.path, partners=partners)) as client:
        assert _quote(client, keys).status_code == 200
    with TestClient(create_app(lone, keys.path)) as client:  # no partners: every seller is unknown
        assert _quote(client, keys).json()["code"] == "E511"


def test_a_bundle_that_cannot_be_served_stops_the_start(tmp_path: Path, keys: TestKeys, bundle: Path) -> None:
    with pytest.raises(BundleError, match="no such file"):
        create_app(tmp_path / "missing", keys.path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(BundleError, match="no rule set artifact"):
        create_app(tmp_path / "empty", keys.path)
    (bundle / "broken.ruleset.json").write_text("[]", encoding="utf-8")
    with pytest.raises(BundleError, match="broken.ruleset.json"):
        create_app(bundle, keys.path)


def test_bad_partners_refuse_the_artifact(bundle: Path) -> None:
    (bundle / "ad_agency.partners.csv").write_text("id,contract\nx,no-such-contract\n", encoding="utf-8")
    result = Bundles(bundle).reload()
    [refusal] = result.refused
    assert "no-such-contract" in refusal.reason


def test_a_signed_bundle_needs_a_trusted_signature(bundle: Path, tmp_path: Path) -> None:
    from runtime import signing

    if not hasattr(signing, "read_public_keys"):
        pytest.skip("no signing support")
    key = tmp_path / "other.pub.pem"
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    result = Bundles(bundle, trusted_keys=[key]).reload()
    assert len(result.refused) == 1 and result.default == {}


def test_artifact_files_and_partner_options() -> None:
    assert artifact_files(ROOT / "programs" / "ad_agency.yaml") == [ROOT / "programs" / "ad_agency.yaml"]
    assert parse_partner_options(["p=a.csv"]) == {"p": Path("a.csv")}
    with pytest.raises(ValueError, match="PROGRAM=FILE"):
        parse_partner_options(["p"])
