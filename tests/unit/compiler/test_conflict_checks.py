"""The precedence chain is checked by running it on every contest of two claims: each finding is proved by a
contest and shows one, and nothing is reported that no contest proves."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from compiler.pipeline import check_program
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program, load_program_text

EXAMPLES = sorted(f"programs/{p.name}" for p in (Path(__file__).resolve().parents[3] / "programs").glob("*.yaml"))
CONFLICT_CODES = {"E350", "E351", "W303", "W314"}

PROGRAM = """\
ppl: 1
program:
  id: chain-test
  title: Chain test
  version: "2026.04"
  effective_from: 2026-04-01
  currency: JPY
  rounding: {{mode: down}}
inputs:
  partner:
    territory: region
    segment: region
    account: region
  deal:
    region: region
enums:
  region: [kanto, kansai]
contracts:
  - id: reseller
    kind: distributor
    margin: 15%
{tiers}conflicts:
  registration:
    expires_after: 90d
  precedence:
{chain}
{otherwise}"""

TIERS = """\
tiers:
  cadence: quarterly
  levels:
    - id: gold
      qualify: partner.territory == kansai
    - id: member
      qualify: true
"""

TERRITORY = """\
    - rule: exclusivity
      by: territory
      when: partner.territory == deal.region"""


def program_text(chain: str, *, otherwise: bool = True, tiers: bool = True) -> str:
    """A small program whose conflicts hold `chain` (rule items, indented four spaces)."""
    return PROGRAM.format(chain=chain.rstrip("\n"), otherwise="  otherwise: vendor_decides\n" if otherwise else "",
                          tiers=TIERS if tiers else "")


def conflict_findings(chain: str, *, otherwise: bool = True, tiers: bool = True) -> list[dg.Diagnostic]:
    """The conflict diagnostics `ppl check` gives the chain."""
    loaded = load_program_text("chain.yaml", program_text(chain, otherwise=otherwise, tiers=tiers))
    assert loaded.program is not None, dg.render_text(loaded.diagnostics, {"chain.yaml": loaded.source})
    return [d for d in check_program(loaded.program) if d.code in CONFLICT_CODES]


def codes(diagnostics: list[dg.Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def rules(*names: str) -> str:
    """Chain items for plain rules: `rules("first_registration", "tie_break:higher_tier")`."""
    lines = []
    for name in names:
        rule, _, by = name.partition(":")
        lines.append(f"    - rule: {rule}" + (f"\n      by: {by}" if by else ""))
    return "\n".join(lines)


# --- W303: only when no contest is decided by the rule --------------------------------------------------------------

def test_partner_over_direct_after_first_registration_decides_a_same_instant_contest() -> None:
    assert conflict_findings(rules("first_registration", "partner_over_direct", "tie_break:vendor_decides")) == []


def test_exclusivity_after_first_registration_still_decides_a_same_instant_contest() -> None:
    assert conflict_findings(rules("first_registration") + "\n" + TERRITORY) == []


def test_a_tier_tie_break_before_first_registration_is_not_an_error_both_decide() -> None:
    assert conflict_findings(rules("tie_break:higher_tier", "first_registration")) == []


def test_rules_after_a_vendor_decides_tie_break_can_never_decide() -> None:
    found = conflict_findings(rules("tie_break:vendor_decides", "first_registration", "partner_over_direct"))
    assert codes(found) == ["W303", "W303"]
    assert found[0].message == ("conflict rule `first_registration` can never decide: `tie_break` by `vendor_decides` "
                                "before it always decides first")
    assert found[0].labels[0].note.startswith("decides first, e.g. for partner A and partner B: ")
    assert found[0].hint == "end the chain with `otherwise: vendor_decides` instead"


def test_a_tier_tie_break_after_partner_id_never_decides_when_direct_sales_are_decided_before() -> None:
    chain = rules("partner_over_direct", "first_registration", "tie_break:partner_id", "tie_break:higher_tier")
    [found] = conflict_findings(chain)
    assert found.code == "W303"
    assert found.message == ("conflict rule `tie_break` by `higher_tier` can never decide: `partner_over_direct` or "
                             "`first_registration` or `tie_break` by `partner_id` before it always decides first")
    assert [label.note for label in found.labels][::2] == [
        "decides first, e.g. for a partner and the vendor's direct sales: the partner with a tier",
        "decides first, e.g. for partner A and partner B: registered at the same instant, partner A has the smaller "
        "partner id, partner A in the better tier"]


def test_a_tier_tie_break_after_partner_id_decides_a_partner_against_direct_sales() -> None:
    assert conflict_findings(rules("first_registration", "tie_break:partner_id", "tie_break:higher_tier")) == []


def test_a_tier_tie_break_without_tiers_can_never_decide() -> None:
    [found] = conflict_findings(rules("partner_over_direct", "first_registration", "tie_break:higher_tier"),
                                tiers=False)
    assert found.code == "W303"
    assert found.message == "conflict rule `tie_break` by `higher_tier` can never decide: no two claims differ by it"
    assert found.hint == "the program has no tiers; declare `tiers`, or remove this rule"


def test_the_note_names_every_rule_that_decides_first() -> None:
    chain = rules("customer_choice", "tie_break:vendor_decides", "first_registration")
    [found] = conflict_findings(chain)
    assert "`customer_choice` or `tie_break` by `vendor_decides` before it" in found.message
    assert [label.note.split(",")[0] for label in found.labels] == ["decides first", "decides first"]
    assert "the customer chose partner A" in found.labels[0].note


# --- E351: every way a deal can stay unresolved ----------------------------------------------------------------------

def test_two_partners_at_the_same_instant_stay_unresolved_without_a_tie_break() -> None:
    [found] = conflict_findings(rules("partner_over_direct", "first_registration"), otherwise=False)
    assert found.code == "E351"
    assert found.message == ("a contested deal can stay unresolved: two partners registered at the same instant; "
                             "no rule tells them apart")


def test_each_kind_of_claimants_left_unresolved_is_its_own_error() -> None:
    found = conflict_findings(rules("first_registration", "tie_break:higher_tier"), otherwise=False)
    assert [d.message.split(": ", 1)[1].split(";")[0] for d in found] == [
        "two partners registered at the same instant, of the same tier",
        "a partner and the vendor's direct sales: registered at the same instant, the partner with no tier"]


def test_the_counterexample_follows_the_chain_in_order() -> None:
    chain = TERRITORY + "\n" + rules("customer_choice", "partner_over_direct", "first_registration",
                                     "tie_break:higher_tier")
    [found] = conflict_findings(chain, otherwise=False)
    assert found.message == (
        "a contested deal can stay unresolved: two partners neither holding the territory (`partner.territory == "
        "deal.region`), the customer chose neither, registered at the same instant, of the same tier; no rule tells "
        "them apart")


def test_partners_holding_a_territory_without_registering_can_tie() -> None:
    chain = TERRITORY + "\n      needs_registration: false\n" + rules("partner_over_direct", "first_registration",
                                                                          "tie_break:higher_tier")
    found = conflict_findings(chain, otherwise=False)
    assert [d.message.split(": ", 1)[1].split(";")[0] for d in found] == [
        "two partners neither holding the territory (`partner.territory == deal.region`), registered at the same "
        "instant, of the same tier",
        "two partners, neither registered, both holding the territory (`partner.territory == deal.region`), of the "
        "same tier"]


def test_partners_holding_a_territory_without_registering_are_told_apart_by_partner_id() -> None:
    chain = TERRITORY + "\n      needs_registration: false\n" + rules("partner_over_direct", "first_registration",
                                                                          "tie_break:partner_id")
    assert conflict_findings(chain, otherwise=False) == []


def test_a_chain_that_tells_every_contest_apart_needs_no_otherwise() -> None:
    chain = rules("partner_over_direct", "first_registration", "tie_break:partner_id")
    assert conflict_findings(chain, otherwise=False) == []


def test_otherwise_vendor_decides_resolves_every_contest() -> None:
    assert conflict_findings(rules("partner_over_direct"), otherwise=True) == []


def test_the_hint_names_a_rule_that_tells_the_claimants_apart() -> None:
    [found] = conflict_findings(rules("first_registration", "tie_break:partner_id"), otherwise=False)
    assert "the vendor's direct sales" in found.message
    assert found.hint == "add `- rule: partner_over_direct`, or `otherwise: vendor_decides` to the conflict rules"


# --- E350: listed twice, opposite, equal precedence ------------------------------------------------------------------

def test_a_rule_listed_twice_is_an_error_and_not_also_a_warning() -> None:
    found = conflict_findings(rules("first_registration", "partner_over_direct", "first_registration"))
    assert codes(found) == ["E350"]
    assert found[0].message == "conflict rule `first_registration` appears twice"


def test_two_exclusivity_rules_with_different_conditions_are_independent() -> None:
    other = TERRITORY.replace("territory ==", "segment ==").replace("by: territory", "by: segment")
    assert conflict_findings(TERRITORY + "\n" + other + "\n" + rules("first_registration")) == []


def test_exclusivity_by_another_right_on_the_same_condition_has_equal_precedence() -> None:
    same = TERRITORY.replace("by: territory", "by: named_account")
    [found] = conflict_findings(TERRITORY + "\n" + same + "\n" + rules("first_registration"))
    assert found.code == "E350"
    assert found.message == ("`exclusivity` by `named_account` has the same precedence as `exclusivity` by "
                             "`territory`: the two keep the same claims in every contest")
    assert found.labels[0].note == "decides alike"


def test_opposite_rules_are_an_error() -> None:
    found = conflict_findings(rules("partner_over_direct", "first_registration", "direct_over_partner"))
    assert codes(found) == ["E350"]
    assert found[0].message == "`direct_over_partner` contradicts `partner_over_direct`"


def test_a_vendor_decides_tie_break_that_every_contest_is_decided_before_can_never_decide() -> None:
    [found] = conflict_findings(rules("partner_over_direct", "tie_break:partner_id", "tie_break:vendor_decides"))
    assert found.message == ("conflict rule `tie_break` by `vendor_decides` can never decide: `partner_over_direct` or "
                             "`tie_break` by `partner_id` before it always decides first")
    assert found.hint == "remove it: the rules before it decide every contest"


def test_two_tie_break_orders_that_differ_are_not_a_pair() -> None:
    chain = rules("first_registration") + """
    - rule: tie_break
      by: order
      order: [tc-kanto, tc-kansai]
    - rule: tie_break
      by: partner_id"""
    assert conflict_findings(chain) == []


# --- W314: an exclusive right without registration that never wins --------------------------------------------------

def test_a_right_without_registration_after_first_registration_never_wins_against_a_registration() -> None:
    chain = rules("first_registration") + "\n" + TERRITORY + \
        "\n      needs_registration: false\n" + rules("tie_break:higher_tier")
    found = [d for d in conflict_findings(chain) if d.code == "W314"]
    assert len(found) == 1
    assert found[0].message == ("a partner holding this territory without a registration never wins a deal another "
                                "claimant registered")
    assert found[0].labels[0].note.startswith("decides first, e.g. for ")
    assert "(not registered)" in found[0].labels[0].note


def test_a_right_without_registration_that_beats_direct_sales_is_not_reported() -> None:
    chain = rules("partner_over_direct", "first_registration") + "\n" + TERRITORY + \
        "\n      needs_registration: false\n" + rules("tie_break:higher_tier")
    assert "W314" not in codes(conflict_findings(chain))


def test_a_right_without_registration_before_first_registration_wins() -> None:
    chain = TERRITORY + "\n      needs_registration: false\n" + rules("partner_over_direct", "first_registration",
                                                                          "tie_break:partner_id")
    assert conflict_findings(chain) == []


# --- the example programs and speed ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLES)
def test_example_programs_get_no_conflict_findings(path: str, in_root: Path) -> None:
    loaded = load_program(path)
    assert loaded.program is not None
    assert [d for d in check_program(loaded.program) if d.code in CONFLICT_CODES] == []


CONDITIONS = [f"partner.{f} == {r}" for f in ("territory", "segment", "account") for r in ("kanto", "kansai")] + [
    f"partner.{f} == deal.region" for f in ("territory", "segment", "account")] + [
    "partner.territory == deal.region and partner.segment == kanto",
    "partner.account == deal.region or partner.segment == kansai",
    "partner.territory == kansai and partner.account == deal.region"]
TWENTY = "\n".join([
    *(f"    - rule: exclusivity\n      by: {('territory', 'segment', 'named_account')[i % 3]}\n      when: {c}"
      + ("\n      needs_registration: false" if i % 4 == 0 else "") for i, c in enumerate(CONDITIONS[:6])),
    rules("customer_choice", "partner_over_direct"),
    "    - rule: tie_break\n      by: order\n      order: [p-a, p-b, p-c, p-d, p-e, p-f, p-g, p-h]",
    rules("first_registration"),
    *(f"    - rule: exclusivity\n      by: territory\n      when: {c}" + ("\n      needs_registration: false"
                                                                        if i % 2 else "")
      for i, c in enumerate(CONDITIONS[6:])),
    rules("tie_break:higher_tier"),
    "    - rule: tie_break\n      by: order\n      order: [p-h, p-g, p-f, p-e, p-d, p-c, p-b, p-a, q-a, q-b, q-c]",
    rules("tie_break:partner_id", "tie_break:vendor_decides"),
])


def test_a_twenty_rule_chain_is_checked_within_two_seconds() -> None:
    assert TWENTY.count("- rule:") == 20
    start = time.perf_counter()
    found = conflict_findings(TWENTY, otherwise=False)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"checking a 20-rule chain took {elapsed:.2f}s"
    assert [d.code for d in found if d.severity is dg.Severity.ERROR] == []
    [vendor] = found
    assert vendor.message == ("conflict rule `tie_break` by `vendor_decides` can never decide: 19 rules before it "
                              "always decide first")
    assert vendor.hint == "remove it: the rules before it decide every contest"
    assert len(vendor.labels) == 3
