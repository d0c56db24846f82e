"""A small program that reads dated facts: an NDA, certifications and the regions a partner serves."""

from __future__ import annotations

from pathlib import Path

from compiler.lower import compile_program
from policy_lang.loader import load_program_text
from runtime import ir

PROGRAM = """\
ppl: 1
program:
  id: facts-program
  title: Dated facts program
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
  fiscal_year_start: 4
enums:
  region: [kanto, kansai, kyushu]
inputs:
  partner:
    regions: {type: {list: region}}
    nda:
      type: dated
      description: {en: The non-disclosure agreement, ja: 秘密保持契約}
    certifications: {list: dated}
contracts:
  - id: reseller
    kind: distributor
    margin: if partner.nda.valid_on(transaction.date) then 12% else 10%
tiers:
  cadence: yearly
  levels:
    - id: gold
      title: {en: Gold}
      qualify: "count(partner.certifications, valid_on: as_of) >= 2 and 'kansai' in partner.regions"
      margin_uplift: 1%
      benefits: [roadmap, training]
    - id: member
      title: {en: Member}
      qualify: true
      benefits: [roadmap, training]
benefits:
  - id: roadmap
    kind: roadmap_access
    title: {en: Early roadmap access, ja: ロードマップの先行公開}
    when: partner.nda.valid_on(as_of)
  - id: training
    kind: training
    title: {en: Product training}
    when: "count(partner.certifications, valid_on: as_of) >= 1"
"""

PARTNERS = """\
id,contract,tier,regions,nda,certifications
P-1,reseller,gold,"[""kansai"", ""kanto""]","{""from"": ""2025-09-01"", ""until"": ""2026-08-31"", ""name"": ""NDA""}",\
"[{""name"": ""Sensors"", ""from"": ""2025-01-10"", ""until"": ""2027-01-09""}, \
{""name"": ""Controllers"", ""from"": ""2026-10-01"", ""until"": null}]"
P-2,reseller,member,"[""kyushu""]",,[]
P-3,reseller,member,[],,"[{""name"": ""Controllers"", ""from"": ""2026-10-01""}]"
"""

TRANSACTIONS = """\
id,date,partner,list_price,sell_price,quantity
T-1,2026-05-10,P-1,100000,100000,1
T-2,2026-09-15,P-1,100000,100000,1
T-3,2026-05-10,P-2,100000,100000,2
"""


def write_files(folder: Path, partners: str = PARTNERS, transactions: str = TRANSACTIONS) -> tuple[Path, Path, Path]:
    """The program, partners and transactions files in `folder`."""
    program, people, rows = folder / "program.yaml", folder / "partners.csv", folder / "transactions.csv"
    program.write_text(PROGRAM, encoding="utf-8")
    people.write_text(partners, encoding="utf-8")
    rows.write_text(transactions, encoding="utf-8")
    return program, people, rows


def compile_facts_program(text: str = PROGRAM) -> ir.RuleSet:
    """The program compiled (it checks clean)."""
    loaded = load_program_text("program.yaml", text)
    assert loaded.program is not None, loaded.diagnostics
    return compile_program(loaded.program)
