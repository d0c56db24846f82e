"""Strict lines and refunds: which rows are sales the program settles, and what a refund reverses.

Follows docs/computation.md ("Strict lines" and "Refunds"). A sale is a row with a positive
quantity and, unless the program allows its product by name (`price_rules.zero_price`), unit prices
above 0. A refund is a row that names an earlier sale of the same input in `refund_of` and states
the units returned as a negative quantity. It is settled with its sale's quote (rates, version,
chain and rounding): each of the sale's amounts is reversed in proportion to the units returned,
rounded in the program's `refund` mode, and cumulatively, so that the refunds of a sale add up to
exactly its amounts once every unit is returned (`reversal`).

Every engine uses these functions: the row engine's `Settler` and the DuckDB engine, which hands
its refund rows to a `Ledger` (refunds are few; a rejected over-refund must not count towards the
next refund of the same sale, which makes their acceptance sequential).
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime import ir
from runtime.decisions._rounding import round_ratio
from runtime.model import UNSTATED, Transaction


class RefundProblem(Exception):
    """A refund row that is rejected: a code, the reason and the field it is about."""

    def __init__(self, code: str, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.field = field


def quantity_problem(quantity: int, refund_of: str | None) -> tuple[str, str] | None:
    """(code, reason) unless a row's quantity makes it a sale (positive) or a refund (negative, with `refund_of`).

    >>> quantity_problem(-2, None)[0], quantity_problem(2, "S1")[0], quantity_problem(-2, "S1")
    ('E542', 'E546', None)
    """
    if quantity == 0:
        return "E540", "quantity is 0; a row is a sale or a refund of at least one unit"
    if quantity < 0 and refund_of is None:
        return "E542", (f"quantity `{quantity:,}` is negative, but the row names no sale; a refund names the sale it "
                        "reverses in `refund_of`")
    if quantity > 0 and refund_of is not None:
        return "E546", (f"a refund of `{refund_of}` with quantity `{quantity:,}`; a refund states the units returned "
                        f"as a negative quantity (`{-quantity:,}`)")
    return None


def zero_price_problem(ruleset: ir.RuleSet, txn: Transaction) -> tuple[str, str, str] | None:
    """(code, reason, field) when a sale has a unit price of 0 and the version in force does not allow its product.

    A row with no version in force passes here: the quote rejects it (E510). So does a row that names a catalog
    SKU: the catalog decides its price (an unknown SKU is E555, a price that disagrees E554).
    """
    name = "list_price" if txn.list_price == 0 else "sell_price" if txn.sell_price == 0 else None
    if name is None or txn.sku is not None:
        return None
    version = ruleset.version_on(txn.date)
    if version is None:
        return None
    allowed = version.price_rules.zero_price if version.price_rules is not None else ()
    if txn.product in allowed:
        return None
    what = f"product `{txn.product}`" if txn.product else "a row without a `product`"
    return ("E541", f"`{name}` is 0 for {what}; a zero-priced product is settled only when the program names it "
                    "under `price_rules.zero_price`", name)


def reversal(amount: int, quantity: int, before: int, after: int, unit: int, mode: str) -> int:
    """What a refund reverses of one amount of its sale: −(R(amount × after / Q) − R(amount × before / Q)).

    Q = `quantity` is the sale's units, `before` and `after` the units refunded before and after this
    refund; R rounds to `unit` in `mode`, except that R(amount × quantity / quantity) is `amount`
    itself, so that a sale refunded in full is reversed exactly, whatever its amounts' units.

    >>> [reversal(1000, 3, b, a, 1, "down") for b, a in ((0, 1), (1, 2), (2, 3))]  # 333 + 333 + 334
    [-333, -333, -334]
    """
    def share(units: int) -> int:
        return amount if units == quantity else round_ratio(amount * units, quantity, unit, mode)

    return share(before) - share(after)


def deals_reversed(quantity: int, after: int) -> int:
    """A sale's deal is taken back by the refund that returns its last unit (−1), by no other (0)."""
    return -1 if after == quantity else 0


@dataclass(slots=True)
class Sale:
    """What a refund needs of an accepted sale: the sale itself (its quote is made again, identically) and the
    units refunded so far. About 0.5 KB per sale, held for every accepted sale of an input with `refund_of`."""

    row: int
    txn: Transaction
    contract: str  # the contract its quote applied
    refunded: int = 0


class Ledger:
    """The sales of one input that refunds may name, and the rows that cannot be named (rejected or refunds).

    `sale`, `reject` and `refund_row` are told every row in input order; `take` judges a refund row.
    Memory: a `Sale` per accepted sale, the row of each rejected row and refund, and the ids that name more than
    one sale; nothing at all without `keep_sales` (an input that cannot name a sale: no refund can come), so
    such a settlement's memory does not grow with its rows, accepted or rejected.
    """

    def __init__(self, keep_sales: bool = True) -> None:
        self.keep_sales = keep_sales
        self.sales: dict[str, Sale] = {}
        self.other: dict[str, tuple[int, str]] = {}  # id → (row, "rejected" | "refund")
        self.twice: set[str] = set()

    def sale(self, row: int, txn: Transaction, contract: str) -> None:
        """An accepted sale."""
        if not self.keep_sales:
            return
        if txn.id in self.sales or txn.id in self.other:
            self.twice.add(txn.id)
        self.sales[txn.id] = Sale(row, txn, contract)

    def reject(self, row: int, txn_id: str, code: str = "") -> None:
        """A rejected row (a sale or a refund). A repeated id rejected as such (E524, the default) leaves the id
        naming its first row."""
        if self.keep_sales and txn_id and txn_id not in self.other and code != "E524":
            self.other[txn_id] = (row, "rejected")
            if txn_id in self.sales:
                self.twice.add(txn_id)

    def refund_row(self, row: int, txn_id: str) -> None:
        """An accepted refund: its id names no sale."""
        if self.keep_sales and txn_id not in self.other:
            self.other[txn_id] = (row, "refund")
            if txn_id in self.sales:
                self.twice.add(txn_id)

    def take(self, refund: Transaction) -> tuple[Sale, int, int]:
        """The sale a refund reverses and its units refunded before and after the refund; the refund is counted.

        Raises:
            RefundProblem: E543 (no earlier accepted sale of that id), E544 (more than remains), E545 (the
            refund disagrees with its sale); the sale is then left as it was.
        """
        assert refund.refund_of is not None and refund.quantity < 0
        name = refund.refund_of
        sale = self.sales.get(name)
        if name in self.twice:
            raise RefundProblem("E543", f"`refund_of` names `{name}`, the id of more than one earlier row; a refund "
                                        "must name one sale (duplicate ids are rejected unless --allow-duplicate-ids)",
                                "refund_of")
        if sale is None:
            row, what = self.other.get(name, (0, ""))
            if what == "rejected":
                reason = f"`refund_of` names `{name}`, which was rejected (row {row}); there is no sale to reverse"
            elif what == "refund":
                reason = f"`refund_of` names `{name}`, a refund (row {row}); a refund names the sale it reverses"
            else:
                reason = (f"`refund_of` names `{name}`, which is not a sale earlier in this input; the sale must come "
                          "before its refunds")
            raise RefundProblem("E543", reason, "refund_of")
        _agrees(refund, sale)
        units = -refund.quantity
        quantity = sale.txn.quantity
        if sale.refunded + units > quantity:
            left = quantity - sale.refunded
            raise RefundProblem("E544", f"a refund of {units:,} unit{'' if units == 1 else 's'} of `{name}`, but "
                                        f"only {left:,} of its {quantity:,} remain", "quantity")
        before = sale.refunded
        sale.refunded += units
        return sale, before, sale.refunded


def _agrees(refund: Transaction, sale: Sale) -> None:
    original = sale.txn
    name = original.id
    checks: list[tuple[str, object, object]] = [("partner", refund.partner, original.partner)]
    if refund.contract is not None:
        checks.append(("contract", refund.contract, sale.contract))
    if refund.product:
        checks.append(("product", refund.product, original.product))
    for field in ("list_price", "sell_price"):
        stated = getattr(refund, field)
        if stated != UNSTATED:
            checks.append((field, stated, getattr(original, field)))
    for field, stated, was in checks:
        if stated != was:
            shown = f"`{was}`" if was != "" else "none"
            raise RefundProblem("E545", f"the refund states {field} `{stated}`, but sale `{name}` has {shown}; a "
                                        "refund is settled as its sale was", field)
    if refund.date < original.date:
        raise RefundProblem("E545", f"the refund is dated {refund.date}, before sale `{name}` "
                                    f"({original.date}) that it reverses", "date")


def quote_problem(ruleset: ir.RuleSet, txn: Transaction) -> tuple[str, str, str] | None:
    """(code, reason, field) when a transaction is not a sale that can be quoted on its own: a quantity that is no
    sale's, a refund (settled only against its sale, in a settlement), or a unit price of 0 the program does not
    allow."""
    if (problem := quantity_problem(txn.quantity, txn.refund_of)) is not None:
        return (*problem, "quantity")
    if txn.refund_of is not None:
        return ("E543", f"a refund of `{txn.refund_of}` is settled against its sale, in a settlement of the input "
                        "that holds both; it cannot be quoted on its own", "refund_of")
    return zero_price_problem(ruleset, txn)
