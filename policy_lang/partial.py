"""The sound part of a program file with errors: each error confined to the construct that has it.

A schema or expression error in one contract, ladder, bonus, benefit or tier leaves that construct out;
an error in a whole section (the hierarchy, the price rules, …) leaves the section out; an unknown key is
dropped and its construct kept. What is left is built into a program the checker can still read, so the
mistakes elsewhere in the file are found in the same run. `Broken` names what was left out, so that a
reference to it is not reported again as a reference to nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.build import build_program
from policy_lang.schema import check_schema
from policy_lang.source import Span
from policy_lang.yaml_loader import YMap, YNode, YScalar, YSeq

ITEM_KINDS: dict[str, str] = {"contracts": "contract", "ladders": "ladder", "bonuses": "bonus",
                              "benefits": "benefit"}
"""The list sections whose items are constructs of their own, and what one item is called."""

WHOLE_SECTIONS = ("tiers", "price_rules", "hierarchy", "conflicts", "lead_routing", "catalog")
"""Sections that are one construct each (a tier of `tiers.levels` is one of its own)."""

SECTION = "section"
"""The kind of a `Broken` entry that names a whole section (`("section", "hierarchy")`)."""

ROUNDS = 8
"""How many times a file is cut down before it is given up on (each round leaves out at least one construct)."""

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Broken:
    """What was left out of a program because it has errors: `(kind, id)` pairs, and sections by name."""

    constructs: frozenset[tuple[str, str]] = frozenset()

    def has(self, kind: str, name: str) -> bool:
        """Whether the construct `kind` `name` was left out, on its own or with its whole section."""
        section = next((s for s, k in ITEM_KINDS.items() if k == kind), "tiers" if kind == "tier" else kind)
        return (kind, name) in self.constructs or (SECTION, section) in self.constructs

    def section(self, name: str) -> bool:
        """Whether the whole section `name` was left out."""
        return (SECTION, name) in self.constructs

    def ids(self, kind: str) -> tuple[str, ...]:
        """The ids of the constructs of `kind` that were left out, sorted."""
        return tuple(sorted(name for k, name in self.constructs if k == kind))

    def __or__(self, other: Broken) -> Broken:
        return Broken(self.constructs | other.constructs)


@dataclass(frozen=True, slots=True)
class Partial:
    """A program built from the sound part of a file, what was left out, and the build's own diagnostics."""

    program: ast.Program
    broken: Broken
    diagnostics: tuple[dg.Diagnostic, ...]


def salvage(root: YMap, errors: Sequence[dg.Diagnostic]) -> Partial | None:
    """Leave out the constructs the errors are in and build the rest; None when an error is outside any
    construct that can be left out (the program header, the inputs, a revision's own keys)."""
    broken = Broken()
    first_build: tuple[dg.Diagnostic, ...] | None = None
    for _ in range(ROUNDS):
        cut = _cut(root, errors)
        if cut is None:
            return None
        root, left_out = cut
        broken = broken | left_out
        errors = [d for d in check_schema(root) if d.severity is dg.Severity.ERROR]
        if errors:
            continue
        program, built = build_program(root)
        if first_build is None:
            first_build = built
        errors = [d for d in built if d.severity is dg.Severity.ERROR]
        if not errors and program is not None:
            return Partial(program, broken, first_build)
    return None


def _cut(root: YMap, errors: Iterable[dg.Diagnostic]) -> tuple[YMap, Broken] | None:
    """The tree without the constructs (or unknown keys) the errors point into."""
    drop: set[Path] = set()
    names: set[tuple[str, str]] = set()
    for error in errors:
        path = _locate(root, error.span) if error.span is not None else None
        if path is None:
            return None
        if error.code == "E203" and path and isinstance(path[-1], str):
            drop.add(path)  # an unknown key: the key goes, its construct stays
            continue
        construct = _construct(path)
        if construct is None:
            return None
        drop.add(construct)
        names.add(_name(root, construct))
    pruned = _without(root, drop, ())
    assert isinstance(pruned, YMap)
    return pruned, Broken(frozenset(names))


def _construct(path: Path) -> Path | None:
    """The path of the construct that holds `path`: a list item, a tier, or a whole section."""
    prefix: Path = ()
    if len(path) >= 3 and path[0] == "revisions" and isinstance(path[1], int):
        prefix, path = path[:2], path[2:]
    if not path or not isinstance(path[0], str):
        return None
    head = path[0]
    if head in ITEM_KINDS:
        return prefix + tuple(path[:2]) if len(path) >= 2 else prefix + (head,)
    if head == "tiers" and len(path) >= 3 and path[1] == "levels":
        return prefix + tuple(path[:3])
    if head in WHOLE_SECTIONS:
        return prefix + (head,)
    return None


def _name(root: YMap, construct: Path) -> tuple[str, str]:
    """`(kind, id)` of a construct, or `("section", name)`: an item whose id cannot be read names its section."""
    path = construct[2:] if construct[0] == "revisions" else construct
    if len(path) == 1:
        return (SECTION, str(path[0]))
    kind = "tier" if path[0] == "tiers" else ITEM_KINDS[str(path[0])]
    node: YNode | None = root
    for step in construct:
        node = _child(node, step)
    ident = node.get("id") if isinstance(node, YMap) else None
    if isinstance(ident, YScalar) and isinstance(ident.value, str):
        return (kind, ident.value)
    return (SECTION, str(path[0]))


def _child(node: YNode | None, step: str | int) -> YNode | None:
    if isinstance(node, YMap) and isinstance(step, str):
        return node.get(step)
    if isinstance(node, YSeq) and isinstance(step, int) and step < len(node.items):
        return node.items[step]
    return None


def _locate(node: YNode, span: Span) -> Path | None:
    """The path of the deepest node (or mapping key) whose source region holds the start of `span`."""
    if isinstance(node, YMap):
        for key, value in node.items:
            if _holds(key.span, span):
                return (str(key.value),)
            if _holds(value.span, span) or _same_start(value.span, span):
                deeper = _locate(value, span)
                return (str(key.value),) + (deeper or ())
    elif isinstance(node, YSeq):
        for index, item in enumerate(node.items):
            if _holds(item.span, span) or _same_start(item.span, span):
                deeper = _locate(item, span)
                return (index,) + (deeper or ())
    return () if _holds(node.span, span) else None


def _holds(region: Span, span: Span) -> bool:
    if region.file != span.file:
        return False
    start, end, at = (region.line, region.col), (region.end_line, region.end_col), (span.line, span.col)
    return start <= at < end


def _same_start(region: Span, span: Span) -> bool:
    return region.file == span.file and (region.line, region.col) == (span.line, span.col)


def _without(node: YNode, drop: set[Path], here: Path) -> YNode:
    """A copy of `node` without the nodes at the paths in `drop` (the unchanged parts are shared)."""
    if not any(p[: len(here)] == here and len(p) > len(here) for p in drop):
        return node
    if isinstance(node, YMap):
        items = [(k, _without(v, drop, (*here, str(k.value)))) for k, v in node.items
                 if (*here, str(k.value)) not in drop]
        return YMap(node.span, items)
    if isinstance(node, YSeq):
        return YSeq(node.span, [_without(item, drop, (*here, i)) for i, item in enumerate(node.items)
                                if (*here, i) not in drop])
    return node
