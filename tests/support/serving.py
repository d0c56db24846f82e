"""`ppl serve` in a process of its own, on a free loopback port, for the tests that need the real service."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class Served:
    """A running `ppl serve`: its base URL and its process."""

    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def serving(bundle: Path, keys: Path, scratch: Path, options: Sequence[str] = (),
            timeout: float = 60.0) -> Iterator[Served]:
    """Run `ppl serve BUNDLE --keys KEYS OPTIONS…` until the block ends (stopped with SIGTERM, killed if it hangs).

    Waits until `/readyz` answers 200. Raises AssertionError with the service's standard error when it ends or
    is not ready within `timeout` seconds.
    """
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    err_path = scratch / f"serve-{port}.err"
    with err_path.open("wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "ppl", "serve", str(bundle), "--keys", str(keys),
                                    "--port", str(port), "--log-level", "warning", *options],
                                   env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(err_path.read_text(encoding="utf-8", errors="replace"))
            time.sleep(0.1)
        yield Served(url, process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
