"""RuleSet → SQL: the quote query and the statement query, checked up front and rendered per dialect."""

from __future__ import annotations

from sqlglot import exp

from runtime import ir
from runtime.model import Period
from runtime.sql import _quote, _statement
from runtime.sql._exprs import Refused, Translator
from runtime.sql._support import Unsupported, check_structure

DIALECTS = ("duckdb", "spark", "trino", "postgres")


def _translators(ruleset: ir.RuleSet, dialect: str) -> tuple[Translator, Translator]:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect `{dialect}`; use one of {', '.join(DIALECTS)}")
    return (Translator(_quote.resolver(ruleset, period=False), dialect),
            Translator(_quote.resolver(ruleset, period=True), dialect))


def _rates(ruleset: ir.RuleSet, tr: Translator, period: Period | None) -> _quote.Rates:
    reasons = check_structure(ruleset)
    if reasons:
        raise Unsupported(ruleset.program_id, reasons)
    version = _statement.end_version(ruleset, period) if period is not None else None
    try:
        return _quote.collect_rates(ruleset, tr, _statement.period_rates(version))
    except Refused as exc:
        raise Unsupported(ruleset.program_id, str(exc).split("; ")) from None


def unsupported(ruleset: ir.RuleSet) -> list[str]:
    """Every construct of the rule set that the SQL back end refuses (empty: it can be translated)."""
    reasons = check_structure(ruleset)
    tr, period_tr = _translators(ruleset, "duckdb")
    try:
        _quote.collect_rates(ruleset, tr, [])
    except Refused as exc:
        reasons += str(exc).split("; ")
    for version in ruleset.versions:
        for bonus in version.bonuses:
            if bonus.when is not None:
                try:
                    period_tr.cond(bonus.when)
                except Refused as exc:
                    reasons.append(f"in bonus `{bonus.id}`: {exc}")
    return reasons


def _with(ctes: list[tuple[str, exp.Select]], final: exp.Select) -> exp.Select:
    for name, query in ctes:
        final = final.with_(name, as_=query)
    return final


def quote_query(ruleset: ir.RuleSet, dialect: str = "duckdb") -> exp.Select:
    """The quote of every transaction: one row per accepted transaction, ordered by id.

    Raises:
        Unsupported: the program uses a construct this back end does not translate yet.
    """
    tr, _ = _translators(ruleset, dialect)
    rates = _rates(ruleset, tr, None)
    return _with(_quote.quote_ctes(ruleset, tr, rates), _quote.quote_select(ruleset, rates, dialect))


def statement_query(ruleset: ir.RuleSet, period: Period, dialect: str = "duckdb") -> exp.Select:
    """Every partner's statement lines for a period: transaction-line totals by kind, ladder and bonus lines.

    Raises:
        Unsupported: the program uses a construct this back end does not translate yet.
    """
    tr, period_tr = _translators(ruleset, dialect)
    problems = [r for r in unsupported(ruleset) if r.startswith("in bonus")]
    rates = _rates(ruleset, tr, period)
    if problems:
        raise Unsupported(ruleset.program_id, problems)
    in_period = exp.Between(this=exp.column("date", "t"), low=_quote._date(period.start.isoformat()),
                            high=_quote._date(period.end.isoformat()))
    ctes = _quote.quote_ctes(ruleset, tr, rates, where=in_period)
    more, lines = _statement.statement_parts(ruleset, period, rates.scale, tr, period_tr)
    union = _statement.union_lines(lines)
    assert isinstance(union, exp.Select)
    return _with(ctes + more, union)


def header(ruleset: ir.RuleSet, what: str, dialect: str) -> str:
    """The comment that states the tables and columns a query assumes."""
    def declared(scope: str) -> str:
        return "".join(f", {d.name} {_SQL_TYPES.get(d.type, d.type)}" for d in ruleset.inputs if d.scope == scope)

    return "\n".join([
        f"-- ppl: {what} of program `{ruleset.program_id}` ({dialect}); generated from the rule set, do not edit.",
        "-- Amounts are integers in minor units of " + ruleset.currency + "; rates are integer numerators over",
        "-- `rate_den`. Assumed tables:",
        "--   transactions(id VARCHAR, date DATE, partner VARCHAR, contract VARCHAR (NULL or '': the partner's),",
        "--                product VARCHAR, list_price BIGINT, sell_price BIGINT, quantity BIGINT"
        + declared("transaction") + ")",
        "--   partners(id VARCHAR, contract VARCHAR, tier VARCHAR, level INTEGER, parent VARCHAR"
        + declared("partner") + ")",
        "-- Every field a rule reads is assumed present (the row engine rejects a row that lacks one);",
        "-- rows with an unknown partner or contract, or a date no version covers, are left out.",
    ])


_SQL_TYPES = {"money": "BIGINT", "integer": "BIGINT", "boolean": "BOOLEAN", "text": "VARCHAR", "enum": "VARCHAR",
              "date": "DATE", "percent": "DECIMAL", "number": "DECIMAL", "duration": "VARCHAR"}


def render(query: exp.Expr, dialect: str, *, pretty: bool = True) -> str:
    """The query's text in a dialect."""
    return query.sql(dialect=dialect, pretty=pretty)
