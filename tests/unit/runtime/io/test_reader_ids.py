"""The readers take every id through the identity policy: transactions reject a row, a partners file names its row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.decisions import Rejected
from runtime.io import PartnersError, parse_transaction, read_partners
from runtime.model import Transaction
from tests.unit.runtime.io.test_readers import FIELDS, PARTNER_HEADER, ad_agency, write

GOOD = {"id": "T-1", "date": "2026-05-01", "partner": "ag1-01", "contract": "agency", "product": "reserved",
        "list_price": "100000", "sell_price": "100000", "quantity": "1", "placement": "in_feed", "ad_spend": "0"}

HOSTILE = [
    ("\u200d", "E525", "U+200D ZERO WIDTH JOINER"),
    ("\u202e", "E525", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\t", "E525", "U+0009"),
    ("\u0420", "E526", "U+0420 CYRILLIC CAPITAL LETTER ER"),
    ("x" * 300, "E528", "characters long"),
]


def _spoilt(value: str, bad: str) -> str:
    return value[:1] + bad + value[1:]


@pytest.mark.parametrize("field", ["id", "partner", "contract", "product", "refund_of", "sku"])
@pytest.mark.parametrize(("bad", "code", "words"), HOSTILE)
def test_a_hostile_id_in_any_id_field_rejects_the_row_with_its_code(field: str, bad: str, code: str,
                                                                     words: str) -> None:
    values = {**GOOD, field: _spoilt(GOOD.get(field) or "R-9", bad)}
    found = parse_transaction(values, ad_agency(), 7)
    assert isinstance(found, Rejected)
    assert (found.row, found.code, found.field) == (7, code, field)
    assert words in found.reason


def test_ids_are_read_in_their_canonical_form() -> None:
    values = {**GOOD, "id": " Ｔ-1 ", "partner": "ａｇ１－０１", "contract": "ａｇｅｎｃｙ",
              "product": "ｒｅｓｅｒｖｅｄ", "refund_of": "Ｓ-1", "quantity": "-1"}
    found = parse_transaction(values, ad_agency())
    assert isinstance(found, Transaction)
    assert (found.id, found.partner, found.contract, found.product, found.refund_of) == (
        "T-1", "ag1-01", "agency", "reserved", "S-1")


def test_a_rejected_row_names_its_canonical_id_when_the_id_itself_is_good() -> None:
    found = parse_transaction({**GOOD, "id": "Ｔ-1", "date": "someday"}, ad_agency())
    assert isinstance(found, Rejected) and (found.transaction, found.code) == ("T-1", "E521")


def test_json_ids_are_held_to_the_same_policy() -> None:
    values = json.loads(json.dumps({**GOOD, "partner": "ag1\u202e-01"}))
    found = parse_transaction(values, ad_agency())
    assert isinstance(found, Rejected) and found.code == "E525"


def test_a_partners_file_with_hostile_ids_names_each_row_and_code(tmp_path: Path) -> None:
    rows = [f"a,agency,premier,1,,{FIELDS}", f"a\u200b,agency,premier,1,,{FIELDS}",
            f"\u0430,agency,premier,1,,{FIELDS}", f"b,agency,,2,a\u202e,{FIELDS}", f"{'c' * 300},agency,,1,,{FIELDS}",
            f"d,agency,prem\tier,1,,{FIELDS}"]
    with pytest.raises(PartnersError) as caught:
        read_partners(write(tmp_path, "p.csv", PARTNER_HEADER + "\n".join(rows) + "\n"), ad_agency())
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["row 2", "row 3", "row 4", "row 5", "row 6"]
    assert [p[-6:] for p in problems] == ["[E525]", "[E526]", "[E525]", "[E528]", "[E525]"]
    assert "partner id `a<U+200B>` has an invisible or control character: U+200B ZERO WIDTH SPACE" in problems[0]
    assert "parent `a<U+202E>`" in problems[2]


def test_a_full_width_partner_id_is_the_same_partner_and_a_repeat(tmp_path: Path) -> None:
    rows = [f"Ａ-1,agency,premier,1,,{FIELDS}", f"b,ａｇｅｎｃｙ,,2,Ａ-1,{FIELDS}", f"A-1,agency,premier,1,,{FIELDS}"]
    with pytest.raises(PartnersError) as caught:
        read_partners(write(tmp_path, "p.csv", PARTNER_HEADER + "\n".join(rows) + "\n"), ad_agency())
    assert caught.value.problems == ["row 3: partner `A-1` is already defined in row 1"]
    partners = read_partners(write(tmp_path, "q.csv", PARTNER_HEADER + "\n".join(rows[:2]) + "\n"), ad_agency())
    assert sorted(partners) == ["A-1", "b"]
    assert (partners["b"].parent, partners["b"].contract) == ("A-1", "agency")
