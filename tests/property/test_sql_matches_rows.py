"""The DuckDB SQL of a statement equals the row engine's, for random flat programs and transactions.

Programs come from the settlement property tests' generator, without a hierarchy (the SQL slice
refuses hierarchies): retroactive and marginal ladders, one_off and cumulative bonuses with a cap,
every rounding mode and unit, refunds.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from runtime.model import Transaction
from tests.property.test_settlement_properties import FY, build, flat, programs, transactions
from tests.unit.runtime.sql._harness import assert_same, assert_same_quotes


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=programs(hierarchy=False), txns=transactions())
def test_sql_statement_matches_row_engine(spec: dict[str, Any], txns: list[Transaction]) -> None:
    rt = build(spec, "compiled")
    partners = flat(spec)
    assert_same(rt, txns, partners, FY)
    assert_same_quotes(rt, txns, partners)
