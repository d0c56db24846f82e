"""Dated facts and lists in the type checker: what reads them, and the errors at their spans (E315–E317)."""

from __future__ import annotations

import pytest

from compiler.pipeline import check_program
from policy_lang.loader import load_program_text
from tests.unit.facts._facts_program import PROGRAM

QUALIFY = "qualify: \"count(partner.certifications, valid_on: as_of) >= 2 and 'kansai' in partner.regions\""


def diagnostics(old: str, new: str, program: str = PROGRAM) -> list[tuple[str, str]]:
    assert old in program
    loaded = load_program_text("p.yaml", program.replace(old, new, 1))
    found = list(loaded.diagnostics)
    if loaded.program is not None:
        found.extend(check_program(loaded.program))
    return [(d.code, d.message) for d in found if d.code != "W301"]


def test_the_facts_program_checks_clean() -> None:
    assert diagnostics("", "") == []


@pytest.mark.parametrize("condition", [
    "partner.nda.valid_on(as_of)",
    "partner.nda.valid_on(as_of + 30d) and not partner.nda.valid_on(2020-01-01)",
    "count(partner.certifications) >= 1 and count(partner.regions) <= 2",
    "kansai in partner.regions or 'kyushu' not in partner.regions",
    "partner.nda.until >= as_of and partner.nda.from <= 2026-04-01",
    "count(partner.certifications, valid_on: as_of - 1y) > 0",
])
def test_well_typed_fact_conditions_pass(condition: str) -> None:
    assert diagnostics(QUALIFY, f"qualify: \"{condition}\"") == []


@pytest.mark.parametrize(("condition", "code", "words"), [
    ("partner.regions.valid_on(as_of)", "E315", "`valid_on` reads a dated record, and `partner.regions` is a list"),
    ("count(partner.regions, valid_on: as_of) > 0", "E315", "`valid_on:` counts dated records"),
    ("partner.tier.until >= as_of", "E315", "`.until` reads a dated record"),
    ("count(partner.nda) > 0", "E316", "`count` needs a list, found a dated record"),
    ("count(partner.regions, partner.certifications) > 0", "E316", "`count` counts one list, given 2 values"),
    ("as_of in partner.nda", "E316", "`in` needs a list, found a dated record"),
    ("kansai in partner.certifications", "E316", "`in` cannot look for a value among a list of dated records"),
    ("partner.nda.valid_on(5)", "E317", "`valid_on` needs a date, found a whole number"),
    ("count(partner.certifications, valid_on: partner.id) > 0", "E317", "`valid_on` needs a date, found text"),
    ("'osaka' in partner.regions", "E308", "`osaka` is not a `region`"),
    ("partner.nda.renew(as_of)", "E303", "unknown method `renew`"),
    ("count(partner.regions, on: as_of) > 0", "E303", "`count` takes no `on:`"),
    ("min(1, 2, valid_on: as_of) > 0", "E303", "`min` takes no named arguments"),
])
def test_ill_typed_fact_conditions_are_reported(condition: str, code: str, words: str) -> None:
    found = diagnostics(QUALIFY, f"qualify: \"{condition}\"")
    assert [c for c, _ in found] == [code], found
    assert words in found[0][1]


def test_as_of_cannot_be_read_where_no_date_is_judged() -> None:
    routing = "lead_routing:\n  eligible: as_of >= 2026-01-01\n  order:\n    - by: tier\n  among_equals: rotate\n"
    program = PROGRAM.replace("tiers:", routing + "tiers:", 1)
    found = diagnostics("", "", program)
    assert ("E302", "in lead routing: eligibility: `as_of` cannot be read here") in found


@pytest.mark.parametrize(("declaration", "words"), [
    ("    regions: {type: {list: regoin}}", "unknown type `regoin` for the members of `partner.regions`"),
    ("    regions: {list: money}", "unknown type `money` for the members of `partner.regions`"),
])
def test_bad_list_declarations_are_unknown_types(declaration: str, words: str) -> None:
    found = diagnostics("    regions: {type: {list: region}}", declaration)
    assert ("E310", words) in found


def test_lists_and_dated_records_are_partner_inputs() -> None:
    program = PROGRAM.replace("inputs:\n", "inputs:\n  transaction:\n    contract_nda: dated\n", 1)
    found = diagnostics("", "", program)
    assert ("E310", "`transaction.contract_nda`: lists and dated records are partner inputs") in found


@pytest.mark.parametrize(("declaration", "key"), [
    ("    regions: {type: {list: region}, values: [kansai]}", "values"),
    ("    regions: {type: {list: region}, min: 1}", "min"),
])
def test_a_list_takes_no_range(declaration: str, key: str) -> None:
    found = diagnostics("    regions: {type: {list: region}}", declaration)
    assert ("E391", f"input `partner.regions`: `{key}` does not apply to a `list` input") in found


def test_the_rule_set_round_trips_through_its_artifact() -> None:
    from runtime import ir_json
    from tests.unit.facts._facts_program import compile_facts_program

    ruleset = compile_facts_program()
    assert ir_json.loads(ir_json.dumps(ruleset)) == ruleset
    inputs = {d.name: (d.type, d.item) for d in ruleset.inputs}
    assert inputs == {"regions": ("list", "region"), "nda": ("dated", None), "certifications": ("list", "dated")}


@pytest.mark.parametrize("constant", [["const", "dated", {"from": "2026-01-01"}], ["const", "list", ["kansai"]]])
def test_an_artifact_with_a_constant_record_or_list_is_refused(constant: list[object]) -> None:
    import json

    from runtime import ir, ir_json
    from tests.unit.facts._facts_program import compile_facts_program

    data = json.loads(ir_json.dumps(compile_facts_program()))["ruleset"]
    when = data["versions"][0]["benefits"][0]["when"]
    when[2][0] = [*constant, when[2][0][-1]]  # the record read becomes a constant, at the same place
    text = json.dumps({"format": ir.FORMAT, "sha256": ir.digest(data), "ruleset": data})
    with pytest.raises(ir_json.ArtifactError, match="constant cannot be"):
        ir_json.loads(text)
