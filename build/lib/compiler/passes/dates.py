"""Effective dating: periods that end before they start, versions out of order, overlapping versions."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from compiler.context import Context
from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.source import Span
from runtime import instants


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
    start_at: datetime.datetime | None = None  # the instant it comes into force (UTC)
    end_at: datetime.datetime | None = None  # the instant it stops (UTC, exclusive), or None: open
    from_text: str = ""  # `effective_from` as written, for messages
    timed: bool = False  # `effective_from` or `effective_until` is an instant: messages show times


def time_zone(program: ast.Program) -> str:
    """The program's time zone (an unknown one, already reported as E405, reads as the default)."""
    name = program.time_zone.name if program.time_zone is not None else instants.DEFAULT_TIME_ZONE
    return name if instants.is_time_zone(name) else instants.DEFAULT_TIME_ZONE


def bounds(start: datetime.date, until: datetime.date | None, start_at: datetime.datetime | None,
           until_at: datetime.datetime | None, zone: str) -> tuple[datetime.datetime, datetime.datetime | None]:
    """The instants a version is in force between: a date starts at 00:00 in the program's time zone, and an
    `effective_until` date ends at the end of that day; a timestamp is its own instant."""
    begin = start_at or instants.start_of_day(start, zone)
    if until_at is not None:
        return begin, until_at
    if until is None:
        return begin, None
    return begin, instants.start_of_day(until + datetime.timedelta(days=1), zone)


def _written(day: datetime.date, at: datetime.datetime | None) -> str:
    return at.isoformat().replace("+00:00", "Z") if at is not None else day.isoformat()


def periods(program: ast.Program) -> list[Period]:
    """The versions of a program as written, base first."""
    zone = time_zone(program)
    found = [Period(program.id.name, program.version.name, program.effective_from, program.effective_until,
                    program.version.span, program.from_span, program.until_span,
                    *bounds(program.effective_from, program.effective_until, program.from_instant,
                            program.until_instant, zone), _written(program.effective_from, program.from_instant),
                    program.from_instant is not None or program.until_instant is not None)]
    found.extend(Period(program.id.name, r.version.name, r.effective_from, r.effective_until, r.version.span,
                        r.from_span, r.until_span,
                        *bounds(r.effective_from, r.effective_until, r.from_instant, r.until_instant, zone),
                        _written(r.effective_from, r.from_instant),
                        r.from_instant is not None or r.until_instant is not None) for r in program.revisions)
    return found


def check_dates(ctx: Context) -> Iterator[dg.Diagnostic]:
    """Yield diagnostics for inverted periods, duplicate and out-of-order versions, and overlaps."""
    versions = periods(ctx.program)
    zone = time_zone(ctx.program)
    seen: dict[str, Period] = {}
    for p in versions:
        first = seen.get(p.version)
        if p.end_at is not None and p.start_at is not None and p.end_at <= p.start_at:
            ends, starts = (f"on {p.until}", f"on {p.start}") if p.end_at is None or not p.timed else \
                (f"at {_local(p.end_at, zone)}", f"at {_local(p.start_at, zone)} ({zone})")
            yield dg.error("E401", f"version `{p.version}` ends {ends} before it starts {starts}",
                           p.until_span or p.span,
                           hint="an `effective_until` instant is when the version stops and must come after "
                           "`effective_from`" if p.timed else
                           "`effective_until` is the last day in force and must not be before `effective_from`")
        if first is not None:
            yield dg.error("E403", f"version `{p.version}` is defined twice", p.span,
                           labels=[dg.Label(first.span, "first defined here")] if first.span is not None else [],
                           hint="give each revision its own version name")
        seen.setdefault(p.version, p)
    for before, after in zip(versions, versions[1:], strict=False):
        assert before.start_at is not None and after.start_at is not None
        if after.start_at == before.start_at:
            yield dg.error("E407", f"version `{after.version}` starts at the same instant as version "
                           f"`{before.version}`: {after.from_text} and {before.from_text} are both "
                           f"{_local(after.start_at, zone)} in {zone}", after.from_span or after.span,
                           labels=[dg.Label(before.from_span, f"`{before.version}` starts here")]
                           if before.from_span else (),
                           hint="give the later version a later `effective_from`, or merge the two versions")
        elif after.start_at < before.start_at:
            yield dg.error("E404", f"version `{after.version}` starts on {after.start}, not after version "
                           f"`{before.version}` ({before.start})", after.from_span or after.span,
                           hint="list revisions in date order, each starting after the one before")
        elif before.end_at is not None and before.end_at > after.start_at:
            yield _overlap(before, after, zone)


def _local(instant: datetime.datetime, zone: str) -> str:
    """An instant as the program's time zone shows it: `2026-10-01 00:00`."""
    return instant.astimezone(instants.zone(zone)).strftime("%Y-%m-%d %H:%M")


def _overlap(a: Period, b: Period, zone: str = instants.DEFAULT_TIME_ZONE) -> dg.Diagnostic:
    if a.timed or b.timed:
        assert b.start_at is not None and a.end_at is not None
        return dg.error("E402", f"version `{b.version}` from {_local(b.start_at, zone)} overlaps version "
                        f"`{a.version}`, in force until {_local(a.end_at, zone)} ({zone})", b.from_span or b.span,
                        labels=[dg.Label(a.until_span, f"`{a.version}` ends here")] if a.until_span else (),
                        hint="end the earlier version at the instant the later one starts")
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
