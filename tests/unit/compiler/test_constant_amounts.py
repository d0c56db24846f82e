"""Program constants mean one thing: every amount a program writes is exact in its currency (E309), a bare
number next to money is such an amount, and no constant reaches the magnitude ceiling 10^15 (E313)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import check_program
from policy_lang.loader import load_program_text
from runtime.money import MAX_AMOUNT

ROOT = Path(__file__).resolve().parents[3]

# (program, text in it, the same with `{v}` where a constant is written): every place a program writes an amount
# as a whole value …
PLACES = [
    ("saas_reseller", "      - from: 1億\n", "      - from: {v}\n"),  # a ladder step
    ("regional_trading", "    volume_cap: 50億\n", "    volume_cap: {v}\n"),  # a ladder's volume cap
    ("saas_reseller", "      - target: 3億\n", "      - target: {v}\n"),  # a bonus target
    ("saas_reseller", "        pay: ¥3,000万\n", "        pay: {v}\n"),  # a bonus payout
    ("saas_reseller", "    cap: ¥5,000万\n", "    cap: {v}\n"),  # a bonus cap
    ("saas_reseller", "    fee: 10%\n", "    fee: {v}\n"),  # a referral fee
    ("saas_reseller", "    fee_cap: ¥500万\n", "    fee_cap: {v}\n"),  # a fee cap
    ("saas_reseller", "    margin: 15%\n", "    margin: 15%\n    margin_cap: {v}\n"),  # a margin cap
    ("saas_reseller", "  payout_cap: ¥2億", "  payout_cap: {v}"),  # the program's payout cap
    ("saas_reseller", "  cliff_tolerance: ¥60,000,000\n", "  cliff_tolerance: {v}\n"),
    ("saas_reseller", "    unit: ¥1\n", "    unit: {v}\n"),  # the rounding unit
    ("saas_reseller", "          list_price: ¥120,000\n", "          list_price: {v}\n"),  # a catalog price
    ("saas_reseller", "              list_price: ¥13,200\n", "              list_price: {v}\n"),  # a dated one
    ("saas_reseller", "  max_channel_margin: 30%\n  #", "  max_channel_margin: 30%\n  min_fee: {v}\n  #"),  # floor
    ("ad_agency", "      fee_cap: ¥100万   #", "      fee_cap: {v}   #"),  # a pass-through's fee cap
    ("ad_agency", "    value: ¥300万\n", "    value: {v}\n"),  # a benefit's value
    ("saas_reseller", "    trailing_sales: {type: money, description: {en: Sales over the last 12 months, ja: "
     "直近12か月の販売額}}\n", "    trailing_sales:\n      type: money\n      min: {v}\n"),  # an input's bound
]
# … and inside an expression, where a bare number next to money (added, subtracted, compared, chosen by
# min/max, `if` or `in`) stands for an amount
IN_EXPRESSIONS = [
    ("saas_reseller", "    fee: 10%\n", "    fee: ¥100 + {v}\n"),
    ("saas_reseller", "    services: transaction.services_amount\n",
     "    services: transaction.services_amount - {v}\n"),
    ("saas_reseller", "    services: transaction.services_amount\n",
     "    services: max(transaction.services_amount, {v})\n"),
    ("saas_reseller", "    services: transaction.services_amount\n",
     "    services: if transaction.sell_price > {v} then ¥1000 else ¥0\n"),
    ("saas_reseller", "    services: transaction.services_amount\n",
     "    services: if transaction.sell_price > ¥1 then {v} else transaction.services_amount\n"),
    ("ad_agency", "      amount: transaction.ad_spend\n", "      amount: transaction.ad_spend + {v}\n"),
    ("saas_reseller", "qualify: partner.trailing_sales >= 3億 and", "qualify: partner.trailing_sales >= {v} and"),
    ("saas_reseller", "qualify: partner.trailing_sales >= 3億 and",
     "qualify: partner.trailing_sales in [3億, {v}] and"),
]


def _ids(places: list[tuple[str, str, str]]) -> list[str]:
    return [f"{program}:{new.strip().splitlines()[0]}" for program, _, new in places]


def codes(program: str, old: str, new: str) -> list[str]:
    text = (ROOT / "programs" / f"{program}.yaml").read_text(encoding="utf-8")
    assert old in text, old
    loaded = load_program_text("p.yaml", text.replace(old, new, 1))
    found = list(loaded.diagnostics)
    if loaded.program is not None:
        found.extend(check_program(loaded.program))
    return [d.code for d in found if d.severity.name == "ERROR"]


FINE = ["1199.5", "¥1,199.5", "0.5", "1199.995"]
LARGE = ["1000兆", "¥1,000兆", str(MAX_AMOUNT), "100000000000000000000000000000", "(¥999兆 + ¥1兆)"]
CASES_FINE = [(*place, v) for place in PLACES for v in (*FINE[:3], "'1199.995'")] + \
    [(*place, v) for place in IN_EXPRESSIONS for v in FINE]
CASES_LARGE = [(*place, v) for place in PLACES for v in (*LARGE[:3], "1000000000000000000000000000000",
                                                         "'¥999兆 + ¥1兆'", ".inf")] + \
    [(*place, v) for place in IN_EXPRESSIONS for v in LARGE]


@pytest.mark.parametrize(("program", "old", "new", "value"), CASES_FINE,
                         ids=[f"{i}:{c[3]}" for i, c in enumerate(CASES_FINE)])
def test_an_amount_finer_than_the_yen_is_e309_wherever_it_is_written(program: str, old: str, new: str,
                                                                       value: str) -> None:
    assert codes(program, old, new.format(v=value)) == ["E309"]


@pytest.mark.parametrize(("program", "old", "new", "value"), CASES_LARGE,
                         ids=[f"{i}:{c[3]}" for i, c in enumerate(CASES_LARGE)])
def test_an_amount_at_the_ceiling_is_e313_wherever_it_is_written(program: str, old: str, new: str,
                                                                  value: str) -> None:
    assert codes(program, old, new.format(v=value)) == ["E313"]


@pytest.mark.parametrize(("program", "old", "new"), PLACES + IN_EXPRESSIONS, ids=_ids(PLACES + IN_EXPRESSIONS))
def test_a_whole_amount_below_the_ceiling_is_neither(program: str, old: str, new: str) -> None:
    found = codes(program, old, new.format(v="¥999,999,999,999"))
    assert "E309" not in found and "E313" not in found, found


@pytest.mark.parametrize(("old", "new"), [
    ("    fee: 10%\n", "    fee: transaction.sell_price * 0.015\n"),  # a bare number multiplying money is a ratio
    ("    fee: 10%\n", "    fee: transaction.sell_price * 0.0123456789 + 100\n"),
    ("    fee: 10%\n", "    fee: transaction.sell_price / 3.5\n"),
    ("    fee: 10%\n", "    fee: ¥100 + (0.5 + 0.5)\n"),  # a constant that folds to whole yen
    ("qualify: partner.trailing_sales >= 3億 and", "qualify: partner.trailing_sales >= 2.5億 and"),
])
def test_ratios_and_exact_amounts_are_allowed(old: str, new: str) -> None:
    assert codes("saas_reseller", old, new) == []


@pytest.mark.parametrize(("old", "new"), [
    ("qualify: partner.trailing_sales >= 3億 and partner.certified_engineers >= 5",
     "qualify: partner.trailing_sales >= 3億 and partner.certified_engineers >= 1000兆"),
    ("    margin: 15%\n", "    margin: 1000000000000000%\n"),
    ("    fee: 10%\n", "    fee: transaction.sell_price * 1000兆\n"),
    ("    fee: 10%\n", "    fee: transaction.sell_price * (1億 * 1億)\n"),
    ("    fee: 10%\n", "    fee: transaction.sell_price / 0.000000000000001\n"),
    ("    fee: 10%\n", "    fee: ¥999兆 * 2\n"),
])
def test_counts_numbers_and_rates_have_the_same_ceiling(old: str, new: str) -> None:
    assert codes("saas_reseller", old, new) == ["E313"]


def test_an_integer_input_bound_has_the_ceiling() -> None:
    old = "certified_engineers: {type: integer, min: 0}"
    assert codes("regional_trading", old, "certified_engineers: {type: integer, min: 0, max: 1.0e+30}") == ["E313"]


USD = """\
ppl: 1
program:
  id: usd-partners
  title: USD Partner Program
  version: "2026.04"
  effective_from: 2026-04-01
  currency: USD
  rounding: {mode: down}
contracts:
  - id: referral
    kind: referral
    fee: FEE
"""


@pytest.mark.parametrize(("fee", "found"), [
    ("$100 + 0.05", []), ("$100 + 0.005", ["E309"]), ("transaction.sell_price - 1199.995", ["E309"]),
    ("max(transaction.sell_price, 1199.99)", []), ("transaction.sell_price * 0.015", []), ("$12.505", ["E309"]),
    ("$999,999,999,999,999.99", []), ("$1,000,000,000,000,000", ["E313"]),
])
def test_dollars_have_two_decimals(fee: str, found: list[str]) -> None:
    loaded = load_program_text("p.yaml", USD.replace("FEE", fee))
    assert loaded.program is not None, loaded.diagnostics
    assert [d.code for d in check_program(loaded.program) if d.severity.name == "ERROR"] == found


def test_the_message_names_the_amount_and_the_currency() -> None:
    text = (ROOT / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8")
    loaded = load_program_text("p.yaml", text.replace("    fee: 10%\n", "    fee: ¥100 + 0.5\n", 1))
    assert loaded.program is not None
    [found] = [d for d in check_program(loaded.program) if d.code == "E309"]
    assert found.message == "in contract `referral`: fee: `0.5` stands for ¥0.5 here, finer than JPY allows (whole yen)"
    assert found.hint == "round it to whole yen; for a share of an amount, multiply: `amount * 0.5`"
    assert found.span is not None and (found.span.col, found.span.end_col) == (17, 20)


def test_a_fraction_where_a_rate_may_stand_suggests_the_percentage() -> None:
    text = (ROOT / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8")
    loaded = load_program_text("p.yaml", text.replace("    fee: 10%\n", "    fee: 0.15\n", 1))
    assert loaded.program is not None
    [found] = [d for d in check_program(loaded.program) if d.code == "E309"]
    assert found.hint == "round it to whole yen; for a rate, write a percentage: `15%`"
