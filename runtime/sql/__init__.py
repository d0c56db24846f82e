"""RuleSet → SQL (sqlglot) for DuckDB and warehouse engines: quotes and statements as queries.

A first slice: programs without a hierarchy or pass-through; see docs/sql.md.
"""

from __future__ import annotations

from runtime.sql._build import DIALECTS as DIALECTS
from runtime.sql._build import header as header
from runtime.sql._build import quote_query as quote_query
from runtime.sql._build import render as render
from runtime.sql._build import statement_query as statement_query
from runtime.sql._build import unsupported as unsupported
from runtime.sql._support import Unsupported as Unsupported
