"""The `ppl` command line. The only module that brings the language, the compiler and the runtime together."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from compiler.lower import compile_program
from compiler.pipeline import CheckResult, check
from policy_lang import diagnostics as dg
from ppl import _deal_commands, _guide_commands, _runtime_commands, _sql_commands, program_tests
from runtime import ir_json

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 on usage errors (its default) and prints to stderr."""


def _use_color(stream: object, choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _cmd_check(args: argparse.Namespace) -> int:
    stdin = sys.stdin.buffer.read() if "-" in args.paths else None
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
        out = dg.render_text(diagnostics, result.sources, color=_use_color(sys.stdout, args.color))
        sys.stdout.write(out)
        errors = sum(1 for d in diagnostics if d.severity is dg.Severity.ERROR)
        warnings = len(diagnostics) - errors
        checked = len(result.files)
        summary = f"checked {checked} file{'s' if checked != 1 else ''}: {errors} error{'s' if errors != 1 else ''}, " \
                  f"{warnings} warning{'s' if warnings != 1 else ''}"
        print(summary, file=sys.stderr)
    if io_only or not result.files:
        if not result.files and not diagnostics:
            print("ppl check: no program files found", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_ERRORS if dg.has_errors(diagnostics) else EXIT_OK


def _report(result: CheckResult, color: str) -> None:
    sys.stderr.write(dg.render_text(result.diagnostics, result.sources, color=_use_color(sys.stderr, color)))


def _cmd_compile(args: argparse.Namespace) -> int:
    result = check([args.program])
    if not result.files or all(d.code == "E107" for d in result.diagnostics if d.severity is dg.Severity.ERROR) \
            and dg.has_errors(result.diagnostics):
        _report(result, args.color)
        return EXIT_USAGE
    if dg.has_errors(result.diagnostics) or len(result.programs) != 1:
        _report(result, args.color)
        if len(result.programs) > 1:
            print("ppl compile: give one program file", file=sys.stderr)
            return EXIT_USAGE
        return EXIT_ERRORS
    if result.diagnostics:
        _report(result, args.color)
    text = ir_json.dumps(compile_program(result.programs[0]))
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            print(f"ppl compile: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `ppl` and its subcommands."""
    parser = _Parser(prog="ppl", description="ppl, the partner policy language: check partner programs, compile "
                     "them, and settle, quote and explain transactions with them.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p_check = sub.add_parser("check", help="check program files and directories for mistakes",
                             description="Check program files (and every *.yaml under directories). Exit status: "
                             "0 clean or only warnings, 1 errors found, 2 usage or I/O error.")
    p_check.add_argument("paths", nargs="+", metavar="PATH", help="program files or directories; `-` reads stdin")
    p_check.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text",
                         help="output format (default: text)")
    p_check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p_check.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                         help="colour the text output (default: only on a terminal)")
    p_check.set_defaults(run=_cmd_check)

    p_compile = sub.add_parser("compile", help="compile a program into a rule set (JSON)",
                               description="Check a program and write its rule set: the JSON artifact that the "
                               "runtime evaluates. Exit status: 0 written, 1 the program has errors, 2 usage or I/O.")
    p_compile.add_argument("program", metavar="PROGRAM", help="the program file")
    p_compile.add_argument("-o", "--output", metavar="FILE", help="where to write the rule set (default: stdout)")
    p_compile.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                           help="colour diagnostics (default: only on a terminal)")
    p_compile.set_defaults(run=_cmd_compile)
    _runtime_commands.add_parsers(sub)
    program_tests.add_command(sub)
    _guide_commands.add_commands(sub)
    _deal_commands.add_commands(sub)
    _sql_commands.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ppl` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except BrokenPipeError:  # `ppl check … | head`
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
