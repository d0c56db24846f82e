"""The command line on PostgreSQL: `--db`/`--registry`/`--ledger` take a `postgresql://` URL as they take a file;
a server that cannot be reached is a clear error (exit 2, the host and the reason, never the password; `ppl route`
answers 1, as it does for a registry file it cannot open)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ppl.cli import main
from ppl.common import EXIT_ERRORS, EXIT_USAGE
from tests.unit.cli._asof_program import write_files
from tests.unit.cli.test_deal_commands import PARTNERS, PROGRAM, run

UNREACHABLE = "postgresql://ppl:s3cret-word@127.0.0.1:1/deals"  # port 1: nothing listens there


@pytest.fixture
def partners(tmp_path: Path, in_root: Path) -> str:
    (tmp_path / "partners.csv").write_text(PARTNERS, encoding="utf-8")
    return str(tmp_path / "partners.csv")


def _register(option: str, target: str, partners: str, partner: str, customer: str, at: str) -> list[str]:
    return ["registry", option, target, PROGRAM, "--partners", partners, "register", "--as", partner, "--customer",
            customer, "--field", "region=kanto", "--at", at]


def test_the_registry_commands_take_a_postgresql_url(postgres_url: str, partners: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(_register("--db", postgres_url, partners, "si-tokyo", "株式会社ABC",
                                   "2026-06-01T10:00:00+09:00"), capsys)
    assert status == 0 and out.startswith("accepted: registration R000001 holds the customer")
    status, out, _ = run(_register("--registry", postgres_url, partners, "tc-chubu", "ＡＢＣ（株）",
                                   "2026-06-02T10:00:00+09:00"), capsys)
    assert status == 1 and out.startswith("rejected (held): claim R000002; the customer is held by registration "
                                          "R000001")
    status, out, _ = run(["registry", "--db", postgres_url, PROGRAM, "--partners", partners, "history", "--format",
                          "json"], capsys)
    assert status == 0 and [e["event"] for e in json.loads(out)] == ["register", "accept", "register", "reject"]


def test_route_records_a_would_be_reseller_in_a_postgresql_registry(postgres_url: str, partners: str,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["route", PROGRAM, "--partners", partners, "--new-reseller", "ACME", "--date", "2026-06-01",
            "--registry", postgres_url]
    status, out, _ = run(argv, capsys)
    assert status == 0 and out.rstrip().endswith(f"recorded in {postgres_url}")


def test_settle_records_in_a_postgresql_ledger_and_ledger_shows_it(postgres_url: str, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    program, people, transactions = write_files(tmp_path, "S1,2026-05-10,p,1200000,1200000,1,\n")
    settle = ["settle", str(program), "--partners", str(people), "--transactions", str(transactions), "--as-of",
              "2026-06-30", "--ledger", postgres_url, "--color", "never"]
    assert main([*settle, "--out", str(tmp_path / "q1")]) == 0
    assert main([*settle, "--out", str(tmp_path / "again")]) == 0  # the same run again: recorded once
    capsys.readouterr()
    status, out, _ = run(["ledger", "show", "--ledger", postgres_url], capsys)
    assert status == 0 and out.startswith("run 1: asof-program FY2026 as of 2026-06-30") and "run 2" not in out
    status, out, _ = run(["ledger", "export", "--db", postgres_url, "--format", "json"], capsys)
    assert status == 0 and [r["run"] for r in json.loads(out)["runs"]] == [1]


@pytest.mark.parametrize("command", ["registry", "route", "settle", "ledger show", "ledger export"])
def test_a_server_that_cannot_be_reached_is_an_error_naming_the_host_and_the_reason_not_the_password(
        command: str, partners: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "asof").mkdir()
    program, people, transactions = write_files(tmp_path / "asof", "S1,2026-05-10,p,1200000,1200000,1,\n")
    argv = {
        "registry": _register("--db", UNREACHABLE, partners, "si-tokyo", "ABC", "2026-06-01T10:00:00+09:00"),
        "route": ["route", PROGRAM, "--partners", partners, "--new-reseller", "ACME", "--date", "2026-06-01",
                  "--registry", UNREACHABLE],
        "settle": ["settle", str(program), "--partners", str(people), "--transactions", str(transactions),
                   "--as-of", "2026-06-30", "--ledger", UNREACHABLE, "--out", str(tmp_path / "out")],
        "ledger show": ["ledger", "show", "--ledger", UNREACHABLE],
        "ledger export": ["ledger", "export", "--db", UNREACHABLE],
    }[command]
    status, out, err = run(argv, capsys)
    # `ppl route` answers 1 for a registry it cannot use, as for a file that is not one
    assert status == (EXIT_ERRORS if command == "route" else EXIT_USAGE), err
    assert "postgresql://ppl@127.0.0.1:1/deals" in err and "Connection refused" in err
    assert "s3cret" not in out + err and "Traceback" not in err and "internal error" not in err
    assert not (tmp_path / "out").exists()
