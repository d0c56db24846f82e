"""The deal registration registry (商談登録): an embedded SQLite store decided by the program's conflict rules.

`Registry(path, rt, partners)` opens (or creates) the file; partners `register`, `renew` and `withdraw`
claims on customers and read only their own (`mine`, `outcome`); the administrator `expire`s old
registrations and reads everything (`admin_view`, `history`). See docs/deal-registration.md.
"""

from __future__ import annotations

from runtime.store.migrations import MIGRATIONS as MIGRATIONS
from runtime.store.migrations import RegistryError as RegistryError
from runtime.store.migrations import SchemaError as SchemaError
from runtime.store.migrations import schema_version as schema_version
from runtime.store.registry import HistoryEvent as HistoryEvent
from runtime.store.registry import Outcome as Outcome
from runtime.store.registry import Registration as Registration
from runtime.store.registry import Registry as Registry
from runtime.store.registry import TimeOrderError as TimeOrderError
