"""The identity policy: one canonical form for every id read from data, or a reason it cannot be one.

Partner ids, transaction ids, `refund_of`, products and SKUs, contract and tier ids read from data,
parents, registration ids and customer keys all pass through `canonical_id`. The canonical form is the
text NFKC-normalised (full-width `Ｔ-1` is `T-1`, half-width katakana become full-width) and stripped of
surrounding white space; two ids are the same when their canonical forms are equal. An id is refused,
with a code, when it could show one thing and mean another:

- `E525`: an invisible or control character inside it: zero-width characters (U+200B–U+200D, U+2060,
  U+FEFF), bidirectional controls (U+202A–U+202E, U+2066–U+2069), any other format (Cf), control (Cc),
  private-use (Co), surrogate (Cs) or unassigned (Cn) character, a line or paragraph separator, white
  space other than a plain space (a tab, a line break), and the other default-ignorable characters
  (variation selectors, the combining grapheme joiner, Hangul fillers).
- `E526`: letters that imitate another script: Latin letters together with Cyrillic or Greek ones
  (Cyrillic `Р` in `P-001`), Cyrillic with Greek, or Cyrillic or Greek letters that all look like Latin
  letters (`Р-001`, `РС-1`), which a reader takes for a Latin id. Ids wholly in Cyrillic or Greek
  (`Москва-1`), Japanese ids (kanji and kana, with or without Latin letters and digits) and ids in any
  other script stay allowed.
- `E528`: longer than `MAX_ID_LENGTH` characters after normalisation.

Case is not folded: ids are keys that partners files, ledgers and other systems compare exactly, and
`p-001` and `P-001` may be two partners there; folding them here would merge what the source keeps apart.
"""

from __future__ import annotations

import unicodedata

MAX_ID_LENGTH = 256
"""The most characters an id may have after normalisation (E528)."""

INVISIBLE = "E525"
MIXED_SCRIPTS = "E526"
TOO_LONG = "E528"

CODES: dict[str, str] = {
    INVISIBLE: "invisible or control character in an id",
    MIXED_SCRIPTS: "id mixes scripts",
    TOO_LONG: "id too long",
}
"""The codes of the identity policy, with their titles."""

# Default-ignorable code points that are not format characters (those are refused by category).
_IGNORABLE = frozenset({0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0,
                        *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)})
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})

# Cyrillic and Greek letters that a reader takes for Latin ones (after NFKC), with the Latin letter they imitate.
_LOOKALIKES: dict[str, str] = {
    **dict(zip("АВЕКМНОРСТХУЅІЈҺӀҮ", "ABEKMHOPCTXYSIJHIY", strict=True)),
    **dict(zip("аеорсухіјѕһԁԛԝӏүѵ", "aeopcyxijshdqwlyv", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True)),
    **dict(zip("οιρνυκ", "oipvuk", strict=True)),
}


class IdProblem(ValueError):
    """An id the policy refuses: its code, a reason in words, and the character at fault (if one is)."""

    def __init__(self, code: str, reason: str, char: str | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.char = char


def shown_id(text: str, limit: int = 40) -> str:
    """An id as a message shows it: shortened, with every invisible or control character written as `<U+XXXX>`.

    >>> shown_id("P\\u200b-001")
    'P<U+200B>-001'
    """
    short = text if len(text) <= limit else text[: limit - 3] + "…"
    return "".join(f"<U+{ord(c):04X}>" if _invisible(c) or (c.isspace() and c != " ") else c for c in short)


def describe_char(char: str) -> str:
    """A character in words: its code point and its Unicode name.

    >>> describe_char("\\u202e")
    'U+202E RIGHT-TO-LEFT OVERRIDE'
    """
    name = unicodedata.name(char, "")
    if not name:
        category = unicodedata.category(char)
        name = {"Cc": "a control character", "Cn": "unassigned", "Co": "a private-use character",
                "Cs": "a surrogate"}.get(category, "a character without a name")
        return f"U+{ord(char):04X} ({name})"
    return f"U+{ord(char):04X} {name}"


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in _REFUSED_CATEGORIES or ord(char) in _IGNORABLE


def _refused(char: str) -> bool:
    """Whether a character is refused inside an id: invisible, a control, or white space that is not a space
    (nor one that normalises to a space, such as U+3000 IDEOGRAPHIC SPACE)."""
    return _invisible(char) or (char.isspace() and char != " " and unicodedata.normalize("NFKC", char) != " ")


def _script(char: str) -> str:
    """The script of a letter, as far as the policy needs to know it: Latin, Cyrillic, Greek or other."""
    name = unicodedata.name(char, "")
    for script in ("LATIN", "CYRILLIC", "GREEK"):
        if name.startswith(script):
            return script
    return "OTHER"


def _script_problem(text: str, what: str) -> IdProblem | None:
    """E526 when the letters of an id imitate another script (see the module's docstring), else None."""
    scripts: dict[str, str] = {}  # script -> its first letter
    for char in text:
        if char.isalpha():
            scripts.setdefault(_script(char), char)
    confusable = [s for s in ("CYRILLIC", "GREEK") if s in scripts]
    if not confusable:
        return None
    odd = scripts[confusable[-1]] if "LATIN" in scripts or len(confusable) == 2 else None
    if odd is not None:
        others = "Latin" if "LATIN" in scripts else "Cyrillic"
        return IdProblem(MIXED_SCRIPTS, f"{what} `{shown_id(text)}` mixes scripts: `{odd}` is {describe_char(odd)}, "
                         f"among {others} letters", odd)
    letters = [c for c in text if c.isalpha() and _script(c) == confusable[0]]
    if all(c in _LOOKALIKES for c in letters):
        first = letters[0]
        return IdProblem(MIXED_SCRIPTS, f"{what} `{shown_id(text)}` imitates Latin: `{first}` is "
                         f"{describe_char(first)}, which looks like `{_LOOKALIKES[first]}`", first)
    return None


def _normal(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip()
    # INVARIANT: the result is itself normal, so canonical_id(canonical_id(x)) == canonical_id(x).
    while not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text).strip()
    return text


def canonical_id(raw: str, what: str = "id") -> str:
    """The canonical form of an id (NFKC-normalised and stripped), or why the id is refused.

    Args:
        raw: the id as read.
        what: the field in words, for the reason (`partner`, `` `refund_of` ``, `transaction id` …).

    Raises:
        IdProblem: E525 (an invisible or control character), E526 (letters that imitate another script) or
            E528 (longer than MAX_ID_LENGTH characters).

    >>> canonical_id(" Ｔ-1 "), canonical_id("東京-001")
    ('T-1', '東京-001')
    """
    text = raw.strip()
    if text.isascii() and text.isprintable() and len(text) <= MAX_ID_LENGTH:
        return text  # the common case: printable ASCII is its own normal form and has one script
    if len(text) > 4 * MAX_ID_LENGTH:  # refused before normalising a huge text
        raise IdProblem(TOO_LONG, f"{what} `{shown_id(text)}` is longer than {MAX_ID_LENGTH} characters")
    # The character at fault as it was written (U+3164), not as normalisation made it (U+1160).
    written = text
    text = _normal(text)
    bad = next((c for c in written if _refused(c)), None) or next((c for c in text if _refused(c)), None)
    if bad is not None:
        raise IdProblem(INVISIBLE, f"{what} `{shown_id(written)}` has an invisible or control character: "
                        f"{describe_char(bad)}", bad)
    if len(text) > MAX_ID_LENGTH:
        raise IdProblem(TOO_LONG, f"{what} `{shown_id(text)}` is {len(text):,} characters long; an id has at most "
                        f"{MAX_ID_LENGTH}")
    problem = _script_problem(text, what)
    if problem is not None:
        raise problem
    return text


def check_name(raw: str, what: str = "name", limit: int = MAX_ID_LENGTH) -> str:
    """A name that is shown and stored but is no key (a customer's name as written): stripped, and refused when
    it holds an invisible or control character (E525) or is longer than `limit` characters (E528).

    Unlike an id, a name is kept as written (no NFKC) and may mix scripts: the registry normalises customer
    names itself (`runtime.identity`).

    Raises:
        IdProblem: E525 or E528.
    """
    text = raw.strip()
    if len(text) > limit:
        raise IdProblem(TOO_LONG, f"{what} `{shown_id(text)}` is {len(text):,} characters long; at most {limit}")
    bad = next((c for c in text if _invisible(c) or (c.isspace() and c not in " \u3000")), None)
    if bad is not None:
        raise IdProblem(INVISIBLE, f"{what} `{shown_id(text)}` has an invisible or control character: "
                        f"{describe_char(bad)}", bad)
    return text
