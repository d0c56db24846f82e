"""Numbers, money, dates and program texts as each language writes them."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from fractions import Fraction

import pytest

from runtime import ir
from runtime.guides import Formatter
from runtime.guides._rich import plain


@pytest.fixture
def saas(examples: Callable[[str], ir.RuleSet]) -> ir.RuleSet:
    return examples("saas_reseller")


@pytest.mark.parametrize(("amount", "en", "ja"), [
    (1_200_000, "¥1,200,000", "1,200,000円"),
    (0, "¥0", "0円"),
    (-60_000, "-¥60,000", "-60,000円"),
])
def test_money_in_full(saas: ir.RuleSet, amount: int, en: str, ja: str) -> None:
    assert Formatter(saas, "en").money(amount) == en
    assert Formatter(saas, "ja").money(amount) == ja


@pytest.mark.parametrize(("amount", "en", "ja"), [
    (1_000_000_000, "¥1bn", "10億円"),
    (300_000_000, "¥300M", "3億円"),
    (50_000_000, "¥50M", "5,000万円"),
    (49_500_000, "¥49.5M", "4,950万円"),
    (2_500_000_000, "¥2.5bn", "25億円"),
    (117_600_000, "¥117.6M", "1億1,760万円"),
    (300_000, "¥300,000", "30万円"),
    (1_234_567, "¥1,234,567", "1,234,567円"),
])
def test_thresholds_as_people_say_them(saas: ir.RuleSet, amount: int, en: str, ja: str) -> None:
    assert Formatter(saas, "en").money_short(amount) == en
    assert Formatter(saas, "ja").money_short(amount) == ja


def test_rates_dates_and_durations(saas: ir.RuleSet) -> None:
    en, ja = Formatter(saas, "en"), Formatter(saas, "ja")
    assert en.rate(Fraction(3, 20)) == ja.rate(Fraction(3, 20)) == "15%"
    assert en.rate(Fraction(1, 8)) == "12.5%"
    assert en.date(datetime.date(2026, 4, 1)) == "1 April 2026"
    assert ja.date(datetime.date(2026, 4, 1)) == "2026年4月1日"
    assert en.duration(ir.Duration(90, "d")) == "90 days"
    assert en.duration(ir.Duration(1, "mo")) == "1 month"
    assert ja.duration(ir.Duration(6, "mo")) == "6か月"


def test_other_currencies_use_the_runtime_format(saas: ir.RuleSet) -> None:
    usd = dataclasses.replace(saas, currency="USD", minor_unit=2)
    assert Formatter(usd, "ja").money(1250) == "$12.50"
    assert Formatter(usd, "en").money_short(100_000_000) == "$1,000,000.00"


def test_a_missing_translation_is_marked_not_mixed_in(saas: ir.RuleSet) -> None:
    assert plain(Formatter(saas, "ja").text({"en": "Reseller"})) == "Reseller（英語のみ）"
    assert plain(Formatter(saas, "en").text({"ja": "再販パートナー"})) == "再販パートナー (Japanese only)"
    assert [s.kind for s in Formatter(saas, "ja").text({"en": "Reseller"})] == ["text", "note"]
    assert plain(Formatter(saas, "ja").text({"": "CloudNote"})) == "CloudNote"
    assert plain(Formatter(saas, "en").text({}, "reseller")) == "reseller"
