"""The example programs: each is clean, carries the schema modeline, and uses the whole language."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import check
from policy_lang import diagnostics as dg

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = sorted((ROOT / "programs").glob("*.yaml"))


def test_there_are_at_least_three_example_programs() -> None:
    assert len(PROGRAMS) >= 3


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_example_program_checks_with_no_errors_and_no_warnings(path: Path) -> None:
    result = check([str(path)])
    assert result.diagnostics == (), dg.render_text(result.diagnostics, result.sources)
    assert len(result.programs) == 1


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_example_program_carries_the_schema_modeline(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../policy_lang/program.schema.json"


def test_examples_together_use_every_section_of_the_language() -> None:
    result = check([str(p) for p in PROGRAMS])
    used = set()
    for program in result.programs:
        body = program.body
        for section in ("contracts", "ladders", "bonuses", "tiers", "benefits", "price_rules", "hierarchy",
                        "conflicts", "lead_routing"):
            if getattr(body, section):
                used.add(section)
        if program.revisions:
            used.add("revisions")
        kinds = {c.kind for c in body.contracts or ()}
        used.update(f"kind:{k}" for k in kinds)
        used.update(f"mode:{ladder.mode}" for ladder in body.ladders or ())
        used.update(f"bonus:{b.kind}" for b in body.bonuses or ())
        used.update(f"conflict:{r.rule}" for r in (body.conflicts.precedence if body.conflicts else ()))
    expected = {"contracts", "ladders", "bonuses", "tiers", "benefits", "price_rules", "hierarchy", "conflicts",
                "lead_routing", "revisions", "kind:distributor", "kind:solution_partner", "kind:referral",
                "mode:retroactive", "mode:marginal", "bonus:one_off", "bonus:cumulative", "conflict:exclusivity",
                "conflict:customer_choice", "conflict:partner_over_direct", "conflict:first_registration",
                "conflict:tie_break"}
    assert expected <= used, sorted(expected - used)
