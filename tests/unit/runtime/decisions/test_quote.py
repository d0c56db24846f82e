"""Quotes: margins, tiers, ladders, caps, chains, pass-through, referral fees, violations and hints."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from fractions import Fraction

import pytest

from runtime.decisions import QuoteError, quote
from runtime.ir import RuleRef
from runtime.loaded import Runtime
from runtime.model import Partner, Volumes
from tests.unit.runtime.decisions.decision_helpers import partners, sale

RESELLER = """\
inputs:
  partner:
    certified_engineers: integer
  transaction:
    category: category
enums:
  category: [software, hardware]
contracts:
  - id: reseller
    kind: distributor
    margin: 15%
    ladder: volume
ladders:
  - id: volume
    basis: purchases
    period: fiscal_year
    mode: retroactive
    steps:
      - {from: ¥0, rate: 0%}
      - {from: 1億, rate: 2%}
      - {from: 5億, rate: 5%}
tiers:
  cadence: quarterly
  levels:
    - id: gold
      qualify: partner.certified_engineers >= 5
      margin_uplift: 3%
      benefits: [leads]
    - id: member
      qualify: true
benefits:
  - id: leads
    kind: lead_priority
    title: {en: Priority leads}
price_rules:
  ceiling: list_price
  max_discount: 10%
  margin_caps:
    - id: hardware-cap
      when: transaction.category == hardware
      cap: 12%
"""

GOLD = Partner("p1", "reseller", "gold", fields={"certified_engineers": 6})
MEMBER = Partner("p2", "reseller", "member", fields={"certified_engineers": 3})


def test_wholesale_is_list_less_margin_with_tier_uplift(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER)
    q = quote(rt, sale("p1", 1_200_000, category="software"), partners(GOLD))
    assert q.margin == Fraction(18, 100)
    assert q.wholesale == 984_000 and q.partner_gross == 216_000
    assert [(f.name, f.value, f.rule) for f in q.rates] == [
        ("base margin", Fraction(3, 20), RuleRef.contract("reseller")),
        ("tier uplift", Fraction(3, 100), RuleRef.tier("gold")),
        ("ladder rate", Fraction(0), RuleRef.ladder("volume", 1))]
    assert all(f.at is not None and f.at.file == "test.yaml" and f.at.line > 0 for f in q.rates)
    assert [b.rule for b in q.benefits] == [RuleRef.benefit("leads")]


@pytest.mark.parametrize(("volume", "rate"), [(99_999_999, Fraction(0)), (100_000_000, Fraction(2, 100)),
                                              (499_999_999, Fraction(2, 100)), (500_000_000, Fraction(5, 100))])
def test_ladder_rate_exactly_at_a_threshold_and_one_yen_below(make: Callable[..., Runtime], volume: int,
                                                              rate: Fraction) -> None:
    rt = make(RESELLER)
    q = quote(rt, sale("p2", 1_000_000, category="software"), partners(MEMBER), {"p2": Volumes(purchases=volume)})
    assert q.margin == Fraction(15, 100) + rate


def test_margin_cap_limits_the_total(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER)
    q = quote(rt, sale("p1", 1_000_000, category="hardware"), partners(GOLD), {"p1": Volumes(purchases=6 * 10**8)})
    assert q.margin == Fraction(12, 100)
    assert q.rates[-1].name == "margin cap" and q.rates[-1].rule == RuleRef.margin_cap("hardware-cap")


def test_the_margin_is_rounded_down_and_the_wholesale_is_list_less_the_margin(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER)
    q = quote(rt, sale("p2", 333, quantity=1, category="software"), partners(MEMBER))
    # margin 333 × 15% = 49.95, rounded down (切り捨て) to ¥49; wholesale 333 − 49 = ¥284 (not 283.05 rounded down)
    assert q.wholesale == 284
    assert q.partner_gross == 49


def test_price_rule_violations_are_reported(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER.replace("ceiling: list_price", "ceiling: {price: list_price, action: flag}"))
    above = quote(rt, sale("p2", 1000, sell_price=1001, category="software"), partners(MEMBER))
    below = quote(rt, sale("p2", 1000, sell_price=899, category="software"), partners(MEMBER))
    floor = quote(rt, sale("p2", 1000, sell_price=900, category="software"), partners(MEMBER))
    assert [(v.kind, v.action, v.code) for v in above.violations] == [("above_list", "flag", "E550")]
    assert [(v.kind, v.action, v.code) for v in below.violations] == [("below_floor", "flag", "E551")]
    assert floor.violations == ()


def test_a_sale_above_list_is_rejected_by_default(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER)  # `ceiling: list_price`, the short form: a violation is rejected
    with pytest.raises(QuoteError) as exc:
        quote(rt, sale("p2", 1000, sell_price=1001, category="software"), partners(MEMBER))
    assert (exc.value.code, exc.value.message) == ("E550", "sell price ¥1,001 is above the list price ¥1,000")
    # At list (and below it, down to the floor of ¥900 = ¥1,000 less 10%) the sale is quoted.
    assert quote(rt, sale("p2", 1000, category="software"), partners(MEMBER)).violations == ()


def test_a_held_violation_is_listed_even_when_violations_are_left_out(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER.replace("max_discount: 10%", "max_discount: {rate: 10%, action: hold}"))
    q = quote(rt, sale("p2", 1000, sell_price=899, category="software"), partners(MEMBER), violations=False)
    # ¥899 < ¥1,000 × (1 − 10%) = ¥900: below the floor, and held whatever the quote leaves out.
    assert [(v.kind, v.action) for v in q.violations] == [("below_floor", "hold")]


def test_next_steps_say_what_reaches_the_next_step_and_tier(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER)
    q = quote(rt, sale("p2", 1000, category="software"), partners(MEMBER), {"p2": Volumes(purchases=350_000_000)})
    assert "¥150,000,000 more purchases this period reach the 5% step of ladder `volume`" in q.next_steps
    assert "2 more `partner.certified_engineers` qualify for tier `gold`" in q.next_steps


def test_unknown_partner_and_date_outside_every_version(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER)
    with pytest.raises(QuoteError) as exc:
        quote(rt, sale("nobody", 1000, category="software"), partners(MEMBER))
    assert exc.value.code == "E511"
    with pytest.raises(QuoteError) as exc:
        quote(rt, sale("p2", 1000, day=datetime.date(2026, 3, 31), category="software"), partners(MEMBER))
    assert exc.value.code == "E510"


HIERARCHY = """\
contracts:
  - id: agency
    kind: distributor
hierarchy:
  model: {model}
  max_depth: 3
  levels:
    - {{level: 1, margin: 20%}}
    - {{level: 2, margin: {m2}}}
    - {{level: 3, margin: {m3}}}
"""

CHAIN = partners(Partner("a1", "agency", level=1), Partner("a2", "agency", level=2, parent="a1"),
                 Partner("a3", "agency", level=3, parent="a2"))


def test_nested_chain_each_level_keeps_the_difference(make: Callable[..., Runtime]) -> None:
    rt = make(HIERARCHY.format(model="nested", m2="15%", m3="10%"))
    q = quote(rt, sale("a3", 1_000_000, sell_price=950_000), CHAIN)
    assert [(s.partner, s.pays, s.receives, s.keeps) for s in q.chain] == [
        ("a1", 800_000, 850_000, 50_000), ("a2", 850_000, 900_000, 50_000), ("a3", 900_000, 950_000, 50_000)]
    assert sum(s.keeps for s in q.chain) == q.sell_amount - q.wholesale  # type: ignore[operator]


def test_stacked_chain_each_level_keeps_its_share(make: Callable[..., Runtime]) -> None:
    rt = make(HIERARCHY.format(model="stacked", m2="5%", m3="3%"))
    q = quote(rt, sale("a3", 1_000_000), CHAIN)
    assert q.wholesale == 720_000
    assert [s.keeps for s in q.chain] == [200_000, 50_000, 30_000]
    assert sum(s.keeps for s in q.chain) == q.sell_amount - q.wholesale


def test_chain_deeper_than_allowed_is_refused(make: Callable[..., Runtime]) -> None:
    rt = make(HIERARCHY.format(model="nested", m2="15%", m3="10%").replace("max_depth: 3", "max_depth: 2")
              .replace("    - {level: 3, margin: 10%}\n", ""))
    with pytest.raises(QuoteError) as exc:
        quote(rt, sale("a3", 1000), CHAIN)
    assert exc.value.code == "E513"


AGENCY = """\
inputs:
  transaction:
    ad_spend: money
contracts:
  - id: agency
    kind: distributor
    margin: 20%
  - id: introducer
    kind: referral
    fee: 10%
    fee_cap: ¥50,000
price_rules:
  pass_through:
    - id: media
      title: {en: Ad spend}
      amount: transaction.ad_spend
      fee: 20%
"""


def test_pass_through_at_cost_with_the_fee_apart(make: Callable[..., Runtime]) -> None:
    rt = make(AGENCY)
    q = quote(rt, sale("ag", 300_000, ad_spend=1_000_003), partners(Partner("ag", "agency")))
    kinds = {line.kind: line.amount for line in q.lines}
    assert kinds == {"margin": 60_000, "pass_through": 1_000_003, "fee": 200_000}


def test_referral_fee_is_a_share_of_the_sale_up_to_the_cap(make: Callable[..., Runtime]) -> None:
    rt = make(AGENCY)
    small = quote(rt, sale("in", 300_000, ad_spend=0), partners(Partner("in", "introducer")))
    large = quote(rt, sale("in", 3_000_000, ad_spend=0), partners(Partner("in", "introducer")))
    assert [(x.kind, x.amount) for x in small.lines] == [("referral_fee", 30_000)]
    assert [(x.kind, x.amount) for x in large.lines] == [("referral_fee", 50_000)]
    assert small.wholesale is None and small.chain == ()


def test_a_refund_reverses_its_pass_through_and_fee(make: Callable[..., Runtime]) -> None:
    rt = make(AGENCY)
    q = quote(rt, sale("ag", 300_000, quantity=-1, ad_spend=1_000_000), partners(Partner("ag", "agency")))
    assert {line.kind: line.amount for line in q.lines} == {"margin": -60_000, "pass_through": -1_000_000,
                                                            "fee": -200_000}


def test_a_field_is_needed_only_by_rules_that_apply(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER)
    no_fields = Partner("p3", "reseller", "member")  # lacks certified_engineers, which only tier `gold` reads
    q = quote(rt, sale("p3", 1000, category="software"), partners(no_fields))
    assert q.wholesale == 850
    from runtime.engine import EvaluationError

    with pytest.raises(EvaluationError) as exc:  # but every transaction is tested against the hardware cap
        quote(rt, sale("p3", 1000), partners(no_fields))
    assert exc.value.code == "E500" and "transaction.category" in exc.value.message


def test_the_margin_share_of_the_direct_partner_names_its_source(make: Callable[..., Runtime]) -> None:
    rt = make(HIERARCHY.format(model="nested", m2="15%", m3="10%"))
    q = quote(rt, sale("a3", 1_000_000), CHAIN)
    assert all(share.at is not None for share in q.chain)


def test_a_partner_whose_level_does_not_match_its_chain_is_refused(make: Callable[..., Runtime]) -> None:
    rt = make(HIERARCHY.format(model="nested", m2="15%", m3="10%"))
    skipped = partners(Partner("a1", "agency", level=1), Partner("a3", "agency", level=3, parent="a1"))
    with pytest.raises(QuoteError) as exc:
        quote(rt, sale("a3", 1000), skipped)
    assert exc.value.code == "E513" and "level 3" in exc.value.message


def test_a_tier_hint_shows_a_fractional_count_as_a_decimal_instead_of_failing() -> None:
    from fractions import Fraction

    from runtime.decisions._hints import _count

    assert (_count(1200), _count(Fraction(3, 2)), _count(Fraction(4, 2))) == ("1,200", "1.5", "2")
