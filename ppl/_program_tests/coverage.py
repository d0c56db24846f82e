"""Coverage in a program's own terms: what of the program the cases of its test files reached.

Items are ladder and bonus steps, tiers, benefits, margin caps, pass-through entries, the price rules
the program can break, contracts, hierarchy levels and versions. Conflict rules and lead routing
are listed as not yet testable and left out of the percentage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from ppl._program_tests.compare import Settled
from runtime import ir
from runtime.model import Line, Partner, Quote, Transaction


class Coverage:
    """What a program's tests reached, item by item, in the program's own terms."""

    def __init__(self, ruleset: ir.RuleSet, shown: str) -> None:
        self.program = ruleset.program_id
        self.file = shown
        self.items: dict[str, list[str]] = {name: [] for name in coverage_items(ruleset)}
        self.untestable = untestable_items(ruleset)
        self.hierarchy = any(v.hierarchy is not None for v in ruleset.versions)
        self.bonus_steps = {step.at: (b.id, i + 1, b.kind) for v in ruleset.versions for b in v.bonuses
                            for i, step in enumerate(b.steps) if step.at is not None}

    @property
    def covered(self) -> int:
        """Items that some case reached."""
        return sum(1 for cases in self.items.values() if cases)

    @property
    def percent(self) -> Fraction:
        """Covered items as a percentage of the testable ones (100 when there are none)."""
        return Fraction(100 * self.covered, len(self.items)) if self.items else Fraction(100)

    def mark(self, case: str, names: Iterable[str]) -> None:
        """Record that a case reached these items (names that are not items are ignored)."""
        for name in names:
            cases = self.items.get(name)
            if cases is not None and case not in cases:
                cases.append(case)

    def record(self, case: str, result: Quote | Settled, transactions: Sequence[Transaction],
               partners: Mapping[str, Partner]) -> None:
        """Record what a quote or a settlement reached."""
        if isinstance(result, Quote):
            self.mark(case, self._quote(result, partners))
            return
        refused = {r.transaction for r in result.rejects}
        self.mark(case, (f"contract `{t.contract or partners[t.partner].contract}`" for t in transactions
                         if t.id not in refused and t.partner in partners))
        for line in result.lines:
            names = [f"version {line.version}", line.rule]
            if self.hierarchy and line.kind == "margin" and line.partner in partners:
                names.append(f"hierarchy level {partners[line.partner].level}")
            self.mark(case, names)
        # Only the statements of partners the transactions reached: the others are not what the case is about.
        active = {line.partner for line in result.lines} | {t.partner for t in transactions}
        for statement in (s for s in result.statements.values() if s.partner in active):
            if statement.next_tier is not None:
                self.mark(case, [statement.next_tier.rule])
            for line in statement.period_lines:
                self.mark(case, [line.rule] if line.kind.startswith("ladder") else self._bonus(line))

    def _quote(self, q: Quote, partners: Mapping[str, Partner]) -> list[str]:
        names = [f"contract `{q.contract}`", f"version {q.version}"]
        names += [f.rule for f in q.rates if f.name in ("ladder rate", "tier uplift", "margin cap")]
        names += [f.rule for f in q.benefits]
        seller = partners.get(q.partner)
        if q.benefits and seller is not None and seller.tier is not None:
            names.append(f"tier `{seller.tier}`")
        names += [f"price rule `{v.kind}`" for v in q.violations]
        names += [line.rule for line in q.lines]
        names += [f"hierarchy level {s.level}" for s in q.chain] if self.hierarchy else []
        return names

    def _bonus(self, line: Line) -> list[str]:
        found = self.bonus_steps.get(line.at) if line.at is not None else None
        if found is None:
            return []
        bonus, step, kind = found
        # A one-off bonus pays only the highest target reached; a cumulative one pays each.
        return [f"bonus `{bonus}` step {n}" for n in (range(1, step + 1) if kind == "cumulative" else (step,))]


def coverage_items(ruleset: ir.RuleSet) -> list[str]:
    """The testable items of a program, across its versions, in the order the program declares them."""
    versions = ruleset.versions
    items: dict[str, None] = {}
    groups: list[Iterable[str]] = [
        (f"ladder `{lad.id}` step {i}" for v in versions for lad in v.ladders for i in range(1, len(lad.steps) + 1)),
        (f"bonus `{b.id}` step {i}" for v in versions for b in v.bonuses for i in range(1, len(b.steps) + 1)),
        (f"tier `{t.id}`" for v in versions if v.tiers for t in v.tiers.levels),
        (f"benefit `{b.id}`" for v in versions for b in v.benefits),
        (f"margin cap `{c.id}`" for v in versions if v.price_rules for c in v.price_rules.margin_caps),
        (f"pass-through `{p.id}`" for v in versions if v.price_rules for p in v.price_rules.pass_through),
        ("price rule `above_list`" for v in versions if v.price_rules and v.price_rules.ceiling == "list_price"),
        ("price rule `below_floor`" for v in versions if v.price_rules and v.price_rules.max_discount is not None),
        (f"contract `{c.id}`" for v in versions for c in v.contracts),
        (f"hierarchy level {lv.level}" for v in versions if v.hierarchy for lv in v.hierarchy.levels),
        (f"version {v.version}" for v in versions),
    ]
    for group in groups:
        items.update((name, None) for name in group)
    return list(items)


def untestable_items(ruleset: ir.RuleSet) -> list[str]:
    """What the program says that no runtime decides yet: conflict rules and lead routing."""
    items: dict[str, None] = {}
    for v in ruleset.versions:
        items.update((f"conflict rule `{r.rule}`", None) for r in (v.conflicts.precedence if v.conflicts else ()))
    if any(v.lead_routing is not None for v in ruleset.versions):
        items["lead routing"] = None
    return list(items)
