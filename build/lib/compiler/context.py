"""What every pass knows about a program: its versions, declared fields and enumerations."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from compiler.types import BUILTIN_FIELDS, ITEM_CATEGORY, SCALAR_TYPES, Type
from policy_lang import ast
from policy_lang.currency import CURRENCIES
from runtime.ir import ITEM_FIELDS


@dataclass(frozen=True, slots=True)
class View:
    """One version of the program with the sections in force: the base, or the base with revisions applied."""

    version: str
    body: ast.Body


@dataclass(slots=True)
class Context:
    """Shared, read-only facts for the passes over one program."""

    program: ast.Program
    views: tuple[View, ...]
    enums: dict[str, tuple[str, ...]]
    fields: dict[tuple[str, str], Type]
    declared: dict[tuple[str, str], ast.InputField]
    used_fields: set[tuple[str, str]] = field(default_factory=set)
    used_enums: set[str] = field(default_factory=set)

    @property
    def currency(self) -> str:
        return self.program.currency.name

    @property
    def minor_unit(self) -> int:
        return CURRENCIES.get(self.currency, 0)

    def all_bodies(self) -> Iterator[ast.Body]:
        """The base body and every revision's own body (each construct once)."""
        yield self.program.body
        for revision in self.program.revisions:
            yield revision.body


_LIST_SECTIONS = ("contracts", "ladders", "bonuses", "benefits")
_WHOLE_SECTIONS = ("tiers", "price_rules", "hierarchy", "conflicts", "lead_routing", "catalog")


def merge(base: ast.Body, revision: ast.Body) -> ast.Body:
    """A revision's sections replace the base's: list items by id (others kept), other sections whole."""
    changes: dict[str, object] = {}
    for name in _LIST_SECTIONS:
        new = getattr(revision, name)
        if new is None:
            continue
        old = getattr(base, name) or ()
        replaced = {item.id.name: item for item in new}
        merged = [replaced.pop(item.id.name, item) for item in old]
        merged.extend(item for item in new if item.id.name in replaced)
        changes[name] = tuple(merged)
    for name in _WHOLE_SECTIONS:
        if getattr(revision, name) is not None:
            changes[name] = getattr(revision, name)
    return replace(base, **changes)  # type: ignore[arg-type]


def build_context(program: ast.Program) -> Context:
    """Versions in date order, with the enumerations and fields they make available."""
    views = [View(program.version.name, program.body)]
    current = program.body
    for revision in sorted(program.revisions, key=lambda r: r.effective_from):
        current = merge(current, revision.body)
        views.append(View(revision.version.name, current))
    enums: dict[str, tuple[str, ...]] = {e.name.name: tuple(m.name for m in e.members) for e in program.enums}
    tiers: list[str] = []
    contracts: list[str] = []
    for view in views:
        for tier in view.body.tiers.levels if view.body.tiers else ():
            if tier.id.name not in tiers:
                tiers.append(tier.id.name)
        for contract in view.body.contracts or ():
            if contract.id.name not in contracts:
                contracts.append(contract.id.name)
    enums.setdefault("tier", tuple(tiers))
    enums.setdefault("contract", tuple(contracts))
    categories: list[str] = []
    for view in views:
        for category in view.body.catalog.categories if view.body.catalog else ():
            if category.name not in categories:
                categories.append(category.name)
    if categories:
        enums.setdefault(ITEM_CATEGORY, tuple(categories))
    fields: dict[tuple[str, str], Type] = {}
    for (scope, name), type_name in BUILTIN_FIELDS.items():
        fields[(scope, name)] = resolve_type(type_name, program.currency.name, enums) or Type("unknown")
    if categories:  # a program with a catalog: rules read its items (`item.category` …)
        for name, kind in ITEM_FIELDS.items():
            fields[("item", name)] = Type("enum", enum=ITEM_CATEGORY) if kind == "enum" else \
                resolve_type(kind, program.currency.name, enums) or Type("unknown")
    declared: dict[tuple[str, str], ast.InputField] = {}
    for input_field in program.inputs:
        key = (input_field.scope, input_field.name.name)
        declared[key] = input_field
        if key not in BUILTIN_FIELDS:
            item = input_field.item
            fields[key] = resolve_type(input_field.type_name.name, program.currency.name, enums,
                                       item.name if item is not None else None) or Type("unknown")
    return Context(program, tuple(views), enums, fields, declared)


def resolve_type(name: str, currency: str, enums: dict[str, tuple[str, ...]],
                 item: str | None = None) -> Type | None:
    """The type a declared type name stands for (`item`: a list's member type), or None if there is no such type."""
    if name == "list":
        known = item is not None and (item in ("text", "dated") or item in enums)
        member = resolve_type(item, currency, enums) if item is not None and known else None
        return Type("list", item=member) if member is not None else None
    if name == "dated":
        return Type("dated")
    if name == "money":
        return Type("money", currency=currency)
    if name in SCALAR_TYPES:
        return Type(name)
    if name in enums:
        return Type("enum", enum=name)
    return None
