"""`ppl check`: check program files and directories for mistakes, like a compiler."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from compiler.pipeline import check
from policy_lang import diagnostics as dg
from policy_lang import limits
from ppl.common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, CommandError, add_color_option, read_stdin, use_color

NAME = "check"


def add_parser(sub: Any) -> None:
    """Register `check` on the subcommand parser of `ppl`."""
    p = sub.add_parser(NAME, help="check program files and directories for mistakes",
                       description="Check program files (and every *.yaml under directories). Exit status: "
                       "0 clean or only warnings, 1 errors found, 2 usage or I/O error.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="program files or directories; `-` reads stdin")
    p.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text",
                   help="output format (default: text)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    add_color_option(p, "the text output")


def _summary(diagnostics: tuple[dg.Diagnostic, ...], checked: int) -> str:
    errors = sum(1 for d in diagnostics if d.severity is dg.Severity.ERROR)
    warnings = len(diagnostics) - errors
    return f"checked {checked} file{'s' if checked != 1 else ''}: {errors} error{'s' if errors != 1 else ''}, " \
           f"{warnings} warning{'s' if warnings != 1 else ''}"


def run(args: argparse.Namespace) -> int:
    """Check the paths and print the diagnostics; the status says whether there were errors."""
    stdin = read_stdin(limits.MAX_PROGRAM_BYTES.value()) if "-" in args.paths else None  # more is E108
    result = check(args.paths, stdin=stdin)
    diagnostics = result.diagnostics
    if args.strict:
        diagnostics = tuple(
            dg.Diagnostic(d.code, dg.Severity.ERROR, d.message, d.span, d.labels, d.hint) for d in diagnostics)
    io_only = bool(diagnostics) and all(d.code == "E107" for d in diagnostics)
    if args.format == "json":
        sys.stdout.write(dg.render_json(diagnostics))
    elif args.format == "github":
        sys.stdout.write(dg.render_github(diagnostics))
    elif args.format == "sarif":
        sys.stdout.write(dg.render_sarif(diagnostics))
    else:
        sys.stdout.write(dg.render_text(diagnostics, result.sources, color=use_color(sys.stdout, args.color)))
        print(_summary(diagnostics, len(result.files)), file=sys.stderr)
    if not result.files and not diagnostics:
        raise CommandError("no program files found")
    if io_only or not result.files:
        raise CommandError(status=EXIT_USAGE)
    return EXIT_ERRORS if dg.has_errors(diagnostics) else EXIT_OK
