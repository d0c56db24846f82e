"""Round-trip YAML for the formatter (ruamel.yaml): every plain scalar kept as the text written.

A plain scalar is loaded as `Raw`, its source text, and written back as that text, so an amount
(`¥1,000,000`), a percentage (`12%`), a date or a number reads exactly as before whatever YAML
version either library resolves it with. Quoted and block scalars keep their style. Comments are
not ruamel's business here: they are taken from the source and put back by `_trivia`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.nodes import Node, ScalarNode
from ruamel.yaml.representer import RoundTripRepresenter

Path = tuple[object, ...]
"""Where a node is in the document: mapping keys and list indexes from the root."""


class Raw(str):
    """A plain scalar, as written."""

    __slots__ = ()


class _Constructor(RoundTripConstructor):
    """Loads a non-empty plain scalar as its text (an anchored one as ruamel does, to keep the anchor)."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if isinstance(node, ScalarNode) and not node.style and node.value != "" and not node.anchor:
            return Raw(node.value)
        return super().construct_object(node, deep)


class _Representer(RoundTripRepresenter):
    """Writes a `Raw` scalar back as its text, plain."""


def _represent_raw(representer: _Representer, data: Raw) -> Any:
    text = str(data)
    # The tag the text resolves to, so the emitter knows it may write it plain.
    tag = representer.dumper.resolver.resolve(ScalarNode, text, (True, False))
    return representer.represent_scalar(tag, text)


_Representer.add_representer(Raw, _represent_raw)


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _Constructor
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never fold a long line
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(text: str) -> Any:
    """The round-trip document of a text (raises ruamel's `YAMLError` for what it cannot read)."""
    return _yaml().load(text)


def dump(data: Any) -> str:
    """A round-trip document written in block style, two spaces a level, without comments."""
    _strip_comments(data)
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _strip_comments(data: Any) -> None:
    if isinstance(data, CommentedMap | CommentedSeq):
        data.ca.items.clear()
        data.ca.comment = None
        data.ca.end = None
        for value in data.values() if isinstance(data, CommentedMap) else data:
            _strip_comments(value)


def unfold(data: Any, top: bool = True) -> None:
    """Write in block style the document itself and every flow collection written over several lines."""
    if not isinstance(data, CommentedMap | CommentedSeq):
        return
    if data.fa.flow_style() and (top or len({line for line, _ in _starts(data)}) > 1):
        data.fa.set_block_style()
    for value in data.values() if isinstance(data, CommentedMap) else data:
        unfold(value, top=False)


def _starts(data: CommentedMap | CommentedSeq) -> Iterator[tuple[int, int]]:
    """The (line, column) of the collection and of its keys or items, 0-based."""
    yield data.lc.line, data.lc.col
    if isinstance(data, CommentedMap):
        for key in data:
            yield data.lc.key(key)
        return
    for index in range(len(data)):
        yield data.lc.item(index)


@dataclass(frozen=True, slots=True)
class Place:
    """Where a key or list item starts (0-based line and column) and its path from the root."""

    line: int
    col: int
    path: Path


def places(data: Any, path: Path = ()) -> Iterator[Place]:
    """Every key and list item of the block collections, in document order; flow collections are leaves."""
    if not isinstance(data, CommentedMap | CommentedSeq) or data.fa.flow_style():
        return
    if isinstance(data, CommentedMap):
        for key, value in data.items():
            line, col = data.lc.key(key)
            yield Place(line, col, (*path, str(key)))
            yield from places(value, (*path, str(key)))
        return
    for index, value in enumerate(data):
        line, col = data.lc.item(index)
        yield Place(line, col, (*path, index))
        yield from places(value, (*path, index))
