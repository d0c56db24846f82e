"""Structural validation of a program file against the shipped JSON Schema (draft 2020-12).

jsonschema finds the violations; this module turns each into a diagnostic at the offending node's
line:column, in the words of the language rather than a raw schema dump.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from policy_lang import diagnostics as dg
from policy_lang import suggest
from policy_lang.source import Span
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
    found = [d for error in errors for d in _explain(error, root, data)]
    # A base-60 number is never meant, but a slot that takes a whole number accepts it silently.
    found.extend(_sexagesimal_numbers(root, [], data))
    if not errors:
        found.extend(_conflict_rule_options(root))
    for diagnostic in found:
        # One value gets one complaint: a wrong type usually also breaks its enum or pattern.
        key = (diagnostic.span, diagnostic.code if diagnostic.code in ("E202", "E203") else "value")
        if key not in reported:
            reported.add(key)
            yield diagnostic


CONFLICT_RULE_BY: dict[str, tuple[str, ...]] = {
    "exclusivity": ("territory", "segment", "named_account"),
    "tie_break": ("higher_tier", "order", "partner_id", "vendor_decides"),
}
"""Which `by` each conflict rule takes (the schema lists all of them together)."""

CONFLICT_RULE_OPTIONS: dict[str, str] = {"needs_registration": "exclusivity", "applies": "customer_choice",
                                         "order": "tie_break"}
"""The conflict rule each rule-specific option belongs to."""


def _conflict_rule_options(root: YMap) -> Iterator[dg.Diagnostic]:
    """E204 where a conflict rule has a `by` that belongs to another rule, pointing at that `by`."""
    bodies = [root] + [r for r in _items(root.get("revisions")) if isinstance(r, YMap)]
    for body in bodies:
        conflicts = body.get("conflicts")
        if not isinstance(conflicts, YMap):
            continue
        for rule in _items(conflicts.get("precedence")):
            by, kind = (rule.get("by"), rule.get("rule")) if isinstance(rule, YMap) else (None, None)
            if not isinstance(by, YScalar) or not isinstance(kind, YScalar):
                continue
            allowed = CONFLICT_RULE_BY.get(str(kind.value), ())
            if str(by.value) not in allowed:
                yield dg.error("E204", f"`by: {by.value}` does not apply to conflict rule `{kind.value}`", by.span,
                               hint=f"`{kind.value}` is decided by {_or_list(allowed)}" if allowed
                               else f"`{kind.value}` takes no `by`; remove it")


def _items(node: YNode | None) -> list[YNode]:
    return node.items if isinstance(node, YSeq) else []


def _sexagesimal_numbers(node: YNode, path: list[object], data: Any) -> Iterator[dg.Diagnostic]:
    """E111 for every plain scalar that YAML 1.1 read as a base-60 number, such as `renewals: 1:30`."""
    if isinstance(node, YMap):
        for k, v in node.items:
            yield from _sexagesimal_numbers(v, [*path, k.value], data)
    elif isinstance(node, YSeq):
        for i, item in enumerate(node.items):
            yield from _sexagesimal_numbers(item, [*path, i], data)
    elif (surprise := yaml11_surprise(node)) is not None and surprise[0] == "E111" and isinstance(node, YScalar):
        # Where text is expected, the schema check has already said so; this is a number or formula slot.
        raw = node.raw.strip()
        where = describe(path[:-1] if path and isinstance(path[-1], str) else path, data)
        yield dg.error("E111", f"`{raw}` is read as the base-60 number {node.value} (in {where})", node.span,
                       hint=f"write the number you mean without `:`; if `{raw}` is text, quote it: `\"{raw}\"`")


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
            elif step in ("registration", "rounding") and names and names[-1].startswith("the "):
                names[-1] = _SECTION_NOUNS[step]
            parent_key = step
            node = node.get(step) if isinstance(node, dict) else None
        elif isinstance(step, int):
            item = node[step] if isinstance(node, list) and step < len(node) else None
            if names == [_SECTION_NOUNS["enums"]] and parent_key is not None:
                names = [f"member {step + 1} of enumeration `{parent_key}`"]
                node = item
                continue
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

    if validator == "pattern" and "propertyNames" in error.schema_path:
        yield from _bad_names(error, root, path, data)
        return
    surprise = yaml11_surprise(node)
    words = schema.get("enum")
    if surprise is not None and isinstance(words, list) and isinstance(node, YScalar) \
            and node.raw.strip() not in [str(w) for w in words]:
        # Quoting `no` would not make it one of the allowed words: say which words are allowed.
        close = suggest.closest(node.raw.strip(), [str(w) for w in words])
        yield dg.error("E204", f"{name} in {where} must be one of {_or_list([str(w) for w in words])}, "
                       f"not `{node.raw.strip()}`", node.span, hint=f"did you mean `{close}`?" if close else None)
        return
    if surprise is not None and validator in ("type", "pattern", "anyOf", "enum"):
        code, message, advice = surprise
        yield dg.error(code, f"{message} (in {where})" if where != "the program" else message, node.span,
                       hint=advice)
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
        allowed = list(schema.get("properties", {}))
        unknown = [str(k.value) for k, _ in node.items if k.value not in allowed] if isinstance(node, YMap) else []
        for m in missing:
            if any(suggest.closest(w, allowed) == m for w in unknown):
                continue  # a misspelling of the key is reported as an unknown key, with `did you mean`
            prop = schema.get("properties", {}).get(m, {})
            about = prop.get("description") if isinstance(prop, dict) else None
            yield dg.error("E202", f"{describe(path, data)} is missing the key `{m}`", span,
                           hint=f"add `{m}:` ({_clause(str(about))})" if about else f"add `{m}:`")
        return
    if validator == "type":
        quote: str | None = None
        if schema.get("type") == "string" and isinstance(node, YScalar) and node.plain:
            quote = f"quote the value to make it text: `\"{node.raw.strip()}\"`"
        elif schema.get("type") == "array" and isinstance(node, YMap):
            quote = "write each item on its own line, starting with `- `"
        yield dg.error("E201", f"{name} in {where} must be {_expected(schema.get('type'))}, "
                       f"not {_kind_of(error.instance)}", _value_span(node, key), hint=quote)
        return
    if validator == "enum":
        options = [str(o) for o in error.validator_value]  # type: ignore[union-attr]
        shown = node.raw.strip() if isinstance(node, YScalar) else str(error.instance)
        close = suggest.closest(shown, options)
        yield dg.error("E204", f"{name} in {where} must be one of {_or_list(options)}, not `{shown}`",
                       node.span, hint=f"did you mean `{close}`?" if close else None)
        return
    if validator in ("pattern", "format", "maxLength", "minLength"):
        yield dg.error("E205", f"{name} in {where} is badly formed: `{error.instance}`", node.span,
                       hint=_pattern_hint(error, schema))
        return
    if validator in ("minItems", "minProperties"):
        yield dg.error("E206", f"{name} in {where} must not be empty", node.span)
        return
    if validator in ("minimum", "maximum"):
        bound = "at least" if validator == "minimum" else "at most"
        range_hint: str | None = None
        if path == ["ppl"]:
            range_hint = "this version of ppl reads language version 1; write `ppl: 1`"
        elif path and path[-1] == "fiscal_year_start":
            range_hint = "write the month as a number from 1 (January) to 12 (December)"
        yield dg.error("E207", f"{name} in {where} must be {bound} {error.validator_value}, not {error.instance}",
                       node.span, hint=range_hint)
        return
    if validator == "uniqueItems":
        yield from _repeated_items(name, where, node)
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
            # The mapping form was meant: report what is wrong inside it, not that it is not text.
            nested = [s for s in subs if s.validator != "type" or s.relative_path]
            if nested:
                for sub in nested:
                    yield from _explain(sub, root, data)
                return
        kinds: list[str] = []
        for sub in subs:
            if isinstance(sub.schema, dict) and "type" in sub.schema:
                word = _FORM_WORDS.get(str(sub.schema.get("title")), _expected(sub.schema.get("type")))
                if word not in kinds:
                    kinds.append(word)
        text_hint: str | None = None
        if "text" in kinds and isinstance(node, YScalar) and node.plain:
            text_hint = f"quote the value to make it text: `\"{node.raw.strip()}\"`"
        yield dg.error("E201", f"{name} in {where} must be {' or '.join(kinds) or 'a valid value'}, "
                       f"not {_kind_of(error.instance)}", _value_span(node, key), hint=text_hint)
        return
    description = schema.get("description")
    yield dg.error("E208", f"{name} in {where} is not valid here", node.span,
                   hint=_clause(str(description)) if description else None)


_FORM_WORDS = {"translated text": "a mapping of translations (`en:`, `ja:`)", "input field": "a mapping with `type:`"}


def _value_span(node: YNode, key: YScalar | None) -> Span:
    """Where to point for a value: a block mapping or list starts on the next line, so point at its key."""
    if key is not None and not isinstance(node, YScalar) and node.span.line != key.span.line:
        return key.span
    return node.span


def _clause(text: str) -> str:
    """A schema description as a clause inside a hint: no capital (unless an acronym), no final period."""
    text = text.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def _pattern_hint(error: ValidationError, schema: dict[str, Any]) -> str | None:
    """What to write instead of a badly formed value: the fix itself where it is obvious."""
    value = error.instance
    pattern = schema.get("pattern")
    if isinstance(value, str) and isinstance(pattern, str) and error.validator == "pattern":
        date = re.fullmatch(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})", value)
        if date is not None:
            fixed = f"{date[1]}-{int(date[2]):02d}-{int(date[3]):02d}"
            if re.fullmatch(pattern, fixed):
                return f"write dates as YYYY-MM-DD: `{fixed}`"
        for fixed, why in ((value.upper(), "write it in capitals"), (value.lower(), "write it in lowercase"),
                           (value.replace("-", "_"), "write `_` instead of `-`, which would read as a minus"),
                           (value.lower().replace("-", "_"), "write it in lowercase, with `_` instead of `-`")):
            if fixed != value and re.fullmatch(pattern, fixed):
                return f"{why}: `{fixed}`"
    description = schema.get("description") or _defs_description(error)
    return _clause(str(description)) if description else None


def _bad_names(error: ValidationError, root: YMap, path: Sequence[object], data: Any) -> Iterator[dg.Diagnostic]:
    """A key that must be a name (an enumeration or an input field) is not one: point at the key."""
    node, _ = find(root, path)
    bad = str(error.instance)
    key = next((k for k, _ in node.items if k.value == bad), None) if isinstance(node, YMap) else None
    enumeration = list(path) == ["enums"]
    what = "a valid enumeration name" if enumeration else f"a valid field name for `{path[-1]}` inputs"
    fixed = re.sub(r"[^a-z0-9_]+", "_", bad.lower()).strip("_")
    hint = "names are lowercase letters, digits and `_`, starting with a letter"
    if re.fullmatch(r"[a-z][a-z0-9_]*", fixed):
        hint += f": `{fixed}`"
    yield dg.error("E205", f"`{bad}` is not {what}",
                   key.span if key is not None else node.span, hint=hint)


def _repeated_items(name: str, where: str, node: YNode) -> Iterator[dg.Diagnostic]:
    """E300 at each repeated member of a list, with a note at its first occurrence."""
    if not isinstance(node, YSeq):
        yield dg.error("E300", f"{name} in {where} lists the same member twice", node.span)
        return
    first: dict[str, YNode] = {}
    for item in node.items:
        if not isinstance(item, YScalar):
            continue
        word = str(item.value)
        if word in first:
            message = f"`{word}` is listed twice in {name} of {where}"
            if where == _SECTION_NOUNS["enums"]:
                message = f"member `{word}` is listed twice in enumeration {name}"
            yield dg.error("E300", message, item.span,
                           labels=[dg.Label(first[word].span, "first listed here")], hint="remove one of them")
        else:
            first[word] = item


def _defs_description(error: ValidationError) -> str | None:
    for part in reversed(list(error.schema_path)):
        if part in ("id", "name", "date", "field_name"):
            defs = program_schema()["$defs"]
            desc = defs[str(part)].get("description")
            return str(desc) if desc else None
    return None


def _is_field_name(name: str) -> bool:
    return re.fullmatch(r"[a-z][a-z0-9_]*", name) is not None


def _or_list(options: Sequence[str]) -> str:
    quoted = [f"`{o}`" for o in options]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
