"""A negative zero is zero: `-0%` in a program is the constant 0, and no rate is ever shown as `-0%`."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

import runtime
from compiler.lower import compile_program
from compiler.pipeline import check
from runtime import ir
from runtime.money import format_rate

ROOT = Path(__file__).resolve().parents[3]


def test_a_rate_that_rounds_to_zero_has_no_sign() -> None:
    assert format_rate(Fraction(-1, 10**7)) == "0%"
    assert format_rate(Fraction(0)) == "0%"
    assert format_rate(Fraction(-1, 8)) == "-12.5%"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_minus_zero_in_a_program_is_zero_in_its_rule_set_and_its_guide(tmp_path: Path, lang: str) -> None:
    text = (ROOT / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8")
    assert "    margin: 15%\n" in text
    program = tmp_path / "saas_reseller.yaml"
    program.write_text(text.replace("    margin: 15%\n", "    margin: -0% + 15%\n", 1), encoding="utf-8")
    result = check([str(program)])
    assert not [d for d in result.diagnostics if d.severity.name == "ERROR"], result.diagnostics
    ruleset = compile_program(result.programs[0])
    margins = [c.margin for v in ruleset.versions for c in v.contracts if c.margin is not None]
    assert not any(isinstance(m, ir.Arith) and isinstance(m.left, ir.Neg) for m in margins)
    guide = runtime.render_guide(ruleset, lang)
    assert "-0%" not in guide and "−0%" not in guide
