"""Numbers mean one thing: ASCII digits and the documented Japanese forms (full-width digits, ¥, 円, 万, 億, commas),
never the digits of another script, which Python's `int` and `Decimal` would otherwise read."""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

import pytest

from ppl.cli import main
from runtime.io.values import BAD_VALUE, ValueProblem, parse_integer, parse_money, parse_rate


@pytest.mark.parametrize(("text", "minor"), [
    ("1,200,000", 1_200_000), ("¥1,200,000", 1_200_000), ("１２０万円", 1_200_000), ("￥１，２００，０００", 1_200_000),
    ("1.2億", 120_000_000), ("1200000 JPY", 1_200_000),
])
def test_amounts_in_ascii_and_the_japanese_forms_are_read(text: str, minor: int) -> None:
    assert parse_money(text, "JPY", 0) == minor


@pytest.mark.parametrize(("text", "digit"), [
    ("١٢٠٠٠٠٠", "ARABIC-INDIC DIGIT ONE"), ("۱۲۰۰", "EXTENDED ARABIC-INDIC DIGIT ONE"),
    ("¥१,२००", "DEVANAGARI DIGIT ONE"), ("๑๒๓万", "THAI DIGIT ONE"), ("1٢3", "ARABIC-INDIC DIGIT TWO"),
])
def test_an_amount_with_another_script_s_digits_is_rejected_naming_the_digit(text: str, digit: str) -> None:
    with pytest.raises(ValueProblem) as found:
        parse_money(text, "JPY", 0)
    assert found.value.code == BAD_VALUE and digit in found.value.reason


def test_quantities_and_rates_take_ascii_and_full_width_digits_only() -> None:
    assert parse_integer("３") == 3 and parse_rate("１５%") == Fraction(3, 20)
    for parse, text in ((parse_integer, "٣"), (parse_rate, "١٥%"), (parse_integer, "३")):
        with pytest.raises(ValueProblem, match="numbers are written with the digits 0-9"):
            parse(text)


@pytest.mark.parametrize("engine", ["rows", "duckdb"])
def test_a_row_with_foreign_digits_is_rejected_with_its_row_and_the_rest_settle(
        in_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,date,partner,product,list_price,sell_price,quantity,placement,ad_spend\n"
                    "T1,2026-06-01,ag1-01,reserved,1000000,1000000,1,in_feed,0\n"
                    "T2,2026-06-01,ag1-01,reserved,١٠٠٠٠٠٠,1000000,1,in_feed,0\n", encoding="utf-8")
    out = tmp_path / "out"
    status = main(["settle", "programs/ad_agency.yaml", "--transactions", str(path), "--partners",
                   "examples/data/partners.csv", "--period", "FY2026", "--out", str(out), "--engine", engine,
                   "--format", "json"])
    summary = json.loads(capsys.readouterr().out)
    assert status == 0 and (summary["read"], summary["accepted"], summary["rejected"]) == (2, 1, 1)
    with open(out / "rejects.csv", encoding="utf-8", newline="") as handle:
        (reject,) = list(csv.DictReader(handle))
    assert reject["row"] == "2" and reject["code"] == BAD_VALUE and "ARABIC-INDIC DIGIT ONE" in reject["reason"]
