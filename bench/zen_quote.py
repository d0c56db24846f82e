"""zen-engine (GoRules) as a contender: the JDM graphs in bench/jdm/ and the adapter around them.

The graph of a program computes its quote from one JSON context. What a JDM graph cannot do is done
here, before evaluation, and timed with it (see `build_context`):

- walking the distributor chain through the partner table (a graph sees only its own input; passing
  the whole partner table with every transaction would cost more than the walk), and resolving the
  transaction's contract (`transaction.contract` or the partner's);
- picking the period-to-date volumes of the partner whose ladder applies (the level-1 partner).

Everything else — version by date, base margin, tier uplift, ladder step, margin caps, rounding, the
chain's prices and shares, pass-through and services lines, referral fees, benefits and price-rule
violations — is in the graph. Next-step hints are not: ZEN expressions have no number formatting
(`¥1,234,567`), so the explained quote is compared with the hand-written one only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from bench.canon import Plain
from runtime.model import Partner, Transaction, Volumes

JDM_DIR = Path(__file__).resolve().parent / "jdm"
NO_VOLUMES = Volumes()


Evaluate = Callable[[dict[str, Any]], Any]


def _content(program: str) -> Any:
    import zen  # optional dependency: `pip install -e '.[bench]'`

    return zen.ZenDecisionContent((JDM_DIR / f"{program}.json").read_text(encoding="utf-8"))


def evaluator(program: str) -> Evaluate:
    """ZEN's fastest way to evaluate a program's graph (`bench/jdm/<program>.json`) one context at a time.

    An engine whose loader hands back a `ZenDecisionContent` built once: measured about 4× faster than
    `engine.create_decision(text).evaluate(context)` (see `decision_evaluator`).
    """
    import zen

    content = _content(program)
    engine = zen.ZenEngine({"loader": lambda key: content})

    def evaluate(context: dict[str, Any]) -> Any:
        return engine.evaluate(program, context)

    return evaluate


def decision_evaluator(program: str) -> Evaluate:
    """The way ZEN's README shows: `engine.create_decision(text)`, then `decision.evaluate(context)`."""
    import zen

    decision = zen.ZenEngine().create_decision((JDM_DIR / f"{program}.json").read_text(encoding="utf-8"))

    def evaluate(context: dict[str, Any]) -> Any:
        return decision.evaluate(context)

    return evaluate


TRIVIAL_GRAPH = {
    "nodes": [{"id": "request", "type": "inputNode", "name": "request", "position": {"x": 0, "y": 0}, "content": {}},
              {"id": "amount", "type": "expressionNode", "name": "amount", "position": {"x": 250, "y": 0},
               "content": {"expressions": [{"id": "a", "key": "list_amount", "value": "list_price * quantity"}],
                           "passThrough": False, "inputField": None, "outputPath": None, "executionMode": "single"}},
              {"id": "response", "type": "outputNode", "name": "response", "position": {"x": 500, "y": 0},
               "content": {}}],
    "edges": [{"id": "1", "type": "edge", "sourceId": "request", "targetId": "amount"},
              {"id": "2", "type": "edge", "sourceId": "amount", "targetId": "response"}]}
"""One expression between input and output: what any ZEN evaluation costs at least, for the same context."""


def trivial_evaluator() -> Evaluate:
    """`evaluator` for TRIVIAL_GRAPH."""
    import zen

    content = zen.ZenDecisionContent(json.dumps(TRIVIAL_GRAPH))
    engine = zen.ZenEngine({"loader": lambda key: content})

    def evaluate(context: dict[str, Any]) -> Any:
        return engine.evaluate("trivial", context)

    return evaluate


def build_context(txn: Transaction, partners: Mapping[str, Partner], volumes: Mapping[str, Volumes]) -> dict[str, Any]:
    """The graph's input for one transaction: the transaction, the seller, its chain and the ladder volumes."""
    seller = partners[txn.partner]
    chain = [seller]
    while chain[-1].parent is not None:
        chain.append(partners[chain[-1].parent])
    chain.reverse()
    v = volumes.get(chain[0].id, NO_VOLUMES)
    return {"date": txn.date.isoformat(), "contract": txn.contract or seller.contract, "list_price": txn.list_price,
            "sell_price": txn.sell_price, "quantity": txn.quantity, **txn.fields,
            "seller": {"id": seller.id, "tier": seller.tier, "level": seller.level, **seller.fields},
            "chain": [{"id": p.id, "level": p.level, "tier": p.tier} for p in chain],
            "volumes": {"sales": v.sales, "purchases": v.purchases, "list_sales": v.list_sales,
                        "quantity": v.quantity, "deals": v.deals}}


def _whole(value: Any) -> int:
    number = int(value)
    if number != value:
        raise ValueError(f"zen returned {value!r} where a whole amount was expected")
    return number


def _rate(value: Any) -> Fraction:
    return Fraction(str(value))  # ZEN computes in decimal; its float prints as the decimal it was (0.23)


def plain(result: Mapping[str, Any]) -> Plain:
    """A ZEN response (`decision.evaluate(...)`) in the plain form of bench/canon.py."""
    r = result["result"]
    wholesale = r.get("wholesale")  # ZEN leaves keys whose value is null out of the result
    return (r["version"], r["contract"], _rate(r["margin"]), None if wholesale is None else _whole(wholesale),
            _whole(r["partner_gross"]),
            tuple((s["partner"], _whole(s["level"]), _rate(s["margin"]), _whole(s["pays"]), _whole(s["receives"]),
                   _whole(s["keeps"])) for s in r["shares"]),
            tuple((line["partner"], line["kind"], _whole(line["amount"])) for line in r["lines"]),
            tuple((b["name"], _whole(b["value"])) for b in r["benefits"]), tuple(r["violations"]))
