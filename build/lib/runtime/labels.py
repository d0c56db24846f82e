"""Words for rule references and lines: the one place a `RuleRef` or a line becomes text, per language.

Every output that names a rule (explanations, lines.csv, statements, JSON, program-test reports, guides)
takes its text from `rule_label`; nothing parses a label back: a caller that needs a rule's id reads the
reference (`ref.kind`, `ref.id`).

    >>> from runtime.ir import RuleRef
    >>> rule_label(RuleRef.ladder("volume", step=2))
    'ladder `volume` step 2'
    >>> rule_label(RuleRef.ladder("volume", step=2), "ja")
    'ラダー `volume` 第2段階'
    >>> line_label("margin", "T-1")
    'margin on T-1'
"""

from __future__ import annotations

from typing import Literal, assert_never

from runtime import ir

Lang = Literal["en", "ja"]

_NAMED: dict[str, tuple[str, str]] = {  # kind → (English, Japanese) word before the backquoted id
    "contract": ("contract", "契約形態"),
    "tier": ("tier", "ティア"),
    "ladder": ("ladder", "ラダー"),
    "bonus": ("bonus", "ボーナス"),
    "benefit": ("benefit", "特典"),
    "margin_cap": ("margin cap", "マージン上限"),
    "pass_through": ("pass-through", "パススルー"),
}

_PRICE_CHECKS_JA: dict[str, str] = {
    "catalog_price": "カタログ：定価",
    "above_list": "価格ルール：販売価格の上限",
    "below_floor": "価格ルール：値引きの上限",
    "fee_below_minimum": "価格ルール：最低手数料",
    "above_cost": "パススルー",
}


def rule_label(ref: ir.RuleRef, lang: Lang = "en") -> str:
    """A rule reference in words: ``contract `reseller` ``, ``ladder `volume` step 2``, `hierarchy level 2` …"""
    ja = lang == "ja"
    match ref.kind:
        case "contract" | "tier" | "ladder" | "bonus" | "benefit" | "margin_cap" | "pass_through":
            return f"{_NAMED[ref.kind][ja]} `{ref.id}`"
        case "ladder_step" | "bonus_step":
            word = _NAMED[ref.kind.removesuffix("_step")][ja]
            return f"{word} `{ref.id}` 第{ref.step}段階" if ja else f"{word} `{ref.id}` step {ref.step}"
        case "hierarchy_level":
            return f"代理店階層 第{ref.level}階層" if ja else f"hierarchy level {ref.level}"
        case "direct_margin":
            return "ベンダーと直接取引する階層のマージン" if ja else "margin of the vendor's direct partner"
        case "price_check":
            return _PRICE_CHECKS_JA[ref.id] if ja else ir.PRICE_CHECKS[ref.id].rule
        case "payout_cap":
            return "支払上限" if ja else "payout cap"
    assert_never(ref.kind)


# --- line labels -----------------------------------------------------------------------------------

OnTransaction = Literal["margin", "services", "referral_fee"]

LINE_PREFIXES: dict[str, str] = {"margin": "margin on ", "services": "services on ",
                                 "referral_fee": "referral fee on "}
"""The text before the transaction id in the label of a transaction line of each kind (SQL reads it too)."""


def line_label(kind: OnTransaction, transaction: str) -> str:
    """The label of a margin, services or referral fee line: `margin on T-1`."""
    return LINE_PREFIXES[kind] + transaction


def at_cost_label(name: str, billed: str | None = None) -> str:
    """The label of a pass-through line: `Shipping at cost`, `Shipping at cost (billed $12.00)`."""
    return f"{name} at cost" if billed is None else f"{name} at cost (billed {billed})"


def fee_label(name: str, rate: str, note: str = "") -> str:
    """The label of a pass-through's fee line: `fee on Shipping (5%)`, with a cap note inside the brackets."""
    return f"fee on {name} ({rate}{note})"
