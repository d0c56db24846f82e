"""The constructs whose names and types resolved: a program without those that have errors.

The analyses (ladder steps, caps, conflicts, …) read constants and look constructs up by id, so they run
only on constructs that resolved. An error in a contract, ladder, bonus, benefit or tier leaves out that
construct (and a contract or tier that names one left out); an error in a whole section leaves out the
section. An error in a version's effective dates (E4xx) leaves every construct in. Any other error outside
a construct (the program header, an input, an enumeration) leaves nothing sound enough to analyse.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.partial import ITEM_KINDS, SECTION, WHOLE_SECTIONS, Broken
from policy_lang.source import Span

Item = ast.Contract | ast.Ladder | ast.Bonus | ast.Benefit | ast.Tier


def sound_part(program: ast.Program, errors: Sequence[dg.Diagnostic]) -> tuple[ast.Program, Broken] | None:
    """`program` without the constructs `errors` are in (and those that name them), and what was left out;
    None when an error is outside every construct."""
    left_out: set[tuple[str, str]] = set()
    bodies = [program.body, *(r.body for r in program.revisions)]
    for error in errors:
        if error.code.startswith("E4"):
            continue  # a version's effective period: the constructs in force are still sound
        found = _holder(bodies, error.span) if error.span is not None else None
        if found is None:
            return None
        left_out.add(found)
    while True:  # a contract or tier that names a construct left out goes too
        more = set(_dependents(bodies, Broken(frozenset(left_out)))) - left_out
        if not more:
            break
        left_out |= more
    if any(b.tiers and all(Broken(frozenset(left_out)).has("tier", t.id.name) for t in b.tiers.levels)
           for b in bodies):
        left_out.add((SECTION, "tiers"))  # no tier left: the section goes, and passes that rank tiers skip
    broken = Broken(frozenset(left_out))
    revisions = tuple(replace(r, body=_without(r.body, broken)) for r in program.revisions)
    return replace(program, body=_without(program.body, broken), revisions=revisions), broken


def _items(body: ast.Body) -> Iterator[tuple[str, Item]]:
    for section, kind in ITEM_KINDS.items():
        for item in getattr(body, section) or ():
            yield kind, item
    for tier in body.tiers.levels if body.tiers else ():
        yield "tier", tier


def _holder(bodies: Iterable[ast.Body], span: Span) -> tuple[str, str] | None:
    """`(kind, id)` of the construct that holds `span`, or `("section", name)`."""
    for body in bodies:
        for kind, item in _items(body):
            if _holds(item.span, span):
                return kind, item.id.name
        for name in WHOLE_SECTIONS:
            section = getattr(body, name)
            if section is not None and _holds(section.span, span):
                return SECTION, name
    return None


def _holds(region: Span | None, span: Span) -> bool:
    if region is None or region.file != span.file:
        return False
    return (region.line, region.col) <= (span.line, span.col) < (region.end_line, region.end_col)


def _dependents(bodies: Iterable[ast.Body], broken: Broken) -> Iterator[tuple[str, str]]:
    for body in bodies:
        for contract in body.contracts or ():
            named = [("ladder", contract.ladder.name)] if contract.ladder is not None else []
            named += [("bonus", b.name) for b in contract.bonuses]
            if any(broken.has(kind, name) for kind, name in named):
                yield "contract", contract.id.name
        for tier in body.tiers.levels if body.tiers else ():
            if any(broken.has("benefit", b.name) for b in tier.benefits):
                yield "tier", tier.id.name


def _without(body: ast.Body, broken: Broken) -> ast.Body:
    changes: dict[str, object] = {}
    for section, kind in ITEM_KINDS.items():
        items = getattr(body, section)
        if items is not None:
            changes[section] = None if broken.section(section) else \
                tuple(i for i in items if not broken.has(kind, i.id.name))
    for name in WHOLE_SECTIONS:
        if broken.section(name):
            changes[name] = None
    tiers = body.tiers
    if tiers is not None and not broken.section("tiers"):
        changes["tiers"] = replace(tiers, levels=tuple(t for t in tiers.levels if not broken.has("tier", t.id.name)))
    return replace(body, **changes)  # type: ignore[arg-type]
