"""Whole inputs built in Python, checked before a decision reads them: transactions, partners, leads, deals.

Each check applies the rules a file reader applies to the same row (`runtime.input_rules`) to the
object as built, field by field (`runtime.decisions._inputs`), and raises `InputError` at the first
mistake. What is checked where is listed in docs/api.md ("What is checked, and where").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from runtime import input_rules as rules
from runtime import instants, ir
from runtime.decisions._input_fast import plain_partner, plain_transaction, plain_volumes, rules_of
from runtime.decisions._inputs import (
    InputError,
    check_date,
    check_fields,
    check_flag,
    check_id,
    check_instant,
    check_int,
    check_volumes,
    given,
)
from runtime.model import UNSTATED, Partner, Transaction, Volumes

_MONEY = "an amount in minor units, an int"


def _subject(kind: str, obj: Any, row: int = 0) -> str:
    raw = getattr(obj, "id", "")
    name = f"{kind} `{rules.shown(raw)}`" if isinstance(raw, str) and raw else f"a {kind}"
    return f"{name} (row {row})" if row else name


def _price(subject: str, name: str, value: object, refund: bool, quantity: int, minor_unit: int) -> None:
    check_int(subject, name, value, _MONEY)
    assert isinstance(value, int)
    if value == UNSTATED and refund:
        return  # a refund may leave its prices unstated: they are its sale's
    if value < 0:
        raise InputError(subject, name, value, rules.negative_price_reason(name), rules.BAD_VALUE)
    if over_ceiling := rules.line_amount_problem(name, value, quantity, minor_unit):
        raise InputError(subject, "quantity", quantity, over_ceiling.reason, over_ceiling.code)


def check_transaction(txn: object, ruleset: ir.RuleSet, row: int = 0) -> None:
    """A transaction built in Python, as `runtime.io.readers.parse_transaction` checks a row.

    Checked: every field's type; ids in their canonical form; prices of 0 or more (`UNSTATED` only in a
    refund); a quantity of at most `MAX_QUANTITY` units whose line amounts stay under the ceiling; `at`
    with its UTC offset and `date` its calendar date in the program's time zone; `fields` of the declared
    `transaction` inputs, each of its type and range. Not checked here (the decisions judge them, as for
    file rows): whether the partner, contract or SKU is known, and whether the quantity makes a sale or a refund.

    Raises:
        InputError: the first mistake, naming the transaction, the field and the value.
    """
    if plain_transaction(txn, ruleset):
        return
    if not isinstance(txn, Transaction):
        raise InputError("the transaction", "transaction", txn, "expected a runtime.model.Transaction")
    subject = _subject("transaction", txn, row)
    check_id(subject, "id", txn.id)
    check_date(subject, "date", txn.date)
    check_id(subject, "partner", txn.partner)
    check_int(subject, "quantity", txn.quantity, "a number of units, an int")
    if abs(txn.quantity) > rules.MAX_QUANTITY:
        raise InputError(subject, "quantity", txn.quantity, rules.too_many_reason(txn.quantity), rules.BAD_VALUE)
    check_id(subject, "refund_of", txn.refund_of, optional=True)
    refund = txn.refund_of is not None
    _price(subject, "list_price", txn.list_price, refund, txn.quantity, ruleset.minor_unit)
    _price(subject, "sell_price", txn.sell_price, refund, txn.quantity, ruleset.minor_unit)
    if txn.contract != "":  # "" is no contract, as None is: the partner's
        check_id(subject, "contract", txn.contract, optional=True)
    if not isinstance(txn.product, str):
        raise InputError(subject, "product", txn.product, "expected a product id, a str (\"\" for none)",
                         rules.BAD_VALUE)
    if txn.product:
        check_id(subject, "product", txn.product)
    check_id(subject, "sku", txn.sku, optional=True)
    if txn.at is not None:
        check_instant(subject, "at", txn.at)
        local = instants.local_date(txn.at, ruleset.time_zone)
        if local != txn.date:
            raise InputError(subject, "date", txn.date, f"`at` {txn.at.isoformat()} falls on {local} in "
                             f"{ruleset.time_zone}; `date` is the calendar date of `at`", rules.BAD_VALUE)
    check_fields(subject, txn.fields, "transaction", ruleset)


def checked_rows(transactions: Iterable[Transaction], ruleset: ir.RuleSet) -> Iterator[Transaction]:
    """The transactions, each checked (`check_transaction`, with its row number) as it is taken."""
    for row, txn in enumerate(transactions, 1):
        check_transaction(txn, ruleset, row)
        yield txn


def check_partner(partner: object, ruleset: ir.RuleSet) -> None:
    """One partner built in Python, as the partners reader checks a row.

    Its place in the hierarchy (a parent that is known and one level up, a level the hierarchy has) is not
    checked here: a quote that reads the partner's distributor chain refuses a broken one (E513), and a
    settlement rejects that partner's rows and settles the others.

    Raises:
        InputError: a field of the wrong type, an unknown contract or tier (E522), no tier where the vendor
            assigns every tier (E520), leaving before joining (E521), or `fields` that are not the declared
            `partner` inputs of their types.
    """
    known = rules_of(ruleset)
    if plain_partner(partner, known):
        return
    if not isinstance(partner, Partner):
        raise InputError("the partner", "partner", partner, "expected a runtime.model.Partner")
    subject = _subject("partner", partner)
    check_id(subject, "id", partner.id, what="partner id")
    check_id(subject, "contract", partner.contract)
    if partner.contract not in known.contracts:
        raise InputError(subject, "contract", partner.contract,
                         rules.unknown_reason("contract", partner.contract, known.contracts), rules.UNKNOWN_MEMBER)
    check_id(subject, "tier", partner.tier, optional=True)
    if partner.tier is None and known.assigned:
        raise InputError(subject, "tier", None, rules.no_tier_reason(partner.id, known.tiers), rules.MISSING)
    if partner.tier is not None and partner.tier not in known.tiers:
        raise InputError(subject, "tier", partner.tier, rules.unknown_reason("tier", partner.tier, known.tiers),
                         rules.UNKNOWN_MEMBER)
    check_int(subject, "level", partner.level, "a level of the hierarchy, an int")
    check_id(subject, "parent", partner.parent, optional=True)
    check_date(subject, "joined", partner.joined, optional=True)
    check_date(subject, "left", partner.left, optional=True)
    if (problem := rules.left_problem(partner.id, partner.joined, partner.left)) is not None:
        raise InputError(subject, "left", partner.left, problem.reason, problem.code)
    check_fields(subject, partner.fields, "partner", ruleset)


def check_partners(partners: object, ruleset: ir.RuleSet) -> None:
    """A partner table built in Python: partners by id, each checked (`check_partner`).

    Raises:
        InputError: not a mapping of ids to partners, a key that is not its partner's id, or a partner
            `check_partner` refuses.
    """
    if not isinstance(partners, Mapping):
        raise InputError("the partners", "partners", partners, "expected a mapping of partner ids to Partners")
    for key, partner in partners.items():
        check_partner(partner, ruleset)
        _check_key(key, partner)


def _check_key(key: object, partner: Partner) -> None:
    if key != partner.id:
        raise InputError(_subject("partner", partner), "id", partner.id,
                         f"the partner is filed under the key {given(key)}; partners are keyed by their id")


def check_chain(seller: str, partners: Mapping[str, Partner], ruleset: ir.RuleSet,
                volumes: Mapping[str, Volumes] | None = None) -> None:
    """The seller of one quote and the partners above it, and their volumes, as `check_partners` and
    `check_volumes` check them (an unknown seller is the quote's to refuse: E511).

    Raises:
        InputError: as `check_partners` and `check_volumes`, for these partners.
    """
    if not isinstance(partners, Mapping):
        raise InputError("the partners", "partners", partners, "expected a mapping of partner ids to Partners")
    if volumes is not None and not isinstance(volumes, Mapping):
        check_volumes(volumes)  # raises: not a mapping
    seen = set()
    key: str | None = seller
    while key is not None and key not in seen and (partner := partners.get(key)) is not None:
        check_partner(partner, ruleset)
        _check_key(key, partner)
        if volumes and key in volumes and not plain_volumes(volumes[key]):
            check_volumes({key: volumes[key]})
        seen.add(key)
        key = partner.parent


def check_kind(value: object, kind: type, what: str) -> None:
    """An input of the class a decision takes.

    Raises:
        InputError: an object of another class.
    """
    if not isinstance(value, kind):
        raise InputError(f"the {what}", what, value, f"expected a {kind.__module__}.{kind.__qualname__}")


def check_lead(lead: Any, ruleset: ir.RuleSet) -> None:
    """A lead built in Python (a `routing.Lead`: `check_kind` first): an id, a `datetime.date` and the declared
    `lead` inputs.

    Raises:
        InputError: the first mistake.
    """
    subject = _subject("lead", lead)
    check_id(subject, "id", lead.id)
    check_date(subject, "date", lead.date)
    check_fields(subject, lead.fields, "lead", ruleset)


def check_deal(deal: Any, claims: Sequence[Any], ruleset: ir.RuleSet) -> None:
    """A deal and its claims built in Python (a `Deal` and `Claim`s: `check_kind` first): instants as
    `datetime.datetime`, ids, counts and flags of their types, and the declared `deal` inputs (an instant
    without its offset is the decision's to refuse: E530).

    Raises:
        InputError: the first mistake.
    """
    subject = f"the deal of `{rules.shown(deal.customer)}`"
    if not isinstance(deal.customer, str) or not deal.customer.strip():
        raise InputError("the deal", "customer", deal.customer, "expected the customer's name, a str",
                         rules.BAD_VALUE)
    _check_moment(subject, "at", deal.at)
    check_fields(subject, deal.fields, "deal", ruleset)
    for claim in claims:
        where = _subject("claim", claim)
        check_id(where, "id", claim.id)
        check_id(where, "partner", claim.partner, optional=True)
        _check_moment(where, "registered_at", claim.registered_at)
        check_int(where, "renewals", claim.renewals, "a number of renewals, an int")
        check_flag(where, "customer_choice", claim.customer_choice)
        check_flag(where, "registered", claim.registered)


def _check_moment(subject: str, name: str, value: object) -> None:
    if not isinstance(value, datetime.datetime):
        check_instant(subject, name, value)  # raises: not a datetime


def check_claimants(claims: Sequence[Any], partners: Mapping[str, Partner], ruleset: ir.RuleSet) -> None:
    """The partners a deal's claims name, and the partners above them (`check_chain`)."""
    if not isinstance(partners, Mapping):
        raise InputError("the partners", "partners", partners, "expected a mapping of partner ids to Partners")
    for claim in claims:
        if claim.partner is not None:
            check_chain(claim.partner, partners, ruleset)
