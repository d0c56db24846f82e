"""`ppl test`: run the tests written beside programs (`*.tests.yaml`) and report them with their coverage.

A thin command over the `program_tests` library: it parses the arguments, runs the test files, and
renders the run as text (each file's cases, failures explained, coverage, a summary) or as JSON for CI.
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from typing import Any

from policy_lang import diagnostics as dg
from ppl.common import (
    EXIT_ERRORS,
    EXIT_OK,
    CommandError,
    add_color_option,
    add_engine_option,
    add_format_option,
    use_color,
)
from program_tests import Because, CaseResult, Coverage, TestRun, run_test_files
from runtime import explain

NAME = "test"


def add_parser(sub: Any) -> None:
    """Register `test` on the subcommand parser of `ppl`."""
    p = sub.add_parser(
        NAME, help="run the tests written beside programs (*.tests.yaml) and report their coverage",
        description="Run test files (and every *.tests.yaml under directories): quote or settle each case, "
        "decide its deal conflict or route its lead with the program it names, and compare what it expects. "
        "Every program under the directories is checked too, and one that no test file names counts as 0%% "
        "covered. Exit status: 0 every case passed (and the "
        "coverage reaches --threshold), 1 a case failed, a program has errors or the coverage is below the "
        "threshold, 2 usage error or a malformed test file.")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="test files, or directories (their test files are run and their programs checked)")
    p.add_argument("--threshold", type=float, metavar="PCT",
                   help="fail when the coverage of a program is below PCT percent (an untested program is at 0%%)")
    add_format_option(p)
    add_engine_option(p)
    add_color_option(p, "the text output")


def run(args: argparse.Namespace) -> int:
    """Run the test files and report; the exit status says how it went (see the command's help)."""
    if args.threshold is not None and not 0 <= args.threshold <= 100:
        raise CommandError("--threshold is a percentage from 0 to 100")
    test_run = run_test_files(args.paths, args.engine)
    missing = [f"cannot read `{path}`: no such file or directory" for path in test_run.missing]
    if not test_run.paths:
        raise CommandError(*(missing or ["no test files (*.tests.yaml) found"]))
    if args.format == "json":
        sys.stdout.write(render_json(test_run, args.threshold))
    else:
        if test_run.diagnostics:
            sys.stderr.write(dg.render_text(test_run.diagnostics, test_run.loaded.sources,
                                            color=use_color(sys.stderr, args.color)))
        sys.stdout.write(render_text(test_run, use_color(sys.stdout, args.color)))
    below = test_run.below(args.threshold)
    why = _why_failed(test_run, below, args.threshold) if args.format != "json" else []
    if missing or test_run.loaded.diagnostics:
        raise CommandError(*missing, *why)
    if why:
        raise CommandError(*why, status=EXIT_ERRORS)
    failed = test_run.failed > 0 or bool(test_run.loaded.program_errors)
    return EXIT_ERRORS if failed or below else EXIT_OK


def _why_failed(test_run: TestRun, below: list[Coverage], threshold: float | None) -> list[str]:
    """The lines that say why a run fails besides its cases: programs with errors, coverage below the threshold."""
    why = [f"`{path}` has errors" + ("" if path in test_run.untested else " (its cases could not run)")
           for path in test_run.broken]
    if threshold is not None:
        limit = _percent(Fraction(str(threshold)))
        why += [f"coverage of `{cov.program}` is {_percent(cov.percent)}, below the threshold of {limit}"
                + ("" if cov.tested else f" (no test file names {cov.file})") for cov in below]
    return why


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
    """A program's coverage: one row per item with the cases that reached it (an untested program at 0 %)."""
    untested = "" if cov.tested else "untested (no test file names it), "
    out = [f"Coverage of `{cov.program}` ({cov.file}): {untested}{cov.covered} of {len(cov.items)} items, "
           f"{_percent(cov.percent)}"]
    rows = [["item", "covered by"]]
    for item, cases in cov.items.items():
        shown = "—" if not cases else cases[0] + (f" (+{len(cases) - 1} more)" if len(cases) > 1 else "")
        rows.append([item, shown])
    out += explain.render_table(rows)
    return out


def render_text(run: TestRun, color: bool = False) -> str:
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
    if run.untested:
        summary += f"; {len(run.untested)} untested program{'s' if len(run.untested) != 1 else ''} " \
                   f"(0% covered): {', '.join(run.untested)}"
    if len(run.coverage) > 1 or run.untested:
        out.append(render_combined(run))
    out.append(summary)
    return "\n".join(out) + "\n"


def render_combined(run: TestRun) -> str:
    """The coverage over the paths: every program's items together, an untested program's all uncovered."""
    covered = sum(c.covered for c in run.coverage if c.tested)
    total = sum(len(c.items) for c in run.coverage)
    programs = len(run.coverage)
    return f"Coverage over the programs: {_percent(run.combined)} ({covered} of {total} items in {programs} " \
           f"program{'s' if programs != 1 else ''}; an untested program counts as 0%)"


def _because_json(b: Because) -> dict[str, str]:
    return {"what": b.what, "value": b.value, "rule": b.rule, "at": b.at}


def render_json(run: TestRun, threshold: float | None = None) -> str:
    """The JSON report, for CI: cases with their mismatches, coverage per program, diagnostics, a summary."""
    files = [{"file": f.path, "program": f.program, "cases": [
        {"name": r.name, "status": r.status, "at": str(r.at) if r.at else None, "problem": r.problem,
         "known_failure": r.known_failure,
         "mismatches": [{"figure": m.figure, "expected": m.expected, "actual": m.actual, "at": str(m.at),
                         "because": [_because_json(b) for b in m.because]} for m in r.mismatches]}
        for r in results]} for f, results in run.results]
    coverage = [{"program": c.program, "file": c.file, "tested": c.tested, "covered": c.covered, "total": len(c.items),
                 "percent": round(float(c.percent), 2),
                 "below_threshold": threshold is not None and c.percent < Fraction(str(threshold)),
                 "items": [{"item": k, "covered_by": v} for k, v in c.items.items()]} for c in run.coverage]
    data = {"files": files, "coverage": coverage,
            "diagnostics": dg.to_json(dg.sort_diagnostics(run.loaded.diagnostics + run.loaded.program_errors)),
            "summary": {"cases": sum(len(r) for _, r in run.results), "passed": run.count("passed"),
                        "failed": run.count("failed") + run.count("broken"),
                        "known_failures": run.count("known_failure")},
            "combined_coverage": round(float(run.combined), 2), "untested": run.untested,
            "programs_with_errors": run.broken}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
