"""Customer identity for deal conflicts (バッティング): the same company, however its name is written.

Partners type the customer's name by hand, so one company arrives as 株式会社ABC, ＡＢＣ（株）, ㈱ABC or
"ABC Co., Ltd.". A `CustomerKey` holds the name in one normalised form and, when given, the validated
13-digit corporate number (法人番号). Two keys are the same customer when their corporate numbers are
equal, or, when either one has no number, when their normalised names are equal.

Normalising a name:

1. NFKC (full-width letters, digits and punctuation become half-width; ㈱ becomes (株), ㍿ becomes
   株式会社, half-width katakana become full-width) and casefold.
2. Strip legal-form markers at the start or the end, repeatedly: `JAPANESE_LEGAL_FORMS` (no word
   boundary needed, 株式会社ABC is common) and `LATIN_LEGAL_FORMS` (suffixes only, as whole words, with
   or without dots). A marker is never stripped when nothing of the name would be left.
3. Drop spaces, punctuation, symbols and invisible characters. The long-vowel mark ー is kept when it
   follows kana (サーバー and サーバ stay different); elsewhere it is a dash typed with a Japanese
   keyboard (ABCー123) and is dropped.

The steps are repeated until nothing changes, so the normalised name is itself normal
(`customer_key(k.name).name == k.name`): 山田 株式 会社 first reads 山田株式会社, which then loses its marker.

Kanji variants (髙/高, 﨑/崎), ヶ/ケ and hiragana/katakana are not unified: they may be different names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Japanese legal-form markers, as they read after NFKC and casefold: ㈱ and （株） are both "(株)", ㍿ is
# "株式会社", ＮＰＯ法人 is "npo法人". Each is stripped at the start or the end of a name.
JAPANESE_LEGAL_FORMS: tuple[str, ...] = (
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社",
    "一般社団法人", "一般財団法人", "公益社団法人", "公益財団法人", "特定非営利活動法人", "npo法人",
    "(株)", "(有)", "(同)", "(資)", "(名)",
    "(社)", "(財)", "(一社)", "(一財)", "(公社)", "(公財)", "(特非)",
)

# Latin legal-form words, casefolded and without dots. Stripped only at the end of a name and only as a
# whole word, each letter optionally followed by a dot: "K.K.", "KK", "Co.,Ltd.", "Inc". Never at the
# start, where "Co-op Mart" would lose its "Co".
LATIN_LEGAL_FORMS: tuple[str, ...] = (
    "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "kk", "gk",
)

_LATIN_SUFFIX = re.compile(
    r"(?<![0-9a-z])(?:" + "|".join(r"\.?".join(map(re.escape, form)) for form in LATIN_LEGAL_FORMS) + r")\.?$"
)
_BRACKETS = str.maketrans("[【〔]】〕", "((()))")
_SPACES = re.compile(r"\s+")
_SPACE_IN_BRACKETS = re.compile(r"(?<=\()\s+|\s+(?=\))")
_LONG_VOWEL = "ー"
_NUMBER_SEPARATORS = frozenset("ー−")  # typed between digit groups with a Japanese keyboard; dashes are Pd


@dataclass(frozen=True, slots=True)
class CustomerKey:
    """A customer as deal conflicts compare it: the normalised name and the corporate number, if known."""

    name: str  # the normalised name; may be empty when nothing but punctuation was written
    corporate_number: str | None  # 13 ASCII digits with a valid check digit, or None


def customer_key(name: str, corporate_number: str | None = None) -> CustomerKey:
    """Build the key a customer is matched by.

    A blank corporate number (empty or only spaces, as an empty cell reads) counts as none given.

    Raises:
        ValueError: the corporate number is not 13 digits once hyphens and spaces are removed, or its
            check digit is wrong.

    >>> customer_key("ＡＢＣ（株）")
    CustomerKey(name='abc', corporate_number=None)
    >>> customer_key("国税庁", "7-0000-1205-0002").corporate_number
    '7000012050002'
    """
    return CustomerKey(normalise_name(name), normalise_corporate_number(corporate_number))


def same_customer(a: CustomerKey, b: CustomerKey) -> bool:
    """Whether two keys are one customer. When both have a corporate number, the numbers decide alone.

    >>> same_customer(customer_key("株式会社ABC"), customer_key("abc co., ltd."))
    True
    """
    if a.corporate_number is not None and b.corporate_number is not None:
        return a.corporate_number == b.corporate_number
    return bool(a.name) and a.name == b.name


def explain_match(a_written: str, b_written: str, a: CustomerKey, b: CustomerKey) -> str:
    """Say in one line why two customers did or did not match; agrees with `same_customer`.

    Args:
        a_written: the name as the first partner wrote it; `a` is its key.
        b_written: the name as the second partner wrote it; `b` is its key.

    >>> explain_match("株式会社ABC", "ＡＢＣ（株）", customer_key("株式会社ABC"), customer_key("ＡＢＣ（株）"))
    'matched 株式会社ABC and ＡＢＣ（株） after normalisation (both read `abc`)'
    """
    if a.corporate_number is not None and b.corporate_number is not None:
        if a.corporate_number == b.corporate_number:
            return f"matched by corporate number {a.corporate_number}"
        return f"did not match: corporate numbers {a.corporate_number} and {b.corporate_number} differ"
    for written, key in ((a_written, a), (b_written, b)):
        if not key.name:
            return f"did not match: `{written.strip()}` has no name left after normalisation"
    if a.name == b.name:
        return f"matched {a_written.strip()} and {b_written.strip()} after normalisation (both read `{a.name}`)"
    return f"did not match: `{a.name}` and `{b.name}`"


def normalise_name(name: str) -> str:
    """The form a customer name is compared in: see the module docstring for the steps.

    >>> normalise_name("有限会社　山田商事")
    '山田商事'
    >>> normalise_name("ｻｰﾊﾞｰ・ワークス K.K.")
    'サーバーワークス'
    """
    current = name
    while True:
        # INVARIANT: after the first pass a pass only removes characters, so this ends.
        following = _normalise_once(current)
        if following == current:
            return current
        current = following


def normalise_corporate_number(number: str | None) -> str | None:
    """Validate a corporate number (法人番号) written with hyphens, spaces or full-width digits.

    Returns:
        The 13 ASCII digits, or None when no number (or a blank one) was given.

    Raises:
        ValueError: not 13 digits after removing separators, or a wrong check digit.

    >>> normalise_corporate_number("１１８０３０１０１８７７１")
    '1180301018771'
    """
    if number is None or not number.strip():
        return None
    digits = "".join(
        c for c in unicodedata.normalize("NFKC", number)
        if not (c.isspace() or unicodedata.category(c) == "Pd" or c in _NUMBER_SEPARATORS)
    )
    if not re.fullmatch(r"[0-9]+", digits):
        raise ValueError(f"invalid corporate number `{number}`: only digits, hyphens and spaces are allowed")
    if len(digits) != 13:
        raise ValueError(f"invalid corporate number `{number}`: expected 13 digits, got {len(digits)}")
    expected = _check_digit(digits[1:])
    if int(digits[0]) != expected:
        raise ValueError(
            f"invalid corporate number `{number}`: check digit is {digits[0]}, expected {expected}"
        )
    return digits


def _check_digit(body: str) -> int:
    """The check digit (the first digit) of a corporate number, from the other 12.

    Counting the 12 digits from the right as n = 1…12, odd positions weigh 1 and even ones 2; the check
    digit is 9 − (weighted sum mod 9), so it is never 0.

    >>> _check_digit("000012050002")  # 国税庁: 7000012050002
    7
    """
    assert len(body) == 12 and body.isascii() and body.isdigit()
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(body), start=1))
    return 9 - total % 9


def _normalise_once(name: str) -> str:
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    text = _SPACES.sub(" ", text.translate(_BRACKETS))
    text = _SPACE_IN_BRACKETS.sub("", text)  # "( 株 )" is "(株)"
    return _drop_separators(_strip_legal_forms(text))


def _strip_legal_forms(text: str) -> str:
    text = _trim(text)
    while (stripped := _strip_one_legal_form(text)) is not None:
        text = stripped
    return text


def _strip_one_legal_form(text: str) -> str | None:
    """The text without one legal-form marker at its start or end, or None if there is none to strip."""
    candidates: list[str] = []
    for form in JAPANESE_LEGAL_FORMS:
        if text.startswith(form):
            candidates.append(text[len(form):])
        if text.endswith(form):
            candidates.append(text[: -len(form)])
    if latin := _LATIN_SUFFIX.search(text):
        candidates.append(text[: latin.start()])
    for candidate in candidates:
        rest = _trim(candidate)
        if any(c.isalnum() for c in rest):  # a name that is only a marker keeps it
            return rest
    return None


def _trim(text: str) -> str:
    """Remove separators from both ends, keeping brackets: they belong to markers such as (株)."""
    start, end = 0, len(text)
    while start < end and _is_trimmed(text[start]):
        start += 1
    while end > start and _is_trimmed(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_trimmed(c: str) -> bool:
    return c not in "()" and _is_separator(c)


def _is_separator(c: str) -> bool:
    category = unicodedata.category(c)
    return category[0] in "ZPS" or category in ("Cc", "Cf")


def _drop_separators(text: str) -> str:
    kept: list[str] = []
    for c in text:
        if c == _LONG_VOWEL:
            if kept and _is_kana(kept[-1]):
                kept.append(c)
        elif not _is_separator(c):
            kept.append(c)
    return "".join(kept)


def _is_kana(c: str) -> bool:
    """Hiragana, katakana (with the small ones of the phonetic extensions) or ー that lengthens them."""
    return "\u3041" <= c <= "\u3096" or "\u30a1" <= c <= "\u30fa" or "\u31f0" <= c <= "\u31ff" or c == _LONG_VOWEL
