"""Spans and editor positions: 0-based lines, UTF-16 columns."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from policy_lang.source import Span
from ppl.lsp.positions import Point, char_column, editor_column, lines_of, position_of, span_points


def test_japanese_text_is_one_utf16_unit_a_character_and_an_emoji_two():
    line = 'ja: 広告代理店😀 x'
    assert editor_column(line, line.index("x") + 1) == line.index("x") + 1
    assert editor_column(line, line.index("😀") + 2) == line.index("😀") + 2


def test_a_span_after_an_emoji_moves_one_column_right_for_the_editor():
    lines = lines_of('a: 1\nb: "😀" + c\n')
    start, end = span_points(lines, Span("f", 2, 11, 2, 12))
    assert (start, end) == (Point(1, 11), Point(1, 12))
    assert position_of(lines, start) == (2, 11)


def test_a_column_inside_a_surrogate_pair_is_the_character_it_belongs_to():
    assert char_column("😀x", 1) == 1
    assert char_column("😀x", 2) == 2


def test_columns_past_the_end_of_a_line_stay_past_it():
    assert editor_column("ab", 5) == 4
    assert char_column("ab", 4) == 5


@given(st.text(max_size=30), st.integers(min_value=1, max_value=40))
def test_utf16_and_character_columns_round_trip(line, col):
    assert char_column(line, editor_column(line, col)) == col


@given(st.text(max_size=30), st.integers(min_value=1, max_value=40), st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_columns_round_trip_in_every_encoding_a_client_may_choose(line, col, encoding):
    assert char_column(line, editor_column(line, col, encoding), encoding) == col


def test_utf8_counts_bytes_and_utf32_characters():
    line = "率😀x"
    assert [editor_column(line, 3, e) for e in ("utf-8", "utf-16", "utf-32")] == [7, 3, 2]
