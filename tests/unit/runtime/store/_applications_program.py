"""The program and partners the reseller-application tests share (importable by spawned processes too)."""

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
    region: region
  applicant:
    region: region
enums:
  region: [kanto, kansai, kyushu]
contracts:
  - id: agency
    kind: distributor
hierarchy:
  model: nested
  max_depth: 2
  levels:
    - {level: 1, margin: 20%}
    - {level: 2, margin: 10%}
  new_resellers:
    to: level_1
    order:
      - prefer: partner.region == applicant.region
        title: {en: same region}
      - fewest: children
    among_equals: rotate
"""
"""Bound to the same program id as the deal registry's tests, so one file can hold both."""

PARTNERS = {p.id: p for p in (
    Partner("a", "agency", None, 1, None, {"region": "kanto"}),
    Partner("b", "agency", None, 1, None, {"region": "kanto"}),
    Partner("c", "agency", None, 1, None, {"region": "kanto"}),
    Partner("k", "agency", None, 1, None, {"region": "kansai"}),
    Partner("a2", "agency", None, 2, "a", {"region": "kanto"}),
)}
REGIONS = ("kanto", "kansai", "kyushu")


def at(minute: int, second: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 6, 1, 9, 0, tzinfo=JST) + datetime.timedelta(minutes=minute, seconds=second)


def compile_applications_program(text: str = PROGRAM) -> ir.RuleSet:
    loaded = load_program_text("applications.yaml", text)
    assert loaded.program is not None, dg.render_text(loaded.diagnostics, {"applications.yaml": loaded.source})
    assert not dg.has_errors(check_program(loaded.program))
    return compile_program(loaded.program)


def build(engine: str = "compiled") -> Runtime:
    return Runtime(compile_applications_program(), engine)
