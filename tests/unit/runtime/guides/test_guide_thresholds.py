"""The guide says on which side of each threshold a volume is (以上/超, from/above), and states the caps."""

from __future__ import annotations

from runtime.guides import render_guide
from tests.unit.runtime.guides.conftest import compile_text

PROGRAM = """\
ppl: 1
program:
  id: thresholds
  title: Thresholds
  version: "1"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
  payout_cap: ¥1億
contracts:
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
    volume_cap: 30億
    steps:
      - from: ¥0
        rate: 0%
      - above: 10億
        rate: 2%
      - from: 20億
        rate: 3%
bonuses:
  - id: growth
    basis: sales
    period: fiscal_year
    kind: one_off
    steps:
      - target: 5億
        pay: ¥500万
      - above: 10億
        pay: ¥1000万
"""


def test_japanese_says_ijou_and_chou() -> None:
    page = render_guide(compile_text(PROGRAM), "ja", "md")
    assert "| 2 | 10億円超 | 20億円未満 | 2% |" in page  # reached only past 10億; ends before 20億 (from: 20億)
    assert "| 1 | 0円以上 | 10億円以下 | 0% |" in page  # the step before an `above` step ends at 10億 inclusive
    assert "| 5億円以上 | 500万円 |" in page and "| 10億円超 | 1,000万円 |" in page
    assert "年度ごとに算入する販売額は30億円までです" in page
    assert "1回の精算でお支払いする総額は1億円までです" in page


def test_english_says_from_and_above() -> None:
    page = render_guide(compile_text(PROGRAM), "en", "md")
    assert "| 2 | above ¥1bn | below ¥2bn | 2% |" in page
    assert "| ¥500M or more | ¥5M |" in page and "| more than ¥1bn | ¥10M |" in page
    # The examples show the threshold itself (not reached under `above`) and one yen past it (reached).
    assert "| at ¥1bn | ¥1,000,000,000 |" in page and "| just above ¥1bn | ¥1,000,000,001 |" in page
