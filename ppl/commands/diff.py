"""`ppl diff OLD NEW`: the semantic changes between two versions of a program, as text, JSON or Markdown."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ppl.commands._diff_sides import load_sides
from ppl.common import EXIT_OK, add_color_option
from runtime.diff import ProgramDiff, diff_rulesets, render_markdown, render_text, to_json

NAME = "diff"
FORMATS = ("text", "json", "markdown")


def add_parser(sub: Any) -> None:
    """Register `diff` on the subcommand parser of `ppl`."""
    p = sub.add_parser(NAME, help="the semantic changes between two versions of a program",
                       description="Compare two versions of a program in its own terms: the rates, steps, targets, "
                       "tiers, benefits, rules and versions added, removed or changed, each with its place on both "
                       "sides; layout, comments, key order and how a value is spelt are no change. Exit status: 0 "
                       "compared (with or without changes), 1 a side has errors or the sides are two programs, "
                       "2 usage or I/O.")
    add_diff_arguments(p)


def add_diff_arguments(p: argparse.ArgumentParser) -> None:
    """The sides (`OLD NEW`, or `FILE --rev A[..B]`), `--format` and `--color`."""
    p.add_argument("old", metavar="OLD", help="the old program (.yaml) or rule set (.json); with --rev, the file")
    p.add_argument("new", metavar="NEW", nargs="?", help="the new program or rule set (not with --rev)")
    p.add_argument("--rev", metavar="REV", help="compare the file at git revision REV with the working file, or "
                   "at two revisions with A..B")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default), json, or markdown for a pull-request comment")
    add_color_option(p)


def render(diff: ProgramDiff, fmt: str) -> str:
    """The diff in one of `FORMATS`."""
    if fmt == "json":
        return json.dumps(to_json(diff), ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return render_markdown(diff)
    return render_text(diff)


def run(args: argparse.Namespace) -> int:
    """Load both sides, compare them and write the changes."""
    old, new = load_sides(args)
    diff = diff_rulesets(old.ruleset, new.ruleset, old.name, new.name, old.places, new.places)
    sys.stdout.write(render(diff, args.format))
    return EXIT_OK
