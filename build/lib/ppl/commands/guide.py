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

from ppl.common import (
    EXIT_OK,
    CommandError,
    add_color_option,
    add_follow_symlinks_option,
    add_program_argument,
    decision_error,
    load_ruleset,
    write_text,
)
from runtime.decisions import QuoteError
from runtime.engine import EvaluationError
from runtime.guides import FORMATS, LANGUAGES, GuideError, render_guide

NAME = "guide"


def add_parser(sub: Any) -> None:
    """Register `guide` on the subcommand parser of `ppl`."""
    p = sub.add_parser(
        NAME, help="write a program's partner guide (Japanese or English, Markdown or HTML)",
        description="Write the partner guide of a program: contract types, margins, ladders with charts, "
        "bonuses, tiers, price rules, the distributor hierarchy, conflict rules and lead routing, with worked "
        "examples computed by the runtime. Exit status: 0 written, 1 the program has errors, 2 usage or I/O error.")
    add_program_argument(p)
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="the guide's language (default: en)")
    p.add_argument("--format", choices=FORMATS, default="md",
                   help="md (Markdown) or html (a standalone page) (default: md)")
    p.add_argument("-o", "--output", metavar="OUT", help="where to write the guide (default: stdout)")
    p.add_argument("--on", type=_date, metavar="DATE",
                   help="describe the version in force on this date, YYYY-MM-DD (default: the latest version)")
    add_follow_symlinks_option(p, "the -o file")
    add_color_option(p)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: `{text}` (write YYYY-MM-DD)") from None


def run(args: argparse.Namespace) -> int:
    """Render the guide and write it."""
    ruleset = load_ruleset(args.program, args.color, args.trusted_key)
    try:
        text = render_guide(ruleset, args.lang, args.format, args.on)
    except GuideError as exc:
        raise CommandError(str(exc)) from None
    except (QuoteError, EvaluationError) as exc:  # a worked example a hand-made rule set cannot compute
        raise decision_error(exc) from None
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        write_text(args.output, text, args.follow_symlinks)
    return EXIT_OK
