"""Ranges enforced: a computed rate outside [0 %, 100 %] rejects its line (E560) on the reference path and the
quote plans alike; a declared input outside its `min`/`max`/`values` rejects its row (E561)."""

from __future__ import annotations

import datetime
from fractions import Fraction
from pathlib import Path

import pytest

from runtime.decisions import QuoteError
from runtime.decisions._pricing import rate_bounds
from runtime.decisions.quote import Quoter
from runtime.io.readers import PartnersError, read_partners, read_transactions
from runtime.model import Partner, Transaction
from tests.unit.runtime.decisions.decision_helpers import build

RATES = """\
inputs:
  partner:
    negotiated: percent
  transaction:
    ad_spend: money
    fee_rate: percent
contracts:
  - id: reseller
    kind: distributor
    margin: partner.negotiated
  - id: introducer
    kind: referral
    fee: transaction.fee_rate
tiers:
  cadence: quarterly
  levels:
    - id: gold
      qualify: true
      margin_uplift: 20%
price_rules:
  pass_through:
    - id: media
      amount: transaction.ad_spend
      fee: transaction.fee_rate
"""


def _txn(partner: str, **fields: object) -> Transaction:
    return Transaction("t1", datetime.date(2026, 6, 1), partner, 100_000, 100_000, 1, fields=fields)


def _both(quoter: Quoter, txn: Transaction) -> tuple[str, str]:
    """The code each path rejects the transaction with (or `ok`): the plans, then the reference path."""
    found = []
    for run in (quoter.quote, quoter.reference):
        try:
            run(txn)
            found.append("ok")
        except QuoteError as exc:
            found.append(f"{exc.code}: {exc.message}")
    return found[0], found[1]


@pytest.mark.parametrize("engine", ["compiled", "interpreted"])
def test_a_computed_rate_out_of_range_rejects_the_line_on_every_path(engine: str) -> None:
    rt = build(RATES, engine)
    partners = {"A": Partner("A", "reseller", fields={"negotiated": Fraction(-1, 10)}),
                "B": Partner("B", "reseller", fields={"negotiated": Fraction(15, 100)}),
                "C": Partner("C", "reseller", "gold", fields={"negotiated": Fraction(90, 100)}),
                "R": Partner("R", "introducer")}
    quoter = Quoter(rt, partners)
    # A negative margin (−10%) would pay the vendor more than the list price: rejected, naming the contract.
    assert _both(quoter, _txn("A", fee_rate=Fraction(1, 10))) == \
        ("E560: in contract `reseller`: margin -10% is outside 0% to 100%",) * 2
    # 15% margin, a pass-through fee of 10% on ¥50,000 is ¥5,000: accepted.
    assert _both(quoter, _txn("B", ad_spend=50_000, fee_rate=Fraction(1, 10))) == ("ok", "ok")
    # The same with a fee of 120% (a rate read from the transaction, computed inline by the plan): rejected.
    assert _both(quoter, _txn("B", ad_spend=50_000, fee_rate=Fraction(6, 5))) == \
        ("E560: in pass-through `media`: fee 120% is outside 0% to 100%",) * 2
    # No pass-through amount: the fee is not read, nothing to reject.
    assert _both(quoter, _txn("B", ad_spend=0, fee_rate=Fraction(6, 5))) == ("ok", "ok")
    # 90% margin + 20% gold uplift = 110%: each part in range, the sum is not; a negative wholesale is never made.
    assert _both(quoter, _txn("C", fee_rate=Fraction(0))) == \
        ("E560: in tier `gold`: the margin 110% is outside 0% to 100%",) * 2
    # A referral fee rate of −5% read from the transaction.
    assert _both(quoter, _txn("R", fee_rate=Fraction(-1, 20))) == \
        ("E560: in contract `introducer`: fee -5% is outside 0% to 100%",) * 2
    # 100% is in range: the referral fee is the whole sell amount, ¥100,000.
    assert quoter.quote(_txn("R", fee_rate=Fraction(1))).lines[0].amount == 100_000


def test_rate_bounds_of_constant_branches() -> None:
    rt = build(RATES.replace("margin: partner.negotiated",
                             "margin: if partner.negotiated > 5% then 20% else min(15%, 10%)"))
    contract = rt.ruleset.versions[0].contracts[0]
    assert rate_bounds(contract.margin) == (Fraction(1, 10), Fraction(1, 5))
    assert rate_bounds(rt.ruleset.versions[0].contracts[1].fee) is None  # read from the transaction


RANGED = """\
enums:
  channel: [web, store, phone]
inputs:
  partner:
    certified_engineers: {type: integer, min: 0, max: 500}
  transaction:
    seats: {type: integer, min: 1}
    channel: {type: channel, values: [web, store]}
    discount: {type: percent, max: 30%}
    budget: {type: money, min: ¥1万}
contracts:
  - id: reseller
    kind: solution_partner
    margin: 10%
    services: >-
      if partner.certified_engineers > 0 and transaction.seats > 0 and transaction.channel == web
      and transaction.discount < 50% then transaction.budget else ¥0
"""


def test_input_ranges_are_compiled_as_runtime_values() -> None:
    rules = build(RANGED).ruleset
    found = {d.name: (d.min, d.max, d.values) for d in rules.inputs}
    assert found == {"certified_engineers": (0, 500, None), "seats": (1, None, None),
                     "channel": (None, None, ("web", "store")), "discount": (None, Fraction(3, 10), None),
                     "budget": (10_000, None, None)}


def test_a_transaction_outside_an_input_range_is_rejected_with_the_input_name(tmp_path: Path) -> None:
    rules = build(RANGED).ruleset
    path = tmp_path / "t.csv"
    path.write_text("id,date,partner,list_price,sell_price,quantity,seats,channel,discount,budget\n"
                    "T1,2026-06-01,P1,1000,1000,1,3,web,10%,20000\n"
                    "T2,2026-06-01,P1,1000,1000,1,0,web,10%,20000\n"
                    "T3,2026-06-01,P1,1000,1000,1,3,phone,10%,20000\n"
                    "T4,2026-06-01,P1,1000,1000,1,3,web,35%,20000\n"
                    "T5,2026-06-01,P1,1000,1000,1,3,web,10%,9999\n", encoding="utf-8")
    found = dict(read_transactions(path, rules))
    assert isinstance(found[1], Transaction)
    reasons = {row: (item.code, item.field, item.reason) for row, item in found.items()
               if not isinstance(item, Transaction)}
    assert reasons == {
        2: ("E561", "seats", "`transaction.seats` is 0, below its minimum 1"),
        3: ("E561", "channel", "`transaction.channel` is phone, not one of the values the program allows (web, store)"),
        4: ("E561", "discount", "`transaction.discount` is 35%, above its maximum 30%"),
        5: ("E561", "budget", "`transaction.budget` is ¥9,999, below its minimum ¥10,000"),
    }


def test_a_partner_outside_an_input_range_fails_the_partners_file(tmp_path: Path) -> None:
    rules = build(RANGED).ruleset
    path = tmp_path / "p.csv"
    path.write_text("id,contract,certified_engineers\nP1,reseller,3\nP2,reseller,-1\n", encoding="utf-8")
    with pytest.raises(PartnersError) as error:
        read_partners(path, rules)
    assert error.value.problems == ["row 2: `partner.certified_engineers` is -1, below its minimum 0"]
