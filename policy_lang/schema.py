"""Structural validation of a program file against the shipped JSON Schema (draft 2020-12).

jsonschema finds the violations; this module turns each into a diagnostic at the offending node's
line:column, in the words of the language rather than a raw schema dump.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from policy_lang import diagnostics as dg
from policy_lang import suggest
from policy_lang.yaml_loader import YMap, YNode, YScalar, YSeq, find, to_data, yaml11_surprise

SCHEMA_FILE = "program.schema.json"

# What a list item is called, by the key of the list it is in (and its parent for ambiguous keys).
_ITEM_NOUNS = {
    "contracts": "contract", "ladders": "ladder", "bonuses": "bonus", "benefits": "benefit",
    "margin_caps": "margin cap", "pass_through": "pass-through cost", "precedence": "conflict rule",
    "order": "routing preference", "revisions": "revision", "steps": "step",
}
_SECTION_NOUNS = {
    "program": "the program header", "tiers": "the tiers", "price_rules": "the price rules",
    "hierarchy": "the hierarchy", "conflicts": "the conflict rules", "lead_routing": "the lead routing",
    "registration": "the deal registration rules", "rounding": "the rounding", "inputs": "the inputs",
    "enums": "the enumerations",
}
_TYPE_WORDS = {
    "string": "text", "number": "a number", "integer": "a whole number", "boolean": "true or false",
    "object": "a mapping", "array": "a list", "null": "nothing",
}


@functools.cache
def program_schema() -> dict[str, Any]:
    """The JSON Schema of program files, as shipped in the package."""
    text = resources.files("policy_lang").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(program_schema())


def check_schema(root: YNode) -> Iterator[dg.Diagnostic]:
    """Yield a diagnostic for every schema violation in a loaded program."""
    if not isinstance(root, YMap):
        kind = "a list" if isinstance(root, YSeq) else "a single value"
        yield dg.error("E200", f"a program must be a mapping of sections, not {kind}", root.span,
                       hint="start the file with `ppl: 1` and a `program:` section")
        return
    data = to_data(root)
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    reported: set[tuple[object, ...]] = set()
    for error in errors:
        for diagnostic in _explain(error, root, data):
            # One value gets one complaint: a wrong type usually also breaks its enum or pattern.
            key = (diagnostic.span, diagnostic.code if diagnostic.code in ("E202", "E203") else "value")
            if key not in reported:
                reported.add(key)
                yield diagnostic


def _kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "nothing"


def _expected(schema_type: object) -> str:
    types = schema_type if isinstance(schema_type, list) else [schema_type]
    words = [_TYPE_WORDS.get(str(t), str(t)) for t in types]
    return " or ".join(words)


def describe(path: Sequence[object], data: Any) -> str:
    """Name the construct at a path in the words of the language: ``tier `tier1` ``, ``step 2 of ladder `volume` ``."""
    names: list[str] = []
    node = data
    parent_key: str | None = None
    for step in path:
        if isinstance(step, str):
            if step in _SECTION_NOUNS and parent_key in (None, "revisions") and not names:
                names.append(_SECTION_NOUNS[step])
            parent_key = step
            node = node.get(step) if isinstance(node, dict) else None
        elif isinstance(step, int):
            item = node[step] if isinstance(node, list) and step < len(node) else None
            noun = _ITEM_NOUNS.get(parent_key or "", "item")
            if parent_key == "levels":
                noun = "hierarchy level" if names and names[-1] == "the hierarchy" else "tier"
            ident = item.get("id") if isinstance(item, dict) else None
            if noun == "hierarchy level" and isinstance(item, dict) and "level" in item:
                ident = item["level"]
            if noun == "revision" and isinstance(item, dict):
                ident = item.get("version")
            label = f"{noun} `{ident}`" if isinstance(ident, str | int) and not isinstance(ident, bool) \
                else f"{noun} {step + 1}"
            names = [n for n in names if not n.startswith("the ")] + [label]
            node = item
    if not names:
        return "the program"
    return " of ".join(reversed(names[-2:]))


def _explain(error: ValidationError, root: YMap, data: Any) -> Iterator[dg.Diagnostic]:
    path = list(error.absolute_path)
    node, key = find(root, path)
    where = describe(path[:-1] if path and isinstance(path[-1], str) else path, data)
    name = f"`{path[-1]}`" if path and isinstance(path[-1], str) else "this value"
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}

    surprise = yaml11_surprise(node)
    if surprise is not None and validator in ("type", "pattern", "anyOf", "enum"):
        code, message, hint = surprise
        yield dg.error(code, f"{message} (in {where})" if where != "the program" else message, node.span, hint=hint)
        return

    if validator == "additionalProperties" and isinstance(node, YMap):
        allowed = sorted(schema.get("properties", {}))
        for k, _ in node.items:
            if k.value not in allowed and "additionalProperties" in schema:
                close = suggest.closest(str(k.value), allowed)
                hint = f"did you mean `{close}`?" if close else f"allowed here: {', '.join(f'`{a}`' for a in allowed)}"
                owner = describe(path, data)
                if path and isinstance(path[-1], str) and path[-1] not in _SECTION_NOUNS:
                    owner = f"`{path[-1]}` of {describe(path[:-1], data)}"
                yield dg.error("E203", f"unknown key `{k.value}` in {owner}", k.span, hint=hint)
        return
    if validator == "required" and isinstance(error.validator_value, list):
        missing = [r for r in error.validator_value if isinstance(error.instance, dict) and r not in error.instance]
        span = key.span if key is not None else node.span
        for m in missing:
            prop = schema.get("properties", {}).get(m, {})
            about = prop.get("description") if isinstance(prop, dict) else None
            yield dg.error("E202", f"{describe(path, data)} is missing the key `{m}`", span,
                           hint=f"add `{m}:` ({str(about).rstrip('.')})" if about else f"add `{m}:`")
        return
    if validator == "type":
        quote: str | None = None
        if schema.get("type") == "string" and isinstance(node, YScalar) and node.plain:
            quote = f"quote the value to make it text: `\"{node.raw.strip()}\"`"
        yield dg.error("E201", f"{name} in {where} must be {_expected(schema.get('type'))}, "
                       f"not {_kind_of(error.instance)}", node.span, hint=quote)
        return
    if validator == "enum":
        options = [str(o) for o in error.validator_value]  # type: ignore[union-attr]
        close = suggest.closest(str(error.instance), options)
        yield dg.error("E204", f"{name} in {where} must be one of {_or_list(options)}, not `{error.instance}`",
                       node.span, hint=f"did you mean `{close}`?" if close else None)
        return
    if validator in ("pattern", "format", "maxLength", "minLength"):
        description = schema.get("description") or _defs_description(error)
        yield dg.error("E205", f"{name} in {where} is badly formed: `{error.instance}`", node.span,
                       hint=description)
        return
    if validator in ("minItems", "minProperties"):
        yield dg.error("E206", f"{name} in {where} must not be empty", node.span)
        return
    if validator in ("minimum", "maximum"):
        bound = "at least" if validator == "minimum" else "at most"
        yield dg.error("E207", f"{name} in {where} must be {bound} {error.validator_value}, not {error.instance}",
                       node.span)
        return
    if validator == "uniqueItems":
        yield dg.error("E300", f"{name} in {where} lists the same member twice", node.span)
        return
    if validator == "propertyNames" and isinstance(node, YMap):
        for k, _ in node.items:
            if not _is_field_name(str(k.value)):
                yield dg.error("E205", f"`{k.value}` in {describe(path, data)} is not a valid name", k.span,
                               hint="names are lowercase letters, digits and `_`, starting with a letter")
        return
    if validator == "anyOf":
        subs = list(error.context or ())
        if isinstance(error.instance, dict):
            nested = [s for s in subs if s.validator != "type"]
            if nested:
                for sub in nested:
                    yield from _explain(sub, root, data)
                return
        kinds = sorted({_expected(s.schema.get("type")) for s in subs
                        if isinstance(s.schema, dict) and "type" in s.schema})
        yield dg.error("E201", f"{name} in {where} must be {' or '.join(kinds) or 'a valid value'}, "
                       f"not {_kind_of(error.instance)}", node.span)
        return
    yield dg.error("E208", f"{name} in {where} is not valid here", node.span, hint=error.message[:200])


def _defs_description(error: ValidationError) -> str | None:
    for part in reversed(list(error.schema_path)):
        if part in ("id", "date", "field_name"):
            defs = program_schema()["$defs"]
            desc = defs[str(part)].get("description")
            return str(desc) if desc else None
    return None


def _is_field_name(name: str) -> bool:
    import re

    return re.fullmatch(r"[a-z][a-z0-9_]*", name) is not None


def _or_list(options: Sequence[str]) -> str:
    quoted = [f"`{o}`" for o in options]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
