"""The decisions: quote one transaction, settle a period."""

from __future__ import annotations

from runtime.decisions._catalog import catalog_item as catalog_item
from runtime.decisions.conflicts import Claim as Claim
from runtime.decisions.conflicts import Deal as Deal
from runtime.decisions.conflicts import Ownership as Ownership
from runtime.decisions.conflicts import decide as decide
from runtime.decisions.quote import QuoteError as QuoteError
from runtime.decisions.quote import quote as quote
from runtime.decisions.routing import Lead as Lead
from runtime.decisions.routing import Routing as Routing
from runtime.decisions.routing import route as route
from runtime.decisions.routing import route_new_reseller as route_new_reseller
from runtime.decisions.settle import Flagged as Flagged
from runtime.decisions.settle import Rejected as Rejected
from runtime.decisions.settle import Settlement as Settlement
from runtime.decisions.settle import Settler as Settler
from runtime.decisions.settle import settle as settle
