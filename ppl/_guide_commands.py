"""`ppl guide`: a program's partner guide, in Japanese or English, as Markdown or HTML.

The program is given as a `.yaml` file (checked and compiled on the fly) or a compiled `.json`
rule set; the guide is rendered from the rule set by `runtime.guides`. Exit status: 0 written;
1 the program has errors; 2 usage or I/O errors (including a date no version covers).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from typing import Any

from ppl._runtime_commands import EXIT_OK, EXIT_USAGE, _fail, load_ruleset, run
from runtime.guides import FORMATS, LANGUAGES, GuideError, render_guide


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: `{text}` (write YYYY-MM-DD)") from None


def _cmd_guide(args: argparse.Namespace) -> int:
    ruleset = load_ruleset(args.program, "guide", args.color)
    try:
        text = render_guide(ruleset, args.lang, args.format, args.on)
    except GuideError as exc:
        raise _fail("guide", str(exc)) from None
    if args.output in (None, "-"):
        sys.stdout.write(text)
        return EXIT_OK
    try:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise _fail("guide", f"cannot write {args.output}: {exc.strerror or exc}", EXIT_USAGE) from None
    return EXIT_OK


def add_commands(subparsers: Any) -> None:
    """Register `guide` on the subcommand parser of `ppl`."""
    p = subparsers.add_parser(
        "guide", help="write a program's partner guide (Japanese or English, Markdown or HTML)",
        description="Write the partner guide of a program: contract types, margins, ladders with charts, "
        "bonuses, tiers, price rules, the distributor hierarchy, conflict rules and lead routing, with worked "
        "examples computed by the runtime. Exit status: 0 written, 1 the program has errors, 2 usage or I/O error.")
    p.add_argument("program", metavar="PROGRAM_OR_RULESET",
                   help="a program (.yaml), checked and compiled on the fly, or a compiled rule set (.json)")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="the guide's language (default: en)")
    p.add_argument("--format", choices=FORMATS, default="md",
                   help="md (Markdown) or html (a standalone page) (default: md)")
    p.add_argument("-o", "--output", metavar="OUT", help="where to write the guide (default: stdout)")
    p.add_argument("--on", type=_date, metavar="DATE",
                   help="describe the version in force on this date, YYYY-MM-DD (default: the latest version)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour diagnostics (default: only on a terminal)")
    p.set_defaults(run=run(_cmd_guide))

