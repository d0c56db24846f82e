"""Rendering: the caret sits under the span whatever the line holds."""

from __future__ import annotations

import json

from policy_lang import diagnostics as dg
from policy_lang.source import SourceFile, Span


def render(line: str, col: int, end_col: int) -> list[str]:
    source = SourceFile("p.yaml", line + "\n")
    d = dg.error("E120", "unexpected `x`", Span("p.yaml", 1, col, 1, end_col), hint="a hint")
    return dg.render_text([d], {"p.yaml": source}).splitlines()


def test_location_severity_code_message_then_source_caret_and_hint() -> None:
    lines = render("qualify: a andd b", 12, 16)
    assert lines == ["p.yaml:1:12: error[E120]: unexpected `x`", "  |", "1 | qualify: a andd b",
                     "  |            ^^^^", "   = hint: a hint"]


def test_caret_accounts_for_wide_japanese_characters() -> None:
    lines = render("t: 年間10億 x", 10, 11)  # `x` follows three double-width characters
    assert lines[3] == "  | " + " " * 12 + "^"


def test_tabs_and_control_characters_do_not_shift_the_caret() -> None:
    lines = render("a:\tb\x07 bad", 7, 10)
    assert lines[2] == "1 | a:    b\ufffd bad"
    assert lines[3].index("^") == lines[2].index("bad")


def test_json_carries_every_field() -> None:
    d = dg.warning("W301", "unused", Span("f", 2, 3, 2, 5), hint="remove it",
                   labels=[dg.Label(Span("f", 1, 1, 1, 2), "here")])
    [data] = json.loads(dg.render_json([d]))["diagnostics"]
    assert data == {"code": "W301", "severity": "warning", "message": "unused",
                    "span": {"file": "f", "line": 2, "col": 3, "end_line": 2, "end_col": 5},
                    "labels": [{"span": {"file": "f", "line": 1, "col": 1, "end_line": 1, "end_col": 2},
                                "note": "here"}],
                    "related": [{"file": "f", "line": 1, "col": 1, "label": "here"}], "hint": "remove it"}


def test_long_lists_are_capped_with_a_count() -> None:
    many = [dg.error("E302", f"unknown field `f{i}`", None) for i in range(60)]
    assert dg.render_text(many, {}).splitlines()[-1] == "… and 10 more"


def test_every_code_in_use_is_registered() -> None:
    import pathlib
    import re

    from policy_lang.codes import CODES

    root = pathlib.Path(__file__).resolve().parents[3]
    used = set()
    for path in list((root / "compiler").rglob("*.py")) + list((root / "policy_lang").glob("*.py")):
        used.update(re.findall(r'"([EW][0-9]{3})"', path.read_text(encoding="utf-8")))
    assert used <= set(CODES), sorted(used - set(CODES))
