"""Source files and spans: where in a program file a piece of text came from."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file: 1-based line and column, end column exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def sort_key(self) -> tuple[str, int, int]:
        return (self.file, self.line, self.col)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The text of one program file and a fast offset → line/column index."""

    name: str
    text: str
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                starts.append(i + 1)
        object.__setattr__(self, "_line_starts", tuple(starts))

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def offset(self, line: int, col: int) -> int:
        """Character offset of a 1-based (line, column)."""
        line = max(1, min(line, len(self._line_starts)))
        return min(self._line_starts[line - 1] + col - 1, len(self.text))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)].rstrip("\r")

    def span(self, start: int, end: int) -> Span:
        """The span between two character offsets."""
        line, col = self.line_col(start)
        end_line, end_col = self.line_col(max(start, end))
        return Span(self.name, line, col, end_line, end_col)


def map_value_offsets(raw: str, value: str) -> list[int]:
    """Align each character of a YAML scalar's value with its offset in the raw source slice.

    A YAML scalar's value differs from its source text by quotes, folded line breaks and block
    indentation. Walking both strings together recovers, for every value character, where it was
    written. Characters that cannot be aligned (escape sequences) take the last known position.
    The returned list has ``len(value) + 1`` entries; the last one is the end of the value.

    >>> map_value_offsets('"a b"', "a b")
    [1, 2, 3, 4]
    """
    result: list[int] = []
    pos = 0
    last = 0
    for ch in value:
        probe = pos
        # Skip source characters that the scalar's style removed: quotes, indentation, folds.
        while probe < len(raw) and raw[probe] != ch:
            if raw[probe] not in " \t\r\n\"'|>-+0123456789" or probe - pos > 200:
                probe = -1
                break
            probe += 1
        if probe == -1 or probe >= len(raw):
            result.append(last)
            continue
        result.append(probe)
        last = probe
        pos = probe + 1
    result.append(pos if value else min(last, len(raw)))
    return result


Locator = Callable[[int, int], Span]
"""Maps a (start, end) character range inside an expression's text to a span in its file."""


def locator_for(source: SourceFile, raw_start: int, raw_end: int, value: str) -> Locator:
    """A locator for an expression written as a YAML scalar at ``raw_start:raw_end`` of ``source``."""
    offsets = map_value_offsets(source.text[raw_start:raw_end], value)

    def locate(start: int, end: int) -> Span:
        start = max(0, min(start, len(value)))
        end = max(start, min(end, len(value)))
        a = raw_start + offsets[start]
        b = raw_start + (offsets[end - 1] + 1 if end > start else offsets[start])
        return source.span(a, b)

    return locate


def plain_locator(file: str = "<expr>") -> Locator:
    """A locator for expression text that stands alone on one line (tests, the command line)."""

    def locate(start: int, end: int) -> Span:
        return Span(file, 1, start + 1, 1, max(start, end) + 1)

    return locate
