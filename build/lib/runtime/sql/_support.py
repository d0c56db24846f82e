"""What the SQL back end refuses: a program is checked up front and refused, construct by construct."""

from __future__ import annotations

from runtime import ir


class Unsupported(Exception):
    """A program the SQL back end cannot translate; `reasons` name each construct (and where)."""

    def __init__(self, program_id: str, reasons: list[str]) -> None:
        super().__init__(f"program `{program_id}` cannot be translated to SQL: " + "; ".join(reasons))
        self.reasons = reasons


def _at(node: ir.Node) -> str:
    return f" at {node.at}" if node.at is not None else ""


def check_structure(ruleset: ir.RuleSet) -> list[str]:
    """The constructs of a rule set that the SQL back end refuses, before any expression is translated."""
    reasons: list[str] = []
    for version in ruleset.versions:
        where = f"in version {version.version}"
        hierarchy = version.hierarchy
        if hierarchy is not None and hierarchy.model not in ("nested", "stacked"):
            reasons.append(f"{where}: the hierarchy model `{hierarchy.model}`{_at(hierarchy)}")
        rules = version.price_rules
        if rules is not None and rules.max_discount is not None and rules.max_discount_action != "flag" and \
                not isinstance(rules.max_discount, ir.Const):
            reasons.append(f"{where}: a maximum discount that is not a constant, with the action "
                           f"`{rules.max_discount_action}`{_at(rules.max_discount)}")
        if rules is not None and rules.min_fee is not None and rules.min_fee_action != "flag":
            reasons.append(f"{where}: a minimum fee with the action `{rules.min_fee_action}`{_at(rules)}")
        for p in version.price_rules.pass_through if version.price_rules else ():
            if p.billed is not None:
                reasons.append(f"{where}: the billed amount of pass-through `{p.id}`{_at(p)} (its line shows it "
                               "beside the cost)")
        if ruleset.rounding_mode not in ("down", "up", "half_up", "half_even"):
            reasons.append(f"the rounding mode `{ruleset.rounding_mode}`")
            break
    return reasons
