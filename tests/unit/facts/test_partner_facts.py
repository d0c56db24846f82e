"""Dated facts in the partners file (JSON cells, JSON Lines values) and in `--partner-facts`: accepted records,
each reason a record is rejected (E529), and the count that reconciles: read = accepted + rejected."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from runtime import ir
from runtime.io import facts
from runtime.io.readers import PartnersError, read_partners
from tests.unit.facts._facts_program import PARTNERS, compile_facts_program

D = datetime.date


@pytest.fixture(scope="module")
def ruleset() -> ir.RuleSet:
    return compile_facts_program()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_cells_hold_json(tmp_path: Path, ruleset: ir.RuleSet) -> None:
    report = facts.FactReport()
    partners = read_partners(write(tmp_path, "p.csv", PARTNERS), ruleset, report)
    p1, p2 = partners["P-1"].fields, partners["P-2"].fields
    assert p1["regions"] == ("kansai", "kanto")
    assert p1["nda"] == ir.Dated(D(2025, 9, 1), D(2026, 8, 31), "NDA")
    assert p1["certifications"] == (ir.Dated(D(2025, 1, 10), D(2027, 1, 9), "Sensors"),
                                    ir.Dated(D(2026, 10, 1), None, "Controllers"))
    assert (p2["regions"], p2["nda"], p2["certifications"]) == (("kyushu",), None, ())
    assert report.summary() == {"read": 7, "accepted": 7, "rejected": 0}


def test_json_lines_fields_hold_the_values(tmp_path: Path, ruleset: ir.RuleSet) -> None:
    line = {"id": "P-1", "contract": "reseller", "tier": "gold", "regions": ["kansai"],
            "nda": {"from": "2026-01-01", "until": None, "name": "NDA"},
            "certifications": [{"from": "2026-02-01", "until": "2026-12-31"}]}
    report = facts.FactReport()
    partners = read_partners(write(tmp_path, "p.jsonl", json.dumps(line) + "\n"), ruleset, report)
    assert partners["P-1"].fields["nda"] == ir.Dated(D(2026, 1, 1), None, "NDA")
    assert partners["P-1"].fields["certifications"] == (ir.Dated(D(2026, 2, 1), D(2026, 12, 31)),)
    assert report.summary() == {"read": 3, "accepted": 3, "rejected": 0}


@pytest.mark.parametrize(("cell", "reason"), [
    ('"[{""from"": ""2026-13-01""}]"', "`from`:"),
    ('"[{""from"": ""2026-05-01"", ""until"": ""2026-04-01""}]"', "`until` 2026-04-01 is before `from` 2026-05-01"),
    ('"[{""from"": ""2026-05-01"", ""from"": ""2026-06-01""}]"', "names `from` twice in one record"),
    ('"[{""until"": ""2026-05-01""}]"', "the record has no `from` date"),
    ('"[{""from"": ""2026-05-01"", ""expires"": ""2027-01-01""}]"', "unknown key `expires`"),
    ('"[[[{""from"": ""2026-05-01""}]]]"', "nested deeper than 2 levels"),
    ('"[{""from"": ""2026-05-01"", ""name"": ""Sen\u200bsors""}]"', "invisible or control character"),
    ('"{""from"": ""2026-05-01""}"', "is not a list"),
    ("not json", "the cell is not valid JSON"),
])
def test_a_bad_record_is_rejected_and_the_rest_go_on(tmp_path: Path, ruleset: ir.RuleSet, cell: str,
                                                      reason: str) -> None:
    text = f"id,contract,tier,regions,nda,certifications\nP-1,reseller,gold,[],,{cell}\nP-2,reseller,member,,,\n"
    report = facts.FactReport()
    partners = read_partners(write(tmp_path, "p.csv", text), ruleset, report)
    assert set(partners) == {"P-1", "P-2"} and partners["P-1"].fields["certifications"] == ()
    [rejected] = report.rejected
    assert reason in rejected.reason and rejected.row == 1 and rejected.file.endswith("p.csv")
    assert str(rejected).endswith("[E529]") and "partner `P-1`: `certifications`" in str(rejected)
    assert report.read == report.accepted + len(report.rejected)


def test_without_a_report_a_bad_record_is_a_mistake_of_the_file(tmp_path: Path, ruleset: ir.RuleSet) -> None:
    text = "id,contract,tier,regions,nda,certifications\nP-1,reseller,gold,\"[\"\"osaka\"\"]\",,\n"
    with pytest.raises(PartnersError) as info:
        read_partners(write(tmp_path, "p.csv", text), ruleset)
    assert "row 1:" in info.value.problems[0] and "[E529]" in info.value.problems[0]


FACTS = """\
partner,fact,from,until,name,value
P-2,certifications,2026-04-01,2027-03-31,Sensors,
P-2,nda,2026-04-01,,NDA,
P-2,regions,,,,kanto
P-9,nda,2026-04-01,,,
P-2,badge,2026-04-01,,,
P-2,certifications,2026-04-31,,,
P-2,certifications,2026-05-01,2026-04-01,,
P-2,nda,2026-05-01,,,
P-1,nda,2026-05-01,,,
P-2,regions,,,,osaka
P\u200b-2,nda,2026-05-01,,,
"""


def test_a_facts_file_adds_records_and_rejects_the_bad_ones(tmp_path: Path, ruleset: ir.RuleSet) -> None:
    report = facts.FactReport()
    partners = read_partners(write(tmp_path, "p.csv", PARTNERS), ruleset, report)
    partners = facts.read_partner_facts(write(tmp_path, "f.csv", FACTS), ruleset, partners, report)
    p2 = partners["P-2"].fields
    assert p2["certifications"] == (ir.Dated(D(2026, 4, 1), D(2027, 3, 31), "Sensors"),)
    assert p2["nda"] == ir.Dated(D(2026, 4, 1), None, "NDA")
    assert p2["regions"] == ("kyushu", "kanto")
    reasons = {r.row: r.reason for r in report.rejected}
    assert "unknown partner `P-9`" in reasons[4]
    assert "unknown fact `badge`" in reasons[5]
    assert "`from`:" in reasons[6]
    assert "is before `from`" in reasons[7]
    assert "holds one record, and the partner has one in row 2" in reasons[8]
    assert "holds one record, and the partner has one in the partners file" in reasons[9]
    assert "`osaka`" in reasons[10]
    assert "invisible or control character" in reasons[11]
    assert report.summary() == {"read": 7 + 11, "accepted": 7 + 3, "rejected": 8}


def test_a_facts_file_in_json_lines_refuses_a_repeated_key(tmp_path: Path, ruleset: ir.RuleSet) -> None:
    lines = ('{"partner": "P-2", "fact": "nda", "from": "2026-04-01"}\n'
             '{"partner": "P-2", "fact": "certifications", "from": "2026-04-01", "from": "2026-05-01"}\n')
    report = facts.FactReport()
    partners = read_partners(write(tmp_path, "p.csv", PARTNERS), ruleset, report)
    partners = facts.read_partner_facts(write(tmp_path, "f.jsonl", lines), ruleset, partners, report)
    assert partners["P-2"].fields["nda"] == ir.Dated(D(2026, 4, 1))
    [rejected] = report.rejected
    assert rejected.row == 2 and "twice" in rejected.reason


def test_a_huge_json_cell_is_refused_by_the_field_limit(tmp_path: Path, ruleset: ir.RuleSet) -> None:
    cell = '"[' + ", ".join(['{""from"": ""2026-05-01""}'] * 20_000) + ']"'
    text = f"id,contract,tier,regions,nda,certifications\nP-1,reseller,gold,[],,{cell}\n"
    with pytest.raises(PartnersError) as info:
        read_partners(write(tmp_path, "p.csv", text), ruleset, facts.FactReport())
    assert "characters" in info.value.problems[0]


def test_a_deeply_nested_cell_is_refused_before_it_is_parsed(tmp_path: Path, ruleset: ir.RuleSet) -> None:
    cell = "[" * 50_000 + "]" * 50_000
    text = f"id,contract,tier,regions,nda,certifications\nP-1,reseller,gold,[],,{cell}\n"
    report = facts.FactReport()
    read_partners(write(tmp_path, "p.csv", text), ruleset, report)
    assert "nested deeper" in report.rejected[0].reason


def test_a_hundred_thousand_fact_records_are_read_and_reconcile(tmp_path: Path, ruleset: ir.RuleSet) -> None:
    rows = ["partner,fact,from,until,name,value"]
    for i in range(100_000):
        day = "2026-02-30" if i % 1000 == 0 else f"2026-{1 + i % 12:02d}-01"
        rows.append(f"P-{1 + i % 2},certifications,{day},,C{i % 7},")
    report = facts.FactReport()
    partners = read_partners(write(tmp_path, "p.csv", PARTNERS), ruleset, report)
    partners = facts.read_partner_facts(write(tmp_path, "f.csv", "\n".join(rows) + "\n"), ruleset, partners, report)
    assert report.read == 7 + 100_000 and len(report.rejected) == 100
    assert report.read == report.accepted + len(report.rejected)
    assert len(partners["P-1"].fields["certifications"]) <= 2 + 12 * 7
