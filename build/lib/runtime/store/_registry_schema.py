"""The registry's schema (deal registrations, their events and history, reseller applications), in SQLite's
words and PostgreSQL's.

Each migration is one list of statements for both databases; where the two spell a statement differently, it
carries both (`Spelled`). The SQLite spelling is the one released files were made with, never edited. On
PostgreSQL: amounts and counters are BIGINT; rows are numbered 1, 2, 3 … in order of arrival, with no gap,
by a trigger that takes the next number under the store's write lock (`number_in_order`, the role of
SQLite's AUTOINCREMENT; an identity column would leave gaps where a transaction rolled back); instants are
ISO text compared byte by byte (`COLLATE "C"`); append-only tables refuse UPDATE, DELETE and TRUNCATE in a
PL/pgSQL trigger (`refuse`) as SQLite's triggers refuse UPDATE and DELETE.
"""

from __future__ import annotations

from runtime.store._db import Migration, Spelled, Statement

PG_FUNCTIONS: tuple[Statement, ...] = (
    Spelled("", """CREATE OR REPLACE FUNCTION ppl_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'restrict_violation';
END $$"""),
    Spelled("", """CREATE OR REPLACE FUNCTION ppl_number_in_order() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next bigint;
BEGIN
    IF to_jsonb(NEW) ->> TG_ARGV[0] IS NULL THEN
        EXECUTE format('SELECT COALESCE(MAX(%I), 0) + 1 FROM %I.%I', TG_ARGV[0], TG_TABLE_SCHEMA, TG_TABLE_NAME)
            INTO next;
        NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], next));
    END IF;
    RETURN NEW;
END $$"""),
)
"""PostgreSQL only: the functions of the append-only refusal and of numbering rows in order."""


def refuse(table: str, event: str, message: str) -> str:
    """PostgreSQL's spelling of an append-only trigger: refuse every `event` (UPDATE, DELETE) on `table`.

    INVARIANT: the table and the message are this package's constants, never input.
    """
    return (f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION ppl_refuse('{message}')")


def number_in_order(table: str, column: str) -> tuple[Statement, ...]:
    """PostgreSQL only: number new rows of `table` 1, 2, 3 … in `column` (the next after the largest), and refuse
    TRUNCATE, which row triggers do not see (SQLite has no TRUNCATE)."""
    return (Spelled("", f"CREATE TRIGGER {table}_numbered BEFORE INSERT ON {table} "
                        f"FOR EACH ROW EXECUTE FUNCTION ppl_number_in_order('{column}')"),
            Spelled("", f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                        f"FOR EACH STATEMENT EXECUTE FUNCTION ppl_refuse('{table} is append-only: it is never "
                        "truncated')"))


_PG_REGISTRATIONS = """CREATE TABLE registrations (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    partner TEXT,
    customer TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    corporate_number TEXT,
    registered_at TEXT COLLATE "C" NOT NULL,
    utc_offset INTEGER NOT NULL,
    renewals INTEGER NOT NULL DEFAULT 0,
    customer_choice INTEGER NOT NULL DEFAULT 0,
    fields TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL CHECK (status IN ('active', 'rejected', 'superseded', 'withdrawn', 'expired')),
    expires_at TEXT COLLATE "C",
    rule TEXT NOT NULL,
    message TEXT NOT NULL,
    rule_at TEXT,
    holder TEXT,
    ended_at TEXT COLLATE "C",
    end_rule TEXT,
    end_message TEXT,
    end_rule_at TEXT,
    superseded_by TEXT
)"""

_PG_HISTORY = """CREATE TABLE history (
    seq BIGINT PRIMARY KEY,
    at TEXT COLLATE "C" NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('register', 'accept', 'reject', 'renew', 'withdraw', 'expire', 'supersede')),
    registration TEXT NOT NULL,
    partner TEXT,
    detail TEXT NOT NULL
)"""

_EVENT_STATUSES = ("accepted", "duplicate", "held", "closed", "outside", "expired", "renewed", "withdrawn", "refused",
                   "applied", "not_applied", "pending", "imported")

_PG_EVENTS = f"""CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('register', 'renew', 'withdraw', 'choose', 'close')),
    event_id TEXT NOT NULL,
    partner TEXT,
    customer TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    corporate_number TEXT,
    at TEXT COLLATE "C" NOT NULL,
    utc_offset INTEGER NOT NULL,
    fields TEXT NOT NULL DEFAULT '{{}}',
    status TEXT NOT NULL CHECK (status IN ({", ".join(f"'{s}'" for s in _EVENT_STATUSES)})),
    rule TEXT NOT NULL,
    message TEXT NOT NULL,
    rule_at TEXT,
    holder TEXT,
    version TEXT,
    expires_at TEXT COLLATE "C"
)"""

_REBUILD_EVENTS = (
    """INSERT INTO events (kind, event_id, partner, customer, customer_name, corporate_number, at, utc_offset,
                           fields, status, rule, message)
       SELECT kind, event_id, partner, customer, customer_name, corporate_number, at, utc_offset, fields,
              'imported', 'migration', 'rebuilt from the registry history of schema 1'
       FROM (SELECT h.seq AS hseq, 0 AS step, h.event AS kind, h.registration AS event_id, h.partner AS partner,
                    r.customer AS customer, r.customer_name AS customer_name,
                    r.corporate_number AS corporate_number, h.at AS at, r.utc_offset AS utc_offset,
                    CASE h.event WHEN 'register' THEN r.fields ELSE '{}' END AS fields
             FROM history h JOIN registrations r ON r.id = h.registration
             WHERE h.event IN ('register', 'renew', 'withdraw')
             UNION ALL
             SELECT h.seq, 1, 'choose', 'C' || h.registration, h.partner, r.customer, r.customer_name,
                    r.corporate_number, h.at, r.utc_offset, '{}'
             FROM history h JOIN registrations r ON r.id = h.registration
             WHERE h.event = 'register' AND r.customer_choice = 1)
       ORDER BY hseq, step""")
"""Events rebuilt from the history of a registry of schema 1 (PostgreSQL names the subquery: `rebuilt`)."""

DEAL_EVENTS: tuple[Statement, ...] = (
    Spelled(f"""CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, -- the order of arrival
        kind TEXT NOT NULL CHECK (kind IN ('register', 'renew', 'withdraw', 'choose', 'close')),
        event_id TEXT NOT NULL,                -- the registration's id; a choice's or a close's own id
        partner TEXT,                          -- the claimant, the chosen partner; NULL: direct sales, or none
        customer TEXT NOT NULL,                -- as written
        customer_name TEXT NOT NULL,           -- normalised (runtime.identity)
        corporate_number TEXT,
        at TEXT NOT NULL,                      -- UTC, ISO 8601 with microseconds: the instant it arrived
        utc_offset INTEGER NOT NULL,           -- seconds; the offset it was written with
        fields TEXT NOT NULL DEFAULT '{{}}',     -- register, close: the declared deal fields, typed JSON
        status TEXT NOT NULL CHECK (status IN ({", ".join(f"'{s}'" for s in _EVENT_STATUSES)})),
        rule TEXT NOT NULL,                    -- the rule that decided, as shown
        message TEXT NOT NULL,
        rule_at TEXT,                          -- file:line:col
        holder TEXT,                           -- the claim owning the deal after the event
        version TEXT,                          -- the program version that decided
        expires_at TEXT                        -- UTC: an accepted or renewed registration is protected until
    )""",
            _PG_EVENTS),
    *number_in_order("events", "seq"),
    "CREATE INDEX events_by_name ON events (customer_name)",
    "CREATE INDEX events_by_number ON events (corporate_number)",
    Spelled("""CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'the registry events are append-only: events are never changed'); END""",
            refuse("events", "UPDATE", "the registry events are append-only: events are never changed")),
    Spelled("""CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'the registry events are append-only: events are never deleted'); END""",
            refuse("events", "DELETE", "the registry events are append-only: events are never deleted")),
    # A file of schema 1 has no events: rebuild them from `history`, which holds every registration, granted
    # renewal and withdrawal with its instant, in order of arrival. A registration marked as the customer's
    # choice becomes the registration followed, at the same instant, by the customer's choice (`C` + its id).
    # Rebuilt events are `imported`: the next request for the customer replays them under the program.
    Spelled(_REBUILD_EVENTS, _REBUILD_EVENTS.replace("customer_choice = 1)\n", "customer_choice = 1) AS rebuilt\n")),
)
"""The deal part of the schema: every request the registry decides, with its status on arrival (`events`)."""

_PG_APPLICATIONS = """CREATE TABLE applications (
    seq BIGINT PRIMARY KEY,
    applicant TEXT NOT NULL,
    received_at TEXT COLLATE "C" NOT NULL,
    utc_offset INTEGER NOT NULL,
    fields TEXT NOT NULL DEFAULT '{}',
    partner TEXT,
    version TEXT NOT NULL,
    detail TEXT NOT NULL
)"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "registrations, append-only history, program", (
        *PG_FUNCTIONS,
        Spelled("""CREATE TABLE registrations (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            partner TEXT,                          -- NULL: the vendor's direct sales
            customer TEXT NOT NULL,                -- as the claimant wrote it
            customer_name TEXT NOT NULL,           -- normalised (runtime.identity)
            corporate_number TEXT,                 -- 13 digits, validated
            registered_at TEXT NOT NULL,           -- UTC, ISO 8601 with microseconds
            utc_offset INTEGER NOT NULL,           -- seconds; the offset the time was written with
            renewals INTEGER NOT NULL DEFAULT 0,
            customer_choice INTEGER NOT NULL DEFAULT 0,
            fields TEXT NOT NULL DEFAULT '{}',     -- declared deal fields, typed JSON
            status TEXT NOT NULL
                CHECK (status IN ('active', 'rejected', 'superseded', 'withdrawn', 'expired')),
            expires_at TEXT,                       -- UTC; as computed when accepted or last renewed
            rule TEXT NOT NULL,                    -- the rule that accepted or rejected the claim
            message TEXT NOT NULL,
            rule_at TEXT,                          -- file:line:col
            holder TEXT,                           -- rejected: the registration that held the customer
            ended_at TEXT,                         -- UTC; superseded, withdrawn or expired
            end_rule TEXT,
            end_message TEXT,
            end_rule_at TEXT,
            superseded_by TEXT
        )""",
                _PG_REGISTRATIONS),
        "CREATE INDEX registrations_by_name ON registrations (customer_name) WHERE status = 'active'",
        "CREATE INDEX registrations_by_number ON registrations (corporate_number) WHERE status = 'active'",
        "CREATE INDEX registrations_by_partner ON registrations (partner, seq)",
        Spelled("""CREATE TABLE history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,                      -- UTC; the time the request carried
            event TEXT NOT NULL CHECK (event IN
                ('register', 'accept', 'reject', 'renew', 'withdraw', 'expire', 'supersede')),
            registration TEXT NOT NULL,
            partner TEXT,
            detail TEXT NOT NULL                   -- JSON
        )""",
                _PG_HISTORY),
        *number_in_order("history", "seq"),
        Spelled("""CREATE TRIGGER history_no_update BEFORE UPDATE ON history
           BEGIN SELECT RAISE(ABORT, 'the registry history is append-only: events are never changed'); END""",
            refuse("history", "UPDATE", "the registry history is append-only: events are never changed")),
        Spelled("""CREATE TRIGGER history_no_delete BEFORE DELETE ON history
           BEGIN SELECT RAISE(ABORT, 'the registry history is append-only: events are never deleted'); END""",
            refuse("history", "DELETE", "the registry history is append-only: events are never deleted")),
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    )),
    Migration(2, "deal events, append-only, rebuilt from history", DEAL_EVENTS),
    Migration(3, "reseller applications and where each went", (
        Spelled("""CREATE TABLE applications (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- the receipt order
            applicant TEXT NOT NULL,
            received_at TEXT NOT NULL,             -- UTC, ISO 8601 with microseconds
            utc_offset INTEGER NOT NULL,           -- seconds; the offset the time was written with
            fields TEXT NOT NULL DEFAULT '{}',     -- declared applicant fields, typed JSON
            partner TEXT,                          -- the 1st-tier distributor it went to; NULL: the vendor
            version TEXT NOT NULL,                 -- the program version that routed it
            detail TEXT NOT NULL                   -- JSON: the reasons, and who was left out and why
        )""",
                _PG_APPLICATIONS),
        *number_in_order("applications", "seq"),
        Spelled("""CREATE TRIGGER applications_no_update BEFORE UPDATE ON applications
           BEGIN SELECT RAISE(ABORT, 'reseller applications are append-only: they are never changed'); END""",
            refuse("applications", "UPDATE", "reseller applications are append-only: they are never changed")),
        Spelled("""CREATE TRIGGER applications_no_delete BEFORE DELETE ON applications
           BEGIN SELECT RAISE(ABORT, 'reseller applications are append-only: they are never deleted'); END""",
            refuse("applications", "DELETE", "reseller applications are append-only: they are never deleted")),
    )),
)
"""Every migration, in order; the last one's version is the schema this code writes."""
