"""The checker's diagnostics as the protocol's: ranges in UTF-16 columns, severity, code, the hint in the message,
and the secondary spans (labels) as related information."""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types as lsp

from policy_lang import diagnostics as dg
from policy_lang.source import Span
from ppl.lsp.analysis import Analysis
from ppl.lsp.positions import UTF16, lines_of, span_points

SOURCE = "ppl"
"""The `source` of every diagnostic the server publishes."""

UriOf = Callable[[str], str]
"""A file name of a span → the document's URI."""


def _range(lines: list[str], span: Span | None, encoding: str) -> lsp.Range:
    if span is None:
        return lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))
    start, end = span_points(lines, span, encoding)
    return lsp.Range(lsp.Position(start.line, start.character), lsp.Position(end.line, end.character))


def _lines(doc: Analysis, file: str) -> list[str]:
    if file == doc.name:
        return lines_of(doc.text)
    source = doc.sources.get(file)
    return lines_of(source.text) if source is not None else []


def to_lsp(doc: Analysis, diagnostic: dg.Diagnostic, uri_of: UriOf, encoding: str = UTF16) -> lsp.Diagnostic:
    """One diagnostic in the protocol's terms; `uri_of` names the files of its labels, `encoding` counts columns."""
    span = diagnostic.span
    related = [lsp.DiagnosticRelatedInformation(lsp.Location(
        uri_of(label.span.file), _range(_lines(doc, label.span.file), label.span, encoding)), label.note)
        for label in diagnostic.labels]
    severity = lsp.DiagnosticSeverity.Error if diagnostic.severity is dg.Severity.ERROR \
        else lsp.DiagnosticSeverity.Warning
    message = diagnostic.message + (f"\nhint: {diagnostic.hint}" if diagnostic.hint else "")
    return lsp.Diagnostic(range=_range(_lines(doc, span.file if span else doc.name), span, encoding),
                          message=message,
                          severity=severity, code=diagnostic.code, source=SOURCE,
                          related_information=related or None)


def by_file(doc: Analysis, uri_of: UriOf, encoding: str = UTF16) -> dict[str, list[lsp.Diagnostic]]:
    """The document's diagnostics grouped by the file they are in (a catalog file it names has its own);
    a diagnostic with no place is shown at the top of the document."""
    grouped: dict[str, list[lsp.Diagnostic]] = {doc.name: []}
    for diagnostic in doc.diagnostics:
        file = diagnostic.span.file if diagnostic.span is not None else doc.name
        grouped.setdefault(file, []).append(to_lsp(doc, diagnostic, uri_of, encoding))
    return grouped
