"""programs/regional_trading.yaml's quote written by hand: the speed-of-light reference for the benchmark.

Plain Python with integer arithmetic: rates are basis points (1% = 100), amounts yen, rounding
half up (四捨五入, halves away from zero) to ¥1. No hierarchy. Margin caps by product category;
the introducer earns a fixed ¥300,000. `quote` gives the figures the runtime's quote gives for
this program; `explain` adds every figure's rule, the line labels, the violation messages and the
next-step hints, as strings equal to the runtime's.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from runtime.model import Partner, Transaction, Volumes

FIRST_DAY = datetime.date(2026, 4, 1)
FY2027 = datetime.date(2027, 4, 1)  # version 2027.04: the annual targets rise by 20%
MARGIN_BP = {"trading": 1000, "integrator": 800}
UPLIFT_BP = {"tier1": 200, "tier2": 100}
CAP_BP = {"spare_parts": 1000, "controllers": 1500}
# (least sales reaching the step, bp, step index), highest first: the steps are `above` 10億 and 20億 (超)
LADDER = ((2_000_000_001, 1000, 2), (1_000_000_001, 500, 1), (0, 0, 0))
VOLUME_CAP = 5_000_000_000  # the ladder counts no sales above 50億
TARGETS = {"2026.04": (1_000_000_000, 2_000_000_000), "2027.04": (1_200_000_000, 2_400_000_000)}
INTRODUCTION_FEE = 300_000
NO_VOLUMES = Volumes()
Answer = tuple[Any, ...]

_TITLES = {"priority-leads": "Priority lead referral", "roadmap-preview": "Early product roadmap access",
           "co-selling": "Joint plant visits with Hoshino engineers", "exhibition-fund": "Trade show fund",
           "training": "Product training"}
_TIER_BENEFITS = {"tier1": ("priority-leads", "roadmap-preview", "co-selling", "exhibition-fund", "training"),
                  "tier2": ("co-selling", "training"), "tier3": ("training",)}


def _benefit_ids(tier: str, nda: bool) -> tuple[str, ...]:
    return tuple(b for b in _TIER_BENEFITS[tier] if b != "roadmap-preview" or nda)


def _value(benefit: str) -> int:
    return 5_000_000 if benefit == "exhibition-fund" else 0


_KEYS = [(tier, nda) for tier in _TIER_BENEFITS for nda in (True, False)]
BenefitKey = tuple[str | None, bool]  # (tier, NDA signed)
BENEFITS: dict[BenefitKey, tuple[tuple[str, int], ...]] = {
    (t, n): tuple((_TITLES[b], _value(b)) for b in _benefit_ids(t, n)) for t, n in _KEYS}
BENEFIT_RULES: dict[BenefitKey, tuple[tuple[str, int, str], ...]] = {
    (t, n): tuple((_TITLES[b], _value(b), f"benefit `{b}`") for b in _benefit_ids(t, n)) for t, n in _KEYS}


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator (denominator > 0) rounded to the nearest whole, halves away from zero."""
    if numerator >= 0:
        return (2 * numerator + denominator) // (2 * denominator)
    return -((-2 * numerator + denominator) // (2 * denominator))


def quote(txn: Transaction, partners: Mapping[str, Partner], volumes: Mapping[str, Volumes]) -> Answer:
    """(version, contract, margin bp, wholesale, partner gross, chain, lines, benefits, violations)."""
    seller = partners[txn.partner]
    day = txn.date
    if day < FIRST_DAY:
        raise ValueError(f"no version in force on {day}")
    version = "2027.04" if day >= FY2027 else "2026.04"
    q = txn.quantity
    list_price, sell_price = txn.list_price, txn.sell_price
    list_amount, sell_amount = list_price * q, sell_price * q
    violations: tuple[str, ...] = ()
    if sell_price > list_price:
        violations = ("above_list",)
    elif sell_price * 25 < list_price * 23:
        violations = ("below_floor",)
    benefits = BENEFITS[(seller.tier, seller.fields["nda_signed"])]
    contract = txn.contract or seller.contract
    if contract == "introducer":
        fee = INTRODUCTION_FEE if q >= 0 else -INTRODUCTION_FEE
        return (version, contract, 0, None, 0, (), ((seller.id, "referral_fee", fee),), benefits, violations)
    margin = MARGIN_BP[contract] + UPLIFT_BP.get(seller.tier or "", 0)
    if contract == "trading":
        sales = min(volumes.get(seller.id, NO_VOLUMES).sales, VOLUME_CAP)
        for start, bp, _ in LADDER:
            if sales >= start:
                margin += bp
                break
    cap = CAP_BP.get(txn.fields["category"])
    if cap is not None and cap < margin:
        margin = cap
    wholesale = list_amount - _half_up(list_amount * margin, 10_000)  # the margin is rounded half up
    gross = sell_amount - wholesale
    lines: tuple[tuple[str, str, int], ...] = ((seller.id, "margin", gross),)
    if contract == "integrator":
        services = txn.fields["integration_amount"]
        lines += ((seller.id, "services", -abs(services) if q < 0 else services),)
    return (version, contract, margin, wholesale, gross, ((seller.id, 1, margin, wholesale, sell_amount, gross),),
            lines, benefits, violations)


# --- explain: the same quote with every figure's rule, the labels, messages and next steps ---------------

_PCT = {0: Fraction(0), 100: Fraction(1, 100), 200: Fraction(1, 50), 500: Fraction(1, 20), 1000: Fraction(1, 10)}
_BASE_FIGURE = {"trading": ("base margin", Fraction(1, 10), "contract `trading`"),
                "integrator": ("base margin", Fraction(2, 25), "contract `integrator`")}
_UPLIFT_FIGURE = {tier: ("tier uplift", _PCT[bp], f"tier `{tier}`") for tier, bp in UPLIFT_BP.items()}
_LADDER_FIGURE = {index: ("ladder rate", _PCT[bp], f"ladder `annual-sales` step {index + 1}")
                  for _, bp, index in LADDER}
_CAP_FIGURE = {"spare_parts": ("margin cap", Fraction(1, 10), "margin cap `spare-parts-cap`"),
               "controllers": ("margin cap", Fraction(3, 20), "margin cap `controllers-cap`")}
_DIRECT = "margin of the vendor's direct partner"
_LADDER_STARTS = ((0, "0%"), (1_000_000_001, "5%"), (2_000_000_001, "10%"))


def yen(amount: int) -> str:
    """¥1,200,000 (and -¥1,200,000)."""
    return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"


def _violations(sell_price: int, list_price: int) -> tuple[tuple[str, str, str], ...]:
    if sell_price > list_price:
        return (("above_list", f"sell price {yen(sell_price)} is above the list price {yen(list_price)}",
                 "price rules: ceiling"),)
    if sell_price * 25 < list_price * 23:
        return (("below_floor", f"sell price {yen(sell_price)} is below the floor {yen(-(-list_price * 23 // 25))} "
                 "(list less 8%)", "price rules: max discount"),)
    return ()


def _tier_steps(seller: Partner) -> tuple[str, ...]:
    if seller.tier == "tier3":
        better, sales, engineers = "tier2", 500_000_000, 3
    elif seller.tier == "tier2":
        better, sales, engineers = "tier1", 2_000_000_000, 10
    else:
        return ()
    fields = seller.fields
    missing = []
    if fields["trailing_sales"] < sales:
        missing.append(f"{yen(sales - fields['trailing_sales'])} more `partner.trailing_sales`")
    if fields["certified_engineers"] < engineers:
        missing.append(f"{engineers - fields['certified_engineers']:,} more `partner.certified_engineers`")
    return (f"{' and '.join(missing)} qualify for tier `{better}`",) if missing else ()


def _next_steps(seller: Partner, version: str, volumes: Mapping[str, Volumes]) -> tuple[str, ...]:
    sales = volumes.get(seller.id, NO_VOLUMES).sales
    steps = []
    for start, rate in _LADDER_STARTS:
        if start > sales:
            steps.append(f"{yen(start - sales)} more sales this period reach the {rate} step of ladder `annual-sales`")
            break
    if seller.tier in ("tier1", "tier2"):
        for target in TARGETS[version]:
            if target > sales:
                steps.append(f"{yen(target - sales)} more sales this period reach the next target of bonus "
                             "`annual-target`")
                break
    return (*steps, *_tier_steps(seller))


def explain(txn: Transaction, partners: Mapping[str, Partner], volumes: Mapping[str, Volumes]) -> Answer:
    """`quote`, then rates, labelled lines, benefits with rules, violations with messages and next steps."""
    plain = quote(txn, partners, volumes)
    version, contract, margin, _, _, _, lines = plain[:7]
    seller = partners[txn.partner]
    benefits = BENEFIT_RULES[(seller.tier, seller.fields["nda_signed"])]
    violations = _violations(txn.sell_price, txn.list_price)
    if contract == "introducer":
        fee_line = ((seller.id, "referral_fee", f"referral fee on {txn.id}", lines[0][2],
                     "contract `introducer`"),)
        return (plain, (), fee_line, benefits, violations, _tier_steps(seller))
    rates: list[tuple[str, Fraction, str]] = [_BASE_FIGURE[contract]]
    total = MARGIN_BP[contract]
    if seller.tier in _UPLIFT_FIGURE:
        rates.append(_UPLIFT_FIGURE[seller.tier])
        total += UPLIFT_BP[seller.tier]
    steps: tuple[str, ...] = _tier_steps(seller)
    if contract == "trading":
        sales = min(volumes.get(seller.id, NO_VOLUMES).sales, VOLUME_CAP)
        for start, bp, index in LADDER:
            if sales >= start:
                rates.append(_LADDER_FIGURE[index])
                total += bp
                break
        steps = _next_steps(seller, version, volumes)
    if margin != total:
        rates.append(_CAP_FIGURE[txn.fields["category"]])
    labelled: list[tuple[str, str, str, int, str]] = [
        (seller.id, "margin", f"margin on {txn.id}", lines[0][2], _DIRECT)]
    if contract == "integrator":
        labelled.append((seller.id, "services", f"services on {txn.id}", lines[1][2],
                         "contract `integrator`"))
    return (plain, tuple(rates), tuple(labelled), benefits, violations, steps)
