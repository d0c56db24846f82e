"""SKUs and zero-price products are written in the canonical form of ids, the form rows are read in (E314)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import check

ROOT = Path(__file__).resolve().parents[3]
PROGRAM = (ROOT / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8")


def _errors(text: str) -> list[tuple[str, str, str | None]]:
    result = check(["-"], stdin=text.encode("utf-8"))
    return [(d.code, d.message, d.hint) for d in result.diagnostics if d.severity.name.lower() == "error"]


def test_the_example_program_writes_its_skus_canonically() -> None:
    assert _errors(PROGRAM) == []


@pytest.mark.parametrize(("old", "new", "message", "hint"), [
    ("- sku: CN-TEAM", "- sku: ＣＮ-ＴＥＡＭ",
     "SKU `ＣＮ-ＴＥＡＭ` is not in its canonical form: rows read it as `CN-TEAM`", "write `CN-TEAM`"),
    ("zero_price: [trial]", "zero_price: [ｔｒｉａｌ]", "zero-price product `ｔｒｉａｌ` is not in its canonical form",
     "write `trial`"),
    ("- sku: CN-TEAM", "- sku: \"CN-\u200bTEAM\"", "has an invisible or control character: U+200B ZERO WIDTH SPACE "
     "[E525]", "rows with such an id are refused"),
    ("- sku: CN-TEAM", "- sku: СN-TEAM", "mixes scripts: `С` is U+0421 CYRILLIC CAPITAL LETTER ES, among Latin "
     "letters [E526]", "rows with such an id are refused"),
])
def test_an_id_rows_never_carry_is_refused_with_its_canonical_form(old: str, new: str, message: str,
                                                                   hint: str) -> None:
    assert old in PROGRAM
    errors = [e for e in _errors(PROGRAM.replace(old, new, 1)) if e[0] == "E314"]
    assert len(errors) == 1, errors
    _, text, given = errors[0]
    assert message in text and given is not None and hint in given
