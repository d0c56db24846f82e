"""Reading transactions and partners: conversions, every rejection with its row, JSON Lines, streaming, periods."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import os
from fractions import Fraction
from pathlib import Path

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from runtime import ir
from runtime.decisions import Rejected, Settler
from runtime.io import PartnersError, ReadError, feed, parse_period, read_partners, read_transactions
from runtime.loaded import Runtime
from runtime.model import UNSTATED, Partner, Transaction

ROOT = Path(__file__).resolve().parents[4]
HEADER = "id,date,partner,contract,product,list_price,sell_price,quantity,placement,ad_spend\n"
PARTNER_HEADER = "id,contract,tier,level,parent,trailing_spend,certified_operators,nda_signed,focus,open_leads\n"


@functools.cache
def ad_agency() -> ir.RuleSet:
    result = check([os.path.relpath(ROOT / "programs" / "ad_agency.yaml")])
    return compile_program(result.programs[0])


@functools.cache
def every_type() -> ir.RuleSet:
    """The agency program with one declared transaction input of every type."""
    extra = tuple(ir.InputDecl("transaction", f"f_{t}", t)
                  for t in ("integer", "number", "percent", "boolean", "date", "duration", "text"))
    rs = ad_agency()
    return dataclasses.replace(rs, inputs=rs.inputs + extra)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def items(path: Path, rs: ir.RuleSet | None = None) -> list[tuple[int, Transaction | Rejected]]:
    with read_transactions(path, rs or ad_agency()) as reader:
        return list(reader)


def only_rejected(found: list[tuple[int, Transaction | Rejected]]) -> list[tuple[int, str, str | None]]:
    return [(r.row, r.code, r.field) for _, r in found if isinstance(r, Rejected)]


# --- transactions ---------------------------------------------------------------------------------


def test_a_good_row_becomes_a_transaction(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", HEADER + 't1,2026-05-01,ag1,,banner-ads,"¥1,200,000",1100000,2,video,"¥300,000"\n')
    [(row, txn)] = items(path)
    assert row == 1
    assert txn == Transaction("t1", datetime.date(2026, 5, 1), "ag1", 1_200_000, 1_100_000, 2, None, "banner-ads",
                              {"placement": "video", "ad_spend": 300_000})


def test_every_declared_type_is_converted(tmp_path: Path) -> None:
    header = HEADER.strip() + ",f_integer,f_number,f_percent,f_boolean,f_date,f_duration,f_text,unknown_column\n"
    path = write(tmp_path, "t.csv", header + "t1,2026-05-01,ag1,agency,,100,100,3,in_feed,0,7,0.5,15%,TRUE,"
                                             "2026-01-31,90d, some text ,ignored\n")
    [(_, txn)] = items(path, every_type())
    assert isinstance(txn, Transaction)
    assert txn.quantity == 3 and txn.contract == "agency"
    assert txn.fields == {"placement": "in_feed", "ad_spend": 0, "f_integer": 7, "f_number": Fraction(1, 2),
                          "f_percent": Fraction(3, 20), "f_boolean": True, "f_date": datetime.date(2026, 1, 31),
                          "f_duration": ir.Duration(90, "d"), "f_text": "some text"}


def test_an_empty_declared_input_is_left_out_for_the_rules_to_judge(tmp_path: Path) -> None:
    [(_, txn)] = items(write(tmp_path, "t.csv", HEADER + "t1,2026-05-01,ag1,,,100,100,1,,\n"))
    assert isinstance(txn, Transaction) and txn.fields == {}


BAD_ROWS = [
    ("t1,2026-02-30,ag1,,,100,100,1,video,0", "E521", "date"),
    (",2026-05-01,ag1,,,100,100,1,video,0", "E520", "id"),
    ("t3,2026-05-01,,,,100,100,1,video,0", "E520", "partner"),
    ("t4,2026-05-01,ag1,,,12O0,100,1,video,0", "E521", "list_price"),
    ("t5,2026-05-01,ag1,,,100,,1,video,0", "E520", "sell_price"),
    ("t6,2026-05-01,ag1,,,100,100.5,1,video,0", "E523", "sell_price"),
    ("t7,2026-05-01,ag1,,,100,100,two,video,0", "E521", "quantity"),
    ("t8,2026-05-01,ag1,,,100,100,1,banner,0", "E522", "placement"),
    ("t9,2026-05-01,ag1,,,100,100,1,video,0.5", "E523", "ad_spend"),
    ("t10,2026-05-01,ag1,,,-100,100,1,video,0", "E521", "list_price"),
    ("t11,2026-05-01,ag1,,,100,100,1.5,video,0", "E521", "quantity"),
    ("t12,2026-05-01,ag1", "E521", None),
    ("t13,2026-05-01,ag1,,,100,100,1,video,0,surplus", "E521", None),
]


REFUND_HEADER = HEADER.strip() + ",refund_of\n"


@pytest.mark.parametrize(("line", "code", "field"), [
    ("t1,2026-05-01,ag1,,,100,100,0,video,0,", "E540", "quantity"),
    ("t2,2026-05-01,ag1,,,100,100,-2,video,0,", "E542", "quantity"),
    ("t3,2026-05-01,ag1,,,100,100,2,video,0,t0", "E546", "quantity"),
    ("t4,2026-05-01,ag1,,,,,1,video,0,", "E520", "list_price"),  # only a refund may leave its prices out
])
def test_a_row_that_is_neither_a_sale_nor_a_refund_is_rejected(tmp_path: Path, line: str, code: str,
                                                               field: str) -> None:
    [(_, rejected)] = items(write(tmp_path, "t.csv", REFUND_HEADER + line + "\n"))
    assert isinstance(rejected, Rejected) and (rejected.code, rejected.field) == (code, field)


def test_a_refund_names_its_sale_and_may_leave_its_prices_out(tmp_path: Path) -> None:
    [(_, txn)] = items(write(tmp_path, "t.csv", REFUND_HEADER + "r1,2026-06-01,ag1,,,,,-2,,, t1 \n"))
    assert txn == Transaction("r1", datetime.date(2026, 6, 1), "ag1", UNSTATED, UNSTATED, -2, refund_of="t1")


@pytest.mark.parametrize(("line", "code", "field"), BAD_ROWS)
def test_every_bad_row_is_rejected_with_a_code_and_its_field(tmp_path: Path, line: str, code: str,
                                                             field: str | None) -> None:
    [(row, rejected)] = items(write(tmp_path, "t.csv", HEADER + line + "\n"))
    assert isinstance(rejected, Rejected)
    assert (row, rejected.row, rejected.code, rejected.field) == (1, 1, code, field)
    assert rejected.transaction == line.split(",")[0]
    assert rejected.reason and "Error" not in rejected.reason


def test_rows_are_numbered_from_the_first_data_row_and_bad_rows_do_not_stop_the_file(tmp_path: Path) -> None:
    good = "t{},2026-05-01,ag1,,,100,100,1,video,0"
    lines = [good.format(1), BAD_ROWS[0][0], good.format(3), "", good.format(5), BAD_ROWS[7][0], good.format(7)]
    found = items(write(tmp_path, "t.csv", HEADER + "\n".join(lines) + "\n"))
    assert [row for row, _ in found] == [1, 2, 3, 5, 6, 7]  # the blank line (row 4) is not a row
    assert only_rejected(found) == [(2, "E521", "date"), (6, "E522", "placement")]


def test_a_trailing_empty_value_is_tolerated(tmp_path: Path) -> None:
    [(_, txn)] = items(write(tmp_path, "t.csv", HEADER + "t1,2026-05-01,ag1,,,100,100,1,video,0,\n"))
    assert isinstance(txn, Transaction)


def test_bad_utf8_rejects_the_row_not_the_file(tmp_path: Path) -> None:
    data = (HEADER + "t1,2026-05-01,ag1,,,100,100,1,video,0\n").encode() \
        + b"t2,2026-05-01,a\xff\xfe,,,1,1,1,video,0\n" + b"t3,2026-05-01,ag1,,,100,100,1,video,0\n"
    found = items(write(tmp_path, "t.csv", data))
    assert [type(i).__name__ for _, i in found] == ["Transaction", "Rejected", "Transaction"]
    assert only_rejected(found) == [(2, "E521", None)]


def test_a_field_too_large_for_csv_rejects_only_its_row(tmp_path: Path) -> None:
    huge = "x" * 200_000
    text = HEADER + f"t1,2026-05-01,ag1,,{huge},100,100,1,video,0\nt2,2026-05-01,ag1,,,100,100,1,video,0\n"
    found = items(write(tmp_path, "t.csv", text))
    assert isinstance(found[0][1], Rejected) and found[0][1].code == "E527"
    assert isinstance(found[-1][1], Transaction) and found[-1][1].id == "t2"


def test_a_byte_order_mark_and_crlf_line_ends_are_read(tmp_path: Path) -> None:
    data = "\ufeff" + HEADER.replace("\n", "\r\n") + "t1,2026-05-01,ag1,,,100,100,1,video,0\r\n"
    [(_, txn)] = items(write(tmp_path, "t.csv", data.encode("utf-8")))
    assert isinstance(txn, Transaction) and txn.id == "t1"


@pytest.mark.parametrize(("name", "text", "message"), [
    ("t.csv", "id,date,partner,list_price,quantity\n", "no column `sell_price`"),
    ("t.csv", "", "the file is empty"),
    ("t.csv", "id,id,date\n", "names column `id` twice"),
    ("t.txt", HEADER, "unknown file format"),
])
def test_a_file_that_cannot_be_read_at_all_is_an_error(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        read_transactions(write(tmp_path, name, text), ad_agency())


def test_a_missing_file_is_an_error() -> None:
    with pytest.raises(ReadError, match="cannot read"):
        read_transactions("/nonexistent/t.csv", ad_agency())


# --- JSON Lines -----------------------------------------------------------------------------------


def test_json_lines_are_numbered_by_line_and_take_json_values(tmp_path: Path) -> None:
    good = {"id": "t1", "date": "2026-05-01", "partner": "ag1", "list_price": 1200000, "sell_price": "¥1,100,000",
            "quantity": -2, "placement": "video", "ad_spend": None, "refund_of": "t0"}
    lines = [json.dumps(good), "", "{not json", "[1, 2]", json.dumps(dict(good, id="t5", list_price=12.5)),
             json.dumps(dict(good, id="t6", quantity=True)), json.dumps(dict(good, id="t7", list_price="NaN")),
             '{"id": "t8", "list_price": NaN}', json.dumps(dict(good, id="t9"))]
    found = items(write(tmp_path, "t.jsonl", "\n".join(lines) + "\n"))
    assert [row for row, _ in found] == [1, 3, 4, 5, 6, 7, 8, 9]
    first = found[0][1]
    assert isinstance(first, Transaction)
    assert (first.list_price, first.sell_price, first.quantity, first.fields) == (1_200_000, 1_100_000, -2,
                                                                                  {"placement": "video"})
    assert first.refund_of == "t0"  # a refund of two units of t0
    assert only_rejected(found) == [(3, "E521", None), (4, "E521", None), (5, "E523", "list_price"),
                                    (6, "E521", "quantity"), (7, "E521", "list_price"), (8, "E521", None)]
    assert isinstance(found[-1][1], Transaction) and found[-1][1].id == "t9"


def test_ndjson_is_json_lines_and_bad_utf8_rejects_one_line(tmp_path: Path) -> None:
    good = b'{"id": "t1", "date": "2026-05-01", "partner": "p", "list_price": 1, "sell_price": 1, "quantity": 1}\n'
    found = items(write(tmp_path, "t.ndjson", good + b'{"id": "\xff"}\n' + good))
    assert only_rejected(found) == [(2, "E521", None)]
    assert len(found) == 3


# --- streaming and reconciliation -----------------------------------------------------------------


def test_reading_streams_one_row_at_a_time(tmp_path: Path) -> None:
    row = "t{},2026-05-01,ag1,,,100,100,1,video,0\n"
    path = write(tmp_path, "t.csv", HEADER + "".join(row.format(n) for n in range(50_000)))
    with read_transactions(path, ad_agency()) as reader:
        iterator = iter(reader)
        first = next(iterator)
        assert first[0] == 1
        assert reader.position < reader.size / 10  # only a buffer's worth has been read
        assert sum(1 for _ in iterator) == 49_999
        assert reader.position == reader.size


def test_feed_keeps_read_equal_to_accepted_plus_rejected(tmp_path: Path) -> None:
    lines = ["t1,2026-05-01,ag1-01,,,100,100,1,video,0", BAD_ROWS[0][0], "t3,2026-05-01,nobody,,,100,100,1,video,0",
             "t4,2025-05-01,ag1-01,,,100,100,1,video,0", BAD_ROWS[3][0]]
    path = write(tmp_path, "t.csv", HEADER + "\n".join(lines) + "\n")
    partners = read_partners(ROOT / "examples" / "data" / "partners.csv", ad_agency())
    rejected: list[Rejected] = []
    settler = Settler(Runtime(ad_agency()), partners, parse_period("FY2026", 4), on_reject=rejected.append)
    with read_transactions(path, ad_agency()) as reader:
        feed(settler, reader)
    assert (settler.read, settler.accepted, settler.rejected) == (5, 1, 4)
    assert [(r.row, r.code) for r in rejected] == [(2, "E521"), (3, "E511"), (4, "E514"), (5, "E521")]


# --- partners -------------------------------------------------------------------------------------

FIELDS = "1000,0,true,retail,0"


def test_partners_are_read_with_their_declared_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", PARTNER_HEADER + f"a,agency,premier,1,,¥10億,6,true,games,3\n"
                                                     f"b,agency,,2,a,{FIELDS}\nc,agency,registered,3,b,{FIELDS}\n"
                                                     f"i,introducer,,,,{FIELDS}\n")
    partners = read_partners(path, ad_agency())
    assert partners["a"] == Partner("a", "agency", "premier", 1, None, {
        "trailing_spend": 1_000_000_000, "certified_operators": 6, "nda_signed": True, "focus": "games",
        "open_leads": 3})
    assert (partners["b"].tier, partners["b"].parent, partners["c"].level) == (None, "a", 3)
    assert partners["i"].level == 1


def test_partner_mistakes_are_all_reported_with_their_rows(tmp_path: Path) -> None:
    rows = [f"a,agency,premier,1,,{FIELDS}", f"a,agency,premier,1,,{FIELDS}", f"b,agencyy,,1,,{FIELDS}",
            f"c,agency,gold,1,,{FIELDS}", f"d,agency,,2,nobody,{FIELDS}", f"e,agency,,3,a,{FIELDS}",
            f"f,agency,,4,,{FIELDS}", f"g,agency,,2,,{FIELDS}", "h,agency,,1,,lots,0,true,retail,0",
            "i,agency,,1,,0,0,true,sports,0"]
    with pytest.raises(PartnersError) as exc:
        read_partners(write(tmp_path, "p.csv", PARTNER_HEADER + "\n".join(rows) + "\n"), ad_agency())
    problems = exc.value.problems
    assert [p.split(":")[0] for p in problems] == [f"row {n}" for n in range(2, 11)]
    text = "\n".join(problems)
    assert "partner `a` is already defined in row 1" in text
    assert "unknown contract `agencyy`; did you mean `agency`?" in text
    assert "unknown tier `gold`" in text
    assert "unknown parent `nobody`" in text
    assert "at level 3, but its parent `a` is at level 1" in text
    assert "level 4 is not a level of the hierarchy (1 to 3)" in text
    assert "partner `g` is at level 2 but names no `parent`" in text
    assert "`lots` is not an amount of money" in text
    assert "`sports` is not a `industry`" in text


def test_a_partners_file_needs_id_and_contract(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no column `contract`"):
        read_partners(write(tmp_path, "p.csv", "id,tier\na,premier\n"), ad_agency())


def test_partners_can_be_json_lines(tmp_path: Path) -> None:
    line = {"id": "a", "contract": "agency", "level": 1, "trailing_spend": 5, "certified_operators": 1,
            "nda_signed": False, "focus": "media", "open_leads": 0}
    partners = read_partners(write(tmp_path, "p.jsonl", json.dumps(line) + "\n"), ad_agency())
    assert partners["a"].fields["nda_signed"] is False


# --- periods --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "start", "expected"), [
    ("FY2026", 4, "2026-04-01..2027-03-31"), ("fy2026", 1, "2026-01-01..2026-12-31"),
    ("FY2026", 10, "2026-10-01..2027-09-30"), ("2026-04", 4, "2026-04-01..2026-04-30"),
    ("2028-02", 4, "2028-02-01..2028-02-29"), ("2026-04..2027-03", 4, "2026-04-01..2027-03-31"),
    ("2026-04-15..2026-05-14", 4, "2026-04-15..2026-05-14"),
])
def test_periods(text: str, start: int, expected: str) -> None:
    assert str(parse_period(text, start)) == expected


@pytest.mark.parametrize("text", ["FY26", "2026", "2026-13", "2026-04..", "2027-03..2026-04", "2026-02-30..2026-03-01",
                                  "Q1 2026", "2026-04..2026-05-01"])
def test_what_is_not_a_period(text: str) -> None:
    with pytest.raises(ValueError, match="period"):
        parse_period(text, 4)
