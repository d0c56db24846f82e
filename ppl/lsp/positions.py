"""Positions: the checker's spans (1-based lines, columns counted in characters) ↔ the editor's (0-based lines,
columns counted in UTF-16 code units, as the Language Server Protocol counts them by default).

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


def utf16_column(line_text: str, col: int) -> int:
    """The UTF-16 column (0-based) of a 1-based character column of a line.

    >>> utf16_column("率 😀 x", 5)
    5
    """
    prefix = line_text[: max(0, col - 1)]
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in prefix) + max(0, col - 1 - len(line_text))


def char_column(line_text: str, character: int) -> int:
    """The 1-based character column of a UTF-16 column (0-based); a column inside a surrogate pair is its start.

    >>> char_column("率 😀 x", 5)
    5
    """
    units = 0
    for index, ch in enumerate(line_text):
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > character:
            return index + 1
        units += width
    return len(line_text) + 1 + max(0, character - units)


def lines_of(text: str) -> list[str]:
    """The lines of a document as the editor counts them (a final line break opens an empty last line)."""
    return [line.rstrip("\r") for line in text.split("\n")]


def point_of(lines: list[str], line: int, col: int) -> Point:
    """The editor's point for a 1-based line and character column."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return Point(max(0, line - 1), utf16_column(text, col))


def span_points(lines: list[str], span: Span) -> tuple[Point, Point]:
    """The editor's start and end of a span (end exclusive, as both sides count it)."""
    return point_of(lines, span.line, span.col), point_of(lines, span.end_line, span.end_col)


def position_of(lines: list[str], point: Point) -> tuple[int, int]:
    """The 1-based (line, character column) of an editor's point."""
    text = lines[point.line] if 0 <= point.line < len(lines) else ""
    return point.line + 1, char_column(text, point.character)


def contains(span: Span, line: int, col: int) -> bool:
    """Whether a 1-based (line, column) lies in a span; its end column counts too (a cursor just after a word)."""
    if (line, col) < (span.line, span.col):
        return False
    return (line, col) <= (span.end_line, span.end_col)
