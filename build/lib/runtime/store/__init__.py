"""The stores: the deal registration registry (商談登録) and the settlement ledger, each in an SQLite file or,
given a `postgresql://` URL, in a PostgreSQL database (`runtime.store._db`; `shown(target)` is a target as
messages show it, without a URL's password).

`Registry(path, rt, partners)` opens (or creates) the file; partners `register`, `renew` and `withdraw`
claims on customers and read only their own (`mine`, `outcome`); the administrator records the customer's
documented choice (`choose`) and the close (`close_deal`), `expire`s old registrations and reads everything
(`deal`, `events`, `admin_view`, `history`). Every request is decided by replaying the customer's deal
(`runtime.decisions.deals`). See docs/deal-registration.md.

Reseller applications: `Applications(path, rt, partners)` shares the registry's file; `apply` routes an
application knowing the ones recorded before it, and records it (`records`, `routed`).

The settlement ledger: `Ledger(path)` records settlement runs, append-only, in a file of its own;
`record` appends a run against what the year's earlier runs paid (`paid_to_date`). See docs/ledger.md.
"""

from __future__ import annotations

from runtime.store._db import is_url as is_url
from runtime.store._db import shown as shown
from runtime.store._ledger_records import CSV_COLUMNS as CSV_COLUMNS
from runtime.store._ledger_records import LEDGER_MIGRATIONS as LEDGER_MIGRATIONS
from runtime.store._ledger_records import LedgerError as LedgerError
from runtime.store._ledger_records import LedgerLine as LedgerLine
from runtime.store._ledger_records import LedgerSchemaError as LedgerSchemaError
from runtime.store._ledger_records import Run as Run
from runtime.store._ledger_records import write_runs_csv as write_runs_csv
from runtime.store._ledger_records import write_runs_json as write_runs_json
from runtime.store._ledger_records import write_tiers_csv as write_tiers_csv
from runtime.store.applications import Applications as Applications
from runtime.store.applications import Recorded as Recorded
from runtime.store.ledger import Ledger as Ledger
from runtime.store.ledger import earned_figures as earned_figures
from runtime.store.ledger import fiscal_year as fiscal_year
from runtime.store.ledger import settle_against as settle_against
from runtime.store.ledger import year_to_date as year_to_date
from runtime.store.migrations import MIGRATIONS as MIGRATIONS
from runtime.store.migrations import RegistryError as RegistryError
from runtime.store.migrations import SchemaError as SchemaError
from runtime.store.migrations import schema_version as schema_version
from runtime.store.registry import DealEvent as DealEvent
from runtime.store.registry import DealView as DealView
from runtime.store.registry import HistoryEvent as HistoryEvent
from runtime.store.registry import Outcome as Outcome
from runtime.store.registry import Registration as Registration
from runtime.store.registry import Registry as Registry
from runtime.store.registry import TimeOrderError as TimeOrderError
