"""Customer identity for deal conflicts: names written differently match, different names do not."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime import identity
from runtime.identity import CustomerKey, customer_key, explain_match, same_customer

# Published corporate numbers (国税庁法人番号公表サイト). Their check digits hold under the formula, and a
# formula that counts the weights from the left, or ends in 0 instead of 9, fails at least one of them.
NTA = "7000012050002"  # 国税庁
TOYOTA = "1180301018771"  # トヨタ自動車株式会社
SONY = "5010401067252"  # ソニーグループ株式会社
NEC = "7010401022916"  # 日本電気株式会社
REAL_NUMBERS = (NTA, TOYOTA, SONY, NEC)


@pytest.mark.parametrize(("a", "b"), [
    ("株式会社ABC", "ＡＢＣ（株）"),
    ("株式会社ABC", "㈱ABC"),
    ("株式会社ABC", "ABC株式会社"),
    ("株式会社ABC", "abc co., ltd."),
    ("ABC Co.,Ltd.", "ＡＢＣ　ＣＯ．，ＬＴＤ．"),
    ("ABC Inc.", "abc inc"),
    ("ABC Corp.", "ABC Corporation"),
    ("ABC K.K.", "ABC KK"),
    ("ABC LLC", "合同会社ABC"),
    ("ABC G.K.", "ABC（同）"),
    ("ABC Co. Ltd", "㍿ＡＢＣ"),
    ("ABC & Co.", "ABC"),
    ("有限会社 山田商事", "山田商事（有）"),
    ("有限会社 山田商事", "㈲山田商事"),
    ("山田　商事", "山田商事"),
    ("山田 株式 会社", "山田"),
    ("ＮＥＣ", "NEC"),
    ("日本電気株式会社", "日本電気 (株)"),
    ("ｻｰﾊﾞｰﾜｰｸｽ", "サーバーワークス"),
    ("ソニー・ミュージック", "ソニーミュージック"),
    ("ソニー･ミュージック株式会社", "ソニーミュージック"),
    ("ABC-DEF", "ABCDEF"),
    ("ABCー123", "ABC－123"),
    ("「ABC」株式会社", "ABC"),
    ("ABC ( 株 )", "ABC[株]"),
    ("合資会社 田中屋", "田中屋（資）"),
    ("合名会社 田中屋", "㈴田中屋"),
    ("一般社団法人 日本ABC協会", "日本ABC協会（一社）"),
    ("公益財団法人 日本ABC財団", "(公財)日本ABC財団"),
    ("特定非営利活動法人 みどり", "ＮＰＯ法人みどり"),
    ("一般財団法人ABC", "ABC"),
    ("公益社団法人ABC", "ABC"),
    ("ABC\u200b商事", "ABC商事"),
])
def test_same_company_written_differently_matches(a: str, b: str) -> None:
    key_a, key_b = customer_key(a), customer_key(b)
    assert same_customer(key_a, key_b), (key_a.name, key_b.name)
    assert same_customer(key_b, key_a)


@pytest.mark.parametrize(("a", "b"), [
    ("ABC株式会社", "ABD株式会社"),
    ("東京電機株式会社", "東京電気株式会社"),
    ("サーバー", "サーバ"),
    ("ｻｰﾊﾞｰ", "サーバ"),
    ("山田商事", "山田商店"),
    ("(株)山田商事", "(有)山田商店"),
    ("ABC Trading Co., Ltd.", "ABC Co., Ltd."),
    ("Zinc", "Z"),  # "inc" inside a word is not a legal form
    ("Co-op Mart", "Op Mart"),  # nor is "Co" at the start
    ("やまだ", "ヤマダ"),  # hiragana and katakana are not unified
    ("髙島屋", "高島屋"),  # nor are kanji variants
    ("ABC1", "ABC2"),
])
def test_different_names_do_not_match(a: str, b: str) -> None:
    key_a, key_b = customer_key(a), customer_key(b)
    assert not same_customer(key_a, key_b), (key_a.name, key_b.name)
    assert not same_customer(key_b, key_a)


@pytest.mark.parametrize(("written", "name"), [
    ("ＡＢＣ（株）", "abc"),
    ("abc co., ltd.", "abc"),
    ("ｻｰﾊﾞｰ・ワークス K.K.", "サーバーワークス"),
    ("らーめん山田", "らーめん山田"),  # ー after hiragana is a long vowel too
    ("東京ー大阪運輸", "東京大阪運輸"),  # ー after kanji is a dash
    ("NPO法人", "npo法人"),  # a name that is only a marker keeps it
    ("株式会社", "株式会社"),
    ("Inc.", "inc"),
    ("・・・", ""),
    ("", ""),
])
def test_normalised_names(written: str, name: str) -> None:
    assert customer_key(written).name == name


# Corporate numbers


def test_corporate_numbers_decide_over_names() -> None:
    same_number = customer_key("国税庁", NTA), customer_key("National Tax Agency", NTA)
    assert same_customer(*same_number)
    different_numbers = customer_key("株式会社ABC", TOYOTA), customer_key("株式会社ABC", SONY)
    assert not same_customer(*different_numbers)


def test_names_decide_when_either_number_is_missing() -> None:
    assert same_customer(customer_key("株式会社ABC", TOYOTA), customer_key("ABC"))
    assert not same_customer(customer_key("株式会社ABC", TOYOTA), customer_key("ABD"))
    assert same_customer(customer_key("ABC"), customer_key("ABC", SONY))


def test_empty_names_never_match_by_name() -> None:
    assert not same_customer(customer_key(""), customer_key(""))
    assert not same_customer(customer_key("・"), customer_key("-"))
    assert same_customer(customer_key("", NTA), customer_key("・", NTA))


@pytest.mark.parametrize("number", REAL_NUMBERS + ("9000000000000",))  # all-zero body: check digit 9, not 0
def test_valid_corporate_numbers(number: str) -> None:
    assert customer_key("x", number).corporate_number == number


@pytest.mark.parametrize(("written", "number"), [
    ("７００００１２０５０００２", NTA),
    ("7-0000-1205-0002", NTA),
    ("7 0000 1205 0002", NTA),
    ("７－００００－１２０５－０００２", NTA),
    ("7ー0000ー1205ー0002", NTA),
    ("1180\u30003010\u30001877\u30001", TOYOTA),
    (" 1180301018771\n", TOYOTA),
])
def test_corporate_numbers_written_with_separators_or_full_width_digits(written: str, number: str) -> None:
    assert customer_key("x", written).corporate_number == number


@pytest.mark.parametrize("blank", [None, "", "   ", "\u3000"])
def test_blank_corporate_number_is_none(blank: str | None) -> None:
    assert customer_key("x", blank).corporate_number is None


@pytest.mark.parametrize("number", REAL_NUMBERS)
def test_every_other_check_digit_is_rejected(number: str) -> None:
    for digit in "0123456789":
        if digit != number[0]:
            with pytest.raises(ValueError, match=f"check digit is {digit}, expected {number[0]}"):
                customer_key("x", digit + number[1:])


def test_weights_are_counted_from_the_right() -> None:
    # Counting 1, 2, 1, … from the left would make 国税庁's check digit 8.
    with pytest.raises(ValueError, match="check digit is 8, expected 7"):
        customer_key("x", "8000012050002")
    with pytest.raises(ValueError, match="check digit is 0, expected 9"):
        customer_key("x", "0000000000000")


@pytest.mark.parametrize(("written", "message"), [
    ("700001205000", "invalid corporate number `700001205000`: expected 13 digits, got 12"),
    ("70000120500020", "invalid corporate number `70000120500020`: expected 13 digits, got 14"),
    ("7-0000-1205-000", "invalid corporate number `7-0000-1205-000`: expected 13 digits, got 12"),
    ("7000O12050002", "invalid corporate number `7000O12050002`: only digits, hyphens and spaces are allowed"),
    ("٧٠٠٠٠١٢٠٥٠٠٠٢", "only digits, hyphens and spaces are allowed"),  # Arabic-Indic digits are not accepted
    ("7000012050003", "invalid corporate number `7000012050003`: check digit is 7, expected 6"),  # last digit mistyped
])
def test_invalid_corporate_numbers(written: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        customer_key("x", written)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_exactly_one_check_digit_fits_any_body(body: str) -> None:
    def valid(number: str) -> bool:
        try:
            customer_key("x", number)
        except ValueError:
            return False
        return True

    fitting = [d for d in "0123456789" if valid(d + body)]
    assert len(fitting) == 1 and fitting[0] != "0"


# Explanations


def test_explain_a_name_match() -> None:
    a, b = "株式会社ABC", "ＡＢＣ（株）"
    assert explain_match(a, b, customer_key(a), customer_key(b)) == (
        "matched 株式会社ABC and ＡＢＣ（株） after normalisation (both read `abc`)"
    )


def test_explain_a_corporate_number_match() -> None:
    a, b = customer_key("国税庁", NTA), customer_key("National Tax Agency", "7-0000-1205-0002")
    assert explain_match("国税庁", "National Tax Agency", a, b) == "matched by corporate number 7000012050002"


def test_explain_a_name_mismatch() -> None:
    a, b = "ABC株式会社", "ＡＢＤ（株）"
    assert explain_match(a, b, customer_key(a), customer_key(b)) == "did not match: `abc` and `abd`"


def test_explain_different_corporate_numbers() -> None:
    a, b = customer_key("ABC", NTA), customer_key("ABC", TOYOTA)
    assert explain_match("ABC", "ABC", a, b) == (
        "did not match: corporate numbers 7000012050002 and 1180301018771 differ"
    )


def test_explain_a_name_match_when_one_number_is_missing() -> None:
    a, b = customer_key("有限会社 山田商事", SONY), customer_key("山田商事（有）")
    assert explain_match("有限会社 山田商事", "山田商事（有）", a, b) == (
        "matched 有限会社 山田商事 and 山田商事（有） after normalisation (both read `山田商事`)"
    )


def test_explain_an_empty_name() -> None:
    assert explain_match("・・・", "ABC", customer_key("・・・"), customer_key("ABC")) == (
        "did not match: `・・・` has no name left after normalisation"
    )


# Properties

FRAGMENTS = (
    "株式会社", "(株)", "（株）", "㈱", "㍿", "有限会社", "㈲", "合同会社", "(同)", "ＮＰＯ法人", "株式", "会社",
    "Co.", ",", "Ltd.", "inc", "K.K.", "KK", "llc", "corp", "ABC", "ＡＢＣ", "山田", "商事", "ｻｰﾊﾞｰ", "サーバ",
    "ー", "ｰ", "・", "-", " ", "\u3000", "(", ")", "[", "【", "&", ".", "c", "o", "らー", "\u200b",
)
names = st.one_of(st.text(max_size=20), st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join))
numbers = st.one_of(st.none(), st.sampled_from(REAL_NUMBERS))
keys = st.builds(customer_key, names, numbers)


@settings(max_examples=500)
@given(names)
def test_normalising_a_normalised_name_changes_nothing(name: str) -> None:
    normal = customer_key(name).name
    assert customer_key(normal).name == normal


@given(names, names, numbers, numbers)
def test_matching_is_symmetric_and_explained(name_a: str, name_b: str, num_a: str | None, num_b: str | None) -> None:
    a, b = customer_key(name_a, num_a), customer_key(name_b, num_b)
    assert same_customer(a, b) == same_customer(b, a)
    assert explain_match(name_a, name_b, a, b).startswith("matched") == same_customer(a, b)


@given(keys)
def test_a_key_with_a_name_or_number_matches_itself(key: CustomerKey) -> None:
    assert same_customer(key, key) == bool(key.name or key.corporate_number)


def test_docstring_examples() -> None:
    results = doctest.testmod(identity)
    assert results.attempted > 0 and results.failed == 0
