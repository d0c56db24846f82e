"""The language server: pygls wiring of diagnostics, hover, completion and definition for program files.

A document is checked when it opens and, debounced, after it changes (full sync). Requests read the analysis
of the document's current text, checking it first if a change has not been checked yet; ids and fields for
completion come from the last text that loaded. A failure inside a feature is logged and answered with nothing:
the server never stops on what it is given.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import TypeVar

from lsprotocol import types as lsp
from pygls import uris
from pygls.protocol import LanguageServerProtocol
from pygls.server import LanguageServer

from policy_lang import ast
from ppl.lsp import completion, convert, definition, hover
from ppl.lsp.analysis import Analysis, check_text
from ppl.lsp.positions import Point, lines_of, point_of, position_of

DEBOUNCE_SECONDS = 0.3
"""How long a document must stay unchanged before it is checked again."""

LOG = logging.getLogger("ppl.lsp")
T = TypeVar("T")

_KINDS = {"key": lsp.CompletionItemKind.Property, "value": lsp.CompletionItemKind.EnumMember,
          "field": lsp.CompletionItemKind.Field, "id": lsp.CompletionItemKind.Reference,
          "function": lsp.CompletionItemKind.Function, "scope": lsp.CompletionItemKind.Module,
          "keyword": lsp.CompletionItemKind.Keyword}


@dataclass(slots=True)
class _State:
    """What the server knows of its open documents."""

    debounce: float
    analyses: dict[str, Analysis] = field(default_factory=dict)
    loaded: dict[str, ast.Program] = field(default_factory=dict)  # the last program that loaded, by URI
    published: dict[str, set[str]] = field(default_factory=dict)  # the URIs each document published to
    pending: dict[str, asyncio.Task[None]] = field(default_factory=dict)


def path_of(uri: str) -> str:
    """The file name a document is checked under: its path for a `file:` URI, else the URI itself."""
    path = uris.to_fs_path(uri) if uri.startswith("file:") else None
    return os.path.abspath(path) if path else uri


def _uri_of(name: str) -> str:
    return name if "://" in name or name.startswith("untitled:") else uris.from_fs_path(name) or name


def _guarded(what: str, default: T, run: Callable[[], T]) -> T:
    """Run a feature; a failure is logged and answered with `default`."""
    try:
        return run()
    except Exception:  # noqa: BLE001 - an editor sends any text; one bad request must not stop the server
        LOG.exception("the language server could not answer a %s request", what)
        return default


class _Protocol(LanguageServerProtocol):
    """pygls's protocol, but a TCP connection that closes (after `exit`, or when the editor goes away) stops the
    server's loop instead of exiting the process with status 1 from inside it."""

    def connection_lost(self, exc: Exception | None) -> None:
        self._server.loop.stop()


def _version() -> str:
    try:
        return metadata.version("ppl")
    except metadata.PackageNotFoundError:
        return "0"


def create_server(debounce: float = DEBOUNCE_SECONDS) -> LanguageServer:
    """A language server for program files, with its features registered."""
    server = LanguageServer("ppl", _version(), protocol_cls=_Protocol,
                            text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
    state = _State(debounce)

    def analyse(uri: str) -> Analysis:
        text = server.workspace.get_text_document(uri).source
        known = state.analyses.get(uri)
        if known is None or known.text != text:
            known = check_text(path_of(uri), text)
            state.analyses[uri] = known
            if known.program is not None:
                state.loaded[uri] = known.program
        return known

    def publish(uri: str) -> None:
        doc = _guarded("diagnostics", None, lambda: analyse(uri))
        if doc is None:
            return
        grouped = convert.by_file(doc, _uri_of)
        targets = {(uri if name == doc.name else _uri_of(name)): found for name, found in grouped.items()}
        for stale in state.published.get(uri, set()) - set(targets):
            server.publish_diagnostics(stale, [])
        for target, found in targets.items():
            server.publish_diagnostics(target, found)
        state.published[uri] = set(targets)

    async def later(uri: str) -> None:
        await asyncio.sleep(state.debounce)
        state.pending.pop(uri, None)
        publish(uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        waiting = state.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        state.pending[uri] = asyncio.ensure_future(later(uri))

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        waiting = state.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        for target in state.published.pop(uri, set()):
            server.publish_diagnostics(target, [])
        state.analyses.pop(uri, None)
        state.loaded.pop(uri, None)

    _register_requests(server, analyse, state)
    return server


def _register_requests(server: LanguageServer, analyse: Callable[[str], Analysis], state: _State) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(params: lsp.HoverParams) -> lsp.Hover | None:
        def run() -> lsp.Hover | None:
            doc = analyse(params.text_document.uri)
            lines = lines_of(doc.text)
            line, col = position_of(lines, Point(params.position.line, params.position.character))
            shown = hover.hover_text(doc, line - 1, col - 1, line, col)
            if shown is None:
                return None
            return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, shown))
        return _guarded("hover", None, run)

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[".", " ", "[", ","]))
    def on_completion(params: lsp.CompletionParams) -> lsp.CompletionList:
        def run() -> lsp.CompletionList:
            uri = params.text_document.uri
            doc = analyse(uri)
            lines = lines_of(doc.text)
            line, col = position_of(lines, Point(params.position.line, params.position.character))
            found = completion.complete(doc.text, line - 1, col - 1, doc.program or state.loaded.get(uri))
            return lsp.CompletionList(False, [
                lsp.CompletionItem(item.label, kind=_KINDS.get(item.kind), detail=item.detail or None,
                                   insert_text=item.insert) for item in found])
        return _guarded("completion", lsp.CompletionList(False, []), run)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def on_definition(params: lsp.DefinitionParams) -> list[lsp.Location]:
        def run() -> list[lsp.Location]:
            uri = params.text_document.uri
            doc = analyse(uri)
            if doc.program is None:
                return []
            lines = lines_of(doc.text)
            line, col = position_of(lines, Point(params.position.line, params.position.character))
            spans = definition.definition_spans(doc.program, lines[line - 1], col - 1)
            found = []
            for span in spans:
                start, end = point_of(lines, span.line, span.col), point_of(lines, span.end_line, span.end_col)
                found.append(lsp.Location(uri if span.file == doc.name else _uri_of(span.file), lsp.Range(
                    lsp.Position(start.line, start.character), lsp.Position(end.line, end.character))))
            return found
        return _guarded("definition", [], run)
