"""The settlement ledger's schema, in SQLite's words and PostgreSQL's (as the registry's:
`runtime.store._registry_schema`).

The ledger lives in its own database with its own migrations. Triggers refuse every UPDATE and DELETE of a run
or a line (on PostgreSQL, TRUNCATE too): the ledger is append-only, and a correction is a new run. On
PostgreSQL amounts are BIGINT (SQLite's INTEGER holds 64 bits), and runs are numbered 1, 2, 3 … with no gap.
"""

from __future__ import annotations

from runtime.store._db import Migration, Spelled, Statement
from runtime.store._registry_schema import PG_FUNCTIONS, refuse


def _append_only(table: str, what: str) -> tuple[Statement, ...]:
    """The triggers that refuse to change or delete a row of `table` (PostgreSQL: and to truncate it)."""
    changed = f"the settlement ledger is append-only: {what} are never changed"
    deleted = f"the settlement ledger is append-only: {what} are never deleted"
    return (Spelled(f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
               BEGIN SELECT RAISE(ABORT, '{changed}'); END""", refuse(table, "UPDATE", changed)),
            Spelled(f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
               BEGIN SELECT RAISE(ABORT, '{deleted}'); END""", refuse(table, "DELETE", deleted)),
            Spelled("", f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
                        f"EXECUTE FUNCTION ppl_refuse('the settlement ledger is append-only: {what} are never "
                        "deleted')"))


_PG_RUNS = """CREATE TABLE runs (
    id BIGINT PRIMARY KEY,
    program TEXT NOT NULL,
    year INTEGER NOT NULL,
    as_of TEXT COLLATE "C" NOT NULL,
    ruleset_sha256 TEXT NOT NULL CHECK (length(ruleset_sha256) = 64),
    currency TEXT NOT NULL,
    minor_unit INTEGER NOT NULL,
    recorded_at TEXT COLLATE "C" NOT NULL
)"""

_PG_RUN_LINES = """CREATE TABLE run_lines (
    run BIGINT NOT NULL REFERENCES runs (id),
    partner TEXT NOT NULL,
    kind TEXT NOT NULL,
    earned BIGINT NOT NULL,
    paid_before BIGINT NOT NULL,
    payable BIGINT NOT NULL,
    CHECK (payable = earned - paid_before),
    PRIMARY KEY (run, partner, kind)
)"""

_PG_RUN_TIERS = """CREATE TABLE run_tiers (
    run BIGINT NOT NULL REFERENCES runs (id),
    partner TEXT NOT NULL,
    review TEXT COLLATE "C" NOT NULL,
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    sales BIGINT NOT NULL,
    purchases BIGINT NOT NULL,
    list_sales BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    deals BIGINT NOT NULL,
    previous TEXT,
    tier TEXT,
    outcome TEXT NOT NULL,
    rule TEXT,
    reason TEXT NOT NULL,
    PRIMARY KEY (run, partner, review)
)"""

_PG_RUN_MONTHS = """CREATE TABLE run_months (
    run BIGINT NOT NULL REFERENCES runs (id),
    month TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (run, month)
)"""

_PG_RUN_FIGURES = """CREATE TABLE run_figures (
    run BIGINT NOT NULL REFERENCES runs (id),
    partner TEXT NOT NULL,
    month TEXT COLLATE "C" NOT NULL,
    sales BIGINT NOT NULL,
    purchases BIGINT NOT NULL,
    list_sales BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    deals BIGINT NOT NULL,
    PRIMARY KEY (run, partner, month)
)"""


LEDGER_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "settlement runs and their lines, append-only", (
        *PG_FUNCTIONS,
        Spelled("""CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- 1, 2, 3 … in the order runs were recorded
            program TEXT NOT NULL,
            year INTEGER NOT NULL,                 -- the fiscal year the as-of falls in (FY2026: 2026)
            as_of TEXT NOT NULL,                   -- YYYY-MM-DD
            ruleset_sha256 TEXT NOT NULL CHECK (length(ruleset_sha256) = 64),
            currency TEXT NOT NULL,
            minor_unit INTEGER NOT NULL,
            recorded_at TEXT NOT NULL              -- UTC, ISO 8601 with microseconds
        )""",
                _PG_RUNS),
        Spelled("", "CREATE TRIGGER runs_numbered BEFORE INSERT ON runs FOR EACH ROW "
                    "EXECUTE FUNCTION ppl_number_in_order('id')"),
        "CREATE INDEX runs_by_year ON runs (program, year, id)",
        Spelled("""CREATE TABLE run_lines (
            run INTEGER NOT NULL REFERENCES runs (id),
            partner TEXT NOT NULL,
            kind TEXT NOT NULL,
            earned INTEGER NOT NULL,               -- minor units: earned in the year to the as-of
            paid_before INTEGER NOT NULL,          -- the payables of the year's earlier runs
            payable INTEGER NOT NULL,              -- paid by this run; negative: owed back
            CHECK (payable = earned - paid_before),
            PRIMARY KEY (run, partner, kind)
        )""",
                _PG_RUN_LINES),
        *_append_only("runs", "runs"),
        *_append_only("run_lines", "lines"),
    )),
    Migration(2, "the tier reviews each run decided, append-only", (
        Spelled("""CREATE TABLE run_tiers (
            run INTEGER NOT NULL REFERENCES runs (id),
            partner TEXT NOT NULL,
            review TEXT NOT NULL,                  -- YYYY-MM-DD: the tier is in force from it
            window_start TEXT NOT NULL,            -- the first and last day of the figures read
            window_end TEXT NOT NULL,
            sales INTEGER NOT NULL,                -- the figures read (minor units; quantity and deals counted)
            purchases INTEGER NOT NULL,
            list_sales INTEGER NOT NULL,
            quantity INTEGER NOT NULL,
            deals INTEGER NOT NULL,
            previous TEXT,                         -- the tier before the review (NULL: none)
            tier TEXT,                             -- the tier from the review (NULL: none)
            outcome TEXT NOT NULL,                 -- promoted, met, kept, grace, demoted, assigned, undecided
            rule TEXT,                             -- the tier whose qualification held (NULL: none)
            reason TEXT NOT NULL,
            PRIMARY KEY (run, partner, review)
        )""",
                _PG_RUN_TIERS),
        *_append_only("run_tiers", "tier decisions"),
    )),
    Migration(3, "the monthly figures each run's reviews read, append-only", (
        Spelled("""CREATE TABLE run_months (
            run INTEGER NOT NULL REFERENCES runs (id),
            month TEXT NOT NULL,                   -- YYYY-MM: a month of the run's year up to its as-of
            PRIMARY KEY (run, month)
        )""",
                _PG_RUN_MONTHS),
        Spelled("""CREATE TABLE run_figures (
            run INTEGER NOT NULL REFERENCES runs (id),
            partner TEXT NOT NULL,
            month TEXT NOT NULL,                   -- YYYY-MM (a month of run_months; left out: all zero)
            sales INTEGER NOT NULL,                -- net of refunds (minor units; quantity and deals counted)
            purchases INTEGER NOT NULL,
            list_sales INTEGER NOT NULL,
            quantity INTEGER NOT NULL,
            deals INTEGER NOT NULL,
            PRIMARY KEY (run, partner, month)
        )""",
                _PG_RUN_FIGURES),
        *_append_only("run_months", "recorded months"),
        *_append_only("run_figures", "monthly figures"),
    )),
)
"""Every migration of the ledger file, in order; the last one's version is the schema this code writes."""
