"""`load_program`: a program file → its typed AST, or the diagnostics that stop it."""

from __future__ import annotations

from dataclasses import dataclass

from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.build import build_program
from policy_lang.schema import check_schema
from policy_lang.source import SourceFile
from policy_lang.yaml_loader import Document, YMap, decode, load_file, load_text


@dataclass(frozen=True, slots=True)
class Loaded:
    """The result of loading one file: the source, the program (None if it could not be built), diagnostics."""

    source: SourceFile
    program: ast.Program | None
    diagnostics: tuple[dg.Diagnostic, ...]


def _finish(document: Document) -> Loaded:
    diags = list(document.diagnostics)
    if document.root is None or dg.has_errors(diags):
        return Loaded(document.source, None, dg.sort_diagnostics(diags))
    diags.extend(check_schema(document.root))
    if dg.has_errors(diags) or not isinstance(document.root, YMap):
        return Loaded(document.source, None, dg.sort_diagnostics(diags))
    program, built = build_program(document.root)
    diags.extend(built)
    if dg.has_errors(diags):
        program = None
    return Loaded(document.source, program, dg.sort_diagnostics(diags))


def load_program(path: str, name: str | None = None) -> Loaded:
    """Load a program file: YAML with positions, schema validation, expressions parsed into the AST."""
    return _finish(load_file(path, name))


def load_program_text(name: str, text: str) -> Loaded:
    """Load a program from text (tests, editors)."""
    return _finish(load_text(name, text))


def load_program_bytes(name: str, data: bytes) -> Loaded:
    """Load a program from raw bytes (standard input), decoding them as UTF-8."""
    source, problem = decode(name, data)
    if problem is not None or source is None:
        return Loaded(SourceFile(name, ""), None, (problem,) if problem else ())
    return load_program_text(name, source.text)
