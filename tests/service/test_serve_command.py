"""`ppl serve`: the real service under uvicorn, quoting over HTTP and reloading on SIGHUP; `ppl serve keys`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ppl.cli import main
from runtime.service.auth import Keys, read_keys
from tests.service.conftest import PROGRAM, ROOT, TXN, TestKeys

ARTIFACT = "ad_agency.ruleset.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served(bundle: Path, keys: TestKeys, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`ppl serve` on a free loopback port, until the test ends."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    err = (tmp_path / "serve.err").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "ppl", "serve", str(bundle), "--keys", str(keys.path),
                             "--port", str(port), "--log-level", "warning"], env=env,
                            stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((tmp_path / "serve.err").read_text(encoding="utf-8"))
            time.sleep(0.1)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        err.close()


def test_ppl_serve_quotes_over_http_and_reloads_on_sighup(
        served: tuple[str, subprocess.Popen[bytes]], keys: TestKeys, bundle: Path, changed_artifact: str) -> None:
    url, proc = served
    quote = f"{url}/v1/programs/{PROGRAM}/quote"
    body = {"transaction": {**TXN, "partner": "ag1-01"}}
    first = httpx.post(quote, json=body, headers=keys.header(keys.vendor), timeout=10)
    assert first.status_code == 200, first.text
    old = first.json()["ruleset"]["hash"]
    tmp = bundle / ".new"
    tmp.write_text(changed_artifact, encoding="utf-8")
    os.replace(tmp, bundle / ARTIFACT)
    proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 20
    answer = first
    while time.monotonic() < deadline:
        answer = httpx.post(quote, json=body, headers=keys.header(keys.vendor), timeout=10)
        assert answer.status_code == 200, answer.text
        if answer.json()["ruleset"]["hash"] != old:
            break
        time.sleep(0.1)
    assert answer.json()["ruleset"]["hash"] != old and answer.json()["quote"]["margin"] == "0.27"
    assert proc.poll() is None
    assert httpx.post(quote, json=body, timeout=10).status_code == 401


def test_ppl_serve_with_a_missing_bundle_or_keys_file_is_a_usage_error(
        tmp_path: Path, keys: TestKeys, bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(tmp_path / "nothing"), "--keys", str(keys.path)]) == 2
    assert "nothing: no such file or directory" in capsys.readouterr().err
    assert main(["serve", str(bundle), "--keys", str(tmp_path / "no-keys.json")]) == 2
    assert "ppl serve keys add" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    assert main(["serve", str(bundle), "--keys", str(tmp_path / "bad.json")]) == 2
    err = capsys.readouterr().err
    assert "not JSON" in err and "Traceback" not in err
    assert main(["serve", str(bundle), "--keys", str(keys.path), "--partners", "oops"]) == 2
    assert main(["serve", str(bundle), "--keys", str(keys.path), "--workers", "2"]) == 2


def test_ppl_serve_keys_add_prints_the_key_once_and_stores_its_hash(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "keys.json"
    assert main(["serve", "keys", "add", "--keys", str(path), "--role", "partner", "--partner", "P1",
                 "--id", "p1"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("ppl_p1_")
    assert key not in path.read_text(encoding="utf-8")
    found = Keys(path).authenticate(key)
    assert found is not None and (found.role, found.partner) == ("partner", "P1")
    assert main(["serve", "keys", "add", "--keys", str(path), "--role", "admin"]) == 0
    capsys.readouterr()
    assert main(["serve", "keys", "list", "--keys", str(path)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and listed[0].startswith("p1\tpartner\tP1\t")
    assert all("sha256" not in line for line in listed)
    assert main(["serve", "keys", "revoke", "p1", "--keys", str(path)]) == 0
    assert list(read_keys(path)) != [] and "p1" not in read_keys(path)


@pytest.mark.parametrize(("argv", "message"), [
    (["add", "--role", "partner"], "names its --partner"),
    (["add", "--role", "vendor", "--partner", "P"], "names its --partner"),
    (["add"], "--role"),
    (["revoke", "nobody"], "no key `nobody`"),
    (["frobnicate"], "give an action"),
])
def test_a_keys_command_with_a_mistake_is_a_usage_error(
        tmp_path: Path, keys: TestKeys, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "keys", *argv, "--keys", str(keys.path)]) == 2
    assert message in capsys.readouterr().err
