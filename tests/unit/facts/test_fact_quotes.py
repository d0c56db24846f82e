"""Quotes that read dated facts: the generated plans and the reference path agree, and the plans ran."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime import ir
from runtime.decisions.quote import Quoter
from runtime.loaded import Runtime
from runtime.model import Partner, Transaction
from tests.unit.facts._facts_program import PROGRAM, compile_facts_program

# A constant margin, so that the plans answer: the benefits read `as_of` (the transaction's date).
PLANNED = PROGRAM.replace("margin: if partner.nda.valid_on(transaction.date) then 12% else 10%", "margin: 10%")

days = st.dates(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
records = st.builds(lambda start, days_, name: ir.Dated(start, None if days_ is None else
                                                         start + datetime.timedelta(days=days_), name),
                    days, st.one_of(st.none(), st.integers(0, 400)), st.sampled_from(("", "NDA", "Sensors")))


@pytest.fixture(scope="module", params=["compiled", "interpreted"])
def runtime_(request: pytest.FixtureRequest) -> Runtime:
    return Runtime(compile_facts_program(PLANNED), request.param)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nda=st.one_of(st.none(), records), certifications=st.lists(records, max_size=3), day=days,
       tier=st.sampled_from(("gold", "member")))
def test_plans_and_the_reference_path_agree_on_withheld_benefits(
        runtime_: Runtime, nda: ir.Dated | None, certifications: list[ir.Dated], day: datetime.date,
        tier: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PPL_STRICT_PLANS", "1")
    partner = Partner("P", "reseller", tier, fields={"regions": ("kansai",), "nda": nda,
                                                    "certifications": tuple(certifications)})
    quoter = Quoter(runtime_, {"P": partner})
    txn = Transaction("T", day, "P", 100_000, 100_000, 1)
    planned, reference = quoter.quote(txn), quoter.reference(txn)
    assert planned == reference
    assert quoter.plan_stats.planned == 1
    granted = {f.rule.id for f in planned.benefits}
    withheld = {w.rule.id for w in planned.withheld}
    assert granted | withheld == {"roadmap", "training"} and not granted & withheld
    assert ("roadmap" in granted) == (nda is not None and nda.valid_on(day))
    assert ("training" in granted) == any(c.valid_on(day) for c in certifications)
