"""`load_program`: a program file → its typed AST, or the diagnostics that stop it."""

from __future__ import annotations

import os
from dataclasses import dataclass

from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.build import build_program
from policy_lang.schema import check_schema
from policy_lang.source import SourceFile
from policy_lang.yaml_loader import Document, YMap, YScalar, decode, load_file, load_text


@dataclass(frozen=True, slots=True)
class Loaded:
    """The result of loading one file: the source, the program (None if it could not be built), diagnostics."""

    source: SourceFile
    program: ast.Program | None
    diagnostics: tuple[dg.Diagnostic, ...]
    includes: tuple[SourceFile, ...] = ()  # files the program names (a catalog file), for rendering diagnostics


def _finish(document: Document, folder: str | None = None) -> Loaded:
    diags = list(document.diagnostics)
    if document.root is None or dg.has_errors(diags):
        return Loaded(document.source, None, dg.sort_diagnostics(diags))
    includes: list[SourceFile] = []
    if isinstance(document.root, YMap):
        diags.extend(_include_catalogs(document, folder, includes))
        if dg.has_errors(diags):
            return Loaded(document.source, None, dg.sort_diagnostics(diags), tuple(includes))
    diags.extend(check_schema(document.root))
    if dg.has_errors(diags) or not isinstance(document.root, YMap):
        return Loaded(document.source, None, dg.sort_diagnostics(diags), tuple(includes))
    program, built = build_program(document.root)
    diags.extend(built)
    if dg.has_errors(diags):
        program = None
    return Loaded(document.source, program, dg.sort_diagnostics(diags), tuple(includes))


def _include_catalogs(document: Document, folder: str | None, includes: list[SourceFile]) -> list[dg.Diagnostic]:
    """Replace each `catalog: {file: …}` (of the program and of its revisions) by the file's catalog, read
    relative to the program file's folder; the file's nodes keep their own positions."""
    assert isinstance(document.root, YMap)
    revisions = document.root.get("revisions")
    owners = [document.root, *(r for r in getattr(revisions, "items", ()) if isinstance(r, YMap))]
    problems: list[dg.Diagnostic] = []
    for owner in owners:
        catalog = owner.get("catalog")
        named = catalog.get("file") if isinstance(catalog, YMap) else None
        if not isinstance(named, YScalar) or not isinstance(catalog, YMap) or len(catalog.items) != 1:
            continue  # inline, or `file` beside other keys (the schema says so)
        base = folder if folder is not None else os.path.dirname(document.source.name)
        shown = os.path.normpath(os.path.join(os.path.dirname(document.source.name), str(named.value)))
        loaded = load_file(os.path.join(base, str(named.value)), shown)
        if loaded.root is None:
            problems.append(dg.error("E387", f"cannot read the catalog file `{named.value}`", named.span,
                                     hint=f"the file is read relative to the program's folder, as `{shown}`"))
            problems.extend(d for d in loaded.diagnostics if d.span is not None)
            continue
        includes.append(loaded.source)
        problems.extend(loaded.diagnostics)
        owner.items = [(k, loaded.root if v is catalog else v) for k, v in owner.items]
    return problems


def load_program(path: str, name: str | None = None) -> Loaded:
    """Load a program file: YAML with positions, schema validation, expressions parsed into the AST."""
    return _finish(load_file(path, name), os.path.dirname(path))


def load_program_text(name: str, text: str) -> Loaded:
    """Load a program from text (tests, editors); a catalog file is read relative to `name`'s folder."""
    return _finish(load_text(name, text))


def load_program_bytes(name: str, data: bytes) -> Loaded:
    """Load a program from raw bytes (standard input), decoding them as UTF-8."""
    source, problem = decode(name, data)
    if problem is not None or source is None:
        return Loaded(SourceFile(name, ""), None, (problem,) if problem else ())
    return load_program_text(name, source.text)
