"""The cursor's place read from text alone: key paths, keys or values, the schema's keys and documentation."""

from __future__ import annotations

from ppl.lsp import schema_docs
from ppl.lsp.context import cursor_at, word_at
from tests.lsp.lsp_client import ROOT

LADDER = """\
ladders:
  - id: annual-spend
    mode: retroactive
    steps:
      - from: ¥0
        rate: 0%
      - from: 5億
        ra
"""


def test_a_key_in_a_list_item_has_the_path_of_its_list():
    cursor = cursor_at(LADDER, 5, 9)
    assert cursor.path == ("ladders", "[]", "steps", "[]")
    assert cursor.key == "rate" and cursor.on_key


def test_a_value_knows_its_key_and_the_text_before_the_cursor():
    cursor = cursor_at(LADDER, 2, len("    mode: ret"))
    assert (cursor.path, cursor.key, cursor.on_key, cursor.value) == (("ladders", "[]"), "mode", False, "ret")


def test_a_half_typed_key_is_on_a_key_with_its_siblings_known():
    cursor = cursor_at(LADDER, 7, 10)
    assert cursor.path == ("ladders", "[]", "steps", "[]") and cursor.key is None and cursor.on_key
    assert cursor.siblings == ("from",)
    assert [k.name for k in schema_docs.keys_at(cursor.path)] == ["from", "above", "to", "rate"]


def test_the_first_key_of_a_list_item_ignores_the_items_above():
    cursor = cursor_at(LADDER, 6, 9)
    assert cursor.path == ("ladders", "[]", "steps", "[]")
    assert cursor.key == "from" and cursor.siblings == ()  # `rate` above is the previous step's


def test_the_schema_documents_keys_and_enumerations():
    assert "以上" in (schema_docs.key_doc(("ladders", "[]", "steps", "[]"), "from") or "")
    assert schema_docs.enum_values(("ladders", "[]", "mode")) == ("retroactive", "marginal")
    assert schema_docs.is_expression(("tiers", "levels", "[]", "qualify"))
    assert not schema_docs.is_expression(("contracts", "[]", "ladder"))
    assert schema_docs.key_doc((), "no_such_key") is None


def test_the_word_under_the_cursor_keeps_dots_and_dashes():
    assert word_at("    ladder: annual-spend", 15) == ("annual-spend", 12, 24)
    assert word_at("  when: partner.tier == gold", 10)[0] == "partner.tier"


def test_a_key_names_the_reference_page_of_its_section():
    step = ("ladders", "[]", "steps", "[]")
    assert schema_docs.reference_page(step, "rate") == "docs/reference/ladders-and-bonuses.md"
    assert schema_docs.reference_page(("revisions", "[]"), "tiers") == "docs/reference/tiers-and-benefits.md"
    assert schema_docs.reference_page((), "program") == "docs/reference/program.md"
    assert schema_docs.reference_page((), "nonsense") is None
    assert all((ROOT / "docs" / "reference" / f"{page}.md").is_file() for page in schema_docs.REFERENCE_PAGES.values())
