"""The reasons a benefit is withheld, in words: the record and its date, else the condition as written."""

from __future__ import annotations

import datetime

import pytest

from runtime import ir
from runtime.decisions.withheld import benefit_reasons, record_words
from runtime.engine import EvalContext

D = datetime.date
CTX = EvalContext("down", 1)
AS_OF = ir.Field(ir.AS_OF_SCOPE, ir.AS_OF_NAME, "date")
NDA = ir.Field("partner", "nda", "dated")
CERTS = ir.Field("partner", "certifications", "list")
REGIONS = ir.Field("partner", "regions", "list")


def env(**fields: object) -> dict[str, object]:
    return {"eval.as_of": D(2026, 9, 15), **{f"partner.{k}": v for k, v in fields.items()}}


@pytest.mark.parametrize(("record", "words"), [
    (ir.Dated(D(2025, 9, 1), D(2026, 8, 31), "NDA"), "NDA expired on 2026-08-31"),
    (ir.Dated(D(2026, 10, 1), None, "Controllers"), "Controllers not valid until 2026-10-01"),
    (ir.Dated(D(2026, 10, 1)), "`nda` not valid until 2026-10-01"),
])
def test_a_record_not_in_force_names_its_date(record: ir.Dated, words: str) -> None:
    assert record_words(record, D(2026, 9, 15), "`nda`") == words


def test_a_holding_condition_has_no_reason() -> None:
    assert benefit_reasons(ir.Call("valid_on", (NDA, AS_OF)), env(nda=ir.Dated(D(2026, 1, 1))), CTX) == ()


def test_no_record_on_file() -> None:
    assert benefit_reasons(ir.Call("valid_on", (NDA, AS_OF)), env(nda=None), CTX) == ("no `nda` on file",)


def test_either_side_of_or_gives_its_reason() -> None:
    when = ir.Or(ir.Call("valid_on", (NDA, AS_OF)), ir.Call("contains", (REGIONS, ir.Const("text", "kansai"))))
    assert benefit_reasons(when, env(nda=None, regions=("kyushu",)), CTX) == (
        "no `nda` on file", 'condition not met: `"kansai" in partner.regions`')


def test_the_failing_side_of_and_gives_the_reason() -> None:
    when = ir.And(ir.Call("contains", (REGIONS, ir.Const("text", "kyushu"))), ir.Call("valid_on", (NDA, AS_OF)))
    assert benefit_reasons(when, env(nda=ir.Dated(D(2025, 1, 1), D(2025, 12, 31), "NDA"), regions=("kyushu",)),
                           CTX) == ("NDA expired on 2025-12-31",)


def test_a_count_names_each_record_not_in_force() -> None:
    when = ir.Compare(">=", ir.Call("count_valid_on", (CERTS, AS_OF)), ir.Const("integer", 2))
    records = (ir.Dated(D(2025, 1, 1), None, "Sensors"), ir.Dated(D(2026, 10, 1), None, "Controllers"),
               ir.Dated(D(2024, 1, 1), D(2025, 1, 1), "Vision"))
    assert benefit_reasons(when, env(certifications=records), CTX) == (
        "condition not met: `count(partner.certifications, valid_on: as_of) >= 2`",
        "Vision expired on 2025-01-01", "Controllers not valid until 2026-10-01")


def test_a_condition_that_cannot_be_decided_says_why() -> None:
    when = ir.Compare(">=", ir.Field("partner", "open_leads", "integer"), ir.Const("integer", 2))
    assert benefit_reasons(when, env(), CTX) == ("its condition cannot be decided: missing field `partner.open_leads`",)
