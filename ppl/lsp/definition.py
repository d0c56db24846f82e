"""Go to definition: from an id where it is used (an expression, a reference such as a contract's `ladder`) to
where it is defined (a tier, a ladder, a contract, a bonus, a benefit, an enumeration member, a product, an input).
"""

from __future__ import annotations

import re

from policy_lang import ast
from policy_lang.source import Span
from ppl.lsp import analysis
from ppl.lsp.context import word_at

_FIELD = re.compile(r"^([a-z_][a-z0-9_]*)\.([a-z0-9_]+)")


def _candidates(word: str, col: int, start: int) -> list[str]:
    """The names the word under the cursor may be: itself, and its parts split at `.` and `-` (an expression
    reads `a-b` as a subtraction)."""
    names = [word]
    offset = start
    for part in re.split(r"([.-])", word):
        if part not in (".", "-") and offset <= col <= offset + len(part):
            names.append(part)
        offset += len(part)
    return names


def definition_spans(program: ast.Program, line_text: str, col: int) -> list[Span]:
    """Where the id under a 0-based column of a line is defined (several for an id a revision defines again)."""
    word, start, _ = word_at(line_text, col)
    if not word:
        return []
    field = _FIELD.match(word)
    if field is not None and col > start + len(field.group(1)):
        declared = analysis.input_field(program, field.group(1), field.group(2))
        return [declared.name.span] if declared is not None and declared.name.span is not None else []
    found = analysis.definitions(program)
    for name in _candidates(word, col, start):
        spans = [d.span for d in found if d.name == name and "field" not in d.kind]
        if spans:
            return spans
    return []
