"""Inputs built in Python are checked as file rows are: every entry point refuses each kind of bad input with an
`InputError` that names the object, the field, the value and what was expected, before any rule reads it."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from runtime import InputError
from runtime.decisions.conflicts import Claim, Deal, decide
from runtime.decisions.quote import Quoter, quote
from runtime.decisions.routing import Lead, route
from runtime.decisions.settle import Settler, settle
from runtime.loaded import Runtime
from runtime.model import UNSTATED, Partner, Period, Transaction, Volumes
from tests.unit._python_api_program import DAY, TOKYO, VOLUMES, partner_table, runtime_of, valid_sale

PERIOD = Period(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31))


@pytest.fixture(scope="module")
def rt() -> Runtime:
    return runtime_of()


# --- transactions ------------------------------------------------------------------------------------------------

BAD_TRANSACTIONS: dict[str, tuple[dict[str, Any], str, str | None]] = {
    # name: (changes to a valid sale, the field named, the code)
    "a_string_for_money": ({"list_price": "100,000"}, "list_price", "E521"),
    "a_float_for_money": ({"sell_price": 95000.0}, "sell_price", "E521"),
    "a_decimal_for_money": ({"list_price": Decimal("100000")}, "list_price", "E521"),
    "a_bool_for_money": ({"sell_price": True}, "sell_price", "E521"),
    "a_negative_price": ({"list_price": -5}, "list_price", "E521"),
    "an_unstated_price_in_a_sale": ({"sell_price": UNSTATED}, "sell_price", "E521"),
    "a_string_for_the_quantity": ({"quantity": "3"}, "quantity", "E521"),
    "a_float_for_the_quantity": ({"quantity": 3.0}, "quantity", "E521"),
    "a_quantity_too_large": ({"quantity": 10**9 + 1}, "quantity", "E521"),
    "a_line_amount_past_the_ceiling": ({"list_price": 10**14, "quantity": 10**3}, "quantity", "E521"),
    "a_string_for_the_date": ({"date": "2026-06-01"}, "date", "E521"),
    "a_datetime_for_the_date": ({"date": datetime.datetime(2026, 6, 1, 10, 0)}, "date", "E521"),
    "a_naive_instant": ({"at": datetime.datetime(2026, 6, 1, 10, 0)}, "at", "E530"),
    "an_instant_on_another_day": ({"at": datetime.datetime(2026, 6, 2, 10, 0, tzinfo=TOKYO)}, "date", "E521"),
    "a_string_for_the_instant": ({"at": "2026-06-01T10:00:00+09:00"}, "at", "E521"),
    "an_int_for_the_id": ({"id": 17}, "id", "E521"),
    "an_empty_id": ({"id": ""}, "id", "E520"),
    "an_id_not_in_canonical_form": ({"partner": " D-2"}, "partner", "E521"),
    "an_id_with_a_control_character": ({"id": "T\x00-1"}, "id", "E525"),
    "a_number_for_the_product": ({"product": 7}, "product", "E521"),
    "a_list_for_the_fields": ({"fields": [("rush", True)]}, "fields", None),
    "an_undeclared_field": ({"fields": {"rush": False, "colour": "red"}}, "fields", None),
    "a_string_for_a_money_field": ({"fields": {"rush": False, "services": "5,000"}}, 'fields["services"]', "E521"),
    "a_string_for_a_boolean_field": ({"fields": {"rush": "false"}}, 'fields["rush"]', "E521"),
    "a_bool_for_an_integer_field": ({"fields": {"rush": False, "seats": True}}, 'fields["seats"]', "E521"),
    "a_float_for_a_percent_field": ({"fields": {"rush": False, "discount": 0.15}}, 'fields["discount"]', "E521"),
    "a_decimal_for_a_number_field": ({"fields": {"rush": False, "ratio": Decimal("1.5")}}, 'fields["ratio"]',
                                     "E521"),
    "a_string_for_a_date_field": ({"fields": {"rush": False, "booked": "2026-05-01"}}, 'fields["booked"]', "E521"),
    "an_unknown_enumeration_member": ({"fields": {"rush": False, "segment": "kantoo"}}, 'fields["segment"]',
                                      "E522"),
    "a_value_below_the_declared_minimum": ({"fields": {"rush": False, "seats": 0}}, 'fields["seats"]', "E561"),
}


def _via_quote(rt: Runtime, txn: Any) -> object:
    return quote(rt, txn, partner_table(), VOLUMES)


def _via_quoter(rt: Runtime, txn: Any) -> object:
    return Quoter(rt, partner_table(), VOLUMES).quote(txn)


def _via_check(rt: Runtime, txn: Any) -> object:
    Quoter(rt, partner_table()).check(txn)
    return None


def _via_settler(rt: Runtime, txn: Any) -> object:
    settler = Settler(rt, partner_table(), PERIOD)
    settler.add(txn, 4)
    return settler.finish()


def _via_settle(rt: Runtime, txn: Any) -> object:
    return settle(rt, [valid_sale(id="T-0"), txn], partner_table(), PERIOD)


TRANSACTION_ENTRIES: dict[str, Callable[[Runtime, Any], object]] = {
    "quote": _via_quote, "Quoter.quote": _via_quoter, "Quoter.check": _via_check, "Settler.add": _via_settler,
    "settle": _via_settle,
}


@pytest.mark.parametrize("entry", TRANSACTION_ENTRIES)
@pytest.mark.parametrize("kind", BAD_TRANSACTIONS)
def test_a_bad_transaction_built_in_python_is_refused_naming_its_field(rt: Runtime, entry: str, kind: str) -> None:
    changes, field_name, code = BAD_TRANSACTIONS[kind]
    txn = dataclasses.replace(valid_sale(), **changes)
    with pytest.raises(InputError) as caught:
        TRANSACTION_ENTRIES[entry](rt, txn)
    error = caught.value
    assert (error.field, error.code) == (field_name, code), str(error)
    assert str(error).startswith("transaction `") or "transaction" in error.subject
    assert f"`{field_name}`" in str(error)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("entry", TRANSACTION_ENTRIES)
def test_something_that_is_not_a_transaction_is_refused(rt: Runtime, entry: str) -> None:
    with pytest.raises(InputError, match="expected a runtime.model.Transaction"):
        TRANSACTION_ENTRIES[entry](rt, {"id": "T-1", "date": "2026-06-01"})


def test_the_error_says_which_row_of_a_settlement_it_is(rt: Runtime) -> None:
    with pytest.raises(InputError, match=r"^transaction `T-9` \(row 2\): `list_price` is '5' \(str\)"):
        settle(rt, [valid_sale(id="T-0"), valid_sale(id="T-9", list_price="5")], partner_table(), PERIOD)


def test_the_error_names_the_object_the_field_the_value_and_what_was_expected(rt: Runtime) -> None:
    with pytest.raises(InputError) as caught:
        quote(rt, valid_sale(fields={"rush": False, "services": "5,000"}), partner_table())
    assert str(caught.value) == (
        "transaction `T-1`: `fields[\"services\"]` is '5,000' (str): expected an amount in minor units of JPY, an int "
        "(¥1,200 is 1200) (`transaction.services` is declared `money`) [E521]")
    assert caught.value.value == "5,000" and caught.value.subject == "transaction `T-1`"


def test_a_valid_refund_with_unstated_prices_is_taken(rt: Runtime) -> None:
    sold = valid_sale(id="S-1")
    back = valid_sale(id="R-1", list_price=UNSTATED, sell_price=UNSTATED, quantity=-1, refund_of="S-1")
    settlement = settle(rt, [sold, back], partner_table(), PERIOD)
    assert (settlement.accepted, settlement.rejected) == (2, 0)


def test_what_the_rules_decide_stays_a_rejected_row(rt: Runtime) -> None:
    """A quantity of 0 or a seller nobody knows is not a mistake of the object: the settlement rejects the row."""
    rejected: list[Any] = []
    settler = Settler(rt, partner_table(), PERIOD, on_reject=rejected.append)
    settler.add(valid_sale(quantity=0), 1)
    settler.add(valid_sale(id="T-2", partner="NOBODY"), 2)
    assert [r.code for r in rejected] == ["E540", "E511"]


def test_checked_inputs_are_not_checked_again(rt: Runtime) -> None:
    """`checked=True` is for rows the readers checked: a settler given it takes their word (here, a wrong one)."""
    settler = Settler(rt, partner_table(), PERIOD, checked=True)
    with pytest.raises(TypeError):
        settler.add(valid_sale(quantity="3"), 1)


# --- partners ----------------------------------------------------------------------------------------------------

BAD_PARTNERS: dict[str, tuple[dict[str, Any], str, str | None]] = {
    # name: (changes to partner D-1, the field named, the code)
    "an_unknown_contract": ({"contract": "resseller"}, "contract", "E522"),
    "an_unknown_tier": ({"tier": "golden"}, "tier", "E522"),
    "a_string_for_the_level": ({"level": "1"}, "level", "E521"),
    "a_bool_for_the_level": ({"level": True}, "level", "E521"),
    "a_number_for_the_parent": ({"level": 2, "parent": 9}, "parent", "E521"),
    "a_string_for_the_joined_date": ({"joined": "2026-04-01"}, "joined", "E521"),
    "leaving_before_joining": ({"joined": datetime.date(2026, 5, 1), "left": datetime.date(2026, 4, 1)}, "left",
                               "E521"),
    "a_number_for_the_contract": ({"contract": 1}, "contract", "E521"),
    "an_undeclared_field": ({"fields": {"region": "kanto", "colour": "red"}}, "fields", None),
    "a_string_for_a_money_field": ({"fields": {"trailing_sales": "1億"}}, 'fields["trailing_sales"]', "E521"),
    "a_string_for_an_integer_field": ({"fields": {"engineers": "4"}}, 'fields["engineers"]', "E521"),
    "a_value_above_the_declared_maximum": ({"fields": {"engineers": 501}}, 'fields["engineers"]', "E561"),
    "a_float_for_a_number_field": ({"fields": {"score": 0.5}}, 'fields["score"]', "E521"),
    "a_datetime_for_a_date_field": ({"fields": {"since": datetime.datetime(2026, 1, 1)}}, 'fields["since"]',
                                    "E521"),
    "a_number_for_a_text_field": ({"fields": {"note": 5}}, 'fields["note"]', "E521"),
    "a_dict_for_a_dated_field": ({"fields": {"nda": {"from": "2026-01-01"}}}, 'fields["nda"]', "E521"),
    "an_unknown_member_in_a_list_field": ({"fields": {"regions": ("kanto", "hokaido")}}, 'fields["regions"]',
                                          "E522"),
}


def _table_with(changes: dict[str, Any]) -> dict[str, Partner]:
    table = partner_table()
    table["D-1"] = dataclasses.replace(table["D-1"], **changes)
    return table


def _sale_by(seller: str) -> Transaction:
    return valid_sale(partner=seller)


PARTNER_ENTRIES: dict[str, Callable[[Runtime, dict[str, Partner]], object]] = {
    "quote": lambda rt, table: quote(rt, _sale_by("D-1"), table),
    "Quoter": lambda rt, table: Quoter(rt, table),
    "Settler": lambda rt, table: Settler(rt, table, PERIOD),
    "settle": lambda rt, table: settle(rt, [], table, PERIOD),
    "route": lambda rt, table: route(rt, Lead("L-1", DAY, {"region": "kanto"}), table),
    "decide": lambda rt, table: decide(rt, Deal("Acme", datetime.datetime(2026, 6, 1, 10, 0, tzinfo=TOKYO)),
                                       [Claim("R-1", "D-1", datetime.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO))],
                                       table),
}


@pytest.mark.parametrize("entry", PARTNER_ENTRIES)
@pytest.mark.parametrize("kind", BAD_PARTNERS)
def test_a_bad_partner_built_in_python_is_refused_naming_its_field(rt: Runtime, entry: str, kind: str) -> None:
    changes, field_name, code = BAD_PARTNERS[kind]
    with pytest.raises(InputError) as caught:
        PARTNER_ENTRIES[entry](rt, _table_with(changes))
    error = caught.value
    assert (error.field, error.code) == (field_name, code), str(error)
    assert str(error).startswith("partner `D-1`: ")


@pytest.mark.parametrize("entry", PARTNER_ENTRIES)
def test_a_partner_filed_under_another_id_is_refused(rt: Runtime, entry: str) -> None:
    table = partner_table()
    table["D-0"] = table.pop("D-1")
    table["D-2"] = dataclasses.replace(table["D-2"], parent="D-0")  # the chain reads the key, the table the id
    if entry in ("quote", "decide"):  # they read only the partners of the sale or the claims
        table = {"D-1": dataclasses.replace(table["D-0"], id="D-X"), "D-2": table["D-2"]}
    with pytest.raises(InputError):
        PARTNER_ENTRIES[entry](rt, table)


def test_a_broken_chain_stays_the_quotes_e513_and_a_settlement_rejects_its_rows(rt: Runtime) -> None:
    """A partner's place in the hierarchy is the rules' to judge, as for the conformance corpus: the seller's rows
    are refused (E513) and the other partners settle."""
    from runtime.decisions.quote import QuoteError

    table = partner_table()
    table["D-3"] = Partner("D-3", "reseller", "member", 2, "D-9")
    with pytest.raises(QuoteError) as caught:
        quote(rt, valid_sale(partner="D-3"), table)
    assert caught.value.code == "E513"
    rejected: list[Any] = []
    settlement = settle(rt, [valid_sale(id="T-1", partner="D-3"), valid_sale(id="T-2")], table, PERIOD,
                        on_reject=rejected.append)
    assert [(r.transaction, r.code) for r in rejected] == [("T-1", "E513")] and settlement.accepted == 1


def test_a_quote_checks_only_the_partners_it_reads(rt: Runtime) -> None:
    """`quote` checks the seller and those above it; a bad partner elsewhere in the table is not its business."""
    table = partner_table()
    table["I-1"] = dataclasses.replace(table["I-1"], tier="golden")
    assert quote(rt, valid_sale(), table).partner == "D-2"
    with pytest.raises(InputError, match="unknown tier `golden`"):
        Quoter(rt, table)


def test_bad_volumes_are_refused(rt: Runtime) -> None:
    bad: list[Any] = [{"D-1": Volumes(sales="5")}, {"D-1": {"sales": 5}}, [("D-1", Volumes())]]  # type: ignore[arg-type]
    for volumes in bad:
        with pytest.raises(InputError):
            Quoter(rt, partner_table(), volumes)
    with pytest.raises(InputError, match="the volumes of `D-1`"):
        quote(rt, valid_sale(), partner_table(), {"D-1": Volumes(purchases=1.5)})  # type: ignore[arg-type]


# --- leads, deals and claims -------------------------------------------------------------------------------------

BAD_LEADS: dict[str, tuple[Any, str, str | None]] = {
    "a_string_for_the_date": (Lead("L-1", "2026-06-01", {"region": "kanto"}), "date", "E521"),  # type: ignore[arg-type]
    "an_unknown_member": (Lead("L-1", DAY, {"region": "kantou"}), 'fields["region"]', "E522"),
    "an_undeclared_field": (Lead("L-1", DAY, {"industry": "retail"}), "fields", None),
    "an_int_for_the_id": (Lead(7, DAY), "id", "E521"),  # type: ignore[arg-type]
    "not_a_lead": ({"id": "L-1"}, "lead", None),
}


@pytest.mark.parametrize("kind", BAD_LEADS)
def test_a_bad_lead_is_refused_by_routing(rt: Runtime, kind: str) -> None:
    lead, field_name, code = BAD_LEADS[kind]
    with pytest.raises(InputError) as caught:
        route(rt, lead, partner_table())
    assert (caught.value.field, caught.value.code) == (field_name, code), str(caught.value)


AT = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=TOKYO)
EARLIER = datetime.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO)
BAD_DEALS: dict[str, tuple[Any, list[Any], str, str | None]] = {
    "a_string_for_the_deal_time": (Deal("Acme", "2026-06-01T10:00:00+09:00"), [], "at", "E521"),  # type: ignore
    "a_date_for_the_deal_time": (Deal("Acme", DAY), [], "at", "E521"),  # type: ignore[arg-type]
    "an_unknown_member_of_a_deal_field": (Deal("Acme", AT, {"region": "tokyo"}), [], 'fields["region"]', "E522"),
    "an_undeclared_deal_field": (Deal("Acme", AT, {"size": 5}), [], "fields", None),
    "a_number_for_the_customer": (Deal(5, AT), [], "customer", "E521"),  # type: ignore[arg-type]
    "a_string_for_a_registration_time": (Deal("Acme", AT), [Claim("R-1", "D-1", "2026-05-01")],  # type: ignore[arg-type]
                                         "registered_at",
                                         "E521"),
    "a_string_for_the_renewals": (Deal("Acme", AT), [Claim("R-1", "D-1", EARLIER, "1")],  # type: ignore[arg-type]
                                  "renewals", "E521"),
    "a_string_for_the_customer_choice": (Deal("Acme", AT), [Claim("R-1", "D-1", EARLIER, customer_choice="yes")],  # type: ignore[arg-type]
                                         "customer_choice", "E521"),
    "a_number_for_the_claimant": (Deal("Acme", AT), [Claim("R-1", 7, EARLIER)],  # type: ignore[arg-type]
                                  "partner", "E521"),
    "not_a_claim": (Deal("Acme", AT), [("R-1", "D-1")], "claim", None),
    "not_a_deal": ("Acme", [], "deal", None),
}


@pytest.mark.parametrize("kind", BAD_DEALS)
def test_a_bad_deal_or_claim_is_refused_by_the_conflict_decision(rt: Runtime, kind: str) -> None:
    deal, claims, field_name, code = BAD_DEALS[kind]
    with pytest.raises(InputError) as caught:
        decide(rt, deal, claims, partner_table())
    assert (caught.value.field, caught.value.code) == (field_name, code), str(caught.value)


def test_a_naive_deal_time_stays_the_decisions_e530(rt: Runtime) -> None:
    from runtime.decisions.quote import QuoteError

    with pytest.raises(QuoteError) as caught:
        decide(rt, Deal("Acme", datetime.datetime(2026, 6, 1, 10, 0)), [], partner_table())
    assert caught.value.code == "E530"


def test_valid_inputs_of_every_declared_type_are_taken(rt: Runtime) -> None:
    table = partner_table()
    table["D-1"] = dataclasses.replace(table["D-1"], joined=datetime.date(2026, 1, 1), fields={
        **table["D-1"].fields, "score": Fraction(3, 2), "share": 1, "since": datetime.date(2020, 1, 1), "note": "ok",
        "nda": None, "regions": ("kanto", "kyushu")})
    txn = valid_sale(at=datetime.datetime(2026, 6, 1, 1, 0, tzinfo=datetime.UTC), fields={
        "rush": True, "services": 0, "seats": 3, "discount": Fraction(1, 10), "segment": "kansai",
        "booked": datetime.date(2026, 5, 1), "ratio": 2, "memo": "first order"})
    assert quote(rt, txn, table).transaction == "T-1"
    assert Quoter(rt, table).quote(txn).transaction == "T-1"
    assert route(rt, Lead("L-1", DAY, {"region": "kanto"}), table).order
    ownership = decide(rt, Deal("Acme", AT, {"region": "kanto"}), [Claim("R-1", "D-1", EARLIER)], table)
    assert ownership.owner is not None and ownership.owner.partner == "D-1"


# --- the same mistake, the same reason, from a file or from Python -----------------------------------------------

SAME_PARTNER_MISTAKES: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    # name: (the partners-file row's changes, the same change to the Partner built in Python)
    "an_unknown_contract": ({"contract": "resseller"}, {"contract": "resseller"}),
    "an_unknown_tier": ({"tier": "golden"}, {"tier": "golden"}),
    "leaving_before_joining": ({"joined": "2026-05-01", "left": "2026-04-01"},
                               {"joined": datetime.date(2026, 5, 1), "left": datetime.date(2026, 4, 1)}),
    "a_value_above_the_declared_maximum": ({"engineers": "501"}, {"fields": {"engineers": 501}}),
    "an_unknown_enumeration_member": ({"region": "kantoo"}, {"fields": {"region": "kantoo"}}),
}


@pytest.mark.parametrize("kind", SAME_PARTNER_MISTAKES)
def test_a_partner_is_refused_for_the_reason_its_file_row_is(rt: Runtime, kind: str, tmp_path: Any) -> None:
    from runtime.io.readers import PartnersError, read_partners

    row_changes, changes = SAME_PARTNER_MISTAKES[kind]
    row = {"id": "D-1", "contract": "reseller", "tier": "gold", "level": "1", "parent": "", "joined": "", "left": "",
           "engineers": "", "region": "", **row_changes}
    path = tmp_path / "partners.csv"
    path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")
    with pytest.raises(PartnersError) as from_file:
        read_partners(path, rt.ruleset)
    with pytest.raises(InputError) as from_python:
        Quoter(rt, _table_with(changes))
    reason = from_file.value.problems[0].removeprefix("row 1: ")
    assert from_python.value.expected == reason


SAME_TRANSACTION_MISTAKES: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "a_negative_price": ({"list_price": "-5"}, {"list_price": -5}),
    "a_quantity_too_large": ({"quantity": "1000000001"}, {"quantity": 10**9 + 1}),
    "a_line_amount_past_the_ceiling": ({"list_price": "100000000000000", "quantity": "1000"},
                                       {"list_price": 10**14, "quantity": 1000}),
    "a_value_below_the_declared_minimum": ({"seats": "0"}, {"fields": {"rush": False, "seats": 0}}),
    "an_unknown_enumeration_member": ({"segment": "kantoo"}, {"fields": {"rush": False, "segment": "kantoo"}}),
    "an_id_with_a_control_character": ({"id": "T\x01-1"}, {"id": "T\x01-1"}),
}


@pytest.mark.parametrize("kind", SAME_TRANSACTION_MISTAKES)
def test_a_transaction_is_refused_for_the_reason_and_code_its_file_row_is(rt: Runtime, kind: str) -> None:
    from runtime.decisions.settle import Rejected
    from runtime.io.readers import parse_transaction

    row_changes, changes = SAME_TRANSACTION_MISTAKES[kind]
    row = {"id": "T-1", "date": "2026-06-01", "partner": "D-2", "list_price": "100000", "sell_price": "95000",
           "quantity": "3", "rush": "false", **row_changes}
    rejected = parse_transaction(row, rt.ruleset, 1)
    assert isinstance(rejected, Rejected)
    with pytest.raises(InputError) as from_python:
        quote(rt, dataclasses.replace(valid_sale(), **changes), partner_table())
    assert (from_python.value.expected, from_python.value.code) == (rejected.reason, rejected.code)
