"""The program, partners and runtime the registry tests share (importable by spawned processes too)."""

from __future__ import annotations

import datetime

from compiler.lower import compile_program
from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from runtime import ir
from runtime.loaded import Runtime
from runtime.model import Partner

JST = datetime.timezone(datetime.timedelta(hours=9))

PROGRAM = """\
ppl: 1
program:
  id: registry-test
  title: Registry test program
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
  fiscal_year_start: 4
inputs:
  partner:
    territory: region
  deal:
    region: region
    note: text
enums:
  region: [kanto, kansai]
contracts:
  - id: reseller
    kind: distributor
    margin: 15%
tiers:
  cadence: quarterly
  levels:
    - id: gold
      qualify: partner.territory == kansai
    - id: member
      qualify: true
conflicts:
  registration:
    expires_after: 90d
    renewals: 1
    renewal_period: 30d
  precedence:
    - rule: exclusivity
      by: territory
      when: partner.territory == deal.region
    - rule: customer_choice
    - rule: partner_over_direct
    - rule: first_registration
    - rule: tie_break
      by: higher_tier
  otherwise: vendor_decides
"""

PARTNERS = {p.id: p for p in (
    Partner("alpha", "reseller", "member", fields={"territory": "kansai"}),
    Partner("bravo", "reseller", "gold", fields={"territory": "kansai"}),
    Partner("kanto-co", "reseller", "member", fields={"territory": "kanto"}),
    Partner("delta", "reseller", "member", fields={"territory": "kansai"}),
)}


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A time in 2026, Japan time."""
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=JST)


def compile_test_program(text: str = PROGRAM) -> ir.RuleSet:
    """The test program, checked and compiled."""
    loaded = load_program_text("registry.yaml", text)
    assert loaded.program is not None, dg.render_text(loaded.diagnostics, {"registry.yaml": loaded.source})
    problems = [d for d in check_program(loaded.program) if d.severity is dg.Severity.ERROR]
    assert not problems, dg.render_text(problems, {"registry.yaml": loaded.source})
    return compile_program(loaded.program)


def build(engine: str = "compiled") -> Runtime:
    """A runtime of the test program."""
    return Runtime(compile_test_program(), engine)
