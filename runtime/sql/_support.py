"""What the SQL back end supports: a program is checked up front and refused, construct by construct."""

from __future__ import annotations

from runtime import ir


class Unsupported(Exception):
    """A program the SQL back end cannot translate yet; `reasons` name each construct (and where)."""

    def __init__(self, program_id: str, reasons: list[str]) -> None:
        super().__init__(f"program `{program_id}` cannot be translated to SQL yet: " + "; ".join(reasons))
        self.reasons = reasons


def _at(node: ir.Node) -> str:
    return f" at {node.at}" if node.at is not None else ""


def check_structure(ruleset: ir.RuleSet) -> list[str]:
    """The constructs of a rule set that the SQL back end refuses, before any expression is translated."""
    reasons: list[str] = []
    for version in ruleset.versions:
        where = f"in version {version.version}"
        if version.hierarchy is not None:
            reasons.append(f"{where}: a hierarchy (distributor chains){_at(version.hierarchy)}")
        rules = version.price_rules
        for p in rules.pass_through if rules is not None else ():
            reasons.append(f"{where}: pass-through `{p.id}`{_at(p)}")
    return reasons
