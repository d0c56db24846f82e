"""What the program schema says about a place in a file: the keys allowed there, their documentation, the
values an enumeration allows, and whether a key holds an expression.

The schema (`policy_lang/program.schema.json`) is the one the checker validates with, so the editor offers
exactly the keys the checker accepts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from policy_lang.schema import program_schema
from ppl.lsp.context import ITEM

Schema = dict[str, Any]

EXPR_REF = "#/$defs/expr"

REFERENCE_PAGES: dict[str, str] = {
    "ppl": "program", "program": "program", "enums": "program", "inputs": "program", "revisions": "program",
    "contracts": "contracts", "ladders": "ladders-and-bonuses", "bonuses": "ladders-and-bonuses",
    "tiers": "tiers-and-benefits", "benefits": "tiers-and-benefits", "price_rules": "price-rules",
    "catalog": "catalog", "hierarchy": "hierarchy", "conflicts": "conflicts-and-routing",
    "lead_routing": "conflicts-and-routing",
}
"""The page of the language reference (docs/reference/NAME.md) that documents each top-level section."""


@dataclass(frozen=True, slots=True)
class KeyDoc:
    """One key the schema allows in a mapping, with its documentation."""

    name: str
    description: str
    required: bool


def _resolve(node: Schema) -> Schema:
    """Follow `$ref`s to the definition (the schema's refs are all local: `#/$defs/NAME`)."""
    seen = 0
    while "$ref" in node and seen < 20:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        node = program_schema()["$defs"].get(name, {})
        seen += 1
    return node


def _alternatives(node: Schema) -> Iterator[Schema]:
    """The node and the branches of its `anyOf`/`oneOf`/`allOf`, each resolved, depth first."""
    node = _resolve(node)
    yield node
    for word in ("anyOf", "oneOf", "allOf"):
        for branch in node.get(word, ()):
            yield from _alternatives(branch)


def _child(node: Schema, step: str) -> list[Schema]:
    """The schemas of one path step under a node: a property (or any key of a map), or a list's items."""
    found: list[Schema] = []
    for alt in _alternatives(node):
        if step == ITEM:
            if isinstance(alt.get("items"), dict):
                found.append(alt["items"])
        elif step in alt.get("properties", {}):
            found.append(alt["properties"][step])
        elif isinstance(alt.get("additionalProperties"), dict):
            found.append(alt["additionalProperties"])
    return found


def nodes_at(path: tuple[str, ...]) -> list[Schema]:
    """Every schema that can describe the value at a path of keys (several where the schema has branches)."""
    nodes: list[Schema] = [program_schema()]
    for step in path:
        nodes = [child for node in nodes for child in _child(node, step)]
        if not nodes:
            return []
    return nodes


def keys_at(path: tuple[str, ...]) -> tuple[KeyDoc, ...]:
    """The keys a mapping at this path may hold, in the schema's order, each with its description."""
    return _keys_at(path)


@functools.cache
def _keys_at(path: tuple[str, ...]) -> tuple[KeyDoc, ...]:
    found: dict[str, KeyDoc] = {}
    for node in nodes_at(path):
        for alt in _alternatives(node):
            required = set(alt.get("required", ()))
            for name, prop in alt.get("properties", {}).items():
                if name not in found:
                    found[name] = KeyDoc(name, describe(prop), name in required)
    return tuple(found.values())


def describe(node: Schema) -> str:
    """A node's description: its own, else its definition's (a `$ref` with no words of its own)."""
    if node.get("description"):
        return str(node["description"])
    for alt in _alternatives(node):
        if alt.get("description"):
            return str(alt["description"])
    return ""


def key_doc(path: tuple[str, ...], key: str) -> str | None:
    """The documentation of a key written at a path, or None when the schema does not allow it there."""
    for node in nodes_at((*path, key)):
        text = describe(node)
        if text:
            return text
    for doc in keys_at(path):
        if doc.name == key:
            return doc.description
    return None


def reference_page(path: tuple[str, ...], key: str) -> str | None:
    """The reference page of the section a key is in, as `docs/reference/NAME.md`."""
    sections = [step for step in (*path, key) if step != ITEM]
    if sections and sections[0] == "revisions" and len(sections) > 1:
        sections = sections[1:]  # a revision's section is documented with the section
    page = REFERENCE_PAGES.get(sections[0]) if sections else None
    return f"docs/reference/{page}.md" if page else None


def enum_values(path: tuple[str, ...]) -> tuple[str, ...]:
    """The values an enumeration at this path allows (a `kind`, a `mode` …), in the schema's order."""
    values: list[str] = []
    for node in nodes_at(path):
        for alt in _alternatives(node):
            for value in alt.get("enum", ()):
                if isinstance(value, str) and value not in values:
                    values.append(value)
            const = alt.get("const")
            if isinstance(const, str) and const not in values:
                values.append(const)
    return tuple(values)


def is_expression(path: tuple[str, ...]) -> bool:
    """Whether the value at this path is an expression of the expression language."""
    for node in nodes_at(path):
        for _ in range(20):
            ref = node.get("$ref")
            if ref is None:
                break
            if ref == EXPR_REF:
                return True
            node = program_schema()["$defs"].get(str(ref).rsplit("/", 1)[-1], {})
    return False
