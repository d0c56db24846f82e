"""The language reference documents every key the schema accepts, and every expression form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from policy_lang.schema import program_schema

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs" / "reference").glob("*.md")))


def _keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            yield key
            yield from _keys(value)
        for value in node.get("$defs", {}).values():
            yield from _keys(value)
        for branch in node.get("anyOf", []):
            yield from _keys(branch)
        for value in node.values():
            if isinstance(value, dict | list) and value is not node.get("properties"):
                yield from _keys(value) if isinstance(value, dict) else iter(())


def _enum_words(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for word in node.get("enum", []):
            yield str(word)
        for value in node.values():
            yield from _enum_words(value)
    elif isinstance(node, list):
        for value in node:
            yield from _enum_words(value)


def test_every_schema_key_is_documented_in_the_reference() -> None:
    missing = sorted({k for k in _keys(program_schema()) if f"`{k}`" not in REFERENCE})
    assert not missing, f"keys missing from docs/reference: {missing}"


def test_every_fixed_word_is_documented_in_the_reference() -> None:
    missing = sorted({w for w in _enum_words(program_schema()) if f"`{w}`" not in REFERENCE})
    assert not missing, f"values missing from docs/reference: {missing}"


def test_every_expression_form_is_documented() -> None:
    forms = ["`15%`", "`¥1,000,000`", "`1000000 JPY`", "`$12.50`", "`3000万`", "`10億`", "`2026-04-01`", "`90d`",
             "`if", "`and`", "`or`", "`not`", "`in`", "`min", "`max", "`round", "`floor", "`ceil", "`abs", "`clamp",
             "`count", "`valid_on", "`as_of`"]
    missing = [f for f in forms if f not in REFERENCE]
    assert not missing, missing


def test_every_builtin_field_is_documented() -> None:
    from compiler.types import BUILTIN_FIELDS

    missing = [f"{s}.{n}" for s, n in BUILTIN_FIELDS if not re.search(rf"`{s}\.{n}`", REFERENCE)]
    assert not missing, missing
