"""Positions: the checker's spans (1-based lines, columns counted in characters) ↔ the editor's (0-based lines,
columns counted in UTF-16 code units, as the Language Server Protocol counts them by default, or in the
encoding the client and server agreed on: `utf-8` bytes or `utf-32` characters).

A character outside the Basic Multilingual Plane (an emoji, a rare kanji) is one column for the checker and two
for the editor; Japanese text of the common planes is one column for both, but three bytes in UTF-8.
"""

from __future__ import annotations

from dataclasses import dataclass

from policy_lang.source import Span


@dataclass(frozen=True, slots=True)
class Point:
    """A place in a document the way an editor names it: 0-based line, UTF-16 column."""

    line: int
    character: int


UTF16 = "utf-16"


def _units(ch: str, encoding: str) -> int:
    """How many code units of the editor's encoding one character takes."""
    if encoding == "utf-8":
        return len(ch.encode("utf-8", "surrogatepass"))
    if encoding == "utf-32":
        return 1
    return 2 if ord(ch) > 0xFFFF else 1


def editor_column(line_text: str, col: int, encoding: str = UTF16) -> int:
    """The editor's column (0-based, UTF-16 units unless `encoding` says) of a 1-based character column of a line.

    >>> editor_column("率 😀 x", 5), editor_column("率 😀 x", 5, "utf-8")
    (5, 9)
    """
    prefix = line_text[: max(0, col - 1)]
    return sum(_units(ch, encoding) for ch in prefix) + max(0, col - 1 - len(line_text))


def char_column(line_text: str, character: int, encoding: str = UTF16) -> int:
    """The 1-based character column of an editor's column (0-based); a column inside a character is its start.

    >>> char_column("率 😀 x", 5), char_column("率 😀 x", 9, "utf-8")
    (5, 5)
    """
    units = 0
    for index, ch in enumerate(line_text):
        width = _units(ch, encoding)
        if units + width > character:
            return index + 1
        units += width
    return len(line_text) + 1 + max(0, character - units)


def lines_of(text: str) -> list[str]:
    """The lines of a document as the editor counts them (a final line break opens an empty last line)."""
    return [line.rstrip("\r") for line in text.split("\n")]


def point_of(lines: list[str], line: int, col: int, encoding: str = UTF16) -> Point:
    """The editor's point for a 1-based line and character column."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return Point(max(0, line - 1), editor_column(text, col, encoding))


def span_points(lines: list[str], span: Span, encoding: str = UTF16) -> tuple[Point, Point]:
    """The editor's start and end of a span (end exclusive, as both sides count it)."""
    return point_of(lines, span.line, span.col, encoding), point_of(lines, span.end_line, span.end_col, encoding)


def position_of(lines: list[str], point: Point, encoding: str = UTF16) -> tuple[int, int]:
    """The 1-based (line, character column) of an editor's point."""
    text = lines[point.line] if 0 <= point.line < len(lines) else ""
    return point.line + 1, char_column(text, point.character, encoding)


def contains(span: Span, line: int, col: int) -> bool:
    """Whether a 1-based (line, column) lies in a span; its end column counts too (a cursor just after a word)."""
    if (line, col) < (span.line, span.col):
        return False
    return (line, col) <= (span.end_line, span.end_col)
