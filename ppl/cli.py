"""The `ppl` command line: the parser built from the command modules, and `main`.

The only module that brings the language, the compiler and the runtime together (through
`ppl.commands`). A command returns its exit status or raises `CommandError`; `main` is the one place
that prints such an error and returns its status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ppl import commands
from ppl.common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, CommandError, check_limit_settings

__all__ = ["EXIT_ERRORS", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `ppl` and its subcommands (argparse exits with 2 on a usage error)."""
    parser = argparse.ArgumentParser(
        prog="ppl", description="ppl, the partner policy language: check partner programs, compile them, and "
        "settle, quote and explain transactions with them.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in commands.ALL:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ppl` console script: run one command and return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        check_limit_settings()
        status: int = commands.BY_NAME[args.command].run(args)
    except CommandError as error:
        sys.stderr.write(error.render(args.command))
        return error.status
    except BrokenPipeError:  # `ppl check … | head`
        return EXIT_OK
    return status


if __name__ == "__main__":
    sys.exit(main())
