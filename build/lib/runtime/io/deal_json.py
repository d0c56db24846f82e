"""The deal decisions' results as JSON values: what `ppl registry`, `ppl route` and `ppl conflicts` print with
`--format json`, and what the service answers, written once."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from runtime.decisions.conflicts import Reason
from runtime.decisions.resellers import ResellerRoute

if TYPE_CHECKING:
    from runtime.store import DealView


def jsonable(value: Any) -> Any:
    """Results as JSON values: dataclasses as objects, times in ISO 8601, exact numbers as text.

    >>> jsonable({"at": datetime.date(2026, 6, 1), "share": Fraction(1, 3)})
    {'at': '2026-06-01', 'share': '1/3'}
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return str(value)
    return value


def _reason(r: Reason | None) -> dict[str, Any] | None:
    return None if r is None else {"rule": r.rule, "message": r.message, "rule_at": str(r.at) if r.at else None}


def claim_reason_json(reason: Reason, partner_of: Mapping[str, str | None]) -> dict[str, Any]:
    """Why a claim owns a deal or not at the instant decided; `at` is where the rule is written."""
    return {"claim": reason.claim, "partner": partner_of.get(reason.claim), "outcome": reason.outcome,
            "rule": reason.rule, "rule_id": reason.rule_id, "message": reason.message,
            "at": str(reason.at) if reason.at else None}


def deal_json(view: DealView) -> dict[str, Any]:
    """A customer's deal as JSON values: every request's status on arrival, the changes of owner, the owner."""
    owner = view.owner
    return {
        "customer": view.customer, "at": view.at.isoformat(),
        "arrivals": [{"at": a.event.at.isoformat(), "kind": a.event.kind, "id": a.event.id,
                      "partner": a.event.partner, "status": a.status, "holder": a.holder, "version": a.version,
                      "expires_at": a.expires_at.isoformat() if a.expires_at else None, **(_reason(a.reason) or {})}
                     for a in view.arrivals],
        "changes": [{"at": c.at.isoformat(), "from": c.previous, "to": c.owner, "partner": c.partner,
                     "cause": c.cause, **(_reason(c.reason) or {})} for c in view.changes],
        "owner": {"claim": owner.owner.id if owner.owner else None,
                  "partner": owner.owner.partner if owner.owner else None, "vendor_decides": owner.vendor_decides,
                  "version": owner.version, "decided_by": _reason(owner.decided_by)},
    }


def reseller_json(answer: ResellerRoute, recorded: bool = False) -> dict[str, Any]:
    """An inquiry's routing as a JSON object; rule locations as `file:line:col`; `recorded`: kept in a registry."""
    return {"applicant": answer.applicant, "at": answer.at.isoformat(), "version": answer.version,
            "partner": answer.partner,
            "reasons": [{"key": r.key, "rule": r.rule, "found": r.found, "at": str(r.at) if r.at else None}
                        for r in answer.reasons],
            "left_out": [{"partner": x.partner, "key": x.key, "reason": x.reason, "at": str(x.at) if x.at else None}
                         for x in answer.left_out],
            "recorded": recorded}
