"""Converting raw values by declared type: every type, every way a value is refused."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from runtime import ir
from runtime.io import values as v


@pytest.mark.parametrize(("raw", "expected"), [
    ("1200000", 1_200_000), ("¥1,200,000", 1_200_000), ("￥1,200,000", 1_200_000), ("1,200,000円", 1_200_000),
    ("1200000 JPY", 1_200_000), (" 1200000 ", 1_200_000), ("-5000", -5000), ("¥-5,000", -5000), ("-¥5,000", -5000),
    ("3000万", 30_000_000), ("1.5億", 150_000_000), ("1200000.00", 1_200_000), ("１２００", 1200),
    (1200, 1200), (Decimal("1200"), 1200), (Decimal("1.2E+3"), 1200),
])
def test_money_in_yen(raw: object, expected: int) -> None:
    assert v.parse_money(raw, "JPY", 0) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("12.50", 1250), ("$12.50", 1250), ("12.5", 1250), ("12", 1200), ("1,234.56", 123456), ("-0.01", -1),
    (Decimal("12.50"), 1250), (3, 300),
])
def test_money_in_dollars_is_cents(raw: object, expected: int) -> None:
    assert v.parse_money(raw, "USD", 2) == expected


@pytest.mark.parametrize(("raw", "currency", "minor"), [
    ("1200000.5", "JPY", 0), ("0.1", "JPY", 0), ("12.505", "USD", 2), (Decimal("0.001"), "USD", 2),
    ("1.000000001億", "JPY", 0),
])
def test_amounts_finer_than_the_currency_are_refused_not_rounded(raw: object, currency: str, minor: int) -> None:
    with pytest.raises(v.ValueProblem) as exc:
        v.parse_money(raw, currency, minor)
    assert exc.value.code == "E523"


@pytest.mark.parametrize("raw", ["abc", "12O0000", "1,2", "12,50", "1,2345", "1e5", "--5", "¥", "", "0x10",
                                 "1" * 40, True, None, [1], Decimal("NaN"), Decimal("1E+999999999")])
def test_what_is_not_an_amount(raw: object) -> None:
    with pytest.raises(v.ValueProblem) as exc:
        v.parse_money(raw, "JPY", 0)
    assert exc.value.code == "E521"


def test_an_amount_in_another_currency_says_so() -> None:
    with pytest.raises(v.ValueProblem, match="in USD; the program's currency is JPY"):
        v.parse_money("$12.50", "JPY", 0)


@pytest.mark.parametrize(("raw", "expected"), [("12", 12), ("-3", -3), ("+3", 3), ("1,200", 1200), (7, 7),
                                               (Decimal("4"), 4), (Decimal("4.0"), 4)])
def test_integers(raw: object, expected: int) -> None:
    assert v.parse_integer(raw) == expected


@pytest.mark.parametrize("raw", ["1.5", "two", "", "1-", "--1", True, Decimal("1.5"), "1" * 40])
def test_what_is_not_an_integer(raw: object) -> None:
    with pytest.raises(v.ValueProblem) as exc:
        v.parse_integer(raw)
    assert exc.value.code == "E521"


@pytest.mark.parametrize(("raw", "expected"), [
    ("15%", Fraction(3, 20)), ("0.15", Fraction(3, 20)), ("12.5%", Fraction(1, 8)), ("2", Fraction(2)),
    ("-1%", Fraction(-1, 100)), (Decimal("0.15"), Fraction(3, 20)), (1, Fraction(1)), (" 15 % ", Fraction(3, 20)),
])
def test_numbers_and_percentages_are_exact_fractions(raw: object, expected: Fraction) -> None:
    value = v.parse_rate(raw)
    assert value == expected and isinstance(value, Fraction)


@pytest.mark.parametrize("raw", ["15 percent", "1/3", "1e-2", "%", "", "0.1.2", True])
def test_what_is_not_a_number(raw: object) -> None:
    with pytest.raises(v.ValueProblem):
        v.parse_rate(raw)


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("FALSE", False), (" True ", True), (True, True),
                                               (False, False)])
def test_booleans(raw: object, expected: bool) -> None:
    assert v.parse_boolean(raw) is expected


@pytest.mark.parametrize("raw", ["yes", "1", 1, "", "tru"])
def test_what_is_not_a_boolean(raw: object) -> None:
    with pytest.raises(v.ValueProblem, match="not `true` or `false`"):
        v.parse_boolean(raw)


def test_dates_are_iso() -> None:
    assert v.parse_date("2026-04-01") == datetime.date(2026, 4, 1)
    for raw in ("2026-02-30", "20260401", "2026/04/01", "01-04-2026", "2026-4-1", "", 20260401):
        with pytest.raises(v.ValueProblem, match="not a date"):
            v.parse_date(raw)


def test_durations() -> None:
    assert v.parse_duration("90d") == ir.Duration(90, "d")
    assert v.parse_duration("3mo") == ir.Duration(3, "mo")
    with pytest.raises(v.ValueProblem):
        v.parse_duration("3 months")


def test_enum_members_must_belong_with_a_suggestion() -> None:
    members = ("in_feed", "video", "takeover")
    assert v.parse_member(" video ", "placement", members) == "video"
    with pytest.raises(v.ValueProblem) as exc:
        v.parse_member("infeed", "placement", members)
    assert exc.value.code == "E522" and "did you mean `in_feed`?" in exc.value.reason
    with pytest.raises(v.ValueProblem, match="expected one of in_feed, video, takeover"):
        v.parse_member("banner", "placement", members)
    with pytest.raises(v.ValueProblem) as exc:
        v.parse_member("Video", "placement", members)  # members are spelt exactly
    assert exc.value.code == "E522"


def test_text_is_trimmed_and_numbers_become_text() -> None:
    assert v.parse_text("  acme ") == "acme"
    assert v.parse_text(12) == "12"
    with pytest.raises(v.ValueProblem):
        v.parse_text({"a": 1})


def test_parse_value_dispatches_on_the_declared_type() -> None:
    rs = _ruleset()
    assert v.parse_value("¥1,000", "money", rs) == 1000
    assert v.parse_value("5", "integer", rs) == 5
    assert v.parse_value("5%", "percent", rs) == Fraction(1, 20)
    assert v.parse_value("0.5", "number", rs) == Fraction(1, 2)
    assert v.parse_value("true", "boolean", rs) is True
    assert v.parse_value("2026-04-01", "date", rs) == datetime.date(2026, 4, 1)
    assert v.parse_value("2w", "duration", rs) == ir.Duration(2, "w")
    assert v.parse_value("x", "text", rs) == "x"
    assert v.parse_value("video", "placement", rs) == "video"
    with pytest.raises(v.ValueProblem):
        v.parse_value("radio", "placement", rs)


def _ruleset() -> ir.RuleSet:
    return ir.RuleSet("p", {}, {}, "JPY", 0, ir.Rounding(1, "down"), 4, "p.yaml",
                      {"placement": ("in_feed", "video")}, (), ())
