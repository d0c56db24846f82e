"""Currencies ppl knows: ISO 4217 code → number of minor-unit digits, and the symbols literals may use."""

from __future__ import annotations

CURRENCIES: dict[str, int] = {
    "JPY": 0, "KRW": 0, "USD": 2, "EUR": 2, "GBP": 2, "CNY": 2, "TWD": 2, "HKD": 2, "SGD": 2, "AUD": 2,
    "CAD": 2, "CHF": 2, "INR": 2, "THB": 2, "VND": 0, "IDR": 2, "PHP": 2, "MYR": 2, "NZD": 2,
}
"""Minor-unit digits: the yen has none, the dollar two."""
