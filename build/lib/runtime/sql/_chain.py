"""Distributor chains in SQL: every partner's chain from level 1 down to it, as `chain_of` finds it.

A program's versions allow chains at most `max_depth` deep, so a chain is found with that many
self-joins of `partners` (no recursion, which not every warehouse has). `q_walk` and `q_chains` have one row per
partner with its chain's `depth` (-1 when the chain is broken: an unknown parent, a loop, or more
levels than any version allows), whether every partner's `level` is its place in the chain
(`levels_ok`), and the columns of the chain's partner at level j as `c<j>_<name>`.
"""

from __future__ import annotations

from sqlglot import exp

from runtime import ir
from runtime.sql._arith import all_of, case, col, is_null, lit, not_null

PARTNER_COLUMNS = ("id", "tier", "level", "contract")
SINCE_ALWAYS, UNTIL_FURTHER_NOTICE = "0001-01-01", "9999-12-31"
"""`p_from` and `p_until` of a partner's row that holds all along (a program with tier reviews)."""


def reviewed(ruleset: ir.RuleSet) -> bool:
    """Whether the program reviews tiers: then `partners` has one row per partner and stretch between reviews,
    the tier in force in [`p_from`, `p_until`), and every join of a transaction to it reads the row of its date."""
    return any(v.tiers is not None and v.tiers.review is not None for v in ruleset.versions)


def in_force(alias: str, day: exp.Expr) -> exp.Expr:
    """The condition that partner row `alias` is the one in force on `day` (with tier reviews)."""
    return exp.and_(exp.GTE(this=day, expression=col("p_from", alias)),
                    exp.LT(this=day.copy(), expression=col("p_until", alias)))


def last_stretch_of(alias: str) -> exp.Expr:
    """The condition that partner row `alias` is its last: in force at the period's end (with tier reviews)."""
    return exp.EQ(this=col("p_until", alias), expression=exp.cast(exp.Literal.string(UNTIL_FURTHER_NOTICE),
                                                                   exp.DataType.build("date")))


def partner_columns(ruleset: ir.RuleSet) -> list[str]:
    """The partner columns a rule may read: the built-in ones, then the declared `partner` inputs."""
    return [*PARTNER_COLUMNS, *(d.name for d in ruleset.inputs if d.scope == "partner")]


def parent(alias: str) -> exp.Expr:
    """The parent a partner names (NULL or empty: none)."""
    return exp.Nullif(this=col("parent", alias), expression=exp.Literal.string(""))


def level(alias: str) -> exp.Expr:
    """A partner's level (NULL: 1, as the partners reader takes an empty level)."""
    return exp.Coalesce(this=col("level", alias), expressions=[lit(1)])


def walk_cte(ruleset: ir.RuleSet, depth: int) -> exp.Select:
    """`q_walk`: each partner and up to `depth - 1` partners above it (`a<i>_<name>`, the seller is a1)."""
    arms: list[tuple[exp.Expr, exp.Expr]] = [(is_null(parent("a1")), lit(1))]
    for i in range(2, depth + 1):
        arms += [(is_null(col("id", f"a{i}")), lit(-1)), (is_null(parent(f"a{i}")), lit(i))]
    found = case(arms, lit(-1))

    levels_ok = case([(exp.EQ(this=found, expression=lit(d)),
                       all_of([exp.EQ(this=level(f"a{d - j + 1}"), expression=lit(j)) for j in range(1, d + 1)]))
                      for d in range(1, depth + 1)], exp.false())
    stretch = [col("p_from", "a1"), col("p_until", "a1")] if reviewed(ruleset) else []
    walk = exp.select(exp.alias_(col("id", "a1"), "id"), *stretch, exp.alias_(found, "depth"),
                      exp.alias_(levels_ok, "levels_ok"),
                      *(exp.alias_(level(f"a{i}") if name == "level" else col(name, f"a{i}"), f"a{i}_{name}")
                        for i in range(1, depth + 1)
                        for name in partner_columns(ruleset))
                      ).from_(exp.alias_(exp.to_table("partners"), "a1"))
    for i in range(2, depth + 1):
        on: exp.Expr = exp.EQ(this=col("id", f"a{i}"), expression=parent(f"a{i - 1}"))
        if reviewed(ruleset):  # the partners above in the same stretch between reviews
            on = exp.and_(on, exp.EQ(this=col("p_from", f"a{i}"), expression=col("p_from", "a1")))
        walk = walk.join(exp.alias_(exp.to_table("partners"), f"a{i}"), join_type="left", on=on)
    return walk


def chain_columns(ruleset: ir.RuleSet, depth: int) -> list[exp.Expr]:
    """The columns of `q_chains` over `q_walk`: `depth`, `levels_ok` and each level's `c<j>_<name>`."""
    out: list[exp.Expr] = [col("id"), *((col("p_from"), col("p_until")) if reviewed(ruleset) else ()), col("depth"),
                           col("levels_ok")]
    for j in range(1, depth + 1):
        for name in partner_columns(ruleset):
            value = case([(exp.EQ(this=col("depth"), expression=lit(d)), col(f"a{d - j + 1}_{name}"))
                          for d in range(j, depth + 1)])
            out.append(exp.alias_(value, f"c{j}_{name}"))
    return out


def level_limit(version: ir.Version) -> int:
    """The deepest chain a version accepts: its `max_depth`, and no deeper than its levels go unbroken."""
    assert version.hierarchy is not None
    defined = {lv.level for lv in version.hierarchy.levels}
    gap = next(n for n in range(1, len(defined) + 2) if n not in defined)
    return min(version.hierarchy.max_depth, gap - 1)


def known_chain(version: ir.Version) -> exp.Expr:
    """Whether a transaction's chain is one `chain_of` accepts under a version (given its `q_chains` row)."""
    limit = level_limit(version)
    return exp.and_(exp.Between(this=col("depth"), low=lit(1), high=lit(limit)), col("levels_ok"),
                    not_null(col("depth")))
