"""A small program for the as-of settlement tests: a retroactive ladder and a one-step bonus over the year."""

from __future__ import annotations

from pathlib import Path

PROGRAM = """\
ppl: 1
program:
  id: asof-program
  title: As-of program
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
  fiscal_year_start: 4
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
    ladder: volume
    bonuses: [growth]
ladders:
  - id: volume
    basis: list_sales
    period: fiscal_year
    mode: retroactive
    steps:
      - from: ¥0
        rate: 0%
      - from: ¥1,000,000
        rate: 2%
      - from: ¥2,000,000
        rate: 5%
bonuses:
  - id: growth
    basis: sales
    period: fiscal_year
    kind: cumulative
    steps:
      - target: ¥1,500,000
        pay: ¥30,000
"""

HEADER = "id,date,partner,list_price,sell_price,quantity,refund_of\n"


def write_files(folder: Path, rows: str, partners: str = "p,reseller\n") -> tuple[Path, Path, Path]:
    """The program, partners and transactions files in `folder`."""
    program, people, transactions = folder / "program.yaml", folder / "partners.csv", folder / "transactions.csv"
    program.write_text(PROGRAM, encoding="utf-8")
    people.write_text("id,contract\n" + partners, encoding="utf-8")
    transactions.write_text(HEADER + rows, encoding="utf-8")
    return program, people, transactions
