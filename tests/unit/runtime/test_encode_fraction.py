"""`ir_json.encode_fraction` writes every exact number as the Fraction arithmetic it replaced did, and reads back."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime import ir_json


def fraction_arithmetic(value: Fraction) -> str:
    """The former implementation (Fraction operations): the oracle."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = value * 10**digits
    sign = "-" if scaled < 0 else ""
    text = str(abs(scaled.numerator)).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}" if digits else f"{sign}{text}"


decimals = st.builds(lambda n, twos, fives: Fraction(n, 2**twos * 5**fives),
                     st.integers(-10**30, 10**30), st.integers(0, 40), st.integers(0, 40))


@given(st.one_of(st.fractions(), decimals))
def test_encode_fraction_writes_what_fraction_arithmetic_wrote_and_reads_back(value: Fraction) -> None:
    text = ir_json.encode_fraction(value)
    assert text == fraction_arithmetic(value)
    assert ir_json.decode_fraction(text) == value


@pytest.mark.parametrize(("value", "text"), [
    (Fraction(0), "0"), (Fraction(-3), "-3"), (Fraction(1, 8), "0.125"), (Fraction(-1, 20), "-0.05"),
    (Fraction(1, 3), "1/3"), (Fraction(-7, 6), "-7/6"), (Fraction(2501, 100), "25.01"),
])
def test_encode_fraction_examples(value: Fraction, text: str) -> None:
    assert ir_json.encode_fraction(value) == text
