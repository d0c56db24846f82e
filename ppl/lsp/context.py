"""Where the cursor is in a program file, read from the text alone: the path of keys above it, whether it is on
a key or in a value, and the word under it.

The text is read line by line by indentation, not parsed, so this works on a half-typed file that does not
load — which is most of the time while someone types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ITEM = "[]"
"""The path step of a list item."""

_LINE = re.compile(r"^(?P<indent>[ ]*)(?P<dashes>(?:-[ ]+)*)(?P<rest>.*)$")
_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ ]*:(?:[ ]|$)")
_WORD = re.compile(r"[\w.-]+")


@dataclass(frozen=True, slots=True)
class Cursor:
    """What the cursor is on.

    `path` is the keys (and `[]` for list items) from the top of the file to the mapping the cursor's line is in;
    `key` is the key written on the cursor's line, if any; `on_key` says whether the cursor is in that key (or in a
    key not yet finished: a line with no colon); `value` is the text of the line's value up to the cursor.
    """

    path: tuple[str, ...]
    key: str | None
    on_key: bool
    value: str
    siblings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Line:
    indent: int  # the column of the line's first character (a dash, or the key)
    key_col: int  # the column of the key or value, after any list dashes
    dashes: int
    key: str | None


def _read(text: str) -> _Line | None:
    if not text.strip() or text.lstrip().startswith("#"):
        return None
    match = _LINE.match(text)
    assert match is not None  # INVARIANT: the pattern matches every line
    rest = match["rest"]
    key = _KEY.match(rest)
    return _Line(len(match["indent"]), len(match["indent"]) + len(match["dashes"]), match["dashes"].count("-"),
                 key["key"] if key else None)


def _parents(lines: list[str], row: int, indent: int) -> tuple[str, ...]:
    """The path of the mapping that holds a key at column `indent` on line `row` (0-based)."""
    path: list[str] = []
    for above in range(row - 1, -1, -1):
        if indent == 0:
            break
        line = _read(lines[above])
        if line is None:
            continue
        if line.key_col < indent and line.key is not None:
            path.append(line.key)
            if line.dashes:
                path.append(ITEM)
            indent = line.indent
        elif line.dashes and line.indent < indent:
            path.append(ITEM)
            indent = line.indent
        elif line.key_col < indent:
            indent = line.indent  # a line that is not a key (a scalar list item) ends the search at its depth
    return tuple(reversed(path))


def _siblings(lines: list[str], row: int, indent: int, first: bool) -> tuple[str, ...]:
    """Keys written beside the cursor's line in the same mapping (to leave out of completion); `first`: the
    cursor's line starts a list item, so the lines above belong to other items."""
    found: list[str] = []
    for step in ((1,) if first else (-1, 1)):
        at = row + step
        while 0 <= at < len(lines):
            line = _read(lines[at])
            at += step
            if line is None:
                continue
            if line.key_col < indent or (line.key_col == indent and line.dashes and step == 1):
                break
            if line.key_col == indent and line.key is not None:
                found.append(line.key)
                if line.dashes:
                    break  # the first key of this list item
    return tuple(found)


def cursor_at(text: str, row: int, col: int) -> Cursor:
    """The cursor at a 0-based line and 0-based character column of a document's text."""
    lines = text.split("\n")
    current = lines[row].rstrip("\r") if 0 <= row < len(lines) else ""
    match = _LINE.match(current)
    assert match is not None
    key_col = len(match["indent"]) + len(match["dashes"])
    dashes = match["dashes"].count("-")
    own = _KEY.match(match["rest"])
    # A line that opens a list item belongs to the list above its dash, not to the item before it.
    path = _parents(lines, row, len(match["indent"]) if dashes else key_col) + (ITEM,) * dashes
    siblings = _siblings(lines, row, key_col, dashes > 0)
    if own is None:
        before = current[key_col:max(key_col, col)]
        if ":" not in before and not before.startswith(("{", "[", '"', "'")):
            return Cursor(path, None, True, before, siblings)
        return Cursor(path, None, False, before, siblings)
    colon = key_col + len(own["key"])
    if col <= colon:
        return Cursor(path, own["key"], True, "", siblings)
    value_start = key_col + own.end()
    return Cursor(path, own["key"], False, current[value_start:max(value_start, col)], siblings)


def word_at(line_text: str, col: int) -> tuple[str, int, int]:
    """The word (letters, digits, `_`, `-`, `.`) under a 0-based column, with its start and end columns."""
    for match in _WORD.finditer(line_text):
        if match.start() <= col <= match.end():
            return match.group(), match.start(), match.end()
    return "", col, col
