"""Program tests: the tests that program designers write beside their programs, and their coverage.

A test file (`*.tests.yaml`) names a program, the partners, and cases: one transaction to quote, a
period to settle, a sequence of settlements of the year to date against a ledger, a deal conflict to
decide, a deal's history to replay (registrations, renewals, withdrawals, the customer's choice and
the close, each at its instant), a lead or a would-be reseller to route, with what the designer
worked out. Each case runs on
the runtime; what it lists is compared exactly, and a failure shows, for every figure that differs,
the rules behind what the runtime produced and where they are written. Coverage is counted in the
program's own terms: ladder and bonus steps, tiers, benefits, margin caps, pass-through entries,
price rules, contracts, hierarchy levels, conflict rules, lead routing keys and conditions, new
resellers and versions.

Amounts are written as in programs (`¥1,200,000`, `3億`, `15%`) and read with the expression parser,
so they mean exactly what they mean there. A malformed test file is reported like a program
diagnostic (file:line:col, the line, a caret, a hint), never as an exception. See docs/testing.md.

The library runs without the command line (`ppl test` is a thin command over it), so CI systems and
services can run program tests from Python:

    >>> import program_tests
    >>> run = program_tests.run_test_files(["programs/tests"])
    >>> run.ok, run.cases == run.count("passed")
    (True, True)

It imports the language, the compiler and the runtime, never the `ppl` command line.
"""

from __future__ import annotations

from program_tests.cases import Case as Case
from program_tests.cases import Check as Check
from program_tests.cases import TestFile as TestFile
from program_tests.compare import Because as Because
from program_tests.compare import CaseResult as CaseResult
from program_tests.compare import Mismatch as Mismatch
from program_tests.compare import Settled as Settled
from program_tests.compare import Shown as Shown
from program_tests.compare import _quote_actual as quote_actual
from program_tests.compare import _settle_actual as settle_actual
from program_tests.compare import judge as judge
from program_tests.coverage import Coverage as Coverage
from program_tests.files import Loaded as Loaded
from program_tests.files import find_test_files as find_test_files
from program_tests.files import load_test_file as load_test_file
from program_tests.files import load_test_files as load_test_files
from program_tests.files import load_untested_programs as load_untested_programs
from program_tests.run import STATUSES as STATUSES
from program_tests.run import TestRun as TestRun
from program_tests.run import run_loaded as run_loaded
from program_tests.run import run_test_files as run_test_files

__all__ = ["STATUSES", "Because", "Case", "CaseResult", "Check", "Coverage", "Loaded", "Mismatch", "Settled", "Shown",
           "TestFile", "TestRun", "find_test_files", "judge", "load_test_file", "load_test_files",
           "load_untested_programs", "quote_actual", "run_loaded", "run_test_files", "settle_actual"]
