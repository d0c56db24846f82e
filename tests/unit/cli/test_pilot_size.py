"""A program's pilot size (`program.pilot`): compiled into the rule set only when stated, and the W306 advisory
of `ppl check --partners` and `ppl settle` when the partners active are outside it."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

import pytest

from compiler.lower import compile_program
from compiler.pipeline import check
from ppl.cli import main
from runtime import ir, ir_json
from runtime.decisions import active_partners, pilot_advisory
from runtime.model import Partner

PROGRAM = """\
ppl: 1
program:
  id: pilot-test
  title: Pilot test
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {mode: down}
PILOT
contracts:
  - id: reseller
    kind: distributor
    margin: 20%
"""
PARTNERS = ("id,contract,joined,left\n"
            "a,reseller,,\n"
            "b,reseller,,2026-06-30\n"  # leaves at the end of June
            "c,reseller,2026-09-01,\n")  # joins in September


def program(tmp_path: Path, pilot: str = "  pilot: {min: 3, max: 5}") -> Path:
    path = tmp_path / "pilot.yaml"
    # Without a pilot size, a comment keeps the line: every later place in the program stays where it was.
    path.write_text(PROGRAM.replace("PILOT", pilot or "  # no pilot size"), encoding="utf-8")
    return path


def compiled(path: Path) -> ir.RuleSet:
    result = check([str(path)])
    assert not result.diagnostics
    return compile_program(result.programs[0])


def partners_file(tmp_path: Path) -> Path:
    path = tmp_path / "partners.csv"
    path.write_text(PARTNERS, encoding="utf-8")
    return path


def test_a_pilot_size_is_compiled_and_survives_the_artifact(tmp_path: Path) -> None:
    ruleset = compiled(program(tmp_path))
    assert ruleset.pilot is not None and (ruleset.pilot.min, ruleset.pilot.max) == (3, 5)
    assert ir_json.loads(ir_json.dumps(ruleset)).pilot == ruleset.pilot


def test_a_program_without_a_pilot_size_keeps_its_artifact_bytes(tmp_path: Path) -> None:
    without = compiled(program(tmp_path, ""))
    stated = compiled(program(tmp_path))
    assert without.pilot is None
    plain = json.loads(ir_json.dumps(without))
    assert "pilot" not in plain["ruleset"]
    with_pilot = json.loads(ir_json.dumps(stated))
    del with_pilot["ruleset"]["pilot"]
    assert with_pilot["ruleset"] == plain["ruleset"]  # the key adds itself and changes nothing else
    assert ir_json.dumps(dataclasses.replace(stated, pilot=None)) == ir_json.dumps(without)


@pytest.mark.parametrize("pilot", ["  pilot: {min: 5, max: 3}", "  pilot: {}", "  pilot: {min: three}",
                                   "  pilot: {min: 1, most: 3}"])
def test_a_bad_pilot_size_is_a_program_error(pilot: str, tmp_path: Path) -> None:
    result = check([str(program(tmp_path, pilot))])
    assert {d.code for d in result.diagnostics} & {"E394", "E201", "E202", "E203", "E204", "E205", "E206"}


def test_an_artifact_with_an_empty_pilot_size_is_refused(tmp_path: Path) -> None:
    data = json.loads(ir_json.dumps(compiled(program(tmp_path))))
    data["ruleset"]["pilot"]["min"] = 9
    data["sha256"] = ir.digest(data["ruleset"])
    with pytest.raises(ir_json.ArtifactError, match="pilot"):
        ir_json.loads(json.dumps(data))


def test_active_partners_are_the_direct_partners_that_are_members_on_the_day() -> None:
    partners = [Partner("a", "r"), Partner("b", "r", left=datetime.date(2026, 6, 30)),
                Partner("c", "r", joined=datetime.date(2026, 9, 1)), Partner("d", "r", level=2, parent="a")]
    assert active_partners(partners, datetime.date(2026, 6, 30)) == 2
    assert active_partners(partners, datetime.date(2026, 7, 1)) == 1
    assert active_partners(partners, datetime.date(2026, 9, 1)) == 2
    assert pilot_advisory(ir.Pilot(1, None), partners, datetime.date(2026, 7, 1)) is None
    assert pilot_advisory(ir.Pilot(None, 1), partners, datetime.date(2026, 9, 1)) == (
        "2 partners active on 2026-09-01, more than the pilot size (at most 1)")
    assert pilot_advisory(None, partners, datetime.date(2026, 9, 1)) is None


def test_check_with_partners_warns_when_the_active_partners_are_outside_the_pilot_size(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, partners = program(tmp_path), partners_file(tmp_path)
    status = main(["check", str(path), "--partners", str(partners), "--on", "2026-07-01", "--color", "never"])
    out = capsys.readouterr()
    assert status == 0
    assert f"warning[W306]: {partners}: 1 partner active on 2026-07-01, fewer than the pilot size (3 to 5)" in out.out
    assert "0 errors, 1 warning" in out.err


def test_check_with_partners_inside_the_pilot_size_is_clean(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path, partners = program(tmp_path, "  pilot: {max: 5}"), partners_file(tmp_path)
    assert main(["check", str(path), "--partners", str(partners), "--on", "2026-07-01"]) == 0
    assert "W306" not in capsys.readouterr().out


def test_check_reports_the_partners_files_mistakes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text("id,contract,joined,left\na,reseller,2026-06-01,2026-05-01\n", encoding="utf-8")
    status = main(["check", str(program(tmp_path)), "--partners", str(partners), "--on", "2026-07-01"])
    assert status != 0
    assert "row 1: partner `a` left on 2026-05-01, before it joined on 2026-06-01" in capsys.readouterr().err


def test_check_with_partners_needs_one_program(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, partners = program(tmp_path), partners_file(tmp_path)
    second = tmp_path / "other" / "p.yaml"
    second.parent.mkdir()
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", str(first), str(second), "--partners", str(partners)]) == 2
    assert main(["check", str(first), "--on", "2026-07-01"]) == 2
    capsys.readouterr()


@pytest.mark.parametrize("engine", ["rows", "duckdb"])
def test_settle_warns_on_stderr_and_settles_as_without_the_advisory(engine: str, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    partners = partners_file(tmp_path)
    transactions = tmp_path / "t.csv"
    transactions.write_text("id,date,partner,list_price,sell_price,quantity\nt1,2026-07-01,a,1000,900,1\n",
                            encoding="utf-8")
    outs = []
    for name, pilot in (("with", "  pilot: {min: 3, max: 5}"), ("without", "")):
        path = program(tmp_path, pilot)  # the same file, rewritten: its lines' places are in the output
        status = main(["settle", str(path), "--partners", str(partners), "--transactions", str(transactions),
                       "--period", "2026-07", "--out", str(tmp_path / f"out-{name}"), "--engine", engine,
                       "--color", "never"])
        assert status == 0
        outs.append(capsys.readouterr())
    assert "warning[W306]" in outs[0].err
    assert "1 partner active on 2026-07-31, fewer than the pilot size (3 to 5)" in outs[0].err
    assert "W306" not in outs[1].err
    for name in ("statements.csv", "lines.csv", "rejects.csv"):
        assert (tmp_path / "out-with" / name).read_bytes() == (tmp_path / "out-without" / name).read_bytes()
