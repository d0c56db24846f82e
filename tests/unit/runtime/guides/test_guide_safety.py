"""Nothing from a program reaches a guide unescaped, the HTML is well formed, and missing translations show."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from runtime import ir
from runtime.guides import render_guide

EVIL = '<script>alert("x")</script>'
HOSTILE = f"""\
ppl: 1
program:
  id: hostile
  title:
    en: 'Evil {EVIL} & "Co" program'
    ja: '悪意 {EVIL} プログラム'
  description:
    en: '*Not bold* <img src=x onerror=alert(1)> [link](javascript:alert(1)) | pipe'
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {{mode: down}}
  fiscal_year_start: 4
inputs:
  partner:
    nda_signed: boolean
contracts:
  - id: agency
    kind: distributor
    title: {{en: '"Quoted" {EVIL}'}}
    ladder: volume
ladders:
  - id: volume
    title: {{en: 'Ladder </text><script>alert(1)</script>', ja: 'ラダー "{EVIL}"'}}
    basis: purchases
    period: fiscal_year
    mode: retroactive
    steps:
      - from: ¥0
        rate: 0%
      - from: 1億
        rate: 2%
tiers:
  cadence: yearly
  levels:
    - id: gold
      title: {{en: 'Gold {EVIL}', ja: 'ゴールド {EVIL}'}}
      qualify: partner.nda_signed
      margin_uplift: 1%
      benefits: [perk]
    - id: base
      title: {{en: Base, ja: ベース}}
      qualify: true
benefits:
  - id: perk
    kind: other
    title: {{en: 'Perk {EVIL}'}}
hierarchy:
  model: nested
  max_depth: 2
  levels:
    - level: 1
      title: {{en: 'First "level" {EVIL}', ja: '一次 {EVIL}'}}
      margin: 20%
    - level: 2
      title: {{en: "Second 'level'", ja: 二次}}
      margin: 10%
  new_resellers: level_1
"""


@pytest.fixture(scope="module")
def hostile(compiled: Callable[[str], ir.RuleSet]) -> ir.RuleSet:
    return compiled(HOSTILE)


VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
SVG_EMPTY = {"rect", "line", "path"}


class StrictParser(HTMLParser):
    """Tag balance, no script, no event handlers, no javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.problems.append(f"script element at {self.getpos()}")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"active attribute {name}={value!r} at {self.getpos()}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def error(self, message: str) -> None:  # pragma: no cover - older Pythons only
        self.problems.append(message)


def parse_strict(page: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    if parser.stack:
        parser.problems.append(f"unclosed: {parser.stack}")
    return parser


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("stem", ["saas_reseller", "ad_agency", "regional_trading"])
def test_html_guides_parse_with_balanced_tags(stem: str, lang: str, examples: Callable[[str], ir.RuleSet]) -> None:
    page = render_guide(examples(stem), lang, "html")
    assert page.startswith("<!DOCTYPE html>")
    parsed = parse_strict(page)
    assert parsed.problems == []
    for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S):
        ET.fromstring(svg)  # every chart is well-formed XML too


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_hostile_titles_are_escaped_in_html(hostile: ir.RuleSet, lang: str) -> None:
    page = render_guide(hostile, lang, "html")
    parsed = parse_strict(page)
    assert parsed.problems == []
    assert "<script>" not in page and "<img" not in page
    text = "".join(parsed.text)
    assert EVIL in text  # shown to the reader as text
    for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S):
        ET.fromstring(svg)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page or \
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_hostile_titles_are_escaped_in_markdown(hostile: ir.RuleSet, lang: str) -> None:
    text = render_guide(hostile, lang, "md")
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;" in text
    assert "[link](javascript" not in text
    if lang == "en":
        assert "\\*Not bold\\*" in text and "\\[link\\]" in text and "\\| pipe" in text
    for svg in re.findall(r"<svg.*?</svg>", text, flags=re.S):
        ET.fromstring(svg)


def test_hostile_markdown_renders_to_html_without_markup_from_the_program(hostile: ir.RuleSet) -> None:
    markdown = pytest.importorskip("markdown")
    page = markdown.markdown(render_guide(hostile, "en", "md"), extensions=["tables", "attr_list"])
    parsed = parse_strict(f"<div>{page}</div>")
    assert not [p for p in parsed.problems if "script" in p or "active" in p]
    assert "<script>" not in page and "<em>Not bold</em>" not in page and 'href="javascript' not in page


def test_a_missing_translation_is_marked_in_the_guide(hostile: ir.RuleSet) -> None:
    ja = render_guide(hostile, "ja", "md")
    assert "（英語のみ）" in ja  # the contract and the benefit have English titles only
    assert re.search(r"Perk .*（英語のみ）", ja)
    en = render_guide(hostile, "en", "md")
    assert "(Japanese only)" not in en and "（英語のみ）" not in en
