"""Properties of the checks of inputs built in Python: a valid transaction built in Python is the transaction the
reader makes of the same row, and quotes the same; every mutation of it to a value of a wrong type is refused with
an `InputError`, never another exception and never a quote."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime import InputError
from runtime.decisions.quote import Quoter, quote
from runtime.decisions.settle import Settler
from runtime.io.readers import parse_transaction
from runtime.loaded import Runtime
from runtime.model import Period, Transaction
from tests.unit._python_api_program import TOKYO, VOLUMES, partner_table, runtime_of, valid_sale

RT: Runtime = runtime_of()
PARTNERS = partner_table()
PERIOD = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))
REGIONS = ("kanto", "kansai", "kyushu")

# --- a valid transaction, and the row a file would hold for it -------------------------------------------------

_OPTIONAL: dict[str, Any] = {
    "services": (st.integers(0, 10**9), str),
    "seats": (st.integers(1, 500), str),
    "discount": (st.integers(0, 100).map(lambda n: Fraction(n, 100)), lambda f: f"{f * 100}%"),
    "segment": (st.sampled_from(REGIONS), str),
    "booked": (st.dates(datetime.date(2025, 1, 1), datetime.date(2027, 12, 31)), datetime.date.isoformat),
    "ratio": (st.integers(0, 10**6).map(lambda n: Fraction(n, 1000)),
              lambda f: f"{Decimal(f.numerator) / Decimal(f.denominator):f}"),
    "memo": (st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e), min_size=1, max_size=12), str),
}


@st.composite
def sales(draw: st.DrawFn) -> tuple[Transaction, dict[str, str]]:
    """A valid sale built in Python, and the same sale as a CSV row (text)."""
    day = draw(st.dates(PERIOD.start, PERIOD.end))
    at = None
    if draw(st.booleans()):
        at = datetime.datetime.combine(day, datetime.time(draw(st.integers(0, 23)), draw(st.integers(0, 59))),
                                       TOKYO)
    fields: dict[str, Any] = {"rush": draw(st.booleans())}
    row = {"rush": "true" if fields["rush"] else "false"}
    for name in draw(st.sets(st.sampled_from(sorted(_OPTIONAL)))):
        strategy, text = _OPTIONAL[name]
        fields[name] = draw(strategy)
        row[name] = text(fields[name])
    list_price = draw(st.integers(1, 10**7))
    txn = Transaction(f"T-{draw(st.integers(1, 10**6))}", day, draw(st.sampled_from(["D-1", "D-2"])), list_price,
                      draw(st.integers(1, list_price)), draw(st.integers(1, 1000)), fields=fields, at=at)
    row.update({"id": txn.id, "date": at.isoformat() if at else day.isoformat(), "partner": txn.partner,
                "list_price": str(txn.list_price), "sell_price": f"{txn.sell_price:,}", "quantity": str(txn.quantity)})
    return txn, row


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sale=sales())
def test_a_valid_transaction_built_in_python_quotes_as_its_row_read_from_a_file(
        sale: tuple[Transaction, dict[str, str]]) -> None:
    txn, row = sale
    parsed = parse_transaction(row, RT.ruleset, 1)
    assert parsed == txn
    assert isinstance(parsed, Transaction)
    assert quote(RT, txn, PARTNERS, VOLUMES) == quote(RT, parsed, PARTNERS, VOLUMES, checked=True)
    assert Quoter(RT, PARTNERS, VOLUMES).quote(txn) == Quoter(RT, PARTNERS, VOLUMES, checked=True).quote(parsed)


# --- mutations to a wrong type ---------------------------------------------------------------------------------

WRONG: list[Any] = ["12", "", " D-1", 1.5, Decimal("3"), True, None, [1], (), {"a": 1}, 7, -3, Fraction(1, 3),
                    datetime.date(2026, 6, 1), datetime.datetime(2026, 6, 1, 10, 0),
                    datetime.datetime(2026, 6, 3, 10, 0, tzinfo=TOKYO), object()]
"""Values to put in a field: each is taken only where it is not of the field's type."""

_ID = ("id", "partner")
_OPTIONAL_ID = ("contract", "refund_of", "sku")
_INT = ("list_price", "sell_price", "quantity")
_DECLARED = {"services": "money", "seats": "integer", "discount": "percent", "segment": "region", "booked": "date",
             "rush": "boolean", "ratio": "number", "memo": "text"}


def _is_int(value: Any) -> bool:
    return type(value) is int


def of_its_type(name: str, value: Any) -> bool:
    """Whether a value is one the field takes (so the mutation is not a wrong type)."""
    if name in _ID:
        return isinstance(value, str) and value.strip() == value and value != ""
    if name == "contract" and value == "" and isinstance(value, str):
        return True  # no contract, as None is: the partner's
    if name in _OPTIONAL_ID:
        return value is None or (isinstance(value, str) and value.strip() == value and value != "")
    if name == "quantity":  # a quantity of 0, or a negative one, is the rules' to judge (a settlement rejects it)
        return _is_int(value)
    if name in _INT:
        return _is_int(value) and value >= 0
    if name == "date":
        return type(value) is datetime.date
    if name == "product":
        return isinstance(value, str) and value.strip() == value
    if name == "at":
        return value is None
    if name == "fields":
        return isinstance(value, dict) and not value
    kind = _DECLARED[name]
    return {"money": _is_int(value), "integer": _is_int(value) and value >= 1, "boolean": type(value) is bool,
            "percent": _is_int(value) or isinstance(value, Fraction), "number": _is_int(value)
            or isinstance(value, Fraction), "date": type(value) is datetime.date,
            "text": isinstance(value, str)}.get(kind, isinstance(value, str) and value in REGIONS)


FIELDS = [f.name for f in dataclasses.fields(Transaction)] + sorted(_DECLARED)


def mutated(name: str, value: Any, txn: Transaction | None = None) -> Transaction:
    txn = txn or valid_sale()
    if name in _DECLARED:
        return dataclasses.replace(txn, fields={**txn.fields, name: value})
    return dataclasses.replace(txn, **{name: value})


def refused_everywhere(txn: Transaction, name: str, value: Any) -> None:
    """Each entry point that takes a transaction built in Python raises `InputError` on it, and nothing else."""
    for entry in (lambda: quote(RT, txn, PARTNERS, VOLUMES), lambda: Quoter(RT, PARTNERS).quote(txn),
                  lambda: Settler(RT, PARTNERS, PERIOD).add(txn, 1)):
        try:
            entry()
        except InputError as error:
            assert error.field in (name, f'fields["{name}"]', "fields", "date", "quantity"), str(error)
        else:
            raise AssertionError(f"`{name}` = {value!r} was taken")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sale=sales(), name=st.sampled_from(FIELDS), value=st.sampled_from(WRONG))
def test_every_mutation_of_a_valid_transaction_to_a_wrong_type_is_an_input_error(
        sale: tuple[Transaction, dict[str, str]], name: str, value: Any) -> None:
    if not of_its_type(name, value):
        refused_everywhere(mutated(name, value, sale[0]), name, value)


def test_every_wrong_type_in_every_field_is_an_input_error() -> None:
    """The same, exhaustively, on one valid sale: every field and every value not of its type."""
    cases = [(name, value) for name in FIELDS for value in WRONG if not of_its_type(name, value)]
    assert len(cases) > 250
    for name, value in cases:
        refused_everywhere(mutated(name, value), name, value)
