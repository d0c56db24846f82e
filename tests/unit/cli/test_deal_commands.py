"""`ppl conflicts`, `ppl registry` and `ppl route`: output, exit codes, confidentiality on the command line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ppl.cli import main

ROOT = Path(__file__).resolve().parents[3]
PROGRAM = "programs/regional_trading.yaml"

PARTNERS = """\
id,contract,tier,level,territory,specialty,trailing_sales,certified_engineers,nda_signed,open_leads
tc-kanto,trading,tier1,1,kanto,sensors,2500000000,12,true,3
tc-kansai,trading,tier2,1,kansai,vision,800000000,4,false,5
tc-chubu,trading,tier2,1,chubu,sensors,900000000,5,true,25
si-tokyo,integrator,tier3,1,tohoku,vision,100000000,1,false,0
si-osaka,integrator,tier3,1,kansai,controllers,100000000,1,false,0
"""

REGISTRATIONS = """\
id,partner,customer,corporate_number,registered_at,renewals,customer_choice,region
R1,si-tokyo,株式会社ABC,,2026-06-01T10:00:00+09:00,0,false,kanto
R2,tc-kanto,ＡＢＣ（株）,,2026-06-05T10:00:00+09:00,0,false,kanto
R3,,abc co. ltd.,,2026-06-06T10:00:00+09:00,0,false,kanto
R4,si-tokyo,北海道センサー,,2026-06-01T10:00:00+09:00,,,hokkaido
R5,si-osaka,(株)北海道センサー,,2026-06-03T10:00:00+09:00,,true,hokkaido
R6,si-tokyo,国税庁,7000012050002,2026-06-01T10:00:00+09:00,,,tohoku
R7,tc-chubu,National Tax Agency,7-0000-1205-0002,2026-06-02T10:00:00+09:00,,,tohoku
R8,si-tokyo,Lone Customer,,2026-06-01T10:00:00+09:00,,,kanto
"""

TIED = """\
R9,tc-kansai,Tie Corp,,2026-06-01T10:00:00+09:00,,,kanto
R10,tc-chubu,TIE CORPORATION,,2026-06-01T10:00:00+09:00,,,kanto
"""


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse usage errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def files(tmp_path: Path, in_root: Path) -> dict[str, str]:
    (tmp_path / "partners.csv").write_text(PARTNERS, encoding="utf-8")
    (tmp_path / "registrations.csv").write_text(REGISTRATIONS, encoding="utf-8")
    return {"partners": str(tmp_path / "partners.csv"), "registrations": str(tmp_path / "registrations.csv"),
            "db": str(tmp_path / "deals.db"), "dir": str(tmp_path)}


def conflicts(files: dict[str, str], *extra: str, program: str = PROGRAM) -> list[str]:
    return ["conflicts", program, "--partners", files["partners"], "--registrations", files["registrations"], *extra]


# --- conflicts -------------------------------------------------------------------------------------


def test_conflicts_name_the_owner_the_rule_each_loser_and_the_names_matched(
        files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(conflicts(files), capsys)
    assert status == 0, err
    blocks = out.strip().split("\n\n")
    assert len(blocks) == 3  # Lone Customer is claimed once: no conflict
    abc = blocks[0]
    assert abc.startswith("株式会社ABC: 3 registrations (R1, R2, R3), decided at 2026-06-06T10:00:00+09:00")
    assert "R2 matched R1: matched 株式会社ABC and ＡＢＣ（株） after normalisation" in abc
    assert "owner: R2 (partner tc-kanto) by exclusivity (territory): holds the exclusive right to this deal  " \
           "[programs/regional_trading.yaml:175:7]" in abc
    assert "R1 (partner si-tokyo) lost to exclusivity (territory): another claimant holds the exclusive right" in abc
    assert "R3 (direct sales) lost to exclusivity (territory)" in abc
    assert "2026-06-05T10:00:00+09:00  register R2 (partner tc-kanto): accepted by exclusivity (territory)" in abc
    assert "2026-06-06T10:00:00+09:00  register R3 (direct sales): held by exclusivity (territory)" in abc
    assert "2026-06-05T10:00:00+09:00  R1 → R2 (partner tc-kanto) on R2, by exclusivity (territory)" in abc
    # the customer's choice is documented with R5; the program applies it at the close, and there is none yet
    assert "choose R5-choice of partner si-osaka: pending by customer_choice" in blocks[1]
    assert "owner: R4 (partner si-tokyo) by first_registration: registered first" in blocks[1]
    assert "R7 matched R6: matched by corporate number 7000012050002" in blocks[2]
    assert "owner: R6 (partner si-tokyo) by exclusivity (territory)" in blocks[2]  # si-tokyo holds tohoku
    assert "8 registrations, 3 customers claimed more than once, 0 not decided" in err


def test_conflicts_as_of_a_later_time_see_the_holder_expire_and_nobody_held_off_come_back(
        files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(conflicts(files, "--at", "2026-12-05T09:59:59+09:00"), capsys)
    assert status == 0
    assert "owner: R2" in out.split("\n\n")[0]  # six months from 5 June 10:00: still in force
    status, out, _ = run(conflicts(files, "--at", "2026-12-05T10:00:00+09:00"), capsys)
    assert status == 0
    abc = out.split("\n\n")[0]
    assert "no owner: no registration is in force" in abc
    assert "R2 (partner tc-kanto) expired: the registration expired at 2026-12-05T10:00:00+09:00" in abc
    # R1 was superseded by R2 and R3 rejected on arrival: neither comes back
    assert "R1 (partner si-tokyo) lost to exclusivity (territory)" in abc
    assert "R3 (direct sales) lost to exclusivity (territory)" in abc


def test_a_tie_the_rules_cannot_break_keeps_the_first_arrival_for_the_vendor_to_decide_with_exit_1(
        files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    Path(files["registrations"]).write_text(REGISTRATIONS + TIED, encoding="utf-8")
    status, out, err = run(conflicts(files), capsys)
    assert status == 1
    tie = out.strip().split("\n\n")[-1]
    assert "R10 matched R9: matched Tie Corp and TIE CORPORATION after normalisation" in tie
    assert "register R10 (partner tc-chubu): held by otherwise (vendor_decides): no rule tells this claim from R9" \
        in tie
    assert "owner: R9 (partner tc-kansai), which arrived first, stays in force until the vendor decides" in tie
    assert "1 not decided" in err


def test_conflicts_as_json_from_a_compiled_rule_set_and_jsonl(
        files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from compiler.lower import compile_program
    from compiler.pipeline import check
    from runtime import ir_json

    artifact = tmp_path / "regional.json"
    artifact.write_text(ir_json.dumps(compile_program(check([PROGRAM]).programs[0])), encoding="utf-8")
    lines = REGISTRATIONS.splitlines()
    header = lines[0].split(",")
    jsonl = tmp_path / "registrations.jsonl"
    jsonl.write_text("".join(json.dumps({k: v for k, v in zip(header, line.split(","), strict=True) if v},
                                        ensure_ascii=False) + "\n" for line in lines[1:]), encoding="utf-8")
    status, out, _ = run(["conflicts", str(artifact), "--partners", files["partners"], "--registrations",
                          str(jsonl), "--format", "json"], capsys)
    assert status == 0
    data: dict[str, Any] = json.loads(out)
    assert data["registrations"] == 8
    [abc, _, tax] = data["conflicts"]
    assert abc["owner"] == "R2" and abc["decided_by"]["rule"] == "exclusivity (territory)"
    assert abc["decided_by"]["at"] == "programs/regional_trading.yaml:175:7"
    assert {r["claim"]: r["outcome"] for r in abc["reasons"]} == {"R1": "lost", "R2": "owner", "R3": "lost"}
    assert [(a["id"], a["status"], a["rule_id"]) for a in abc["arrivals"]] == [
        ("R1", "accepted", "registration"), ("R2", "accepted", "exclusivity"), ("R3", "held", "exclusivity")]
    assert abc["arrivals"][1]["where"] == "programs/regional_trading.yaml:175:7"
    assert [(c["at"], c["previous"], c["owner"], c["cause"]) for c in abc["changes"]] == [
        ("2026-06-01T10:00:00+09:00", None, "R1", "R1"), ("2026-06-05T10:00:00+09:00", "R1", "R2", "R2")]
    assert tax["matches"] == [{"registration": "R7", "with": "R6", "how": "matched by corporate number 7000012050002"}]


@pytest.mark.parametrize(("row", "problem"), [
    ("R9,si-tokyo,X,,2026-06-01T10:00:00,,,kanto", "has no timezone"),
    ("R9,nobody,X,,2026-06-01T10:00:00+09:00,,,kanto", "unknown partner `nobody`"),
    ("R1,si-tokyo,X,,2026-06-01T10:00:00+09:00,,,kanto", "registration `R1` is already in row 1"),
    ("R9,si-tokyo,X,123,2026-06-01T10:00:00+09:00,,,kanto", "expected 13 digits"),
    ("R9,si-tokyo,X,,2026-06-01T10:00:00+09:00,,,kantou", "did you mean `kanto`?"),
    ("R9,si-tokyo,X,,2026-06-01T10:00:00+09:00,-1,,kanto", "`renewals` is -1"),
])
def test_a_bad_registrations_row_is_rejected_with_its_row_and_the_rest_are_decided(
        files: dict[str, str], row: str, problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, clean, _ = run(conflicts(files), capsys)
    Path(files["registrations"]).write_text(REGISTRATIONS + row + "\n", encoding="utf-8")
    status, out, err = run(conflicts(files), capsys)
    assert status == 1
    assert "rejected: " in err and "row 9:" in err and problem in err
    assert out == clean  # the other rows are decided as without the bad one
    assert "1 row rejected" in err


HISTORY = """\
id,event,partner,customer,registered_at,region
H1,,si-tokyo,北海道センサー,2026-04-01T10:00:00+09:00,hokkaido
H2,register,si-osaka,北海道センサー,2026-04-03T10:00:00+09:00,hokkaido
H1,renew,,,2026-09-20T10:00:00+09:00,
C1,choose,si-osaka,北海道センサー,2026-10-01T10:00:00+09:00,
K1,close,,北海道センサー,2026-10-10T10:00:00+09:00,
H3,register,tc-chubu,北海道センサー,2026-10-11T10:00:00+09:00,hokkaido
H4,register,si-tokyo,北海道センサー,2026-10-12T10:00:00+09:00,hokkaido
"""


def test_a_file_can_state_a_full_history_renewals_choices_and_the_close(
        files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    Path(files["registrations"]).write_text(HISTORY, encoding="utf-8")
    status, out, err = run(conflicts(files), capsys)
    assert status == 0, err
    assert out.startswith("北海道センサー: 2 registrations (H1, H2), decided at 2026-10-10T10:00:00+09:00")
    first, second = out.split("\n\n")
    arrivals = [line.strip() for line in first.splitlines() if line.startswith("    2026-") and " by " in line
                and "→" not in line]
    assert [a.split("  ", 1)[1].split(":", 1)[0] for a in arrivals] == [
        "register H1 (partner si-tokyo)", "register H2 (partner si-osaka)", "renew H1 (partner si-tokyo)",
        "choose C1 of partner si-osaka", "choose C1 of partner si-osaka", "close"]
    assert [a.split(": ", 1)[1].split(" by ")[0] for a in arrivals] == [
        "accepted", "held", "renewed", "pending", "applied", "closed"]
    assert "owner: H2 (partner si-osaka) by customer_choice: the customer chose this claimant" in first
    assert "2026-10-10T10:00:00+09:00  H1 → H2 (partner si-osaka) on C1, by customer_choice" in first
    # after the close, the customer's next deal, as the registry starts one
    assert second.startswith("北海道センサー: 2 registrations (H3, H4), decided at 2026-10-12T10:00:00+09:00")
    assert "owner: H3 (partner tc-chubu) by first_registration" in second
    assert "4 registrations and 3 other events, 2 customers claimed more than once, 0 not decided" in err
    status, out, _ = run(conflicts(files, "--at", "2026-10-05T00:00:00+09:00", "--format", "json"), capsys)
    deal, _ = json.loads(out)["conflicts"]
    assert (deal["owner"], deal["decided_by"]["rule_id"]) == ("H1", "first_registration")  # the choice waits
    assert len(deal["arrivals"]) == 6 and deal["arrivals"][2]["event"] == "renew"


def test_the_history_shown_in_the_cli_page_is_what_ppl_conflicts_prints(
        files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    Path(files["registrations"]).write_text(HISTORY, encoding="utf-8")
    status, out, _ = run(conflicts(files), capsys)
    assert status == 0
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    shown = page.split("$ ppl conflicts programs/regional_trading.yaml --partners partners.csv --registrations "
                       "history.csv\n", 1)[1].split("```", 1)[0]
    assert shown == out, "docs/cli.md: paste the current output of `ppl conflicts` for the history shown"


@pytest.mark.parametrize(("row", "problem"), [
    ("X1,sell,si-tokyo,A,2026-06-01T10:00:00+09:00,kanto", "`event` is `sell`; write one of register, renew"),
    ("H9,renew,,A,2026-06-01T10:00:00+09:00,", "`renew` names registration `H9`, which no earlier row registers"),
    ("C1,choose,si-osaka,北海道センサー,2026-10-02T10:00:00+09:00,", "choice `C1` is already in row 4"),
    ("H1,close,,北海道センサー,2026-10-02T10:00:00+09:00,", "close `H1` is already in row 1"),
])
def test_a_bad_history_row_is_rejected_with_its_row_and_reason(
        files: dict[str, str], row: str, problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    Path(files["registrations"]).write_text(HISTORY + row + "\n", encoding="utf-8")
    status, out, err = run(conflicts(files), capsys)
    assert status == 1
    assert "row 8:" in err and problem in err, err
    assert "4 registrations and 3 other events, 1 row rejected, 2 customers" in err and out.count("decided at") == 2


def test_conflicts_usage_and_program_errors(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(conflicts(files, "--at", "2026-06-01"), capsys)[0] == 2
    assert run(["conflicts", PROGRAM, "--partners", files["partners"], "--registrations", "nope.csv"], capsys)[0] == 2
    broken = Path(files["dir"]) / "broken.yaml"
    broken.write_text((ROOT / PROGRAM).read_text(encoding="utf-8").replace("rule: first_registration",
                                                                            "rule: first_registratoin"),
                      encoding="utf-8")
    status, _, err = run(conflicts(files, program=str(broken)), capsys)
    assert status == 1 and "has errors" in err


# --- registry --------------------------------------------------------------------------------------


def registry(files: dict[str, str], *action: str) -> list[str]:
    return ["registry", "--db", files["db"], PROGRAM, "--partners", files["partners"], *action]


def test_registry_requests_and_their_exit_codes(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(registry(files, "register", "--as", "si-tokyo", "--customer", "株式会社ABC", "--field",
                                  "region=kanto", "--at", "2026-06-01T10:00:00+09:00"), capsys)
    assert status == 0
    assert out.splitlines() == [
        "accepted: registration R000001 holds the customer",
        "  registration: the only claim in force  [programs/regional_trading.yaml:171:3]",
        "  protected until 2026-12-01T10:00:00+09:00"]
    status, out, _ = run(registry(files, "register", "--as", "tc-chubu", "--customer", "ＡＢＣ（株）", "--field",
                                  "region=kanto", "--at", "2026-06-02T10:00:00+09:00"), capsys)
    assert status == 1
    assert out.splitlines()[0] == "rejected (held): claim R000002; the customer is held by registration R000001"
    assert "first_registration: another claimant registered first" in out
    assert "si-tokyo" not in out and "株式会社ABC" not in out

    status, out, _ = run(registry(files, "register", "--as", "tc-kanto", "--customer", "ABC Co., Ltd.", "--field",
                                  "region=kanto", "--at", "2026-06-03T10:00:00+09:00", "--format", "json"), capsys)
    assert status == 0
    assert json.loads(out)["rule"] == "exclusivity (territory)"

    status, out, _ = run(registry(files, "outcome", "R000001", "--as", "si-tokyo"), capsys)
    assert status == 0 and out.startswith("superseded: registration R000001; the customer is now held by "
                                          "registration R000003")
    status, out, _ = run(registry(files, "renew", "R000003", "--as", "tc-kanto", "--at",
                                  "2026-11-01T10:00:00+09:00"), capsys)
    assert status == 0 and "renewed (1 of 1); protected until 2027-06-03T10:00:00+09:00" in out
    status, out, _ = run(registry(files, "renew", "R000003", "--as", "tc-kanto", "--at",
                                  "2026-11-02T10:00:00+09:00"), capsys)
    assert status == 1 and "allows 1 renewal, and this registration has used it" in out
    status, _, err = run(registry(files, "withdraw", "R000003", "--as", "tc-chubu"), capsys)
    assert status == 1 and "partner `tc-chubu` has no registration `R000003`" in err

    status, out, _ = run(registry(files, "mine", "--as", "tc-chubu", "--all"), capsys)
    assert status == 0 and "R000002" in out and "R000001" not in out.replace("(R000001)", "")
    assert "si-tokyo" not in out and "株式会社ABC" not in out and "tc-kanto" not in out
    status, out, _ = run(registry(files, "admin"), capsys)
    assert status == 0 and all(f"R00000{n}" in out for n in (1, 2, 3)) and "si-tokyo" in out
    status, out, _ = run(registry(files, "history", "--format", "json"), capsys)
    assert [e["event"] for e in json.loads(out)] == ["register", "accept", "register", "reject", "register",
                                                     "supersede", "accept", "renew", "reject"]
    status, out, _ = run(registry(files, "expire", "--at", "2027-07-01T00:00:00+09:00"), capsys)
    assert status == 0 and out == "expired 1 registration\n"
    status, out, _ = run(registry(files, "withdraw", "R000003", "--as", "tc-kanto", "--at",
                                  "2027-07-02T00:00:00+09:00"), capsys)
    assert status == 1 and out.startswith("not withdrawn: registration R000003 (expired)")


def test_direct_sales_register_with_direct(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run(registry(files, "register", "--direct", "--customer", "ABC", "--field", "region=kanto",
                                "--at", "2026-05-01T10:00:00+09:00"), capsys)
    assert status == 0
    status, out, _ = run(registry(files, "register", "--as", "si-tokyo", "--customer", "ABC", "--field",
                                  "region=kanto", "--at", "2026-06-01T10:00:00+09:00"), capsys)
    assert status == 0 and "partner_over_direct" in out
    status, out, _ = run(registry(files, "mine", "--direct", "--all", "--format", "json"), capsys)
    [mine] = json.loads(out)
    assert mine["status"] == "superseded" and mine["superseded_by"] == "R000002"


@pytest.mark.parametrize(("action", "words"), [
    (["register", "--customer", "X"], "say who asks"),
    (["register", "--as", "nobody", "--customer", "X"], "unknown partner `nobody`"),
    (["register", "--as", "si-tokyo", "--customer", "X", "--at", "2026-06-01T10:00"], "has no timezone"),
    (["register", "--as", "si-tokyo", "--customer", "X", "--field", "regoin=kanto"], "did you mean `region`?"),
    (["register", "--as", "si-tokyo", "--customer", "X", "--field", "region=kantou"], "did you mean `kanto`?"),
    (["register", "--as", "si-tokyo", "--customer", "X", "--field", "region"], "write it as NAME=VALUE"),
    (["register", "--as", "si-tokyo", "--direct", "--customer", "X"], "not allowed with argument"),
    (["launch"], "invalid choice"),
])
def test_registry_usage_errors_exit_2(files: dict[str, str], action: list[str], words: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(registry(files, *action), capsys)
    assert status == 2 and words in err


def test_a_registry_written_by_a_newer_ppl_is_refused(files: dict[str, str],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run(registry(files, "admin"), capsys)[0] == 0
    db = sqlite3.connect(files["db"])
    db.execute("INSERT INTO schema_version (version, title) VALUES (99, 'future')")
    db.commit()
    db.close()
    status, _, err = run(registry(files, "admin"), capsys)
    assert status == 2 and "schema version 99, written by a newer ppl" in err


# --- route -----------------------------------------------------------------------------------------


def route(files: dict[str, str], *extra: str, program: str = PROGRAM) -> list[str]:
    return ["route", program, "--partners", files["partners"], *extra]


def test_route_prints_the_order_the_reasons_and_who_was_left_out(
        files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(route(files, "--lead", '{"id": "L-7", "date": "2026-06-01", "region": "kanto", '
                                                '"category": "sensors"}'), capsys)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "lead L-7 (2026-06-01), version 2026.04: 1 partner in order"
    assert lines[1].split() == ["1.", "tc-kanto", "tier", "`tier1`;", "preference:", "yes"]
    assert lines[2] == "left out:"
    assert "tc-kansai  not eligible for this lead [programs/regional_trading.yaml:190:13]" in out


def test_route_leads_from_a_file_exit_1_when_nobody_can_take_one(
        files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    leads = Path(files["dir"]) / "leads.csv"
    leads.write_text("id,date,region,category\nL1,2026-06-01,kanto,sensors\nL2,2026-06-01,hokkaido,vision\n",
                     encoding="utf-8")
    status, out, err = run(route(files, "--lead-file", str(leads), "--format", "json"), capsys)
    assert status == 1 and "no partner can take L2" in err
    first, second = json.loads(out)
    assert [p["partner"] for p in first["order"]] == ["tc-kanto"] and second["order"] == []
    assert len(second["left_out"]) == 5


def test_a_json_leads_file_over_its_size_limit_is_refused_unread(
        files: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    leads = Path(files["dir"]) / "leads.json"
    text = '[{"id": "L1", "date": "2026-06-01", "region": "kanto", "category": "sensors"}]'
    leads.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PPL_MAX_JSON_FILE_BYTES", str(len(text)))
    status, _, _ = run(route(files, "--lead-file", str(leads)), capsys)
    assert status == 0
    monkeypatch.setenv("PPL_MAX_JSON_FILE_BYTES", str(len(text) - 1))
    status, _, err = run(route(files, "--lead-file", str(leads)), capsys)
    assert status == 2 and f"more than {len(text) - 1:,} bytes" in err and "PPL_MAX_JSON_FILE_BYTES" in err


def test_route_a_would_be_reseller(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(route(files, "--new-reseller", "ACME", "--date", "2026-06-01"), capsys)
    assert status == 0 and out.startswith("new reseller ACME (2026-06-01T00:00:00+09:00), version 2026.04: to the "
                                          "vendor")
    status, out, _ = run(["route", "programs/ad_agency.yaml", "--partners", "examples/data/partners.csv",
                          "--new-reseller", "ACME", "--date", "2026-06-01", "--field", "focus=retail",
                          "--format", "json"], capsys)
    assert status == 0
    answer = json.loads(out)
    assert answer["partner"].startswith("ag1-") and "1st-tier distributor" in answer["reasons"][0]["rule"]


@pytest.mark.parametrize(("extra", "status", "words"), [
    ([], 2, "give one of"),
    (["--lead", "{}", "--new-reseller", "X"], 2, "give one of"),
    (["--lead", "[1]"], 2, "must be a JSON object"),
    (["--lead", "{"], 2, "not valid JSON"),
    (["--lead", '{"date": "2026-06-01", "regoin": "kanto"}'], 2, "did you mean `region`?"),
    (["--lead", '{"region": "kanto"}'], 2, "`date` is missing"),
    (["--lead", '{"date": "2026-06-01", "region": "kanto"}'], 1, "missing field `lead.category`"),
    (["--lead", '{"date": "2026-01-01", "region": "kanto", "category": "vision"}'], 1, "error[E510]"),
    (["--lead-file", "nope.csv"], 2, "nope.csv"),
])
def test_route_errors(files: dict[str, str], extra: list[str], status: int, words: str,
                      capsys: pytest.CaptureFixture[str]) -> None:
    got, _, err = run(route(files, *extra), capsys)
    assert got == status and words in err


def test_a_claim_stamped_before_the_registration_in_force_is_refused(
        files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    future = ["--field", "region=kanto", "--at", "2099-01-01T10:00:00+09:00"]
    assert run(registry(files, "register", "--as", "si-tokyo", "--customer", "ABC", *future), capsys)[0] == 0
    status, _, err = run(registry(files, "register", "--as", "tc-chubu", "--customer", "ABC", "--field",
                                  "region=kanto"), capsys)  # now: before 2099, even when stamped again
    assert status == 1 and "records claims in time order" in err


# --- registry: the customer's choice, the close, the deal ------------------------------------------


def test_registry_choose_close_and_deal(files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    for partner, day in (("si-tokyo", "01"), ("si-osaka", "02")):
        run(registry(files, "register", "--as", partner, "--customer", "四国電装", "--field", "region=shikoku",
                     "--at", f"2026-07-{day}T10:00:00+09:00"), capsys)
    status, out, _ = run(registry(files, "choose", "--chosen", "si-osaka", "--customer", "四国電装株式会社", "--at",
                                  "2026-07-08T10:00:00+09:00"), capsys)
    assert status == 0 and out.splitlines() == [
        "pending: the customer's choice E000003",
        "  customer_choice: recorded; the program applies the customer's choice at the close  "
        "[programs/regional_trading.yaml:179:7]",
        "  the deal is held by registration R000001"]
    status, out, _ = run(registry(files, "close", "--customer", "四国電装", "--at", "2026-07-20T10:00:00+09:00"),
                         capsys)
    assert status == 0 and out.splitlines()[0] == "closed: the close E000004"
    assert out.splitlines()[2] == "  the deal is held by registration R000002"
    status, out, _ = run(registry(files, "outcome", "R000001", "--as", "si-tokyo"), capsys)
    assert out.startswith("superseded: registration R000001; the customer is now held by registration R000002")
    assert "si-osaka" not in out and "2026-07-02" not in out  # the partner learns an id and the rule only

    status, out, _ = run(registry(files, "deal", "--customer", "四国電装", "--at", "2026-07-10T10:00:00+09:00"),
                         capsys)
    assert status == 0
    assert [line.split()[3:5] for line in out.splitlines()[3:8]] == [
        ["si-tokyo", "accepted"], ["si-osaka", "held"], ["si-osaka", "pending"], ["si-osaka", "applied"],
        ["—", "closed"]]
    assert "2026-07-20T10:00:00+09:00  R000001  R000002  E000003  customer_choice" in out
    assert out.splitlines()[-1].startswith("owner at 2026-07-10T10:00:00+09:00: registration R000001 (partner "
                                           "si-tokyo) by first_registration")
    status, out, _ = run(registry(files, "deal", "--customer", "四国電装", "--at", "2026-07-21T00:00:00+09:00",
                                  "--format", "json"), capsys)
    answer = json.loads(out)
    assert [a["status"] for a in answer["arrivals"]] == ["accepted", "held", "pending", "applied", "closed"]
    assert [(c["from"], c["to"], c["cause"]) for c in answer["changes"]] == [(None, "R000001", "R000001"),
                                                                            ("R000001", "R000002", "E000003")]
    assert answer["owner"]["claim"] == "R000002" and answer["owner"]["decided_by"]["rule"] == "customer_choice"


def test_registry_vendor_requests_exit_1_when_refused_and_2_on_usage(
        files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    at = ["--at", "2026-07-01T10:00:00+09:00"]
    assert run(registry(files, "close", "--customer", "ABC", *at), capsys)[0] == 0
    status, out, _ = run(registry(files, "register", "--as", "si-tokyo", "--customer", "ABC", "--field",
                                  "region=kanto", "--at", "2026-03-01T10:00:00+09:00"), capsys)
    assert status == 1 and out.startswith("rejected (outside): claim R000001\n")  # a new deal; no version then
    status, _, err = run(registry(files, "choose", "--customer", "ABC", *at), capsys)
    assert status == 2 and "--chosen PARTNER, or --direct" in err
    status, _, err = run(registry(files, "choose", "--chosen", "nobody", "--customer", "ABC", *at), capsys)
    assert status == 2 and "unknown partner `nobody`" in err
    status, _, err = run(registry(files, "deal", "--customer", "Nobody Ltd"), capsys)
    assert status == 1 and "no request names the customer `Nobody Ltd`" in err
