"""The server's features never raise on what an editor may send: random edits of a program, any position."""

from __future__ import annotations

import functools
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppl.lsp import completion, definition, hover
from ppl.lsp.analysis import Analysis, check_text
from ppl.lsp.positions import Point, lines_of, position_of
from tests.lsp.lsp_client import ROOT

PROGRAMS = sorted((ROOT / "programs").glob("*.yaml"))
TEXTS = [path.read_text(encoding="utf-8") for path in PROGRAMS]
PIECES = st.sampled_from(["", ":", " ", "  ", "\n", "- ", "[", "]", "{", "}", '"', "'", "#", "|", "&a", "*a", "\t",
                          "partner.", "10億", "¥", "😀", "広告", "from: ", "rate: 5%", "\x00", "\r\n", "!!python"])


@st.composite
def edited(draw: st.DrawFn) -> str:
    """A bundled program with a few edits: a span deleted, or text from PIECES (or random) put in."""
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        piece = draw(st.one_of(PIECES, st.text(max_size=8)))
        text = text[:start] + piece + text[end:]
    return text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=edited(), where=st.tuples(st.integers(0, 400), st.integers(0, 120)))
def test_random_edits_get_an_answer_from_every_feature(text, where):
    name = os.path.join(str(ROOT), "programs", "edited.yaml")
    doc = check_text(name, text)
    assert all(d.code for d in doc.diagnostics)
    lines = lines_of(text)
    row = min(where[0], len(lines) - 1)
    line, col = position_of(lines, Point(row, where[1]))
    hover.hover_text(doc, line - 1, col - 1, line, col)
    assert isinstance(completion.complete(text, line - 1, col - 1, doc.program), list)
    if doc.program is not None:
        assert isinstance(definition.definition_spans(doc.program, lines[line - 1], col - 1), list)


@functools.cache
def _checked(program: str) -> Analysis:
    return check_text(os.path.join(str(ROOT), "programs", "good.yaml"), program)


@settings(max_examples=40, deadline=None)
@given(program=st.sampled_from(TEXTS), where=st.tuples(st.integers(0, 400), st.integers(0, 120)))
def test_every_position_of_a_good_program_gets_an_answer(program, where):
    doc = _checked(program)
    lines = lines_of(program)
    row = min(where[0], len(lines) - 1)
    line, col = position_of(lines, Point(row, where[1]))
    hover.hover_text(doc, line - 1, col - 1, line, col)
    completion.complete(program, line - 1, col - 1, doc.program)
    if doc.program is not None:
        definition.definition_spans(doc.program, lines[line - 1], col - 1)
