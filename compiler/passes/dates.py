"""Effective dating: periods that end before they start, versions out of order, overlapping versions."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from compiler.context import Context
from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.source import Span


@dataclass(frozen=True, slots=True)
class Period:
    """When one version of a program is in force: from a day, until a day (inclusive) or open-ended."""

    program: str
    version: str
    start: datetime.date
    until: datetime.date | None
    span: Span | None  # the version name
    from_span: Span | None = None
    until_span: Span | None = None


def periods(program: ast.Program) -> list[Period]:
    """The versions of a program as written, base first."""
    found = [Period(program.id.name, program.version.name, program.effective_from, program.effective_until,
                    program.version.span, program.from_span, program.until_span)]
    found.extend(Period(program.id.name, r.version.name, r.effective_from, r.effective_until, r.version.span,
                        r.from_span, r.until_span) for r in program.revisions)
    return found


def check_dates(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield diagnostics for inverted periods, duplicate and out-of-order versions, and overlaps."""
    versions = periods(ctx.program)
    seen: dict[str, Period] = {}
    for p in versions:
        first = seen.get(p.version)
        if p.until is not None and p.until < p.start:
            yield dg.error("E401", f"version `{p.version}` ends on {p.until} before it starts on {p.start}",
                           p.until_span or p.span,
                           hint="`effective_until` is the last day in force and must not be before `effective_from`")
        if first is not None:
            yield dg.error("E403", f"version `{p.version}` is defined twice", p.span,
                           labels=[dg.Label(first.span, "first defined here")] if first.span is not None else [],
                           hint="give each revision its own version name")
        seen.setdefault(p.version, p)
    for before, after in zip(versions, versions[1:], strict=False):
        if after.start <= before.start:
            yield dg.error("E404", f"version `{after.version}` starts on {after.start}, not after version "
                           f"`{before.version}` ({before.start})", after.from_span or after.span,
                           hint="list revisions in date order, each starting after the one before")
        elif before.until is not None and before.until >= after.start:
            yield _overlap(before, after)


def _overlap(a: Period, b: Period) -> dg.Diagnostic:
    return dg.error("E402", f"version `{b.version}` from {b.start} overlaps version `{a.version}`, in force until "
                    f"{a.until}", b.from_span or b.span,
                    labels=[dg.Label(a.until_span, f"`{a.version}` is in force until {a.until}")]
                    if a.until_span else (),
                    hint="end the earlier version the day before the later one starts")


def check_program_overlaps(programs: Sequence[ast.Program]) -> Iterator[dg.Diagnostic]:
    """Across files: two files defining the same program must not be in force on the same day."""
    by_id: dict[str, list[Period]] = {}
    for program in programs:
        versions = periods(program)
        end = max((p.until for p in versions if p.until is not None), default=None)
        if any(p.until is None for p in versions[-1:]):
            end = None
        by_id.setdefault(program.id.name, []).append(
            Period(program.id.name, program.version.name, program.effective_from, end, program.version.span))
    for spans in by_id.values():
        spans.sort(key=lambda p: p.start)
        for a, b in zip(spans, spans[1:], strict=False):
            if a.until is None or a.until >= b.start:
                yield dg.error("E402", f"program `{b.program}` version `{b.version}` from {b.start} overlaps version "
                               f"`{a.version}` from {a.start}" + (f" until {a.until}" if a.until else
                                                                  " (no end date)"), b.span,
                               labels=[dg.Label(a.span, "the other version")] if a.span else (),
                               hint="give the earlier version an `effective_until` the day before")
