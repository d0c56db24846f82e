"""Write sample partners and transactions for `programs/ad_agency.yaml` (NewsWave's agency program).

Deterministic (seeded) and standard library only. The partners form the program's three-level
hierarchy: a few 1st-tier agencies contracted directly (`parent` empty), 2nd-tier agencies under
them and 3rd-tier agencies under those, plus a few introducers (referral contract). The
transactions cover fiscal year 2026 (April 2026 to March 2027): reserved placements bought at the
rate card less the margin, performance campaigns whose media spend passes through at cost, refunds
and cancellations (rows that name the sale they reverse in `refund_of` and return units with a
negative quantity), a few sales that break the price rules (reported, not rejected), and a handful
of deliberately malformed rows (among them a refund of more than remains and a refund of an unknown
sale) so that the rejects path shows.

    python examples/generate_sample.py                       # examples/data/{partners,transactions}.csv
    python examples/generate_sample.py --transactions 50000 --malformed 0.01 --out /tmp/big
"""

from __future__ import annotations

import argparse
import csv
import datetime
import random
from pathlib import Path

FY_START = datetime.date(2026, 4, 1)
FY_DAYS = 365
INDUSTRIES = ("retail", "finance", "games", "travel", "consumer_goods", "media")
PARTNER_COLUMNS = ("id", "name", "contract", "tier", "level", "parent", "trailing_spend", "certified_operators",
                   "nda_signed", "focus", "open_leads")
TRANSACTION_COLUMNS = ("id", "date", "partner", "contract", "product", "list_price", "sell_price", "quantity",
                       "placement", "ad_spend", "refund_of")
# (level-1 agency, its share of the network's business): one large network, several mid-sized, a small one.
NETWORKS = (("ag1-01", "Sakura Media Partners", 0.34), ("ag1-02", "Kanto Ad Works", 0.24),
            ("ag1-03", "Blue Harbor Agency", 0.18), ("ag1-04", "Minato Digital", 0.15),
            ("ag1-05", "Hokuriku Koukoku", 0.067))
RATE_CARD = {"in_feed": (300_000, 2_500_000), "video": (800_000, 4_000_000), "takeover": (3_000_000, 6_000_000)}


def _yen(rng: random.Random, low: int, high: int, step: int = 10_000) -> int:
    return rng.randrange(low // step, high // step + 1) * step


def make_partners(rng: random.Random) -> list[dict[str, str]]:
    """Five 1st-tier agencies, two to four 2nd-tier under each, some 3rd-tier under those, and introducers."""
    rows: list[dict[str, str]] = []

    def add(pid: str, name: str, contract: str, level: int, parent: str, spend: int, ops: int) -> None:
        tier = "premier" if level == 1 and spend >= 1_000_000_000 and ops >= 5 else \
            "certified" if spend >= 100_000_000 and ops >= 2 else "registered"
        rows.append({"id": pid, "name": name, "contract": contract, "tier": tier, "level": str(level),
                     "parent": parent, "trailing_spend": str(spend), "certified_operators": str(ops),
                     "nda_signed": rng.choice(("true", "true", "false")), "focus": rng.choice(INDUSTRIES),
                     "open_leads": str(rng.randrange(0, 25))})

    second = third = 0
    for pid, name, share in NETWORKS:
        add(pid, name, "agency", 1, "", _yen(rng, int(share * 4e9), int(share * 5e9), 1_000_000),
            rng.randrange(3, 12))
        for _ in range(rng.randrange(2, 5)):
            second += 1
            sid = f"ag2-{second:02d}"
            add(sid, f"{name.split()[0]} Affiliate {second}", "agency", 2, pid,
                _yen(rng, 30_000_000, 400_000_000, 1_000_000), rng.randrange(0, 5))
            for _ in range(rng.randrange(0, 3)):
                third += 1
                add(f"ag3-{third:02d}", f"Local Agency {third}", "agency", 3, sid,
                    _yen(rng, 5_000_000, 80_000_000, 1_000_000), rng.randrange(0, 3))
    for n in range(1, 5):
        add(f"intro-{n:02d}", f"Introducer {n}", "introducer", 1, "", 0, 0)
    return rows


def _network_members(partners: list[dict[str, str]]) -> dict[str, list[str]]:
    top = {p["id"]: p["id"] for p in partners if p["level"] == "1" and p["contract"] == "agency"}
    for level in ("2", "3"):
        for p in partners:
            if p["level"] == level:
                top[p["id"]] = top[p["parent"]]
    members: dict[str, list[str]] = {}
    for pid, root in top.items():
        members.setdefault(root, []).append(pid)
    return members


def _sale(rng: random.Random, day: datetime.date, seller: str) -> dict[str, str]:
    if rng.random() < 0.3:  # a performance campaign: a set-up fee, and media spend passed through at cost
        placement = rng.choice(("in_feed", "video"))
        list_price = _yen(rng, 100_000, 300_000)
        return {"id": "", "date": day.isoformat(), "partner": seller, "contract": "", "product": "performance",
                "list_price": str(list_price), "sell_price": str(list_price), "quantity": "1",
                "placement": placement, "ad_spend": str(_yen(rng, 500_000, 8_000_000))}
    placement = rng.choices(("in_feed", "video", "takeover"), (0.6, 0.3, 0.1))[0]
    list_price = _yen(rng, *RATE_CARD[placement])
    discount = rng.choice((0, 0, 0, 2, 5, 8, 10))
    if rng.random() < 0.01:
        discount = rng.choice((-5, 15))  # above the list price, or below the 10% floor: reported, not rejected
    sell_price = list_price * (100 - discount) // 100 // 1000 * 1000
    return {"id": "", "date": day.isoformat(), "partner": seller, "contract": "", "product": "reserved",
            "list_price": str(list_price), "sell_price": str(sell_price), "quantity": str(rng.randrange(1, 4)),
            "placement": placement, "ad_spend": "0"}


# Each malformed row breaks one thing; the reader rejects it with the code in the comment.
MALFORMED = (
    ("date", "2026-02-30"),         # E521: no such day
    ("list_price", "12O0000"),      # E521: a letter O among the digits
    ("placement", "banner"),        # E522: not a member of `placement`
    ("partner", ""),                # E520: missing partner
    ("partner", "ag9-99"),          # E511: a partner nobody knows (rejected by the settlement)
    ("sell_price", "980000.5"),     # E523: finer than the yen
    ("quantity", "two"),            # E521: not a whole number
    ("date", "2027-04-01"),         # E514: outside the fiscal year
)


def make_transactions(rng: random.Random, partners: list[dict[str, str]], count: int,
                      malformed: float) -> list[dict[str, str]]:
    """`count` rows dated over FY2026, in date order: sales, refunds (about 3%, naming their sale in `refund_of`)
    and malformed rows.

    Ids are T000001, T000002, … in date order.
    """
    members = _network_members(partners)
    weights = {pid: share for pid, _, share in NETWORKS}
    roots = list(members)
    introducers = [p["id"] for p in partners if p["contract"] == "introducer"]
    special = _cancelled_order() if count > 4 else []
    days = sorted(FY_START + datetime.timedelta(days=rng.randrange(FY_DAYS)) for _ in range(count - len(special)))
    rows: list[dict[str, str]] = []
    sales: list[tuple[dict[str, str], dict[str, str]]] = []
    bad = 0
    for n, day in enumerate(days, 1):
        if sales and rng.random() < 0.03:  # a cancellation of an earlier placement, in full or in part
            clean, original = rng.choice(sales[-200:])  # now and then one refunded before: perhaps too much
            row = dict(clean, date=day.isoformat(), ad_spend="0", of=original,
                       quantity=str(-rng.randrange(1, int(clean["quantity"]) + 1)))
        else:
            if rng.random() < 0.04:
                seller = rng.choice(introducers)
            else:
                root = rng.choices(roots, [weights[r] for r in roots])[0]
                seller = rng.choice(members[root])
            row = _sale(rng, day, seller)
            if row["product"] == "reserved":
                sales.append((dict(row), row))  # as sold, and the row (which may be made malformed below)
        if rng.random() < malformed or (malformed == 0 and n % max(1, count // len(MALFORMED)) == 7):
            column, value = MALFORMED[bad % len(MALFORMED)]
            row[column] = value
            bad += 1
        rows.append(row)
    rows.extend(special)
    rows.sort(key=lambda r: r["date"])  # stable: the order is by date, then as generated
    for n, row in enumerate(rows, 1):
        row["id"] = f"T{n:06d}"
    for row in rows:  # a refund names its sale (an earlier row: a refund is dated on or after its sale)
        of = row.pop("of", None)
        row["refund_of"] = of["id"] if isinstance(of, dict) else of or ""
    return rows


def _cancelled_order() -> list[dict[str, str]]:
    """A large takeover order by the smallest network, cancelled at year end.

    The order lifts the network's gross volume over the first ladder step and bonus target, and the
    cancellation takes its net volume back under them: the statement shows the clawback lines.
    """
    sale = {"id": "", "date": "2026-10-15", "partner": "ag1-05", "contract": "", "product": "reserved",
            "list_price": "6000000", "sell_price": "6000000", "quantity": "25", "placement": "takeover",
            "ad_spend": "0"}
    # The cancellation; then, deliberately bad, a refund of a unit that no longer remains (E544) and a refund
    # of a sale that is not in the file (E543).
    return [sale, dict(sale, date="2027-03-25", quantity="-25", of=sale),
            dict(sale, date="2027-03-26", quantity="-1", of=sale),
            dict(sale, date="2027-03-27", quantity="-1", of="T999999")]


def write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    """A CSV file with a header, `\\n` line ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def generate(out: Path, transactions: int = 3000, malformed: float = 0.0, seed: int = 2026) -> tuple[Path, Path]:
    """Write `partners.csv` and `transactions.csv` into `out`; the same arguments always give the same files.

    With `malformed` 0, one row in every `transactions / 8` is malformed (eight in all, one of each kind);
    otherwise each row is malformed with that probability.
    """
    rng = random.Random(seed)
    partners = make_partners(rng)
    rows = make_transactions(rng, partners, transactions, malformed)
    write(out / "partners.csv", PARTNER_COLUMNS, partners)
    write(out / "transactions.csv", TRANSACTION_COLUMNS, rows)
    return out / "partners.csv", out / "transactions.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data")
    parser.add_argument("--transactions", type=int, default=3000)
    parser.add_argument("--malformed", type=float, default=0.0, help="probability that a row is malformed")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    for path in generate(args.out, args.transactions, args.malformed, args.seed):
        print(path)


if __name__ == "__main__":
    main()
