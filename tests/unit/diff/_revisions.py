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
        ("ロードマップの先行公開}\n    when: partner.nda_signed",  # a benefit's condition
         "ロードマップの先行公開}\n    when: partner.nda_signed and partner.certified_engineers >= 1"),
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

Expected = tuple[str, str, int | None, str, str, str, int, int, tuple[str, ...]]
"""(kind, id, step, attribute, old, new, line, col, versions) of one change: `line:col` on both sides."""

EXPECTED: dict[str, list[Expected]] = {
    "saas_reseller": [
        ("program", "", None, "payout_cap", "¥200,000,000", "¥300,000,000", 23, 15, ()),
        ("ladder_step", "annual-volume", 2, "from", "¥100,000,000", "¥150,000,000", 72, 9, ("2026.04",)),
        ("ladder_step", "annual-volume", 3, "rate", "5%", "6%", 74, 9, ("2026.04",)),
        ("tier", "tier1", None, "qualify",
         "partner.trailing_sales >= ¥300,000,000 and partner.certified_engineers >= 5 and period.sales >= ¥75,000,000",
         "partner.trailing_sales >= ¥300,000,000 and partner.certified_engineers >= 6 and period.sales >= ¥75,000,000",
         105, 16, ("2026.04", "2026.10", "2027.04")),
        ("benefit", "roadmap-preview", None, "when", "partner.nda_signed",
         "partner.nda_signed and partner.certified_engineers >= 1", 124, 11, ("2026.04", "2026.10", "2027.04")),
    ],
    "ad_agency": [
        ("program", "", None, "rounding.mode", "down", "half_up", 24, 5, ()),
        ("ladder_step", "annual-spend", 2, "from", "¥500,000,000", "¥600,000,000", 88, 9, ("2026.04", "2026.10")),
        ("ladder_step", "annual-spend", 3, "rate", "2%", "3%", 90, 9, ("2026.04", "2026.10")),
        ("tier", "premier", None, "qualify",
         "partner.level == 1 and partner.trailing_spend >= ¥1,000,000,000 and partner.certified_operators >= 5",
         "partner.level == 1 and partner.trailing_spend >= ¥1,000,000,000 and partner.certified_operators >= 4",
         118, 16, ("2026.04", "2026.10")),
        ("benefit", "mdf", None, "value", "¥3,000,000", "¥4,000,000", 145, 12, ("2026.04",)),
    ],
    "regional_trading": [
        ("program", "", None, "rounding.mode", "half_up", "half_even", 22, 5, ()),
        ("ladder_step", "annual-sales", 2, "from", "above ¥1,000,000,000", "above ¥800,000,000", 95, 9,
         ("2026.04", "2027.04")),
        ("ladder_step", "annual-sales", 3, "rate", "10%", "12%", 97, 9, ("2026.04", "2027.04")),
        ("tier", "tier1", None, "qualify",
         "partner.trailing_sales >= ¥2,000,000,000 and partner.certified_engineers >= 10",
         "partner.trailing_sales >= ¥2,000,000,000 and partner.certified_engineers >= 8", 121, 16,
         ("2026.04", "2027.04")),
        ("benefit", "exhibition-fund", None, "value", "¥5,000,000", "¥6,000,000", 151, 12, ("2026.04", "2027.04")),
    ],
}

# Layout-only rewrites of each program: reordered keys, comments, quoting, amounts spelt another way.
REFORMATS: dict[str, tuple[tuple[str, str], ...]] = {
    "saas_reseller": (
        ("ppl: 1\n", "# reviewed\nppl: 1   # the language version\n\n"),
        ('  version: "2026.04"', "  version: '2026.04'"),
        ("      - from: ¥0\n        rate: 0%\n      - from: 1億\n        rate: 2%\n      - from: 5億",
         "      - rate: 0%\n        from: ¥0\n      - {from: \"¥100,000,000\", rate: 2.0%}\n"
         "      - from: ¥500,000,000"),
        ("    cap: ¥5,000万", "    cap: ¥50000000"),
        ("  fiscal_year_start: 4\n  cliff_tolerance: ¥60,000,000",
         "  cliff_tolerance: ¥6000万\n  fiscal_year_start: 4"),
    ),
    "ad_agency": (
        ("ppl: 1\n", "ppl: 1\n# a comment\n"),
        ("        pay: ¥1000万", "        pay: ¥10,000,000"),
        ("      - from: 5億\n        rate: 1%", "      - rate: 1%\n        from: \"5億\""),
        ("    value: ¥300万", "    value: ¥3,000,000   # three million"),
    ),
    "regional_trading": (
        ("      - above: 10億\n        rate: 5%", "      - rate: 5%\n        above: ¥1,000,000,000"),
        ("\n        pay: ¥3000万", "\n        pay: 3000万"),
        ("  time_zone: Asia/Tokyo", '  time_zone: "Asia/Tokyo"'),
    ),
}


def reformatted(stem: str) -> str:
    """An example program rewritten in layout only (`REFORMATS`)."""
    text = original(stem)
    for old, new in REFORMATS[stem]:
        text = replace_once(text, old, new)
    return text


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
