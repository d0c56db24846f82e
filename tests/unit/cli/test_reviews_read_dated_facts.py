"""A tier review reads dated facts on the review date: a certification that expires between two reviews keeps the
tier at the first and loses it at the second, and the margin uplift follows from that review's date. Both engines
settle alike. Hand-worked figures: quarterly reviews, program year from April, margin 10% + 2% (gold)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ppl.cli import main

PROGRAM = """\
ppl: 1
program:
  id: certified-reviews
  title: Certified reviews
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
  fiscal_year_start: 4
inputs:
  partner:
    certifications: {list: dated}
contracts:
  - id: reseller
    kind: distributor
    margin: 10%
tiers:
  cadence: quarterly
  review:
    window: since_last_review
  levels:
    - id: gold
      qualify: "count(partner.certifications, valid_on: as_of) >= 2"
      margin_uplift: 2%
    - id: member
      qualify: true
"""
# P holds two certifications; one expires on 2026-09-30, so the review of 2026-07-01 finds two in force and the
# review of 2026-10-01 finds one. Q never had two.
PARTNERS = (
    'id,contract,tier,certifications\n'
    'P,reseller,gold,"[{""name"": ""Sensors"", ""from"": ""2025-04-01"", ""until"": ""2027-03-31""}, '
    '{""name"": ""Vision"", ""from"": ""2025-04-01"", ""until"": ""2026-09-30""}]"\n'
    'Q,reseller,member,"[{""name"": ""Sensors"", ""from"": ""2025-04-01"", ""until"": null}]"\n'
)
# One ¥1,000,000 sale a quarter each: P's margin is 12% (¥120,000) while gold, 10% (¥100,000) from 2026-10-01.
TRANSACTIONS = ("id,date,partner,list_price,sell_price,quantity\n"
                "t1,2026-05-15,P,1000000,1000000,1\nt2,2026-08-15,P,1000000,1000000,1\n"
                "t3,2026-11-15,P,1000000,1000000,1\nt4,2026-11-15,Q,1000000,1000000,1\n")


@pytest.mark.parametrize("engine", ["rows", "duckdb"])
def test_a_review_counts_the_certifications_in_force_on_its_own_date(tmp_path: Path, engine: str) -> None:
    for name, text in (("p.yaml", PROGRAM), ("partners.csv", PARTNERS), ("t.csv", TRANSACTIONS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["settle", str(tmp_path / "p.yaml"), "--partners", str(tmp_path / "partners.csv"),
                 "--transactions", str(tmp_path / "t.csv"), "--as-of", "2026-12-31", "--out", str(out),
                 "--engine", engine, "--color", "never"]) == 0
    statements = {s["partner"]: s for s in json.loads((out / "statements.json").read_text("utf-8"))["statements"]}
    history = [(d["review"], d["tier"], d["outcome"]) for d in statements["P"]["tier_history"]]
    assert history == [("2026-07-01", "gold", "met"), ("2026-10-01", "member", "demoted")]
    assert statements["P"]["tier"] == "member"
    assert statements["P"]["totals"]["margin"] == 120_000 + 120_000 + 100_000
    assert [(d["review"], d["tier"]) for d in statements["Q"]["tier_history"]] == [("2026-07-01", "member"),
                                                                                   ("2026-10-01", "member")]
