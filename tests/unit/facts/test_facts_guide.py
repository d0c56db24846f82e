"""The guide states what a benefit requires of a dated fact, and that a benefit whose condition fails is withheld."""

from __future__ import annotations

import pytest

from runtime import render_guide
from tests.unit.facts._facts_program import compile_facts_program


@pytest.mark.parametrize(("lang", "condition", "withheld"), [
    ("en", "| Early roadmap access | Gold and Member | the non-disclosure agreement in force on the date it applies "
           "to | — |", "A benefit whose condition is not met is withheld"),
    ("ja", "| 秘密保持契約が適用日に有効 |", "条件を満たさない特典は付与されません。"),
])
def test_the_guide_says_what_a_benefit_requires_and_that_it_may_be_withheld(lang: str, condition: str,
                                                                           withheld: str) -> None:
    guide = render_guide(compile_facts_program(), lang)
    assert condition in guide
    assert withheld in guide


def test_the_guide_counts_records_in_force_in_words() -> None:
    guide = render_guide(compile_facts_program(), "en")
    assert "at least 2 of certifications in force on the date it applies to" in guide
