"""One comparable form for every contender's answer, so outputs can be checked equal before timing.

`plain`: version, contract, margin, wholesale, partner gross, the chain (partner, level, margin,
pays, receives, keeps), lines (partner, kind, amount), benefits (name, value), violation kinds.
`explained`: `plain` plus rates (name, value, rule), lines with labels and rules, benefits with
rules, violations with messages and rules, and the next-step hints.

Rates are exact Fractions in both forms; hand-written answers give margins in basis points.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from runtime.labels import rule_label
from runtime.model import Quote, QuoteFigures

Plain = tuple[Any, ...]
Explained = tuple[Any, ...]


def plain(q: Quote | QuoteFigures) -> Plain:
    """The runtime's quote (explained, or its figures alone) in the plain form."""
    if isinstance(q, QuoteFigures):
        return (q.version, q.contract, q.margin, q.wholesale, q.partner_gross, q.chain, q.lines, q.benefits,
                q.violations)
    return (q.version, q.contract, q.margin, q.wholesale, q.partner_gross,
            tuple((s.partner, s.level, s.margin, s.pays, s.receives, s.keeps) for s in q.chain),
            tuple((line.partner, line.kind, line.amount) for line in q.lines),
            tuple((f.name, f.value) for f in q.benefits), tuple(v.kind for v in q.violations))


def explained(q: Quote) -> Explained:
    """The runtime's quote (with next steps) in the explained form, each rule in words (`rule_label`)."""
    return (plain(q), tuple((f.name, f.value, rule_label(f.rule)) for f in q.rates),
            tuple((line.partner, line.kind, line.label, line.amount, rule_label(line.rule)) for line in q.lines),
            tuple((f.name, f.value, rule_label(f.rule)) for f in q.benefits),
            tuple((v.kind, v.message, rule_label(v.rule)) for v in q.violations), tuple(q.next_steps))


def _bp(value: int) -> Fraction:
    return Fraction(value, 10_000)


def plain_from_handwritten(answer: Sequence[Any]) -> Plain:
    """A hand-written `quote` answer (margins in basis points) in the plain form."""
    version, contract, margin, wholesale, gross, chain, lines, benefits, violations = answer
    return (version, contract, _bp(margin), wholesale, gross,
            tuple((p, level, _bp(m), pays, receives, keeps) for p, level, m, pays, receives, keeps in chain),
            tuple(lines), tuple(benefits), tuple(violations))


def explained_from_handwritten(answer: Sequence[Any]) -> Explained:
    """A hand-written `explain` answer in the explained form."""
    first, *rest = answer
    return (plain_from_handwritten(first), *(tuple(part) for part in rest))


def first_difference(expected: Sequence[Any], found: Sequence[Any]) -> str:
    """Where two answers differ, for people: the first differing part of each."""
    for i, (a, b) in enumerate(zip(expected, found, strict=False)):
        if a != b:
            return f"part {i}: expected {a!r}, found {b!r}"
    return f"lengths {len(expected)} and {len(found)}"
