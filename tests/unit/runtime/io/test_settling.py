"""Settling a file (`settle_file`, shared by `ppl settle` and the service): the files written, and progress
that reconciles as it goes."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from compiler.lower import compile_program
from compiler.pipeline import check
from runtime import ir
from runtime.io import parse_period, read_partners
from runtime.io.settling import Progress, settle_file
from runtime.io.writers import OUTPUT_NAMES
from runtime.loaded import Runtime

ROOT = Path(__file__).resolve().parents[4]
DATA = ROOT / "examples" / "data"


@functools.cache
def ad_agency() -> ir.RuleSet:
    result = check([os.path.relpath(ROOT / "programs" / "ad_agency.yaml")])
    return compile_program(result.programs[0])


def test_a_file_is_settled_into_every_output_with_progress_every_500_rows(tmp_path: Path) -> None:
    rs = ad_agency()
    partners = read_partners(DATA / "partners.csv", rs)
    seen: list[Progress] = []
    rejected: list[str] = []
    period = parse_period("2026-05")
    settlement, written = settle_file(Runtime(rs), partners, period, DATA / "transactions.csv", tmp_path / "out",
                                      on_reject=lambda r: rejected.append(r.code), on_progress=seen.append)
    assert sorted(p.name for p in written) == sorted(OUTPUT_NAMES)
    assert [p.read for p in seen] == [500, 1000, 1500, 2000, 2500, 3000]
    assert all(p.read == p.accepted + p.rejected + p.held and 0 < p.position <= p.size for p in seen)
    assert settlement.read == 3000 and settlement.rejected == len(rejected) and "E514" in rejected
    data = json.loads((tmp_path / "out" / "statements.json").read_text(encoding="utf-8"))
    assert data["reconciliation"]["read"] == 3000
