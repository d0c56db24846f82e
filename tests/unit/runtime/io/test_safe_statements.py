"""Markdown statements escape what comes from the input: an id, a name, a label or a reason cannot forge a
heading, a table cell, a list, a link or HTML, whatever it holds."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from runtime.decisions import Settlement
from runtime.io.cells import md_code, md_text
from runtime.io.writers import render_statement_markdown, ruleset_sha256
from runtime.model import Partner
from tests.unit.runtime.io.test_writers import ad_agency, settled  # noqa: F401 -- the fixture

markdown = pytest.importorskip("markdown")  # Python-Markdown, which mkdocs renders with

HOSTILE = ["`a|b` <script>alert(1)</script>", "x\n# forged heading", "[click](http://evil.example)",
           "| forged | cell |", "&amp; <img src=x onerror=alert(1)>", "``", "\n\n- item", "1. one\r\n> quote",
           "![img](http://evil.example/x.png)", "nul\x00bell\x07"]


def _html(text: str) -> str:
    return str(markdown.markdown(text, extensions=["tables"]))


def _shape(html: str) -> list[str]:
    return re.findall(r"<(/?(?:h\d|td|th|tr|li|ul|ol|p|blockquote|table|a|img|script|em|strong))\b", html)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_statement_with_hostile_text_keeps_its_structure(hostile: str, settled: tuple[object, Settlement]) \
        -> None:  # noqa: F811
    _, settlement = settled
    rs = ad_agency()
    statement = next(s for s in settlement.statements if s.period_lines and s.tier)
    partner = Partner("p-1", "agency", tier=statement.tier, level=2, parent="p-0")
    benign = render_statement_markdown(replace(statement, problems=("a problem",)), rs, partner, "abc")
    evil = render_statement_markdown(replace(
        statement, partner=hostile, tier=hostile, problems=(hostile,),
        period_lines=tuple(replace(line, label=hostile, version=hostile) for line in statement.period_lines)),
        rs, replace(partner, id=hostile, parent=hostile), ruleset_sha256(rs))
    assert len(evil.splitlines()) == len(benign.splitlines())
    assert _shape(_html(evil)) == _shape(_html(benign))
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", evil)
    html = _html(evil)
    assert "<script" not in html and "<img" not in html and "<a " not in html


def test_ordinary_ids_and_labels_are_written_as_before() -> None:
    assert md_code("ag1-01") == "`ag1-01`"
    assert md_text("ladder `annual-spend` step 3: 2% on ¥2,731,390,000 (volume ¥2,197,557,000)") == \
        "ladder `annual-spend` step 3: 2% on ¥2,731,390,000 (volume ¥2,197,557,000)"


@pytest.mark.parametrize("text", HOSTILE)
def test_a_code_span_holds_any_text_on_one_line(text: str) -> None:
    html = _html(md_code(text))
    assert html.count("<code>") == 1 and "<script" not in html and "<img" not in html
