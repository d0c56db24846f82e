"""Hover, completion and definition on the bundled programs, in process (the protocol tests drive the same code)."""

from __future__ import annotations

import functools

from ppl.lsp import completion, definition, hover
from ppl.lsp.analysis import Analysis, check_text
from tests.lsp.lsp_client import ROOT


@functools.cache
def _program(name: str) -> Analysis:
    path = ROOT / "programs" / name
    return check_text(str(path), path.read_text(encoding="utf-8"))


def _at(doc: Analysis, needle: str, offset: int = 0) -> tuple[int, int]:
    for row, line in enumerate(doc.text.split("\n")):
        if needle in line:
            return row, line.index(needle) + offset
    raise AssertionError(needle)


def _hover(doc: Analysis, needle: str, offset: int = 0) -> str:
    row, col = _at(doc, needle, offset)
    return hover.hover_text(doc, row, col, row + 1, col + 1) or ""


def test_an_above_step_of_a_marginal_ladder_reads_with_its_bounds_and_brackets():
    doc = _program("regional_trading.yaml")
    step = _hover(doc, "- above: 20億", len("- above: ") + 1)
    assert "above ¥2,000,000,000 with no upper limit: 10%" in step
    assert "¥2,000,000,000超: 10%" in step
    assert "at fiscal year sales of ¥2,000,000,001 the brackets below pay ¥50,000,000" in step
    assert "each further ¥1,000,000 inside this step adds ¥100,000 (10%)" in step
    assert "at most ¥5,000,000,000 of sales a fiscal year" in step
    first = _hover(doc, "- from: ¥0", len("- from: ") + 1)
    assert "from ¥0 up to and including ¥1,000,000,000: 0%" in first and "¥0以上¥1,000,000,000以下: 0%" in first


def test_a_bonus_step_says_what_it_pays_and_when():
    step = _hover(_program("ad_agency.yaml"), "pay: ¥1500万", len("pay: ") + 1)
    assert "Pays ¥15,000,000 once the fiscal year's sales reach ¥1,000,000,000 or more (cumulative)." in step


def test_an_input_shows_its_type_and_description_and_a_literal_its_value():
    doc = _program("ad_agency.yaml")
    assert _hover(doc, "partner.certified_operators >= 5", 9).startswith(
        "**`partner.certified_operators`**: integer (input)\n\nStaff who hold")
    assert _hover(doc, "cliff_tolerance: ¥3000万", len("cliff_tolerance: ") + 1) == "= 30,000,000 JPY"
    assert _hover(doc, "trailing_spend:", 3) == "**`partner.trailing_spend`**: money (input)\n\n" \
        "Ad spend placed over the last 12 months"


def test_a_program_that_does_not_load_still_documents_its_keys():
    doc = check_text("broken.yaml", "ppl: 1\nprogram:\n  id: [\n")
    assert doc.program is None
    assert (hover.hover_text(doc, 1, 2, 2, 3) or "").startswith("**`program`**")


def test_completion_of_enumerations_types_and_a_list_of_references():
    doc = _program("ad_agency.yaml")
    row, col = _at(doc, "mode: retroactive", len("mode: "))
    assert [i.label for i in completion.complete(doc.text, row, col, doc.program)] == ["retroactive", "marginal"]
    row, col = _at(doc, "open_leads: integer", len("open_leads: "))
    types = {i.label for i in completion.complete(doc.text, row, col, doc.program)}
    assert {"money", "integer", "industry", "placement", "dated"} <= types
    row, col = _at(doc, "benefits: [mdf, training]", len("benefits: [mdf, "))
    assert {i.label for i in completion.complete(doc.text, row, col, doc.program)} >= {"mdf", "training", "onsite-desk"}


def test_definition_of_a_benefit_in_a_list_a_field_and_an_enumeration_member():
    doc = _program("ad_agency.yaml")
    assert doc.program is not None
    lines = doc.text.split("\n")
    row, col = _at(doc, "benefits: [mdf, training]", len("benefits: [mdf, ") + 2)
    spans = definition.definition_spans(doc.program, lines[row], col)
    assert [lines[s.line - 1].strip() for s in spans] == ["- id: training"]
    row, col = _at(doc, "partner.certified_operators >= 5", 12)
    (field,) = definition.definition_spans(doc.program, lines[row], col)
    assert lines[field.line - 1].strip() == "certified_operators:"
    row, col = _at(doc, "transaction.placement == takeover", len("transaction.placement == ") + 1)
    (member,) = definition.definition_spans(doc.program, lines[row], col)
    assert lines[member.line - 1].strip() == "placement: [in_feed, video, takeover]"
