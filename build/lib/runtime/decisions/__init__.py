"""The decisions: quote one transaction, settle a period.

Besides the decisions, the face names the pieces of their meaning that other engines (the SQL wing,
the guides) read rather than restate: the seller chain, rate bounds and rate test, rounding terms,
cap notes, the reaching rule of a threshold and the sizes of settlement periods.
"""

from __future__ import annotations

from runtime.decisions._catalog import catalog_item as catalog_item
from runtime.decisions._limits import fee_cap_note as fee_cap_note
from runtime.decisions._limits import least_reaching as least_reaching
from runtime.decisions._limits import margin_cap_note as margin_cap_note
from runtime.decisions._membership import PILOT_HINT as PILOT_HINT
from runtime.decisions._membership import active_partners as active_partners
from runtime.decisions._membership import has_membership as has_membership
from runtime.decisions._membership import is_member as is_member
from runtime.decisions._membership import member_named as member_named
from runtime.decisions._membership import membership_chain as membership_chain
from runtime.decisions._membership import pilot_advisory as pilot_advisory
from runtime.decisions._pricing import _title
from runtime.decisions._pricing import chain_of as chain_of
from runtime.decisions._pricing import rate_bounds as rate_bounds
from runtime.decisions._quoting import _is_rate
from runtime.decisions._rounding import Term as Term
from runtime.decisions._rounding import price_terms as price_terms
from runtime.decisions.conflicts import Claim as Claim
from runtime.decisions.conflicts import Deal as Deal
from runtime.decisions.conflicts import Ownership as Ownership
from runtime.decisions.conflicts import decide as decide
from runtime.decisions.quote import InputError as InputError
from runtime.decisions.quote import QuoteError as QuoteError
from runtime.decisions.quote import quote as quote
from runtime.decisions.resellers import Application as Application
from runtime.decisions.resellers import ResellerRoute as ResellerRoute
from runtime.decisions.resellers import Routed as Routed
from runtime.decisions.resellers import route_new_reseller as route_new_reseller
from runtime.decisions.reviews import Carried as Carried
from runtime.decisions.reviews import Figures as Figures
from runtime.decisions.reviews import Timeline as Timeline
from runtime.decisions.reviews import review_dates as review_dates
from runtime.decisions.reviews import review_tiers as review_tiers
from runtime.decisions.reviews import settle_timeline as settle_timeline
from runtime.decisions.reviews import standing_after as standing_after
from runtime.decisions.routing import Lead as Lead
from runtime.decisions.routing import Routing as Routing
from runtime.decisions.routing import lead_env as lead_env
from runtime.decisions.routing import route as route
from runtime.decisions.settle import _SIZES
from runtime.decisions.settle import Flagged as Flagged
from runtime.decisions.settle import Rejected as Rejected
from runtime.decisions.settle import Settlement as Settlement
from runtime.decisions.settle import Settler as Settler
from runtime.decisions.settle import settle as settle

display_title = _title
"""A title as one line of text: its English, else its only, else its Japanese text, else the fallback."""

is_rate = _is_rate
"""Whether an expression yields a rate (a referral fee that is a share of the amount, not an amount)."""

PERIOD_SIZES = _SIZES
"""Months in each kind of settlement period: month 1, quarter 3, half_year 6, fiscal_year 12."""
