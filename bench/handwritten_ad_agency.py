"""programs/ad_agency.yaml's quote written by hand: the speed-of-light reference for the benchmark.

Plain Python with integer arithmetic: rates are basis points (1% = 100), amounts yen, rounding
down (toward zero) to ¥1. It computes what the runtime's quote computes for this one program —
version, margin, wholesale, the distributor chain, lines, benefits, violations — and `explain`
adds every figure's rule, the line labels, the violation messages and the next-step hints, as
strings equal to the runtime's. Nothing here is general: the program's values are written in.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from runtime.model import Partner, Transaction, Volumes

FIRST_DAY = datetime.date(2026, 4, 1)
SECOND_HALF = datetime.date(2026, 10, 1)  # version 2026.10: the fund rises to ¥5M
LEVEL_BP = {1: 2000, 2: 1500, 3: 1000}
UPLIFT_BP = {"premier": 200, "certified": 100}
TAKEOVER_CAP_BP = 2000
LADDER = ((1_000_000_000, 200, 2), (500_000_000, 100, 1), (0, 0, 0))  # (from, bp, step index), highest first
LADDER_STARTS = ((0, "0%"), (500_000_000, "1%"), (1_000_000_000, "2%"))
BONUS_TARGETS = (500_000_000, 1_000_000_000)
REFERRAL_CAP = 1_000_000
NO_VOLUMES = Volumes()
Answer = tuple[Any, ...]

_TITLES = {"priority-leads": "Priority lead referral",
           "campaign-preview": "Early notice of new ad formats and TV campaigns",
           "onsite-desk": "A desk for agency staff in the NewsWave office", "mdf": "Marketing development fund",
           "training": "Ad-operations training and certification"}


_TIER_BENEFITS = {"premier": ("priority-leads", "campaign-preview", "onsite-desk", "mdf", "training"),
                  "certified": ("mdf", "training"), "registered": ("training",)}


def _benefit_ids(tier: str, nda: bool) -> tuple[str, ...]:
    return tuple(b for b in _TIER_BENEFITS[tier] if b != "campaign-preview" or nda)


def _value(benefit: str, version: str) -> int:
    return (5_000_000 if version == "2026.10" else 3_000_000) if benefit == "mdf" else 0


_KEYS = [(tier, nda, version) for tier in _TIER_BENEFITS for nda in (True, False)
         for version in ("2026.04", "2026.10")]
BenefitKey = tuple[str | None, bool, str]  # (tier, NDA signed, version)
BENEFITS: dict[BenefitKey, tuple[tuple[str, int], ...]] = {
    (t, n, v): tuple((_TITLES[b], _value(b, v)) for b in _benefit_ids(t, n)) for t, n, v in _KEYS}
BENEFIT_RULES: dict[BenefitKey, tuple[tuple[str, int, str], ...]] = {
    (t, n, v): tuple((_TITLES[b], _value(b, v), f"benefit `{b}`") for b in _benefit_ids(t, n)) for t, n, v in _KEYS}


def _down(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded toward zero."""
    return numerator // denominator if numerator >= 0 else -(-numerator // denominator)


def _chain(seller: Partner, partners: Mapping[str, Partner]) -> list[Partner]:
    chain = [seller]
    while chain[-1].parent is not None:
        chain.append(partners[chain[-1].parent])
    chain.reverse()
    return chain


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
    benefits = BENEFITS[(seller.tier, seller.fields["nda_signed"], version)]
    contract = txn.contract or seller.contract
    if contract == "introducer":
        fee = sell_amount * 5  # hundredths of a yen: 5% of the sell amount
        if fee > REFERRAL_CAP * 100:
            amount = REFERRAL_CAP
        elif fee < -REFERRAL_CAP * 100:
            amount = -REFERRAL_CAP
        else:
            amount = _down(fee, 100)
        return (version, contract, 0, None, 0, (), ((seller.id, "referral_fee", amount),), benefits, violations)
    chain = _chain(seller, partners) if seller.parent is not None else [seller]
    first = chain[0]
    margin = LEVEL_BP[first.level] + UPLIFT_BP.get(first.tier or "", 0)
    purchases = volumes.get(first.id, NO_VOLUMES).purchases
    for start, bp, _ in LADDER:
        if purchases >= start:
            margin += bp
            break
    if margin > TAKEOVER_CAP_BP and txn.fields["placement"] == "takeover":
        margin = TAKEOVER_CAP_BP
    shares = []
    pays = list_amount - _down(list_amount * margin, 10_000)  # the margin is rounded down; wholesale is the rest
    wholesale = pays
    rate = margin
    for k, partner in enumerate(chain):
        if k + 1 < len(chain):
            below = chain[k + 1]
            below_rate = LEVEL_BP[below.level]
            receives = list_amount - _down(list_amount * below_rate, 10_000)
        else:
            below_rate, receives = 0, sell_amount
        shares.append((partner.id, partner.level, rate, pays, receives, receives - pays))
        pays, rate = receives, below_rate
    lines = [(s[0], "margin", s[5]) for s in shares]
    spend = txn.fields["ad_spend"]
    if spend:
        if q < 0:
            spend = -abs(spend)
        lines.append((seller.id, "pass_through", spend))
        fee = _down(spend, 5)  # 20%, at most ¥1,000,000 either way (the pass-through's fee_cap)
        lines.append((seller.id, "fee", max(-FEE_CAP, min(FEE_CAP, fee))))
    return (version, contract, margin, wholesale, shares[-1][5], tuple(shares), tuple(lines), benefits, violations)


# --- explain: the same quote with every figure's rule, the labels, messages and next steps ---------------

_PCT = {0: Fraction(0), 100: Fraction(1, 100), 200: Fraction(1, 50), 1000: Fraction(1, 10), 1500: Fraction(3, 20),
        2000: Fraction(1, 5)}
_BASE_FIGURE = {level: ("base margin", _PCT[bp], f"hierarchy level {level}") for level, bp in LEVEL_BP.items()}
_UPLIFT_FIGURE = {tier: ("tier uplift", _PCT[bp], f"tier `{tier}`") for tier, bp in UPLIFT_BP.items()}
_LADDER_FIGURE = {index: ("ladder rate", _PCT[bp], f"ladder `annual-spend` step {index + 1}")
                  for _, bp, index in LADDER}
_CAP_FIGURE = ("margin cap", Fraction(1, 5), "margin cap `takeover-cap`")
_REFERRAL_RATE = ("referral fee rate", Fraction(1, 20), "contract `introducer`")
_REFERRAL_CAP = ("referral fee cap", REFERRAL_CAP, "contract `introducer`")
_DIRECT = "margin of the vendor's direct partner"
FEE_CAP = 1_000_000
_PASS_CAPPED = "fee on Performance campaign media spend (20%, capped at ¥1,000,000)"
_PASS = ("Performance campaign media spend at cost", "fee on Performance campaign media spend (20%)",
         "pass-through `media-spend`")


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


def _tier_steps(seller: Partner) -> tuple[str, ...]:
    fields = seller.fields
    if seller.tier == "registered":
        better, spend, ops = "certified", 100_000_000, 2
    elif seller.tier == "certified":
        if seller.level != 1:
            return ("tier `premier` requires `partner.level == 1`",)
        better, spend, ops = "premier", 1_000_000_000, 5
    else:
        return ()
    missing = []
    if fields["trailing_spend"] < spend:
        missing.append(f"{yen(spend - fields['trailing_spend'])} more `partner.trailing_spend`")
    if fields["certified_operators"] < ops:
        missing.append(f"{ops - fields['certified_operators']:,} more `partner.certified_operators`")
    return (f"{' and '.join(missing)} qualify for tier `{better}`",) if missing else ()


def _next_steps(first: Partner, seller: Partner, volumes: Mapping[str, Volumes]) -> tuple[str, ...]:
    v = volumes.get(first.id, NO_VOLUMES)
    steps = []
    for start, rate in LADDER_STARTS:
        if start > v.purchases:
            steps.append(f"{yen(start - v.purchases)} more purchases this period reach the {rate} step of ladder "
                         "`annual-spend`")
            break
    if first.level == 1:
        for target in BONUS_TARGETS:
            if target > v.sales:
                steps.append(f"{yen(target - v.sales)} more sales this period reach the next target of bonus "
                             "`agency-growth`")
                break
    return (*steps, *_tier_steps(seller))


def explain(txn: Transaction, partners: Mapping[str, Partner], volumes: Mapping[str, Volumes]) -> Answer:
    """`quote`, then rates, labelled lines, benefits with rules, violations with messages and next steps."""
    plain = quote(txn, partners, volumes)
    version, contract, margin, _, _, chain, lines = plain[:7]
    seller = partners[txn.partner]
    benefits = BENEFIT_RULES[(seller.tier, seller.fields["nda_signed"], version)]
    violations = _violations(txn.sell_price, txn.list_price)
    if contract == "introducer":
        amount = lines[0][2]
        capped = abs(txn.sell_price * txn.quantity * 5) > REFERRAL_CAP * 100
        fee_rates = (_REFERRAL_RATE, _REFERRAL_CAP) if capped else (_REFERRAL_RATE,)
        fee_line = ((seller.id, "referral_fee", f"referral fee on {txn.id}", amount, "contract `introducer`"),)
        return (plain, fee_rates, fee_line, benefits, violations, _tier_steps(seller))
    first = partners[chain[0][0]]
    rates: list[tuple[str, Fraction, str]] = [_BASE_FIGURE[first.level]]
    total = LEVEL_BP[first.level]
    if first.tier in _UPLIFT_FIGURE:
        rates.append(_UPLIFT_FIGURE[first.tier])
        total += UPLIFT_BP[first.tier]
    purchases = volumes.get(first.id, NO_VOLUMES).purchases
    for start, bp, index in LADDER:
        if purchases >= start:
            rates.append(_LADDER_FIGURE[index])
            total += bp
            break
    if margin != total:
        rates.append(_CAP_FIGURE)
    label = f"margin on {txn.id}"
    labelled: list[tuple[str, str, str, int, str]] = [
        (s[0], "margin", label, s[5], f"hierarchy level {s[1]}" if k else _DIRECT) for k, s in enumerate(chain)]
    for partner, kind, amount in lines[len(chain):]:
        text = _PASS[0] if kind == "pass_through" else _PASS[1] if abs(amount) < FEE_CAP or \
            abs(_down(txn.fields["ad_spend"], 5)) <= FEE_CAP else _PASS_CAPPED
        labelled.append((partner, kind, text, amount, _PASS[2]))
    return (plain, tuple(rates), tuple(labelled), benefits, violations, _next_steps(first, seller, volumes))
