"""Declarations that nothing uses (warnings): input fields, enumerations, benefits, ladders, bonuses.

Runs after type checking, which records every field and enumeration an expression reads.
"""

from __future__ import annotations

from collections.abc import Iterator

from compiler.context import Context
from policy_lang import diagnostics as dg


def check_usage(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield W301 for each declaration that the program never uses."""
    program = ctx.program
    declared_types = {f.type_name.name for f in program.inputs}
    for key, input_field in sorted(ctx.declared.items()):
        if key not in ctx.used_fields:
            yield dg.warning("W301", f"input `{key[0]}.{key[1]}` is declared but never used", input_field.name.span,
                             hint="remove it, or use it in a rule")
    for enum in program.enums:
        name = enum.name.name
        if name not in ctx.used_enums and name not in declared_types:
            yield dg.warning("W301", f"enumeration `{name}` is declared but never used", enum.name.span,
                             hint="remove it, or give an input field this type")
    attached_benefits: set[str] = set()
    used_ladders: set[str] = set()
    used_bonuses: set[str] = set()
    for view in ctx.views:
        for tier in view.body.tiers.levels if view.body.tiers else ():
            attached_benefits.update(b.name for b in tier.benefits)
        for contract in view.body.contracts or ():
            if contract.ladder is not None:
                used_ladders.add(contract.ladder.name)
            used_bonuses.update(b.name for b in contract.bonuses)
    for body in ctx.all_bodies():
        for benefit in body.benefits or ():
            if benefit.id.name not in attached_benefits:
                yield dg.warning("W301", f"benefit `{benefit.id.name}` is not granted by any tier", benefit.id.span,
                                 hint="list it under a tier's `benefits`, or remove it")
        for ladder in body.ladders or ():
            if ladder.id.name not in used_ladders:
                yield dg.warning("W301", f"ladder `{ladder.id.name}` is not used by any contract", ladder.id.span,
                                 hint="name it in a contract's `ladder`, or remove it")
        for bonus in body.bonuses or ():
            if bonus.id.name not in used_bonuses:
                yield dg.warning("W301", f"bonus `{bonus.id.name}` is not offered by any contract", bonus.id.span,
                                 hint="list it in a contract's `bonuses`, or remove it")
