"""A small Language Server Protocol client for the tests: `ppl lsp` as a subprocess, JSON-RPC over its pipes.

Messages are framed with `Content-Length` headers as editors frame them; a reader thread collects what the
server sends, so a test can wait for a notification (publishDiagnostics) or the answer to a request.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0


class LspClient:
    """`ppl lsp` started in a subprocess, driven request by request."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen([sys.executable, "-m", "ppl", "lsp", "--debounce", "0.05", *args],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        cwd=ROOT, env=env)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.answers: dict[int, dict[str, Any]] = {}
        self._next_id = 0
        self.version = 1  # of the document the tests change, for `change`
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            assert length is not None
            self.messages.put(json.loads(stream.read(length).decode("utf-8")))

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.process.stdin.flush()

    def _pump(self, deadline: float) -> None:
        message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
        if "id" in message and "method" not in message:
            self.answers[message["id"]] = message
        elif "id" in message:  # a request from the server (registerCapability, …): accept it
            self._send({"id": message["id"], "result": None})
        else:
            self.notifications.append(message)

    def request(self, method: str, params: Any) -> Any:
        """Send a request and wait for its answer; returns `result` (an error fails the test)."""
        self._next_id += 1
        number = self._next_id
        self._send({"id": number, "method": method, "params": params})
        deadline = time.monotonic() + TIMEOUT
        while number not in self.answers:
            self._pump(deadline)
        answer = self.answers.pop(number)
        assert "error" not in answer, answer["error"]
        return answer["result"]

    def notify(self, method: str, params: Any) -> None:
        """Send a notification."""
        self._send({"method": method, "params": params})

    def diagnostics(self, uri: str, after: int = 0) -> list[dict[str, Any]]:
        """Wait for the next publishDiagnostics for a document, past the first `after` notifications."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for index, note in enumerate(self.notifications[after:], after):
                if note["method"] == "textDocument/publishDiagnostics" and note["params"]["uri"] == uri:
                    del self.notifications[: index + 1]
                    found: list[dict[str, Any]] = note["params"]["diagnostics"]
                    return found
            self._pump(deadline)

    def diagnostics_any(self) -> dict[str, Any]:
        """Wait for the next publishDiagnostics, for any document: its params (`uri`, `diagnostics`)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for index, note in enumerate(self.notifications):
                if note["method"] == "textDocument/publishDiagnostics":
                    del self.notifications[: index + 1]
                    params: dict[str, Any] = note["params"]
                    return params
            self._pump(deadline)

    def initialize(self, capabilities: dict[str, Any] | None = None) -> dict[str, Any]:
        """The handshake: initialize (with the client's capabilities), then initialized; returns the server's."""
        result = self.request("initialize", {"processId": os.getpid(), "rootUri": ROOT.as_uri(),
                                             "capabilities": capabilities or {}})
        self.notify("initialized", {})
        offered: dict[str, Any] = result["capabilities"]
        return offered

    def open(self, uri: str, text: str) -> None:
        """didOpen a YAML document."""
        self.notify("textDocument/didOpen",
                    {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})

    def change(self, uri: str, text: str, version: int) -> None:
        """didChange with the whole new text (full sync)."""
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": text}]})

    def at(self, method: str, uri: str, line: int, character: int) -> Any:
        """A request at a position: hover, completion, definition."""
        return self.request(method, {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})

    def close(self) -> int:
        """shutdown, exit, and the server's exit status."""
        self.request("shutdown", None)
        self.notify("exit", None)
        try:
            return self.process.wait(timeout=TIMEOUT)
        finally:
            self.stop()

    def stop(self) -> None:
        """End the server if it still runs, and close the pipes."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._reader.join(timeout=TIMEOUT)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None and not stream.closed:
                stream.close()
