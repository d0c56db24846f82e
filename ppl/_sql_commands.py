"""`ppl sql`: print the SQL of a program's quotes, quote lines or statements for DuckDB or a warehouse.

Exit status: 0 printed; 1 the program has errors, or uses a construct the SQL back end refuses
(each is named on stderr); 2 usage or I/O errors.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ppl._runtime_commands import EXIT_ERRORS, EXIT_OK, _fail, _period, load_ruleset, run
from runtime import sql


def _cmd_sql(args: argparse.Namespace) -> int:
    ruleset = load_ruleset(args.program, "sql", args.color)
    reasons = sql.unsupported(ruleset)
    if reasons:
        for reason in reasons:
            print(f"ppl sql: not supported: {reason}", file=sys.stderr)
        raise _fail("sql", f"program `{ruleset.program_id}` cannot be translated to SQL; nothing was printed",
                    EXIT_ERRORS)
    if args.query == "statement":
        if args.period is None:
            raise _fail("sql", "a statement needs --period (FY2026, 2026-04, 2026-04..2027-03, …)")
        period = _period(args.period, ruleset, "sql")
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


def add_commands(subparsers: Any) -> None:
    """Register `sql` on the subcommand parser of `ppl`."""
    p = subparsers.add_parser(
        "sql", help="print a program's quotes or statements as SQL (DuckDB, Spark, Trino, Postgres)",
        description="Print the SQL that computes a program's transaction quotes, their lines, or its period "
        "statements, over tables `transactions` and `partners` (see docs/sql.md). A construct the SQL cannot "
        "compute exactly as the row engine does is refused, naming it and where it was written. Exit status: 0 "
        "printed, 1 the program has errors or is not supported, 2 usage or I/O error.")
    p.add_argument("program", metavar="PROGRAM_OR_RULESET",
                   help="a program (.yaml), checked and compiled on the fly, or a compiled rule set (.json)")
    p.add_argument("--dialect", choices=sql.DIALECTS, default="duckdb", help="the SQL dialect (default: duckdb)")
    p.add_argument("--query", choices=("quote", "lines", "statement"), default="quote",
                   help="quote: one row per transaction (default); lines: one row per quote line (each level of a "
                   "distributor chain, pass-through, fees); statement: every partner's lines for --period")
    p.add_argument("--period", metavar="PERIOD", help="the settlement period of a statement: FY2026, 2026-04, …")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour diagnostics (default: only on a terminal)")
    p.set_defaults(run=run(_cmd_sql))
