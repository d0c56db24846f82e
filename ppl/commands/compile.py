"""`ppl compile`: check a program and write its rule set, the JSON artifact the runtime evaluates."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from compiler.lower import compile_program
from compiler.pipeline import CheckResult, check
from policy_lang import diagnostics as dg
from ppl.common import (
    EXIT_ERRORS,
    EXIT_OK,
    CommandError,
    add_color_option,
    add_follow_symlinks_option,
    use_color,
    write_text,
)
from runtime import ir_json

NAME = "compile"


def add_parser(sub: Any) -> None:
    """Register `compile` on the subcommand parser of `ppl`."""
    p = sub.add_parser(NAME, help="compile a program into a rule set (JSON)",
                       description="Check a program and write its rule set: the JSON artifact that the "
                       "runtime evaluates. Exit status: 0 written, 1 the program has errors, 2 usage or I/O.")
    p.add_argument("program", metavar="PROGRAM", help="the program file")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write the rule set (default: stdout)")
    add_follow_symlinks_option(p, "the -o file")
    add_color_option(p)


def _report(result: CheckResult, color: str) -> None:
    sys.stderr.write(dg.render_text(result.diagnostics, result.sources, color=use_color(sys.stderr, color)))


def run(args: argparse.Namespace) -> int:
    """Compile the program and write its rule set."""
    result = check([args.program])
    if not result.files or all(d.code == "E107" for d in result.diagnostics if d.severity is dg.Severity.ERROR) \
            and dg.has_errors(result.diagnostics):
        _report(result, args.color)
        raise CommandError()
    if dg.has_errors(result.diagnostics) or len(result.programs) != 1:
        _report(result, args.color)
        if len(result.programs) > 1:
            raise CommandError("give one program file")
        return EXIT_ERRORS
    if result.diagnostics:
        _report(result, args.color)
    text = ir_json.dumps(compile_program(result.programs[0]))
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        write_text(args.output, text, args.follow_symlinks)
    return EXIT_OK
