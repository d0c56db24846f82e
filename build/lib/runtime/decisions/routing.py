"""Lead routing: which partners are offered an inbound lead, in what order, and why.

Partners that fail `eligible` or meet `skip_when` (at capacity) are left out, with the reason. The
rest are ranked by the program's `order` keys, strongest first; partners that rank equal take turns
deterministically: `rotate` turns the group by an offset taken from the lead's id (the same lead
always gets the same order; different leads spread evenly), `least_loaded` puts the partner with the
fewest open leads first (`partner.open_leads`, when the program declares it). Would-be resellers are
routed by `runtime.decisions.resellers`.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from runtime import ir
from runtime.decisions._input_objects import check_kind, check_lead, check_partners
from runtime.decisions._slots import lacks_fields, partner_fields
from runtime.decisions.quote import QuoteError
from runtime.labels import rule_label
from runtime.loaded import LoadedVersion, Runtime
from runtime.model import Partner


@dataclass(frozen=True, slots=True)
class Lead:
    """An inbound lead: an id, its date and the fields routing reads (`lead.region`, `lead.segment` …)."""

    id: str
    date: datetime.date
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Placed:
    """A partner's place in the routing order and the keys that put it there."""

    partner: str
    position: int
    why: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Left:
    """A partner left out of the routing, and why."""

    partner: str
    reason: str
    at: ir.Loc | None
    kind: str = "left_out"  # not_eligible | at_capacity: a stable code for the reason, for other languages


@dataclass(frozen=True, slots=True)
class Routing:
    """The order in which partners are offered a lead, and who was left out."""

    lead: str
    version: str
    order: tuple[Placed, ...]
    left_out: tuple[Left, ...]


def _offset(key: str, size: int) -> int:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % size if size else 0


def lead_env(partner: Partner, lead: Lead) -> dict[str, Any]:
    """The environment routing conditions read for one partner and one lead."""
    env = partner_fields(partner) | {"lead.id": lead.id, "lead.date": lead.date}
    env.update((f"lead.{k}", v) for k, v in lead.fields.items())
    return env


def _version(rt: Runtime, day: datetime.date) -> LoadedVersion:
    version = rt.version_on(day)
    if version is None:
        raise QuoteError("E510", f"no version of program `{rt.ruleset.program_id}` is in force on {day}")
    return version


def _met(slots: Mapping[str, Any], key: str, condition: ir.Expr, partner: Partner) -> bool:
    """Whether a partner meets a routing condition; one that reads a field the partner has not on file is not met."""
    return not lacks_fields(condition, partner) and bool(slots[key])


def route(rt: Runtime, lead: Lead, partners: Mapping[str, Partner], *, checked: bool = False) -> Routing:
    """Rank the partners for a lead under the version in force on the lead's date.

    Every partner is considered, so the lead and every partner built in Python are checked as file rows are,
    unless `checked` (read by `runtime.io`, or checked before).

    Raises:
        InputError: unless `checked`, a lead or partner that a file reader would refuse.
        QuoteError: no version in force (E510), or the program has no lead routing (E532).
    """
    if not checked:
        check_kind(lead, Lead, "lead")
        check_lead(lead, rt.ruleset)
        check_partners(partners, rt.ruleset)
    version = _version(rt, lead.date)
    routing = version.rules.lead_routing
    if routing is None:
        raise QuoteError("E532", f"version {version.rules.version} of the program has no lead routing")
    tiers = [t.id for t in version.rules.tiers.levels] if version.rules.tiers else []
    ranked: list[tuple[tuple[int, ...], list[str], Partner]] = []
    left: list[Left] = []
    for partner in sorted(partners.values(), key=lambda p: p.id):
        slots = version.lead(lead_env(partner, lead))
        if routing.eligible is not None and not _met(slots, ir.routing_slot("eligible"), routing.eligible, partner):
            left.append(Left(partner.id, "not eligible for this lead", routing.eligible.at, "not_eligible"))
            continue
        if routing.skip_when is not None and _met(slots, ir.routing_slot("skip_when"), routing.skip_when, partner):
            left.append(Left(partner.id, "at capacity", routing.skip_when.at, "at_capacity"))
            continue
        key: list[int] = []
        why: list[str] = []
        for index, preference in enumerate(routing.order):
            if preference.by == "tier":
                rank = tiers.index(partner.tier) if partner.tier in tiers else len(tiers)
                key.append(rank)
                why.append(rule_label(ir.RuleRef.tier(partner.tier)) if partner.tier else "no tier")
            else:
                assert preference.prefer is not None
                preferred = _met(slots, ir.routing_slot("prefer", index), preference.prefer, partner)
                key.append(0 if preferred else 1)
                title = preference.title.get("en") or preference.title.get("") or "preference"
                why.append(f"{title}: {'yes' if preferred else 'no'}")
        ranked.append((tuple(key), why, partner))
    groups: dict[tuple[int, ...], list[tuple[list[str], Partner]]] = {}
    for rank_key, why, partner in ranked:
        groups.setdefault(rank_key, []).append((why, partner))
    placed: list[Placed] = []
    for rank_key in sorted(groups):
        members = groups[rank_key]
        if routing.among_equals == "least_loaded":
            members.sort(key=lambda m: (m[1].fields.get("open_leads", 0), m[1].id))
            turn = "fewest open leads first"
        else:
            shift = _offset(lead.id, len(members))
            members = members[shift:] + members[:shift]
            turn = "equals take turns"
        for why, partner in members:
            extra = (turn,) if len(members) > 1 else ()
            placed.append(Placed(partner.id, len(placed) + 1, (*why, *extra)))
    return Routing(lead.id, version.rules.version, tuple(placed), tuple(left))
