"""Schema violations are reported at the offending node, in the language's words."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from policy_lang.loader import load_program_text
from policy_lang.schema import program_schema

ROOT = Path(__file__).resolve().parents[3]
VALID = (ROOT / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8")


def diagnose(old: str, new: str) -> list[tuple[str, int, int, str, str | None]]:
    assert old in VALID
    loaded = load_program_text("p.yaml", VALID.replace(old, new, 1))
    return [(d.code, d.span.line if d.span else 0, d.span.col if d.span else 0, d.message, d.hint)
            for d in loaded.diagnostics]


def line_of(text: str) -> int:
    return VALID.splitlines().index(text) + 1


def test_schema_is_valid_draft_2020_12() -> None:
    schema = program_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_file_ships_inside_the_package() -> None:
    path = ROOT / "policy_lang" / "program.schema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == program_schema()


def test_unknown_key_points_at_the_key_and_suggests_the_right_one() -> None:
    found = diagnose("      qualify: true", "      qualify: true\n      benefit: [co-selling]")
    assert found == [("E203", line_of("      qualify: true") + 1, 7, "unknown key `benefit` in tier `tier3`",
                      "did you mean `benefits`?")]


def test_wrong_enum_word_is_named_with_its_options_and_a_suggestion() -> None:
    [(code, line, col, message, hint)] = diagnose("    mode: retroactive\n    steps:\n      - from: ¥0",
                                                  "    mode: retroactiv\n    steps:\n      - from: ¥0")
    assert code == "E204" and col == 11
    assert "`retroactive` or `marginal`" in message and hint == "did you mean `retroactive`?"


def test_missing_required_key_names_the_construct() -> None:
    found = diagnose("  currency: JPY\n", "")
    assert [(c, m) for c, _, _, m, _ in found] == [("E202", "the program header is missing the key `currency`")]


def test_unquoted_version_number_is_a_type_error_with_a_quoting_hint() -> None:
    [(code, line, col, message, hint)] = diagnose('version: "2026.04"', "version: 2026.04")
    assert code == "E201" and message == "`version` in the program header must be text, not a number"
    assert hint == 'quote the value to make it text: `"2026.04"`'


def test_norway_problem_in_an_enumeration_is_explained() -> None:
    found = diagnose("region: [hokkaido, tohoku,", "region: [no, hokkaido, tohoku,")
    assert found[0][0] == "E110" and "`no` is read as the boolean false" in found[0][3]


def test_one_value_gets_one_complaint() -> None:
    found = diagnose("  cadence: quarterly", "  cadence: [1]")
    assert len(found) == 1 and found[0][0] == "E201"


def test_a_list_item_without_id_is_named_by_position() -> None:
    found = diagnose("  - id: roadmap-preview\n    kind: roadmap_access\n", "  - kind: roadmap_access\n")
    assert ("E202", "benefit 2 is missing the key `id`") in [(c, m) for c, _, _, m, _ in found]
