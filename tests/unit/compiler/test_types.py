"""Type checking: each expression against the declared inputs, with the error at its span."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import check_program
from policy_lang.loader import load_program_text

VALID = (Path(__file__).resolve().parents[3] / "programs" / "saas_reseller.yaml").read_text(encoding="utf-8")
QUALIFY = "qualify: partner.trailing_sales >= 3億 and partner.certified_engineers >= 5 and period.sales >= 7500万"
MARGIN = "    margin: 15%\n"
FEE = "    fee: 10%\n"


def diagnostics(old: str, new: str) -> list[tuple[str, str, str | None]]:
    assert old in VALID
    loaded = load_program_text("p.yaml", VALID.replace(old, new, 1))
    found = list(loaded.diagnostics)
    if loaded.program is not None:
        found.extend(check_program(loaded.program))
    return [(d.code, d.message, d.hint) for d in found if d.code != "W301"]


def codes(old: str, new: str) -> list[str]:
    return [c for c, _, _ in diagnostics(old, new)]


@pytest.mark.parametrize("condition", [
    "partner.trailing_sales >= ¥300,000,000",
    "partner.trailing_sales >= 300000000 JPY and partner.nda_signed",
    "partner.trailing_sales >= 3億",  # a bare number next to money is yen
    "partner.region in [kanto, kansai] or partner.tier == tier1",
    "not partner.nda_signed and partner.segment != smb",
    "period.sales * 10% >= ¥1000万",
    "if partner.nda_signed then partner.certified_engineers >= 3 else partner.certified_engineers >= 5",
    "max(partner.trailing_sales, period.sales) >= round(¥1億 * 1.5, ¥1)",
    "partner.region == \"kanto\"",
])
def test_well_typed_qualifications_pass(condition: str) -> None:
    assert codes(QUALIFY, f"qualify: {condition}") == []


@pytest.mark.parametrize(("condition", "code", "words"), [
    ("partner.trailing_sales + 5% >= 3億", "E304", "cannot add money (JPY) and a percentage"),
    ("partner.trailing_sales >= $1,000", "E305", "JPY and USD do not mix"),
    ("partner.trailing_sales", "E306", "expected a condition (true/false), found money (JPY)"),
    ("partner.trailing_sale >= 3億", "E302", "unknown field `partner.trailing_sale`"),
    ("lead.region == kanto", "E302", "`lead.region` cannot be read here"),
    ("partner.region == kantoo", "E308", "`kantoo` is not a `region`"),
    ("partner.region == \"kantoo\"", "E308", "`kantoo` is not a `region`"),
    ("partner.certified_engineers >= 5 and 3", "E306", "`and` needs conditions on both sides"),
    ("partner.region < kanto", "E304", "`<` cannot order a `region`"),
    ("median(partner.certified_engineers) > 1", "E303", "unknown function `median`"),
    ("max(partner.certified_engineers) > 1", "E303", "`max` takes at least 2 arguments, given 1"),
    ("partner.trailing_sales >= ¥12.5", "E309", "finer than JPY allows"),
    ("partner.trailing_sales >= 100 XYZ", "E311", "unknown currency `XYZ`"),
    ("partner.trailing_sales * partner.trailing_sales > 0", "E304", "cannot multiply money (JPY) by money (JPY)"),
    ("partner.nda_signed > 2026-04-01", "E304", "cannot order"),
    ("(if partner.nda_signed then 5% else ¥5) > 1%", "E304", "the branches of `if` must have the same type"),
])
def test_ill_typed_qualifications_are_errors(condition: str, code: str, words: str) -> None:
    found = diagnostics(QUALIFY, f"qualify: {condition}")
    assert found and found[0][0] == code, found
    assert words in found[0][1]


def test_unknown_field_suggests_the_near_name() -> None:
    [(code, _, hint)] = diagnostics(QUALIFY, "qualify: partner.certified_enginers >= 5")
    assert (code, hint) == ("E302", "did you mean `partner.certified_engineers`?")


@pytest.mark.parametrize(("margin", "code"), [
    ("¥15", "E307"), ("0.15", "E307"), ("partner.nda_signed", "E307"), ("15", "E307"),
])
def test_margin_must_be_a_percentage(margin: str, code: str) -> None:
    assert codes(MARGIN, f"    margin: {margin}\n") == [code]


def test_decimal_margin_gets_a_percentage_hint() -> None:
    [(_, _, hint)] = diagnostics(MARGIN, "    margin: 0.15\n")
    assert hint == "write a percentage: `15%`"


@pytest.mark.parametrize("margin", ["15% + 1%", "if partner.tier == tier1 then 17% else 15%",
                                    "min(15%, 20%)", "transaction.quantity * 0.1%"])
def test_margin_formulas_are_allowed(margin: str) -> None:
    assert codes(MARGIN, f"    margin: {margin}\n") == []


@pytest.mark.parametrize("fee", ["10%", "¥50,000", "transaction.sell_price * 10%"])
def test_referral_fee_is_money_or_percentage(fee: str) -> None:
    assert codes(FEE, f"    fee: {fee}\n") == []


def test_money_in_another_currency_is_an_error_in_its_place() -> None:
    assert codes(FEE, "    fee: $500\n") == ["E305"]


def test_expiry_must_be_a_duration() -> None:
    [(code, _, hint)] = diagnostics("expires_after: 90d", "expires_after: 90")
    assert code == "E307" and hint is not None and "`90d`" in hint


def test_declared_input_of_unknown_type() -> None:
    assert "E310" in codes("certified_engineers: integer", "certified_engineers: integr")


def test_redeclaring_a_builtin_field_is_an_error() -> None:
    assert "E300" in codes("    nda_signed: boolean\n", "    nda_signed: boolean\n    tier: text\n")
