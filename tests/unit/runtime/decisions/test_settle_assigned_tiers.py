"""Assigned tiers at settlement: the tier the partners file states holds as it stands when the vendor assigns it;
otherwise the qualifications decide. A program whose tiers are all assigned needs each partner's tier."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from runtime import io as rio
from runtime import ir
from runtime.decisions import Settler
from runtime.loaded import Runtime

PROGRAM = """\
ppl: 1
program:
  id: assigned-tiers
  title: Assigned Tiers
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
contracts:
  - id: reseller
    kind: distributor
    margin: 15%
tiers:
  cadence: quarterly
  levels:
    - id: gold
      assigned: true
      margin_uplift: 3%
    - id: silver
      qualify: period.deals >= 2
      margin_uplift: 1%
    - id: member
      qualify: true
"""
ALL_ASSIGNED = PROGRAM.replace("      qualify: period.deals >= 2\n", "      assigned: true\n").replace(
    "      qualify: true\n", "      assigned: true\n")
PARTNERS = "id,contract,tier\na,reseller,gold\nb,reseller,silver\nc,reseller,member\nd,reseller,\ne,reseller,silver\n"
TRANSACTIONS = ("id,date,partner,list_price,sell_price,quantity\n"
                "t1,2026-05-01,b,1000,900,1\nt2,2026-06-01,b,1000,900,1\n"
                "t3,2026-05-01,c,1000,900,1\nt4,2026-07-01,c,1000,900,1\n"
                "t5,2026-05-01,d,1000,900,1\nt6,2026-05-01,a,1000,900,1\n")


def ruleset(tmp_path: Path, text: str = PROGRAM) -> ir.RuleSet:
    program = tmp_path / "assigned.yaml"
    program.write_text(text, encoding="utf-8")
    return compile_program(check([str(program)]).programs[0])


def next_tiers(tmp_path: Path, engine: str, text: str = PROGRAM, partners_csv: str = PARTNERS) -> dict[str, str]:
    rs = ruleset(tmp_path, text)
    partners_file, transactions = tmp_path / "partners.csv", tmp_path / "t.csv"
    partners_file.write_text(partners_csv, encoding="utf-8")
    transactions.write_text(TRANSACTIONS, encoding="utf-8")
    partners = rio.read_partners(partners_file, rs)
    settler = Settler(Runtime(rs, engine), partners, rio.parse_period("FY2026", 4))
    with rio.TransactionReader(transactions, rs) as reader:
        rio.feed(settler, reader)
    return {s.partner: s.next_tier.name if s.next_tier else "" for s in settler.finish().statements}


@pytest.mark.parametrize("engine", ["compiled", "interpreted"])
def test_an_assigned_tier_in_the_partners_file_holds_whatever_the_figures(tmp_path: Path, engine: str) -> None:
    assert next_tiers(tmp_path, engine)["a"] == "gold"


@pytest.mark.parametrize("engine", ["compiled", "interpreted"])
def test_without_an_assigned_tier_the_qualifications_decide(tmp_path: Path, engine: str) -> None:
    tiers = next_tiers(tmp_path, engine)
    # b keeps silver on two deals, c earns it, d (no tier) and e (silver, no deals) fall to member
    assert (tiers["b"], tiers["c"], tiers["d"], tiers["e"]) == ("silver", "silver", "member", "member")


def test_no_partner_qualifies_for_an_assigned_tier(tmp_path: Path) -> None:
    partners = PARTNERS.replace("b,reseller,silver", "b,reseller,")
    assert next_tiers(tmp_path, "compiled", partners_csv=partners)["b"] == "silver"  # never gold on figures


def test_when_every_tier_is_assigned_each_partner_keeps_the_files_tier(tmp_path: Path) -> None:
    partners = PARTNERS.replace("d,reseller,", "d,reseller,member")
    tiers = next_tiers(tmp_path, "compiled", ALL_ASSIGNED, partners)
    assert tiers == {"a": "gold", "b": "silver", "c": "member", "d": "member", "e": "silver"}


def test_when_every_tier_is_assigned_a_partner_without_one_is_a_partners_file_error(tmp_path: Path) -> None:
    path = tmp_path / "partners.csv"
    path.write_text(PARTNERS, encoding="utf-8")
    with pytest.raises(rio.PartnersError) as caught:
        rio.read_partners(path, ruleset(tmp_path, ALL_ASSIGNED))
    assert caught.value.problems == ["row 4: partner `d` states no tier; the vendor assigns every tier, so the "
                                     "partners file names one of gold, silver, member"]


def test_with_qualified_tiers_a_partner_may_state_no_tier(tmp_path: Path) -> None:
    path = tmp_path / "partners.csv"
    path.write_text(PARTNERS, encoding="utf-8")
    assert rio.read_partners(path, ruleset(tmp_path))["d"].tier is None
