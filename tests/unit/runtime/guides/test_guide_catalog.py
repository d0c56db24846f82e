"""The guide of a program with a price catalog: the SKUs with their prices by date, and what a disagreeing price
does; the examples sell a catalog item."""

from __future__ import annotations

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang.loader import load_program_text
from runtime.guides import build_guide, render

PROGRAM = """\
ppl: 1
program:
  id: t
  title: T
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
contracts:
  - id: reseller
    kind: distributor
    margin: 20%
catalog:
  categories: [plan, hardware]
  action: hold
  items:
    - sku: CN-BIZ
      title: {en: CloudNote Business, ja: CloudNote ビジネス}
      category: plan
      unit: licence-year
      list_price: ¥120,000
      prices:
        - from: 2026-10-01
          list_price: ¥132,000
    - sku: CN-PEN
      category: hardware
      list_price: ¥20,000
price_rules:
  margin_caps:
    - id: hardware-cap
      when: item.category == hardware
      cap: 8%
"""


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ["## Price catalog", "| `CN-BIZ` | CloudNote Business | `plan` | licence-year | ¥120,000 from 1 April "
            "2026 and ¥132,000 from 1 October 2026 |", "is held for review",
            # the cap's example sells a hardware item: 20% capped at 8%, ¥1,200,000 × 92% = ¥1,104,000
            "the wholesale price of ¥1,200,000 is ¥1,104,000"]),
    ("ja", ["## 価格表", "2026年4月1日から120,000円、2026年10月1日から132,000円", "確認のため保留され"]),
])
def test_the_guide_lists_the_catalog(lang: str, expected: list[str]) -> None:
    loaded = load_program_text("t.yaml", PROGRAM)
    assert loaded.program is not None and not check_program(loaded.program)
    text = render(build_guide(compile_program(loaded.program), lang), "md")
    missing = [e for e in expected if e not in text]
    assert not missing, text
