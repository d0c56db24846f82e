"""Rule references are data: one function puts them in words (per language), slot keys and value types are
typed in `runtime.ir`, and no module reads a rule's id back out of a label."""

from __future__ import annotations

import ast
import dataclasses
import doctest
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime import ir, labels
from runtime.ir import RuleRef
from runtime.labels import at_cost_label, fee_label, line_label, rule_label
from runtime.model import Figure, Line, Share, Violation

ROOT = Path(__file__).resolve().parents[3]

EVERY_KIND: list[tuple[RuleRef, str, str]] = [
    (RuleRef.contract("reseller"), "contract `reseller`", "契約形態 `reseller`"),
    (RuleRef.direct_margin(), "margin of the vendor's direct partner", "ベンダーと直接取引する階層のマージン"),
    (RuleRef.hierarchy_level(2), "hierarchy level 2", "代理店階層 第2階層"),
    (RuleRef.tier("gold"), "tier `gold`", "ティア `gold`"),
    (RuleRef.ladder("volume"), "ladder `volume`", "ラダー `volume`"),
    (RuleRef.ladder("volume", 2), "ladder `volume` step 2", "ラダー `volume` 第2段階"),
    (RuleRef.bonus("launch"), "bonus `launch`", "ボーナス `launch`"),
    (RuleRef.bonus("launch", 3), "bonus `launch` step 3", "ボーナス `launch` 第3段階"),
    (RuleRef.benefit("leads"), "benefit `leads`", "特典 `leads`"),
    (RuleRef.margin_cap("hardware-cap"), "margin cap `hardware-cap`", "マージン上限 `hardware-cap`"),
    (RuleRef.pass_through("media"), "pass-through `media`", "パススルー `media`"),
    (RuleRef.price_check("above_list"), "price rules: ceiling", "価格ルール：販売価格の上限"),
    (RuleRef.payout_cap(), "payout cap", "支払上限"),
]


@pytest.mark.parametrize(("ref", "english", "japanese"), EVERY_KIND, ids=[r.kind + (str(r.step or "")) for r, *_ in
                                                                           EVERY_KIND])
def test_every_kind_of_rule_reference_has_a_label_in_english_and_japanese(ref: RuleRef, english: str,
                                                                          japanese: str) -> None:
    assert rule_label(ref) == rule_label(ref, "en") == english
    assert rule_label(ref, "ja") == japanese


def test_the_table_of_labels_covers_every_rule_kind() -> None:
    assert {ref.kind for ref, *_ in EVERY_KIND} == set(ir.RULE_KINDS)


@pytest.mark.parametrize("kind", sorted(ir.PRICE_CHECKS))
def test_a_price_check_is_named_by_the_one_table_of_price_checks(kind: str) -> None:
    assert rule_label(RuleRef.price_check(kind)) == ir.PRICE_CHECKS[kind].rule
    assert rule_label(RuleRef.price_check(kind), "ja")


def test_a_reference_compares_by_the_rule_it_names_not_by_where_it_is_written() -> None:
    here, there = ir.Loc("a.yaml", 1, 1), ir.Loc("b.yaml", 9, 3)
    assert RuleRef.tier("gold", here) == RuleRef.tier("gold", there)
    assert hash(RuleRef.tier("gold", here)) == hash(RuleRef.tier("gold"))
    assert RuleRef.tier("gold", here).at == here
    assert RuleRef.ladder("volume", 1) != RuleRef.ladder("volume", 2) != RuleRef.ladder("volume")
    assert RuleRef.tier("gold") != RuleRef.benefit("gold")


_IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=8)
_NUMBERS = st.integers(min_value=1, max_value=30)
REFS = st.one_of(
    st.builds(RuleRef.contract, _IDS), st.builds(RuleRef.tier, _IDS), st.builds(RuleRef.benefit, _IDS),
    st.builds(RuleRef.margin_cap, _IDS), st.builds(RuleRef.pass_through, _IDS),
    st.builds(RuleRef.ladder, _IDS, st.none() | _NUMBERS), st.builds(RuleRef.bonus, _IDS, st.none() | _NUMBERS),
    st.builds(RuleRef.hierarchy_level, _NUMBERS), st.just(RuleRef.direct_margin()), st.just(RuleRef.payout_cap()),
    st.sampled_from(sorted(ir.PRICE_CHECKS)).map(RuleRef.price_check))


@given(REFS, REFS)
def test_two_references_share_a_label_only_when_they_name_the_same_rule(a: RuleRef, b: RuleRef) -> None:
    for lang in ("en", "ja"):
        assert (rule_label(a, lang) == rule_label(b, lang)) == (a == b)


def test_a_caller_reads_the_id_from_the_reference() -> None:
    ref = RuleRef.ladder("volume", 2)
    assert (ref.kind, ref.id, ref.step) == ("ladder_step", "volume", 2)
    assert (RuleRef.hierarchy_level(3).kind, RuleRef.hierarchy_level(3).level) == ("hierarchy_level", 3)
    with pytest.raises(AssertionError):
        RuleRef.price_check("no_such_check")


def test_line_labels_come_from_one_place() -> None:
    assert line_label("margin", "T-1") == "margin on T-1"
    assert line_label("services", "T-1") == "services on T-1"
    assert line_label("referral_fee", "T-1") == "referral fee on T-1"
    assert at_cost_label("Media") == "Media at cost"
    assert at_cost_label("Media", "$12.00") == "Media at cost (billed $12.00)"
    assert fee_label("Media", "5%") == "fee on Media (5%)"
    assert fee_label("Media", "5%", ", capped at ¥1,000") == "fee on Media (5%, capped at ¥1,000)"


def test_the_labels_module_examples_hold() -> None:
    assert doctest.testmod(labels, raise_on_error=True).attempted > 0


@pytest.mark.parametrize("model", [Figure, Share, Line, Violation])
def test_every_figure_of_a_result_carries_a_typed_rule_reference(model: type) -> None:
    fields = {f.name: f.type for f in dataclasses.fields(model)}
    assert fields["rule"] == "RuleRef"


# --- slot keys and value types -----------------------------------------------------------------------

def test_slot_keys_are_spelled_by_their_constructors() -> None:
    assert ir.contract_slot("reseller", "margin") == "contract:reseller:margin"
    assert ir.contract_slot("reseller", "services") == "contract:reseller:services"
    assert ir.contract_slot("introducer", "fee") == "contract:introducer:fee"
    assert ir.tier_slot("gold", "uplift") == "tier:gold:uplift"
    assert ir.tier_slot("gold", "qualify") == "tier:gold:qualify"
    assert ir.level_slot(2) == "level:2:margin"
    assert ir.cap_slot("hw", "when") == "cap:hw:when" and ir.cap_slot("hw", "cap") == "cap:hw:cap"
    assert [ir.pass_slot("media", p) for p in ("amount", "fee", "billed", "max_markup")] == [
        "pass:media:amount", "pass:media:fee", "pass:media:billed", "pass:media:max_markup"]
    assert ir.benefit_slot("leads", "when") == "benefit:leads:when"
    assert ir.benefit_slot("leads", "value") == "benefit:leads:value"
    assert ir.bonus_slot("launch") == "bonus:launch:when"
    assert ir.conflict_slot(0) == "conflict:0:when"
    assert ir.price_slot("max_discount") == "price:max_discount"
    assert ir.routing_slot("eligible") == "routing:eligible"
    assert ir.routing_slot("prefer", 1) == "routing:prefer:1"


def test_value_types_are_one_literal_owned_by_the_ir() -> None:
    assert ir.VALUE_TYPES == ("money", "percent", "number", "integer", "boolean", "date", "text", "enum",
                              "duration", "list", "dated")
    assert all(ir.value_type(name) == name for name in ir.VALUE_TYPES)
    with pytest.raises(ValueError, match="unknown value type `currency`"):
        ir.value_type("currency")


# --- nothing parses a label ---------------------------------------------------------------------------

SCANNED = ("runtime", "ppl")


def _sources() -> list[Path]:
    found = {p for folder in SCANNED for p in (ROOT / folder).rglob("*.py")}
    return sorted(found)


def _label_parsing(tree: ast.AST) -> list[int]:
    """Lines that read a rule id out of text: a regular expression that captures what follows a backquote
    (`` tier `([^`]+)` ``), or a split on a backquote."""
    hits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        receiver = node.func.value
        if isinstance(receiver, ast.Name) and receiver.id == "re" and any("`(" in t for t in texts):
            hits.append(node.lineno)
        if node.func.attr in ("split", "partition", "rsplit") and "`" in texts:
            hits.append(node.lineno)
    return hits


def test_the_scan_finds_a_rule_id_read_back_out_of_a_label() -> None:
    tree = ast.parse('import re\nre.search(r"tier `([^`]+)`", rule)\nrule.split("`")[1]\n')
    assert _label_parsing(tree) == [2, 3]


def test_no_module_reads_a_rule_id_back_out_of_a_label() -> None:
    found = {str(p.relative_to(ROOT)): lines for p in _sources()
             if (lines := _label_parsing(ast.parse(p.read_text(encoding="utf-8"))))}
    assert found == {}
