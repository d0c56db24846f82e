"""Spans: offsets ↔ line/column, and expressions inside YAML scalars mapped back to the file."""

from __future__ import annotations

import pytest

from policy_lang.source import SourceFile, locator_for, map_value_offsets
from policy_lang.yaml_loader import YMap, YScalar, load_text


def test_line_col_round_trips_offsets() -> None:
    source = SourceFile("f", "ab\ncd\n\nef")
    for offset in range(len(source.text)):
        line, col = source.line_col(offset)
        assert source.offset(line, col) == offset


def test_map_value_offsets_skips_quotes() -> None:
    assert map_value_offsets('"a and b"', "a and b")[:3] == [1, 2, 3]


@pytest.mark.parametrize(("yaml_text", "needle", "line", "col"), [
    ("q: a and bad\n", "bad", 1, 10),
    ('q: "a and bad"\n', "bad", 1, 11),
    ("q: 'a and bad'\n", "bad", 1, 11),
    ("q: |\n  a and\n  bad\n", "bad", 3, 3),
    ("q: >\n  a and\n  bad\n", "bad", 3, 3),
    ("q: a and\n  bad\n", "bad", 2, 3),
])
def test_locator_maps_scalar_offsets_to_file_positions(yaml_text: str, needle: str, line: int, col: int) -> None:
    doc = load_text("p.yaml", yaml_text)
    assert isinstance(doc.root, YMap)
    node = doc.root.get("q")
    assert isinstance(node, YScalar)
    value = str(node.value)
    start = value.index(needle)
    span = locator_for(node.source, node.start, node.end, value)(start, start + len(needle))
    assert (span.line, span.col) == (line, col)
    assert doc.source.line_text(span.line)[span.col - 1: span.col - 1 + len(needle)] == needle
