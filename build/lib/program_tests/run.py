"""A run of program tests: every case of some test files on one engine, with each program's coverage."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from policy_lang import diagnostics as dg
from program_tests.cases import TestFile
from program_tests.compare import CaseResult
from program_tests.coverage import Coverage
from program_tests.decisions import run_any
from program_tests.files import Loaded, find_test_files, load_test_files, load_untested_programs
from runtime.loaded import Runtime

STATUSES = ("passed", "failed", "known_failure", "broken")
"""How a case can end: `broken` when it could not run (its program has errors)."""


@dataclass(slots=True)
class TestRun:
    """What a run found and computed: the test files, each case's result and each program's coverage."""

    __test__ = False  # not a pytest class

    loaded: Loaded
    results: list[tuple[TestFile, list[CaseResult]]]
    coverage: list[Coverage]
    paths: list[str] = field(default_factory=list)  # the test files found (and run, when readable)
    missing: list[str] = field(default_factory=list)  # paths given that are neither files nor directories
    untested: list[str] = field(default_factory=list)  # programs under the directories that no test file names

    def count(self, status: str) -> int:
        """How many cases ended with this status (one of `STATUSES`)."""
        return sum(1 for _, results in self.results for r in results if r.status == status)

    @property
    def cases(self) -> int:
        """How many cases ran (or could not, being in a file whose program has errors)."""
        return sum(len(results) for _, results in self.results)

    @property
    def failed(self) -> int:
        """Cases that failed, or could not run."""
        return self.count("failed") + self.count("broken")

    @property
    def diagnostics(self) -> tuple[dg.Diagnostic, ...]:
        """Why test files or their programs cannot run, sorted by place."""
        return dg.sort_diagnostics(self.loaded.diagnostics + self.loaded.program_errors)

    def below(self, threshold: float | Fraction | None) -> list[Coverage]:
        """The programs whose coverage is below a percentage (none when there is no threshold)."""
        if threshold is None:
            return []
        limit = Fraction(str(threshold)) if isinstance(threshold, float) else Fraction(threshold)
        return [c for c in self.coverage if c.percent < limit]

    @property
    def combined(self) -> Fraction:
        """The coverage over the paths: the items covered in every program over all their items, an untested
        program's items all uncovered (100 when there are no items, 0 when only untested programs have none)."""
        total = sum(len(c.items) for c in self.coverage)
        if not total:
            return Fraction(0) if any(not c.tested for c in self.coverage) else Fraction(100)
        return Fraction(100 * sum(c.covered for c in self.coverage if c.tested), total)

    @property
    def broken(self) -> list[str]:
        """The programs with errors (tested or not), as reports show their paths."""
        return [p.shown for p in self.loaded.programs.values() if p.ruleset is None]

    @property
    def ok(self) -> bool:
        """Every path was found, every file was read, every program compiled and no case failed."""
        return not (self.missing or self.loaded.diagnostics or self.loaded.program_errors or self.failed)


def run_test_files(paths: Iterable[str], engine: str = "compiled") -> TestRun:
    """Find the test files among files and directories, run every case on the engine, and count coverage.

    Every program under the directories is checked too: one that no test file names is listed in `untested`,
    its errors fail the run like a tested program's, and its coverage (when it compiles) counts as 0 %.

    Args:
        paths: test files, and directories whose `*.tests.yaml` files are run (in sorted order) and whose
            programs are checked.
        engine: `compiled` (generated code) or `interpreted` (the reference interpreter).

    Returns:
        The run: files, results per case, coverage per program, untested programs, and the paths not found.
    """
    paths = list(paths)
    files, missing = find_test_files(paths)
    loaded = load_test_files(files)
    run = run_loaded(loaded, engine)
    run.paths, run.missing = files, missing
    for shown, ruleset in load_untested_programs([p for p in paths if os.path.isdir(p)], loaded):
        run.untested.append(shown)
        if ruleset is not None:
            run.coverage.append(Coverage(ruleset, shown, tested=False))
    return run


def run_loaded(loaded: Loaded, engine: str = "compiled") -> TestRun:
    """Run every case of loaded test files on the engine and count the coverage of each program."""
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
        results.append((test_file, _run_file(rt, test_file, cov)))
    return TestRun(loaded, results, list(coverage.values()))


def _run_file(rt: Runtime, test_file: TestFile, cov: Coverage) -> list[CaseResult]:
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
    return outcomes
