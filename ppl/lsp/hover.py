"""Hover: what the thing under the cursor means, as Markdown.

On a key, the schema's description of it. In a value of a program that loads: an input's type and description,
an enumeration member (a constant) with its enumeration, a literal's exact value, the construct an id names
(a tier, a ladder, a contract, a bonus, a benefit, a product), and a ladder step's range, rate and computed
example.
"""

from __future__ import annotations

from decimal import Decimal

from compiler.lower import compile_program
from compiler.types import BUILTIN_FIELDS
from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.format import format_expr
from ppl.lsp import analysis, ladders, schema_docs
from ppl.lsp.analysis import Analysis, Definition
from ppl.lsp.context import cursor_at
from runtime import ir


def _text(text: ast.Text | None) -> str:
    if text is None:
        return ""
    return text.get("en") or text.get("ja") or next((value for _, value in text.values), "")


def hover_text(doc: Analysis, row: int, col: int, line: int, char_col: int) -> str | None:
    """The hover at a 0-based row and character column (`line`, `char_col`: the same, 1-based), or None."""
    cursor = cursor_at(doc.text, row, col)
    if cursor.on_key and cursor.key is not None:
        if len(cursor.path) == 2 and cursor.path[0] == "inputs" and doc.program is not None:
            declared = _field_hover(doc.program, cursor.path[1], cursor.key)  # a field's declaration
            if declared is not None:
                return declared
        described = schema_docs.key_doc(cursor.path, cursor.key)
        if described is None:
            return None
        page = schema_docs.reference_page(cursor.path, cursor.key)
        return f"**`{cursor.key}`**\n\n{described}" + (f"\n\nReference: `{page}`" if page else "")
    if doc.program is None:
        return None
    chain = analysis.nodes_at(doc.program, doc.name, line, char_col)
    parts: list[str] = []
    for node in reversed(chain):
        shown = _node_hover(doc, node, chain)
        if shown is not None and not (parts and isinstance(node, ast.Name | ast.Ident | ast.Expr)):
            parts.append(shown)
        if parts and not isinstance(node, ast.Expr):
            break  # the innermost construct, and a step around a literal
    return "\n\n---\n\n".join(parts) or None


def _node_hover(doc: Analysis, node: ast.Node, chain: list[ast.Node]) -> str | None:
    assert doc.program is not None
    match node:
        case ast.Name(parts=parts) if len(parts) >= 2:
            return _field_hover(doc.program, parts[0], parts[1])
        case ast.Name(parts=parts):
            return _id_hover(doc, parts[0])
        case ast.MoneyLit() | ast.NumberLit() | ast.PercentLit():
            return _literal_hover(node)
        case ast.Ident(name=name) if not isinstance(chain[-2] if len(chain) > 1 else None, ast.InputField):
            return _id_hover(doc, name)
        case ast.LadderStep() | ast.BonusStep():
            return _step_hover(doc, node, chain)
    return None


def _field_hover(program: ast.Program, scope: str, name: str) -> str | None:
    declared = analysis.input_field(program, scope, name)
    if declared is not None:
        kind = declared.type_name.name
        if declared.item is not None:
            kind = f"list of {declared.item.name}"
        about = _text(declared.description)
        return f"**`{scope}.{name}`**: {kind} (input)" + (f"\n\n{about}" if about else "")
    builtin = BUILTIN_FIELDS.get((scope, name))
    if builtin is not None:
        return f"**`{scope}.{name}`**: {builtin} (built in)"
    return None


def _literal_hover(node: ast.Node) -> str | None:
    match node:
        case ast.MoneyLit(amount=amount, currency=currency):
            return f"= {_decimal(amount)} {currency}"
        case ast.NumberLit(value=value):
            return f"= {_decimal(value)}"
        case ast.PercentLit(value=value):
            return f"= {_decimal(value)}%"
    return None


def _decimal(value: Decimal) -> str:
    whole, _, part = f"{value:f}".partition(".")
    return f"{int(whole):,}" + (f".{part}" if part else "") if whole.lstrip("-").isdigit() else f"{value}"


def describe(doc: Analysis, found: Definition) -> str:
    """A defined id in a few lines of Markdown."""
    node = found.node
    head = f"**{found.kind}** `{found.name}`"
    match node:
        case ast.Tier():
            lines = [head + (f" — {_text(node.title)}" if node.title else "")]
            lines.append("assigned" if node.assigned or node.qualify is None else
                         f"qualifies when `{format_expr(node.qualify)}`")
            if node.margin_uplift is not None:
                lines.append(f"margin uplift `{format_expr(node.margin_uplift)}`")
            if node.benefits:
                lines.append("benefits: " + ", ".join(f"`{b.name}`" for b in node.benefits))
            return "\n\n".join(lines)
        case ast.Ladder():
            steps = ", ".join(f"`{format_expr(s.start)}`→`{format_expr(s.rate)}`" for s in node.steps)
            return f"{head} — {_text(node.title)}\n\n{node.mode} on {node.basis} per {node.period}: {steps}"
        case ast.Contract() | ast.Benefit():
            return f"{head} — {_text(node.title)}\n\nkind `{node.kind}`"
        case ast.Bonus():
            return f"{head} — {_text(node.title)}\n\n{node.kind} on {node.basis} per {node.period}"
        case ast.EnumDecl():
            members = ", ".join(f"`{m.name}`" for m in node.members)
            if found.kind == "enumeration":
                return f"{head}: {members}"
            return f"**constant** `{found.name}`: a {found.kind}\n\n`{node.name.name}`: {members}"
        case ast.InputField():
            return _field_hover(doc.program, node.scope, node.name.name) or head if doc.program else head
        case ast.CatalogItem():
            return f"{head} — {_text(node.title)}\n\nlist price `{format_expr(node.list_price)}`"
    return head


def _id_hover(doc: Analysis, name: str) -> str | None:
    assert doc.program is not None
    found = [d for d in analysis.definitions(doc.program) if d.name == name and "field" not in d.kind]
    if not found:
        return None
    return "\n\n---\n\n".join(dict.fromkeys(describe(doc, d) for d in found))


def _compiled(doc: Analysis) -> ir.RuleSet | None:
    if doc.program is None or dg.has_errors(doc.diagnostics):
        return None
    return compile_program(doc.program)


def _step_hover(doc: Analysis, node: ast.Node, chain: list[ast.Node]) -> str | None:
    ruleset = _compiled(doc)
    owner = next((n for n in reversed(chain) if isinstance(n, ast.Ladder | ast.Bonus)), None)
    if ruleset is None or owner is None or owner.span is None:
        return None
    index = next(i for i, step in enumerate(owner.steps) if step is node)
    line = owner.span.line
    for version in ruleset.versions:
        if isinstance(owner, ast.Ladder):
            for ladder in version.ladders:
                if ladder.id == owner.id.name and ladder.at is not None and ladder.at.line == line:
                    english, japanese = ladders.step_range(ruleset, ladder, index)
                    cap = ladders.cap_note(ruleset, ladder)
                    return (f"**step {index + 1}** of ladder `{ladder.id}` ({ladder.mode})\n\n{english}\n\n"
                            f"{japanese}\n\n{ladders.step_example(ruleset, ladder, index)}"
                            + (f"\n\n{cap}" if cap else ""))
        for bonus in version.bonuses:
            if bonus.id == owner.id.name and bonus.at is not None and bonus.at.line == line:
                return f"**step {index + 1}** of bonus `{bonus.id}`\n\n{ladders.bonus_step_text(ruleset, bonus, index)}"
    return None
