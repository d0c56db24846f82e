"""RuleSet → Guide: the sections in order, each built from the rule set and the runtime's decisions."""

from __future__ import annotations

import datetime
from typing import Any

from runtime import instants, ir
from runtime.guides import _deals, _earnings, _history, _standing, _volumes, _year
from runtime.guides._cases import Cases, last_day
from runtime.guides._context import Context
from runtime.guides._format import LANGUAGES, Formatter
from runtime.guides._glossary import glossary
from runtime.guides._messages import Say
from runtime.guides._model import Guide, text_of
from runtime.guides._rich import code, rich
from runtime.guides._sentences import Speaker
from runtime.loaded import Runtime

_BUILDERS = (_earnings.overview, _earnings.contracts, _earnings.margins, _volumes.ladders, _volumes.bonuses,
             _year.statements, _standing.tiers, _standing.catalog, _standing.prices, _standing.hierarchy,
             _deals.conflicts, _deals.routing, _history.versions)


class GuideError(ValueError):
    """A guide that cannot be made: an unknown language, or no version of the program on the date asked for."""


def pick_version(ruleset: ir.RuleSet, on: datetime.date | None) -> ir.Version:
    """The version a guide describes: the one in force on a date, or else the latest.

    Raises:
        GuideError: no version is in force on the date.
    """
    if on is None:
        return ruleset.versions[-1]
    version = ruleset.version_on(on)
    if version is None:
        raise GuideError(f"no version of program `{ruleset.program_id}` is in force on {on.isoformat()}")
    return version


def build_guide(ruleset: ir.RuleSet, lang: str = "en", on: datetime.date | None = None,
                runtime: Runtime | None = None) -> Guide:
    """The guide of a rule set in one language, for the version in force on a date (default: the latest).

    Raises:
        GuideError: an unknown language, or no version in force on the date.
    """
    if lang not in LANGUAGES:
        raise GuideError(f"no guide language `{lang}`; choose one of {', '.join(LANGUAGES)}")
    version = pick_version(ruleset, on)
    fmt = Formatter(ruleset, lang)
    say = Say(lang)
    cases = Cases(runtime or Runtime(ruleset), version)
    ctx = Context(ruleset, version, fmt, say, Speaker(fmt, say, version), cases)
    ctx.titles.update({key: say(key) for key in ("hierarchy", "versions", "ladders", "tiers")})
    sections = tuple(s for s in (build(ctx) for build in _BUILDERS) if s is not None)
    terms = glossary(ctx, "\n".join(text_of(s) for s in sections))
    if terms is not None:
        sections += (terms,)
    title = say("guide.title", title=fmt.text(ruleset.title, ruleset.program_id))
    zone = ruleset.time_zone
    start: Any = fmt.date(version.effective_from)
    if version.starts_at is not None and not instants.is_midnight(version.starts_at, zone):
        local = version.starts_at.astimezone(instants.zone(zone))  # a version that starts during a day: its time
        start = say("guide.at_time", date=start, time=local.strftime("%H:%M"), zone=zone)
    dates = {"version": version.version, "start": start}
    until = last_day(ruleset, version)
    banner = say("guide.version_until", end=fmt.date(until), **dates) if until else say("guide.version", **dates)
    lead = (banner, say("guide.time_zone", zone=zone), say("guide.generated", source=rich(code(ruleset.source))))
    return Guide(lang, title, lead, sections, say("guide.contents"), say("examples"), tuple(cases.recorded))
