"""The types of ppl expressions and the built-in fields every program can read."""

from __future__ import annotations

from dataclasses import dataclass

from runtime import ir

SCALAR_TYPES: tuple[ir.ValueType, ...] = ("percent", "number", "integer", "boolean", "text", "date", "duration")
TYPE_NAMES: tuple[ir.ValueType, ...] = ("money", *SCALAR_TYPES)
"""The value types a program may name for a declared input (enumerations are named by their own names)."""
assert set(TYPE_NAMES) <= set(ir.VALUE_TYPES)


@dataclass(frozen=True, slots=True)
class Type:
    """A value type: a kind plus, for money, its currency and, for enumerations, which one."""

    kind: str  # money | percent | number | integer | boolean | text | date | duration | enum | list | dated | unknown
    currency: str | None = None
    enum: str | None = None
    item: Type | None = None
    literal: bool = False  # a bare number literal: may stand for money in the program currency

    def describe(self) -> str:
        """The type in words, for messages."""
        match self.kind:
            case "money":
                return f"money ({self.currency})" if self.currency else "money"
            case "percent":
                return "a percentage"
            case "number":
                return "a number"
            case "integer":
                return "a whole number"
            case "boolean":
                return "a condition (true/false)"
            case "text":
                return "text"
            case "date":
                return "a date"
            case "duration":
                return "a duration"
            case "enum":
                return f"a `{self.enum}`"
            case "dated":
                return "a dated record"
            case "list":
                if self.item is not None and self.item.kind == "dated":
                    return "a list of dated records"
                return f"a list of {self.item.describe() if self.item else 'values'}"
        return "a value of unknown type"

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "integer")


UNKNOWN = Type("unknown")
BOOLEAN = Type("boolean")

BUILTIN_FIELDS: dict[tuple[str, str], str] = {
    ("partner", "id"): "text",
    ("partner", "tier"): "tier",
    ("partner", "level"): "integer",
    ("partner", "contract"): "contract",
    ("transaction", "date"): "date",
    ("transaction", "partner"): "text",
    ("transaction", "contract"): "contract",
    ("transaction", "product"): "text",
    ("transaction", "list_price"): "money",
    ("transaction", "sell_price"): "money",
    ("transaction", "quantity"): "integer",
    ("deal", "customer"): "text",
    ("deal", "date"): "date",
    ("lead", "id"): "text",
    ("lead", "date"): "date",
    ("applicant", "id"): "text",
    ("applicant", "date"): "date",
    ("period", "sales"): "money",
    ("period", "purchases"): "money",
    ("period", "list_sales"): "money",
    ("period", "quantity"): "integer",
    ("period", "deals"): "integer",
}
"""Fields available without declaration, by (scope, name) → type name."""

SCOPES = ("partner", "transaction", "item", "deal", "lead", "applicant", "period")

ITEM_CATEGORY = "item_category"
"""The enumeration of a program's catalog categories: the type of `item.category`."""
