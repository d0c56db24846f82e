"""The identity policy: one canonical form per id, and the ids that could show one thing and mean another."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime import ids
from runtime.ids import MAX_ID_LENGTH, IdProblem, canonical_id, check_name


@pytest.mark.parametrize(("raw", "canonical"), [
    ("T-1", "T-1"),
    ("  P-001\t", "P-001"),
    ("Ｔ-1", "T-1"),  # full-width Latin
    ("ＡＢＣ－１２３", "ABC-123"),
    ("\u3000P-001\u3000", "P-001"),  # ideographic spaces around
    ("ﾃｽﾄA1", "テストA1"),  # half-width katakana become full-width
    ("東京-001", "東京-001"),
    ("株式会社ABC-7", "株式会社ABC-7"),
    ("Москва-1", "Москва-1"),  # wholly Cyrillic
    ("Αθήνα-2", "Αθήνα-2"),  # wholly Greek
    ("서울-1", "서울-1"),
    ("P 001", "P 001"),
    ("p-001", "p-001"),  # case is kept
    ("x" * MAX_ID_LENGTH, "x" * MAX_ID_LENGTH),
])
def test_an_accepted_id_reads_in_its_canonical_form(raw: str, canonical: str) -> None:
    assert canonical_id(raw) == canonical


def test_a_full_width_id_and_its_ascii_form_are_the_same_id() -> None:
    assert canonical_id("Ｔ-1") == canonical_id("T-1")
    assert canonical_id("p-001") != canonical_id("P-001")


@pytest.mark.parametrize(("raw", "char"), [
    ("P-0\u200b01", "\u200b"),  # zero-width space
    ("P-0\u200c01", "\u200c"),  # zero-width non-joiner
    ("P-0\u200d01", "\u200d"),  # zero-width joiner
    ("P-0\u206001", "\u2060"),  # word joiner
    ("\ufeffP-001", "\ufeff"),  # a byte order mark at the start is not stripped away
    ("P-0\u202e10", "\u202e"),  # right-to-left override
    ("P-0\u202a01", "\u202a"),
    ("P-0\u206601", "\u2066"),  # left-to-right isolate
    ("P-0\u206901", "\u2069"),
    ("P-0\u00ad01", "\u00ad"),  # soft hyphen (Cf)
    ("P-0\x0001", "\x00"),
    ("P-0\x1b01", "\x1b"),
    ("P-0\t01", "\t"),
    ("P-0\n01", "\n"),
    ("P-0\r01", "\r"),
    ("P-0\u202801", "\u2028"),  # line separator
    ("P-0\u202901", "\u2029"),
    ("P-0\ue00001", "\ue000"),  # private use
    ("P-0\u037801", "\u0378"),  # unassigned
    ("P-0\ud80001", "\ud800"),  # a lone surrogate, as JSON may carry one
    ("P-0\ufe0f01", "\ufe0f"),  # variation selector
    ("P-0\u034f01", "\u034f"),  # combining grapheme joiner
    ("P-0\u316401", "\u3164"),  # Hangul filler
    ("P-0\u168001", "\u1680"),  # ogham space mark: white space that is not a space
])
def test_an_invisible_or_control_character_is_refused_with_its_name(raw: str, char: str) -> None:
    with pytest.raises(IdProblem) as caught:
        canonical_id(raw, "partner")
    assert caught.value.code == ids.INVISIBLE == "E525"
    assert caught.value.char == char
    assert f"U+{ord(char):04X}" in caught.value.reason
    assert caught.value.reason.startswith("partner `")
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in caught.value.reason)  # shown as <U+XXXX>


@pytest.mark.parametrize(("raw", "char", "words"), [
    ("P-00\u0420", "\u0420", "mixes scripts"),  # Cyrillic Р among Latin letters
    ("\u0420AY-001", "\u0420", "mixes scripts"),
    ("pаypal-1", "\u0430", "mixes scripts"),  # Cyrillic а
    ("ABC\u0391", "\u0391", "mixes scripts"),  # Greek Alpha
    ("\u041c\u043e\u0441\u043a\u0432\u0430\u0391", "\u0391", "mixes scripts"),  # Cyrillic with Greek
    ("\u0420-001", "\u0420", "imitates Latin"),  # Cyrillic Р alone: reads as P-001
    ("\u0420\u0421-1", "\u0420", "imitates Latin"),
    ("\u039a\u039f-7", "\u039a", "imitates Latin"),  # Greek ΚΟ
    ("東京-\u04201", "\u0420", "imitates Latin"),  # a Cyrillic lookalike among Japanese
    ("Ｐ-00\u0420", "\u0420", "mixes scripts"),  # full-width P normalises to Latin first
])
def test_letters_that_imitate_another_script_are_refused_naming_the_letter(raw: str, char: str, words: str) -> None:
    with pytest.raises(IdProblem) as caught:
        canonical_id(raw, "partner")
    assert (caught.value.code, caught.value.char) == (ids.MIXED_SCRIPTS, char)
    assert words in caught.value.reason
    assert unicodedata.name(char) in caught.value.reason


def test_an_id_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(IdProblem) as caught:
        canonical_id("T" * (MAX_ID_LENGTH + 1))
    assert caught.value.code == ids.TOO_LONG == "E528"
    assert "257 characters long" in caught.value.reason
    with pytest.raises(IdProblem) as caught:
        canonical_id("東" * 10_000_000)  # refused before normalising ten million characters
    assert caught.value.code == "E528"
    assert len(caught.value.reason) < 200


def test_the_limit_counts_characters_after_normalisation() -> None:
    assert canonical_id("Ｔ" * MAX_ID_LENGTH) == "T" * MAX_ID_LENGTH
    with pytest.raises(IdProblem):
        canonical_id("\ufdfa" * 20)  # one character, eighteen after NFKC


def test_a_name_keeps_its_form_but_not_invisible_characters_or_excess_length() -> None:
    assert check_name("  ＡＢＣ（株）  ") == "ＡＢＣ（株）"
    assert check_name("ООО Рога и Копыта Ltd") == "ООО Рога и Копыта Ltd"  # names may mix scripts
    for bad, code in (("ABC\u200b商事", "E525"), ("ABC\n商事", "E525"), ("A" * 257, "E528")):
        with pytest.raises(IdProblem) as caught:
            check_name(bad, "customer")
        assert caught.value.code == code


# --- properties ------------------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.text(
    alphabet=st.sampled_from("Ｔ-1 P0Рр\u200d\u202e\t東京ﾃｽﾄАΑ\u3000\u00a0é\u0301ﬁ①"), max_size=20)


@settings(max_examples=400, deadline=None)
@given(raw=_TEXT)
def test_the_policy_is_idempotent_and_an_accepted_id_holds_no_invisible_character(raw: str) -> None:
    try:
        once = canonical_id(raw)
    except IdProblem as exc:
        assert exc.code in ids.CODES
        return
    assert canonical_id(once) == once
    assert once == once.strip()
    assert unicodedata.is_normalized("NFKC", once)
    assert not any(unicodedata.category(c) in ("Cf", "Cc", "Co", "Cs", "Cn") for c in once)
    assert len(once) <= MAX_ID_LENGTH


@settings(max_examples=200, deadline=None)
@given(raw=_TEXT)
def test_two_spellings_with_one_canonical_form_are_one_id(raw: str) -> None:
    wide = raw.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})  # every ASCII character full-width
    try:
        plain = canonical_id(raw)
    except IdProblem:
        return
    assert canonical_id(wide) == plain
