"""Dated facts and lists in SQL (DuckDB): a `dated` input is a STRUCT(start, until, name) column (NULL: no
record), a `{list: …}` input a LIST of texts or of such STRUCTs (never NULL: empty when the partner has none).

`valid_on`, `count`, `count(…, valid_on: d)` and `v in x` translate to the row engine's meaning
(`runtime.engine.operators`); `x.from` and `x.until` are refused, since the row engine rejects a partner
without the record (E500) and SQL has no rejects there.
"""

from __future__ import annotations

from typing import Final

from sqlglot import exp

from runtime import ir
from runtime.sql._arith import Num, Other, Refused, Value, wide_type

FACT_CALLS: Final = ("valid_on", "count", "count_valid_on", "contains", "fact_from", "fact_until")
"""The functions of dated facts and lists (`runtime.engine.operators`)."""

STRUCT: Final = "STRUCT(start DATE, until DATE, name VARCHAR)"
"""The SQL type of one dated record."""


def column_type(decl: ir.InputDecl) -> str | None:
    """The SQL type of a partner input holding dated facts or a list (None for any other input)."""
    if decl.type == "dated":
        return STRUCT
    if decl.type == "list":
        return f"{STRUCT}[]" if decl.item == "dated" else "VARCHAR[]"
    return None


def column_value(value: object, decl: ir.InputDecl) -> object:
    """A partner's value of such an input, as the DuckDB parameter of its column."""
    if isinstance(value, ir.Dated):
        return {"start": value.start, "until": value.until, "name": value.name}
    if decl.type == "list":
        return [column_value(v, decl) for v in value] if isinstance(value, tuple) else []
    return value


def _where(node: ir.Expr) -> str:
    return f" at {node.at}" if node.at is not None else ""


def _field(record: exp.Expr, name: str) -> exp.Expr:
    return exp.Anonymous(this="struct_extract", expressions=[record, exp.Literal.string(name)])


def _valid(record: exp.Expr, day: exp.Expr) -> exp.Expr:
    """`record` in force on `day`: start ≤ day and (until IS NULL or day ≤ until)."""
    until = _field(record, "until")
    return exp.and_(exp.LTE(this=_field(record, "start"), expression=day),
                    exp.or_(exp.Is(this=until, expression=exp.Null()), exp.LTE(this=day, expression=until)))


def call(node: ir.Expr, fn: str, args: list[Value], dialect: str) -> Value:
    """The SQL of a fact function over translated arguments.

    Raises:
        Refused: `x.from`, `x.until`, or arguments of other kinds than the function reads.
    """
    kinds = [a.kind if isinstance(a, Other) else "num" for a in args]
    sql = [a.sql for a in args]
    if fn == "valid_on" and kinds == ["dated", "date"]:
        return Other(exp.Coalesce(this=exp.Paren(this=_valid(sql[0], sql[1])), expressions=[exp.false()]), "bool")
    if fn == "count" and kinds == ["list"]:
        return Num(exp.Cast(this=exp.Anonymous(this="len", expressions=[sql[0]]), to=wide_type(dialect)), 1)
    if fn == "count_valid_on" and kinds == ["list", "date"]:
        x = exp.column("x")
        valid = exp.Lambda(this=_valid(x, sql[1]), expressions=[exp.to_identifier("x")])
        kept = exp.Anonymous(this="list_filter", expressions=[sql[0], valid])
        return Num(exp.Cast(this=exp.Anonymous(this="len", expressions=[kept]), to=wide_type(dialect)), 1)
    if fn == "contains" and kinds == ["list", "text"]:
        return Other(exp.Anonymous(this="list_contains", expressions=sql), "bool")
    raise Refused(f"the function `{fn}`{_where(node)} (the row engine rejects a partner without the record)"
                  if fn in ("fact_from", "fact_until") else f"the function `{fn}` of these operands{_where(node)}")
