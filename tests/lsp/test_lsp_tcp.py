"""`ppl lsp --tcp HOST:PORT`: the same server on a loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.lsp.lsp_client import ROOT

pytest.importorskip("pygls")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _connect(port: int) -> socket.socket:
    deadline = time.monotonic() + 30
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=30)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _send(stream: Any, message: dict[str, Any]) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
    stream.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
    stream.flush()


def _receive(stream: Any) -> dict[str, Any]:
    length = 0
    while (header := stream.readline()) not in (b"\r\n", b""):
        name, _, value = header.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    answer: dict[str, Any] = json.loads(stream.read(length))
    return answer


def test_the_server_answers_on_a_tcp_port_and_stops_on_exit():
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "ppl", "lsp", "--tcp", f"127.0.0.1:{port}"], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.DEVNULL)
    try:
        with _connect(port) as connection, connection.makefile("rwb") as stream:
            _send(stream, {"id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}})
            answer = _receive(stream)
            assert answer["id"] == 1 and answer["result"]["capabilities"]["hoverProvider"]
            assert answer["result"]["serverInfo"]["name"] == "ppl"
            _send(stream, {"id": 2, "method": "shutdown", "params": None})
            assert _receive(stream) == {"jsonrpc": "2.0", "id": 2, "result": None}
            _send(stream, {"method": "exit", "params": None})
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_a_bad_address_is_a_usage_error():
    done = subprocess.run([sys.executable, "-m", "ppl", "lsp", "--tcp", "nowhere"], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert done.returncode == 2
    assert "HOST:PORT" in done.stderr
