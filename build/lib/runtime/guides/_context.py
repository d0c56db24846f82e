"""What every section builder needs: the version, the language's words and formats, and the cases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from runtime import ir
from runtime.guides._cases import Cases
from runtime.guides._format import Formatter
from runtime.guides._messages import Say
from runtime.guides._rich import Rich, compose, join, rich
from runtime.guides._sentences import Speaker

_PARTNER_LETTERS = "ABCDEFGH"


@dataclass
class Context:
    """One guide being built: one version of a rule set, in one language."""

    ruleset: ir.RuleSet
    version: ir.Version
    fmt: Formatter
    say: Say
    speak: Speaker
    cases: Cases
    titles: dict[str, Rich] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        """The guide's language."""
        return self.fmt.lang

    # --- words --------------------------------------------------------------------------------------

    def text(self, title: ir.Text, fallback: str) -> Rich:
        """A program's text in the guide's language (marked when only another language has it)."""
        return self.fmt.text(title, fallback)

    def listing(self, items: list[Rich], conjunction: str = "and") -> Rich:
        """"A, B and C" / "A、B、C"."""
        if self.lang == "ja":
            return join(items, "、")
        return join(items, ", ", f" {conjunction} ")

    def money(self, amount: int | Fraction) -> Rich:
        """A computed amount."""
        return rich(self.fmt.money(amount))

    def short(self, amount: int) -> Rich:
        """A threshold."""
        return rich(self.fmt.money_short(amount))

    def rate(self, rate: Fraction | int) -> Rich:
        """A percentage."""
        return rich(self.fmt.rate(rate))

    def see(self, key: str) -> Rich:
        """A reference to another section by its title."""
        title = self.titles.get(key) or self.say(key)
        return compose("“{t}”" if self.lang == "en" else "「{t}」", t=title)

    def basis(self, basis: str) -> str:
        """What a ladder or bonus measures."""
        return self.say.word(f"basis.{basis}")

    def period(self, period: str) -> str:
        """A ladder or bonus period."""
        return self.say.word(f"period.{period}")

    # --- the program ------------------------------------------------------------------------------

    def tier_ids(self) -> list[str | None]:
        """The tiers, best first; a single `None` when the program has no tiers."""
        return [t.id for t in self.version.tiers.levels] if self.version.tiers else [None]

    def contract(self, contract_id: str) -> ir.Contract | None:
        """A contract of the version by id."""
        return next((c for c in self.version.contracts if c.id == contract_id), None)

    def resale_contracts(self) -> list[ir.Contract]:
        """The contracts under which a partner buys at wholesale."""
        return [c for c in self.version.contracts if c.kind != "referral"]

    def who(self, tier: str | None, contract: ir.Contract) -> Rich:
        """"Tier 2 Reseller" / "Tier2の再販パートナー"."""
        title = self.text(contract.title, contract.id)
        if tier is None:
            return title
        return self.say("who.tier_contract", tier=self.speak.tier_title(tier), contract=title)

    def partner_name(self, index: int, tier: str | None = None) -> Rich:
        """"Partner A (Tier 1)" / "パートナーA（Tier1）"."""
        letter = _PARTNER_LETTERS[index]
        name = f"Partner {letter}" if self.lang == "en" else f"パートナー{letter}"
        if tier is None:
            return rich(name)
        return rich(name, " (" if self.lang == "en" else "（", self.speak.tier_title(tier),
                    ")" if self.lang == "en" else "）")


def section_id(*parts: str) -> str:
    """An HTML id from a section key and program ids: lowercase letters, digits and hyphens."""
    return "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") or "x" for p in parts)
