"""The loader keeps positions and turns every dangerous or surprising input into a diagnostic."""

from __future__ import annotations

import pytest

from policy_lang.yaml_loader import MAX_ALIASES, YMap, YScalar, YSeq, decode, load_text, to_data, yaml11_surprise


def codes(text: str) -> list[str]:
    return [d.code for d in load_text("p.yaml", text).diagnostics]


def test_positions_of_keys_values_and_list_items_are_kept() -> None:
    doc = load_text("p.yaml", "tiers:\n  - id: gold\n    qualify: x > 1\n")
    assert isinstance(doc.root, YMap)
    key = doc.root.key_node("tiers")
    assert key is not None and (key.span.line, key.span.col) == (1, 1)
    seq = doc.root.get("tiers")
    assert isinstance(seq, YSeq)
    item = seq.items[0]
    assert isinstance(item, YMap) and (item.span.line, item.span.col) == (2, 5)
    value = item.get("qualify")
    assert isinstance(value, YScalar) and (value.span.line, value.span.col, value.span.end_col) == (3, 14, 19)


@pytest.mark.parametrize(("text", "code"), [
    ("a: 1\na: 2\n", "E102"),
    ("1: x\n", "E103"),
    ("2026-04-01: x\n", "E103"),
    ("no: x\n", "E103"),
    ("a: !!python/object/apply:os.system [ls]\n", "E104"),
    ("a: !include other.yaml\n", "E104"),
    ("base: &b {x: 1}\nuse:\n  <<: *b\n", "E104"),
    ("a: &a [*a]\n", "E105"),
    ("a: 1\n---\nb: 2\n", "E106"),
    ("a: [1, 2\n", "E101"),
    ("a:\n\t- 1\n", "E101"),
    ("a: 'unclosed\n", "E101"),
    ("a: *nowhere\n", "E101"),
    ("", "E200"),
])
def test_hostile_yaml_is_a_diagnostic(text: str, code: str) -> None:
    assert code in codes(text)


def test_alias_bomb_is_refused_before_it_expands() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    doc = load_text("bomb.yaml", "\n".join(lines) + "\n")
    assert [d.code for d in doc.diagnostics] == ["E105"]
    assert doc.root is None


def test_a_few_aliases_are_allowed() -> None:
    text = "shared: &s [kanto, kansai]\n" + "".join(f"k{i}: *s\n" for i in range(MAX_ALIASES))
    doc = load_text("p.yaml", text)
    assert doc.diagnostics == ()
    assert to_data(doc.root)["k0"] == ["kanto", "kansai"]  # type: ignore[arg-type]


def test_duplicate_key_points_at_both_places() -> None:
    (d,) = load_text("p.yaml", "tiers: 1\nother: 2\ntiers: 3\n").diagnostics
    assert (d.span.line, d.span.col) == (3, 1)  # type: ignore[union-attr]
    assert d.labels[0].span.line == 1


def test_non_utf8_bytes_are_reported_at_their_position() -> None:
    data = "title: テスト\n".encode("cp932")
    source, problem = decode("sjis.yaml", data)
    assert source is None and problem is not None
    assert problem.code == "E100"
    assert problem.span is not None and (problem.span.line, problem.span.col) == (1, 8)


def test_utf8_with_byte_order_mark_is_accepted() -> None:
    source, problem = decode("bom.yaml", "\ufeffppl: 1\n".encode())
    assert problem is None and source is not None and source.text == "ppl: 1\n"


@pytest.mark.parametrize(("text", "code"), [
    ("x: no\n", "E110"), ("x: on\n", "E110"), ("x: Yes\n", "E110"),
    ("x: 1:30\n", "E111"), ("x: 2026-04-01\n", "E112"),
])
def test_yaml_11_surprises_are_recognised(text: str, code: str) -> None:
    doc = load_text("p.yaml", text)
    assert isinstance(doc.root, YMap)
    value = doc.root.get("x")
    assert value is not None
    surprise = yaml11_surprise(value)
    assert surprise is not None and surprise[0] == code


@pytest.mark.parametrize("text", ['x: "no"\n', "x: true\n", "x: '1:30'\n", "x: '2026-04-01'\n", "x: 130\n"])
def test_quoted_or_plain_values_are_not_surprises(text: str) -> None:
    doc = load_text("p.yaml", text)
    assert isinstance(doc.root, YMap)
    value = doc.root.get("x")
    assert value is not None and yaml11_surprise(value) is None
