"""Inputs for the fuzz targets: hostile snippets, and seeds mutated byte by byte or value by value.

Every target takes bytes. A strategy mixes seeds (the committed corpus and the example programs) mutated
by a few edits (flip, insert, delete, duplicate, splice a hostile snippet, truncate) with text and bytes
made from nothing, so that both the deep paths a valid input reaches and the shallow ones garbage hits are
exercised.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

HOSTILE: tuple[bytes, ...] = (
    b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80",  # NUL, BOM, invalid UTF-8, a surrogate
    "\u202e".encode(), "\u200b".encode(), "\u200d".encode(), "\ufeff".encode(),  # RLO, zero-width
    "１２３４５".encode(), "Ｔ-1".encode(), "Р-001".encode(), "٣".encode(), "¥1,000万".encode(), "10億".encode(),
    b"9" * 5000, b"1e999999", b"-0", b"NaN", b"Infinity", b"1/0", b"0.000000001",
    b"[" * 3000, b"{" * 3000, b"(" * 3000, b"- " * 500, b"a: &a [*a]", b"*a", b"&a", b"!!python/object:os.system",
    b"\r\n", b"\r", b"\t", b"\n" * 50, b'"', b"'", b",", b";", b"=HYPERLINK(\"x\")", b"{{ 7*7 }}", b"<script>",
    b"__import__('os').system('id')", b"x" * 70_000,
)
"""Snippets that have broken parsers before: control and invisible characters, other scripts' digits, huge and
exotic numbers, deep nesting, YAML aliases and tags, line ends, formula and template text, a long field."""

_OPS = ("flip", "insert", "delete", "duplicate", "snippet", "truncate")


def _mutate(seed: bytes, edits: Sequence[tuple[str, int, bytes]]) -> bytes:
    data = bytearray(seed)
    for op, at, payload in edits:
        i = at % (len(data) + 1)
        if op == "flip" and data:
            data[i % len(data)] ^= 1 << (at % 8)
        elif op == "insert":
            data[i:i] = payload
        elif op == "delete":
            del data[i:i + 1 + at % 16]
        elif op == "duplicate":
            data[i:i] = data[i:i + 1 + at % 64]
        elif op == "snippet":
            data[i:i] = HOSTILE[at % len(HOSTILE)]
        elif op == "truncate":
            del data[i:]
    return bytes(data)


def mutated(seeds: Sequence[bytes]) -> st.SearchStrategy[bytes]:
    """A seed with up to five edits."""
    edit = st.tuples(st.sampled_from(_OPS), st.integers(0, 2**20), st.binary(max_size=8))
    return st.builds(_mutate, st.sampled_from(list(seeds)), st.lists(edit, max_size=5))


def raw() -> st.SearchStrategy[bytes]:
    """Bytes and text from nothing, now and then with a hostile snippet."""
    return st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
                     st.sampled_from(HOSTILE))


def inputs(seeds: Sequence[bytes], *extra: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """What a target is fed: mutated seeds most of the time, raw input and a target's own generators otherwise."""
    return st.one_of(mutated(seeds), mutated(seeds), raw(), *extra) if seeds else st.one_of(raw(), *extra)


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.text(max_size=12),
                         st.sampled_from(["", "2026-04-01", "1e999999", "１２３", "¥1,000", "\u202e", "-0", "NaN"]))
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    JSON_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                          st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)
"""Any JSON value (no floats: every JSON input ppl reads takes numbers as text or whole numbers)."""


def json_bytes(values: st.SearchStrategy[Any] = JSON_VALUES) -> st.SearchStrategy[bytes]:
    """A JSON value as UTF-8 text."""
    return values.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass"))


def replace_at(data: Any, path: Sequence[Any], value: Any, delete: bool = False) -> Any:
    """A copy of JSON data with the value at `path` replaced by `value` (or its key deleted)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        copy = dict(data)
        if delete and not rest:
            copy.pop(head, None)
        else:
            copy[head] = replace_at(data[head], rest, value, delete)
        return copy
    copy_list = list(data)
    if delete and not rest:
        del copy_list[head]
    else:
        copy_list[head] = replace_at(data[head], rest, value, delete)
    return copy_list


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into JSON data, the root's children first."""
    found: list[tuple[Any, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found.append((*prefix, key))
        found.extend(paths(value, (*prefix, key)))
    return found
