"""Strict lines and refunds on the row engine: what is rejected, and what a refund reverses."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable

import pytest

from runtime.decisions import Rejected, Settler, settle
from runtime.decisions.refunds import reversal
from runtime.loaded import Runtime
from runtime.model import Line, Partner, Period, Transaction
from tests.unit.runtime.decisions.decision_helpers import HEADER, partners, refund, sale

FY2026 = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
P = partners(Partner("p", "reseller"), Partner("q", "reseller"))

# The default mode rounds down; refunds round half up, so a test can tell which mode a reversal used.
HALF_UP_REFUNDS = HEADER.replace("rounding: {mode: down}", "rounding: {mode: down, modes: {refund: half_up}}")
RESELLER = """\
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
price_rules:
  zero_price: [sample]
"""
TWO_VERSIONS = RESELLER + """\
revisions:
  - version: "2026.10"
    effective_from: 2026-10-01
    contracts:
      - id: reseller
        kind: distributor
        margin: 20%
"""


def run(rt: Runtime, txns: list[Transaction]) -> tuple[list[Line], list[Rejected], object]:
    lines: list[Line] = []
    rejects: list[Rejected] = []
    result = settle(rt, txns, P, FY2026, on_line=lines.append, on_reject=rejects.append)
    return lines, rejects, result


def margins(lines: list[Line], txn: Transaction) -> list[int]:
    return [line.amount for line in lines if line.transaction == txn.id and line.kind == "margin"]


def test_partial_refunds_are_rounded_cumulatively_and_add_up_to_the_sale(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER, HALF_UP_REFUNDS)
    # The sale: 10 × ¥100,003 = ¥1,000,030 at 10%: margin ¥100,003, purchases ¥900,027.
    s = sale("p", 100_003, quantity=10)
    r1, r2, r3 = refund(s, 3), refund(s, 5), refund(s, 2)
    lines, rejects, result = run(rt, [s, r1, r2, r3, refund(s, 1)])
    assert margins(lines, s) == [100_003]
    # r1: ¥100,003 × 3/10 = ¥30,000.9 → ¥30,001 half up (down would give ¥30,000).
    assert margins(lines, r1) == [-30_001]
    # r2: ¥100,003 × 8/10 = ¥80,002.4 → ¥80,002; less the ¥30,001 already reversed: ¥50,001.
    assert margins(lines, r2) == [-50_001]
    # r3 returns the last units: ¥100,003 − ¥80,002 = ¥20,001, so the three add up to the sale's margin.
    assert margins(lines, r3) == [-20_001]
    assert -30_001 - 50_001 - 20_001 == -100_003
    # A fifth refund finds nothing left.
    assert [(r.code, r.reason) for r in rejects] == [
        ("E544", f"a refund of 1 unit of `{s.id}`, but only 0 of its 10 remain")]
    [st] = [x for x in result.statements if x.partner == "p"]  # type: ignore[attr-defined]
    assert st.totals["margin"] == 0
    assert (st.volumes.sales, st.volumes.purchases, st.volumes.quantity, st.volumes.deals) == (0, 0, 0, 0)
    assert (st.gross_volumes.sales, st.gross_volumes.purchases, st.gross_volumes.deals) == (1_000_030, 900_027, 1)
    assert st.transactions == 4  # the sale and its three refunds


def test_a_partial_refund_reduces_the_volumes_by_its_reversal(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER, HALF_UP_REFUNDS)
    s = sale("p", 100_003, quantity=10)
    _, _, result = run(rt, [s, refund(s, 3)])
    [st] = [x for x in result.statements if x.partner == "p"]  # type: ignore[attr-defined]
    # Sales back by ¥1,000,030 × 3/10 = ¥300,009; the margin by ¥30,001 (above); the price follows:
    # ¥300,009 − ¥30,001 = ¥270,008 of purchases. The deal stands: 7 of its 10 units remain.
    assert st.volumes.sales == 1_000_030 - 300_009 == 700_021
    assert st.volumes.purchases == 900_027 - 270_008 == 630_019
    assert st.volumes.list_sales == 700_021
    assert (st.volumes.quantity, st.volumes.deals) == (7, 1)
    assert st.gross_volumes.sales == 1_000_030


def test_an_over_refund_is_rejected_and_changes_nothing(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER)
    s = sale("p", 1_000, quantity=10)  # margin ¥1,000
    too_many, rest = refund(s, 11), refund(s, 10)
    lines, rejects, result = run(rt, [s, too_many, rest])
    assert [(r.transaction, r.code, r.field) for r in rejects] == [(too_many.id, "E544", "quantity")]
    assert margins(lines, too_many) == []
    assert margins(lines, rest) == [-1_000]  # all 10 units still remained
    assert result.read == 3 and result.accepted == 2 and result.rejected == 1  # type: ignore[attr-defined]


def test_a_refund_names_an_earlier_accepted_sale(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER)
    good = sale("p", 1_000, quantity=2)
    outside = sale("p", 1_000, day=datetime.date(2027, 4, 1))  # rejected: E514
    later = sale("p", 1_000)
    refunded = refund(good, 1)
    txns = [good, outside, refunded,
            refund(outside, 1), refund(later, 1), later, refund(refunded, 1),
            Transaction("x", datetime.date(2026, 9, 1), "p", -1, -1, -1, refund_of="nowhere")]
    _, rejects, _ = run(rt, txns)
    reasons = [(r.code, r.reason) for r in rejects]
    assert reasons[0][0] == "E514"
    assert reasons[1:] == [
        ("E543", f"`refund_of` names `{outside.id}`, which was rejected (row 2); there is no sale to reverse"),
        ("E543", f"`refund_of` names `{later.id}`, which is not a sale earlier in this input; the sale must come "
                 "before its refunds"),
        ("E543", f"`refund_of` names `{refunded.id}`, a refund (row 3); a refund names the sale it reverses"),
        ("E543", "`refund_of` names `nowhere`, which is not a sale earlier in this input; the sale must come before "
                 "its refunds")]


def test_what_a_refund_states_must_be_its_sale_s(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER)
    s = dataclasses.replace(sale("p", 1_000, quantity=5), product="ads")
    stated = refund(s, 1, list_price=1_000, sell_price=1_000, product="ads", contract="reseller")
    other_price, other_partner = refund(s, 1, list_price=900), Transaction(
        "w", datetime.date(2026, 9, 1), "q", -1, -1, -1, refund_of=s.id)
    early = refund(s, 1, day=datetime.date(2026, 5, 1))  # the sale is dated 2026-06-01
    lines, rejects, _ = run(rt, [s, stated, other_price, other_partner, early])
    assert margins(lines, stated) == [-100]  # ¥500 of margin × 1/5
    assert [(r.code, r.field) for r in rejects] == [("E545", "list_price"), ("E545", "partner"), ("E545", "date")]
    assert rejects[0].reason == (f"the refund states list_price `900`, but sale `{s.id}` has `1000`; a refund is "
                                 "settled as its sale was")


def test_a_refund_is_settled_with_its_sale_s_version_and_rates(make: Callable[..., Runtime]) -> None:
    rt = make(TWO_VERSIONS)
    s = sale("p", 10_000, quantity=2)  # June, version 2026.04 at 10%: margin ¥2,000
    r = refund(s, 1, day=datetime.date(2026, 11, 1))  # in force then: 20%, which a fresh quote would use
    lines, _, _ = run(rt, [s, r])
    [line] = [x for x in lines if x.transaction == r.id]
    assert (line.amount, line.version, line.label) == (-1_000, "2026.04", f"margin on {s.id}")


@pytest.mark.parametrize(("quantity", "refund_of", "code"), [(0, None, "E540"), (-1, None, "E542"), (2, "t0", "E546")])
def test_a_row_that_is_neither_a_sale_nor_a_refund_is_rejected(make: Callable[..., Runtime], quantity: int,
                                                                refund_of: str | None, code: str) -> None:
    rt = make(RESELLER)
    txn = Transaction("z", datetime.date(2026, 6, 1), "p", 100, 100, quantity, refund_of=refund_of)
    _, rejects, result = run(rt, [txn])
    assert [(r.code, r.field) for r in rejects] == [(code, "quantity")]
    assert result.read == result.rejected == 1  # type: ignore[attr-defined]


def test_a_zero_price_is_rejected_unless_the_program_names_the_product(make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER)
    free = dataclasses.replace(sale("p", 0), product="sample")
    priced_at_zero = dataclasses.replace(sale("p", 1_000, sell_price=0), product="ads")
    lines, rejects, _ = run(rt, [free, priced_at_zero, sale("p", 0)])
    assert margins(lines, free) == [0]
    assert [(r.code, r.field) for r in rejects] == [("E541", "sell_price"), ("E541", "list_price")]
    assert "for product `ads`" in rejects[0].reason and "for a row without a `product`" in rejects[1].reason


def test_reversal_rounds_each_refund_s_share_of_the_cumulative_total() -> None:
    # ¥10 over 3 units, rounded half up: R(10/3) = 3, R(20/3) = 7, and the last refund takes the rest.
    assert [reversal(10, 3, b, a, 1, "half_up") for b, a in ((0, 1), (1, 2), (2, 3))] == [-3, -4, -3]
    # To ¥10: R(¥1,234 × 1/2 = ¥617) = ¥620 half up, and the full refund ends exactly at ¥1,234.
    assert reversal(1_234, 2, 0, 1, 10, "half_up") == -620 and reversal(1_234, 2, 1, 2, 10, "half_up") == -614
    # A negative amount (a clawback-like line) reverses to a positive one, with the same sum rule.
    assert reversal(-10, 3, 0, 1, 1, "down") + reversal(-10, 3, 1, 3, 1, "down") == 10


def test_an_id_that_two_sales_share_is_named_by_no_refund_unless_the_repeat_was_rejected(
        make: Callable[..., Runtime]) -> None:
    rt = make(RESELLER)
    first = sale("p", 1_000, quantity=2)
    again = dataclasses.replace(sale("p", 1_000), id=first.id)
    _, rejects, _ = run(rt, [first, again, refund(first, 1)])
    assert [(r.code, r.field) for r in rejects] == [("E543", "refund_of")]
    assert "the id of more than one earlier row" in rejects[0].reason
    # With --unique-ids the repeat is rejected (E524) and the id names the first sale only.
    settler = Settler(rt, P, FY2026)
    settler.add(first, 1)
    settler.reject(2, first.id, "E524", f"transaction id `{first.id}` appears twice", "id")
    settler.add(refund(first, 2), 3)
    assert (settler.accepted, settler.rejected) == (2, 1)
    assert settler.accounts["p"].totals["margin"] == 0  # ¥200 of margin, all of it reversed
