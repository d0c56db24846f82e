"""`deal` cases: a registration history with instants, the statuses on arrival, the owners at chosen instants and
the changes of owner; their failures, their mistakes and their coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

import program_tests

ROOT = Path(__file__).resolve().parents[3]
SAAS = ROOT / "programs" / "saas_reseller.yaml"
REGIONAL = ROOT / "programs" / "regional_trading.yaml"

SAAS_PARTNERS = """\
partners:
  - id: gold
    contract: reseller
    tier: tier1
  - id: silver
    contract: reseller
    tier: tier2
  - id: summit
    contract: reseller
    tier: tier1
  - id: gone
    contract: reseller
    tier: tier2
    joined: 2025-04-01
    left: 2026-05-31
"""

HISTORY = """\
  - name: {name}
    deal:
      customer: 株式会社ABC
      events:
{events}
    expect:
{expect}
"""

# gold holds the deal from 1 April 10:00 for 90 days (to 30 June 10:00); silver is held off on 1 May
EVENTS = """\
        - {register: r1, partner: gold, at: 2026-04-01T10:00:00+09:00}
        - {register: r2, partner: silver, at: 2026-05-01T10:00:00+09:00}
        - {register: r3, partner: summit, at: 2026-07-01T10:00:00+09:00}"""

PASSING = """\
      statuses: {r1: accepted, r2: [held], r3: accepted}
      because: {r2: first_registration, r3: registration}
      owners:
        - {at: 2026-06-30T09:59:59+09:00, owner: r1, by: first_registration, vendor_decides: false}
        - {at: "2026-06-30 01:00:00Z", owner: none, by: none}
        - {at: 2026-07-01T10:00:00+09:00, owner: r3}
      changes:
        - {at: 2026-04-01T10:00:00+09:00, owner: r1, cause: r1}
        - {at: 2026-06-30T10:00:00+09:00, owner: none, cause: expiry of r1}
        - {at: 2026-07-01T01:00:00Z, owner: r3}"""


def write(tmp_path: Path, cases: str, program: Path = SAAS, partners: str = SAAS_PARTNERS) -> Path:
    path = tmp_path / "deal.tests.yaml"
    path.write_text(f"program: {program}\n{partners}cases:\n{cases}", encoding="utf-8")
    return path


def history(expect: str, events: str = EVENTS, name: str = "a deal") -> str:
    return HISTORY.format(name=name, events=events, expect=expect)


def run_one(tmp_path: Path, cases: str, program: Path = SAAS, partners: str = SAAS_PARTNERS) -> program_tests.TestRun:
    return program_tests.run_test_files([str(write(tmp_path, cases, program, partners))])


def test_a_deal_case_expects_statuses_rules_owners_and_changes(tmp_path: Path) -> None:
    run = run_one(tmp_path, history(PASSING))
    [(test_file, [result])] = run.results
    assert test_file.cases[0].kind == "deal"
    assert (result.status, result.mismatches, result.problem) == ("passed", (), None)


def test_a_rejected_registration_that_a_case_expects_to_come_back_fails_with_every_arrival_and_reason(
        tmp_path: Path) -> None:
    expect = ("      statuses: {r2: accepted}\n"
              "      owners:\n        - {at: 2026-06-30T10:00:00+09:00, owner: r2, by: registration}")
    run = run_one(tmp_path, history(expect))
    [(_, [result])] = run.results
    assert result.status == "failed"
    shown = {m.figure: m for m in result.mismatches}
    status = shown["statuses.r2"]
    assert (status.expected, status.actual) == ("accepted", "held")
    [arrival] = status.because
    assert arrival.what == "register `r2` at 2026-05-01T10:00:00+09:00" and arrival.value == "held"
    assert arrival.rule.startswith("first_registration: ") and "saas_reseller.yaml:" in arrival.at
    owner = shown["owners.2026-06-30T10:00:00+09:00.owner"]
    assert (owner.expected, owner.actual) == ("r2", "none")
    assert {(b.what, b.value) for b in owner.because} >= {("claim `r1`", "expired"), ("claim `r2`", "lost")}
    assert (shown["owners.2026-06-30T10:00:00+09:00.by"].actual) == "none"


def test_a_list_of_statuses_names_every_event_on_a_registration_in_order(tmp_path: Path) -> None:
    events = EVENTS + ("\n        - {renew: r1, at: 2026-06-01T10:00:00+09:00}"
                       "\n        - {renew: r1, at: 2026-06-02T10:00:00+09:00}"
                       "\n        - {withdraw: r1, at: 2026-06-03T10:00:00+09:00}")
    ok = history("      statuses: {r1: [accepted, renewed, refused, withdrawn]}", events)
    wrong = history("      statuses: {r1: [accepted, renewed, renewed, withdrawn]}", events, name="wrong")
    run = run_one(tmp_path, ok + wrong)
    [(_, [passed, failed])] = run.results
    assert passed.status == "passed"
    [mismatch] = failed.mismatches
    assert (mismatch.expected, mismatch.actual) == ("[accepted, renewed, renewed, withdrawn]",
                                                    "[accepted, renewed, refused, withdrawn]")
    assert [b.value for b in mismatch.because] == ["accepted", "renewed", "refused", "withdrawn"]


def test_a_choice_is_named_choice_unless_it_has_an_id_and_a_partner_that_left_is_outside(tmp_path: Path) -> None:
    events = ("        - {register: r1, partner: gold, at: 2026-06-01T10:00:00+09:00}\n"
              "        - {register: r2, partner: gone, at: 2026-06-02T10:00:00+09:00}\n"
              "        - {choose: silver, at: 2026-06-03T10:00:00+09:00}\n"
              "        - {choose: null, at: 2026-06-04T10:00:00+09:00, id: c2}\n"
              "        - {choose: c3, partner: gold, at: 2026-06-04T11:00:00+09:00}\n"
              "        - {close: k, at: 2026-06-05T10:00:00+09:00, fields: {}}")
    expect = ("      statuses: {r2: outside, choice: not_applied, c2: not_applied, c3: not_applied, k: closed}\n"
              "      because: {r2: membership, choice: customer_choice}")
    [(_, [result])] = run_one(tmp_path, history(expect, events)).results
    assert result.status == "passed", result.mismatches


def test_a_tie_in_the_same_second_keeps_the_first_arrival_flagged_for_the_vendor(tmp_path: Path) -> None:
    events = ("        - {register: r1, partner: gold, at: 2026-06-01T10:00:00.700+09:00}\n"
              "        - {register: r2, partner: summit, at: \"2026-06-01T01:00:00.200Z\"}")
    # the same second: r2, 0.5 s earlier, arrived first and stays in force
    expect = ("      statuses: {r2: accepted, r1: held}\n      because: {r1: otherwise}\n"
              "      owners:\n        - {at: 2026-06-02T10:00:00+09:00, owner: r2, vendor_decides: true}")
    run = run_one(tmp_path, history(expect, events))
    [(_, [result])] = run.results
    assert result.status == "passed", result.mismatches
    [coverage] = run.coverage
    assert coverage.items["otherwise: vendor_decides"] == ["a deal"]


def test_a_deal_case_covers_the_rules_that_decided_its_events_and_the_expiries(tmp_path: Path) -> None:
    [coverage] = run_one(tmp_path, history(PASSING)).coverage
    reached = {item for item, cases in coverage.items.items() if cases}
    assert reached == {"registration expiry", "conflict rule 2 `first_registration`"}


def test_a_timestamp_without_an_offset_is_the_runtimes_e530_which_a_case_can_expect(tmp_path: Path) -> None:
    naive = "        - {register: r1, partner: gold, at: 2026-06-01 10:00:00}"
    run = run_one(tmp_path, history("      error: E530", naive) + history("      statuses: {r1: accepted}", naive,
                                                                        name="b"))
    [(_, [expected, failed])] = run.results
    assert expected.status == "passed"
    assert failed.status == "failed" and failed.problem is not None
    assert "error[E530]: register `r1`" in failed.problem and "deal.tests.yaml:29:" in failed.problem


@pytest.mark.parametrize(("events", "expect", "code", "words"), [
    (EVENTS, "      statuses: {r2: hold}", "E301", "did you mean `held`?"),
    (EVENTS, "      statuses: {r4: held}", "E301", "unknown event `r4`"),
    (EVENTS, "      because: {r2: first_registraton}", "E301", "did you mean `first_registration`?"),
    (EVENTS, "      owners:\n        - {at: 2026-06-01T10:00:00+09:00, owner: r9}", "E301", "unknown claim `r9`"),
    (EVENTS, "      owners:\n        - {at: 2026-06-01T10:00:00, owner: r1}", "E530",
     "the `at` of an owner has no timezone"),
    (EVENTS, "      owners:\n        - {at: 2026-06-01T10:00:00+09:00}", "E202", "names `owner`, `by` or"),
    (EVENTS, "      changes:\n        - {at: 2026-06-01T10:00:00+09:00}", "E202",
     "a change of owner has no `owner`"),
    (EVENTS, "      statuses: {}", "E202", "`statuses` names no event"),
    (EVENTS, "      margin: 18%", "E203", "unknown key `margin` in `expect`"),
    (EVENTS.replace("partner: silver", "partner: silvr"), "      statuses: {r1: accepted}", "E301",
     "did you mean `silver`?"),
    (EVENTS.replace("r3", "r1"), "      statuses: {r1: accepted}", "E300", "two events are named `r1`"),
    (EVENTS + "\n        - {renew: r4, at: 2026-06-01T10:00:00+09:00}", "      statuses: {r1: accepted}", "E301",
     "unknown registration `r4`"),
    (EVENTS + "\n        - {choose: gold, at: 2026-06-01T10:00:00+09:00}"
              "\n        - {choose: silver, at: 2026-06-02T10:00:00+09:00}", "      statuses: {r1: accepted}",
     "E300", "two events are named `choice`"),
    (EVENTS + "\n        - {choose: c1, partner: gold, id: c2, at: 2026-06-01T10:00:00+09:00}",
     "      statuses: {r1: accepted}", "E208", "a choice is"),
    (EVENTS + "\n        - {close: none, at: 2026-06-01T10:00:00+09:00}", "      statuses: {r1: accepted}",
     "E205", "cannot be `none`"),
    (EVENTS + "\n        - {register: r5, close: k, partner: gold, at: 2026-06-01T10:00:00+09:00}",
     "      statuses: {r1: accepted}", "E208", "an event is one of"),
    (EVENTS + "\n        - {partner: gold, at: 2026-06-01T10:00:00+09:00}", "      statuses: {r1: accepted}",
     "E202", "an event is one of"),
    (EVENTS + "\n        - {register: r5, at: 2026-06-01T10:00:00+09:00}", "      statuses: {r1: accepted}",
     "E202", "a registration has no `partner`"),
    (EVENTS + "\n        - {withdraw: r1, at: 2026-06-01}", "      statuses: {r1: accepted}", "E400",
     "must be a date and time with its offset"),
    (EVENTS + "\n        - {renew: r1, at: 2026-06-01T10:00:00+09:00, fields: {}}", "      statuses: {r1: accepted}",
     "E203", "unknown key `fields` in a `renew` event"),
    ("        []", "      statuses: {r1: accepted}", "E206", "`events` is empty"),
])
def test_a_malformed_deal_case_is_reported_at_its_place(tmp_path: Path, events: str, expect: str, code: str,
                                                        words: str) -> None:
    run = run_one(tmp_path, history(expect, events).replace("      events:\n        []", "      events: []"))
    assert run.loaded.malformed, run.results
    assert any(d.code == code and words in (d.message + (d.hint or "")) for d in run.diagnostics), run.diagnostics


def test_a_partners_membership_days_are_dates(tmp_path: Path) -> None:
    partners = SAAS_PARTNERS.replace("left: 2026-05-31", "left: end of May")
    run = run_one(tmp_path, history("      statuses: {r1: accepted}"), partners=partners)
    assert [(d.code, d.message) for d in run.diagnostics] == [("E400", "`left` must be a date (YYYY-MM-DD)")]


def test_deal_fields_go_to_every_registration_and_an_event_may_add_its_own(tmp_path: Path) -> None:
    partners = """\
partners:
  - id: kanto
    contract: trading
    tier: tier2
    fields: {territory: kanto}
  - id: hokkaido
    contract: trading
    tier: tier1
    fields: {territory: hokkaido}
"""
    case = """\
  - name: the region's trading company
    deal:
      customer: 関東精機
      fields: {region: kanto}
      events:
        - {register: r1, partner: hokkaido, at: 2026-05-01T10:00:00+09:00}
        - {register: r2, partner: kanto, at: 2026-05-20T10:00:00+09:00, fields: {region: kanto}}
    expect:
      statuses: {r1: accepted, r2: accepted}
      because: {r2: exclusivity}
      owners:
        - {at: 2026-05-19T10:00:00+09:00, owner: r1}
        - {at: 2026-05-20T10:00:00+09:00, owner: r2, by: exclusivity}
"""
    run = run_one(tmp_path, case, program=REGIONAL, partners=partners)
    [(_, [result])] = run.results
    assert result.status == "passed", result.mismatches


def test_the_deal_example_in_the_docs_runs_and_is_a_case_of_the_example_programs(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    section = page.split("### A deal's history", 1)[1]
    title = 'title="programs/tests/regional_trading.tests.yaml"'
    example = section.split(f"```yaml {title}\n", 1)[1].split("```", 1)[0]
    tests = (ROOT / "programs" / "tests" / "regional_trading.tests.yaml").read_text(encoding="utf-8")
    assert example in tests, "docs/testing.md: the deal example is not the one in programs/tests"
    partners = tests.split("\npartners:\n", 1)[1].split("\ncases:\n", 1)[0]
    run = run_one(tmp_path, example, program=REGIONAL, partners=f"partners:\n{partners}\n")
    [(_, [result])] = run.results
    assert result.status == "passed", result.mismatches
