"""Numbers, money, dates and program texts as a reader of each language expects them.

English: ¥1,200,000, ¥100M and ¥1bn in prose, 15%, 1 April 2026. Japanese: 1,200,000円 for
computed amounts, 1億円 and 5,000万円 for thresholds, 15%, 2026年4月1日. Currencies other than the
yen are shown in the runtime's own format in both languages.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from runtime import ir
from runtime.guides._rich import Rich, code, note, rich
from runtime.money import format_amount, format_rate

LANGUAGES = ("en", "ja")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
_UNITS_EN = {"d": ("day", "days"), "w": ("week", "weeks"), "mo": ("month", "months"), "y": ("year", "years")}
_UNITS_JA = {"d": "日", "w": "週間", "mo": "か月", "y": "年"}
_ONLY = {"en": {"ja": "(Japanese only)"}, "ja": {"en": "（英語のみ）"}}


def _decimal(value: Fraction, places: int = 2) -> str:
    """A fraction with at most `places` decimals, trailing zeros dropped: 5/2 → 2.5."""
    scaled = round(value * 10**places)
    whole, frac = divmod(abs(scaled), 10**places)
    text = f"{whole:,}" + (f".{frac:0{places}d}".rstrip("0") if frac else "")
    return ("-" if scaled < 0 else "") + text


class Formatter:
    """Formats the values of one rule set for one language."""

    def __init__(self, ruleset: ir.RuleSet, lang: str) -> None:
        assert lang in LANGUAGES, lang
        self.ruleset = ruleset
        self.lang = lang
        self.yen = ruleset.currency == "JPY" and ruleset.minor_unit == 0

    # --- money --------------------------------------------------------------------------------------

    def money(self, minor: int | Fraction) -> str:
        """A computed amount, in full: ¥1,200,000 / 1,200,000円."""
        if self.yen and self.lang == "ja" and Fraction(minor).denominator == 1:
            return f"{int(minor):,}円"
        return format_amount(minor, self.ruleset.currency, self.ruleset.minor_unit)

    def money_short(self, minor: int) -> str:
        """A threshold or target, as people say it: ¥100M, ¥1.2bn / 1億円, 5,000万円."""
        if not self.yen:
            return self.money(minor)
        sign, value = ("-" if minor < 0 else ""), abs(minor)
        if self.lang == "ja":
            if value == 0 or value % 10_000:
                return f"{sign}{value:,}円"
            parts = []
            for unit, size in (("兆", 10**12), ("億", 10**8), ("万", 10**4)):
                count, value = divmod(value, size)
                if count:
                    parts.append(f"{count:,}{unit}")
            return sign + "".join(parts) + "円"
        for size, suffix in ((10**12, "tn"), (10**9, "bn"), (10**6, "M")):
            exact = Fraction(value, size)
            if value >= size and (exact * 100).denominator == 1:
                return f"{sign}¥{_decimal(exact)}{suffix}"
        return f"{sign}¥{value:,}"

    # --- other values -----------------------------------------------------------------------------

    def rate(self, rate: Fraction | int) -> str:
        """A rate as a percentage: 15%, 12.5%."""
        return format_rate(Fraction(rate))

    def number(self, value: int | Fraction) -> str:
        """A plain number with thousands separators."""
        return _decimal(Fraction(value))

    def units(self, count: int) -> str:
        """A quantity of units."""
        if self.lang == "ja":
            return f"{count:,}個"
        return f"{count:,} unit" if count == 1 else f"{count:,} units"

    def volume(self, amount: int, basis: str, short: bool = False) -> str:
        """A ladder or bonus volume: money, or units for a quantity basis."""
        if basis == "quantity":
            return self.units(amount)
        return self.money_short(amount) if short else self.money(amount)

    def date(self, day: datetime.date) -> str:
        """1 April 2026 / 2026年4月1日."""
        if self.lang == "ja":
            return f"{day.year}年{day.month}月{day.day}日"
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"

    def day_of_year(self, day: datetime.date) -> str:
        """A day without its year: 1 July / 7月1日."""
        if self.lang == "ja":
            return f"{day.month}月{day.day}日"
        return f"{day.day} {_MONTHS_EN[day.month - 1]}"

    def month(self, month: int) -> str:
        """A month of the year by name: April / 4月."""
        return f"{month}月" if self.lang == "ja" else _MONTHS_EN[month - 1]

    def duration(self, duration: ir.Duration) -> str:
        """90 days / 90日."""
        if self.lang == "ja":
            return f"{duration.amount}{_UNITS_JA[duration.unit]}"
        one, many = _UNITS_EN[duration.unit]
        return f"{duration.amount} {one if duration.amount == 1 else many}"

    # --- program texts ------------------------------------------------------------------------------

    def text(self, title: ir.Text, fallback: str | None = None) -> Rich:
        """A program's own text in this language; another language's text marked as such; else the id."""
        if title.get(self.lang):
            return rich(title[self.lang])
        if title.get(""):
            return rich(title[""])
        for other in LANGUAGES:
            if other != self.lang and title.get(other):
                return rich(title[other], " " if self.lang == "en" else "", note(_ONLY[self.lang][other]))
        return rich(code(fallback)) if fallback is not None else ()

    def has_text(self, title: ir.Text) -> bool:
        """Whether a program text exists in any language."""
        return any(title.values())
