"""`ppl lsp` through the protocol: a subprocess driven by a JSON-RPC client, as an editor drives it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler.pipeline import check
from policy_lang import diagnostics as dg
from tests.lsp.lsp_client import ROOT, LspClient
from tests.support.programs import HEADER

pytest.importorskip("pygls")

GOOD = (ROOT / "programs" / "ad_agency.yaml").read_text(encoding="utf-8")
QUALIFY = "      qualify: partner.trailing_spend >= 1億 and partner.certified_operators >= 2\n"
BROKEN_QUALIFY = '      qualify: partner.id != "代理店😀" and partner.trailing_spendd >= 1億\n'
BROKEN = GOOD.replace(QUALIFY, BROKEN_QUALIFY)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _expected(path: Path) -> list[tuple[str, int, int, int, str]]:
    """What `ppl check` says of the file, as (code, severity, line, UTF-16 column, message)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    found = []
    for d in check([str(path)]).diagnostics:
        assert d.span is not None
        column = _utf16(lines[d.span.line - 1][: d.span.col - 1])
        severity = 1 if d.severity is dg.Severity.ERROR else 2
        found.append((d.code, severity, d.span.line - 1, column, d.message))
    return found


def _seen(published: list[dict[str, Any]]) -> list[tuple[str, int, int, int, str]]:
    return [(d["code"], d["severity"], d["range"]["start"]["line"], d["range"]["start"]["character"],
             d["message"].split("\nhint: ")[0]) for d in published]


@pytest.fixture
def program(tmp_path: Path) -> Path:
    path = tmp_path / "agency.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


@pytest.fixture
def client():
    started = LspClient()
    capabilities = started.initialize()
    assert capabilities["hoverProvider"] and capabilities["definitionProvider"]
    assert "completionProvider" in capabilities
    yield started
    started.stop()


def test_open_publishes_the_diagnostics_of_ppl_check_in_editor_columns(client, program):
    client.open(program.as_uri(), BROKEN)
    published = client.diagnostics(program.as_uri())
    expected = _expected(program)
    assert _seen(published) == expected
    e302 = next(d for d in published if d["code"] == "E302")
    line = BROKEN.split("\n")[e302["range"]["start"]["line"]]
    assert line == BROKEN_QUALIFY.rstrip("\n")
    start = line.index("partner.trailing_spendd")
    assert e302["range"]["start"]["character"] == start + 1  # the emoji is two UTF-16 units, one character
    assert e302["range"]["end"]["character"] - e302["range"]["start"]["character"] == len("partner.trailing_spendd")
    assert "hint: did you mean `partner.trailing_spend`?" in e302["message"]
    assert e302["source"] == "ppl"


def test_a_client_that_counts_in_utf8_gets_byte_columns(tmp_path):
    program = tmp_path / "agency.yaml"
    program.write_text(BROKEN, encoding="utf-8")
    client = LspClient()
    try:
        assert client.initialize({"general": {"positionEncodings": ["utf-8"]}})["positionEncoding"] == "utf-8"
        client.open(program.as_uri(), BROKEN)
        e302 = next(d for d in client.diagnostics(program.as_uri()) if d["code"] == "E302")
        line = BROKEN_QUALIFY.rstrip("\n")
        start = len(line[: line.index("partner.trailing_spendd")].encode("utf-8"))
        assert e302["range"]["start"]["character"] == start
        hover = client.at("textDocument/hover", program.as_uri(), e302["range"]["start"]["line"], start + 3)
        assert hover is None  # the field does not exist: the program does not load, so values have no hover
        row = BROKEN.split("\n").index(line) - 1
        assert client.at("textDocument/hover", program.as_uri(), row, 7)["contents"]["value"].startswith("**`title`**")
    finally:
        client.stop()


def test_a_change_that_fixes_the_error_clears_the_diagnostics_and_exit_ends_the_server(client, program):
    uri = program.as_uri()
    client.open(uri, BROKEN)
    assert client.diagnostics(uri)
    client.change(uri, GOOD.replace("partner.trailing_spend >= 10億", "partner.trailing_spend >= 10億 "), 2)
    client.change(uri, GOOD, 3)
    assert client.diagnostics(uri) == []
    assert client.close() == 0


def test_secondary_spans_are_related_information(client, tmp_path):
    path = tmp_path / "bracket.yaml"
    text = (ROOT / "tests/golden/diagnostics/E101_unclosed_bracket.yaml").read_text(encoding="utf-8")
    client.open(path.as_uri(), text)
    (published,) = client.diagnostics(path.as_uri())
    assert published["code"] == "E101"
    (related,) = published["relatedInformation"]
    assert related["message"] == "YAML noticed the problem here"
    assert related["location"]["uri"] == path.as_uri()
    assert related["location"]["range"]["start"] == {"line": 11, "character": 6}


def _line_of(text: str, needle: str) -> tuple[int, int]:
    for number, line in enumerate(text.split("\n")):
        if needle in line:
            return number, _utf16(line[: line.index(needle)])
    raise AssertionError(needle)


def test_hover_tells_a_key_a_constant_a_field_and_a_ladder_step(client, program):
    uri = program.as_uri()
    client.open(uri, GOOD)
    client.diagnostics(uri)
    row, col = _line_of(GOOD, "mode: retroactive")
    key = client.at("textDocument/hover", uri, row, col + 1)["contents"]["value"]
    assert "**`mode`**" in key and "retroactive" in key
    row, col = _line_of(GOOD, "transaction.placement == takeover")
    constant = client.at("textDocument/hover", uri, row, col + len("transaction.placement == ") + 2)
    assert "**constant** `takeover`" in constant["contents"]["value"]
    field = client.at("textDocument/hover", uri, row, col + 14)["contents"]["value"]
    assert field.startswith("**`transaction.placement`**: placement (input)")
    row, col = _line_of(GOOD, "- from: 5億")
    step = client.at("textDocument/hover", uri, row, col + len("- from: ") + 1)["contents"]["value"]
    assert "from ¥500,000,000 up to but not including ¥1,000,000,000: 1%" in step
    assert "¥500,000,000以上¥1,000,000,000未満: 1%" in step
    assert "sales at list price are settled at 1%: ¥5,000,000 on ¥500,000,000 of them (rounded down)" in step


def test_completion_offers_keys_at_a_key_and_ids_at_a_reference(client, program):
    uri = program.as_uri()
    client.open(uri, GOOD)
    assert client.diagnostics(uri) == []
    text = GOOD.replace("    ladder: annual-spend\n", "    ladder: \n    vol\n", 1)  # being typed: does not load
    client.change(uri, text, 2)
    assert client.diagnostics(uri)
    row, _ = _line_of(text, "    vol")
    keys = {item["label"] for item in client.at("textDocument/completion", uri, row + 0, 7)["items"]}
    assert {"margin", "fee", "services", "margin_cap"} <= keys
    assert not {"kind", "ladder", "bonuses"} & keys  # already written in this contract
    row, col = _line_of(text, "    ladder: ")
    ids = {item["label"] for item in client.at("textDocument/completion", uri, row, len("    ladder: "))["items"]}
    assert ids == {"annual-spend"}


def test_completion_in_an_expression_offers_fields_and_members(client, program):
    uri = program.as_uri()
    client.open(uri, GOOD)
    client.diagnostics(uri)
    row, col = _line_of(GOOD, "transaction.placement == takeover")
    fields = {i["label"] for i in client.at("textDocument/completion", uri, row, col + len("transaction."))["items"]}
    assert {"placement", "ad_spend", "list_price", "sell_price"} <= fields
    names = {i["label"] for i in client.at("textDocument/completion", uri, row, col)["items"]}
    assert {"partner", "transaction", "takeover", "premier", "agency", "min"} <= names


def test_definition_of_a_tier_id_used_in_an_expression(client, program):
    uri = program.as_uri()
    client.open(uri, GOOD)
    client.diagnostics(uri)
    row, col = _line_of(GOOD, "partner.tier == premier")
    (found,) = client.at("textDocument/definition", uri, row, col + len("partner.tier == ") + 3)
    target, _ = _line_of(GOOD, "- id: premier")
    assert found["uri"] == uri
    assert found["range"]["start"] == {"line": target, "character": len("    - id: ")}
    row, col = _line_of(GOOD, "ladder: annual-spend")
    (ladder,) = client.at("textDocument/definition", uri, row, col + len("ladder: ") + 2)
    assert ladder["range"]["start"]["line"] == _line_of(GOOD, "- id: annual-spend")[0]


@pytest.mark.parametrize("text", ["", "\x00\x01: [", "ppl: 1\nprogram:\n\t- x\n", "a: &a [*a]\n", "😀: 広告\n" * 3])
def test_any_text_gets_diagnostics_and_answers(client, tmp_path, text):
    uri = (tmp_path / "odd.yaml").as_uri()
    client.open(uri, text)
    published = client.diagnostics(uri)
    assert all(d["code"] for d in published)
    for line, character in ((0, 0), (0, 3), (2, 1), (9, 9)):
        client.at("textDocument/hover", uri, line, character)
        assert "items" in client.at("textDocument/completion", uri, line, character)
        assert client.at("textDocument/definition", uri, line, character) == []
    assert client.close() == 0


CATALOG_PROGRAM = HEADER + """\
contracts:
  - id: reseller
    kind: distributor
    margin: 20%
catalog: {file: catalog/prices.yaml}
"""
CATALOG = """\
categories: [plan, seats, addon]
items:
  - sku: CN-SEAT
    category: seat
    list_price: ¥1,200
"""


def test_an_unsaved_buffer_reads_its_catalog_file_beside_it_and_its_mistakes_go_to_that_file(client, tmp_path):
    (tmp_path / "catalog").mkdir()
    catalog = tmp_path / "catalog" / "prices.yaml"
    catalog.write_text(CATALOG, encoding="utf-8")
    uri = (tmp_path / "never-saved.yaml").as_uri()
    client.open(uri, CATALOG_PROGRAM)
    published = {}
    for _ in range(2):
        note = client.diagnostics_any()
        published[note["uri"]] = note["diagnostics"]
    assert published[uri] == []
    (e385,) = published[catalog.as_uri()]
    assert e385["code"] == "E385" and e385["range"]["start"] == {"line": 3, "character": 14}
    (tmp_path / "catalog" / "prices.yaml").write_text(CATALOG.replace("seat\n", "seats\n"), encoding="utf-8")
    client.change(uri, CATALOG_PROGRAM + "\n", 2)
    cleared = {}
    for _ in range(2):
        note = client.diagnostics_any()
        cleared[note["uri"]] = note["diagnostics"]
    assert cleared == {uri: [], catalog.as_uri(): []}
