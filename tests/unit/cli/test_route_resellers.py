"""`ppl route --new-reseller`: applicant fields, the time received, the registry's running state, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ppl.cli import main
from ppl.common import load_ruleset
from runtime.loaded import Runtime
from runtime.store import Applications

PROGRAM = "programs/ad_agency.yaml"
# prime knows retail and has mid under it; north knows retail; solo knows finance.
PARTNERS = """\
id,contract,tier,level,parent,focus,open_leads,trailing_spend,certified_operators,nda_signed
prime,agency,premier,1,,retail,3,1200000000,6,true
mid,agency,certified,2,prime,games,1,200000000,2,false
north,agency,certified,1,,retail,2,200000000,2,false
solo,agency,certified,1,,finance,4,300000000,3,false
"""
AT = "2026-06-01T10:00:00+09:00"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse usage errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def partners(tmp_path: Path, in_root: Path) -> str:
    path = tmp_path / "partners.csv"
    path.write_text(PARTNERS, encoding="utf-8")
    return str(path)


def route(partners: str, applicant: str, *extra: str) -> list[str]:
    return ["route", PROGRAM, "--partners", partners, "--new-reseller", applicant, *extra]


def test_the_text_shows_where_it_went_each_keys_reason_and_rule_and_who_was_left_out(
        partners: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(route(partners, "acme-ads", "--at", AT, "--field", "focus=retail"), capsys)
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == ("new reseller acme-ads (2026-06-01T10:00:00+09:00), version 2026.04: to 1st-tier "
                        "distributor north")
    assert lines[1].split()[:2] == ["to", "new"] and "[programs/ad_agency.yaml:" in lines[1]
    assert "prefer  A 1st-tier agency that knows the applicant's industry: yes" in out
    assert "fewest  The 1st-tier agency with the fewest agencies under it: children 0" in out
    assert "solo   A 1st-tier agency that knows the applicant's industry: no" in out
    assert "prime  The 1st-tier agency with the fewest agencies under it: children 1, more than 0" in out
    assert lines[-1] == "not recorded (no --registry)"


def test_with_a_registry_each_inquiry_is_recorded_and_routed_knowing_the_earlier_ones(
        partners: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "registry.db")
    went = []
    for applicant in ("a1", "a2", "a3"):
        status, out, err = run(route(partners, applicant, "--at", AT, "--field", "focus=retail", "--registry", db,
                                     "--format", "json"), capsys)
        assert status == 0, err
        answer = json.loads(out)
        assert answer["recorded"] is True and answer["reasons"][0]["at"].startswith("programs/ad_agency.yaml:")
        went.append(answer["partner"])
    assert went == ["north", "prime", "north"]  # north 0; then 1 each: after north comes prime; then north again
    status, out, _ = run(route(partners, "a4", "--at", AT, "--field", "focus=retail"), capsys)
    assert status == 0 and "to 1st-tier distributor north" in out  # without --registry: no earlier inquiries
    with Applications(db, Runtime(load_ruleset(PROGRAM)), {}) as applications:
        assert [r.route.applicant for r in applications.records()] == ["a1", "a2", "a3"]


def test_a_date_means_the_start_of_that_day_in_the_programs_time_zone(
        partners: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(route(partners, "acme", "--date", "2026-06-01", "--field", "focus=finance"), capsys)
    assert status == 0 and out.startswith("new reseller acme (2026-06-01T00:00:00+09:00)") and "solo" in out


@pytest.mark.parametrize(("extra", "status", "words"), [
    (["--field", "fokus=retail"], 2, "--field: unknown applicant field `fokus`; did you mean `focus`?"),
    (["--field", "focus=retial"], 2, "is not a `industry`; did you mean `retail`? [E522]"),
    (["--field", "focus"], 2, "write it as NAME=VALUE"),
    (["--field", "focus=retail", "--field", "focus=games"], 2, "`focus` is given twice"),
    (["--at", "2026-06-01T10:00:00"], 2, "has no timezone"),
    (["--at", "tomorrow"], 2, "is not a date and time"),
    (["--at", AT, "--date", "2026-06-01"], 2, "not both"),
    (["--date", "2026-13-01"], 2, "--date:"),
    (["--at", AT], 1, "error[E500]: missing field `applicant.focus`"),
    (["--at", "2025-06-01T10:00:00+09:00", "--field", "focus=retail"], 1, "error[E510]"),
])
def test_bad_input_is_a_clear_error_with_its_code_never_a_traceback(
        partners: str, capsys: pytest.CaptureFixture[str], extra: list[str], status: int, words: str) -> None:
    got, out, err = run(route(partners, "acme", *extra), capsys)
    assert (got, out) == (status, "") and words in err and "Traceback" not in err


def test_a_bad_applicant_id_and_a_bad_registry_are_refused(
        partners: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(route(partners, "ac\u200bme", "--at", AT, "--field", "focus=retail"), capsys)
    assert status == 2 and "[E525]" in err
    folder = tmp_path / "folder"
    folder.mkdir()
    status, _, err = run(route(partners, "acme", "--at", AT, "--field", "focus=retail", "--registry", str(folder)),
                         capsys)
    assert status == 1 and "cannot open the registry" in err


def test_the_reseller_options_go_with_new_reseller(partners: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["route", PROGRAM, "--partners", partners, "--lead", "{}", "--field", "focus=retail"], capsys)
    assert status == 2 and "--field goes with --new-reseller APPLICANT" in err
