"""Quote plans: what each kind of rule becomes in a plan gives exactly what the reference path gives.

Every test quotes its transactions three ways, `Quoter.quote`, `Quoter.figures` and
`Quoter.reference`, with every part of a quote kept and with every optional part left out, and
checks that the plan really ran: `fallbacks` and `reference_plans` stay zero unless the test is
about a rule that a plan must refuse.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from pathlib import Path

import pytest

from bench.data import PROGRAMS, quote_cases
from compiler.lower import compile_program
from compiler.pipeline import check
from policy_lang import diagnostics as dg
from runtime import ir
from runtime.decisions.quote import QuoteError, Quoter, figures_of
from runtime.engine import EvaluationError
from runtime.engine.operators import ROUNDING_MODES
from runtime.ir import RuleRef
from runtime.loaded import Runtime, transaction_slots
from runtime.model import Partner, Quote, Transaction, Volumes
from tests.unit.runtime.decisions.decision_helpers import HEADER, partners, sale

ALL = {"include_ladder": True, "next_steps": True, "benefits": True, "violations": True}
NONE = {"include_ladder": False, "next_steps": False, "benefits": False, "violations": False}


def quoters(rt: Runtime, people: Mapping[str, Partner], txns: Iterable[Transaction],
            volumes: Mapping[str, Volumes] | None = None) -> list[Quoter]:
    """Quote every transaction twice (the second time from the kept plan) with all parts and with none;
    assert that the plans agree with the reference path; return the quoters, for their counters. The quoters
    take the inputs as given (`checked`): ill-typed fields reach both paths, which must refuse them alike."""
    txns = list(txns)
    used = []
    for options in (ALL, NONE):
        quoter = Quoter(rt, people, volumes, **options, checked=True)
        for txn in [*txns, *txns]:
            assert_agrees(quoter, txn)
        used.append(quoter)
    return used


def assert_agrees(quoter: Quoter, txn: Transaction) -> None:
    try:
        expected = quoter.reference(txn)
    except (QuoteError, EvaluationError) as error:
        for call in (quoter.quote, quoter.figures):
            with pytest.raises(type(error)) as raised:
                call(txn)
            got = raised.value
            assert isinstance(got, QuoteError | EvaluationError)
            assert (got.code, got.message, got.at) == (error.code, error.message, error.at)
        return
    assert quoter.quote(txn) == expected
    assert quoter.figures(txn) == figures_of(expected)


def planned(used: list[Quoter]) -> bool:
    """Whether every quote ran on a plan: none was refused one, none fell back to the reference path."""
    return all(q.fallbacks == 0 and q.reference_plans == 0 for q in used)


def quoted(rt: Runtime, people: Mapping[str, Partner], txn: Transaction) -> Quote:
    return Quoter(rt, people).quote(txn)


def with_rounding(rt: Runtime, mode: str, unit: int) -> Runtime:
    return Runtime(dataclasses.replace(rt.ruleset, rounding=ir.Rounding(unit, mode)), rt.engine)


def with_version(rt: Runtime, change: Callable[[ir.Version], ir.Version]) -> Runtime:
    """The runtime of a rule set whose every version is changed, as a rule set made without the compiler may be."""
    ruleset = rt.ruleset
    return Runtime(dataclasses.replace(ruleset, versions=tuple(change(v) for v in ruleset.versions)), rt.engine)


def expression(rt: Runtime, key: str) -> ir.Expr:
    """The lowered expression of one of a quote's slots (e.g. `pass:media:fee`), to be put where the
    language would not let a program write it."""
    return dict(transaction_slots(rt.ruleset.versions[0]))[key]


# --- a stacked hierarchy ------------------------------------------------------------------------------

STACKED = """\
inputs:
  partner:
    certified: boolean
contracts:
  - id: reseller
    kind: distributor
    ladder: volume
ladders:
  - id: volume
    basis: purchases
    period: fiscal_year
    mode: retroactive
    steps:
      - {from: ¥0, rate: 0%}
      - {from: 100万, rate: 2.5%}
tiers:
  cadence: quarterly
  levels:
    - id: gold
      qualify: partner.certified
      margin_uplift: 1.5%
    - id: member
      qualify: true
hierarchy:
  model: stacked
  max_depth: 3
  levels:
    - {level: 1, margin: 12%}
    - {level: 2, margin: 7.5%}
    - {level: 3, margin: 5%}
"""

CHAIN = partners(Partner("d1", "reseller", "gold", 1, None, {"certified": True}),
                 Partner("d2", "reseller", "member", 2, "d1", {"certified": False}),
                 Partner("d3", "reseller", "gold", 3, "d2", {"certified": True}),
                 Partner("lost", "reseller", "member", 2, "nobody"))
CHAIN_VOLUMES = {"d1": Volumes(purchases=1_000_000), "d2": Volumes(purchases=999_999)}


@pytest.mark.parametrize("unit", [1, 10, 100])
def test_a_stacked_chain_is_priced_as_the_reference_prices_it(make: Callable[..., Runtime], unit: int) -> None:
    rt = make(STACKED, header=HEADER.replace("mode: down", f"mode: half_even, unit: {unit}"))
    txns = [sale(seller, 123_455, quantity, sell_price=120_005)
            for seller in ("d1", "d2", "d3") for quantity in (1, 3, 0, -2)]
    assert planned(quoters(rt, CHAIN, txns, CHAIN_VOLUMES))
    q = quoted(rt, CHAIN, sale("d3", 100_000))
    # Level 1 keeps its own margin (12% + 1.5% uplift), the levels below theirs: the margins add up.
    assert [s.pays for s in q.chain] == [74_000, 87_500, 95_000]
    assert [s.margin for s in q.chain] == [Fraction(135, 1000), Fraction(75, 1000), Fraction(5, 100)]


def test_a_broken_chain_is_refused_as_the_reference_refuses_it(make: Callable[..., Runtime]) -> None:
    rt = make(STACKED)
    for quoter in quoters(rt, CHAIN, [sale("lost", 1000)]):
        stats = quoter.plan_stats  # no plan can be made: the reference path raises E513
        assert stats.planned == 0 and stats.refused > 0 and dict(stats.by_reason) == {"refused: E513": stats.refused}
    with pytest.raises(QuoteError) as exc:
        quoted(rt, CHAIN, sale("lost", 1000))
    assert exc.value.code == "E513"


# --- margin caps ----------------------------------------------------------------------------------------

CAPS = """\
inputs:
  partner:
    region: region
    certified: boolean
  transaction:
    category: category
enums:
  region: [kanto, kansai]
  category: [software, hardware, parts]
contracts:
  - id: reseller
    kind: distributor
    margin: 25%
price_rules:
  margin_caps:
    - id: kanto-hardware
      when: partner.region == kanto and transaction.category == hardware
      cap: if partner.certified then 18% else 12%
    - id: parts
      when: transaction.category == parts
      cap: 20%
"""

KANTO = Partner("k", "reseller", fields={"region": "kanto", "certified": True})
KANTO_NEW = Partner("n", "reseller", fields={"region": "kanto", "certified": False})
KANSAI = Partner("s", "reseller", fields={"region": "kansai", "certified": True})
NO_REGION = Partner("x", "reseller", fields={"certified": True})


def test_a_cap_reading_a_partner_field_and_a_transaction_field(make: Callable[..., Runtime]) -> None:
    rt = make(CAPS)
    people = partners(KANTO, KANTO_NEW, KANSAI)
    txns = [sale(p, 10_000, category=c) for p in people for c in ("software", "hardware", "parts")]
    assert planned(quoters(rt, people, txns))
    assert quoted(rt, people, sale("k", 10_000, category="hardware")).margin == Fraction(18, 100)
    assert quoted(rt, people, sale("n", 10_000, category="hardware")).margin == Fraction(12, 100)
    assert quoted(rt, people, sale("s", 10_000, category="hardware")).margin == Fraction(25, 100)
    assert quoted(rt, people, sale("s", 10_000, category="parts")).margin == Fraction(20, 100)


def test_a_cap_condition_that_fails_fails_the_quote_on_the_plan_too(make: Callable[..., Runtime]) -> None:
    rt = make(CAPS)
    people = partners(NO_REGION, KANTO)
    quoters(rt, people, [sale("x", 10_000, category="hardware"), sale("k", 10_000), sale("k", 10_000, category=3)])
    with pytest.raises(EvaluationError) as exc:
        quoted(rt, people, sale("x", 10_000, category="hardware"))
    assert "partner.region" in exc.value.message


EQUAL_CAPS = """\
inputs:
  transaction:
    category: category
enums:
  category: [software, hardware]
contracts:
  - id: reseller
    kind: distributor
    margin: 25%
price_rules:
  margin_caps:
    - id: first
      when: transaction.category == hardware
      cap: 15%
    - id: second
      when: transaction.category == hardware
      cap: 15%
    - id: lower-but-rare
      when: transaction.category == software and transaction.quantity > 100
      cap: 10%
"""


def test_of_two_equal_caps_the_first_declared_wins(make: Callable[..., Runtime]) -> None:
    rt = make(EQUAL_CAPS)
    people = partners(Partner("p", "reseller"))
    txns = [sale("p", 10_000, q, category=c) for c in ("software", "hardware") for q in (1, 101, -1)]
    assert planned(quoters(rt, people, txns))
    q = quoted(rt, people, sale("p", 10_000, category="hardware"))
    assert q.rates[-1].rule == RuleRef.margin_cap("first")
    assert q.ladder_headroom == 0


ALWAYS_CAPPED = """\
inputs:
  partner:
    certified: boolean
  transaction:
    category: category
enums:
  category: [software, hardware]
contracts:
  - id: reseller
    kind: distributor
    margin: 20%
    ladder: volume
ladders:
  - id: volume
    basis: purchases
    period: fiscal_year
    mode: retroactive
    steps:
      - {from: ¥0, rate: 0%}
      - {from: ¥1000, rate: 10%}
price_rules:
  margin_caps:
    - id: hardware
      when: transaction.category == hardware
      cap: 15%
    - id: everything
      when: "true"
      cap: 25%
    - id: certified
      when: partner.certified
      cap: 22%
"""


@pytest.mark.parametrize("purchases", [0, 1_000])
def test_a_cap_that_holds_for_every_transaction(make: Callable[..., Runtime], purchases: int) -> None:
    rt = make(ALWAYS_CAPPED)
    people = partners(Partner("c", "reseller", fields={"certified": True}),
                      Partner("u", "reseller", fields={"certified": False}))
    volumes = {"c": Volumes(purchases=purchases), "u": Volumes(purchases=purchases)}
    txns = [sale(p, 10_005, category=c) for p in people for c in ("software", "hardware")]
    assert planned(quoters(rt, people, txns, volumes))
    margins = {p: Quoter(rt, people, volumes).quote(sale(p, 10_000, category="software")).margin for p in people}
    assert margins == ({"c": Fraction(22, 100), "u": Fraction(25, 100)} if purchases else
                       {"c": Fraction(20, 100), "u": Fraction(20, 100)})


# --- benefits, discounts, referral fees, pass-through ---------------------------------------------------

BENEFIT_INPUTS = """\
inputs:
  partner:
    certified: boolean
  transaction:
    category: category
    deal_size: money
enums:
  category: [software, hardware]
contracts:
  - id: reseller
    kind: distributor
    margin: 15%
"""

BENEFITS = BENEFIT_INPUTS + """\
tiers:
  cadence: quarterly
  levels:
    - id: gold
      qualify: partner.certified
      benefits: [hardware-desk, large-deal-fund, everyone]
    - id: member
      qualify: true
      benefits: [everyone]
benefits:
  - id: hardware-desk
    kind: support
    title: {en: Hardware desk}
    when: partner.certified
  - id: large-deal-fund
    kind: mdf
    title: {en: Large deal fund}
    when: partner.certified
    value: ¥1
  - id: everyone
    kind: training
    title: {en: Training}
price_rules:
  ceiling: list_price
  max_discount: if partner.certified then 15% else 5%
"""

# Where the language lets a program read the transaction: the expressions put into the benefits above.
TRANSACTION_EXPRESSIONS = BENEFIT_INPUTS + """\
price_rules:
  margin_caps:
    - id: hardware
      when: transaction.category == hardware
      cap: 99%
    - id: large
      when: transaction.deal_size >= 100万
      cap: 99%
  pass_through:
    - id: fund
      amount: transaction.deal_size / 100
      fee: if transaction.category == hardware then 3% else 1%
"""


def benefits_reading_the_transaction(make: Callable[..., Runtime]) -> Runtime:
    """BENEFITS, with `hardware-desk` given to hardware sales and `large-deal-fund` (1% of the deal) to
    deals of ¥1M or more."""
    source = make(TRANSACTION_EXPRESSIONS)
    reads = {"hardware-desk": (expression(source, "cap:hardware:when"), None),
             "large-deal-fund": (expression(source, "cap:large:when"), expression(source, "pass:fund:amount"))}

    def change(version: ir.Version) -> ir.Version:
        return dataclasses.replace(version, benefits=tuple(
            dataclasses.replace(b, when=reads[b.id][0], value=reads[b.id][1] or b.value) if b.id in reads else b
            for b in version.benefits))
    return with_version(make(BENEFITS), change)


GOLD = Partner("g", "reseller", "gold", fields={"certified": True})
MEMBER = Partner("m", "reseller", "member", fields={"certified": False})


def test_a_benefit_whose_condition_reads_the_transaction(make: Callable[..., Runtime]) -> None:
    rt = benefits_reading_the_transaction(make)
    people = partners(GOLD, MEMBER)
    txns = [sale(p, 1000, category=c, deal_size=d) for p in people for c in ("software", "hardware")
            for d in (0, 999_999, 1_000_000, 1_234_567)]
    assert planned(quoters(rt, people, txns))
    q = quoted(rt, people, sale("g", 1000, category="hardware", deal_size=1_234_567))
    assert [(b.name, b.value) for b in q.benefits] == [
        ("Hardware desk", 0), ("Large deal fund", Fraction(1_234_567, 100)), ("Training", 0)]
    assert [b.name for b in quoted(rt, people, sale("g", 1000, category="software", deal_size=0)).benefits] == [
        "Training"]


def test_a_benefit_whose_condition_fails_fails_the_quote_on_the_plan_too(make: Callable[..., Runtime]) -> None:
    rt = benefits_reading_the_transaction(make)
    people = partners(GOLD, MEMBER)
    quoters(rt, people, [sale("g", 1000, category="hardware"), sale("g", 1000, deal_size=5),
                         sale("m", 1000, category="hardware"), sale("g", 1000, category="hardware", deal_size="5")])
    with pytest.raises(EvaluationError) as exc:
        quoted(rt, people, sale("g", 1000, category="hardware"))
    assert "transaction.deal_size" in exc.value.message


def violations(rt: Runtime, people: Mapping[str, Partner], seller: str, sell_price: int,
               category: str) -> list[str]:
    txn = sale(seller, 10_000, sell_price=sell_price, category=category)
    return [v.kind for v in quoted(rt, people, txn).violations]


def discount_cases(rt: Runtime, people: Mapping[str, Partner]) -> list[Quoter]:
    return quoters(rt, people, [sale(p, 10_000, q, sell_price=s, category=c)
                                for p in people for s in (8_499, 8_500, 9_499, 9_500, 10_000, 10_001)
                                for q in (1, -1) for c in ("software", "hardware")])


def test_a_maximum_discount_that_depends_on_the_partner(make: Callable[..., Runtime]) -> None:
    rt = make(BENEFITS)  # 15% for a certified partner, else 5%
    people = partners(GOLD, MEMBER)
    assert planned(discount_cases(rt, people))
    assert violations(rt, people, "g", 8_500, "software") == [] and violations(rt, people, "g", 8_499, "software") == [
        "below_floor"]
    assert violations(rt, people, "m", 9_500, "software") == [] and violations(rt, people, "m", 9_499, "software") == [
        "below_floor"]
    with pytest.raises(QuoteError) as raised:  # `ceiling: list_price`: a sale above list is rejected
        violations(rt, people, "m", 10_001, "software")
    assert raised.value.code == "E550"


def test_a_maximum_discount_that_depends_on_the_transaction(make: Callable[..., Runtime]) -> None:
    rt = make(BENEFITS.replace("if partner.certified then", "if transaction.category == hardware then"))
    people = partners(GOLD, MEMBER)
    assert planned(discount_cases(rt, people))
    assert violations(rt, people, "m", 8_500, "hardware") == [] and violations(rt, people, "m", 8_499, "hardware") == [
        "below_floor"]
    assert violations(rt, people, "g", 9_500, "software") == [] and violations(rt, people, "g", 9_499, "software") == [
        "below_floor"]


REFERRALS = """\
inputs:
  transaction:
    commission: percent
contracts:
  - id: finder
    kind: referral
    fee: ¥30,000
  - id: capped_finder
    kind: referral
    fee: ¥30,000
    fee_cap: ¥20,000
  - id: broker
    kind: referral
    fee: transaction.commission
    fee_cap: ¥50,000
"""


@pytest.mark.parametrize("mode", sorted(ROUNDING_MODES))
def test_referral_fees_fixed_and_read_from_the_transaction(make: Callable[..., Runtime], mode: str) -> None:
    rt = with_rounding(make(REFERRALS), mode, 10)
    people = partners(Partner("f", "finder"), Partner("c", "capped_finder"), Partner("b", "broker"))
    txns = [sale(p, price, q, commission=rate) for p in people for price in (0, 12_345, 999_999)
            for q in (1, 0, -2) for rate in (Fraction(3, 100), Fraction(1, 8), Fraction(1, 3))]
    assert planned(quoters(rt, people, txns))
    assert quoted(rt, people, sale("f", 100, -1)).lines[0].amount == -30_000
    assert quoted(rt, people, sale("c", 100, 2)).lines[0].amount == 20_000
    broker = quoted(rt, people, sale("b", 999_999, 1, commission=Fraction(1, 8)))
    assert broker.lines[0].amount == 50_000 and [r.name for r in broker.rates] == [
        "referral fee rate", "referral fee cap"]


def test_a_referral_fee_read_from_a_missing_field_fails_on_the_plan_too(make: Callable[..., Runtime]) -> None:
    rt = make(REFERRALS)
    people = partners(Partner("b", "broker"))
    quoters(rt, people, [sale("b", 1000), sale("b", 1000, commission="3%")])
    with pytest.raises(EvaluationError) as exc:
        quoted(rt, people, sale("b", 1000))
    assert exc.value.code == "E500" and "transaction.commission" in exc.value.message


PASS_THROUGH = """\
inputs:
  transaction:
    media: money
    rush: boolean
contracts:
  - id: agency
    kind: solution_partner
    margin: 10%
    services: transaction.media / 20
price_rules:
  pass_through:
    - id: media
      title: {en: Media spend}
      amount: transaction.media
      fee: if transaction.rush then 25% else 12.5%
    - id: setup
      title: {en: Set-up}
      amount: ¥1,005
      fee: 15%
"""


@pytest.mark.parametrize("mode", sorted(ROUNDING_MODES))
@pytest.mark.parametrize("unit", [1, 10])
def test_pass_through_with_a_fee_that_depends_on_the_transaction(make: Callable[..., Runtime], mode: str,
                                                                  unit: int) -> None:
    rt = with_rounding(make(PASS_THROUGH), mode, unit)
    people = partners(Partner("a", "agency"))
    txns = [sale("a", 1_005, q, media=m, rush=r) for q in (1, 0, -1, 3) for m in (0, 1_234_565, -7) for r in
            (True, False)]
    assert planned(quoters(rt, people, txns))
    lines = quoted(rt, people, sale("a", 1000, -1, media=1000, rush=True)).lines
    assert [(line.kind, line.label) for line in lines[1:3]] == [
        ("pass_through", "Media spend at cost"), ("fee", "fee on Media spend (25%)")]


BILLED = """\
inputs:
  transaction:
    media: money
    billed: money
contracts:
  - id: agency
    kind: solution_partner
    margin: 10%
price_rules:
  ceiling: {price: list_price, action: hold}
  max_discount: {rate: 10%, action: reject}
  min_fee: {amount: ¥100, action: flag}
  pass_through:
    - id: media
      title: {en: Media spend}
      amount: transaction.media
      billed: transaction.billed
      max_markup: 5%
      fee: 10%
      action: reject
"""


def test_price_rules_with_every_action_run_on_the_plans(make: Callable[..., Runtime]) -> None:
    rt = make(BILLED)
    people = partners(Partner("a", "agency"))
    txns = [sale("a", 1_000, q, sell_price=p, media=m, billed=b) for q in (1, -1, 2) for p in (899, 900, 1_000, 1_001)
            for m in (0, 999, 1_000, 20_000) for b in (1_000, 1_050, 1_051)]
    assert planned(quoters(rt, people, txns))
    # A sale at list, media ¥20,000 billed ¥1,000 (under cost): the fee 10% × ¥20,000 = ¥2,000 ≥ ¥100.
    assert quoted(rt, people, sale("a", 1_000, media=20_000, billed=1_000)).violations == ()
    # Media ¥999: the fee 10% × ¥999 = ¥99.9, rounded down ¥99 < ¥100: flagged (the line is settled).
    q = quoted(rt, people, sale("a", 1_000, media=999, billed=999))
    assert [(v.kind, v.action, v.code) for v in q.violations] == [("fee_below_minimum", "flag", "E552")]
    # Billed ¥1,051 on a cost of ¥1,000: above ¥1,000 × 105% = ¥1,050, so `action: reject` (E553).
    with pytest.raises(QuoteError) as rejected:
        quoted(rt, people, sale("a", 1_000, media=1_000, billed=1_051))
    assert (rejected.value.code, rejected.value.message) == (
        "E553", "Media spend billed ¥1,051 is above the cost ¥1,000 by more than 5%")
    # ¥1,050 is exactly 5% above cost: allowed, and the line shows the billed amount beside the cost.
    lines = quoted(rt, people, sale("a", 1_000, media=1_000, billed=1_050)).lines
    assert [line.label for line in lines if line.kind == "pass_through"] == ["Media spend at cost (billed ¥1,050)"]
    # ¥1,001 above the list price: held (listed); ¥899 below the floor of ¥900: rejected (E551).
    held = quoted(rt, people, sale("a", 1_000, sell_price=1_001, media=0, billed=0))
    assert [(v.kind, v.action) for v in held.violations] == [("above_list", "hold")]
    with pytest.raises(QuoteError) as rejected:
        quoted(rt, people, sale("a", 1_000, sell_price=899, media=0, billed=0))
    assert rejected.value.code == "E551"


# --- what a plan refuses ---------------------------------------------------------------------------------

UPLIFT = TRANSACTION_EXPRESSIONS + """\
tiers:
  cadence: quarterly
  levels:
    - id: gold
      qualify: "true"
      margin_uplift: 1%
"""


def test_an_uplift_that_reads_the_transaction_is_quoted_by_the_reference_path(make: Callable[..., Runtime]) -> None:
    source = make(UPLIFT)
    uplift = expression(source, "pass:fund:fee")  # 3% on hardware, else 1%

    def change(version: ir.Version) -> ir.Version:
        assert version.tiers is not None
        tiers = tuple(dataclasses.replace(t, uplift=uplift) for t in version.tiers.levels)
        return dataclasses.replace(version, tiers=dataclasses.replace(version.tiers, levels=tiers), price_rules=None)
    rt = with_version(source, change)
    people = partners(Partner("g", "reseller", "gold"), Partner("m", "reseller"))
    txns = [sale(p, 10_000, category=c) for p in people for c in ("software", "hardware")]
    used = quoters(rt, people, txns)
    assert all(q.reference_plans > 0 for q in used)
    assert quoted(rt, people, sale("g", 10_000, category="hardware")).margin == Fraction(18, 100)
    assert quoted(rt, people, sale("g", 10_000, category="software")).margin == Fraction(16, 100)


@pytest.mark.parametrize(("section", "text"), [("margin: 15%", "margin: if transaction.quantity > 5 then 12% else 15%"),
                                               ("cap: 99%", "cap: if transaction.quantity > 5 then 12% else 99%")])
def test_a_margin_or_cap_that_reads_the_transaction_is_quoted_by_the_reference_path(
        make: Callable[..., Runtime], section: str, text: str) -> None:
    rt = make(TRANSACTION_EXPRESSIONS.replace(section, text, 1))
    people = partners(Partner("p", "reseller"))
    used = quoters(rt, people, [sale("p", 10_000, q, category="hardware", deal_size=0) for q in (1, 6, -6)])
    assert all(q.reference_plans > 0 for q in used)
    assert quoted(rt, people, sale("p", 10_000, 6, category="hardware", deal_size=0)).margin == Fraction(12, 100)


def test_a_contract_without_a_margin_of_its_own_names_the_first_rate_of_its_margin(
        make: Callable[..., Runtime]) -> None:
    # A rule set made without the compiler may leave a distributor with no margin and no hierarchy:
    # its margin is the ladder's, and the ladder step is where it comes from.
    rt = make(STACKED.split("tiers:")[0] + "hierarchy:\n  model: nested\n  max_depth: 1\n  levels:\n"
              "    - {level: 1, margin: 12%}\n")
    version = rt.ruleset.versions[0]
    bare = dataclasses.replace(version, hierarchy=None)
    rt = Runtime(dataclasses.replace(rt.ruleset, versions=(bare,)), rt.engine)
    people = partners(Partner("d", "reseller"))
    volumes = {"d": Volumes(purchases=1_000_000)}
    assert planned(quoters(rt, people, [sale("d", 10_000), sale("d", 10_000, 2)], volumes))
    q = Quoter(rt, people, volumes).quote(sale("d", 10_000))
    assert q.margin == Fraction(25, 1000) and q.chain[0].at == version.ladders[0].steps[1].at


# --- rounding -------------------------------------------------------------------------------------------

ROUNDING = """\
inputs:
  transaction:
    media: money
contracts:
  - id: reseller
    kind: distributor
    margin: 15%
  - id: finder
    kind: referral
    fee: 12.5%
price_rules:
  pass_through:
    - id: media
      title: {en: Media}
      amount: transaction.media
      fee: 15%
hierarchy:
  model: nested
  max_depth: 2
  levels:
    - {level: 1, margin: 15%}
    - {level: 2, margin: 7.5%}
"""


@pytest.mark.parametrize("mode", sorted(ROUNDING_MODES))
def test_rounding_to_ten_in_every_mode(make: Callable[..., Runtime], mode: str) -> None:
    rt = with_rounding(make(ROUNDING), mode, 10)
    people = partners(Partner("r1", "reseller"), Partner("r2", "reseller", level=2, parent="r1"),
                      Partner("f", "finder"))
    # Prices whose margins land on every remainder of ten, halves included, for sales and refunds.
    txns = [sale(p, price, q, media=media) for p in people for price in (100, 133, 140, 1_000, 1_001, 12_345)
            for q in (1, -1, 7) for media in (0, 105)]
    assert planned(quoters(rt, people, txns))
    q = quoted(rt, people, sale("r2", 1_000, media=105))
    assert all(line.amount % 10 == 0 for line in q.lines)


# --- the example programs ---------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.parametrize("program", PROGRAMS)
def test_every_benchmark_case_of_an_example_program_runs_on_a_plan(program: str) -> None:
    result = check([str(ROOT / "programs" / f"{program}.yaml")])
    assert not dg.has_errors(result.diagnostics)
    rt = Runtime(compile_program(result.programs[0]))
    cases = quote_cases(program, 300)
    used = quoters(rt, cases.partners, cases.transactions, cases.volumes)
    assert planned(used)

