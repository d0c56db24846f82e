"""Test files: finding them among paths, and loading each into cases for its compiled program.

A test file (`*.tests.yaml`) names a program (a path relative to the test file), the partners, and
cases. Its program is checked and compiled once per run however many files name it. A malformed test
file gives diagnostics at their places in the file, never an exception; a program with errors gives
its diagnostics and a file whose cases are listed by name only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from compiler.lower import compile_program
from compiler.pipeline import TEST_SUFFIXES, check, program_files
from policy_lang import diagnostics as dg
from policy_lang.source import SourceFile, Span
from policy_lang.yaml_loader import YMap, YNode, YScalar, YSeq, load_file
from program_tests.cases import Case, CaseReader, TestFile
from program_tests.values import cut_amounts
from runtime import ir


@dataclass(slots=True)
class _Program:
    shown: str
    ruleset: ir.RuleSet | None
    diagnostics: tuple[dg.Diagnostic, ...]
    sources: dict[str, SourceFile]


@dataclass(slots=True)
class Loaded:
    """What loading test files gave: the files, the diagnostics that stop them, and the sources to show those."""

    files: list[TestFile] = field(default_factory=list)
    diagnostics: list[dg.Diagnostic] = field(default_factory=list)  # malformed test files: exit 2
    malformed: list[str] = field(default_factory=list)
    program_errors: list[dg.Diagnostic] = field(default_factory=list)  # programs with errors: exit 1
    sources: dict[str, SourceFile] = field(default_factory=dict)
    programs: dict[str, _Program] = field(default_factory=dict)


def shown_path(path: str) -> str:
    """A path as reports show it: relative to the working directory unless it was given absolute."""
    return os.path.relpath(path) if not os.path.isabs(path) else path


def _program(path: str, loaded: Loaded) -> _Program:
    key = os.path.realpath(path)
    if key not in loaded.programs:
        result = check([path])
        errors = tuple(d for d in result.diagnostics if d.severity is dg.Severity.ERROR)
        ruleset = compile_program(result.programs[0]) if not errors and len(result.programs) == 1 else None
        loaded.programs[key] = _Program(shown_path(path), ruleset, errors, result.sources)
    return loaded.programs[key]


def _case_names(node: YNode | None) -> list[tuple[str, Span]]:
    """The names of a file's cases, read loosely (to list them when the program cannot run them)."""
    found = []
    for item in node.items if isinstance(node, YSeq) else []:
        name = item.get("name") if isinstance(item, YMap) else None
        if isinstance(name, YScalar):
            found.append((str(name.value), item.span))
    return found


def load_test_file(path: str, loaded: Loaded) -> None:
    """Read one test file into `loaded`: its cases, or the diagnostics that say why it cannot run."""
    shown = shown_path(path)
    document = load_file(path, shown)
    loaded.sources[shown] = document.source
    problems = cut_amounts(document.diagnostics)
    root = document.root
    if dg.has_errors(problems) or root is None:
        loaded.diagnostics.extend(problems or [dg.error("E200", "the test file is empty", Span(shown, 1, 1, 1, 1))])
        return
    if not isinstance(root, YMap):
        loaded.diagnostics.append(dg.error("E200", "a test file is a mapping with `program`, `partners` and `cases`",
                                           root.span))
        return
    program_node = root.get("program")
    if not isinstance(program_node, YScalar) or not isinstance(program_node.value, str):
        loaded.diagnostics.append(dg.error("E202", "the test file names no `program` (a path relative to it)",
                                           program_node.span if program_node else root.span))
        return
    target = os.path.normpath(os.path.join(os.path.dirname(path), program_node.value))
    if not os.path.isfile(target):
        loaded.diagnostics.append(dg.error("E107", f"cannot read program `{program_node.value}`: no such file",
                                           program_node.span, f"the path is relative to the test file; it names "
                                           f"{shown_path(target)}"))
        return
    program = _program(target, loaded)
    loaded.sources.update(program.sources)
    if program.ruleset is None:
        loaded.program_errors.extend(program.diagnostics)
        cases = tuple(Case(name, span, (), {}, None, ()) for name, span in _case_names(root.get("cases")))
        loaded.files.append(TestFile(shown, program.shown, None, {}, cases))
        return
    _read(root, shown, program, loaded)


def _read(root: YMap, shown: str, program: _Program, loaded: Loaded) -> None:
    assert program.ruleset is not None
    reader = CaseReader(program.ruleset)
    keys = reader.mapping(root, "the test file", ("program", "partners", "cases"), ("program", "cases")) or {}
    for node in reader.items(keys["partners"], "`partners`") if "partners" in keys else ():
        partner = reader.partner(node)
        if partner is not None:
            reader.partners[partner.id] = partner
    for node in reader.items(keys["partners"], "`partners`") if "partners" in keys else ():
        parent = node.get("parent") if isinstance(node, YMap) else None
        if isinstance(parent, YScalar) and isinstance(parent.value, str):
            reader.known(parent, parent.value, reader.partners, "partner")
    cases: list[Case] = []
    names: dict[str, YNode] = {}
    if "cases" in keys:
        for node in reader.items(keys["cases"], "`cases`"):
            case = reader.case(node, names)
            if case is not None:
                cases.append(case)
        if isinstance(keys["cases"], YSeq) and not keys["cases"].items:
            reader.error("E206", "`cases` is empty", keys["cases"])
    if reader.diagnostics:
        loaded.diagnostics.extend(reader.diagnostics)
        return
    loaded.files.append(TestFile(shown, program.shown, program.ruleset, reader.partners, tuple(cases)))


def find_test_files(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Test files among files and directories (a directory gives its `*.tests.yaml`), and paths not found."""
    files: list[str] = []
    missing: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                files.extend(os.path.join(root, n) for n in sorted(names) if n.endswith(TEST_SUFFIXES))
        elif os.path.isfile(path):
            files.append(path)
        else:
            missing.append(path)
    return files, missing


def load_untested_programs(directories: Iterable[str], loaded: Loaded) -> list[tuple[str, ir.RuleSet | None]]:
    """Check every program under the directories (the files `ppl check` would check) that no test file names.

    Their errors join `loaded.program_errors`, so a broken program fails the run whether or not it is tested.

    Returns:
        Each such program as reports show its path, with its rule set (None when it has errors), in path order.
    """
    files, _ = program_files(directories)
    found: list[tuple[str, ir.RuleSet | None]] = []
    for path in files:
        if os.path.realpath(path) in loaded.programs:
            continue  # named by a test file, or found twice
        program = _program(path, loaded)
        loaded.sources.update(program.sources)
        loaded.program_errors.extend(program.diagnostics)
        found.append((program.shown, program.ruleset))
    return found


def load_test_files(paths: Iterable[str]) -> Loaded:
    """Load test files (not directories) in order; `malformed` lists those that gave diagnostics."""
    loaded = Loaded()
    for path in paths:
        before = len(loaded.diagnostics)
        load_test_file(path, loaded)
        if len(loaded.diagnostics) > before:
            loaded.malformed.append(shown_path(path))
    return loaded
