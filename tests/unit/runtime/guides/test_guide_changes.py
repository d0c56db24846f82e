"""A change to a program changes its guide's tables and examples, with no template edit; versions are compared."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from runtime import ir
from runtime.guides import build_guide, render, render_guide
from runtime.guides._rich import plain

ROOT = Path(__file__).resolve().parents[4]
TEMPLATES = ROOT / "runtime" / "guides" / "templates"


def _templates_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES.glob("*.j2")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def test_changing_a_margin_changes_tables_and_examples(compiled: Callable[..., ir.RuleSet]) -> None:
    source = (ROOT / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8")
    assert source.count("margin: 15%") == 1
    before_templates = _templates_digest()
    original = render_guide(compiled(source, "programs/saas_reseller.yaml"), "en", "md")
    changed = render_guide(compiled(source.replace("margin: 15%", "margin: 17%"), "programs/saas_reseller.yaml"),
                           "en", "md")
    assert _templates_digest() == before_templates
    # The margin table: base margin, margin, wholesale price and what the partner keeps, for every tier.
    assert "| Reseller | Tier 3 | 15% | — | 15% | ¥1,020,000 | ¥180,000 |" in original
    assert "| Reseller | Tier 3 | 17% | — | 17% | ¥996,000 | ¥204,000 |" in changed
    assert "| Reseller | Tier 1 | 17% | 3% | 20% | ¥960,000 | ¥240,000 |" in changed
    # The worked examples, recomputed by the engine.
    assert "you buy at ¥1,020,000 (margin 15%) and keep ¥180,000" in original
    assert "you buy at ¥996,000 (margin 17%) and keep ¥204,000" in changed
    assert "for ¥1,080,000, you keep ¥84,000" in changed
    # A purchases ladder: the list sales that reach ¥100M of purchases move with the margin. The margin is
    # rounded down, so ¥117,647,058 − ¥17,647,058 (15% = ¥17,647,058.70) = ¥100,000,000, and at 17%
    # ¥120,481,927 − ¥20,481,927 (¥20,481,927.59) = ¥100,000,000; the ladder pays 2% of the list sales.
    assert "| at ¥100M | ¥100,000,000 | ¥117,647,058 | 2% | ¥2,352,941 |" in original
    assert "| at ¥100M | ¥100,000,000 | ¥120,481,927 | 2% | ¥2,409,638 |" in changed


def test_the_changes_of_a_version_are_listed_and_settled_under_both(examples: Callable[[str], ir.RuleSet]) -> None:
    import datetime

    guide = build_guide(examples("saas_reseller"), "en", on=datetime.date(2026, 10, 1))  # before the catalog
    versions = next(s for s in guide.sections if s.id == "versions")
    (changes,) = versions.children
    assert plain(changes.title) == "Changes in version 2026.10 from version 2026.04"
    text = render(guide, "md")
    assert ("Ladder “Annual volume uplift”, steps: 0% from ¥0, 2% from ¥100M, 5% from ¥500M → 0% from ¥0, "
            "2% from ¥100M, 5% from ¥400M.") in text
    assert "| Annual volume uplift | at ¥400M | ¥9,411,764 | ¥23,529,411 |" in text


def test_an_earlier_version_is_described_on_its_dates(examples: Callable[[str], ir.RuleSet]) -> None:
    import datetime

    ruleset = examples("ad_agency")
    first = render_guide(ruleset, "en", "md", on=datetime.date(2026, 6, 30))
    assert "Version 2026.04, in force from 1 April 2026 to 30 September 2026." in first
    assert "| Marketing development fund | Premier agency and Certified agency | — | ¥3M |" in first
    assert "A later version, 2026.10, takes effect on 1 October 2026." in first
    latest = render_guide(ruleset, "en", "md")
    assert "Benefit “Marketing development fund”, value: ¥3M → ¥5M." in latest


def test_a_bonus_change_is_settled_under_both_versions(examples: Callable[[str], ir.RuleSet]) -> None:
    text = render_guide(examples("regional_trading"), "ja", "md")
    assert "インセンティブ「年間目標インセンティブ」の段階：10億円で1,000万円、20億円で3,000万円 → " \
           "12億円で1,000万円、24億円で3,000万円" in text
    assert "| 年間目標インセンティブ | 12億円の直前 | 10,000,000円 | 0円 |" in text
