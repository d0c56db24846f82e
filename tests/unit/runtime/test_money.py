"""How amounts are written for people: `format_amount` rounds once to a whole minor unit, then splits it."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy_lang.currency import CURRENCIES
from runtime.money import format_amount

WITH_MINOR_UNITS = sorted(c for c, digits in CURRENCIES.items() if digits)


@pytest.mark.parametrize(("minor", "currency", "digits", "text"), [
    (1_200_000, "JPY", 0, "¥1,200,000"),
    (1250, "USD", 2, "$12.50"),
    (-1250, "EUR", 2, "-€12.50"),
    (7, "GBP", 2, "£0.07"),
    (100_000, "CHF", 2, "1,000.00 CHF"),
    (1_234_567, "KWD", 3, "1,234.567 KWD"),
    (-5, "BHD", 3, "-0.005 BHD"),
])
def test_whole_amounts_are_written_with_their_currency(minor: int, currency: str, digits: int, text: str) -> None:
    assert format_amount(minor, currency, digits) == text


@pytest.mark.parametrize(("minor", "text"), [
    (Fraction(999, 2), "$5.00"),        # 499.5 cents: the cent carries into the dollars, never "$4.100"
    (Fraction(1999, 2), "$10.00"),      # 999.5 cents → the next whole unit
    (Fraction(997, 2), "$4.98"),        # 498.5: half to even
    (Fraction(2501, 5), "$5.00"),       # 500.2
    (Fraction(-999, 2), "-$5.00"),
    (Fraction(-1999, 2), "-$10.00"),
    (Fraction(199_999_999, 2), "$1,000,000.00"),  # the carry reaches the thousands separator
])
def test_a_rounded_cent_carries_into_the_whole_units(minor: Fraction, text: str) -> None:
    assert format_amount(minor, "USD", 2) == text


@pytest.mark.parametrize("currency", WITH_MINOR_UNITS)
def test_every_currency_with_minor_units_carries(currency: str) -> None:
    digits = CURRENCIES[currency]
    ten = 10 * 10**digits
    just_below_ten = ten - Fraction(1, 2)  # ten units less half a minor unit
    assert format_amount(just_below_ten, currency, digits) == format_amount(ten, currency, digits)
    assert format_amount(-just_below_ten, currency, digits) == format_amount(-ten, currency, digits)
    assert "10.00" in format_amount(ten, currency, digits)


@pytest.mark.parametrize(("currency", "digits", "text"), [
    ("KWD", 3, "10.000 KWD"), ("JPY", 0, "¥10"), ("USD", 2, "$10.00"),
])
def test_the_carry_in_any_number_of_digits(currency: str, digits: int, text: str) -> None:
    assert format_amount(Fraction(10 * 10**digits * 2 - 1, 2), currency, digits) == text


@pytest.mark.parametrize("minor", [Fraction(-1, 3), Fraction(-1, 2), Fraction(1, 2), 0, Fraction(-2, 5)])
@pytest.mark.parametrize(("currency", "digits", "zero"), [("USD", 2, "$0.00"), ("JPY", 0, "¥0"),
                                                          ("KWD", 3, "0.000 KWD")])
def test_an_amount_that_rounds_to_zero_has_no_sign(minor: Fraction, currency: str, digits: int, zero: str) -> None:
    assert format_amount(minor, currency, digits) == zero


@given(cents=st.integers(-10**12, 10**12), digits=st.sampled_from([0, 2, 3]))
def test_whole_minor_units_are_written_exactly(cents: int, digits: int) -> None:
    text = format_amount(cents, "XYZ", digits).removesuffix(" XYZ").replace(",", "")
    assert Fraction(text) * 10**digits == cents


@given(minor=st.fractions(min_value=-10**9, max_value=10**9), digits=st.sampled_from([0, 2, 3]))
def test_a_fraction_is_written_as_its_rounded_whole_minor_units(minor: Fraction, digits: int) -> None:
    text = format_amount(minor, "XYZ", digits).removesuffix(" XYZ").replace(",", "")
    assert Fraction(text) * 10**digits == round(minor)
    fraction_digits = text.partition(".")[2]
    assert len(fraction_digits) == digits
