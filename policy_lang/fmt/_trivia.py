"""Comments and blank lines: found in the source, tied to the keys they belong to, put back after layout.

A comment on a line of its own, and a blank line, belong to the key or list item that follows them
(the outermost one starting on that line); a comment at the end of a line belongs to the last key or
item that starts on or before that line. So a comment travels with its key when keys are reordered.
The file's header (what comes before the first key, down to the last blank line above it) stays at the
top of the file, and comments after the last key stay at its end.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from policy_lang.fmt._yaml import Path, Place

_COMMENT = re.compile(r"#[^\n]*")


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment (`#` and its text) at a 0-based line and column; `eol` when code precedes it on its line."""

    line: int
    col: int
    text: str
    eol: bool


@dataclass(slots=True)
class Trivia:
    """A document's comments and blank lines, by the node they belong to."""

    header: list[str] = field(default_factory=list)  # lines before the first node ("" for a blank line)
    before: dict[Path, list[str]] = field(default_factory=dict)
    after: dict[Path, Comment] = field(default_factory=dict)  # the end-of-line comment
    footer: list[str] = field(default_factory=list)


class Unplaced(Exception):
    """A comment's key is not in the formatted text (a bug of the layout; the file is left as it is)."""


_FAST: tuple[type[Any], ...] = (yaml.CSafeLoader,) if getattr(yaml, "__with_libyaml__", False) else ()


def _tokens(text: str) -> list[yaml.Token]:
    """The YAML tokens of a text, scanned by libyaml when it is there (the same marks, much sooner)."""
    for loader in (*_FAST, yaml.SafeLoader):
        try:
            return list(yaml.scan(text, Loader=loader))
        except yaml.YAMLError:
            if loader is yaml.SafeLoader:
                raise
    raise AssertionError("unreachable")


def output_places(text: str) -> list[Place]:
    """The keys and list items of a formatted text, in document order, flow collections as leaves."""
    for loader in (*_FAST, yaml.SafeLoader):
        try:
            root = yaml.compose(text, Loader=loader)
            break
        except yaml.YAMLError:
            if loader is yaml.SafeLoader:
                raise
    found: list[Place] = []
    _walk(root, (), found)
    return found


def _walk(node: yaml.Node | None, path: Path, found: list[Place]) -> None:
    if isinstance(node, yaml.MappingNode) and not node.flow_style:
        for key, value in node.value:
            found.append(Place(key.start_mark.line, key.start_mark.column, (*path, str(key.value))))
            _walk(value, (*path, str(key.value)), found)
    elif isinstance(node, yaml.SequenceNode) and not node.flow_style:
        for index, item in enumerate(node.value):
            found.append(Place(item.start_mark.line, item.start_mark.column, (*path, index)))
            _walk(item, (*path, index), found)


def _gaps(text: str) -> Iterator[tuple[int, int]]:
    """The stretches of text between YAML tokens: whitespace and comments only."""
    at = 0
    for token in _tokens(text):
        start, end = token.start_mark.index, _content_end(text, token)
        if start > at:
            yield at, start
        at = max(at, end)
    if at < len(text):
        yield at, len(text)


def _content_end(text: str, token: yaml.Token) -> int:
    """Where a token ends; for a `|`/`>` scalar that keeps no final blank lines, after its last written line."""
    start: int = token.start_mark.index
    end: int = token.end_mark.index
    if not isinstance(token, yaml.ScalarToken) or token.style not in ("|", ">"):
        return end
    header = text[start:text.find("\n", start) if "\n" in text[start:end] else end]
    if "+" in header.split("#")[0]:
        return end  # `|+` keeps its final blank lines: they are the value's
    last = start + len(text[start:end].rstrip())
    newline = text.find("\n", last)
    return min(end, newline + 1 if newline >= 0 else end)


def find_comments(text: str) -> tuple[list[Comment], set[int]]:
    """The comments of a YAML text and its blank lines (0-based line numbers); the text loads without error."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    lines = text.split("\n")
    comments: list[Comment] = []
    gap_lines: set[int] = set()
    for begin, end in _gaps(text):
        for match in _COMMENT.finditer(text, begin, end):
            line = text.count("\n", 0, match.start())
            col = match.start() - starts[line]
            comments.append(Comment(line, col, match.group().rstrip(), bool(lines[line][:col].strip())))
        first, last = text.count("\n", 0, begin), text.count("\n", 0, end)
        gap_lines.update(range(first + 1, last))  # lines wholly inside the gap
        if begin == 0 or text[begin - 1] == "\n":
            gap_lines.add(first)
    blanks = {n for n in gap_lines if n < len(lines) and not lines[n].strip()}
    return comments, blanks


def tie(text: str, places: Sequence[Place]) -> Trivia:
    """Tie each comment and blank line of the source to its node (`places` in document order)."""
    comments, blanks = find_comments(text)
    trivia = Trivia()
    items = sorted([*((n, "") for n in blanks), *((c.line, c.text) for c in comments if not c.eol)])
    lines = [p.line for p in places]  # INVARIANT: non-decreasing, as places come in document order
    first = lines[0] if lines else len(text)
    # The file's header ends at its last blank line before the first key; comments below it are the key's.
    header_end = max((n for n in blanks if n < first), default=-1)
    for line, content in items:
        following = bisect.bisect_right(lines, line)  # the first node on a later line: the outermost there
        if line <= header_end or not lines:
            trivia.header.append(content)
        elif following == len(lines):
            trivia.footer.append(_footer_line(text, line, content))
        else:
            trivia.before.setdefault(places[following].path, []).append(content)
    for comment in (c for c in comments if c.eol):
        owner = bisect.bisect_right(lines, comment.line) - 1  # the last node starting on or before its line
        if owner >= 0:
            trivia.after[places[owner].path] = comment
        else:
            trivia.header.append(comment.text)
    return trivia


def _footer_line(text: str, line: int, content: str) -> str:
    """A comment after the last node keeps its indentation."""
    if not content:
        return ""
    written = text.split("\n")[line]
    return written[: len(written) - len(written.lstrip())] + content


def _squeeze(lines: list[str], first: bool) -> list[str]:
    """Runs of blank lines become one; none at the start of a block or of a collection's first node."""
    out: list[str] = []
    for line in lines:
        if not line and (not out and first or out and not out[-1]):
            continue
        out.append(line)
    return out


def splice(formatted: str, places: Sequence[Place], trivia: Trivia) -> str:
    """Put the comments and blank lines back into the text written without them."""
    lines = formatted.rstrip("\n").split("\n")
    line_of = {p.path: p.line for p in places}
    firsts = _first_children(places)
    inserts: dict[int, list[str]] = {}
    if missing := (set(trivia.before) | set(trivia.after)) - set(line_of):
        raise Unplaced(f"no place for the comments of {sorted(map(str, missing))}")
    for path, before in trivia.before.items():
        at = line_of[path]
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        inserts.setdefault(at, []).extend(indent + b if b else "" for b in _squeeze(before, path in firsts))
    for path, comment in trivia.after.items():
        at = line_of[path]
        code = lines[at].rstrip()
        lines[at] = code + " " * max(2, comment.col - len(code)) + comment.text
    out: list[str] = _squeeze(trivia.header, True)
    for index, line in enumerate(lines):
        out.extend(_squeeze(inserts.get(index, []), index == 0 and not out))
        out.append(line)
    footer = _squeeze(trivia.footer, False)
    while footer and not footer[-1]:
        footer.pop()
    out.extend(footer)
    return "\n".join(line.rstrip() for line in out) + "\n"


def _first_children(places: Sequence[Place]) -> set[Path]:
    """The paths that are the first key or item of their collection."""
    seen: set[Path] = set()
    firsts: set[Path] = set()
    for place in places:
        parent = place.path[:-1]
        if parent not in seen:
            seen.add(parent)
            firsts.add(place.path)
    return firsts
