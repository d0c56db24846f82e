"""`ppl sql`: print the SQL of a program's quotes, quote lines or statements for DuckDB or a warehouse.

Exit status: 0 printed; 1 the program has errors, or uses a construct the SQL back end refuses
(each is named on stderr); 2 usage or I/O errors.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ppl.common import (
    EXIT_ERRORS,
    EXIT_OK,
    CommandError,
    add_color_option,
    add_program_argument,
    load_ruleset,
    parse_period,
)
from runtime import sql

NAME = "sql"


def add_parser(sub: Any) -> None:
    """Register `sql` on the subcommand parser of `ppl`."""
    p = sub.add_parser(
        NAME, help="print a program's quotes or statements as SQL (DuckDB, Spark, Trino, Postgres)",
        description="Print the SQL that computes a program's transaction quotes, their lines, or its period "
        "statements, over tables `transactions` and `partners` (see docs/sql.md). A construct the SQL cannot "
        "compute exactly as the row engine does is refused, naming it and where it was written. Exit status: 0 "
        "printed, 1 the program has errors or is not supported, 2 usage or I/O error.")
    add_program_argument(p)
    p.add_argument("--dialect", choices=sql.DIALECTS, default="duckdb", help="the SQL dialect (default: duckdb)")
    p.add_argument("--query", choices=("quote", "lines", "statement"), default="quote",
                   help="quote: one row per transaction (default); lines: one row per quote line (each level of a "
                   "distributor chain, pass-through, fees); statement: every partner's lines for --period")
    p.add_argument("--period", metavar="PERIOD", help="the settlement period of a statement: FY2026, 2026-04, …")
    add_color_option(p)


def run(args: argparse.Namespace) -> int:
    """Print the SQL of the query asked for, or refuse the program naming what the SQL cannot compute."""
    ruleset = load_ruleset(args.program, args.color, args.trusted_key)
    reasons = sql.unsupported(ruleset)
    if reasons:
        raise CommandError(*(f"not supported: {reason}" for reason in reasons),
                           f"program `{ruleset.program_id}` cannot be translated to SQL; nothing was printed",
                           status=EXIT_ERRORS)
    if args.query == "statement":
        if args.period is None:
            raise CommandError("a statement needs --period (FY2026, 2026-04, 2026-04..2027-03, …)")
        period = parse_period(args.period, ruleset)
        query = sql.statement_query(ruleset, period, args.dialect)
        what = f"statement lines for {period}"
    elif args.query == "lines":
        query = sql.quote_lines_query(ruleset, args.dialect)
        what = "transaction quote lines"
    else:
        query = sql.quote_query(ruleset, args.dialect)
        what = "transaction quotes"
    sys.stdout.write(sql.header(ruleset, what, args.dialect) + "\n" + sql.render(query, args.dialect) + ";\n")
    return EXIT_OK
