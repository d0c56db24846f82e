"""Diagnostics: the one type every user mistake becomes, and its renderings."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from policy_lang.source import SourceFile, Span

MAX_SHOWN = 50


class Severity(enum.Enum):
    """How bad a diagnostic is: errors block, warnings never do (unless `--strict`)."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Label:
    """A related place in the source with a short note."""

    span: Span
    note: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A user mistake: a stable code, a one-line message, where, and what to do about it."""

    code: str
    severity: Severity
    message: str
    span: Span | None
    labels: tuple[Label, ...] = ()
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        if self.span is None:
            return ("", 0, 0, self.code)
        return (self.span.file, self.span.line, self.span.col, self.code)


def error(code: str, message: str, span: Span | None, hint: str | None = None,
          labels: Iterable[Label] = ()) -> Diagnostic:
    """Shorthand for an error diagnostic."""
    return Diagnostic(code, Severity.ERROR, message, span, tuple(labels), hint)


def warning(code: str, message: str, span: Span | None, hint: str | None = None,
            labels: Iterable[Label] = ()) -> Diagnostic:
    """Shorthand for a warning diagnostic."""
    return Diagnostic(code, Severity.WARNING, message, span, tuple(labels), hint)


class CompileError(Exception):
    """Raised by a stage that ended with errors; carries every diagnostic, sorted."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sort_diagnostics(diagnostics)
        super().__init__(f"{len(self.diagnostics)} diagnostic(s)")


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Sort by (file, line, col, code) and drop exact duplicates."""
    seen: set[tuple[object, ...]] = set()
    unique = []
    for d in diagnostics:
        key = (d.code, d.message, d.span)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return tuple(sorted(unique, key=Diagnostic.sort_key))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


_RED, _YELLOW, _BLUE, _BOLD, _RESET = "\x1b[31m", "\x1b[33m", "\x1b[34m", "\x1b[1m", "\x1b[0m"


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color else text


_WIDEST = 160
"""Characters of a source line shown under a diagnostic; a longer line (a minified or hostile file) is cut."""


def _snippet(span: Span, source: SourceFile | None, color: bool, note: str = "") -> list[str]:
    if source is None:
        return []
    text = source.line_text(span.line)
    if not text and span.col == 1 and (span.line > 1 or not source.text):  # nothing to show (a file not read)
        return []
    gutter = " " * len(str(span.line))
    end = span.end_col if span.end_line == span.line else len(text) + 1
    width = max(1, end - span.col)
    col = span.col
    if len(text) > _WIDEST:  # a very long line is shown as a window around the caret, cut with `…`
        first = max(0, min(col - 1 - _WIDEST // 4, len(text) - _WIDEST))
        text = ("…" if first else "") + text[first : first + _WIDEST] + ("…" if first + _WIDEST < len(text) else "")
        col = col - first + (1 if first else 0)
        width = min(width, len(text) - col + 1)
    cells = [_cell(c) for c in text]
    shown = "".join(cells)
    # Columns count characters; tabs and wide (CJK) characters take more than one cell on a terminal.
    pad = "".join(" " * _width(c) for c in cells[: col - 1])
    carets = "".join("^" * _width(c) for c in cells[col - 1 : col - 1 + width]) or "^"
    bar = _paint("|", _BLUE, color)
    lines = [f"{gutter} {bar}", f"{_paint(str(span.line), _BLUE, color)} {bar} {shown}"]
    lines.append(f"{gutter} {bar} {pad}{_paint(carets, _RED, color)}{' ' + note if note else ''}")
    return lines


def _cell(ch: str) -> str:
    """How one source character is shown: tabs as four spaces, control characters as U+FFFD."""
    if ch == "\t":
        return "    "
    if ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0:
        return "\ufffd"
    return ch


def _width(cell: str) -> int:
    return len(cell) if cell.isspace() else 2 if _wide(cell) else 1


def _wide(ch: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(ch) in ("W", "F")


def render_text(diagnostics: Sequence[Diagnostic], sources: Mapping[str, SourceFile],
                color: bool = False, limit: int = MAX_SHOWN) -> str:
    """Render diagnostics like a compiler: location, severity[code], source line, caret, hint."""
    out: list[str] = []
    for d in diagnostics[:limit]:
        where = f"{d.span}: " if d.span else ""
        sev = _paint(f"{d.severity.value}[{d.code}]", _RED if d.severity is Severity.ERROR else _YELLOW, color)
        out.append(f"{_paint(where, _BOLD, color)}{sev}: {d.message}")
        if d.span is not None:
            out.extend(_snippet(d.span, sources.get(d.span.file), color))
        for label in d.labels:
            out.append(f"   = note: {label.span}: {label.note}")
            out.extend(_snippet(label.span, sources.get(label.span.file), color))
        if d.hint:
            out.append(f"   = hint: {d.hint}")
    if len(diagnostics) > limit:
        out.append(f"… and {len(diagnostics) - limit} more")
    return "\n".join(out) + ("\n" if out else "")


def _span_json(span: Span | None) -> dict[str, object] | None:
    if span is None:
        return None
    return {"file": span.file, "line": span.line, "col": span.col,
            "end_line": span.end_line, "end_col": span.end_col}


def to_json(diagnostics: Sequence[Diagnostic]) -> list[dict[str, object]]:
    """Diagnostics as plain JSON-ready data for editors and CI."""
    return [
        {
            "code": d.code,
            "severity": d.severity.value,
            "message": d.message,
            "span": _span_json(d.span),
            "labels": [{"span": _span_json(lb.span), "note": lb.note} for lb in d.labels],
            "hint": d.hint,
        }
        for d in diagnostics
    ]


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps({"diagnostics": to_json(diagnostics)}, ensure_ascii=False, indent=2) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands, one annotation per diagnostic."""
    lines = []
    for d in diagnostics:
        kind = "error" if d.severity is Severity.ERROR else "warning"
        props = [f"title={_gh_escape(d.code, True)}"]
        if d.span:
            props = [f"file={_gh_escape(d.span.file, True)}", f"line={d.span.line}", f"col={d.span.col}",
                     f"endLine={d.span.end_line}", f"endColumn={d.span.end_col}"] + props
        msg = d.message + (f"\n{d.hint}" if d.hint else "")
        lines.append(f"::{kind} {','.join(props)}::{_gh_escape(msg)}")
    return "\n".join(lines) + ("\n" if lines else "")


def render_sarif(diagnostics: Sequence[Diagnostic], tool_version: str = "0.1.0") -> str:
    """SARIF 2.1.0, the static-analysis exchange format that code-scanning services read."""
    from policy_lang.codes import CODES

    used = sorted({d.code for d in diagnostics})
    rules = [{"id": code, "name": CODES[code].title if code in CODES else code,
              "shortDescription": {"text": CODES[code].title if code in CODES else code},
              "fullDescription": {"text": CODES[code].explanation if code in CODES else code}} for code in used]
    results = []
    for d in diagnostics:
        result: dict[str, object] = {
            "ruleId": d.code, "ruleIndex": used.index(d.code),
            "level": "error" if d.severity is Severity.ERROR else "warning",
            "message": {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")},
        }
        if d.span is not None:
            result["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": d.span.file},
                "region": {"startLine": d.span.line, "startColumn": d.span.col,
                           "endLine": d.span.end_line, "endColumn": d.span.end_col}}}]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "ppl", "version": tool_version, "rules": rules}},
                  "results": results}],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
