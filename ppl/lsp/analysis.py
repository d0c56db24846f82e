"""One document checked: the diagnostics `ppl check` gives for its text, and the program when it loads.

The text is the editor's buffer, not the file on disk; a catalog file it names is read relative to the
document's own folder, as `ppl check` reads it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field

from compiler.passes.dates import check_program_overlaps
from compiler.pipeline import check_program
from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_text
from policy_lang.source import SourceFile, Span
from ppl.lsp.positions import contains


@dataclass(frozen=True, slots=True)
class Analysis:
    """A checked document: its name (the file's path), text, diagnostics, and program (None if it did not load)."""

    name: str
    text: str
    diagnostics: tuple[dg.Diagnostic, ...]
    program: ast.Program | None
    sources: dict[str, SourceFile] = field(default_factory=dict)


def check_text(name: str, text: str) -> Analysis:
    """Check a program's text as `ppl check NAME` checks the file: loading, every pass, the version overlaps."""
    loaded = load_program_text(name, text)
    found = list(loaded.diagnostics)
    if loaded.program is not None:
        found.extend(check_program(loaded.program))
        found.extend(check_program_overlaps([loaded.program]))
    sources = {name: loaded.source, **{s.name: s for s in loaded.includes}}
    return Analysis(name, text, dg.sort_diagnostics(found), loaded.program, sources)


def walk(node: object) -> Iterator[ast.Node]:
    """Every AST node under a node (itself included), parents before children."""
    if isinstance(node, ast.Node):
        yield node
        for item in dataclasses.fields(node):
            if item.name != "span":
                yield from walk(getattr(node, item.name))
    elif isinstance(node, tuple):
        for item in node:
            yield from walk(item)


def nodes_at(program: ast.Program, name: str, line: int, col: int) -> list[ast.Node]:
    """The nodes whose span holds a 1-based (line, column) of the file `name`, outermost first."""
    return [node for node in walk(program)
            if node.span is not None and node.span.file == name and contains(node.span, line, col)]


def bodies(program: ast.Program) -> Iterator[ast.Body]:
    """The program's body and each revision's."""
    yield program.body
    for revision in program.revisions:
        yield revision.body


@dataclass(frozen=True, slots=True)
class Definition:
    """Where an id is defined, and what it is (`tier`, `ladder`, `contract`, `bonus`, `benefit`, …)."""

    kind: str
    name: str
    span: Span
    node: ast.Node


def _defined(kind: str, ident: ast.Ident, node: ast.Node) -> Iterator[Definition]:
    if ident.span is not None:
        yield Definition(kind, ident.name, ident.span, node)


def definitions(program: ast.Program) -> list[Definition]:
    """Every id the program defines, in the order written (a revision's after the base's)."""
    found: list[Definition] = []
    for enum in program.enums:
        found.extend(_defined("enumeration", enum.name, enum))
        for member in enum.members:
            found.extend(_defined(f"member of `{enum.name.name}`", member, enum))
    for input_field in program.inputs:
        found.extend(_defined(f"{input_field.scope} field", input_field.name, input_field))
    for body in bodies(program):
        for contract in body.contracts or ():
            found.extend(_defined("contract", contract.id, contract))
        for ladder in body.ladders or ():
            found.extend(_defined("ladder", ladder.id, ladder))
        for bonus in body.bonuses or ():
            found.extend(_defined("bonus", bonus.id, bonus))
        for tier in body.tiers.levels if body.tiers else ():
            found.extend(_defined("tier", tier.id, tier))
        for benefit in body.benefits or ():
            found.extend(_defined("benefit", benefit.id, benefit))
        for item in body.catalog.items if body.catalog else ():
            found.extend(_defined("product", item.sku, item))
        for category in body.catalog.categories if body.catalog else ():
            found.extend(_defined("category", category, category))
    return found


def input_field(program: ast.Program, scope: str, name: str) -> ast.InputField | None:
    """A declared input field by scope and name."""
    return next((f for f in program.inputs if f.scope == scope and f.name.name == name), None)
