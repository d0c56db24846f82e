"""A rule set artifact is data, not trust: any file gives a rule set or an `ArtifactError`, never another exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from compiler.lower import compile_program
from compiler.pipeline import check
from ppl.cli import main
from runtime import ir, ir_check, ir_json
from tests.fuzz.targets import mutated_artifacts

ROOT = Path(__file__).resolve().parents[3]


def _data(program: str = "saas_reseller") -> dict[str, Any]:
    result = check([str(ROOT / "programs" / f"{program}.yaml")])
    data: dict[str, Any] = json.loads(ir_json.dumps(compile_program(result.programs[0])))["ruleset"]
    return data


def _sealed(data: Any) -> str:
    """An artifact with a hash that matches its (hand-made) content."""
    return json.dumps({"format": ir.FORMAT, "sha256": ir.digest(data), "ruleset": data}, ensure_ascii=False)


@pytest.mark.parametrize(("text", "reason"), [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"format": "ppl-ruleset/1", "sha256": "", "ruleset": {"n": 1e999999}}', "fraction or an exponent"),
    ('{"format": "ppl-ruleset/1", "sha256": "", "ruleset": {"n": ' + "9" * 100_000 + "}}", "not a rule set"),
    ('{"format": "ppl-ruleset/1", "sha256": "", "ruleset": {"n": NaN}}', "not a rule set"),
    ("[]", "not a rule set of format"),
    ("null", "not a rule set of format"),
    ('"ppl-ruleset/1"', "not a rule set of format"),
    ('{"format": "ppl-ruleset/1", "sha256": "0", "ruleset": []}', "SHA-256"),
    ("\ufeff{}", "invalid JSON"),
])
def test_a_file_that_is_not_a_rule_set_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ir_json.ArtifactError, match=reason):
        ir_json.loads(text)


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(("path", "value", "reason"), [
    (("versions",), "x", "at versions: expected a list"),
    (("versions",), [], "at versions: expected at least one item"),
    (("title",), "a title", "at title: expected an object"),
    (("currency",), ["JPY"], "at currency: expected text"),
    (("minor_unit",), 10**9, "minor_unit"),
    (("time_zone",), "../../etc/passwd", "is not a time zone"),
    (("fiscal_year_start",), 13, "is not a month"),
    (("versions", 0, "contracts", 0, "kind"), "pyramid", r"contracts\[0\].kind: unknown word 'pyramid'"),
    (("versions", 0, "contracts", 0, "fee_cap"), True, r"contracts\[0\].fee_cap: expected a whole number"),
    (("versions", 0, "contracts", 0, "ladder"), "nowhere", "no ladder `nowhere`"),
    (("versions", 0, "ladders", 0, "steps"), [], "expected at least one item"),
    (("versions", 0, "ladders", 0, "steps", 0, "rate"), "1/0", "divides by zero"),
    (("versions", 0, "ladders", 0, "steps", 0, "rate"), "1e999999", "is not an exact number"),
    (("versions", 0, "ladders", 0, "period"), None, r"period: expected text, found nothing \(null\)"),
    (("versions", 0, "tiers", "levels", 0, "qualify"), ["pow", ["const", "integer", 2]], "unknown expression kind"),
    (("versions", 0, "tiers", "levels", 0, "qualify"), ["cmp", "=~", ["const", "integer", 1], ["const", "integer", 1]],
     "op: unknown word '=~'"),
    (("versions", 0, "tiers", "levels", 0, "qualify"), ["call", "__import__", [["const", "text", "os"]]],
     "function: unknown word '__import__'"),
    (("versions", 0, "tiers", "levels", 0, "qualify"), ["call", "abs", []], "cannot take 0 arguments"),
    (("versions", 0, "tiers", "levels", 0, "qualify"), ["const", "money", "x"], "is not an exact number"),
    (("versions", 0, "tiers", "levels", 0, "qualify"), ["const", "date", 20260401], "is not a date"),
    (("versions", 0, "tiers", "levels", 0, "qualify"), ["const", "boolean", "yes"], "cannot be text"),
    (("versions", 0, "tiers", "levels", 0, "qualify"), ["field", "os", "system", "text"], "scope: unknown word"),
    (("versions", 0, "tiers", "levels", 0, "qualify"), [], "a value of the wrong kind"),
    (("versions", 0, "effective_from"), None, "is not a date"),
    (("versions", 0), None, "at versions\\[0\\]: a value of the wrong kind"),
    (("rounding",), None, "a value of the wrong kind"),
    (("rounding", "unit"), "1", "rounding unit"),
    (("versions", 0, "contracts", 0, "fee_cap"), 10**19, r"fee_cap: the number 10000000000000000000 is beyond the "
     "magnitude ceiling"),
    (("versions", 0, "tiers", "levels", 0, "qualify"), ["const", "money", str(-10**30)], "beyond the magnitude"),
    (("versions", 0, "ladders", 0, "steps", 0, "rate"), f"{10**25}/3", "beyond the magnitude ceiling"),
])
def test_a_sealed_rule_set_of_the_wrong_shape_is_refused_where_it_is_wrong(path: tuple[Any, ...], value: Any,
                                                                            reason: str) -> None:
    with pytest.raises(ir_json.ArtifactError, match=reason):
        ir_json.loads(_sealed(_set(_data(), path, value)))


def test_a_missing_key_is_named() -> None:
    data = _data()
    del data["versions"][0]["contracts"][0]["fee_cap"]
    with pytest.raises(ir_json.ArtifactError, match=r"at versions\[0\]: missing `fee_cap`"):
        ir_json.loads(_sealed(data))


def test_code_like_text_in_labels_stays_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = "{{ 7*7 }} {% raw %}<script>alert(1)</script>__import__('os').system('id')`|"
    data = _set(_data(), ("versions", -1, "contracts", 0, "title"), {"en": hostile, "ja": hostile})
    artifact = tmp_path / "rs.json"
    artifact.write_text(_sealed(data), encoding="utf-8")
    ruleset = ir_json.loads(artifact.read_text(encoding="utf-8"))
    assert ruleset.versions[-1].contracts[0].title["en"] == hostile
    assert main(["guide", str(artifact), "--format", "html", "-o", str(tmp_path / "g.html")]) == 0
    html = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in html and "<script>alert" not in html and "{{ 7*7 }}" in html and ">49<" not in html


def test_the_words_the_runtime_knows_are_the_words_a_program_may_write() -> None:
    schema = json.loads((ROOT / "policy_lang" / "program.schema.json").read_text(encoding="utf-8"))["$defs"]
    pairs = {(ir.Contract, "kind"): schema["contract"]["properties"]["kind"],
             (ir.Ladder, "period"): schema["ladder"]["properties"]["period"],
             (ir.Bonus, "kind"): schema["bonus"]["properties"]["kind"],
             (ir.Tiers, "cadence"): schema["tiers"]["properties"]["cadence"],
             (ir.Benefit, "kind"): schema["benefit"]["properties"]["kind"],
             (ir.ConflictRule, "rule"): schema["conflict_rule"]["properties"]["rule"],
             (ir.LeadRouting, "among_equals"): schema["lead_routing"]["properties"]["among_equals"]}
    for key, prop in pairs.items():
        assert set(ir_check.VOCABULARY[key]) - {None} == set(prop["enum"]), key


@pytest.mark.parametrize("program", ["ad_agency", "saas_reseller", "regional_trading"])
def test_every_example_program_reads_back(program: str) -> None:
    data = _data(program)
    assert ir_json.encode(ir_json.loads(_sealed(data))) == data


def test_a_hand_made_artifact_through_the_command_line_is_a_clear_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifact = tmp_path / "rs.json"
    artifact.write_text(_sealed(_set(_data(), ("versions", 0, "contracts", 0, "kind"), "pyramid")), encoding="utf-8")
    assert main(["guide", str(artifact)]) == 2
    err = capsys.readouterr().err
    assert "unknown word 'pyramid'" in err and "Traceback" not in err


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated_artifacts())
def test_any_mutation_of_a_valid_artifact_reads_as_a_rule_set_or_an_artifact_error(text: bytes) -> None:
    """Keys deleted, values replaced by any JSON value, types swapped; resealed or not."""
    try:
        assert isinstance(ir_json.loads(text.decode("utf-8", "surrogatepass")), ir.RuleSet)
    except ir_json.ArtifactError:
        pass
