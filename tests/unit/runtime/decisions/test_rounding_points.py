"""Where and how a program rounds: the margin (not the wholesale), a mode per kind of amount, exact ties.

Every figure below is worked out by hand in its comment. Each quote is checked on the reference path
and on the quote plan (which must run), each statement on the row engine and on DuckDB.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.pipeline import check_program
from policy_lang.loader import load_program_text
from runtime import ir
from runtime.decisions import settle
from runtime.decisions._rounding import chain_prices
from runtime.decisions.quote import Quoter
from runtime.guides import render_guide
from runtime.loaded import Runtime
from runtime.model import Partner, Period, Quote, Transaction
from tests.unit.runtime.decisions.decision_helpers import HEADER, build, partners, sale
from tests.unit.runtime.sql._harness import assert_same, assert_same_quotes

FY2026 = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))

QUOTES = """\
inputs:
  transaction:
    media: money
contracts:
  - id: reseller
    kind: distributor
    margin: 15%
  - id: finder
    kind: referral
    fee: 10%
price_rules:
  pass_through:
    - id: media
      title: {en: Media}
      amount: transaction.media
      fee: 10%
hierarchy:
  model: nested
  max_depth: 2
  levels:
    - {level: 1, margin: 15%}
    - {level: 2, margin: 5%}
"""

PEOPLE = partners(Partner("r1", "reseller"), Partner("r2", "reseller", level=2, parent="r1"),
                  Partner("f", "finder"))


def runtime(rounding: str, body: str = QUOTES, engine: str = "compiled") -> Runtime:
    return build(body, engine, HEADER.replace("rounding: {mode: down}", f"rounding: {rounding}"))


def sold(partner: str, list_price: int, media: int = 0) -> Transaction:
    return sale(partner, list_price, media=media)


def both(rt: Runtime, txn: Transaction) -> Quote:
    """The quote on the plan, which must run and equal the reference path."""
    quoter = Quoter(rt, PEOPLE)
    planned = quoter.quote(txn)
    assert quoter.fallbacks == 0 and quoter.reference_plans == 0
    assert planned == quoter.reference(txn)
    assert_same_quotes(rt, [txn], PEOPLE)
    return planned


# --- the margin is rounded; the wholesale is the list amount less it ----------------------------------


@pytest.mark.parametrize(("mode", "margin"), [
    ("down", 4),  # 30 × 15% = 4.5 → toward zero: ¥4
    ("up", 5),  # away from zero: ¥5
    ("half_up", 5),  # 四捨五入: a half goes away from zero: ¥5
    ("half_even", 4),  # a half goes to the even unit: ¥4
])
def test_a_tie_on_the_margin_is_rounded_in_the_margins_mode(mode: str, margin: int) -> None:
    q = both(runtime(f"{{mode: {mode}}}"), sold("r1", 30))
    assert q.wholesale == 30 - margin and q.partner_gross == margin


def test_the_margin_not_the_wholesale_is_rounded_down() -> None:
    # 333 × 15% = 49.95: the partner is promised ¥49 (切り捨て), so the vendor invoices 333 − 49 = ¥284.
    q = both(runtime("{mode: down}"), sold("r1", 333))
    assert (q.wholesale, q.partner_gross) == (284, 49)


def test_the_wholesale_point_rounds_the_invoice_price_instead() -> None:
    # 333 × 85% = 283.05, rounded down to ¥283: the margin left is 333 − 283 = ¥50.
    q = both(runtime("{mode: down, point: wholesale}"), sold("r1", 333))
    assert (q.wholesale, q.partner_gross) == (283, 50)


def test_each_level_of_a_chain_has_its_own_mode() -> None:
    # Level 1: 30 × 15% = 4.5, down → ¥4, so the vendor receives 30 − 4 = ¥26.
    # Level 2: 30 × 5% = 1.5, half_even → ¥2, so level 2 pays level 1 30 − 2 = ¥28 and keeps ¥2.
    # Level 1 keeps 28 − 26 = ¥2.
    q = both(runtime("{mode: down, modes: {level_margin: half_even}}"), sold("r2", 30))
    assert [(s.pays, s.receives, s.keeps) for s in q.chain] == [(26, 28, 2), (28, 30, 2)]


@pytest.mark.parametrize(("mode", "fee"), [("down", 1), ("up", 2), ("half_up", 2), ("half_even", 2)])
def test_a_tie_on_a_pass_through_fee_is_rounded_in_its_mode(mode: str, fee: int) -> None:
    # The fee on ¥15 of media at 10% is ¥1.5; the margin stays in the default mode (down): 30 × 15% → ¥4.
    q = both(runtime(f"{{mode: down, modes: {{pass_through_fee: {mode}}}}}"), sold("r1", 30, 15))
    assert {line.kind: line.amount for line in q.lines if line.partner == "r1"} == \
        {"margin": 4, "pass_through": 15, "fee": fee}


@pytest.mark.parametrize(("mode", "fee"), [("down", 2), ("up", 3), ("half_up", 3), ("half_even", 2)])
def test_a_tie_on_a_referral_fee_is_rounded_in_its_mode(mode: str, fee: int) -> None:
    # 10% of a ¥25 sale is ¥2.5.
    q = both(runtime(f"{{mode: half_up, modes: {{referral_fee: {mode}}}}}"), sold("f", 25))
    assert [line.amount for line in q.lines] == [fee]


@pytest.mark.parametrize(("unit", "mode", "margin"), [
    (10, "down", 140), (10, "half_up", 150), (10, "half_even", 140), (10, "up", 150),  # 1,000 × 14.5% = 145
    (100, "half_even", 200), (100, "half_up", 200), (100, "down", 100),  # 1,000 × 15% = 150 on ¥100 units
])
def test_ties_at_every_unit(unit: int, mode: str, margin: int) -> None:
    body = QUOTES.replace("margin: 15%\n  - id: finder", "margin: 14.5%\n  - id: finder") if unit == 10 else QUOTES
    q = both(runtime(f"{{mode: {mode}, unit: ¥{unit}}}", body), sold("r1", 1_000))
    assert q.partner_gross == margin and q.wholesale == 1_000 - margin


@pytest.mark.parametrize(("mode", "sale_margin"), [("down", 4), ("up", 5), ("half_up", 5), ("half_even", 4)])
def test_a_negative_tie_mirrors_the_positive_one(mode: str, sale_margin: int) -> None:
    # Every mode is symmetric about zero: −30 × 15% = −4.5 rounds to minus what 4.5 rounds to.
    rounding = ir.Rounding(1, mode)
    assert chain_prices(-30, [Fraction(3, 20)], False, rounding) == [-30 + sale_margin]
    assert chain_prices(30, [Fraction(3, 20)], False, rounding) == [30 - sale_margin]


@given(list_amount=st.integers(-10**9, 10**9), margins=st.lists(st.fractions(0, 1, max_denominator=1000),
                                                                 min_size=1, max_size=3),
       stacked=st.booleans(), mode=st.sampled_from(["down", "up", "half_up", "half_even"]),
       unit=st.sampled_from([1, 10, 100]))
def test_margin_plus_wholesale_is_the_list_amount_and_each_margin_is_within_a_unit(
        list_amount: int, margins: list[Fraction], stacked: bool, mode: str, unit: int) -> None:
    prices = chain_prices(list_amount, margins, stacked, ir.Rounding(unit, mode))
    for k, price in enumerate(prices):
        rate = sum(margins[k:], Fraction(0)) if stacked else margins[k]
        margin = list_amount - price  # the rounded margin amount(s): margin + wholesale = list amount, exactly
        assert abs(margin - list_amount * rate) < unit * (len(margins) - k if stacked else 1)
        if not stacked or k == len(prices) - 1:
            assert abs(margin - list_amount * rate) < unit  # one rounding: less than one unit off


# --- ladders and bonuses ------------------------------------------------------------------------------

LADDER = """\
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
    ladder: volume
    bonuses: [growth]
ladders:
  - id: volume
    basis: list_sales
    period: fiscal_year
    mode: {mode}
    steps:
      - {{from: ¥0, rate: 0%}}
      - {{from: ¥100, rate: 1%}}
      - {{from: ¥200, rate: 2%}}
bonuses:
  - id: growth
    basis: sales
    period: fiscal_year
    kind: one_off
    steps:
      - {{target: ¥150, pay: 1%}}
"""
ONE = partners(Partner("p", "reseller"))


def statement_lines(rounding: str, mode: str, txns: list[Transaction]) -> dict[str, list[int]]:
    rt = runtime(rounding, LADDER.format(mode=mode))
    assert_same(rt, txns, ONE, FY2026)
    [s] = settle(rt, txns, ONE, FY2026).statements
    found: dict[str, list[int]] = {}
    for line in s.period_lines:
        found.setdefault(line.kind, []).append(line.amount)
    return found


@pytest.mark.parametrize(("mode", "ladder"), [("down", 1), ("up", 2), ("half_up", 2), ("half_even", 2)])
def test_a_tie_on_a_retroactive_ladder_is_rounded_once_in_the_ladders_mode(mode: str, ladder: int) -> None:
    # ¥150 of list sales reach the 1% step (from ¥100): 150 × 1% = ¥1.5, the tie; the default mode is down.
    found = statement_lines(f"{{mode: down, modes: {{ladder: {mode}}}}}", "retroactive", [sale("p", 150)])
    assert found["ladder"] == [ladder]
    # Two sales of ¥125 reach the 2% step (from ¥200): 250 × 2% = ¥5, nothing to round.
    found = statement_lines(f"{{mode: down, modes: {{ladder: {mode}}}}}", "retroactive", [sale("p", 125)] * 2)
    assert found["ladder"] == [5]


def test_a_marginal_ladder_is_rounded_once_on_the_exact_sum() -> None:
    # ¥250: 1% of the ¥100 inside step 2 (¥1) + 2% of the ¥50 inside step 3 (¥1) = ¥2, exact either way.
    assert statement_lines("{mode: down}", "marginal", [sale("p", 250)])["ladder"] == [2]
    # ¥290: 1% of ¥100 = ¥1 and 2% of ¥90 = ¥1.8. Once on the sum: ¥2.8 → ¥2 (down); per bracket: ¥1 + ¥1.
    assert statement_lines("{mode: down}", "marginal", [sale("p", 290)])["ladder"] == [2]
    assert statement_lines("{mode: down, marginal_ladder: per_bracket}", "marginal",
                           [sale("p", 290)])["ladder"] == [1, 1]
    # ¥150: 1% of the ¥50 inside step 2 = ¥0.5, a tie: half up → ¥1, half even → ¥0.
    assert statement_lines("{mode: half_up}", "marginal", [sale("p", 150)])["ladder"] == [1]
    assert statement_lines("{mode: half_even}", "marginal", [sale("p", 150)])["ladder"] == [0]


@pytest.mark.parametrize(("mode", "bonus"), [("down", 1), ("up", 2), ("half_up", 2), ("half_even", 2)])
def test_a_tie_on_a_bonus_is_rounded_in_the_bonus_mode(mode: str, bonus: int) -> None:
    # Sales of ¥150 reach the target (¥150): the bonus pays 1% of ¥150 = ¥1.5.
    found = statement_lines(f"{{mode: down, modes: {{bonus: {mode}}}}}", "retroactive", [sale("p", 150)])
    assert found["bonus"] == [bonus]


# --- what partners read -------------------------------------------------------------------------------


def test_the_guide_states_the_rounding_point_and_every_mode_of_its_own() -> None:
    rt = runtime("{mode: down, modes: {bonus: half_up, ladder: down}}", LADDER.format(mode="retroactive"))
    en, ja = render_guide(rt.ruleset, "en", "md"), render_guide(rt.ruleset, "ja", "md")
    assert "each line of a quote or statement is rounded down to ¥1" in en
    assert "What is rounded is your margin: the wholesale price is the list price less the rounded margin." in en
    assert "Bonuses are rounded half up to ¥1." in en
    assert "Ladder payments are" not in en  # the same mode as every other amount: not repeated
    assert "端数処理はマージンに対して行い、仕入価格は定価から端数処理後のマージンを差し引いた額です。" in ja
    assert "インセンティブは1円未満を四捨五入します。" in ja
    wholesale = runtime("{mode: down, point: wholesale}", LADDER.format(mode="retroactive"))
    assert "What is rounded is the wholesale price" in render_guide(wholesale.ruleset, "en", "md")


# --- a cap on one line's margin ---------------------------------------------------------------------------

CAPPED = QUOTES.replace("    margin: 15%\n  - id: finder", "    margin: 15%\n    margin_cap: ¥1,000\n  - id: finder")


@pytest.mark.parametrize(("point", "rounding"), [("margin", "down"), ("wholesale", "down"), ("margin", "half_up")])
def test_a_margin_cap_limits_one_lines_margin_and_the_wholesale_is_list_less_the_cap(point: str,
                                                                                    rounding: str) -> None:
    rt = runtime(f"{{mode: {rounding}, point: {point}}}", CAPPED)
    # ¥10,000 at 15% is a margin of ¥1,500: capped at ¥1,000, the vendor invoices ¥9,000.
    q = both(rt, sold("r1", 10_000))
    assert (q.wholesale, q.partner_gross) == (9_000, 1_000)
    assert q.lines[0].label.endswith(", margin capped at ¥1,000")
    # ¥6,000 at 15% is ¥900, under the cap: nothing changes and the label says nothing.
    q = both(rt, sold("r1", 6_000))
    assert (q.wholesale, q.partner_gross) == (5_100, 900) and q.lines[0].label == f"margin on {q.transaction}"


def test_a_margin_cap_limits_level_one_of_a_chain_only() -> None:
    # Level 2 sells ¥10,000: level 1's margin 15% = ¥1,500 is capped at ¥1,000 (it pays the vendor ¥9,000);
    # level 2's own margin 5% = ¥500 is not capped (it pays level 1 ¥9,500). Level 1 keeps ¥500, level 2 ¥500.
    q = both(runtime("{mode: down}", CAPPED), sold("r2", 10_000))
    assert [(s.pays, s.receives, s.keeps) for s in q.chain] == [(9_000, 9_500, 500), (9_500, 10_000, 500)]


def test_a_margin_cap_is_refused_on_a_referral_contract_and_must_be_positive() -> None:
    referral = QUOTES.replace("    fee: 10%\nprice_rules", "    fee: 10%\n    margin_cap: ¥100\nprice_rules")
    for body, code in ((referral, "E203"),
                       (QUOTES.replace("    margin: 15%\n  - id: finder", "    margin: 15%\n    margin_cap: ¥0\n"
                                       "  - id: finder"), "E371")):
        loaded = load_program_text("test.yaml", HEADER + body)
        assert loaded.program is not None
        assert code in {d.code for d in check_program(loaded.program)}


def test_the_guide_states_a_contracts_margin_cap() -> None:
    rt = runtime("{mode: down}", CAPPED)
    assert "The margin on one transaction is at most ¥1,000" in render_guide(rt.ruleset, "en", "md")
    assert "1取引あたりのマージンは1,000円までです" in render_guide(rt.ruleset, "ja", "md")
