"""The checker's passes, in order, and `check`: files → diagnostics.

Loading (YAML, schema, expression syntax) happens in `policy_lang.load_program`; a file that fails to
load is not checked further. Each pass is a generator of diagnostics over a shared Context.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from compiler.context import Context, build_context
from compiler.passes.conflicts import check_conflicts
from compiler.passes.dates import check_dates, check_program_overlaps
from compiler.passes.hierarchy import check_hierarchy
from compiler.passes.ladders import check_ladders
from compiler.passes.limits import check_limits
from compiler.passes.names import check_names
from compiler.passes.prices import check_catalog, check_prices
from compiler.passes.ranges import check_ranges
from compiler.passes.reachability import check_reachability
from compiler.passes.routing import check_routing
from compiler.passes.tiers import check_tiers
from compiler.passes.types import check_types
from compiler.passes.usage import check_usage
from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program, load_program_bytes
from policy_lang.source import SourceFile

Pass = Callable[[Context], Iterator[dg.Diagnostic]]

RESOLVE: tuple[Pass, ...] = (
    check_names,         # ids and references first: later passes look constructs up by id
    check_dates,
    check_tiers,         # a tier is assigned or qualified, never both
    check_types,         # records the fields and enumerations used, for check_usage
)

ANALYSE: tuple[Pass, ...] = (
    check_ladders,       # reads constant thresholds and rates, so only once every type is right
    check_limits,        # caps against thresholds and payouts; reads the constants check_ladders checks
    check_ranges,        # constant branches of rates and input ranges: after the types, like check_ladders
    check_hierarchy,
    check_prices,
    check_catalog,
    check_conflicts,
    check_routing,
    check_reachability,
    check_usage,         # must run after check_types
)

PASSES: tuple[Pass, ...] = RESOLVE + ANALYSE
"""All passes in order. The ANALYSE passes run only when RESOLVE found no errors: on a program with
unknown names or ill-typed expressions their findings would be echoes of the same mistake."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Everything `ppl check` found: diagnostics, the sources to render them, the programs that loaded."""

    diagnostics: tuple[dg.Diagnostic, ...]
    sources: dict[str, SourceFile]
    programs: tuple[ast.Program, ...]
    files: tuple[str, ...]


def check_program(program: ast.Program) -> tuple[dg.Diagnostic, ...]:
    """Run every semantic pass over one loaded program."""
    ctx = build_context(program)
    found: list[dg.Diagnostic] = []
    for run in RESOLVE:
        found.extend(run(ctx))
    if not dg.has_errors(found):
        for run in ANALYSE:
            found.extend(run(ctx))
    return dg.sort_diagnostics(found)


TEST_SUFFIXES = (".tests.yaml", ".tests.yml")
"""Files that hold `ppl test` cases, not programs: a directory's are skipped (a file named outright is not)."""


def program_files(paths: Iterable[str]) -> tuple[list[str], list[dg.Diagnostic]]:
    """Expand directories into their program files (sorted); report paths that do not exist.

    A directory gives its `*.yaml`/`*.yml` files except the test files of `ppl test` (`*.tests.yaml`).
    """
    files: list[str] = []
    problems: list[dg.Diagnostic] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                files.extend(os.path.join(root, n) for n in sorted(names)
                             if n.endswith((".yaml", ".yml")) and not n.endswith(TEST_SUFFIXES))
        elif os.path.exists(path):
            files.append(path)
        else:
            problems.append(dg.error("E107", f"cannot read `{path}`: no such file or directory", None))
    return files, problems


def check(paths: Iterable[str], stdin: bytes | None = None) -> CheckResult:
    """Check program files and directories (`-` is the program given as `stdin`); never raises for a user mistake."""
    paths = list(paths)
    files, found = program_files(p for p in paths if p != "-")
    if "-" in paths:
        files.insert(paths.index("-"), "-")
    sources: dict[str, SourceFile] = {}
    programs: list[ast.Program] = []
    for path in files:
        if path == "-":
            loaded = load_program_bytes("<stdin>", stdin or b"")
            name = "<stdin>"
        else:
            name = os.path.relpath(path) if not os.path.isabs(path) else path
            loaded = load_program(path, name)
        sources[name] = loaded.source
        sources.update((included.name, included) for included in loaded.includes)
        found.extend(loaded.diagnostics)
        if loaded.program is not None:
            programs.append(loaded.program)
            found.extend(check_program(loaded.program))
    found.extend(check_program_overlaps(programs))
    return CheckResult(dg.sort_diagnostics(found), sources, tuple(programs), tuple(files))
