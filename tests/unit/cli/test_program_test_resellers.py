"""`ppl test` new-reseller cases with a history of applications: where each went, in receipt order."""

from __future__ import annotations

from pathlib import Path

import pytest

from ppl.cli import main

AD_AGENCY = Path(__file__).resolve().parents[3] / "programs" / "ad_agency.yaml"

PARTNERS = """\
partners:
  - {id: prime, contract: agency, tier: premier, level: 1, fields: {focus: retail}}
  - {id: mid, contract: agency, tier: certified, level: 2, parent: prime}
  - {id: north, contract: agency, tier: certified, level: 1, fields: {focus: retail}}
  - {id: solo, contract: agency, tier: certified, level: 1, fields: {focus: finance}}
cases:
"""

HISTORY = """\
  - name: a morning of applications
    new_reseller:
      applications:
        - {applicant: a1, at: "2026-06-01T09:00:00+09:00", fields: {focus: retail}}
        - {applicant: a2, at: "2026-06-01T09:10:00+09:00", fields: {focus: retail}}
        - {applicant: a3, date: 2026-06-01, fields: {focus: finance}}
    expect:
{expect}
"""


EACH = "      routed_to: [north, prime, solo]"
FIRST_AT = 'at: "2026-06-01T09:00:00+09:00"'


def history(expect: str, before: str = HISTORY) -> str:
    """The history case with its expectations (`before`: the case text, changed for a test)."""
    return before.replace("{expect}", expect)


def run(tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    path = tmp_path / "ad.tests.yaml"
    path.write_text(f"program: {AD_AGENCY}\n{PARTNERS}{body}", encoding="utf-8")
    status = main(["test", str(path)])
    out, err = capsys.readouterr()
    return status, out, err


def test_a_history_expects_where_each_application_went(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(tmp_path, history("      routed_to: [north, prime, solo]"), capsys)
    assert (status, err) == (0, ""), out + err
    assert "PASS a morning of applications" in out


def test_a_wrong_history_names_each_application_and_its_reasons(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(tmp_path, history("      routed_to: [north, north, solo]"), capsys)
    assert status == 1
    assert "routed_to: expected [north, north, solo], got [north, prime, solo]" in out
    assert "2. `a2`" in out and "equals take turns in receipt order: north got the latest application" in out


def test_an_expected_vendor_and_an_error_in_a_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = history("      routed_to: [north, prime, vendor]")
    status, out, _ = run(tmp_path, body, capsys)
    assert status == 1 and "got [north, prime, solo]" in out
    failing = history("      error: E500", HISTORY.replace("fields: {focus: finance}", "fields: {}"))
    status, out, err = run(tmp_path, failing, capsys)
    assert (status, err) == (0, ""), out + err


@pytest.mark.parametrize(("case", "code", "words"), [
    (history("      routed_to: [north, prime]"), "E208",
     "a history of 3 applications expects `routed_to:` with one partner (or `vendor`) for each"),
    (history("      routed_to: [north, prime, nort]"), "E301", "unknown partner `nort`"),
    (history("      routed_to_level: 1"), "E208", "a history of 3 applications"),
    (history(EACH, HISTORY.replace(FIRST_AT, 'at: "2026-06-01T09:00:00"')), "E530", "has no UTC offset"),
    (history(EACH, HISTORY.replace(FIRST_AT, "date: 2026-06-01, " + FIRST_AT)), "E202", "`date` or `at`"),
    (history(EACH, HISTORY.replace("{focus: retail}}", "{focus: retial}}", 1)), "E", "retial"),
    ("  - name: both\n    new_reseller: {applicant: x, date: 2026-06-01, applications: []}\n    expect:\n"
     "      routed_to: north\n", "E208", "not both"),
])
def test_a_malformed_history_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, code: str,
                                         words: str) -> None:
    status, _, err = run(tmp_path, case, capsys)
    assert status == 2
    assert f"error[{code}" in err and words in err, err
