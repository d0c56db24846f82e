"""Completion: the keys the schema allows at the cursor, the members of an enumeration the schema states, the ids a
reference names, and inside an expression the scopes, their fields, enumeration members and functions.

Ids and fields come from the last version of the document that loaded, so they are offered while the text
being typed does not load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from compiler.types import BUILTIN_FIELDS, SCOPES, TYPE_NAMES
from policy_lang import ast
from ppl.lsp import analysis, schema_docs
from ppl.lsp.context import ITEM, Cursor, cursor_at


@dataclass(frozen=True, slots=True)
class Item:
    """One completion: the text, what it is (`key`, `value`, `field`, `id`, `function`, `scope`) and its detail."""

    label: str
    kind: str
    detail: str = ""
    insert: str | None = None


REFERENCES: dict[str, str] = {
    "ladder": "ladder",
    "bonuses": "bonus",
    "benefits": "benefit",
    "zero_price": "product",
    "category": "category",
    "categories": "category",
}
"""Keys whose value names other constructs, and the kind of construct it names."""

_DOTTED = re.compile(r"([a-z_][a-z0-9_]*)\.([a-z0-9_]*)$")
_BUILTIN_TYPES = (*TYPE_NAMES, "dated", "list")


def complete(text: str, row: int, col: int, program: ast.Program | None) -> list[Item]:
    """The completions at a 0-based row and character column of a document's text."""
    cursor = cursor_at(text, row, col)
    if cursor.on_key:
        keys = _keys(cursor)
        if keys or cursor.key is not None:
            return keys
    if cursor.key is None and not cursor.path:
        return []
    path = (*cursor.path, cursor.key) if cursor.key is not None else cursor.path
    if schema_docs.is_expression(path):
        return _expression(cursor.value, program)
    found = [Item(value, "value") for value in schema_docs.enum_values(path)]
    kind = REFERENCES.get(cursor.key or (cursor.path[-2] if len(cursor.path) > 1 and cursor.path[-1] == ITEM else ""))
    if kind is not None and program is not None:
        found.extend(_ids(program, (kind,)))
    if cursor.key == "type" or (len(path) == 3 and path[0] == "inputs"):
        found.extend(_types(program))
    return found


def _keys(cursor: Cursor) -> list[Item]:
    return [Item(doc.name, "key", doc.description, f"{doc.name}: ") for doc in schema_docs.keys_at(cursor.path)
            if doc.name not in cursor.siblings]


def _ids(program: ast.Program, kinds: tuple[str, ...]) -> list[Item]:
    seen: dict[str, Item] = {}
    for found in analysis.definitions(program):
        if found.kind in kinds or any(found.kind.startswith(k) for k in kinds):
            seen.setdefault(found.name, Item(found.name, "id", found.kind))
    return list(seen.values())


def _types(program: ast.Program | None) -> list[Item]:
    names = [Item(name, "value", "type") for name in _BUILTIN_TYPES]
    if program is not None:
        names.extend(Item(enum.name.name, "value", "enumeration") for enum in program.enums)
    return names


def fields_of(program: ast.Program | None, scope: str) -> list[Item]:
    """The fields of a scope: the built-in ones, then the program's declared inputs."""
    found = {name: Item(name, "field", kind) for (s, name), kind in BUILTIN_FIELDS.items() if s == scope}
    for declared in program.inputs if program is not None else ():
        if declared.scope == scope:
            found.setdefault(declared.name.name, Item(declared.name.name, "field", declared.type_name.name))
    return list(found.values())


def _expression(before: str, program: ast.Program | None) -> list[Item]:
    dotted = _DOTTED.search(before)
    if dotted is not None:
        return fields_of(program, dotted.group(1)) if dotted.group(1) in SCOPES else []
    items = [Item(scope, "scope", "scope") for scope in SCOPES]
    items.extend(Item(name, "function", "function", f"{name}(") for name in ast.FUNCTIONS)
    items.extend(Item(word, "keyword", "operator") for word in ("and", "or", "not", "in", "if", "then", "else"))
    items.append(Item("as_of", "value", "the date the rule is judged on"))
    if program is not None:
        kinds = ("member of", "tier", "contract")
        items.extend(_ids(program, kinds))
    return items
