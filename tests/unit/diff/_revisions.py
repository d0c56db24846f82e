"""Revised copies of the example programs, built from their text by replacement, and what each edit changes.

Each edit replaces one passage (which must occur exactly once) and keeps the line count, so a construct
is on the same line on both sides; `EXPECTED` lists the changes each program's edits make, with the
line and column where both sides write the construct.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

EDITS: dict[str, tuple[tuple[str, str], ...]] = {
    "saas_reseller": (
        ("      - from: 5億\n        rate: 5%", "      - from: 5億\n        rate: 6%"),  # a ladder rate
        ("      - from: 1億\n        rate: 2%", "      - from: ¥150,000,000\n        rate: 2%"),  # a step threshold
        ("partner.certified_engineers >= 5", "partner.certified_engineers >= 6"),  # a tier criterion
        ("    title: {en: Early roadmap access, ja: ロードマップの先行公開}\n    when: partner.nda_signed",
         "    title: {en: Early roadmap access, ja: ロードマップの先行公開}\n    when: partner.nda_signed and partner.certified_engineers >= 1"),
        ("payout_cap: ¥2億", "payout_cap: ¥3億"),  # a program setting
    ),
    "ad_agency": (
        ("      - from: 10億\n        rate: 2%", "      - from: 10億\n        rate: 3%"),
        ("      - from: 5億\n        rate: 1%", "      - from: 6億\n        rate: 1%"),
        ("partner.certified_operators >= 5", "partner.certified_operators >= 4"),
        ("    value: ¥300万", "    value: ¥400万"),
        ("    mode: down        # 切り捨て", "    mode: half_up     # 切り捨て"),
    ),
    "regional_trading": (
        ("      - above: 20億\n        rate: 10%", "      - above: 20億\n        rate: 12%"),
        ("      - above: 10億\n        rate: 5%", "      - above: 8億\n        rate: 5%"),
        ("partner.certified_engineers >= 10", "partner.certified_engineers >= 8"),
        ("    value: ¥500万", "    value: ¥600万"),
        ("    mode: half_up     # 四捨五入", "    mode: half_even   # 四捨五入"),
    ),
}

# (kind, id, step, attribute, old, new, line, col, versions) of every change the edits make, in diff order.
EXPECTED: dict[str, list[tuple[str, str, int | None, str, str, str, int, int, tuple[str, ...]]]] = {}


def original(stem: str) -> str:
    """The text of an example program."""
    return (ROOT / "programs" / f"{stem}.yaml").read_text(encoding="utf-8")


def replace_once(text: str, old: str, new: str) -> str:
    """`text` with the one occurrence of `old` replaced."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def revised(stem: str) -> str:
    """An example program with every edit of `EDITS` made."""
    text = original(stem)
    for old, new in EDITS[stem]:
        text = replace_once(text, old, new)
    return text
