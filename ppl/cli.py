"""The `ppl` command line: the parser built from the command modules, and `main`.

The only module that brings the language, the compiler and the runtime together (through
`ppl.commands`). A command returns its exit status or raises `CommandError`; `main` is the one place
that prints such an error and returns its status. Anything else a command raises is a bug in ppl:
`main` reports it in one line and exits with `EXIT_INTERNAL`, and prints the traceback only when
asked (`ppl --debug …`, or the environment variable `PPL_DEBUG=1`).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import sys
import traceback
from collections.abc import Sequence

from ppl import commands
from ppl.common import (
    EXIT_ERRORS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    check_limit_settings,
)
from runtime.ir import FORMAT

__all__ = ["EXIT_ERRORS", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main",
           "version_line"]

DEBUG_ENV = "PPL_DEBUG"
"""The environment variable that, set to 1, has `main` print the traceback of an internal error."""
MAX_DETAIL = 200
"""How many characters of an internal error's own message its one line shows."""


def version_line() -> str:
    """What `ppl --version` prints: the package's version and the format of the rule sets it writes and reads.

    >>> version_line().startswith("ppl ") and version_line().endswith(" (rule set format ppl-ruleset/1)")
    True
    """
    try:
        version = importlib.metadata.version("ppl")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        version = "(version unknown: not installed)"
    return f"ppl {version} (rule set format {FORMAT})"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `ppl` and its subcommands (argparse exits with 2 on a usage error)."""
    parser = argparse.ArgumentParser(
        prog="ppl", description="ppl, the partner policy language: check partner programs, compile them, and "
        "settle, quote and explain transactions with them.")
    parser.add_argument("--version", action="version", version=version_line(),
                        help="print the version of ppl and of the rule set format, and exit")
    parser.add_argument("--debug", action="store_true",
                        help=f"on an internal error, print the traceback too (the same as {DEBUG_ENV}=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in commands.ALL:
        command.add_parser(sub)
    return parser


def _keep_double_dash(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Give back `--` as the value of an option that takes one value (`--transaction=--`): argparse of Python
    3.11 drops it and leaves an empty list, which no command expects."""
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for action in sub.choices[args.command]._actions:
        if (type(action) is argparse._StoreAction and action.nargs is None and action.option_strings
                and getattr(args, action.dest, None) == []):
            setattr(args, action.dest, "--")


def _debugging(args: argparse.Namespace) -> bool:
    return bool(args.debug) or os.environ.get(DEBUG_ENV, "").strip() not in ("", "0")


def internal_error_line(command: str, exc: BaseException) -> str:
    """The one line `main` prints for an error no command explains: what it was, and what to do.

    >>> internal_error_line("settle", ValueError("boom"))[:47]
    'ppl settle: internal error: ValueError: boom; t'
    """
    lines = str(exc).strip().splitlines()
    detail = lines[0] if lines else ""
    if len(detail) > MAX_DETAIL:
        detail = detail[:MAX_DETAIL] + "…"
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return CommandError(f"internal error: {what}; this is a bug in ppl: please report it on the project's issue "
                        f"tracker with the output of the same command run as `ppl --debug {command} …`").render(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ppl` console script: run one command and return its exit status.

    Exit statuses: 0 done, 1 the inputs have errors, 2 usage or I/O, 3 an internal error, 130 interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    _keep_double_dash(parser, args)
    try:
        check_limit_settings()
        status: int = commands.BY_NAME[args.command].run(args)
    except CommandError as error:
        sys.stderr.write(error.render(args.command))
        return error.status
    except BrokenPipeError:  # `ppl check … | head`
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write("\n" + CommandError("interrupted").render(args.command))
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 -- the last line of defence: a bug, reported as one
        if _debugging(args):
            traceback.print_exc(file=sys.stderr)
        sys.stderr.write(internal_error_line(args.command, exc))
        return EXIT_INTERNAL
    return status


if __name__ == "__main__":
    sys.exit(main())
