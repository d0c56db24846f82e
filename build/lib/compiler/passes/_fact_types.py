"""Type checking of dated facts and lists: `as_of`, `x.from`/`x.until`, `x.valid_on(d)`, `count(…)` (E315–E317)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compiler.types import BOOLEAN, UNKNOWN, Type
from policy_lang import ast
from policy_lang.suggest import closest

if TYPE_CHECKING:
    from compiler.passes.types import _Checker as Checker

AS_OF = "as_of"
"""The date an expression is evaluated for: a transaction's date, a statement's last day, a review's date."""
RECORD_HINT = "declare the input as `dated` (one record) or `{list: dated}` (records), or read the value itself"


def _dotted(expr: ast.Expr) -> str | None:
    return expr.dotted if isinstance(expr, ast.Name) else None


def as_of(checker: Checker, node: ast.Name) -> Type:
    """`as_of`: the date the expression is evaluated for, where a partner is judged on a date."""
    if "partner" in checker.slot.scopes and not {"deal", "lead", "applicant"} & set(checker.slot.scopes):
        return Type("date")
    return checker.fail("E302", "`as_of` cannot be read here", node,
                        hint="`as_of` is the date a transaction, statement, tier or guide is judged on; here, "
                             "write the date meant (e.g. `deal.date`)")


def record_date(checker: Checker, node: ast.Name) -> Type:
    """`partner.nda.from`, `partner.nda.until`: a date of a dated record."""
    record = ast.Name(node.parts[:2], span=node.span)
    found = checker.name(record, None)
    if found.kind in ("dated", "unknown"):
        return Type("date") if found.kind == "dated" else UNKNOWN
    return checker.fail("E315", f"`.{node.parts[2]}` reads a dated record, and `{record.dotted}` is "
                        f"{found.describe()}", node, hint=RECORD_HINT)


def fact_call(checker: Checker, node: ast.Call) -> Type:
    """`x.valid_on(d)` (a boolean) and `count(x)`, `count(x, valid_on: d)` (a whole number)."""
    if node.method and node.function not in ast.METHODS:
        close = closest(node.function, ast.METHODS)
        return checker.fail("E303", f"unknown method `{node.function}`", node,
                            hint=f"did you mean `{close}`?" if close else "a dated record has `valid_on(date)`")
    positional, on = node.positional, node.keyword("valid_on")
    unknown = [word for word in node.keywords if word != "valid_on"]
    if unknown or (node.method and (len(positional) != 2 or on is not None)):
        shown = f"`{unknown[0]}:`" if unknown else "these arguments"
        return checker.fail("E303", f"`{node.function}` takes no {shown}", node,
                            hint="write `x.valid_on(date)` or `count(x, valid_on: date)`")
    if node.method:
        on = positional[1]
    elif len(positional) != 1:
        return checker.fail("E316", f"`count` counts one list, given {len(positional)} values", node,
                            hint="write `count(partner.regions)` or `count(partner.certifications, valid_on: as_of)`")
    target = positional[0]
    found = checker.infer(target)
    if on is not None:
        when = checker.infer(on)
        if when.kind not in ("date", "unknown"):
            checker.fail("E317", f"`valid_on` needs a date, found {when.describe()}", on,
                         hint="give a date: `transaction.date`, `as_of` or `2026-04-01`")
    if found.kind == "unknown":
        return BOOLEAN if node.method else Type("integer")
    if node.method:
        if found.kind != "dated":
            return checker.fail("E315", f"`valid_on` reads a dated record, and `{_dotted(target) or 'this'}` is "
                                f"{found.describe()}", target, hint=RECORD_HINT)
        return BOOLEAN
    if found.kind != "list":
        return checker.fail("E316", f"`count` needs a list, found {found.describe()}", target,
                            hint="count a list input such as `{list: region}` or `{list: dated}`")
    if on is not None and (found.item is None or found.item.kind != "dated"):
        return checker.fail("E315", f"`valid_on:` counts dated records, and `{_dotted(target) or 'this'}` is "
                            f"{found.describe()}", target, hint="leave out `valid_on:` to count every member")
    return Type("integer")
