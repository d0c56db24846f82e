"""The quoting fast path: integer rounding, slots read one by one and kept, and a settlement's shared quoter.

Each shortcut must give exactly what the plain computation gives: the rounding of `round_to`, the
value (or the error) of the whole `transaction` entry, and the lines of `quote()`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime import ir
from runtime.decisions import QuoteError, quote, settle
from runtime.decisions._rounding import round_amount, round_complement, round_ratio, round_times
from runtime.decisions.quote import Quoter
from runtime.engine import EvaluationError, round_to
from runtime.engine.operators import ROUNDING_MODES
from runtime.ir import RuleRef
from runtime.loaded import CONSTANT, MIXED, PARTNER, TRANSACTION, Runtime, slot_kind
from runtime.model import Line, Partner, Period
from runtime.money import round_line
from tests.unit.runtime.decisions.decision_helpers import HEADER, partners, sale

# --- rounding ---------------------------------------------------------------------------------------

numerators = st.integers(-10**15, 10**15)
denominators = st.integers(1, 10**6)
units = st.sampled_from([1, 2, 5, 10, 100, 1000]) | st.integers(1, 10**4)
modes = st.sampled_from(sorted(ROUNDING_MODES))


@given(numerator=numerators, denominator=denominators, unit=units, mode=modes)
def test_round_ratio_is_round_to(numerator: int, denominator: int, unit: int, mode: str) -> None:
    assert round_ratio(numerator, denominator, unit, mode) == round_to(Fraction(numerator, denominator), unit, mode)


@given(numerator=st.integers(-1000, 1000), unit=st.integers(1, 20), mode=modes)
def test_round_ratio_on_exact_halves_and_multiples(numerator: int, unit: int, mode: str) -> None:
    for denominator in (1, 2, 2 * unit):  # whole values, halves and halves of a unit: the ties
        expected = round_to(Fraction(numerator, denominator), unit, mode)
        assert round_ratio(numerator, denominator, unit, mode) == expected


@given(amount=numerators, rate=st.fractions(min_value=-2, max_value=2, max_denominator=10**4), unit=units,
       mode=modes)
def test_line_rounding_helpers_are_round_line(amount: int, rate: Fraction, unit: int, mode: str) -> None:
    assert round_times(amount, rate, unit, mode) == round_line(amount * rate, unit, mode)
    assert round_complement(amount, rate, unit, mode) == round_line(amount * (1 - rate), unit, mode)
    assert round_amount(amount * rate, unit, mode) == round_line(amount * rate, unit, mode)
    assert round_amount(amount, unit, mode) == round_line(amount, unit, mode)
    assert type(round_amount(amount * rate, unit, mode)) is int


# --- slots, one by one -----------------------------------------------------------------------------

PROGRAM = """\
inputs:
  partner:
    certified: boolean
    nda_signed: boolean
  transaction:
    category: category
enums:
  category: [software, hardware]
contracts:
  - id: reseller
    kind: distributor
    margin: if partner.certified then 20% else 15%
  - id: agency
    kind: distributor
    margin: if transaction.category == hardware and partner.certified then 11% else 10%
tiers:
  cadence: quarterly
  levels:
    - id: gold
      qualify: partner.certified
      margin_uplift: 3%
      benefits: [preview]
    - id: member
      qualify: true
benefits:
  - id: preview
    kind: roadmap_access
    title: {en: Roadmap preview}
    when: partner.nda_signed
price_rules:
  max_discount: 10%
  margin_caps:
    - id: hardware-cap
      when: transaction.category == hardware
      cap: 21%
"""

CERTIFIED = Partner("p1", "reseller", "gold", fields={"certified": True, "nda_signed": True})
PLAIN = Partner("p2", "reseller", "member", fields={"certified": False, "nda_signed": False})
NO_NDA = Partner("p3", "reseller", "gold", fields={"certified": True})  # lacks nda_signed, which `preview` reads
AGENT = Partner("p4", "agency", "member", fields={"certified": True, "nda_signed": False})


def _kinds(rt: Runtime) -> dict[str, str]:
    table = rt.versions[0].transaction_slots
    assert table is not None
    return dict(table.kinds)


def test_slots_are_classified_by_the_fields_they_read(make: Callable[..., Runtime]) -> None:
    kinds = _kinds(make(PROGRAM))
    assert kinds["contract:reseller:margin"] == PARTNER
    assert kinds["contract:agency:margin"] == MIXED
    assert kinds["tier:gold:uplift"] == CONSTANT
    assert kinds["cap:hardware-cap:when"] == TRANSACTION
    assert kinds["benefit:preview:when"] == PARTNER


def test_transaction_contract_is_not_a_transaction_only_field() -> None:
    # `transaction.contract` falls back to the partner's contract: it needs the partner too.
    read = ir.Compare("==", ir.Field("transaction", "contract", "text"), ir.Const("text", "agency"))
    assert slot_kind(read) == MIXED
    assert slot_kind(ir.Field("transaction", "product", "text")) == TRANSACTION
    assert slot_kind(ir.Field("period", "sales", "money")) == PARTNER


def test_values_kept_per_partner_do_not_leak_between_partners(make: Callable[..., Runtime]) -> None:
    rt = make(PROGRAM)
    quoter = Quoter(rt, partners(CERTIFIED, PLAIN, AGENT))
    for _ in range(2):  # the second time from what the quoter kept
        assert quoter.quote(sale("p1", 1000, category="software")).margin == Fraction(23, 100)
        assert quoter.quote(sale("p2", 1000, category="software")).margin == Fraction(15, 100)
        assert quoter.quote(sale("p1", 1000, category="hardware")).margin == Fraction(21, 100)
        assert quoter.quote(sale("p4", 1000, category="hardware")).margin == Fraction(11, 100)
        assert quoter.quote(sale("p4", 1000, category="software")).margin == Fraction(10, 100)


def test_a_failing_slot_fails_only_the_quotes_that_read_it(make: Callable[..., Runtime]) -> None:
    rt = make(PROGRAM)
    quoter = Quoter(rt, partners(NO_NDA, PLAIN))
    for _ in range(2):  # a kept error is raised again, each time as a fresh error
        with pytest.raises(EvaluationError) as exc:
            quoter.quote(sale("p3", 1000, category="software"))
        assert exc.value.code == "E500" and "partner.nda_signed" in exc.value.message
        assert exc.value.at is not None
        assert quoter.quote(sale("p2", 1000, category="software")).wholesale == 850  # a member: no `preview`


def test_a_settlement_rejects_what_a_quote_rejects_though_it_keeps_no_benefits(make: Callable[..., Runtime]) -> None:
    rt = make(PROGRAM)
    people = partners(NO_NDA, PLAIN)
    rejected: list[str] = []
    settle(rt, [sale("p3", 1000, category="software"), sale("p2", 1000, category="software")], people,
           Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31)),
           on_reject=lambda r: rejected.append(f"{r.transaction}:{r.code}"))
    assert len(rejected) == 1 and rejected[0].endswith(":E500")


def test_the_first_failing_rule_decides_the_error(make: Callable[..., Runtime]) -> None:
    rt = make(PROGRAM)
    # No category: the cap's condition fails before the benefit's, whatever the quote leaves out.
    for kwargs in ({}, {"next_steps": False, "benefits": False, "violations": False}):
        with pytest.raises(EvaluationError) as exc:
            quote(rt, sale("p3", 1000), partners(NO_NDA), **kwargs)  # type: ignore[arg-type]
        assert "transaction.category" in exc.value.message


# --- a settlement's quoter ---------------------------------------------------------------------------

HIERARCHY = """\
inputs:
  transaction:
    ad_spend: money
contracts:
  - id: agency
    kind: solution_partner
    services: transaction.ad_spend / 10
tiers:
  cadence: quarterly
  levels:
    - id: premier
      qualify: partner.level == 1
      margin_uplift: 2.5%
    - id: member
      qualify: true
price_rules:
  pass_through:
    - id: media
      title: {en: Media}
      amount: transaction.ad_spend
      fee: 12.5%
hierarchy:
  model: nested
  max_depth: 3
  levels:
    - {level: 1, margin: 20%}
    - {level: 2, margin: 15%}
    - {level: 3, margin: 10%}
"""

CHAIN = partners(Partner("a1", "agency", "premier", level=1), Partner("a2", "agency", "member", level=2, parent="a1"),
                 Partner("a3", "agency", level=3, parent="a2"), Partner("x", "agency", level=2, parent="nobody"))


@pytest.mark.parametrize("mode", ["down", "up", "half_up", "half_even"])
def test_a_shared_quoter_prices_as_quote_does(make: Callable[..., Runtime], mode: str) -> None:
    rt = make(HIERARCHY, header=HEADER.replace("mode: down", f"mode: {mode}, unit: ¥10"))
    quoter = Quoter(rt, CHAIN, include_ladder=False, next_steps=False, benefits=False, violations=False)
    for seller in ("a1", "a2", "a3", "a3", "a2"):
        for quantity in (3, -1):
            txn = sale(seller, 123_457, quantity=quantity, sell_price=120_001, ad_spend=33_333)
            expected = quote(rt, txn, CHAIN, include_ladder=False)
            priced = quoter.price(txn)
            assert priced.lines == list(expected.lines)
            assert list(priced.prices) == [s.pays for s in expected.chain]
            assert [priced.receives(k) for k in range(len(priced.chain))] == [s.receives for s in expected.chain]
            assert priced.headroom == expected.ladder_headroom
    for _ in range(2):
        with pytest.raises(QuoteError) as exc:
            quoter.price(sale("x", 1000, ad_spend=0))
        assert exc.value.code == "E513"


def test_lines_name_their_rules(make: Callable[..., Runtime]) -> None:
    rt = make(HIERARCHY)
    q = quote(rt, sale("a3", 100_000, ad_spend=1000), CHAIN)
    assert [(line.kind, line.rule) for line in q.lines] == [
        ("margin", RuleRef.direct_margin()), ("margin", RuleRef.hierarchy_level(2)),
        ("margin", RuleRef.hierarchy_level(3)), ("pass_through", RuleRef.pass_through("media")),
        ("fee", RuleRef.pass_through("media")), ("services", RuleRef.contract("agency"))]
    assert all(isinstance(line, Line) and line.at is not None for line in q.lines)
