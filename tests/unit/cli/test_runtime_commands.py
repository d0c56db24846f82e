"""`ppl settle`, `ppl quote` and `ppl explain`: exit codes, output, reconciliation, explanations."""

from __future__ import annotations

import csv
import importlib.util
import json
import time
from pathlib import Path
from typing import Any

import pytest

from ppl.cli import main

ROOT = Path(__file__).resolve().parents[3]
PROGRAM = "programs/ad_agency.yaml"
PARTNERS = "examples/data/partners.csv"
TRANSACTIONS = "examples/data/transactions.csv"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def settle(out: Path, *extra: str, program: str = PROGRAM, transactions: str = TRANSACTIONS,
           partners: str = PARTNERS, period: str = "FY2026") -> list[str]:
    return ["settle", program, "--transactions", transactions, "--partners", partners, "--period", period,
            "--out", str(out), *extra]


def statements(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "statements.json").read_text(encoding="utf-8"))
    return data


def sample_generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_sample", ROOT / "examples" / "generate_sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- settle ---------------------------------------------------------------------------------------


def test_settle_the_sample_data(in_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(settle(tmp_path), capsys)
    assert status == 0
    counts = statements(tmp_path)["reconciliation"]
    with open(ROOT / TRANSACTIONS, encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))
    assert counts["read"] == rows == counts["accepted"] + counts["rejected"] + counts["held"]
    assert counts["rejected"] >= 6  # the sample's deliberately malformed rows
    assert f"transactions read  {rows:,}".replace("  ", " ") in " ".join(out.split())
    for word in ("partners", "accepted", "rejected", "E522 unknown enumeration member", "margin", "ladder clawback",
                 "bonus", "earned by partners", "top partners", "ag1-01"):
        assert word in out
    assert "\r" not in err  # no progress bar when standard error is not a terminal
    assert "statements.json" in err


def test_settle_from_a_compiled_rule_set_on_either_engine_gives_the_same_statements(
        in_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifact = tmp_path / "ad_agency.json"
    assert run(["compile", PROGRAM, "-o", str(artifact)], capsys)[0] == 0
    assert run(settle(tmp_path / "yaml"), capsys)[0] == 0
    assert run(settle(tmp_path / "json", "--engine", "interpreted", program=str(artifact)), capsys)[0] == 0
    assert statements(tmp_path / "yaml") == statements(tmp_path / "json")
    assert (tmp_path / "yaml" / "lines.csv").read_bytes() == (tmp_path / "json" / "lines.csv").read_bytes()


def test_fifty_thousand_rows_with_one_percent_malformed_are_all_accounted_for(
        in_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partners, transactions = sample_generator().generate(tmp_path / "data", 50_000, 0.01, seed=7)
    started = time.perf_counter()
    status, _, _ = run(settle(tmp_path / "out", partners=str(partners), transactions=str(transactions)), capsys)
    elapsed = time.perf_counter() - started
    assert status == 0
    counts = statements(tmp_path / "out")["reconciliation"]
    assert counts["read"] == 50_000 == counts["accepted"] + counts["rejected"] + counts["held"]
    with open(tmp_path / "out" / "rejects.csv", encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert len(rejects) == counts["rejected"]
    assert 300 <= counts["rejected"] <= 800  # about 1% malformed; a few refunds of malformed rows are fine
    malformed = {"E511", "E514", "E520", "E521", "E522", "E523"}
    # Refunds: of a malformed (rejected) sale or the unknown T999999 (E543), of more than remains (E544), and a
    # malformed refund row whose partner or date no longer agrees with its sale (E545). E550: the generator's
    # sales above the list price, which the program's `ceiling: list_price` rejects.
    assert malformed | {"E543", "E544", "E550"} <= {r["code"] for r in rejects} <= \
        malformed | {"E543", "E544", "E545", "E550"}
    assert elapsed < 60


@pytest.mark.parametrize(("argv", "message"), [
    (["--partners", "missing.csv"], "missing.csv: cannot read"),
    (["--period", "FY26"], "`FY26` is not a period"),
    (["--transactions", "missing.jsonl"], "missing.jsonl: cannot read"),
    (["--transactions", "examples/data/transactions.txt"], "unknown file format"),
])
def test_settle_usage_and_io_errors_exit_two(in_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             argv: list[str], message: str) -> None:
    options = dict(zip(argv[::2], argv[1::2], strict=True))
    status, _, err = run(settle(tmp_path, transactions=options.get("--transactions", TRANSACTIONS),
                                partners=options.get("--partners", PARTNERS),
                                period=options.get("--period", "FY2026")), capsys)
    assert status == 2
    assert message in err


def test_a_bad_partners_file_exits_two_naming_the_rows(in_root: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "partners.csv"
    text = (ROOT / PARTNERS).read_text(encoding="utf-8").replace("ag2-01,Sakura Affiliate 1,agency,certified",
                                                                 "ag2-01,Sakura Affiliate 1,agencyy,certified")
    bad.write_text(text, encoding="utf-8")
    status, _, err = run(settle(tmp_path / "out", partners=str(bad)), capsys)
    assert status == 2
    assert "partners.csv: row 2: unknown contract `agencyy`; did you mean `agency`?" in err


def test_a_program_with_errors_exits_one_with_its_diagnostics(in_root: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(settle(tmp_path, program="examples/broken_reseller.yaml"), capsys)
    assert status == 1
    assert "error[E" in err and "has errors; nothing was computed" in err and out == ""


def test_an_altered_rule_set_exits_two(in_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    artifact = tmp_path / "r.json"
    assert run(["compile", PROGRAM, "-o", str(artifact)], capsys)[0] == 0
    artifact.write_text(artifact.read_text(encoding="utf-8").replace('"0.2"', '"0.3"'), encoding="utf-8")
    status, _, err = run(settle(tmp_path, program=str(artifact)), capsys)
    assert status == 2 and "SHA-256 does not match" in err


def test_a_program_of_another_kind_is_a_usage_error(in_root: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(settle(tmp_path, program="README.md"), capsys)
    assert status == 2 and "give a program (.yaml) or a compiled rule set (.json)" in err


# --- quote ----------------------------------------------------------------------------------------

QUOTE = ["quote", PROGRAM, "--partners", PARTNERS]


def test_quote_from_flags_explains_every_number(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([*QUOTE, "--partner", "ag3-01", "--date", "2026-06-01", "--list-price", "¥1,000,000",
                          "--sell-price", "950000", "--quantity", "2", "--field", "placement=takeover",
                          "--field", "ad_spend=300000"], capsys)
    assert status == 0
    for text in ("by partner `ag3-01`", "hierarchy level 1", "tier `premier`", "margin cap `takeover-cap`",
                 "hierarchy level 3", "pass-through `media-spend`", "Distributor chain", "Next steps",
                 "programs/ad_agency.yaml:"):
        assert text in out
    assert "list price ¥1,000,000 × 2" in out


def test_quote_from_json_as_json(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    txn = {"id": "x1", "date": "2026-06-01", "partner": "intro-01", "list_price": 3000000, "sell_price": "2800000",
           "quantity": 1, "placement": "video", "ad_spend": 0}
    status, out, _ = run([*QUOTE, "--transaction", json.dumps(txn), "--format", "json"], capsys)
    assert status == 0
    data = json.loads(out)
    assert data["kind"] == "referral" and data["lines"][0]["amount"] == 140_000  # 5% of ¥2,800,000
    assert data["lines"][0]["rule"] == "contract `introducer`" and "ad_agency.yaml:" in data["lines"][0]["at"]


@pytest.mark.parametrize(("argv", "status", "message"), [
    (["--partner", "nobody", "--date", "2026-06-01", "--list-price", "1", "--field", "placement=video",
      "--field", "ad_spend=0"], 1, "error[E511]: unknown partner `nobody`"),
    (["--partner", "ag1-01", "--date", "2026-06-01", "--list-price", "1"], 1,
     "error[E500]: missing field `transaction.placement`"),
    (["--partner", "ag1-01", "--date", "2026-06-01", "--list-price", "1.5"], 2, "`list_price`: `1.5` is finer"),
    (["--partner", "ag1-01"], 2, "at least --date, --list-price"),
    (["--transaction", "{}", "--partner", "ag1-01"], 2, "not both"),
    (["--transaction", "[1]"], 2, "must be a JSON object"),
    (["--partner", "ag1-01", "--date", "2026-06-01", "--list-price", "1", "--field", "novalue"], 2, "name=value"),
    # Strict lines: no sale of 0 units, no negative quantity without the sale it reverses, no price of 0.
    (["--partner", "ag1-01", "--date", "2026-06-01", "--list-price", "1", "--quantity", "0"], 2,
     "`quantity`: quantity is 0; a row is a sale or a refund of at least one unit [E540]"),
    (["--partner", "ag1-01", "--date", "2026-06-01", "--list-price", "1", "--quantity", "-1"], 2,
     "a refund names the sale it reverses in `refund_of` [E542]"),
    (["--partner", "ag1-01", "--date", "2026-06-01", "--list-price", "0", "--product", "reserved"], 2,
     "`list_price`: `list_price` is 0 for product `reserved`"),
    (["--transaction", '{"partner": "ag1-01", "date": "2026-06-01", "quantity": -1, "refund_of": "T1"}'], 2,
     "`refund_of`: a refund of `T1` is settled against its sale"),
])
def test_quote_errors(in_root: Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int,
                      message: str) -> None:
    code, out, err = run([*QUOTE, *argv], capsys)
    assert (code, out) == (status, "")
    assert message in err


# --- explain --------------------------------------------------------------------------------------

EXPLAIN = ["explain", PROGRAM, "--partners", PARTNERS, "--transactions", TRANSACTIONS]


def test_explain_a_refund_points_at_its_sale(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open(TRANSACTIONS, encoding="utf-8") as handle:
        refund = next(r for r in csv.DictReader(handle) if r["refund_of"])
    status, out, err = run([*EXPLAIN, "--id", refund["id"]], capsys)
    assert (status, out) == (1, "")
    assert f"is a refund of `{refund['refund_of']}`" in err and f"--id {refund['refund_of']}" in err


def test_explain_a_transaction_with_its_period_to_date_volumes(in_root: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([*EXPLAIN, "--id", "T001500"], capsys)
    assert status == 0
    assert out.startswith(f"{TRANSACTIONS}: row 1500; period 2026-04-01..2027-03-31, volumes to date from ")
    assert "ladder `annual-spend` step" in out  # the volumes so far reached a step
    assert "hierarchy level 1" in out and "programs/ad_agency.yaml:" in out and "Next steps" in out


def test_explain_a_partner_s_statement(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run([*EXPLAIN, "--partner", "ag1-05", "--period", "FY2026"], capsys)
    assert status == 0
    for text in ("Statement of `ag1-05`", "Transaction lines, by rule", "ladder clawback", "bonus clawback",
                 "bonus `agency-growth`", "programs/ad_agency.yaml:", "earned", "Tier for the next period"):
        assert text in out


@pytest.mark.parametrize(("argv", "status", "message"), [
    (["--id", "T000757"], 1, "row 757: transaction `T000757` is rejected: `placement`: `banner` is not a"),
    (["--id", "nope"], 1, "no transaction `nope`"),
    (["--partner", "nobody", "--period", "FY2026"], 1, "no partner `nobody`"),
    (["--partner", "ag1-01"], 2, "--partner needs --period"),
    ([], 2, "give --id TXN"),
    (["--id", "T000001", "--partner", "ag1-01"], 2, "give --id TXN"),
    (["--id", "T001500", "--period", "2026-04"], 2, "outside the period"),
])
def test_explain_errors(in_root: Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int,
                        message: str) -> None:
    code, out, err = run([*EXPLAIN, *argv], capsys)
    assert (code, out) == (status, "")
    assert message in err


def test_unique_ids_rejects_a_row_pasted_twice(in_root: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    source = (ROOT / TRANSACTIONS).read_text(encoding="utf-8").splitlines()
    doubled = tmp_path / "doubled.csv"
    doubled.write_text("\n".join([*source, source[2]]) + "\n", encoding="utf-8")  # row 1 is malformed
    argv = [a if a != TRANSACTIONS else str(doubled) for a in settle(tmp_path / "out")]
    status, _, _ = run([*argv, "--unique-ids"], capsys)
    assert status == 0
    counts = statements(tmp_path / "out")["reconciliation"]
    assert counts["read"] == len(source) == counts["accepted"] + counts["rejected"] + counts["held"]
    with open(tmp_path / "out" / "rejects.csv", encoding="utf-8") as handle:
        assert [r["code"] for r in csv.DictReader(handle)].count("E524") == 1
