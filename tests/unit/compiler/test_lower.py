"""Lowering and the rule set artifact: exact values, resolved versions, byte-identical output."""

from __future__ import annotations

import dataclasses
import datetime
import json
from fractions import Fraction
from pathlib import Path

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang.loader import load_program, load_program_text
from ppl.cli import main
from runtime import ir, ir_json

ROOT = Path(__file__).resolve().parents[3]
PROGRAMS = sorted((ROOT / "programs").glob("*.yaml"))


def compiled(path: Path) -> ir.RuleSet:
    loaded = load_program(str(path), path.name)
    assert loaded.program is not None and not check_program(loaded.program)
    return compile_program(loaded.program)


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_artifact_round_trips_and_is_byte_identical(path: Path) -> None:
    first, second = ir_json.dumps(compiled(path)), ir_json.dumps(compiled(path))
    assert first == second
    back = ir_json.loads(first)
    assert back == compiled(path) and ir_json.dumps(back) == first


def test_saas_program_lowers_to_exact_values() -> None:
    rs = compiled(ROOT / "programs" / "saas_reseller.yaml")
    assert (rs.currency, rs.minor_unit, rs.rounding_mode, rs.rounding_unit) == ("JPY", 0, "down", 1)
    base, revised, cataloged = rs.versions
    assert (base.version, revised.version, cataloged.version) == ("2026.04", "2026.10", "2027.04")
    # From 2027.04 a catalog: a seat at ¥12,000 from the version's first day, ¥13,200 from 2027-10-01.
    assert cataloged.catalog is not None and base.catalog is None
    seat = next(i for i in cataloged.catalog.items if i.sku == "CN-SEAT")
    assert (seat.category, seat.unit, seat.prices) == ("seats", "seat-year", (
        (cataloged.effective_from, 12_000), (datetime.date(2027, 10, 1), 13_200)))
    ladder = base.ladders[0]
    assert [(s.start, s.rate) for s in ladder.steps] == [(0, Fraction(0)), (100_000_000, Fraction(1, 50)),
                                                         (500_000_000, Fraction(1, 20))]
    assert revised.ladders[0].steps[2].start == 400_000_000  # the revision replaced the ladder
    assert revised.contracts == base.contracts  # and kept the rest
    reseller = base.contracts[0]
    assert reseller.margin == ir.Const("percent", Fraction(3, 20))
    assert reseller.at is not None and reseller.at.line > 0
    tier1 = base.tiers.levels[0] if base.tiers else None
    assert tier1 is not None and tier1.requirements == (
        ir.Requirement(("partner", "trailing_sales"), ">=", 300_000_000),
        ir.Requirement(("partner", "certified_engineers"), ">=", 5),
        ir.Requirement(("period", "sales"), ">=", 75_000_000))


def test_bare_numbers_next_to_money_become_amounts_in_minor_units() -> None:
    text = (ROOT / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8").replace(
        "currency: JPY", "currency: USD").replace("¥", "$").replace("fee_cap: $500万", "fee_cap: $5,000.50")
    loaded = load_program_text("usd.yaml", text)
    assert loaded.program is not None
    rs = compile_program(loaded.program)
    assert rs.minor_unit == 2 and rs.versions[0].contracts[2].fee_cap == 500050
    qualify = rs.versions[0].tiers.levels[0].qualify  # type: ignore[union-attr]
    assert isinstance(qualify, ir.And) and isinstance(qualify.left, ir.And) and isinstance(qualify.right, ir.Compare)
    record = qualify.left.left
    assert isinstance(record, ir.Compare)
    assert record.right == ir.Const("money", 300_000_000 * 100)  # `3億` dollars, in cents
    assert qualify.right.right == ir.Const("money", 75_000_000 * 100)  # `7500万` dollars


def test_tampered_artifact_is_refused() -> None:
    text = ir_json.dumps(compiled(ROOT / "programs" / "saas_reseller.yaml"))
    data = json.loads(text)
    data["ruleset"]["versions"][0]["contracts"][0]["fee_cap"] = 1
    with pytest.raises(ir_json.ArtifactError, match="SHA-256"):
        ir_json.loads(json.dumps(data))
    with pytest.raises(ir_json.ArtifactError):
        ir_json.loads("{not json")


def test_compile_command_writes_the_artifact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rs.json"
    assert main(["compile", str(ROOT / "programs" / "ad_agency.yaml"), "-o", str(out)]) == 0
    envelope = json.loads(out.read_text(encoding="utf-8"))
    assert envelope["format"] == ir.FORMAT and envelope["sha256"] == ir.digest(envelope["ruleset"])
    assert main(["compile", str(ROOT / "examples" / "broken_reseller.yaml"), "-o", str(tmp_path / "x")]) == 1
    assert not (tmp_path / "x").exists()
    assert "error[E304]" in capsys.readouterr().err
    assert main(["compile", str(tmp_path / "missing.yaml")]) == 2


def test_constant_formulas_in_thresholds_rates_and_payouts_lower_to_exact_values() -> None:
    text = (ROOT / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8")
    for old, new in (("      - from: 1億\n", "      - from: ¥5000万 + ¥5000万\n"),
                     ("        rate: 2%\n", "        rate: 1% + 1%\n"),
                     ("        pay: ¥3,000万\n", "        pay: ¥1,500万 * 2\n"),
                     ("    fee_cap: ¥500万", "    fee_cap: ¥250万 * 2"),
                     ("    unit: ¥1\n", "    unit: ¥50 + ¥50\n")):
        text = text.replace(old, new)
    loaded = load_program_text("formulas.yaml", text)
    assert loaded.program is not None and not check_program(loaded.program)
    rs = compile_program(loaded.program)
    base = rs.versions[0]
    assert (base.ladders[0].steps[1].start, base.ladders[0].steps[1].rate) == (100_000_000, Fraction(2, 100))
    assert base.bonuses[0].steps[0].pay_money == 30_000_000 and base.contracts[2].fee_cap == 5_000_000
    assert rs.rounding_unit == 100


def test_an_artifact_with_a_rounding_unit_of_zero_is_refused() -> None:
    data = json.loads(ir_json.dumps(compiled(ROOT / "programs" / "saas_reseller.yaml")))
    data["ruleset"]["rounding"]["unit"] = 0
    data["sha256"] = ir.digest(data["ruleset"])
    with pytest.raises(ir_json.ArtifactError, match="rounding unit"):
        ir_json.loads(json.dumps(data))


@pytest.mark.parametrize(("rounding", "reason"), [
    ({"mode": "sideways"}, "unknown rounding mode 'sideways'"),
    ({"modes": {"bonus": "sideways"}}, "unknown rounding mode 'sideways'"),
    ({"modes": {"tips": "down"}}, "unknown rounding kind 'tips'"),
    ({"point": "invoice"}, "unknown rounding point 'invoice'"),
])
def test_an_artifact_with_an_unknown_rounding_is_refused(rounding: dict[str, object], reason: str) -> None:
    data = json.loads(ir_json.dumps(compiled(ROOT / "programs" / "saas_reseller.yaml")))
    data["ruleset"]["rounding"].update(rounding)
    data["sha256"] = ir.digest(data["ruleset"])
    with pytest.raises(ir_json.ArtifactError, match=reason):
        ir_json.loads(json.dumps(data))


def test_a_rule_set_keeps_its_rounding_through_the_artifact() -> None:
    rs = compiled(ROOT / "programs" / "saas_reseller.yaml")
    rounding = ir.Rounding(10, "half_up", (("bonus", "down"), ("margin", "half_even")), "wholesale", "per_bracket")
    again = ir_json.loads(ir_json.dumps(dataclasses.replace(rs, rounding=rounding)))
    assert again.rounding == rounding and again.rounding.mode_for("bonus") == "down"
    assert again.rounding.mode_for("ladder") == "half_up"
