"""Rich text: escaped for Markdown and HTML, run by run."""

from __future__ import annotations

import pytest

from runtime.guides._rich import code, compose, escape_md, join, note, plain, render_html, render_md, rich, strong


def test_compose_fills_placeholders_with_rich_values() -> None:
    text = compose("at least {n} {what}", n=code("5"), what="engineers")
    assert plain(text) == "at least 5 engineers"
    assert [s.kind for s in text] == ["text", "code", "text", "text"]


def test_join_uses_the_last_separator_before_the_last_item() -> None:
    assert plain(join([rich("a"), rich("b"), rich("c")], ", ", " and ")) == "a, b and c"


@pytest.mark.parametrize(("text", "expected"), [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("a & b", "a &amp; b"),
    ("*bold* _it_ `code` [link](x) | pipe", "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](x) \\| pipe"),
    ("Title {#id}", "Title \\{\\#id\\}"),
    ("two\n\nparagraphs", "two paragraphs"),
    ("2026.04", "2026.04"),
])
def test_escape_md(text: str, expected: str) -> None:
    assert escape_md(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("- not a list", "\\- not a list"),
    ("1. not a list", "1\\. not a list"),
    ("2026.04 is a version", "2026.04 is a version"),
])
def test_render_md_keeps_a_line_from_starting_a_block(text: str, expected: str) -> None:
    assert render_md(rich(text)) == expected


def test_render_md_code_survives_backticks() -> None:
    assert render_md(rich(code("a`b"))) == "``a`b``"
    assert render_md(rich(code("`x"))) == "`` `x ``"


def test_render_html_escapes_every_run() -> None:
    text = rich('<b title="x">', code("<i>"), strong("&"), note("'"))
    assert render_html(text) == ('&lt;b title=&#34;x&#34;&gt;<code>&lt;i&gt;</code><strong>&amp;</strong>'
                                 '<em class="ppl-note">&#39;</em>')
