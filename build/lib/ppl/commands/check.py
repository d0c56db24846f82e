"""`ppl check`: check program files and directories for mistakes, like a compiler."""

from __future__ import annotations

import argparse
import datetime
import sys
from typing import Any

from compiler.lower import compile_program
from compiler.pipeline import CheckResult, check
from policy_lang import diagnostics as dg
from policy_lang import limits
from ppl.common import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    add_color_option,
    add_partner_facts_option,
    load_partners,
    read_stdin,
    use_color,
)
from runtime import instants
from runtime.decisions import PILOT_HINT, pilot_advisory

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
    p.add_argument("--partners", metavar="FILE",
                   help="also read this partners file (.csv, .jsonl, .ndjson or .parquet) against the program (one "
                   "program only): its mistakes are errors, and W306 warns when the partners active are outside "
                   "the program's `pilot` size")
    add_partner_facts_option(p)
    p.add_argument("--on", metavar="DATE", type=_day,
                   help="with --partners: the day on which partners are counted as active (default: today in the "
                   "program's time zone)")
    add_color_option(p, "the text output")


def _day(text: str) -> datetime.date:
    """`--on`: a date, YYYY-MM-DD (a usage error otherwise)."""
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date (YYYY-MM-DD)") from None


def _partner_diagnostics(args: argparse.Namespace, result: CheckResult) -> list[dg.Diagnostic]:
    """With `--partners`: the program's partners file read (its mistakes end the check, like a usage error),
    and the W306 advisory when the partners active on the day are outside the pilot size."""
    if len(result.files) != 1:
        raise CommandError("--partners checks one program; name one program file")
    if dg.has_errors(result.diagnostics) or not result.programs:
        return []
    program = result.programs[0]
    ruleset = compile_program(program)
    partners = load_partners(args.partners, ruleset, args.partner_facts, strict=True)
    day = args.on or datetime.datetime.now(instants.zone(ruleset.time_zone)).date()
    message = pilot_advisory(ruleset.pilot, partners.values(), day)
    if message is None or program.pilot is None:
        return []
    return [dg.warning("W306", f"{args.partners}: {message}", program.pilot.span, hint=PILOT_HINT)]


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
    if args.partners is not None:
        diagnostics = (*diagnostics, *_partner_diagnostics(args, result))
    elif args.on is not None:
        raise CommandError("--on counts the partners of --partners; give --partners too")
    elif args.partner_facts is not None:
        raise CommandError("--partner-facts adds dated facts to --partners; give --partners too")
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
