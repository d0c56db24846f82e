"""Reading transactions and partners from CSV and JSON Lines, and settlement periods from text.

Transactions stream: one row at a time, never the whole file in memory. A bad row becomes a
`Rejected` with a stable code and the run goes on; feed both kinds to a `Settler` with `feed`, so
that rows read = rows accepted + rows rejected. Partners are few: they are read whole, and any
mistake in them is an error that names its row.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from runtime import ids, ir
from runtime.decisions import catalog_item
from runtime.decisions.refunds import quantity_problem
from runtime.decisions.settle import Rejected, Settler
from runtime.input_rules import all_assigned, program_ids, unknown_reason
from runtime.io import facts
from runtime.io.records import RecordFile
from runtime.io.values import (
    MAX_QUANTITY,
    MISSING,
    ValueProblem,
    check_range,
    declared,
    is_empty,
    line_amount_problem,
    parse_day,
    parse_integer,
    parse_money,
    parse_text,
    parse_value,
)
from runtime.model import UNSTATED, Partner, Period, Transaction

TRANSACTION_COLUMNS = ("id", "date", "partner", "contract", "product", "list_price", "sell_price", "quantity",
                       "refund_of")
REQUIRED_TRANSACTION_COLUMNS = ("id", "date", "partner", "list_price", "sell_price", "quantity")
PARTNER_COLUMNS = ("id", "contract", "tier", "level", "parent", "joined", "left")

Item = tuple[int, Transaction | Rejected]
"""A row number and what became of the row."""


class PartnersError(Exception):
    """A partners file with mistakes; each problem names its row."""

    def __init__(self, path: str | Path, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = str(path)
        self.problems = problems


# --- transactions ----------------------------------------------------------------------------------


def _row_id(values: Mapping[str, Any]) -> str:
    raw = values.get("id")
    return raw.strip() if isinstance(raw, str) else str(raw) if isinstance(raw, int) else ""


_ID_WORDS = {"id": "transaction id", "refund_of": "`refund_of`", "sku": "SKU"}


def _id(values: Mapping[str, Any], name: str, what: str | None = None) -> str:
    """An id-like field in its canonical form (`runtime.ids`): a problem with the policy's code otherwise."""
    raw = values.get(name)
    if isinstance(raw, str):  # the common case, printable ASCII, which is its own canonical form
        plain = raw.strip()
        if plain and plain.isascii() and plain.isprintable() and len(plain) <= ids.MAX_ID_LENGTH:
            return plain
    text: str = _field(values, name, parse_text)
    try:
        return ids.canonical_id(text, what or _ID_WORDS.get(name, name))
    except ids.IdProblem as exc:
        raise _Problem(name, ValueProblem(exc.code, exc.reason)) from None


def _field(values: Mapping[str, Any], name: str, parse: Any, *args: Any) -> Any:
    raw = values.get(name)
    if is_empty(raw):
        raise _Problem(name, ValueProblem(MISSING, f"`{name}` is missing"))
    try:
        return parse(raw, *args)
    except ValueProblem as exc:
        raise _Problem(name, exc) from None


class _Problem(Exception):
    def __init__(self, field_name: str, problem: ValueProblem) -> None:
        super().__init__(problem.reason)
        self.field = field_name
        self.problem = problem


def _price(values: Mapping[str, Any], name: str, ruleset: ir.RuleSet) -> int:
    amount: int = _field(values, name, parse_money, ruleset.currency, ruleset.minor_unit)
    if amount < 0:
        raise _Problem(name, ValueProblem("E521", f"`{name}` is negative; a refund names its sale in `refund_of` "
                                                  "and returns units with a negative `quantity`"))
    return amount


_RANGED: dict[tuple[int, str], tuple[ir.RuleSet, dict[str, ir.InputDecl]]] = {}


def _ranged(ruleset: ir.RuleSet, scope: str) -> dict[str, ir.InputDecl]:
    """The declared inputs of a scope that state a range, by name (worked out once per rule set, not per row)."""
    found = _RANGED.get((id(ruleset), scope))
    if found is None or found[0] is not ruleset:
        if len(_RANGED) > 64:
            _RANGED.clear()
        found = _RANGED[id(ruleset), scope] = (ruleset, {
            d.name: d for d in ruleset.inputs
            if d.scope == scope and (d.min is not None or d.max is not None or d.values is not None)})
    return found[1]


def _declared_fields(values: Mapping[str, Any], inputs: Mapping[str, str], ruleset: ir.RuleSet,
                     scope: str = "transaction") -> dict[str, Any]:
    fields: dict[str, Any] = {}
    ranged = _ranged(ruleset, scope)
    for name, type_name in inputs.items():
        raw = values.get(name)
        if is_empty(raw):
            continue  # an input the row does not give; a rule that reads it rejects the row when it does
        try:
            fields[name] = parse_value(raw, type_name, ruleset)
            if name in ranged:
                check_range(fields[name], ranged[name], ruleset)
        except ValueProblem as exc:
            raise _Problem(name, exc) from None
    return fields


def parse_transaction(values: Mapping[str, Any], ruleset: ir.RuleSet, row: int = 0) -> Transaction | Rejected:
    """One transaction from its raw values (CSV text or JSON values), or why it is rejected.

    Columns: `id, date, partner, contract (optional), product (optional), list_price, sell_price,
    quantity, refund_of (optional)`, and the declared `transaction` inputs, each converted by its
    declared type. Other columns are ignored. A refund (a row with `refund_of`) may leave its prices
    blank (`UNSTATED`: they are its sale's) and states the units returned as a negative quantity.
    A quantity of 0, or a negative quantity without `refund_of`, is rejected (`quantity_problem`).
    """
    txn_id = _row_id(values)
    try:
        if not txn_id:
            raise _Problem("id", ValueProblem(MISSING, "`id` is missing"))
        txn_id = _id(values, "id")
        date, at = _field(values, "date", parse_day, ruleset.time_zone)
        partner = _id(values, "partner")
        contract = None if is_empty(values.get("contract")) else _id(values, "contract")
        product = "" if is_empty(values.get("product")) else _id(values, "product")
        refund_of = None if is_empty(values.get("refund_of")) else _id(values, "refund_of")
        unstated = refund_of is not None
        sku = None if is_empty(values.get("sku")) else _id(values, "sku")
        if unstated and is_empty(values.get("list_price")):
            list_price = UNSTATED  # a refund may leave its prices out: they are its sale's
        elif sku is not None and is_empty(values.get("list_price")):
            list_price = _catalog_price(ruleset, sku, date)  # a row may name only its SKU and quantity
        else:
            list_price = _price(values, "list_price", ruleset)
        if unstated and is_empty(values.get("sell_price")):
            sell_price = UNSTATED
        elif sku is not None and is_empty(values.get("sell_price")):
            sell_price = list_price  # without a sell price, a row naming its SKU sells at the list price
        else:
            sell_price = _price(values, "sell_price", ruleset)
        quantity = _field(values, "quantity", parse_integer)
        if abs(quantity) > MAX_QUANTITY:
            raise _Problem("quantity", ValueProblem("E521", f"quantity `{quantity:,}` is too large for one row "
                                                    f"(more than {MAX_QUANTITY:,})"))
        for name, price in (("list_price", list_price), ("sell_price", sell_price)):
            too_large = line_amount_problem(name, price, quantity, ruleset.minor_unit) if price != UNSTATED else None
            if too_large is not None:  # no engine multiplies past the ceiling
                raise _Problem("quantity", too_large)
        if (problem := quantity_problem(quantity, refund_of)) is not None:
            raise _Problem("quantity", ValueProblem(*problem))
        fields = _declared_fields(values, declared(ruleset, "transaction"), ruleset)
    except _Problem as exc:
        return Rejected(row, txn_id, exc.problem.code, exc.problem.reason, exc.field)
    return Transaction(txn_id, date, partner, list_price, sell_price, quantity, contract, product, fields, at=at,
                       refund_of=refund_of, sku=sku)


def required_columns(ruleset: ir.RuleSet) -> tuple[str, ...]:
    """The columns a transactions file must have: with a catalog, a file may name SKUs instead of stating prices,
    so `list_price` and `sell_price` may be absent."""
    if not any(v.catalog for v in ruleset.versions):
        return REQUIRED_TRANSACTION_COLUMNS
    return tuple(c for c in REQUIRED_TRANSACTION_COLUMNS if c not in ("list_price", "sell_price"))


def _catalog_price(ruleset: ir.RuleSet, sku: str, day: datetime.date) -> int:
    """The catalog's list price of a SKU on a day (0 when there is none: the quote rejects the SKU, E555)."""
    version = ruleset.version_on(day)
    item = catalog_item(version, sku) if version is not None else None
    price = item.price_on(day) if item is not None else None
    return price if price is not None else 0


class TransactionReader:
    """Transactions from a CSV or JSON Lines file, one row at a time.

    Iterating yields `(row, Transaction | Rejected)`; `position` and `size` (bytes) measure progress.

    Raises:
        ReadError: the file cannot be opened, has an unknown extension, or its header lacks a required column.
    """

    def __init__(self, path: str | Path, ruleset: ir.RuleSet) -> None:
        self.ruleset = ruleset
        self._file = RecordFile(path, required_columns(ruleset))
        self.path = self._file.path
        self.size = self._file.size

    @property
    def position(self) -> int:
        """Bytes read so far."""
        return self._file.position

    @property
    def may_refund(self) -> bool:
        """Whether a row may name a sale in `refund_of` (a CSV or Parquet file without that column cannot)."""
        return self._file.format == "jsonl" or "refund_of" in self._file.columns

    def close(self) -> None:
        """Close the file (iterating to the end closes it too)."""
        self._file.close()

    def __enter__(self) -> TransactionReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Item]:
        try:
            for record in self._file:
                if record.problem is not None:
                    yield record.row, Rejected(record.row, _row_id(record.values), record.code, record.problem)
                else:
                    yield record.row, parse_transaction(record.values, self.ruleset, record.row)
        finally:
            self._file.close()


def read_transactions(path: str | Path, ruleset: ir.RuleSet) -> TransactionReader:
    """Open a transactions file (CSV, or JSON Lines named *.jsonl or *.ndjson) for streaming."""
    return TransactionReader(path, ruleset)


def feed(settler: Settler, items: Iterable[Item]) -> None:
    """Give every row to a settler: transactions to `add`, rows that failed to parse to `reject`."""
    for row, item in items:
        if isinstance(item, Rejected):
            settler.reject(item.row, item.transaction, item.code, item.reason, item.field)
        else:
            settler.add(item, row)


# --- partners --------------------------------------------------------------------------------------


def _parse_partner(values: Mapping[str, Any], ruleset: ir.RuleSet, contracts: tuple[str, ...],
                   tiers: tuple[str, ...], max_depth: int | None, where: tuple[str, int] = ("", 0),
                   report: facts.FactReport | None = None) -> Partner:
    partner_id = _id(values, "id", "partner id")
    contract = _id(values, "contract")
    if contract not in contracts:
        raise _Problem("contract", ValueProblem("E522", unknown_reason("contract", contract, contracts)))
    tier = None if is_empty(values.get("tier")) else _id(values, "tier")
    if tier is None and tiers and all_assigned(ruleset):
        raise _Problem("tier", ValueProblem("E520", f"partner `{partner_id}` states no tier; the vendor assigns "
                                                    f"every tier, so the partners file names one of "
                                                    f"{', '.join(tiers)}"))
    if tier is not None and tier not in tiers:
        raise _Problem("tier", ValueProblem("E522", unknown_reason("tier", tier, tiers)))
    level = 1 if is_empty(values.get("level")) else _field(values, "level", parse_integer)
    if level < 1 or (max_depth is not None and level > max_depth):
        deepest = f"1 to {max_depth}" if max_depth is not None else "1 or more"
        raise _Problem("level", ValueProblem("E521", f"level {level} is not a level of the hierarchy ({deepest})"))
    parent = None if is_empty(values.get("parent")) else _id(values, "parent")
    dated = facts.fact_inputs(ruleset)
    plain = {k: v for k, v in declared(ruleset, "partner").items() if k not in dated}
    fields = _declared_fields(values, plain, ruleset, "partner")
    if dated:  # parsed last, so that a row refused for another reason counts none of its records
        report = report if report is not None else facts.FactReport()
        fields.update((name, facts.parse_fact_cell(values.get(name), decl, ruleset, (*where, partner_id), report))
                      for name, decl in dated.items())
    joined, left = _membership_day(values, "joined", ruleset), _membership_day(values, "left", ruleset)
    if joined is not None and left is not None and left < joined:
        raise _Problem("left", ValueProblem("E521", f"partner `{partner_id}` left on {left}, before it joined on "
                                                    f"{joined}"))
    return Partner(partner_id, contract, tier, level, parent, fields, joined, left)


def _membership_day(values: Mapping[str, Any], name: str, ruleset: ir.RuleSet) -> datetime.date | None:
    """A partner's `joined` or `left` day (None when the row leaves it empty): a date, or a timestamp's calendar
    date in the program's time zone."""
    if is_empty(values.get(name)):
        return None
    day: tuple[datetime.date, datetime.datetime | None] = _field(values, name, parse_day, ruleset.time_zone)
    return day[0]


def read_partners(path: str | Path, ruleset: ir.RuleSet, report: facts.FactReport | None = None) -> dict[str, Partner]:
    """Every partner of a CSV or JSON Lines file, by id.

    Columns: `id, contract, tier, level, parent, joined, left`, and the declared `partner` inputs. When the
    program has a hierarchy, a partner above level 1 names its `parent`, one level up. `joined` and `left`
    (optional dates, inclusive) bound the partner's membership; `left` is not before `joined`. When every tier
    of the program is assigned (`assigned: true`), each partner names its tier. A dated fact or list input
    (`runtime.io.facts`) is a JSON cell, or a JSON Lines field holding the value; with `report`, a bad record of
    one is rejected there (E529) and the rest go on, else it is a mistake of the file.

    Raises:
        ReadError: the file cannot be read at all.
        PartnersError: rows with mistakes (bad values, duplicate ids, unknown contracts, tiers or parents).
    """
    with RecordFile(path, ("id", "contract")) as records:
        return _partners(((r.row, r.values, r.problem) for r in records), ruleset, report, str(path))


def parse_partners(rows: Iterable[Mapping[str, Any]], ruleset: ir.RuleSet, report: facts.FactReport | None = None,
                   source: str = "partners") -> dict[str, Partner]:
    """Every partner of a table given as rows (the JSON values of a partners file's rows, `partner_row`), by id.

    The rows mean what the rows of a partners file mean (`read_partners`), and are refused for the same
    mistakes; row numbers count from 1 and `source` names the table in the error.

    Raises:
        PartnersError: rows with mistakes (bad values, duplicate ids, unknown contracts, tiers or parents).
    """
    return _partners(((n, row, None) for n, row in enumerate(rows, 1)), ruleset, report, source)


def _partners(rows: Iterable[tuple[int, Mapping[str, Any], str | None]], ruleset: ir.RuleSet,
              report: facts.FactReport | None, source: str) -> dict[str, Partner]:
    """The partners of numbered rows (with the problem of a row that could not be read at all)."""
    contracts, tiers = program_ids(ruleset, "contract"), program_ids(ruleset, "tier")
    depths = [v.hierarchy.max_depth for v in ruleset.versions if v.hierarchy is not None]
    max_depth = max(depths) if depths else None
    partners: dict[str, Partner] = {}
    first_rows: dict[str, int] = {}
    problems: list[str] = []
    own = report if report is not None else facts.FactReport()
    for row, values, unreadable in rows:
        if unreadable is not None:
            problems.append(f"row {row}: {unreadable}")
            continue
        try:
            before = len(own.rejected)
            partner = _parse_partner(values, ruleset, contracts, tiers, max_depth, (source, row), own)
        except _Problem as exc:
            code = f" [{exc.problem.code}]" if exc.problem.code in ids.CODES else ""
            problems.append(f"row {row}: {exc.problem.reason}{code}")
            continue
        if report is None:  # without a report, a bad fact record is a mistake of the file
            problems.extend(f"row {row}: {p.reason} [{facts.CODE}]" for p in own.rejected[before:])
        if partner.id in partners:
            problems.append(f"row {row}: partner `{partner.id}` is already defined in row {first_rows[partner.id]}")
            continue
        partners[partner.id] = partner
        first_rows[partner.id] = row
    for partner in partners.values():
        problems.extend(f"row {first_rows[partner.id]}: {p}" for p in _hierarchy_problems(partner, partners, max_depth))
    if problems:
        raise PartnersError(source, sorted(problems, key=_row_order))
    return partners


def _row_order(problem: str) -> int:
    match = re.match(r"row (\d+)", problem)
    return int(match[1]) if match else 0


def _hierarchy_problems(partner: Partner, partners: Mapping[str, Partner], max_depth: int | None) -> list[str]:
    if partner.parent is None:
        if max_depth is not None and partner.level > 1:
            return [f"partner `{partner.id}` is at level {partner.level} but names no `parent`"]
        return []
    parent = partners.get(partner.parent)
    if parent is None:
        return [unknown_reason("parent", partner.parent, tuple(partners))]
    if max_depth is not None and partner.level != parent.level + 1:
        return [f"partner `{partner.id}` is at level {partner.level}, but its parent `{parent.id}` is at level "
                f"{parent.level}; a partner is one level below its parent"]
    return []


# --- periods ---------------------------------------------------------------------------------------

_FY = re.compile(r"FY(\d{4})", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _month(text: str) -> tuple[int, int]:
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"`{text}` is not a month (YYYY-MM)")
    return int(match[1]), int(match[2])


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str, fiscal_year_start: int = 1) -> Period:
    """A settlement period from text.

    Forms: `FY2026` (the fiscal year that starts in 2026, in the program's `fiscal_year_start`
    month), `2026-04` (one month), `2026-04..2027-03` (months, inclusive) and
    `2026-04-01..2027-03-31` (days, inclusive).

    Raises:
        ValueError: the text is none of these, or the period ends before it starts.

    >>> str(parse_period("FY2026", 4)), str(parse_period("2026-02"))
    ('2026-04-01..2027-03-31', '2026-02-01..2026-02-28')
    """
    text = text.strip()
    if (fy := _FY.fullmatch(text)) is not None:
        year = int(fy[1])
        start = datetime.date(year, fiscal_year_start, 1)
        end_year, end_month = (year, fiscal_year_start - 1) if fiscal_year_start > 1 else (year, 12)
        if fiscal_year_start > 1:
            end_year += 1
        return Period(start, _month_end(end_year, end_month))
    first, sep, last = text.partition("..")
    if not sep:
        last = first
    try:
        if _DAY.fullmatch(first) and _DAY.fullmatch(last):
            start, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
        else:
            (y1, m1), (y2, m2) = _month(first), _month(last)
            start, end = datetime.date(y1, m1, 1), _month_end(y2, m2)
    except ValueError:
        raise ValueError(f"`{text}` is not a period; use FY2026, 2026-04, 2026-04..2027-03 or "
                         "2026-04-01..2027-03-31") from None
    if end < start:
        raise ValueError(f"the period `{text}` ends before it starts")
    return Period(start, end)

