"""The checker's ranges: each constant branch of every kind of rate (E390), input ranges (E391–E393)."""

from __future__ import annotations

import pytest

from compiler.pipeline import check_program
from policy_lang.loader import load_program_text

HEADER = """\
ppl: 1
program:
  id: test-program
  title: Test program
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
inputs:
  partner:
    engineers: integer
  transaction:
    spend: money
"""

CONTRACT = "contracts:\n  - id: reseller\n    kind: distributor\n    margin: {margin}\n"
RATE = "if partner.engineers > 3 then {a} else {b}"


def _codes(body: str) -> list[tuple[str, str]]:
    loaded = load_program_text("t.yaml", HEADER + body)
    assert loaded.program is not None, loaded.diagnostics
    return [(d.code, d.message) for d in check_program(loaded.program) if d.code.startswith("E3")]


@pytest.mark.parametrize("body, message", [
    (CONTRACT.format(margin=RATE.format(a="120%", b="15%")),
     "in contract `reseller`: the margin can be 120%, outside 0% to 100%"),
    (CONTRACT.format(margin=RATE.format(a="12%", b="-1%")),
     "in contract `reseller`: the margin can be -1%, outside 0% to 100%"),
    (CONTRACT.format(margin="min(partner.engineers * 1%, 101%)"),
     "in contract `reseller`: the margin can be 101%, outside 0% to 100%"),
    (CONTRACT.format(margin="10%") + "tiers:\n  cadence: quarterly\n  levels:\n    - id: gold\n      qualify: true\n"
     "      margin_uplift: " + RATE.format(a="2%", b="-2%") + "\n",
     "in tier `gold`: the margin uplift can be -2%, outside 0% to 100%"),
    (CONTRACT.format(margin="10%") + "price_rules:\n  margin_caps:\n    - id: big\n      when: true\n      cap: "
     + RATE.format(a="150%", b="20%") + "\n", "in margin cap `big`: the cap can be 150%, outside 0% to 100%"),
    (CONTRACT.format(margin="10%") + "price_rules:\n  pass_through:\n    - id: media\n      amount: transaction.spend"
     "\n      fee: " + RATE.format(a="20%", b="(10% - 30%)") + "\n",
     "in pass-through `media`: the fee can be -20%, outside 0% to 100%"),
    ("contracts:\n  - id: intro\n    kind: referral\n    fee: " + RATE.format(a="5%", b="200%") + "\n",
     "in contract `intro`: the fee can be 200%, outside 0% to 100%"),
])
def test_a_constant_branch_out_of_range_is_reported_with_its_rule(body: str, message: str) -> None:
    assert ("E390", message) in _codes(body)


def test_branches_in_range_and_computed_rates_pass() -> None:
    # 100% is allowed for a branch (a rate may be the whole amount); a computed rate is the runtime's (E560).
    body = CONTRACT.format(margin=RATE.format(a="100%", b="partner.engineers * 1%"))
    assert _codes(body) == []


def test_a_money_branch_of_a_referral_fee_is_no_rate() -> None:
    body = "contracts:\n  - id: intro\n    kind: referral\n    fee: " + RATE.format(a="¥300,000", b="¥0") + "\n"
    assert _codes(body) == []


@pytest.mark.parametrize("spec, code", [
    ("{type: integer, min: 1, max: 10, values: [1, 5, 10]}", None),
    ("{type: money, min: ¥0, max: ¥1億}", None),
    ("{type: percent, min: 0%, max: 30%}", None),
    ("{type: integer, min: 10%}", "E391"),
    ("{type: integer, min: 1.5}", "E391"),
    ("{type: integer, min: 10, max: 1}", "E392"),
    ("{type: integer, min: 1, values: [0, 1]}", "E393"),
    ("{type: integer, values: [1, 1]}", "E393"),
])
def test_input_ranges(spec: str, code: str | None) -> None:
    body = f"inputs:\n  partner:\n    engineers: {spec}\n" + CONTRACT.format(
        margin="if partner.engineers > 3 then 12% else 10%")
    loaded = load_program_text("t.yaml", HEADER.replace("inputs:\n  partner:\n    engineers: integer\n"
                                                        "  transaction:\n    spend: money\n", "") + body)
    assert loaded.program is not None, loaded.diagnostics
    found = [d.code for d in check_program(loaded.program) if d.code.startswith("E39")]
    assert found == ([code] if code else [])
