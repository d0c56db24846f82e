"""The runner that `ppl diff` calls for the money impact: its options, its output and the gates a CI sets on it
(`--fail-if-any-partner-loses`, `--max-total-change`)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from ppl.commands._diff_impact import add_impact_arguments, impact_requested, run_impact
from ppl.common import EXIT_ERRORS, EXIT_OK, CommandError, load_ruleset
from tests.unit.impact._impact_data import AD, SAAS, Example, write_files


def _run(example: Example, tmp_path: Path, *options: str) -> tuple[int, str, str]:
    """Run the impact of an example as `ppl diff OLD NEW --transactions … --partners … --period …` would."""
    old, new, partners, transactions = write_files(example, tmp_path)
    parser = argparse.ArgumentParser()
    parser.add_argument("--format", default="text")
    add_impact_arguments(parser)
    args = parser.parse_args(["--transactions", str(transactions), "--partners", str(partners), "--period",
                              example.period, "--engine", "rows", *options])
    assert impact_requested(args)
    out = io.StringIO()
    try:
        status, err = run_impact(args, load_ruleset(str(old)), load_ruleset(str(new)), args.format, out), ""
    except CommandError as exc:
        if exc.status != EXIT_ERRORS:
            raise
        status, err = exc.status, exc.render("diff")
    return status, out.getvalue(), err


def test_a_partner_who_would_lose_is_called_out_and_fails_the_gate(tmp_path: Path) -> None:
    status, out, err = _run(AD, tmp_path, "--fail-if-any-partner-loses")
    assert status == EXIT_ERRORS
    assert "1 partner(s) would earn less:\n  a1: ¥130,000,000 → ¥126,000,000 (-¥4,000,000)" in out
    assert err == "ppl diff: 1 partner(s) would earn less: a1 (--fail-if-any-partner-loses)\n"


def test_no_loser_passes_the_gate(tmp_path: Path) -> None:
    status, out, err = _run(SAAS, tmp_path, "--fail-if-any-partner-loses")
    assert (status, err) == (EXIT_OK, "")
    assert "0 partner(s) would earn less." in out


def test_without_a_gate_a_loser_is_reported_and_the_status_is_0(tmp_path: Path) -> None:
    status, out, _ = _run(AD, tmp_path)
    assert status == EXIT_OK and "a1: ¥130,000,000 → ¥126,000,000" in out


@pytest.mark.parametrize(("limit", "status"), [("¥4,000,000", EXIT_OK), ("3999999", EXIT_ERRORS),
                                               ("¥4,000,001", EXIT_OK), ("400万", EXIT_OK),
                                               ("¥0", EXIT_ERRORS)])
def test_max_total_change_fails_only_above_the_limit(limit: str, status: int, tmp_path: Path) -> None:
    # The AD revision moves the total by -¥4,000,000 (test_impact_by_hand.py): the limit holds either way.
    got, _, err = _run(AD, tmp_path, "--max-total-change", limit)
    assert got == status
    assert ("more than" in err) == (status == EXIT_ERRORS)
    if status == EXIT_ERRORS and limit == "3999999":
        assert err == ("ppl diff: the total earned by partners moves by -¥4,000,000, more than ¥3,999,999 "
                       "(--max-total-change)\n")


def test_both_gates_report_every_reason(tmp_path: Path) -> None:
    status, _, err = _run(AD, tmp_path, "--fail-if-any-partner-loses", "--max-total-change", "¥1")
    assert status == EXIT_ERRORS and len(err.splitlines()) == 2


@pytest.mark.parametrize("limit", ["lots", "-¥5", "¥1.5"])
def test_a_limit_that_is_not_an_amount_of_the_currency_is_a_usage_error(limit: str, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        _run(SAAS, tmp_path, f"--max-total-change={limit}")
    assert caught.value.status == 2 and "--max-total-change" in caught.value.messages[0]


def test_json_holds_the_figures_in_minor_units(tmp_path: Path) -> None:
    status, out, _ = _run(AD, tmp_path, "--format", "json")
    data = json.loads(out)
    assert status == EXIT_OK
    assert data["totals"] == {"before": 150_000_000, "after": 146_000_000, "difference": -4_000_000}
    assert data["losers"] == data["movers"] == ["a1"]
    a1 = data["partners"][0]
    assert a1["partner"] == "a1" and a1["loses"] is True
    assert a1["standings"] == [{"what": "ladder_step", "id": "annual-spend", "before": None, "after": 2},
                               {"what": "bonus", "id": "agency-growth", "before": 10_000_000, "after": None}]
    assert {k["kind"]: k["difference"] for k in a1["kinds"]} == {"margin": 0, "ladder": 6_000_000,
                                                                  "bonus": -10_000_000}
    assert data["before"]["read"] == data["before"]["accepted"] + data["before"]["rejected"] + data["before"]["held"]


def _namespace(**given: object) -> argparse.Namespace:
    values: dict[str, object] = {"transactions": None, "partners": None, "period": None, "partner_facts": None,
                                 "fail_if_any_partner_loses": False, "max_total_change": None}
    return argparse.Namespace(**(values | given))


def test_no_impact_option_asks_for_no_impact() -> None:
    assert impact_requested(_namespace()) is False


@pytest.mark.parametrize("given", [{"transactions": "t.csv"}, {"fail_if_any_partner_loses": True},
                                   {"partners": "p.csv", "period": "FY2026"}])
def test_an_impact_option_needs_the_data_to_settle(given: dict[str, object]) -> None:
    with pytest.raises(CommandError, match="the money impact needs"):
        impact_requested(_namespace(**given))


def test_partners_the_new_program_cannot_read_are_named(tmp_path: Path) -> None:
    renamed = ("  - id: reseller\n    kind: distributor", "  - id: resale\n    kind: distributor")
    dropped = Example(SAAS.program, (renamed, ("    bonuses: [growth]\n", "")),
                      SAAS.partners, SAAS.transactions, SAAS.period)
    with pytest.raises(CommandError) as caught:
        _run(dropped, tmp_path)
    assert "cannot be read under the new program" in caught.value.messages[-1]
