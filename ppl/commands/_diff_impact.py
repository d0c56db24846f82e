"""`ppl diff … --transactions FILE --partners FILE --period P`: the money impact of a program change, and the
gates a CI sets on it (`--fail-if-any-partner-loses`, `--max-total-change`).

The `diff` command adds these options with `add_impact_arguments` and, when `impact_requested`, calls
`run_impact` with the two rule sets it compared; `run_impact` prints the impact and returns the exit status.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from ppl.common import EXIT_ERRORS, EXIT_OK, PERIODS, CommandError, load_partners, parse_period
from runtime import impact as mi
from runtime import io as rio
from runtime import ir
from runtime.io.facts import FactReport
from runtime.io.values import ValueProblem, parse_money
from runtime.money import format_amount

IMPACT_FORMATS = ("text", "json", "markdown")
"""The formats an impact is printed in."""


def add_impact_arguments(p: argparse.ArgumentParser) -> None:
    """Register the options of the money impact and its gates on a parser (`ppl diff`)."""
    group = p.add_argument_group("money impact", "settle one period on both programs and compare what partners earn")
    group.add_argument("--transactions", metavar="FILE",
                       help="the transactions to settle on both sides (.csv, .jsonl, .ndjson; .parquet with duckdb)")
    group.add_argument("--partners", metavar="FILE", help="the partners (.csv, .jsonl or .ndjson)")
    group.add_argument("--partner-facts", metavar="FILE",
                       help="dated facts of the partners (.csv or .jsonl), read after the partners file")
    group.add_argument("--period", metavar="P", help=PERIODS + ", in the new program's fiscal year")
    group.add_argument("--engine", choices=mi.ENGINES, default="auto",
                       help="how both sides are settled, as `ppl settle --engine` (default: auto)")
    group.add_argument("--movers", type=_count, default=10, metavar="N",
                       help="how many of the largest movers to list (default: 10)")
    group.add_argument("--fail-if-any-partner-loses", dest="fail_if_any_partner_loses", action="store_true",
                       help="exit 1 when any partner would earn less")
    group.add_argument("--max-total-change", dest="max_total_change", metavar="AMOUNT",
                       help="exit 1 when the total earned by partners moves by more than AMOUNT either way "
                       "(¥5,000,000, 500万)")


def _count(text: str) -> int:
    """`--movers`: a whole number (a usage error otherwise)."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number")
    return int(text)


def impact_requested(args: argparse.Namespace) -> bool:
    """Whether the options ask for the money impact; all three of `--transactions`, `--partners` and `--period`
    when any of them (or a gate) is given.

    Raises:
        CommandError: an impact option is given without the others it needs.
    """
    data = {"--transactions": args.transactions, "--partners": args.partners, "--period": args.period}
    asked = [name for name, value in data.items() if value is not None]
    gates = args.fail_if_any_partner_loses or args.max_total_change is not None or args.partner_facts is not None
    if not asked and not gates:
        return False
    missing = [name for name, value in data.items() if value is None]
    if missing:
        raise CommandError(f"the money impact needs {', '.join(missing)} as well (given: "
                           f"{', '.join(asked) or 'only a gate'})")
    return True


def max_total_change(args: argparse.Namespace, ruleset: ir.RuleSet) -> int | None:
    """`--max-total-change` in minor units of the program's currency, or None when not given.

    Raises:
        CommandError: not an amount, or a negative one.
    """
    if args.max_total_change is None:
        return None
    try:
        amount = parse_money(args.max_total_change, ruleset.currency, ruleset.minor_unit)
    except ValueProblem as exc:
        raise CommandError(f"--max-total-change: {exc.reason}") from None
    if amount < 0:
        raise CommandError(f"--max-total-change: `{args.max_total_change}` is negative; give the largest change "
                           "allowed either way")
    return amount


def compute_impact(args: argparse.Namespace, old: ir.RuleSet, new: ir.RuleSet) -> mi.Impact:
    """Settle the period on both rule sets and compare (the partners read once for each program).

    Raises:
        CommandError: 1 when the two cannot be compared (E586, E587) or the engine cannot settle a program;
            2 when a file cannot be read.
    """
    period = parse_period(args.period, new)
    partners = load_partners(args.partners, old, args.partner_facts, FactReport())
    try:
        new_partners = load_partners(args.partners, new, args.partner_facts, FactReport())
    except CommandError as exc:
        raise CommandError(*exc.messages, f"{args.partners} cannot be read under the new program; the change "
                           "drops something the partners use", status=exc.status, problems=exc.problems) from None
    try:
        return mi.money_impact(old, new, args.transactions, partners, period, args.engine,
                               new_partners=new_partners)
    except mi.ImpactError as exc:
        hint = [f"hint: {exc.hint}"] if exc.hint else []
        raise CommandError(f"error[{exc.code}]: {exc.message}", *hint, status=EXIT_ERRORS) from None
    except rio.ReadError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:  # a pipe that cannot be copied, or a temporary directory that cannot be written
        raise CommandError(f"{args.transactions}: cannot read: {exc.strerror or exc}") from None
    except ImportError:
        raise CommandError("--engine duckdb needs the sql extra (pip install 'ppl[sql]')") from None
    except mi.EngineRefused as exc:
        raise CommandError(f"not supported by the duckdb engine yet: {exc}; use --engine rows",
                           status=EXIT_ERRORS) from None


def render_impact(impact: mi.Impact, fmt: str, movers: int = 10) -> str:
    """The impact in one of `IMPACT_FORMATS`."""
    if fmt == "json":
        return mi.render_json(impact, movers)
    if fmt == "markdown":
        return mi.render_markdown(impact)
    return mi.render_text(impact, movers)


def gate(impact: mi.Impact, args: argparse.Namespace, limit: int | None) -> list[str]:
    """Why the gates fail an impact (none when they pass): a partner loses under `--fail-if-any-partner-loses`,
    or the total moves by more than `--max-total-change` (`limit`)."""
    def money(amount: int) -> str:
        return format_amount(amount, impact.currency, impact.minor_unit)

    failed = []
    if args.fail_if_any_partner_loses and impact.losers:
        names = ", ".join(p.partner for p in impact.losers[:5])
        more = f" and {len(impact.losers) - 5:,} more" if len(impact.losers) > 5 else ""
        failed.append(f"{len(impact.losers):,} partner(s) would earn less: {names}{more} "
                      "(--fail-if-any-partner-loses)")
    if limit is not None and abs(impact.difference) > limit:
        failed.append(f"the total earned by partners moves by {money(impact.difference)}, more than "
                      f"{money(limit)} (--max-total-change)")
    return failed


def run_impact(args: argparse.Namespace, old: ir.RuleSet, new: ir.RuleSet, fmt: str = "text",
               out: TextIO | None = None, *, preface: str = "", document: Mapping[str, Any] | None = None) -> int:
    """Compute, print and gate the money impact of changing `old` into `new`; 0 when no gate fails.

    `preface` (text, Markdown) is printed first, a blank line before the impact; with JSON, `document` is the
    object the impact is added to under `impact`.

    Raises:
        CommandError: 1 when a gate fails (its reasons the messages), after the impact is printed; otherwise as
            `compute_impact`, or a gate's amount is not one.
    """
    limit = max_total_change(args, new)
    impact = compute_impact(args, old, new)
    if fmt == "json" and document is not None:
        text = json.dumps({**document, "impact": mi.impact_json(impact, args.movers)}, ensure_ascii=False,
                          indent=2) + "\n"
    else:
        text = (preface + "\n" if preface else "") + render_impact(impact, fmt, args.movers)
    (out or sys.stdout).write(text)
    failed = gate(impact, args, limit)
    if failed:
        raise CommandError(*failed, status=EXIT_ERRORS)
    return EXIT_OK
