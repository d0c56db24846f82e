"""A transaction that names a SKU: its catalog item, found in the catalog of the version in force on its date.

The item's fields travel with the transaction as its fields `item.sku`, `item.category`, `item.unit` and
`item.list_price` (`ir.ITEM_FIELDS`), which is how rules read them (`item.category` is lowered to the
transaction field `item.category`); the quote then compares the stated list price with the catalog's
(`catalog_price`, E554).
"""

from __future__ import annotations

import dataclasses

from runtime import ir
from runtime.decisions._pricing import QuoteError
from runtime.model import Transaction

_INDEXES: dict[int, tuple[ir.Catalog, dict[str, ir.CatalogItem]]] = {}


def _index(catalog: ir.Catalog) -> dict[str, ir.CatalogItem]:
    found = _INDEXES.get(id(catalog))
    if found is None or found[0] is not catalog:
        found = _INDEXES[id(catalog)] = (catalog, {item.sku: item for item in catalog.items})
    return found[1]


def catalog_item(version: ir.Version, sku: str) -> ir.CatalogItem | None:
    """The SKU's item in a version's catalog (None: no catalog, or no such SKU)."""
    return _index(version.catalog).get(sku) if version.catalog is not None else None


def with_item(version: ir.Version, txn: Transaction) -> Transaction:
    """The transaction with its catalog item's fields (unchanged when it names no SKU).

    Raises:
        QuoteError: E555, the SKU is not in the catalog on the transaction's date.
    """
    if txn.sku is None or "item.sku" in txn.fields:
        return txn
    item = catalog_item(version, txn.sku)
    price = item.price_on(txn.date) if item is not None else None
    if item is None or price is None:
        raise QuoteError("E555", f"unknown SKU `{txn.sku}` in the catalog of version {version.version}",
                         version.catalog.at if version.catalog is not None else version.at)
    fields = {**txn.fields, "item.sku": item.sku, "item.category": item.category, "item.unit": item.unit,
              "item.list_price": price}
    return dataclasses.replace(txn, fields=fields)
