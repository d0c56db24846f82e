"""RuleSet → SQL (sqlglot) for DuckDB and warehouse engines: quotes, quote lines and statements as queries.

See docs/sql.md for what translates, what is refused and the tables the queries assume.
"""

from __future__ import annotations

from runtime.sql._build import DIALECTS as DIALECTS
from runtime.sql._build import header as header
from runtime.sql._build import quote_lines_query as quote_lines_query
from runtime.sql._build import quote_query as quote_query
from runtime.sql._build import render as render
from runtime.sql._build import statement_query as statement_query
from runtime.sql._build import unsupported as unsupported
from runtime.sql._lines import rule_refs as rule_refs
from runtime.sql._support import Unsupported as Unsupported
