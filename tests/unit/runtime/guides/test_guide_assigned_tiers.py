"""The guide's tier section says the vendor decides an assigned tier, in English and Japanese."""

from __future__ import annotations

import datetime

from runtime.guides import render_guide
from tests.unit.runtime.decisions.test_settle_assigned_tiers import ALL_ASSIGNED, PROGRAM
from tests.unit.runtime.guides.conftest import compile_text


def tier_section(text: str, lang: str) -> str:
    guide = render_guide(compile_text(text), lang)
    start = guide.index("## Tiers and benefits" if lang == "en" else "## ティアと特典")
    return guide[start:guide.index("\n## ", start + 1)]


def test_an_assigned_tier_is_decided_by_the_vendor_in_the_tier_table() -> None:
    section = tier_section(PROGRAM, "en")
    assert "The vendor decides `gold` individually: a partner the vendor places there holds the tier" in section
    assert "| `gold` | decided by the vendor | 3% | — |" in section
    assert "| `silver` | at least 2 deals this period | 1% | — |" in section
    assert "A partner is placed in the first tier, best first, whose conditions it meets." in section


def test_japanese_guides_say_the_vendor_decides_the_tier_individually() -> None:
    section = tier_section(PROGRAM, "ja")
    assert "`gold`はベンダーが個別に決定します。" in section
    assert "| `gold` | ベンダーが個別に決定 | 3% | — |" in section


def test_when_every_tier_is_assigned_the_guide_says_so_without_qualification_rules() -> None:
    en, ja = tier_section(ALL_ASSIGNED, "en"), tier_section(ALL_ASSIGNED, "ja")
    assert "The vendor decides each partner's tier individually." in en
    assert "first tier, best first" not in en
    assert "ティアはベンダーが個別に決定します。" in ja
    assert "最初に条件を満たしたティア" not in ja


def test_a_revision_that_makes_a_tier_assigned_is_a_change_of_who_holds_it() -> None:
    revised = PROGRAM.replace("      assigned: true\n", "      qualify: period.deals >= 10\n") + """\
revisions:
  - version: "2026.10"
    effective_from: 2026-10-01
    tiers:
      cadence: quarterly
      levels:
        - id: gold
          assigned: true
          margin_uplift: 3%
        - id: silver
          qualify: period.deals >= 2
          margin_uplift: 1%
        - id: member
          qualify: true
"""
    guide = render_guide(compile_text(revised), "en", on=datetime.date(2026, 11, 1))
    changes = guide[guide.index("## Versions and changes"):]
    assert "at least 10 deals this period" in changes and "decided by the vendor" in changes
