"""programs/saas_reseller.yaml's quote written by hand: the speed-of-light reference for the benchmark.

Plain Python with integer arithmetic: rates are basis points (1% = 100), amounts yen, rounding
down (toward zero) to ¥1. No hierarchy: the selling partner buys from the vendor. `quote` gives
the figures the runtime's quote gives for this program; `explain` adds every figure's rule, the
line labels, the violation messages and the next-step hints, as strings equal to the runtime's.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from runtime.model import Partner, Transaction, Volumes

FIRST_DAY = datetime.date(2026, 4, 1)
SECOND_HALF = datetime.date(2026, 10, 1)  # version 2026.10: the top ladder step starts at ¥400M
MARGIN_BP = {"reseller": 1500, "solution": 1200}
UPLIFT_BP = {"tier1": 300, "tier2": 100}
# (from, bp, step index), highest first, by version
LADDERS = {"2026.04": ((500_000_000, 500, 2), (100_000_000, 200, 1), (0, 0, 0)),
           "2026.10": ((400_000_000, 500, 2), (100_000_000, 200, 1), (0, 0, 0))}
GROWTH_TARGETS = (300_000_000, 600_000_000)
REFERRAL_CAP = 5_000_000
NO_VOLUMES = Volumes()
Answer = tuple[Any, ...]

_TITLES = {"priority-leads": "Priority lead referral", "roadmap-preview": "Early roadmap access",
           "co-selling": "Joint sales calls"}
_TIER_BENEFITS: dict[str, tuple[str, ...]] = {"tier1": ("priority-leads", "roadmap-preview", "co-selling"),
                                              "tier2": ("co-selling",), "tier3": ()}


def _benefit_ids(tier: str, nda: bool) -> tuple[str, ...]:
    return tuple(b for b in _TIER_BENEFITS[tier] if b != "roadmap-preview" or nda)


_KEYS = [(tier, nda) for tier in _TIER_BENEFITS for nda in (True, False)]
BenefitKey = tuple[str | None, bool]  # (tier, NDA signed)
BENEFITS: dict[BenefitKey, tuple[tuple[str, int], ...]] = {
    (t, n): tuple((_TITLES[b], 0) for b in _benefit_ids(t, n)) for t, n in _KEYS}
BENEFIT_RULES: dict[BenefitKey, tuple[tuple[str, int, str], ...]] = {
    (t, n): tuple((_TITLES[b], 0, f"benefit `{b}`") for b in _benefit_ids(t, n)) for t, n in _KEYS}


def _down(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded toward zero."""
    return numerator // denominator if numerator >= 0 else -(-numerator // denominator)


def quote(txn: Transaction, partners: Mapping[str, Partner], volumes: Mapping[str, Volumes]) -> Answer:
    """(version, contract, margin bp, wholesale, partner gross, chain, lines, benefits, violations)."""
    seller = partners[txn.partner]
    day = txn.date
    if day < FIRST_DAY:
        raise ValueError(f"no version in force on {day}")
    version = "2026.10" if day >= SECOND_HALF else "2026.04"
    q = txn.quantity
    list_price, sell_price = txn.list_price, txn.sell_price
    list_amount, sell_amount = list_price * q, sell_price * q
    violations: tuple[str, ...] = ()
    if sell_price > list_price:
        violations = ("above_list",)
    elif sell_price * 10 < list_price * 9:
        violations = ("below_floor",)
    benefits = BENEFITS[(seller.tier, seller.fields["nda_signed"])]
    contract = txn.contract or seller.contract
    if contract == "referral":
        fee = sell_amount  # tenths of a yen: 10% of the sell amount
        if fee > REFERRAL_CAP * 10:
            amount = REFERRAL_CAP
        elif fee < -REFERRAL_CAP * 10:
            amount = -REFERRAL_CAP
        else:
            amount = _down(fee, 10)
        return (version, contract, 0, None, 0, (), ((seller.id, "referral_fee", amount),), benefits, violations)
    margin = MARGIN_BP[contract] + UPLIFT_BP.get(seller.tier or "", 0)
    purchases = volumes.get(seller.id, NO_VOLUMES).purchases
    for start, bp, _ in LADDERS[version]:
        if purchases >= start:
            margin += bp
            break
    wholesale = list_amount - _down(list_amount * margin, 10_000)  # the margin is rounded down
    gross = sell_amount - wholesale
    lines: tuple[tuple[str, str, int], ...] = ((seller.id, "margin", gross),)
    if contract == "solution":
        services = txn.fields["services_amount"]
        lines += ((seller.id, "services", -abs(services) if q < 0 else services),)
    return (version, contract, margin, wholesale, gross, ((seller.id, 1, margin, wholesale, sell_amount, gross),),
            lines, benefits, violations)


# --- explain: the same quote with every figure's rule, the labels, messages and next steps ---------------

_PCT = {0: Fraction(0), 100: Fraction(1, 100), 200: Fraction(1, 50), 300: Fraction(3, 100), 500: Fraction(1, 20)}
_BASE_FIGURE = {"reseller": ("base margin", Fraction(3, 20), "contract `reseller`"),
                "solution": ("base margin", Fraction(3, 25), "contract `solution`")}
_UPLIFT_FIGURE = {tier: ("tier uplift", _PCT[bp], f"tier `{tier}`") for tier, bp in UPLIFT_BP.items()}
_LADDER_FIGURE = {index: ("ladder rate", _PCT[bp], f"ladder `annual-volume` step {index + 1}")
                  for _, bp, index in LADDERS["2026.04"]}
_REFERRAL_RATE = ("referral fee rate", Fraction(1, 10), "contract `referral`")
_REFERRAL_CAP = ("referral fee cap", REFERRAL_CAP, "contract `referral`")
_DIRECT = "margin of the vendor's direct partner"
_RATE_TEXT = {0: "0%", 200: "2%", 500: "5%"}


def yen(amount: int) -> str:
    """¥1,200,000 (and -¥1,200,000)."""
    return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"


def _violations(sell_price: int, list_price: int) -> tuple[tuple[str, str, str], ...]:
    if sell_price > list_price:
        return (("above_list", f"sell price {yen(sell_price)} is above the list price {yen(list_price)}",
                 "price rules: ceiling"),)
    if sell_price * 10 < list_price * 9:
        return (("below_floor", f"sell price {yen(sell_price)} is below the floor {yen(-(-list_price * 9 // 10))} "
                 "(list less 10%)", "price rules: max discount"),)
    return ()


def _tier_steps(seller: Partner, period_sales: int) -> tuple[str, ...]:
    # tier2: trailing sales ≥ 5000万 and 2 engineers; tier1: 3億, 5 engineers and 7500万 of sales this period
    if seller.tier == "tier3":
        better, sales, engineers, in_period = "tier2", 50_000_000, 2, 0
    elif seller.tier == "tier2":
        better, sales, engineers, in_period = "tier1", 300_000_000, 5, 75_000_000
    else:
        return ()
    fields = seller.fields
    missing = []
    if fields["trailing_sales"] < sales:
        missing.append(f"{yen(sales - fields['trailing_sales'])} more `partner.trailing_sales`")
    if fields["certified_engineers"] < engineers:
        missing.append(f"{engineers - fields['certified_engineers']:,} more `partner.certified_engineers`")
    if period_sales < in_period:
        missing.append(f"{yen(in_period - period_sales)} more `period.sales`")
    return (f"{' and '.join(missing)} qualify for tier `{better}`",) if missing else ()


def _next_steps(seller: Partner, contract: str, version: str, volumes: Mapping[str, Volumes]) -> tuple[str, ...]:
    v = volumes.get(seller.id, NO_VOLUMES)
    steps = []
    for start, bp, _ in reversed(LADDERS[version]):
        if start > v.purchases:
            steps.append(f"{yen(start - v.purchases)} more purchases this period reach the {_RATE_TEXT[bp]} step of "
                         "ladder `annual-volume`")
            break
    if contract == "reseller" and seller.tier != "tier3":
        for target in GROWTH_TARGETS:
            if target > v.sales:
                steps.append(f"{yen(target - v.sales)} more sales this period reach the next target of bonus "
                             "`growth`")
                break
    return (*steps, *_tier_steps(seller, v.sales))


def explain(txn: Transaction, partners: Mapping[str, Partner], volumes: Mapping[str, Volumes]) -> Answer:
    """`quote`, then rates, labelled lines, benefits with rules, violations with messages and next steps."""
    plain = quote(txn, partners, volumes)
    version, contract, _, _, _, _, lines = plain[:7]
    seller = partners[txn.partner]
    benefits = BENEFIT_RULES[(seller.tier, seller.fields["nda_signed"])]
    violations = _violations(txn.sell_price, txn.list_price)
    if contract == "referral":
        amount = lines[0][2]
        capped = abs(txn.sell_price * txn.quantity) > REFERRAL_CAP * 10
        fee_rates = (_REFERRAL_RATE, _REFERRAL_CAP) if capped else (_REFERRAL_RATE,)
        fee_line = ((seller.id, "referral_fee", f"referral fee on {txn.id}", amount, "contract `referral`"),)
        return (plain, fee_rates, fee_line, benefits, violations,
                _tier_steps(seller, volumes.get(seller.id, NO_VOLUMES).sales))
    rates: list[tuple[str, Fraction, str]] = [_BASE_FIGURE[contract]]
    if seller.tier in _UPLIFT_FIGURE:
        rates.append(_UPLIFT_FIGURE[seller.tier])
    purchases = volumes.get(seller.id, NO_VOLUMES).purchases
    for start, _, index in LADDERS[version]:
        if purchases >= start:
            rates.append(_LADDER_FIGURE[index])
            break
    labelled: list[tuple[str, str, str, int, str]] = [
        (seller.id, "margin", f"margin on {txn.id}", lines[0][2], _DIRECT)]
    if contract == "solution":
        labelled.append((seller.id, "services", f"services on {txn.id}", lines[1][2],
                         "contract `solution`"))
    return (plain, tuple(rates), tuple(labelled), benefits, violations,
            _next_steps(seller, contract, version, volumes))
