"""The fast path of the input checks: whether an input is plainly valid, answered in about a microsecond.

Most inputs are the common case: every field of its exact type, plain ASCII ids, declared fields that no
range can refuse. These predicates answer True only for such an input, from what is worked out once per
rule set (`rules_of`); False is no verdict, and the detailed checks (`runtime.decisions._input_objects`)
then decide and name the mistake. So the fast path never accepts what the detailed checks refuse: the
tests of tests/unit/test_python_api*.py run every refused input through both.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, NamedTuple

from runtime import ids, ir
from runtime import input_rules as rules
from runtime.decisions._inputs import declared
from runtime.model import Partner, Transaction, Volumes
from runtime.money import MAX_AMOUNT


class FieldRule(NamedTuple):
    """What the fast path needs of a declared field: the Python types of its values, its members, whether it
    has a range (always checked in detail) and whether it is an amount (held under the ceiling)."""

    types: tuple[type, ...]
    members: frozenset[str] | None
    ranged: bool
    money: bool


class Known(NamedTuple):
    """What inputs are checked against, worked out once per rule set."""

    ruleset: ir.RuleSet
    ceiling: int  # the first amount in minor units past the ceiling
    fields: Mapping[str, Mapping[str, FieldRule]]  # by scope, then by name
    contracts: tuple[str, ...]
    tiers: tuple[str, ...]
    assigned: bool  # the vendor assigns every tier: a partner names one


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "money": (int,), "integer": (int,), "number": (int, Fraction), "percent": (int, Fraction), "boolean": (bool,),
    "date": (datetime.date,), "text": (str,)}
"""The exact Python types of the values of the declared types the fast path knows (others take the detailed
checks: durations, dated facts, lists)."""

_KNOWN: dict[int, Known] = {}


def _field_rules(ruleset: ir.RuleSet, scope: str) -> dict[str, FieldRule]:
    found: dict[str, FieldRule] = {}
    for decl in declared(ruleset, scope).values():
        members = ruleset.enums.get(decl.type)
        types = (str,) if members is not None else _PYTHON_TYPES.get(decl.type)
        if types is not None:
            ranged = decl.min is not None or decl.max is not None or decl.values is not None
            found[decl.name] = FieldRule(types, frozenset(members) if members is not None else None, ranged,
                                         decl.type == "money")
    return found


def rules_of(ruleset: ir.RuleSet) -> Known:
    """What inputs are checked against under a rule set (worked out once per rule set)."""
    found = _KNOWN.get(id(ruleset))
    if found is None or found.ruleset is not ruleset:
        if len(_KNOWN) > 64:
            _KNOWN.clear()
        tiers = rules.program_ids(ruleset, "tier")
        found = _KNOWN[id(ruleset)] = Known(
            ruleset, MAX_AMOUNT * 10**ruleset.minor_unit,
            {scope: _field_rules(ruleset, scope) for scope in ("transaction", "partner")},
            rules.program_ids(ruleset, "contract"), tiers, bool(tiers) and rules.all_assigned(ruleset))
    return found


def plain_id(value: object) -> bool:
    """Whether a value is an id in its canonical form at first sight: printable ASCII, trimmed, not too long."""
    return type(value) is str and value.isascii() and value.isprintable() and 0 < len(value) <= ids.MAX_ID_LENGTH \
        and value[0] != " " and value[-1] != " "


def plain_fields(fields: Any, rules_by_name: Mapping[str, FieldRule], ceiling: int) -> bool:
    """Whether declared fields are plainly valid: a dict of declared names, each value of its exact type, no range."""
    if type(fields) is not dict:
        return False
    for name, value in fields.items():
        rule = rules_by_name.get(name)
        if rule is None or type(value) not in rule.types or rule.ranged or (
                rule.members is not None and value not in rule.members) or (rule.money and abs(value) >= ceiling):
            return False
    return True


def plain_transaction(txn: object, ruleset: ir.RuleSet) -> bool:
    """Whether a transaction is plainly valid: the common sale, with no instant, refund or SKU."""
    if type(txn) is not Transaction or txn.at is not None or txn.refund_of is not None or txn.sku is not None:
        return False
    list_price, sell_price, quantity, known = txn.list_price, txn.sell_price, txn.quantity, rules_of(ruleset)
    return (type(list_price) is int and type(sell_price) is int and type(quantity) is int
            and type(txn.date) is datetime.date and 0 <= list_price and 0 <= sell_price
            and abs(quantity) <= rules.MAX_QUANTITY and max(list_price, sell_price) * abs(quantity) < known.ceiling
            and plain_id(txn.id) and plain_id(txn.partner) and (txn.product == "" or plain_id(txn.product))
            and (txn.contract is None or txn.contract == "" or plain_id(txn.contract))
            and plain_fields(txn.fields, known.fields["transaction"], known.ceiling))


def plain_partner(partner: object, known: Known) -> bool:
    """Whether a partner is plainly valid: known contract and tier, an int level, no membership dates."""
    if type(partner) is not Partner or partner.joined is not None or partner.left is not None:
        return False
    tier = partner.tier
    return (plain_id(partner.id) and partner.contract in known.contracts and plain_id(partner.contract)
            and (tier in known.tiers if tier is not None else not known.assigned) and (tier is None or plain_id(tier))
            and type(partner.level) is int and (partner.parent is None or plain_id(partner.parent))
            and plain_fields(partner.fields, known.fields["partner"], known.ceiling))


def plain_volumes(volumes: object) -> bool:
    """Whether a partner's volumes are a `Volumes` of ints."""
    return (type(volumes) is Volumes and type(volumes.sales) is int and type(volumes.purchases) is int
            and type(volumes.list_sales) is int and type(volumes.quantity) is int and type(volumes.deals) is int)
