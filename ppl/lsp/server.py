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
from importlib import metadata
from typing import TypeVar

from lsprotocol import types as lsp
from pygls import uris
from pygls.protocol import LanguageServerProtocol
from pygls.server import LanguageServer

from policy_lang import ast
from ppl.lsp import completion, convert, definition, hover
from ppl.lsp.analysis import Analysis, check_text
from ppl.lsp.positions import UTF16, Point, lines_of, point_of, position_of

DEBOUNCE_SECONDS = 0.3
"""How long a document must stay unchanged before it is checked again."""

LOG = logging.getLogger("ppl.lsp")
T = TypeVar("T")

_KINDS = {"key": lsp.CompletionItemKind.Property, "value": lsp.CompletionItemKind.EnumMember,
          "field": lsp.CompletionItemKind.Field, "id": lsp.CompletionItemKind.Reference,
          "function": lsp.CompletionItemKind.Function, "scope": lsp.CompletionItemKind.Module,
          "keyword": lsp.CompletionItemKind.Keyword}


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


class Documents:
    """The open documents: their last analysis, the last program of each that loaded, where each published its
    diagnostics, and the checks waiting for a document to stay unchanged."""

    def __init__(self, server: LanguageServer, debounce: float) -> None:
        self.server = server
        self.debounce = debounce
        self.analyses: dict[str, Analysis] = {}
        self.loaded: dict[str, ast.Program] = {}
        self.published: dict[str, set[str]] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}

    @property
    def encoding(self) -> str:
        """How the editor counts columns: the position encoding agreed at initialize (UTF-16 unless the client
        offered only others)."""
        agreed = self.server.workspace.position_encoding
        return str(getattr(agreed, "value", agreed) or UTF16)

    def analyse(self, uri: str) -> Analysis:
        """The analysis of a document's current text (checked now if it changed since the last check)."""
        text = self.server.workspace.get_text_document(uri).source
        known = self.analyses.get(uri)
        if known is None or known.text != text:
            known = check_text(path_of(uri), text)
            self.analyses[uri] = known
            if known.program is not None:
                self.loaded[uri] = known.program
        return known

    def program(self, uri: str) -> ast.Program | None:
        """The document's program, or the last one of it that loaded (for ids while the text is broken)."""
        return self.analyse(uri).program or self.loaded.get(uri)

    def publish(self, uri: str) -> None:
        """Check a document and publish its diagnostics (a catalog file's in that file), clearing stale ones."""
        doc = _guarded("diagnostics", None, lambda: self.analyse(uri))
        if doc is None:
            return
        grouped = convert.by_file(doc, _uri_of, self.encoding)
        targets = {(uri if name == doc.name else _uri_of(name)): found for name, found in grouped.items()}
        for stale in self.published.get(uri, set()) - set(targets):
            self.server.publish_diagnostics(stale, [])
        for target, found in targets.items():
            self.server.publish_diagnostics(target, found)
        self.published[uri] = set(targets)

    def schedule(self, uri: str) -> None:
        """Publish once the document has stayed unchanged for the debounce time."""
        self.cancel(uri)

        async def later() -> None:
            await asyncio.sleep(self.debounce)
            self.pending.pop(uri, None)
            self.publish(uri)

        self.pending[uri] = asyncio.ensure_future(later())

    def cancel(self, uri: str) -> None:
        """Drop a check that waits for the document."""
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()

    def close(self, uri: str) -> None:
        """Forget a closed document and clear what it published."""
        self.cancel(uri)
        for target in self.published.pop(uri, set()):
            self.server.publish_diagnostics(target, [])
        self.analyses.pop(uri, None)
        self.loaded.pop(uri, None)


def create_server(debounce: float = DEBOUNCE_SECONDS) -> LanguageServer:
    """A language server for program files, with its features registered."""
    server = LanguageServer("ppl", _version(), protocol_cls=_Protocol,
                            text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
    docs = Documents(server, debounce)
    server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)(lambda params: docs.publish(params.text_document.uri))
    server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)(lambda params: docs.schedule(params.text_document.uri))
    server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)(lambda params: docs.publish(params.text_document.uri))
    server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)(lambda params: docs.close(params.text_document.uri))
    server.feature(lsp.TEXT_DOCUMENT_HOVER)(
        lambda params: _guarded("hover", None, lambda: hover_at(docs, params)))
    server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[".", " ", "[", ","]))(
        lambda params: _guarded("completion", lsp.CompletionList(False, []), lambda: complete_at(docs, params)))
    server.feature(lsp.TEXT_DOCUMENT_DEFINITION)(
        lambda params: _guarded("definition", _nowhere(), lambda: definition_at(docs, params)))
    return server


def _nowhere() -> list[lsp.Location]:
    return []


def _where(docs: Documents, doc: Analysis, position: lsp.Position) -> tuple[list[str], int, int]:
    """The document's lines and the 1-based line and character column of an editor's position."""
    lines = lines_of(doc.text)
    line, col = position_of(lines, Point(position.line, position.character), docs.encoding)
    return lines, line, col


def hover_at(docs: Documents, params: lsp.HoverParams) -> lsp.Hover | None:
    """textDocument/hover: Markdown about what is under the cursor."""
    doc = docs.analyse(params.text_document.uri)
    _, line, col = _where(docs, doc, params.position)
    shown = hover.hover_text(doc, line - 1, col - 1, line, col)
    return None if shown is None else lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, shown))


def complete_at(docs: Documents, params: lsp.CompletionParams) -> lsp.CompletionList:
    """textDocument/completion: what may be written at the cursor."""
    uri = params.text_document.uri
    doc = docs.analyse(uri)
    _, line, col = _where(docs, doc, params.position)
    found = completion.complete(doc.text, line - 1, col - 1, docs.program(uri))
    return lsp.CompletionList(False, [
        lsp.CompletionItem(item.label, kind=_KINDS.get(item.kind), detail=item.detail or None,
                           insert_text=item.insert) for item in found])


def definition_at(docs: Documents, params: lsp.DefinitionParams) -> list[lsp.Location]:
    """textDocument/definition: where the id under the cursor is defined."""
    uri = params.text_document.uri
    doc = docs.analyse(uri)
    if doc.program is None:
        return []
    lines, line, col = _where(docs, doc, params.position)
    found = []
    for span in definition.definition_spans(doc.program, lines[line - 1], col - 1):
        source = doc.sources.get(span.file)
        written = lines if span.file == doc.name or source is None else lines_of(source.text)  # a catalog file
        start = point_of(written, span.line, span.col, docs.encoding)
        end = point_of(written, span.end_line, span.end_col, docs.encoding)
        found.append(lsp.Location(uri if span.file == doc.name else _uri_of(span.file), lsp.Range(
            lsp.Position(start.line, start.character), lsp.Position(end.line, end.character))))
    return found
