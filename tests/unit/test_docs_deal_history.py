"""The deal history shown in docs/deal-registration.md is what the one deal decision computes today."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import yaml

from compiler.lower import compile_program
from policy_lang.loader import load_program
from runtime.decisions.deals import Arrival, Event, replay
from runtime.loaded import Runtime
from runtime.model import Partner

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "deal-registration.md"
# The partners of the page's table (contract, tier, territory).
PARTNERS = {p.id: p for p in (
    Partner("tc-kanto", "trading", "tier1", fields={"territory": "kanto"}),
    Partner("tc-kansai", "trading", "tier2", fields={"territory": "kansai"}),
    Partner("tc-chubu", "trading", "tier2", fields={"territory": "chubu"}),
    Partner("si-tokyo", "integrator", "tier3", fields={"territory": "tohoku"}),
    Partner("si-osaka", "integrator", "tier3", fields={"territory": "kansai"}),
)}


def _event(item: dict[str, Any]) -> Event:
    kind = next(k for k in ("register", "renew", "withdraw", "choose", "close") if k in item)
    at = item["at"] if isinstance(item["at"], datetime.datetime) else datetime.datetime.fromisoformat(item["at"])
    return Event(kind, str(item[kind]), at, item.get("partner"), item.get("fields") or {})


def _row(arrival: Arrival) -> str:
    event, reason = arrival.event, arrival.reason
    return (f"| {event.kind} {event.id} | {event.at.isoformat()} | {arrival.status} | {reason.rule}: {reason.message} "
            f"| {arrival.holder or 'nobody'} |")


def _runtime() -> Runtime:
    loaded = load_program(str(ROOT / "programs" / "regional_trading.yaml"))
    assert loaded.program is not None
    return Runtime(compile_program(loaded.program))


def test_the_documented_deal_history_is_what_the_decision_computes() -> None:
    page = PAGE.read_text(encoding="utf-8")
    block = re.search(r"<!-- deal-history:events -->\n```yaml\n(.*?)```", page, re.S)
    table = re.search(r"<!-- deal-history:table -->\n(.*?)<!-- deal-history:end -->", page, re.S)
    assert block is not None and table is not None, "the page lost its computed deal history"
    events = [_event(item) for item in yaml.safe_load(block.group(1))]
    history = replay(_runtime(), "plant", events, PARTNERS)
    rows = [line for line in table.group(1).strip().splitlines()[2:]]
    computed = [_row(a) for a in history.arrivals]
    assert rows == computed, "docs/deal-registration.md shows an outdated history; paste:\n" + "\n".join(computed)
