"""Random edits sent to one running server: every change gets its diagnostics, every request an answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.lsp.lsp_client import LspClient
from tests.lsp.test_lsp_robustness import edited

pytest.importorskip("pygls")

URI = "file:///nowhere/programs/edited.yaml"


@pytest.fixture(scope="module")
def server() -> Iterator[LspClient]:
    client = LspClient()
    client.initialize()
    client.open(URI, "")
    client.diagnostics(URI)
    yield client
    assert client.close() == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=edited(), line=st.integers(0, 300), character=st.integers(0, 100))
def test_an_edited_program_gets_diagnostics_and_answers(server: LspClient, text: str, line: int, character: int):
    server.version += 1
    server.change(URI, text, server.version)
    assert all(d["code"] and d["source"] == "ppl" for d in server.diagnostics(URI))
    hover = server.at("textDocument/hover", URI, line, character)
    assert hover is None or hover["contents"]["kind"] == "markdown"
    assert isinstance(server.at("textDocument/completion", URI, line, character)["items"], list)
    assert isinstance(server.at("textDocument/definition", URI, line, character), list)
