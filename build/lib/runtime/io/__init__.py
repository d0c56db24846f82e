"""Batch input and output: transactions and partners from CSV or JSON Lines, statements to files.

Reading streams and never stops at a bad row: each becomes a `Rejected` with a stable code
(E520 missing field, E521 bad value, E522 unknown enumeration member, E523 amount finer than the
currency), fed to the settler like any other row so that rows read = accepted + rejected.
"""

from __future__ import annotations

from runtime.io.readers import PartnersError as PartnersError
from runtime.io.readers import TransactionReader as TransactionReader
from runtime.io.readers import feed as feed
from runtime.io.readers import parse_partners as parse_partners
from runtime.io.readers import parse_period as parse_period
from runtime.io.readers import parse_transaction as parse_transaction
from runtime.io.readers import read_partners as read_partners
from runtime.io.readers import read_transactions as read_transactions
from runtime.io.records import ReadError as ReadError
from runtime.io.values import CODES as CODES
from runtime.io.writers import Settled as Settled
from runtime.io.writers import SettlementWriter as SettlementWriter
from runtime.io.writers import partner_row as partner_row
from runtime.io.writers import quote_json as quote_json
from runtime.io.writers import ruleset_sha256 as ruleset_sha256
from runtime.io.writers import settlement_json as settlement_json
from runtime.io.writers import statement_json as statement_json
from runtime.io.writers import write_statements as write_statements
