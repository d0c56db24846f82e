"""`ppl test`: the tests that program designers write beside their programs, and their coverage.

A test file (`*.tests.yaml`) names a program, the partners, and cases: one transaction to quote, a
period to settle, a deal conflict to decide, a lead or a would-be reseller to route, with what the
designer worked out. Each case runs on the runtime; what it lists is compared exactly, and a failure
shows, for every figure that differs, the rules behind what the runtime produced and where they are
written. Coverage is counted in the program's own terms: ladder and bonus steps, tiers, benefits,
margin caps, pass-through entries, price rules, contracts, hierarchy levels, conflict rules, lead
routing keys and conditions, new resellers and versions.

Amounts are written as in programs (`¥1,200,000`, `3億`, `15%`) and read with the expression parser,
so they mean exactly what they mean there. A malformed test file is reported like a program
diagnostic (file:line:col, the line, a caret, a hint), never as a traceback. See docs/testing.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from compiler.lower import compile_program
from compiler.pipeline import TEST_SUFFIXES, check
from policy_lang import diagnostics as dg
from policy_lang.source import SourceFile, Span
from policy_lang.yaml_loader import YMap, YNode, YScalar, YSeq, load_file
from ppl._program_tests.cases import Case, CaseReader, TestFile
from ppl._program_tests.compare import Because, CaseResult
from ppl._program_tests.coverage import Coverage
from ppl._program_tests.decisions import run_any
from ppl._program_tests.values import cut_amounts
from runtime import explain, ir
from runtime.loaded import Runtime

__all__ = ["Case", "CaseResult", "Coverage", "Loaded", "Run", "TestFile", "add_command", "find_test_files",
           "load_test_file", "render_json", "render_text", "run_command", "run_files"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


# --- loading test files -----------------------------------------------------------------------------


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


def _shown(path: str) -> str:
    return os.path.relpath(path) if not os.path.isabs(path) else path


def _program(path: str, loaded: Loaded) -> _Program:
    key = os.path.realpath(path)
    if key not in loaded.programs:
        result = check([path])
        errors = tuple(d for d in result.diagnostics if d.severity is dg.Severity.ERROR)
        ruleset = compile_program(result.programs[0]) if not errors and len(result.programs) == 1 else None
        loaded.programs[key] = _Program(_shown(path), ruleset, errors, result.sources)
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
    shown = _shown(path)
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
                                           f"{_shown(target)}"))
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


# --- a run: files, results, coverage -----------------------------------------------------------------


@dataclass(slots=True)
class Run:
    """Everything `ppl test` found and computed."""

    loaded: Loaded
    results: list[tuple[TestFile, list[CaseResult]]]
    coverage: list[Coverage]

    def count(self, status: str) -> int:
        """How many cases ended with this status."""
        return sum(1 for _, results in self.results for r in results if r.status == status)


def run_files(paths: Iterable[str], engine: str = "compiled") -> Run:
    """Load test files, run every case on the engine, and count the coverage of each program."""
    loaded = Loaded()
    for path in paths:
        before = len(loaded.diagnostics)
        load_test_file(path, loaded)
        if len(loaded.diagnostics) > before:
            loaded.malformed.append(_shown(path))
    runtimes: dict[str, Runtime] = {}
    coverage: dict[str, Coverage] = {}
    results: list[tuple[TestFile, list[CaseResult]]] = []
    for test_file in loaded.files:
        if test_file.ruleset is None:
            results.append((test_file, [CaseResult(c.name, c.span, "broken", problem="the program has errors")
                                        for c in test_file.cases]))
            continue
        rt = runtimes.setdefault(test_file.program, Runtime(test_file.ruleset, engine))
        cov = coverage.setdefault(test_file.program, Coverage(test_file.ruleset, test_file.program))
        outcomes = []
        earlier: dict[str, Any] = {}  # what each case produced, for `same_order_as`
        for case in test_file.cases:
            result, produced = run_any(rt, case, test_file.partners, earlier)
            if produced is not None:
                earlier[case.name] = produced
                cov.record(case.name, produced, case.transactions, test_file.partners)
            elif result.status == "passed":
                for check in case.checks:
                    if check.path == ("error",):
                        cov.record_error(case.name, str(check.expected))
            outcomes.append(result)
        results.append((test_file, outcomes))
    return Run(loaded, results, list(coverage.values()))


# --- rendering ---------------------------------------------------------------------------------------

_GREEN, _RED, _YELLOW, _BOLD, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[0m"
_LABELS = {"passed": ("PASS", _GREEN), "failed": ("FAIL", _RED), "known_failure": ("KNOWN FAILURE", _YELLOW),
           "broken": ("FAIL", _RED)}


def _percent(value: Fraction) -> str:
    text = f"{float(value):.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def render_result(result: CaseResult, color: bool = False) -> list[str]:
    """One case: its status line and, when it failed, each figure that differs with the rules behind it."""
    label, paint = _LABELS[result.status]
    head = f"{paint}{label}{_RESET}" if color else label
    out = [f"  {head} {result.name}"]
    if result.status == "passed":
        return out
    if result.at is not None:
        out.append(f"      at {result.at}")
    if result.known_failure is not None:
        out.append(f"      known failure: {result.known_failure}")
    if result.problem is not None:
        out.append(f"      {result.problem}")
    for m in result.mismatches:
        out.append(f"      {m.figure}: expected {m.expected}, got {m.actual}  (expected at {m.at})")
        rows = [[b.what, b.value, b.rule, b.at] for b in m.because]
        out += explain.render_table(rows, right=[1], indent="        ")
    return out


def render_coverage(cov: Coverage) -> list[str]:
    """A program's coverage: one row per item with the cases that reached it."""
    out = [f"Coverage of `{cov.program}` ({cov.file}): {cov.covered} of {len(cov.items)} items, "
           f"{_percent(cov.percent)}"]
    rows = [["item", "covered by"]]
    for item, cases in cov.items.items():
        shown = "—" if not cases else cases[0] + (f" (+{len(cases) - 1} more)" if len(cases) > 1 else "")
        rows.append([item, shown])
    out += explain.render_table(rows)
    return out


def render_text(run: Run, color: bool = False) -> str:
    """The text report: each file's cases, the failures explained, each program's coverage, a summary."""
    out: list[str] = []
    for test_file, results in run.results:
        out.append(f"{test_file.path} (program {test_file.program})")
        for result in results:
            out += render_result(result, color)
        out.append("")
    for cov in run.coverage:
        out += [*render_coverage(cov), ""]
    total = sum(len(r) for _, r in run.results)
    summary = f"{total} case{'s' if total != 1 else ''}: {run.count('passed')} passed, " \
              f"{run.count('failed') + run.count('broken')} failed"
    if run.count("known_failure"):
        summary += f", {run.count('known_failure')} known failure{'s' if run.count('known_failure') != 1 else ''}"
    if run.loaded.malformed:
        summary += f"; {len(run.loaded.malformed)} test file{'s' if len(run.loaded.malformed) != 1 else ''} " \
                   f"could not be read"
    out.append(summary)
    return "\n".join(out) + "\n"


def _because_json(b: Because) -> dict[str, str]:
    return {"what": b.what, "value": b.value, "rule": b.rule, "at": b.at}


def render_json(run: Run, threshold: float | None = None) -> str:
    """The JSON report, for CI: cases with their mismatches, coverage per program, diagnostics, a summary."""
    files = [{"file": f.path, "program": f.program, "cases": [
        {"name": r.name, "status": r.status, "at": str(r.at) if r.at else None, "problem": r.problem,
         "known_failure": r.known_failure,
         "mismatches": [{"figure": m.figure, "expected": m.expected, "actual": m.actual, "at": str(m.at),
                         "because": [_because_json(b) for b in m.because]} for m in r.mismatches]}
        for r in results]} for f, results in run.results]
    coverage = [{"program": c.program, "file": c.file, "covered": c.covered, "total": len(c.items),
                 "percent": round(float(c.percent), 2),
                 "below_threshold": threshold is not None and c.percent < Fraction(str(threshold)),
                 "items": [{"item": k, "covered_by": v} for k, v in c.items.items()]} for c in run.coverage]
    data = {"files": files, "coverage": coverage,
            "diagnostics": dg.to_json(dg.sort_diagnostics(run.loaded.diagnostics + run.loaded.program_errors)),
            "summary": {"cases": sum(len(r) for _, r in run.results), "passed": run.count("passed"),
                        "failed": run.count("failed") + run.count("broken"),
                        "known_failures": run.count("known_failure")}}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


# --- the command -------------------------------------------------------------------------------------


def _color(stream: Any, choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def run_command(args: argparse.Namespace) -> int:
    """`ppl test`: run test files and report; the exit status says how it went (see the command's help)."""
    if args.threshold is not None and not 0 <= args.threshold <= 100:
        print("ppl test: --threshold is a percentage from 0 to 100", file=sys.stderr)
        return EXIT_USAGE
    files, missing = find_test_files(args.paths)
    for path in missing:
        print(f"ppl test: cannot read `{path}`: no such file or directory", file=sys.stderr)
    if not files:
        if not missing:
            print("ppl test: no test files (*.tests.yaml) found", file=sys.stderr)
        return EXIT_USAGE
    run = run_files(files, args.engine)
    problems = dg.sort_diagnostics(run.loaded.diagnostics + run.loaded.program_errors)
    if args.format == "json":
        sys.stdout.write(render_json(run, args.threshold))
    else:
        if problems:
            sys.stderr.write(dg.render_text(problems, run.loaded.sources, color=_color(sys.stderr, args.color)))
        sys.stdout.write(render_text(run, _color(sys.stdout, args.color)))
    below = [c for c in run.coverage if args.threshold is not None and c.percent < Fraction(str(args.threshold))]
    for cov in below if args.format != "json" else ():
        print(f"ppl test: coverage of `{cov.program}` is {_percent(cov.percent)}, below the threshold of "
              f"{_percent(Fraction(str(args.threshold)))}", file=sys.stderr)
    if missing or run.loaded.diagnostics:
        return EXIT_USAGE
    failed = run.count("failed") + run.count("broken") > 0 or bool(run.loaded.program_errors)
    return EXIT_FAILED if failed or below else EXIT_OK


def add_command(subparsers: Any) -> None:
    """Register `ppl test` on the subcommand parser of `ppl`."""
    p = subparsers.add_parser(
        "test", help="run the tests written beside programs (*.tests.yaml) and report their coverage",
        description="Run test files (and every *.tests.yaml under directories): quote or settle each case, "
        "decide its deal conflict or route its lead with the program it names, and compare what it expects. "
        "Exit status: 0 every case passed (and the "
        "coverage reaches --threshold), 1 a case failed, a program has errors or the coverage is below the "
        "threshold, 2 usage error or a malformed test file.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="test files or directories")
    p.add_argument("--threshold", type=float, metavar="PCT",
                   help="fail when the coverage of a program is below PCT percent")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--engine", choices=("compiled", "interpreted"), default="compiled",
                   help="evaluate with generated code (default) or the reference interpreter")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the text output (default: only on a terminal)")
    p.set_defaults(run=run_command)
