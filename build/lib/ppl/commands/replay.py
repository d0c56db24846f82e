"""`ppl replay`: re-evaluate logged decisions against another rule set and report what would change."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import Any

from ppl.common import (
    EXIT_ERRORS,
    EXIT_OK,
    MAX_PROBLEMS,
    CommandError,
    add_color_option,
    add_engine_option,
    add_format_option,
    load_ruleset,
)
from runtime import instants
from runtime.loaded import Runtime
from runtime.service.decision_log import DecisionLogError, read_log
from runtime.service.replay import KINDS, NOT_A_DECISION, Filter, new_report, replay
from runtime.service.replay_report import render_markdown, render_text, report_json
from runtime.store import shown as shown_target

NAME = "replay"


def add_parser(sub: Any) -> None:
    """Register `replay` on the subcommand parser of `ppl`."""
    p = sub.add_parser(NAME, help="re-evaluate logged decisions against another rule set",
                       description="Re-evaluate the quotes of a decision log (a JSON Lines file, or a "
                       "postgresql:// URL) against a rule set, and report what would change: per partner, in "
                       "the program's currency, with the largest changes and the quotes it now refuses. Exit "
                       "status: 0 nothing would change, 1 something would change (or the program has errors), "
                       "2 usage error, or a log that cannot be read or holds no decision at all.")
    p.add_argument("log", metavar="LOG", help="the decision log: a .jsonl file or a postgresql:// URL")
    p.add_argument("--ruleset", required=True, metavar="PROGRAM_OR_RULESET",
                   help="the rule set to replay against: a compiled rule set (.json) or a program (.yaml)")
    p.add_argument("--trusted-key", action="append", default=[], metavar="PUBLIC_KEY",
                   help="accept only a rule set signed by this public key (as for the other commands)")
    p.add_argument("--program", metavar="ID", help="replay the decisions of this program (default: the rule "
                   "set's own program id)")
    p.add_argument("--kind", action="append", choices=KINDS, help="replay only this kind of decision "
                   "(repeatable; default: every kind replay knows)")
    p.add_argument("--since", metavar="WHEN", help="only decisions made at or after WHEN: a date (from its start, "
                   "UTC) or a timestamp with its offset")
    p.add_argument("--until", metavar="WHEN", help="only decisions made at or before WHEN: a date (to its end, "
                   "UTC) or a timestamp with its offset")
    add_engine_option(p)
    add_color_option(p)
    add_format_option(p, ("text", "json", "markdown"))


def parse_when(text: str, option: str, end: bool = False) -> datetime.datetime:
    """An instant from the command line: a date (its first, or with `end` its last, microsecond in UTC) or a
    timestamp with its UTC offset.

    Raises:
        CommandError: neither.
    """
    text = text.strip()
    try:
        if instants.looks_like_timestamp(text):
            return instants.parse_instant(text).astimezone(datetime.UTC)
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} `{text}` is not a date (YYYY-MM-DD) or a timestamp with its offset "
                           "(2026-04-01T09:00:00+09:00)") from None
    moment = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
    return moment.replace(tzinfo=datetime.UTC)


def run(args: argparse.Namespace) -> int:
    """Replay the log and print the report."""
    ruleset = load_ruleset(args.ruleset, args.color, args.trusted_key)
    only = Filter(args.program or ruleset.program_id, tuple(args.kind or KINDS),
                  parse_when(args.since, "--since") if args.since else None,
                  parse_when(args.until, "--until", end=True) if args.until else None)
    if only.since is not None and only.until is not None and only.until < only.since:
        raise CommandError("--until is before --since")
    report = new_report(ruleset)
    try:
        replay(read_log(args.log, report.unreadable_record), Runtime(ruleset, args.engine), only, report)
    except DecisionLogError as exc:
        raise CommandError(str(exc)) from None
    log = shown_target(args.log)
    unreadable = report.skipped[NOT_A_DECISION]
    if unreadable and unreadable == report.read:
        raise CommandError(f"{log} is not a decision log: none of its {unreadable:,} line(s) is a decision",
                           problems=[f"{log}: line {s.line}: {s.reason}" for s in report.unreadable[:MAX_PROBLEMS]])
    if args.format == "json":
        sys.stdout.write(json.dumps(report_json(report, log), ensure_ascii=False, indent=1) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(report, log))
    else:
        sys.stdout.write(render_text(report, log))
    return EXIT_ERRORS if report.changed else EXIT_OK
