"""The example programs, each with a revision and a few rows whose figures are worked out by hand in the tests.

A revision is the program's text with one or two values replaced (each replacement must match exactly once), so
the revised program is what a pull request would hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ppl.common import load_partners, load_ruleset, parse_period
from runtime import impact as mi
from runtime import ir

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True, slots=True)
class Example:
    """A program (a file of programs/, or a path), its revision (text replacements), partners and transactions (CSV)
    and a period."""

    program: str
    replacements: tuple[tuple[str, str], ...]
    partners: str
    transactions: str
    period: str


SAAS = Example(
    "saas_reseller.yaml",
    # Step 2 of the volume ladder (from ¥1億) pays 3% instead of 2%; the growth bonus's first target falls from
    # ¥3億 to ¥1.5億.
    (("      - from: 1億\n        rate: 2%\n      - from: 5億",
      "      - from: 1億\n        rate: 3%\n      - from: 5億"),
     ("      - target: 3億", "      - target: 1.5億")),
    "id,contract,tier,trailing_sales,certified_engineers,nda_signed,region,segment,open_leads,lead_capacity\n"
    "r1,reseller,tier2,100000000,3,true,kanto,smb,0,5\n"
    "r2,reseller,tier3,0,0,false,kanto,smb,0,5\n",
    "id,date,partner,list_price,sell_price,quantity,services_amount\n"
    "s1,2026-05-10,r1,150000000,150000000,1,0\n"
    "s2,2026-05-20,r1,20000000,19000000,2,0\n"
    "s3,2026-05-21,r2,10000000,10000000,1,0\n",
    "2026-05")

REGIONAL = Example(
    "regional_trading.yaml",
    # The first ladder bracket begins above ¥8億 instead of ¥10億.
    (("      - above: 10億", "      - above: 8億"),),
    "id,contract,tier,territory,specialty,trailing_sales,certified_engineers,nda_signed,open_leads\n"
    "t1,trading,tier3,kanto,sensors,0,0,false,0\n"
    "t2,trading,tier3,kansai,sensors,0,0,false,0\n",
    "id,date,partner,list_price,sell_price,quantity,category,integration_amount\n"
    "h1,2026-05-12,t1,300000000,300000000,3,sensors,0\n"
    "h2,2026-05-13,t2,50000000,50000000,1,vision,0\n",
    "2026-05")

AD = Example(
    "ad_agency.yaml",
    # The volume ladder's first step starts at ¥4.5億 instead of ¥5億; the growth bonus's first target rises from
    # ¥5億 to ¥7億.
    (("      - from: 5億", "      - from: 4.5億"), ("      - target: 5億", "      - target: 7億")),
    "id,contract,tier,level,parent,trailing_spend,certified_operators,nda_signed,focus,open_leads\n"
    "a1,agency,registered,1,,0,0,false,retail,0\n"
    "a2,agency,registered,1,,0,0,false,retail,0\n",
    "id,date,partner,contract,product,list_price,sell_price,quantity,placement,ad_spend,refund_of\n"
    "x1,2026-05-11,a1,,reserved,600000000,600000000,1,in_feed,0,\n"
    "x2,2026-05-12,a2,,reserved,100000000,100000000,1,video,0,\n",
    "2026-05")


def revised_text(example: Example) -> str:
    """The program's text with the example's replacements made."""
    text = (ROOT / "programs" / example.program).read_text(encoding="utf-8")
    for old, new in example.replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def write_files(example: Example, where: Path) -> tuple[Path, Path, Path, Path]:
    """The old program (as bundled), the revised one, the partners and the transactions, written under `where`."""
    where.mkdir(parents=True, exist_ok=True)
    revised = where / Path(example.program).name
    revised.write_text(revised_text(example), encoding="utf-8")
    partners, transactions = where / "partners.csv", where / "transactions.csv"
    partners.write_text(example.partners, encoding="utf-8")
    transactions.write_text(example.transactions, encoding="utf-8")
    return ROOT / "programs" / example.program, revised, partners, transactions


def impact_of(example: Example, where: Path, engine: str = "rows") -> mi.Impact:
    """The example's impact, computed through the public API."""
    old_path, new_path, partners, transactions = write_files(example, where)
    old, new = load_ruleset(str(old_path)), load_ruleset(str(new_path))
    return mi.money_impact(old, new, transactions, load_partners(str(partners), old),
                           parse_period(example.period, new), engine,
                           new_partners=load_partners(str(partners), new))


def rulesets(example: Example, where: Path) -> tuple[ir.RuleSet, ir.RuleSet]:
    """The old and the revised rule set."""
    old_path, new_path, _, _ = write_files(example, where)
    return load_ruleset(str(old_path)), load_ruleset(str(new_path))


AD_YEAR = Example(
    "ad_agency.yaml",
    # The top step of the volume ladder starts at ¥8億 instead of ¥10億 and pays 2.5% instead of 2%; the growth
    # bonus's second target rises from ¥10億 to ¥12億. Settled over examples/data for the fiscal year 2026.
    (("      - from: 10億\n        rate: 2%", "      - from: 8億\n        rate: 2.5%"),
     ("      - target: 10億\n        pay: ¥1500万", "      - target: 12億\n        pay: ¥1500万")),
    (ROOT / "examples/data/partners.csv").read_text(encoding="utf-8"),
    (ROOT / "examples/data/transactions.csv").read_text(encoding="utf-8"),
    "FY2026")
