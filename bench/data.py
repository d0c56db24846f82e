"""Seeded generators for the benchmark: partners, transactions and period-to-date volumes.

Every contender is measured on the same data: `quote_cases(program, n)` gives the partners, the
transactions and the volumes a quote reads, built straight into the runtime's model objects (the
quote benchmark measures quoting, not reading). `write_settlement_files` writes the ad_agency
program's partners and a large transactions CSV, one row at a time, for the settlement benchmark.

Standard library only; the same arguments always give the same data.
"""

from __future__ import annotations

import csv
import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from runtime.model import Partner, Transaction, Volumes

PROGRAMS = ("ad_agency", "saas_reseller", "regional_trading")
FY_START = datetime.date(2026, 4, 1)
FY_DAYS = 365
SEED = 2026

Row = dict[str, str]


@dataclass(frozen=True, slots=True)
class Cases:
    """What a quote benchmark runs on: partners by id, transactions, volumes by partner id."""

    program: str
    partners: dict[str, Partner]
    transactions: list[Transaction]
    volumes: dict[str, Volumes]


def _yen(rng: random.Random, low: int, high: int, step: int = 10_000) -> int:
    return rng.randrange(low // step, high // step + 1) * step


def _day(index: int, count: int) -> datetime.date:
    """The date of row `index` of `count`, spread evenly over fiscal year 2026 (so rows are in date order)."""
    return FY_START + datetime.timedelta(days=index * FY_DAYS // max(count, 1))


# --- ad_agency: a three-level agency hierarchy -----------------------------------------------------

AGENCY_PARTNER_COLUMNS = ("id", "contract", "tier", "level", "parent", "trailing_spend", "certified_operators",
                          "nda_signed", "focus", "open_leads")
AGENCY_TRANSACTION_COLUMNS = ("id", "date", "partner", "contract", "product", "list_price", "sell_price", "quantity",
                              "placement", "ad_spend")
INDUSTRIES = ("retail", "finance", "games", "travel", "consumer_goods", "media")
RATE_CARD = {"in_feed": (300_000, 2_500_000), "video": (800_000, 4_000_000), "takeover": (3_000_000, 6_000_000)}
# Malformed rows (about 1 in 1,000 in the settlement file): each breaks one thing the reader rejects.
MALFORMED = (("date", "2026-02-30"), ("list_price", "12O0000"), ("placement", "banner"), ("partner", ""),
             ("partner", "ag9-999"), ("sell_price", "980000.5"), ("quantity", "two"))


def agency_partner_rows(rng: random.Random, networks: int = 20) -> list[Row]:
    """`networks` 1st-tier agencies, 4–10 2nd-tier under each, 0–2 3rd-tier under those, and 8 introducers.

    With the default of 20 networks that is about 300 partners.
    """
    rows: list[Row] = []

    def add(pid: str, contract: str, level: int, parent: str, spend: int, ops: int) -> None:
        tier = "premier" if level == 1 and spend >= 1_000_000_000 and ops >= 5 else \
            "certified" if spend >= 100_000_000 and ops >= 2 else "registered"
        rows.append({"id": pid, "contract": contract, "tier": tier, "level": str(level), "parent": parent,
                     "trailing_spend": str(spend), "certified_operators": str(ops),
                     "nda_signed": rng.choice(("true", "true", "false")), "focus": rng.choice(INDUSTRIES),
                     "open_leads": str(rng.randrange(0, 25))})

    second = third = 0
    for n in range(1, networks + 1):
        top = f"ag1-{n:02d}"
        add(top, "agency", 1, "", _yen(rng, 300_000_000, 3_000_000_000, 1_000_000), rng.randrange(2, 12))
        for _ in range(rng.randrange(4, 11)):
            second += 1
            mid = f"ag2-{second:03d}"
            add(mid, "agency", 2, top, _yen(rng, 30_000_000, 400_000_000, 1_000_000), rng.randrange(0, 5))
            for _ in range(rng.randrange(0, 3)):
                third += 1
                add(f"ag3-{third:03d}", "agency", 3, mid, _yen(rng, 5_000_000, 80_000_000, 1_000_000),
                    rng.randrange(0, 3))
    for n in range(1, 9):
        add(f"intro-{n:02d}", "introducer", 1, "", 0, 0)
    return rows


def agency_transaction_rows(rng: random.Random, partners: list[Row], count: int,
                            malformed: float = 0.0) -> Iterator[Row]:
    """`count` rows in date order over fiscal year 2026: sales, performance campaigns, ~3% refunds.

    A fraction `malformed` of the rows carries one mistake from MALFORMED. Rows are made one at a
    time: the generator holds only the last 200 sales (for refunds), never the whole file.
    """
    agencies = [p["id"] for p in partners if p["contract"] == "agency"]
    weights = [8.0 if p["level"] == "1" else 3.0 if p["level"] == "2" else 1.0
               for p in partners if p["contract"] == "agency"]
    introducers = [p["id"] for p in partners if p["contract"] == "introducer"]
    recent: list[Row] = []
    bad = 0
    for n in range(count):
        day = _day(n, count).isoformat()
        if recent and rng.random() < 0.03:  # a cancellation of a recent placement, in full or in part
            original = rng.choice(recent)
            row = dict(original, date=day, ad_spend="0", quantity=str(-rng.randrange(1, int(original["quantity"]) + 1)))
        else:
            seller = rng.choice(introducers) if rng.random() < 0.04 else rng.choices(agencies, weights)[0]
            row = _agency_sale(rng, day, seller)
            if row["product"] == "reserved":
                recent.append(row)
                if len(recent) > 200:
                    del recent[0]
        if malformed and rng.random() < malformed:
            column, value = MALFORMED[bad % len(MALFORMED)]
            row = dict(row, **{column: value})
            bad += 1
        row["id"] = f"T{n + 1:07d}"
        yield row


def _agency_sale(rng: random.Random, day: str, seller: str) -> Row:
    if rng.random() < 0.3:  # a performance campaign: a set-up fee, and media spend passed through at cost
        list_price = _yen(rng, 100_000, 300_000)
        return {"id": "", "date": day, "partner": seller, "contract": "", "product": "performance",
                "list_price": str(list_price), "sell_price": str(list_price), "quantity": "1",
                "placement": rng.choice(("in_feed", "video")), "ad_spend": str(_yen(rng, 500_000, 8_000_000))}
    placement = rng.choices(("in_feed", "video", "takeover"), (0.6, 0.3, 0.1))[0]
    list_price = _yen(rng, *RATE_CARD[placement])
    discount = rng.choice((0, 0, 0, 2, 5, 8, 10))
    if rng.random() < 0.01:
        discount = rng.choice((-5, 15))  # above the list price, or below the 10% floor: reported, not rejected
    sell_price = list_price * (100 - discount) // 100 // 1000 * 1000
    quantity = rng.randrange(1, 8) if seller.startswith("intro") else rng.randrange(1, 4)  # a large order now and then
    return {"id": "", "date": day, "partner": seller, "contract": "", "product": "reserved",
            "list_price": str(list_price), "sell_price": str(sell_price), "quantity": str(quantity),
            "placement": placement, "ad_spend": "0"}


def _agency_partner(row: Row) -> Partner:
    fields = {"trailing_spend": int(row["trailing_spend"]), "certified_operators": int(row["certified_operators"]),
              "nda_signed": row["nda_signed"] == "true", "focus": row["focus"], "open_leads": int(row["open_leads"])}
    return Partner(row["id"], row["contract"], row["tier"], int(row["level"]), row["parent"] or None, fields)


def _agency_transaction(row: Row) -> Transaction:
    return Transaction(row["id"], datetime.date.fromisoformat(row["date"]), row["partner"], int(row["list_price"]),
                       int(row["sell_price"]), int(row["quantity"]), row["contract"] or None, row["product"],
                       {"placement": row["placement"], "ad_spend": int(row["ad_spend"])})


def _agency_cases(rng: random.Random, count: int) -> tuple[list[Partner], list[Transaction]]:
    rows = agency_partner_rows(rng)
    txns = [_agency_transaction(r) for r in agency_transaction_rows(rng, rows, count)]
    return [_agency_partner(r) for r in rows], txns


# --- saas_reseller: resellers, solution partners, referral partners; no hierarchy -------------------

REGIONS = ("hokkaido", "tohoku", "kanto", "chubu", "kansai", "chugoku", "shikoku", "kyushu")
SEGMENTS = ("enterprise", "mid_market", "smb")


def _saas_cases(rng: random.Random, count: int) -> tuple[list[Partner], list[Transaction]]:
    partners: list[Partner] = []
    for n in range(1, 61):
        contract = "reseller" if n <= 36 else "solution" if n <= 52 else "referral"
        sales = _yen(rng, 5_000_000, 600_000_000, 1_000_000)
        engineers = rng.randrange(0, 9)
        tier = "tier1" if sales >= 300_000_000 and engineers >= 5 else \
            "tier2" if sales >= 50_000_000 and engineers >= 2 else "tier3"
        fields = {"trailing_sales": sales, "certified_engineers": engineers, "nda_signed": rng.random() < 0.6,
                  "region": rng.choice(REGIONS), "segment": rng.choice(SEGMENTS), "open_leads": rng.randrange(0, 8),
                  "lead_capacity": rng.randrange(3, 12)}
        partners.append(Partner(f"{contract[:3]}-{n:02d}", contract, tier, fields=fields))
    txns: list[Transaction] = []
    for n in range(count):
        seller = rng.choice(partners)
        list_price = _yen(rng, 100_000, 5_000_000, 1_000)
        discount = rng.choice((0, 0, 3, 5, 8, 10, 12, -2))
        sell_price = list_price * (100 - discount) // 100
        quantity = rng.randrange(1, 21) * (-1 if rng.random() < 0.03 else 1)
        services = _yen(rng, 0, 3_000_000, 1_000) if seller.contract == "solution" else 0
        txns.append(Transaction(f"S{n + 1:07d}", _day(n, count), seller.id, list_price, sell_price, quantity,
                                None, "licence", {"services_amount": services}))
    return partners, txns


# --- regional_trading: one trading company per region, integrators, introducers -----------------------

CATEGORIES = ("sensors", "vision", "controllers", "spare_parts")


def _trading_cases(rng: random.Random, count: int) -> tuple[list[Partner], list[Transaction]]:
    partners: list[Partner] = []
    for n in range(1, 41):
        contract = "trading" if n <= 8 else "integrator" if n <= 34 else "introducer"
        sales = _yen(rng, 50_000_000, 3_000_000_000, 1_000_000)
        engineers = rng.randrange(0, 14)
        tier = "tier1" if sales >= 2_000_000_000 and engineers >= 10 else \
            "tier2" if sales >= 500_000_000 and engineers >= 3 else "tier3"
        fields = {"territory": REGIONS[(n - 1) % len(REGIONS)], "specialty": rng.choice(CATEGORIES),
                  "trailing_sales": sales, "certified_engineers": engineers, "nda_signed": rng.random() < 0.5,
                  "open_leads": rng.randrange(0, 25)}
        partners.append(Partner(f"{contract[:3]}-{n:02d}", contract, tier, fields=fields))
    txns: list[Transaction] = []
    for n in range(count):
        seller = rng.choice(partners)
        list_price = _yen(rng, 50_000, 3_000_000, 1)  # any yen: half-up rounding has halves to round
        discount = rng.choice((0, 0, 2, 4, 6, 8, 10, -3))
        sell_price = list_price * (100 - discount) // 100
        quantity = rng.randrange(1, 51) * (-1 if rng.random() < 0.03 else 1)
        integration = _yen(rng, 0, 5_000_000, 1_000) if seller.contract == "integrator" else 0
        txns.append(Transaction(f"R{n + 1:07d}", _day(n, count), seller.id, list_price, sell_price, quantity,
                                None, "sensor", {"category": rng.choice(CATEGORIES),
                                                 "integration_amount": integration}))
    return partners, txns


_MAKERS: dict[str, Callable[[random.Random, int], tuple[list[Partner], list[Transaction]]]] = {
    "ad_agency": _agency_cases, "saas_reseller": _saas_cases, "regional_trading": _trading_cases}


def _volumes(rng: random.Random, partners: list[Partner]) -> dict[str, Volumes]:
    """Period-to-date volumes for most partners (a few have none yet), spread across every ladder step."""
    volumes: dict[str, Volumes] = {}
    for p in partners:
        if rng.random() < 0.1:
            continue
        purchases = _yen(rng, 0, 2_600_000_000, 1_000)
        sales = purchases * rng.randrange(105, 130) // 100
        volumes[p.id] = Volumes(sales, purchases, sales * 110 // 100, rng.randrange(0, 5_000),
                                rng.randrange(0, 400))
    return volumes


def quote_cases(program: str, count: int, seed: int = SEED) -> Cases:
    """The partners, `count` transactions and the volumes for the quote benchmark of a program."""
    rng = random.Random(f"{seed}:{program}")
    partners, txns = _MAKERS[program](rng, count)
    # A quote is of a sale the program accepts: a refund is settled against its sale (`refund_of`), never quoted
    # on its own, and every example program rejects a sale above the list price.
    txns = [t for t in txns if t.quantity > 0 and t.sell_price <= t.list_price]
    return Cases(program, {p.id: p for p in partners}, txns, _volumes(rng, partners))


def write_settlement_files(out: Path, rows: int, seed: int = SEED, malformed: float = 0.001) -> tuple[Path, Path]:
    """Write ad_agency `partners.csv` and a `rows`-row `transactions.csv` into `out`, streaming."""
    rng = random.Random(f"{seed}:settle")
    partners = agency_partner_rows(rng)
    out.mkdir(parents=True, exist_ok=True)
    partners_path, transactions_path = out / "partners.csv", out / "transactions.csv"
    for path, columns, items in ((partners_path, AGENCY_PARTNER_COLUMNS, iter(partners)),
                                 (transactions_path, AGENCY_TRANSACTION_COLUMNS,
                                  agency_transaction_rows(rng, partners, rows, malformed))):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(items)
    return partners_path, transactions_path
