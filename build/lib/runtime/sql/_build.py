"""RuleSet → SQL: the quote, quote-lines and statement queries, checked up front and rendered per dialect."""

from __future__ import annotations

import math

from sqlglot import exp

from runtime import ir
from runtime.model import Period
from runtime.sql import _chain, _lines, _quote, _statement
from runtime.sql._arith import Refused, exact_at_ceiling
from runtime.sql._arith import date as _date
from runtime.sql._rates import Rates, collect_rates, max_depth
from runtime.sql._support import Unsupported, check_structure

DIALECTS = ("duckdb", "spark", "trino", "postgres")


def _check_dialect(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect `{dialect}`; use one of {', '.join(DIALECTS)}")


def _rates(ruleset: ir.RuleSet, dialect: str, period: Period | None) -> Rates:
    _check_dialect(dialect)
    problems = unsupported(ruleset)
    if problems:
        raise Unsupported(ruleset.program_id, problems)
    version = _statement.end_version(ruleset, period) if period is not None else None
    return collect_rates(ruleset, dialect, _statement.period_rates(version))


def unsupported(ruleset: ir.RuleSet) -> list[str]:
    """Every construct of the rule set that the SQL back end refuses (empty: it can be translated)."""
    reasons = check_structure(ruleset)
    try:
        rates = collect_rates(ruleset, "duckdb", [])
    except Refused as exc:
        reasons += exc.reasons
    else:
        finest = max(_scales(ruleset, rates))
        if not exact_at_ceiling(finest, ruleset.minor_unit):
            reasons.append(f"rates with so many decimals (a common denominator of {len(str(finest))} digits) that "
                           "an amount at the ceiling times a rate does not fit exact SQL integers")
    period_tr = _statement.period_translator(ruleset, "duckdb")
    for version in ruleset.versions:
        for bonus in version.bonuses:
            if bonus.when is not None:
                try:
                    period_tr.cond(bonus.when)
                except Refused as exc:
                    reasons.append(f"in bonus `{bonus.id}`: {exc}")
    return reasons


def _scales(ruleset: ir.RuleSet, rates: Rates) -> list[int]:
    """The denominators every rate of the SQL is a numerator over (quote, fees, pass-throughs, ladders)."""
    scales = [rates.scale, *(n.scale for _, n in rates.services), *(n.scale for _, n, _, _ in rates.fees)]
    scales += [s for pair in _quote.pass_scales(rates) for s in pair]
    return scales + [math.lcm(1, *_statement.period_rates(v)) for v in ruleset.versions]


def _with(ctes: list[tuple[str, exp.Select]], final: exp.Select) -> exp.Select:
    for name, query in ctes:
        final = final.with_(name, as_=query)
    return final


def quote_query(ruleset: ir.RuleSet, dialect: str = "duckdb") -> exp.Select:
    """The quote of every transaction: one row per accepted transaction, ordered by id.

    Raises:
        Unsupported: the program uses a construct this back end does not translate.
    """
    rates = _rates(ruleset, dialect, None)
    return _with(_quote.quote_ctes(ruleset, rates, dialect), _quote.quote_select(ruleset, rates))


def settle_quote_query(ruleset: ir.RuleSet, carry: tuple[str, ...] = (), exact: str = "HUGEINT") -> exp.Select:
    """Every column of every transaction's quote (CTE `q_lines`) over `transactions`, for the DuckDB settlement:
    `carry` names more columns of `transactions` to pass through; `exact` is the integer type the arithmetic
    runs in (`BIGINT` is faster, and DuckDB stops with an overflow error where it is not wide enough).

    Raises:
        Unsupported: the program uses a construct this back end does not translate.
    """
    rates = _rates(ruleset, "duckdb", None)
    query = _with(_quote.quote_ctes(ruleset, rates, "duckdb", carry=carry), exp.select(exp.Star()).from_("q_lines"))
    if exact == "HUGEINT":
        return query
    narrow = exp.DataType.build(exact)

    def retype(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT128:
            return narrow.copy()
        return node

    narrowed = query.transform(retype)
    assert isinstance(narrowed, exp.Select)
    return narrowed


def rate_scale(ruleset: ir.RuleSet) -> int:
    """The scale S every rate column of the quote (margin, headroom, level margins) is a numerator over."""
    return _rates(ruleset, "duckdb", None).scale


def pass_scales(ruleset: ir.RuleSet) -> list[tuple[int, int]]:
    """The scales of each pass-through slot's amount and fee numerators (`pt<e>_n`, `ptf<e>_n`)."""
    return _quote.pass_scales(_rates(ruleset, "duckdb", None))


def quote_lines_query(ruleset: ir.RuleSet, dialect: str = "duckdb") -> exp.Select:
    """Every line of every transaction's quote (each chain level's margin, pass-through and fee, services,
    referral fee), ordered by transaction and as a quote lists them.

    Raises:
        Unsupported: the program uses a construct this back end does not translate.
    """
    rates = _rates(ruleset, dialect, None)
    ctes = [*_quote.quote_ctes(ruleset, rates, dialect), _lines.lines_cte(ruleset, rates)]
    return _with(ctes, _lines.lines_select())


def statement_query(ruleset: ir.RuleSet, period: Period, dialect: str = "duckdb") -> exp.Select:
    """Every partner's statement lines for a period: transaction-line totals by kind, ladder and bonus lines.

    Raises:
        Unsupported: the program uses a construct this back end does not translate.
    """
    rates = _rates(ruleset, dialect, period)
    in_period = exp.Between(this=exp.column("date", "t"), low=_date(period.start.isoformat()),
                            high=_date(period.end.isoformat()))
    ctes = [*_quote.quote_ctes(ruleset, rates, dialect, where=in_period), _lines.lines_cte(ruleset, rates),
            _lines.volume_cte(ruleset)]
    more, lines = _statement.statement_parts(ruleset, period, rates.scale, dialect)
    union = _statement.union_lines(lines, ruleset.payout_cap, period)
    assert isinstance(union, exp.Select)
    return _with(ctes + more, union)


def header(ruleset: ir.RuleSet, what: str, dialect: str) -> str:
    """The comment that states the tables and columns a query assumes."""
    def declared(scope: str) -> str:
        return "".join(f", {d.name} {_SQL_TYPES.get(d.type, 'VARCHAR')}" for d in ruleset.inputs
                       if d.scope == scope)

    lines = [
        f"-- ppl: {what} of program `{ruleset.program_id}` ({dialect}); generated from the rule set, do not edit.",
        "-- Amounts are integers in minor units of " + ruleset.currency + "; rates are integer numerators over",
        "-- `rate_den`. Assumed tables:",
        "--   transactions(id VARCHAR, date DATE, partner VARCHAR, contract VARCHAR (NULL or '': the partner's),",
        "--                product VARCHAR, list_price BIGINT, sell_price BIGINT, quantity BIGINT (< 0: a refund)"
        + declared("transaction") + (", sku VARCHAR (NULL: none)" if any(v.catalog for v in ruleset.versions)
                                     else "") + ")",
        "--   partners(id VARCHAR (" + ("unique per stretch" if _chain.reviewed(ruleset) else "unique")
        + "), contract VARCHAR, tier VARCHAR, level INTEGER (NULL: 1),",
        "--            parent VARCHAR (NULL or '': none)" + declared("partner")
        + (", p_from DATE, p_until DATE" if _chain.reviewed(ruleset) else "") + ")",
        *(["-- The program reviews tiers: one partners row per stretch between reviews, with the tier in force",
           "-- on [p_from, p_until); a transaction reads the row of its date (0001-01-01 and 9999-12-31 at the ends)."]
          if _chain.reviewed(ruleset) else []),
        "-- Money inputs are BIGINT minor units; percent and number inputs DECIMAL(38, 10) holding the value",
        "-- (15% is 0.15); enumeration inputs the member's name.",
    ]
    if any(v.catalog for v in ruleset.versions):
        lines += ["-- A row that names a SKU carries the catalog's list price (the rows the settlement takes: an",
                  "-- unknown SKU, or a list price other than the catalog's that the program rejects or holds, is",
                  "-- left out); rules read the item's category and unit from the catalog, joined here."]
    if max_depth(ruleset):
        lines += [
            "-- Distributor chains follow partners.parent up from the selling partner (at most "
            f"{max_depth(ruleset)} levels);",
            "-- a partner's level must be its place in its chain, counted from the partner the vendor sells to.",
        ]
    lines += [
        "-- Every field a rule reads is assumed present (the row engine rejects a row that lacks one);",
        "-- rows with an unknown partner or contract, a broken distributor chain, or a date no version covers,",
        "-- are left out, as the row engine rejects them. Period volumes read by transaction rules are 0, as",
        "-- in a settlement.",
    ]
    return "\n".join(lines)


_SQL_TYPES = {"money": "BIGINT", "integer": "BIGINT", "boolean": "BOOLEAN", "text": "VARCHAR", "enum": "VARCHAR",
              "date": "DATE", "percent": "DECIMAL(38, 10)", "number": "DECIMAL(38, 10)", "duration": "VARCHAR"}


def render(query: exp.Expr, dialect: str, *, pretty: bool = True) -> str:
    """The query's text in a dialect."""
    return query.sql(dialect=dialect, pretty=pretty)
