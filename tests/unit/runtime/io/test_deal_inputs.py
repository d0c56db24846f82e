"""A deal decision's inputs from raw values: each refusal names its field and code, in the CLI's words."""

from __future__ import annotations

import datetime
import functools
import os
from pathlib import Path
from typing import Any

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from runtime import ir
from runtime.io.deal_inputs import InputProblem, declared_values, parse_instant, parse_lead, start_of_day

ROOT = Path(__file__).resolve().parents[4]


@functools.cache
def ad_agency() -> ir.RuleSet:
    result = check([os.path.relpath(ROOT / "programs" / "ad_agency.yaml")])
    return compile_program(result.programs[0])


def test_an_instant_keeps_its_offset_and_one_without_is_e530() -> None:
    assert parse_instant(" 2026-06-01T10:00:00+09:00 ", "`at`").utcoffset() == datetime.timedelta(hours=9)
    with pytest.raises(InputProblem) as naive:
        parse_instant("2026-06-01T10:00:00", "`at`")
    assert naive.value.code == "E530" and str(naive.value).endswith("[E530]")
    with pytest.raises(InputProblem, match="is not a date and time") as bad:
        parse_instant("June", "`at`")
    assert bad.value.code is None


def test_a_day_starts_in_the_programs_time_zone() -> None:
    start = start_of_day("2026-06-01", ad_agency())
    assert start.isoformat() == "2026-06-01T00:00:00+09:00"
    with pytest.raises(InputProblem) as bad:
        start_of_day("2026-13-01", ad_agency())
    assert bad.value.code == "E521"


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"focus": "cars"}, "focus", "E522"),
    ({"fokus": "media"}, "fokus", None),
])
def test_a_bad_declared_field_is_named(values: dict[str, Any], field: str, code: str | None) -> None:
    with pytest.raises(InputProblem) as refused:
        declared_values(values, "applicant", ad_agency(), strict=True)
    assert (refused.value.field, refused.value.code) == (field, code)
    if code is None:
        assert str(refused.value) == "unknown applicant field `fokus`; did you mean `focus`?"


def test_a_lead_is_read_with_its_declared_fields_and_defaults_its_id() -> None:
    lead = parse_lead({"date": "2026-06-01", "industry": "retail"}, ad_agency(), "lead-1", strict=True)
    assert (lead.id, lead.date, dict(lead.fields)) == ("lead-1", datetime.date(2026, 6, 1), {"industry": "retail"})
    with pytest.raises(InputProblem) as missing:
        parse_lead({"id": "L"}, ad_agency(), "lead", strict=True)
    assert (str(missing.value), missing.value.field, missing.value.code) == ("`date` is missing", "date", "E520")
    with pytest.raises(InputProblem) as hostile:
        parse_lead({"id": "L\u200b", "date": "2026-06-01"}, ad_agency(), "lead", strict=True)
    assert (hostile.value.field, hostile.value.code) == ("id", "E525")
