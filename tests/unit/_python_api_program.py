"""The program the Python API tests run on: a hierarchy, tiers, conflicts, lead routing and a declared input of
every type, on both engines."""

from __future__ import annotations

import datetime
from typing import Any

from runtime.loaded import Runtime
from runtime.model import Partner, Transaction, Volumes
from tests.unit.runtime.decisions.decision_helpers import build

PROGRAM = """\
enums:
  region: [kanto, kansai, kyushu]
inputs:
  partner:
    trailing_sales: money
    engineers: {type: integer, min: 0, max: 500}
    nda_signed: boolean
    region: region
    score: number
    share: percent
    since: date
    note: text
    nda: dated
    regions: {type: {list: region}}
  transaction:
    services: money
    seats: {type: integer, min: 1}
    discount: percent
    segment: region
    booked: date
    rush: boolean
    ratio: number
    memo: text
  deal:
    region: region
  lead:
    region: region
contracts:
  - id: reseller
    kind: distributor
    margin: if transaction.rush then 12% else 10%
  - id: introducer
    kind: referral
    fee: 5%
tiers:
  cadence: yearly
  levels:
    - id: gold
      qualify: partner.trailing_sales >= 100000000
      margin_uplift: 2%
    - id: member
      qualify: true
hierarchy:
  model: nested
  max_depth: 2
  levels:
    - {level: 1, margin: 20%}
    - {level: 2, margin: 10%}
conflicts:
  registration:
    expires_after: 90d
  precedence:
    - rule: partner_over_direct
    - rule: first_registration
  otherwise: vendor_decides
lead_routing:
  eligible: partner.region == lead.region
  order:
    - by: tier
  among_equals: rotate
"""

DAY = datetime.date(2026, 6, 1)
TOKYO = datetime.timezone(datetime.timedelta(hours=9))
FIELDS: dict[str, Any] = {"trailing_sales": 150_000_000, "engineers": 4, "nda_signed": True, "region": "kanto"}


def runtime_of(engine: str = "compiled") -> Runtime:
    return build(PROGRAM, engine)


def partner_table() -> dict[str, Partner]:
    """A valid table: a level-1 distributor, one below it, and an introducer."""
    found = [Partner("D-1", "reseller", "gold", 1, None, dict(FIELDS)),
             Partner("D-2", "reseller", "member", 2, "D-1", {**FIELDS, "trailing_sales": 0, "region": "kansai"}),
             Partner("I-1", "introducer", None, 1, None, {"region": "kanto"})]
    return {p.id: p for p in found}


def valid_sale(**changes: Any) -> Transaction:
    values: dict[str, Any] = {"id": "T-1", "date": DAY, "partner": "D-2", "list_price": 100_000,
                              "sell_price": 95_000, "quantity": 3, "fields": {"rush": False, "seats": 2}}
    values.update(changes)
    return Transaction(**values)


VOLUMES = {"D-1": Volumes(sales=1_000_000, purchases=800_000)}
