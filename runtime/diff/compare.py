"""`diff_rulesets`: the semantic changes from one rule set of a program to another.

Constructs are matched by kind and id (a renamed id is a removal and an addition), ladder steps and bonus
targets step by step, versions by their name; within a matched version every section is compared. A
construct a later version inherits unchanged is the same construct in both versions (it is written once),
so its change is listed once, with the versions it is seen in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from runtime import ir
from runtime.diff._entities import Attr, Entity, Texts, plain, title, words
from runtime.diff._sections import sections
from runtime.diff.changes import CONSTRUCT_KINDS, Change, ProgramDiff, Side

Places = Mapping[tuple[str, str, str], ir.Loc]
"""Where a program writes what its rule set keeps no place for, by (kind, id, attribute) ("" for the construct):
the program's settings, inputs and enumerations. Read from a program's syntax tree (`ppl diff` does)."""


def diff_rulesets(old: ir.RuleSet, new: ir.RuleSet, old_source: str | None = None,
                  new_source: str | None = None, old_places: Places | None = None,
                  new_places: Places | None = None) -> ProgramDiff:
    """The changes from `old` to `new`, two rule sets of one program (compiled from a program file or read from
    an artifact alike); none when they differ only in layout, comments, key order or how a value is spelt.
    `old_places` and `new_places` place what a rule set keeps no place for (`Places`); without them such a change
    is placed at the program's first version.

    >>> from runtime.diff import diff_rulesets                                  # doctest: +SKIP
    >>> [c.construct for c in diff_rulesets(before, after).changes]            # doctest: +SKIP
    ['ladder step `annual-volume` 2']
    """
    t_old, t_new = Texts(old), Texts(new)
    found = _match(_program(old, t_old, old_places or {}), _program(new, t_new, new_places or {}), ())
    old_versions = {v.version: v for v in old.versions}
    new_names = {v.version for v in new.versions}
    found.extend(_removal(_version(v), (v.version,)) for v in old.versions if v.version not in new_names)
    for version in new.versions:
        before = old_versions.get(version.version)
        if before is None:
            found.append(_addition(_version(version), (version.version,)))
            continue
        tag = (version.version,)
        found.extend(_match([_version(before)], [_version(version)], tag))
        found.extend(_match(sections(before, t_old), sections(version, t_new), tag))
    return ProgramDiff(_side(old, old_source), _side(new, new_source), _merged(found))


def _side(ruleset: ir.RuleSet, source: str | None) -> Side:
    return Side(ruleset.program_id, ruleset.source if source is None else source,
                tuple(v.version for v in ruleset.versions))


def _program(rs: ir.RuleSet, t: Texts, places: Places) -> list[Entity]:
    """The program's settings, inputs and enumerations: placed by `places`, else at the program's first version."""
    head = rs.versions[0].at if rs.versions else None

    def at(kind: str, name: str = "", attribute: str = "", known: ir.Loc | None = None) -> ir.Loc | None:
        return known or places.get((kind, name, attribute)) or places.get((kind, name, "")) or head

    r = rs.rounding
    pilot = rs.pilot
    pilot_text = None if pilot is None else "{" + ", ".join(
        f"{name}: {bound}" for name, bound in (("min", pilot.min), ("max", pilot.max)) if bound is not None) + "}"
    settings = Entity("program", "", None, at("program"), (
        title(rs.title, at("program", "", "title")), title(rs.description, at("program", "", "description"),
                                                          "description"),
        *(plain(name, value, at("program", "", name)) for name, value in (
            ("currency", rs.currency), ("time_zone", rs.time_zone), ("fiscal_year_start", rs.fiscal_year_start))),
        Attr("rounding.unit", r.unit, t.money(r.unit), at("program", "", "rounding")),
        plain("rounding.mode", r.mode, at("program", "", "rounding")),
        Attr("rounding.modes", r.modes, words(f"{k}: {m}" for k, m in r.modes) if r.modes else None,
             at("program", "", "rounding")),
        plain("rounding.point", r.point, at("program", "", "rounding")),
        plain("rounding.marginal", r.marginal, at("program", "", "rounding")),
        Attr("payout_cap", rs.payout_cap, t.money(rs.payout_cap), at("program", "", "payout_cap", rs.payout_cap_at)),
        Attr("pilot", (pilot.min, pilot.max) if pilot else None, pilot_text,
             at("program", "", "pilot", pilot.at if pilot else None)),
    ))
    return [settings, *_inputs(rs, t, places), *(
        Entity("enum", name, None, places.get(("enum", name, "")), (
            Attr("members", members, words(members), places.get(("enum", name, ""))),))
        for name, members in sorted(rs.enums.items()))]


def _inputs(rs: ir.RuleSet, t: Texts, places: Places) -> list[Entity]:
    found: list[Entity] = []
    for d in rs.inputs:
        name = f"{d.scope}.{d.name}"
        at = places.get(("input", name, ""))
        values = None if d.values is None else words(t.value(v, d.item or d.type) for v in d.values)
        found.append(Entity("input", name, None, at, (
            plain("type", d.type, at), plain("item", d.item, at),
            Attr("min", d.min, t.value(d.min, d.type), at), Attr("max", d.max, t.value(d.max, d.type), at),
            Attr("values", d.values, values, at), title(d.description, at, "description"),
        )))
    return found


def _version(v: ir.Version) -> Entity:
    return Entity("version", v.version, None, v.at, (
        plain("effective_from", v.effective_from, v.at), plain("effective_until", v.effective_until, v.at),
        plain("starts_at", v.starts_at, v.at), plain("ends_at", v.ends_at, v.at), title(v.note, v.at, "note"),
    ))


def _summary(entity: Entity) -> str:
    """A construct in a few words, for an addition or a removal: its stated attributes but titles."""
    shown = [f"{a.name}: {a.text}" for a in entity.attrs
             if a.text is not None and a.name not in ("title", "description", "note")]
    return "; ".join(shown[:4]) if shown else "—"


def _addition(entity: Entity, versions: tuple[str, ...]) -> Change:
    return Change(entity.kind, entity.id, "", "added", None, _summary(entity), None, entity.at, entity.step, versions)


def _removal(entity: Entity, versions: tuple[str, ...]) -> Change:
    return Change(entity.kind, entity.id, "", "removed", _summary(entity), None, entity.at, None, entity.step, versions)


def _match(old: Sequence[Entity], new: Sequence[Entity], versions: tuple[str, ...]) -> list[Change]:
    """Constructs matched by key: the removed, then (in the new side's order) the added and the changed."""
    new_keys = {e.key for e in new}
    old_by_key = {e.key: e for e in old}
    found = [_removal(e, versions) for e in old if e.key not in new_keys]
    for entity in new:
        before = old_by_key.get(entity.key)
        if before is None:
            found.append(_addition(entity, versions))
            continue
        found.extend(_attributes(before, entity, versions))
        found.extend(_match(before.parts, entity.parts, versions))
    return found


def _attributes(old: Entity, new: Entity, versions: tuple[str, ...]) -> list[Change]:
    """The attributes of one construct whose values differ."""
    old_attrs = {a.name: a for a in old.attrs}
    found: list[Change] = []
    for attr in new.attrs:
        before = old_attrs.get(attr.name, Attr(attr.name, None, None, old.at))
        if before.value != attr.value:
            found.append(Change(new.kind, new.id, attr.name, "changed", before.text, attr.text,
                                before.at or old.at, attr.at or new.at, new.step, versions))
    return found


def _merged(changes: list[Change]) -> tuple[Change, ...]:
    """One change per construct, attribute, values and places, with every version it is seen in; then in the
    order of `CONSTRUCT_KINDS`, keeping the source order within a kind."""
    merged: dict[tuple[object, ...], Change] = {}
    for change in changes:
        key = (change.kind, change.id, change.step, change.attribute, change.action, change.old, change.new,
               change.old_loc, change.new_loc)
        seen = merged.get(key)
        if seen is None:
            merged[key] = change
        elif change.versions and not set(change.versions) <= set(seen.versions):
            merged[key] = dataclasses.replace(seen, versions=(*seen.versions, *change.versions))
    return tuple(sorted(merged.values(), key=lambda c: CONSTRUCT_KINDS.index(c.kind)))

