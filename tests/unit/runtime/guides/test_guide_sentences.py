"""IR expressions as sentences, in English and Japanese, and the canonical fallback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import pytest

from runtime import ir
from runtime.guides import Formatter
from runtime.guides._canon import format_expr
from runtime.guides._messages import Say
from runtime.guides._rich import plain
from runtime.guides._sentences import Speaker, input_description

ENGINEERS = ir.Field("partner", "certified_engineers", "integer")
SALES = ir.Field("partner", "trailing_sales", "money")
TIER = ir.Field("partner", "tier", "enum")


def _speakers(ruleset: ir.RuleSet) -> tuple[Speaker, Speaker]:
    version = ruleset.versions[-1]
    return tuple(Speaker(Formatter(ruleset, lang), Say(lang), version) for lang in ("en", "ja"))  # type: ignore[return-value]


@pytest.fixture
def saas(examples: Callable[[str], ir.RuleSet]) -> tuple[Speaker, Speaker]:
    return _speakers(examples("saas_reseller"))


@pytest.mark.parametrize(("expr", "en", "ja"), [
    (ir.Compare(">=", ENGINEERS, ir.Const("integer", 5)), "at least 5 certified engineers",
     "certified_engineersが5以上"),
    (ir.Compare(">=", SALES, ir.Const("money", 1_000_000_000)), "sales over the last 12 months of at least ¥1bn",
     "直近12か月の販売額が10億円以上"),  # the program's description of the input names the field
    (ir.Compare("<", ENGINEERS, ir.Const("integer", 2)), "fewer than 2 certified engineers",
     "certified_engineersが2未満"),
    (ir.Compare("<=", ir.Const("integer", 5), ENGINEERS), "at least 5 certified engineers",
     "certified_engineersが5以上"),
    (ir.Compare("!=", TIER, ir.Const("enum", "tier3")), "tier is not Tier 3", "ティアがTier3以外"),
    (ir.In(False, TIER, (ir.Const("enum", "tier1"), ir.Const("enum", "tier2"))), "tier is Tier 1 or Tier 2",
     "ティアがTier1またはTier2"),
    (ir.Field("partner", "nda_signed", "boolean"), "NDA signed: yes", "nda_signed：はい"),
    (ir.Compare("==", ir.Field("partner", "region", "enum"), ir.Field("lead", "region", "enum")),
     "the partner's region is the same as the lead's region", "パートナーのregionがリードのregionと同じ"),
    (ir.And(ir.Compare(">=", SALES, ir.Const("money", 300_000_000)), ir.Compare(">=", ENGINEERS,
                                                                                ir.Const("integer", 5))),
     "sales over the last 12 months of at least ¥300M and at least 5 certified engineers",
     "直近12か月の販売額が3億円以上、かつcertified_engineersが5以上"),
    (ir.Compare(">=", ir.Field("period", "purchases", "money"), ir.Const("money", 100_000_000)),
     "purchases this period of at least ¥100M", "期間中の仕入額が1億円以上"),
])
def test_conditions_read_as_sentences(saas: tuple[Speaker, Speaker], expr: ir.Expr, en: str, ja: str) -> None:
    english, japanese = saas
    assert plain(english.condition(expr)) == en
    assert plain(japanese.condition(expr)) == ja


def test_japanese_names_an_undescribed_input_by_its_name_in_code_style(saas: tuple[Speaker, Speaker]) -> None:
    text = saas[1].condition(ir.Compare(">=", ENGINEERS, ir.Const("integer", 5)))
    assert text[0].kind == "code" and text[0].text == "certified_engineers"


def test_a_hierarchy_level_reads_as_its_title(examples: Callable[[str], ir.RuleSet]) -> None:
    en, ja = _speakers(examples("ad_agency"))
    expr = ir.Compare("==", ir.Field("partner", "level", "integer"), ir.Const("integer", 1))
    assert plain(en.condition(expr)) == "the partner is a 1st-tier agency"
    assert plain(ja.condition(expr)) == "一次代理店である"


def test_a_conditional_limit_reads_as_two_cases(examples: Callable[[str], ir.RuleSet]) -> None:
    en, ja = _speakers(examples("ad_agency"))
    expr = ir.Compare(">=", ir.Field("partner", "open_leads", "integer"),
                      ir.If(ir.Compare("==", TIER, ir.Const("enum", "premier")), ir.Const("integer", 30),
                            ir.Const("integer", 10)))
    assert plain(en.condition(expr)) == ("at least 30 open leads if tier is Premier agency, otherwise at least 10 "
                                         "open leads")
    assert plain(ja.condition(expr)) == "ティアがプレミア代理店の場合はopen_leadsが30以上、それ以外はopen_leadsが10以上"


def test_no_sentence_form_falls_back_to_canonical_code(saas: tuple[Speaker, Speaker]) -> None:
    expr = ir.Compare(">", ir.Arith("*", ENGINEERS, ir.Const("integer", 2)), ir.Const("integer", 12_000))
    for speaker in saas:
        text = speaker.condition(expr)
        assert [s.kind for s in text] == ["code"]
        assert text[0].text == "partner.certified_engineers * 2 > 12_000"


def test_canonical_text_of_literals() -> None:
    assert format_expr(ir.Compare(">=", SALES, ir.Const("money", 300_000_000))) == \
        "partner.trailing_sales >= ¥300,000,000"
    assert format_expr(ir.Arith("-", ir.Const("percent", Fraction(3, 20)),
                                ir.Arith("-", ir.Const("percent", Fraction(1, 100)),
                                         ir.Const("percent", Fraction(1, 50))))) == "15% - (1% - 2%)"
    assert format_expr(ir.Not(ir.Field("partner", "nda_signed", "boolean"))) == "not partner.nda_signed"


@dataclass(frozen=True)
class _Described:
    """An input declaration that carries a description (the IR does not yet)."""

    scope: str
    name: str
    type: str
    description: dict[str, str] = field(default_factory=dict)


def test_a_declared_description_names_the_field_when_the_rule_set_carries_one(
        examples: Callable[[str], ir.RuleSet]) -> None:
    import dataclasses

    ruleset = examples("saas_reseller")
    described = _Described("partner", "trailing_sales", "money",
                           {"en": "Sales over the last 12 months", "ja": "直近12か月の販売額"})
    assert input_description(described) == described.description  # type: ignore[arg-type]
    inputs = tuple(described if i.name == "trailing_sales" else i for i in ruleset.inputs)
    en, ja = _speakers(dataclasses.replace(ruleset, inputs=inputs))  # type: ignore[arg-type]
    expr = ir.Compare(">=", SALES, ir.Const("money", 1_000_000_000))
    assert plain(en.condition(expr)) == "sales over the last 12 months of at least ¥1bn"
    assert plain(ja.condition(expr)) == "直近12か月の販売額が10億円以上"
