"""Strict thresholds and caps in the checker and the rule set: which caps make a threshold unreachable
(errors), which only make a rule pointless (warnings), and how the new keys lower and round-trip."""

from __future__ import annotations

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang.loader import load_program_text
from runtime import ir_json

HEADER = """\
ppl: 1
program:
  id: limits
  title: Limits
  version: "1"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {{mode: down}}
{payout}contracts:
  - id: reseller
    kind: distributor
    margin: 10%
    ladder: volume
    bonuses: [growth]
ladders:
  - id: volume
    basis: sales
    period: fiscal_year
    mode: retroactive
    volume_cap: ¥1,000,000
    steps:
      - from: ¥0
        rate: 0%
      - {key}: ¥1,000,000
        rate: 2%
bonuses:
  - id: growth
    basis: quantity
    period: fiscal_year
    kind: {kind}
    volume_cap: 100
    steps:
      - above: 10
        pay: 1%
      - target: 50
        pay: ¥5,000
{cap}"""


def codes(text: str) -> list[str]:
    loaded = load_program_text("limits.yaml", text)
    assert loaded.program is not None, loaded.diagnostics
    return [d.code for d in check_program(loaded.program)]


def program(key: str = "from", kind: str = "one_off", cap: str = "", payout: str = "") -> str:
    return HEADER.format(key=key, kind=kind, cap=cap, payout=payout)


def test_a_threshold_at_the_cap_is_reachable_with_from_and_not_with_above() -> None:
    assert "E370" not in codes(program("from"))  # ¥1,000,000 counted reaches `from: ¥1,000,000`
    assert "E370" in codes(program("above"))  # it would need ¥1,000,001, more than is ever counted


@pytest.mark.parametrize("payout", ["  payout_cap: ¥0\n", "  payout_cap: -¥5\n"])
def test_a_cap_of_zero_or_less_is_an_error(payout: str) -> None:
    assert "E371" in codes(program(payout=payout))


def test_a_cap_the_bonus_never_reaches_is_a_warning() -> None:
    # One-off, at most 100 units counted: 1% of 100 (money of a quantity basis: ¥1) or ¥5,000: at most ¥5,000.
    assert codes(program(cap="    cap: ¥6,000\n")) == ["W311"]
    assert codes(program(cap="    cap: ¥5,000\n")) == []


def test_a_bonus_step_above_the_payout_cap_is_a_warning() -> None:
    assert codes(program(payout="  payout_cap: ¥4,000\n")) == ["W312"]


def test_thresholds_and_caps_lower_and_round_trip() -> None:
    loaded = load_program_text("limits.yaml", program(payout="  payout_cap: ¥9,000\n"))
    assert loaded.program is not None
    ruleset = compile_program(loaded.program)
    [version] = ruleset.versions
    [ladder], [bonus] = version.ladders, version.bonuses
    assert [(s.start, s.strict) for s in ladder.steps] == [(0, False), (1_000_000, False)]
    assert ladder.volume_cap == 1_000_000 and bonus.volume_cap == 100
    assert [(s.target, s.strict) for s in bonus.steps] == [(10, True), (50, False)]
    assert ruleset.payout_cap == 9_000 and ruleset.payout_cap_at is not None and ruleset.payout_cap_at.line == 9
    assert ir_json.loads(ir_json.dumps(ruleset)) == ruleset


def test_rule_sets_without_the_new_keys_keep_their_artifact() -> None:
    """`strict`, `volume_cap`, a pass-through's `fee_cap` and `payout_cap` are written only when set, so the
    artifacts (and hashes) of programs that use none of them do not change."""
    plain = program().replace("    volume_cap: ¥1,000,000\n", "").replace("    volume_cap: 100\n", "") \
        .replace("      - above: 10\n", "      - target: 10\n")
    loaded = load_program_text("limits.yaml", plain)
    assert loaded.program is not None
    text = ir_json.dumps(compile_program(loaded.program))
    for key in ("strict", "volume_cap", "payout_cap"):
        assert f'"{key}"' not in text
