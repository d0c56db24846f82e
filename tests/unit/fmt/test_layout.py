"""`format_text`: the layout, values as written, comments on their keys, and files it will not touch."""

from __future__ import annotations

import pytest

from policy_lang.fmt import format_text
from policy_lang.fmt import layout as fmt_layout


def fmt(text: str) -> str:
    result = format_text("p.yaml", text)
    assert result.text is not None, result.diagnostics
    return result.text


@pytest.mark.parametrize("value", ["¥1,000,000", "12%", "¥2億", "1000000 JPY", "2026-04-01", "2026-04-01T09:00+09:00",
                                   "'2026.04'", '"2026.04"', "yes", "010", "1_000", "0x1F", "1.50", "~", "null",
                                   "partner.tier == gold and deal.amount >= ¥1,000,000", "'it''s'", '"tab\\there"'])
def test_a_scalar_is_written_exactly_as_the_program_wrote_it(value: str) -> None:
    assert fmt(f"program:\n  x: {value}\n") == f"program:\n  x: {value}\n"


def test_layout_is_block_style_with_two_spaces_a_level() -> None:
    written = "ppl: 1\nprogram:\n    id: x\n    rounding:\n         mode: down\ncontracts:\n- id: a\n  kind: referral\n"
    assert fmt(written) == ("ppl: 1\nprogram:\n  id: x\n  rounding:\n    mode: down\n"
                            "contracts:\n  - id: a\n    kind: referral\n")


def test_a_one_line_flow_collection_stays_and_one_over_several_lines_becomes_block() -> None:
    written = "program:\n  title: {en: A, ja: B}\n  tags: [a,   b]\n  text: {en: A,\n     ja: B}\n"
    assert fmt(written) == "program:\n  title: {en: A, ja: B}\n  tags: [a, b]\n  text:\n    en: A\n    ja: B\n"


def test_comments_travel_with_the_keys_they_belong_to() -> None:
    written = ("# the file\n\nprogram:  # the header\n  version: \"1\"  # the version\n"
               "  # the id, on its own line\n  id: x\n")
    assert fmt(written) == ("# the file\n\nprogram:  # the header\n  # the id, on its own line\n  id: x\n"
                            "  version: \"1\"  # the version\n")


def test_a_comment_before_a_list_item_stays_before_it() -> None:
    written = "contracts:\n  - id: a\n    kind: referral\n  # the second\n  - kind: referral\n    id: b\n"
    assert fmt(written) == ("contracts:\n  - id: a\n    kind: referral\n  # the second\n  - id: b\n"
                            "    kind: referral\n")


def test_end_of_line_comments_keep_their_column_when_there_is_room() -> None:
    written = "program:\n  id: x        # aligned\n  version: \"1\"   # aligned too\n"
    assert fmt(written) == written


def test_blank_lines_are_kept_once_and_never_at_the_start_of_a_block() -> None:
    written = "ppl: 1\n\n\n\nprogram:\n\n  id: x\n\n  version: \"1\"\n"
    assert fmt(written) == "ppl: 1\n\nprogram:\n  id: x\n\n  version: \"1\"\n"


def test_a_comment_after_the_last_key_stays_at_the_end() -> None:
    assert fmt("ppl: 1\n# the end\n\n\n") == "ppl: 1\n# the end\n"


def test_block_scalars_keep_their_lines_and_a_hash_inside_them_is_text() -> None:
    written = "program:\n  description: |\n    one\n    # two\n\n  id: x\n"
    assert fmt(written) == "program:\n  id: x\n  description: |\n    one\n    # two\n"


def test_there_are_no_trailing_spaces_and_one_final_newline() -> None:
    assert fmt("ppl: 1   \nprogram:   \n  id: x  ") == "ppl: 1\nprogram:\n  id: x\n"


def test_windows_line_endings_become_newlines() -> None:
    assert fmt("ppl: 1\r\nprogram: {id: x}\r\n") == "ppl: 1\nprogram: {id: x}\n"


def test_a_file_that_is_not_valid_yaml_is_not_formatted_and_its_diagnostics_are_given() -> None:
    result = format_text("p.yaml", "ppl: 1\nprogram: [\n")
    assert result.text is None and [d.code for d in result.diagnostics] == ["E101"]


def test_a_file_with_duplicate_keys_is_not_formatted() -> None:
    result = format_text("p.yaml", "ppl: 1\nppl: 2\n")
    assert result.text is None and result.diagnostics


def test_a_file_whose_top_level_is_not_a_mapping_is_not_formatted_and_the_checker_says_why() -> None:
    result = format_text("p.yaml", "- a\n-   b\n")
    assert result.text is None and [d.code for d in result.diagnostics] == ["E200"]


def test_a_layout_that_would_change_the_meaning_is_refused_with_e588(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt_layout, "_layout", lambda text: text.replace("15%", "'15%'"))
    result = format_text("p.yaml", "program:\n  margin: 15%\n")
    assert result.text is None and [d.code for d in result.diagnostics] == ["E588"]


def test_anchors_and_aliases_are_kept() -> None:
    written = "program:\n  title: &t {en: A, ja: B}\n  m: &m 15%\n  n: *m\n  description: *t\n  id: x\n"
    assert fmt(written) == ("program:\n  id: x\n  title: &t {en: A, ja: B}\n  description: *t\n  m: &m 15%\n"
                            "  n: *m\n")
