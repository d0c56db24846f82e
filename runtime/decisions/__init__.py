"""The decisions: quote one transaction, settle a period."""

from __future__ import annotations

from runtime.decisions.quote import QuoteError as QuoteError
from runtime.decisions.quote import quote as quote
from runtime.decisions.settle import Rejected as Rejected
from runtime.decisions.settle import Settlement as Settlement
from runtime.decisions.settle import Settler as Settler
from runtime.decisions.settle import settle as settle
