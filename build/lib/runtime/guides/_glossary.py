"""The glossary of a guide: the project glossary's terms that the guide actually uses, in both languages."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.guides._context import Context
from runtime.guides._model import Para, Section, Table
from runtime.guides._rich import rich


@dataclass(frozen=True, slots=True)
class Term:
    """A glossary entry: how it is written and read in Japanese, its English, and how to spot it in a text."""

    ja: str
    reading: str
    en: str
    ja_forms: tuple[str, ...]
    en_forms: tuple[str, ...]


# From the project glossary (shared/domain/glossary.md); order as there.
TERMS: tuple[Term, ...] = (
    Term("直販", "ちょくはん", "direct sales", ("直販",), ("direct sales",)),
    Term("代理店", "だいりてん", "reseller, agency, distributor", ("代理店",), ("reseller", "agency", "distributor")),
    Term("ディストリビューター型", "—", "distributor (resale) model", ("ディストリビューター型",),
         ("distributor model",)),
    Term("ソリューションパートナー型", "—", "solution partner model", ("ソリューションパートナー型",),
         ("solution partner model",)),
    Term("一次代理店 / 二次代理店 / 三次代理店", "いちじ / にじ / さんじ", "1st- / 2nd- / 3rd-tier distributor",
         ("一次代理店", "二次代理店", "三次代理店"), ("1st-tier", "2nd-tier", "3rd-tier")),
    Term("商流", "しょうりゅう", "commercial flow", ("商流",), ("commercial flow",)),
    Term("定価", "ていか", "list price", ("定価",), ("list price",)),
    Term("卸値", "おろしね", "wholesale price", ("卸値",), ("wholesale price",)),
    Term("マージン", "—", "margin", ("マージン",), ("margin",)),
    Term("料率", "りょうりつ", "rate (percentage)", ("料率",), ("rate",)),
    Term("階段状のインセンティブ", "かいだんじょう", "step incentive, tiered bonus", ("階段状のインセンティブ",),
         ("bonus steps", "step incentive")),
    Term("インセンティブ", "—", "incentive, bonus", ("インセンティブ",), ("incentive", "bonus")),
    Term("仕入額", "しいれがく", "purchases", ("仕入額",), ("purchases",)),
    Term("販売額", "はんばいがく", "sales amount", ("販売額",), ("sales",)),
    Term("四半期", "しはんき", "quarter", ("四半期",), ("quarter",)),
    Term("ティア", "—", "tier, partner level", ("ティア",), ("tier",)),
    Term("特典", "とくてん", "benefit, privilege", ("特典",), ("benefit",)),
    Term("優先的な案件紹介", "—", "priority lead referral", ("優先的な案件紹介",), ("priority lead referral",)),
    Term("ロードマップの先行公開", "—", "early roadmap access", ("ロードマップの先行公開",), ("early roadmap access",)),
    Term("機密保持契約 (NDA)", "きみつほじけいやく", "non-disclosure agreement (NDA)", ("機密保持契約", "NDA"),
         ("non-disclosure agreement", "NDA")),
    Term("独占契約", "どくせん", "exclusive contract", ("独占",), ("exclusiv",)),
    Term("バッティング", "—", "channel conflict, deal collision", ("バッティング",), ("channel conflict",)),
    Term("商談 / 案件", "しょうだん / あんけん", "deal, opportunity", ("商談", "案件"), ("deal",)),
    Term("商談登録", "しょうだんとうろく", "deal registration", ("商談登録",), ("deal registration",)),
    Term("先着順", "せんちゃくじゅん", "first come, first served", ("先着順",), ("first come, first served",)),
    Term("商談同席", "しょうだんどうせき", "joint sales call, co-selling", ("商談同席",), ("joint sales call",)),
    Term("円", "えん", "yen", ("円",), ("yen",)),
    Term("切り捨て", "きりすて", "round down", ("切り捨て",), ("rounded down",)),
    Term("四捨五入", "ししゃごにゅう", "round half up", ("四捨五入",), ("rounded half up",)),
    Term("切り上げ", "きりあげ", "round up", ("切り上げ",), ("rounded up",)),
)


def used_terms(text: str, lang: str) -> list[Term]:
    """The terms a text uses, in glossary order."""
    folded = text.lower()
    if lang == "ja":
        return [t for t in TERMS if any(form in text for form in t.ja_forms)]
    return [t for t in TERMS if any(form.lower() in folded for form in t.en_forms)]


def glossary(ctx: Context, text: str) -> Section | None:
    """The glossary section for the terms a guide's text uses."""
    terms = used_terms(text, ctx.lang)
    if not terms:
        return None
    say = ctx.say
    if ctx.lang == "ja":
        headers = (say("col.term"), say("col.reading"), say("col.other_lang"))
        rows = tuple((rich(t.ja), rich(t.reading), rich(t.en)) for t in terms)
    else:
        headers = (say("col.term"), say("col.other_lang"), say("col.reading"))
        rows = tuple((rich(t.en), rich(t.ja), rich(t.reading)) for t in terms)
    return Section("glossary", say("glossary"), (Para(say("glossary.intro")), Table(headers, rows, (), "ppl-glossary")))
