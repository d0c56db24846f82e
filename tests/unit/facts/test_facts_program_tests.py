"""Program tests (`ppl test`) state partners' dated facts and lists as the partners file would."""

from __future__ import annotations

from pathlib import Path

import pytest

from ppl.cli import main
from tests.unit.facts._facts_program import PROGRAM

TESTS = """\
program: program.yaml
partners:
  - id: p1
    contract: reseller
    tier: gold
    fields:
      regions: [kansai]
      nda: {from: 2025-09-01, until: 2026-08-31, name: NDA}
      certifications: [{from: 2025-01-10, until: 2027-01-09, name: Sensors}]
  - id: p2        # no facts on file: valid_on is false, the lists are empty
    contract: reseller
    tier: member
cases:
  # under the NDA on its last day: 12% + 1% (gold)
  - name: the NDA's last day
    quote:
      transaction: {partner: p1, date: 2026-08-31, list_price: ¥10万}
    expect:
      margin: 13%
      benefits: [roadmap, training]
  - name: the day after the NDA expired
    quote:
      transaction: {partner: p1, date: 2026-09-01, list_price: ¥10万}
    expect:
      margin: 11%
      benefits: [training]
  - name: a partner without facts
    quote:
      transaction: {partner: p2, date: 2026-09-01, list_price: ¥10万}
    expect:
      margin: 10%
      benefits: []
"""


def test_program_tests_give_partners_dated_facts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "program.yaml").write_text(PROGRAM, encoding="utf-8")
    (tmp_path / "program.tests.yaml").write_text(TESTS, encoding="utf-8")
    status = main(["test", str(tmp_path / "program.tests.yaml")])
    out = capsys.readouterr()
    assert status == 0, out.out + out.err


def test_a_bad_record_in_a_program_test_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "program.yaml").write_text(PROGRAM, encoding="utf-8")
    bad = TESTS.replace("until: 2026-08-31, name: NDA", "until: 2024-01-01")
    (tmp_path / "program.tests.yaml").write_text(bad, encoding="utf-8")
    assert main(["test", str(tmp_path / "program.tests.yaml")]) == 2  # the test file cannot be read
    out = capsys.readouterr()
    assert "`until` 2024-01-01 is before `from` 2025-09-01" in out.out + out.err
