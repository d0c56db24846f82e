"""The canonical order of keys in a program file: one table, and how a mapping finds its entry.

The order is the one the language reference documents (docs/reference/*.md, the `| key |` tables);
a construct the reference does not tabulate keeps the schema's order. A mapping finds its construct
by walking the program's JSON Schema alongside the document, so the table is the only place that
says an order. Tests hold the table to the schema (the same keys for every construct) and to the
reference (the same order).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from policy_lang.schema import program_schema

KEY_ORDER: Final[Mapping[str, tuple[str, ...]]] = {
    "file": ("ppl", "program", "enums", "inputs", "contracts", "ladders", "bonuses", "tiers", "benefits",
             "price_rules", "catalog", "hierarchy", "conflicts", "lead_routing", "revisions"),
    "file.inputs": ("partner", "transaction", "deal", "lead", "applicant"),
    "text": ("en", "ja"),
    "rounding": ("mode", "unit", "modes", "point", "marginal_ladder"),
    "rounding.modes": ("margin", "level_margin", "pass_through_fee", "referral_fee", "ladder", "bonus", "refund"),
    "program": ("id", "title", "description", "version", "effective_from", "effective_until", "currency",
                "time_zone", "rounding", "fiscal_year_start", "cliff_tolerance", "payout_cap", "pilot"),
    "program.pilot": ("min", "max"),
    "input_field": ("type", "description", "min", "max", "values"),
    "contract": ("id", "kind", "title", "description", "margin", "ladder", "bonuses", "services", "fee", "fee_cap",
                 "margin_cap"),
    "ladder_step": ("from", "above", "to", "rate"),
    "ladder": ("id", "title", "description", "basis", "period", "mode", "volume_cap", "steps"),
    "bonus_step": ("target", "above", "pay"),
    "bonus": ("id", "title", "description", "basis", "period", "kind", "when", "steps", "cap", "volume_cap"),
    "tier": ("id", "title", "description", "qualify", "assigned", "margin_uplift", "benefits"),
    "review": ("window", "keep", "grace"),
    "review.window": ("months",),
    "tiers": ("cadence", "review", "levels"),
    "benefit": ("id", "kind", "title", "description", "when", "value"),
    "margin_cap": ("id", "title", "when", "cap"),
    "pass_through": ("id", "title", "amount", "fee", "fee_cap", "billed", "markup", "max_markup", "action"),
    "price_rules": ("ceiling", "max_discount", "min_fee", "max_channel_margin", "margin_caps", "pass_through",
                    "zero_price"),
    "price_rules.ceiling": ("price", "action"),
    "price_rules.max_discount": ("rate", "action"),
    "price_rules.min_fee": ("amount", "action"),
    "hierarchy_level": ("level", "title", "margin"),
    "hierarchy": ("model", "max_depth", "levels", "new_resellers"),
    "reseller_routing": ("to", "order", "among_equals"),
    "reseller_key": ("prefer", "fewest", "title"),
    "registration": ("expires_after", "renewals", "renewal_period"),
    "conflict_rule": ("rule", "by", "when", "needs_registration", "applies", "order", "title"),
    "conflicts": ("registration", "precedence", "otherwise"),
    "routing_key": ("by", "prefer", "title"),
    "lead_routing": ("eligible", "order", "among_equals", "skip_when", "new_resellers"),
    "revision": ("version", "effective_from", "effective_until", "note", "contracts", "ladders", "bonuses", "tiers",
                 "benefits", "price_rules", "catalog", "hierarchy", "conflicts", "lead_routing"),
    "catalog_price": ("from", "list_price"),
    "catalog_item": ("sku", "title", "category", "unit", "list_price", "prices"),
    "catalog": ("file", "categories", "action", "items"),
    "list_type": ("list",),
}
"""Construct name → its keys in canonical order. A construct is named by its schema definition (`contract`),
the file itself is `file`, and an object written inside another is `outer.key` (`program.pilot`)."""

_CONDITIONAL = frozenset({"if", "then", "else", "not"})
_BRANCHES = ("anyOf", "oneOf", "allOf")


def schema_constructs(schema: Mapping[str, Any] | None = None) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every object of the schema that lists `properties`, with its construct name (conditions left out)."""
    schema = schema if schema is not None else program_schema()
    yield from _named(schema, "file")
    for name, definition in schema.get("$defs", {}).items():
        yield from _named(definition, name)


def _named(node: Mapping[str, Any], name: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if "properties" in node:
        yield name, node
        for key, sub in node["properties"].items():
            yield from _named(sub, f"{name}.{key}")
    for branch in _BRANCHES:
        for sub in node.get(branch, ()):
            yield from _named(sub, name)


class _Schema:
    """The program schema, with each property-listing object's construct name and `$ref`s resolved."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.root = schema
        self.names = {id(node): name for name, node in schema_constructs(schema)}

    def resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            resolved: Mapping[str, Any] = self.root["$defs"][ref.removeprefix("#/$defs/")]
            return self.resolve(resolved)
        return node

    def branches(self, node: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
        """The schema and its `anyOf`/`oneOf`/`allOf` branches, flattened, `$ref`s resolved."""
        if node is None:
            return []
        node = self.resolve(node)
        found = [node]
        for branch in _BRANCHES:
            for sub in node.get(branch, ()):
                found.extend(self.branches(sub))
        return found


def _object_schema(schema: _Schema, node: Mapping[str, Any] | None, keys: list[str]) -> Mapping[str, Any] | None:
    """The branch of `node` that describes a mapping with these keys best (the first of equals)."""
    best: Mapping[str, Any] | None = None
    score = -1
    for branch in schema.branches(node):
        if not any(k in branch for k in ("properties", "additionalProperties", "patternProperties")):
            continue
        known = sum(1 for k in keys if k in branch.get("properties", {}))
        if known > score:
            best, score = branch, known
    return best


def _child(branch: Mapping[str, Any] | None, key: str) -> Mapping[str, Any] | None:
    if branch is None:
        return None
    if key in branch.get("properties", {}):
        child: Mapping[str, Any] = branch["properties"][key]
        return child
    for pattern, sub in branch.get("patternProperties", {}).items():
        if re.search(pattern, key):
            return sub  # type: ignore[no-any-return]
    extra = branch.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def _items(schema: _Schema, node: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    for branch in schema.branches(node):
        items = branch.get("items")
        if isinstance(items, dict):
            return items
    return None


def order_keys(data: object, schema: Mapping[str, Any] | None = None) -> None:
    """Put the keys of every mapping of a round-trip document in canonical order, in place.

    Keys the construct does not know keep their order, after the known ones.
    """
    _order(_Schema(schema if schema is not None else program_schema()), data, None, top=True)


def _order(schema: _Schema, data: object, node: Mapping[str, Any] | None, top: bool = False) -> None:
    if isinstance(data, CommentedMap):
        keys = [str(k) for k in data]
        branch = _object_schema(schema, schema.root if top else node, keys)
        order = KEY_ORDER.get(schema.names.get(id(branch), ""), ())
        rank = {key: i for i, key in enumerate(order)}
        for key in sorted(data, key=lambda k: (rank.get(str(k), len(rank)), keys.index(str(k)))):
            data.move_to_end(key)
        for key, value in data.items():
            _order(schema, value, _child(branch, str(key)))
    elif isinstance(data, CommentedSeq):
        inner = _items(schema, node)
        for value in data:
            _order(schema, value, inner)
