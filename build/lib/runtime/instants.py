"""Instants and the program's time zone: the one place that turns a timestamp into a calendar date.

A program states its time zone (an IANA name, `Asia/Tokyo` by default). A date written alone means
the start of that day (00:00) in the program's time zone; a timestamp must carry its UTC offset, and
its calendar date, which decides the period, the version in force and the ladder month, is the date
the program's time zone shows at that instant: `2026-09-30T15:00:00Z` is 2026-10-01 in Tokyo.
"""

from __future__ import annotations

import datetime
import functools
import re
import zoneinfo

DEFAULT_TIME_ZONE = "Asia/Tokyo"
"""The time zone of a program that states none."""

_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
                        r"(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?")
"""What reads as a timestamp (a date, a time of day, perhaps an offset); `parse_instant` judges the rest."""

_OFFSET = re.compile(r"(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$")


class NaiveTimestamp(ValueError):
    """A timestamp without a UTC offset: it names no instant until a zone is guessed, and ppl never guesses."""


@functools.lru_cache(maxsize=64)
def zone(name: str) -> datetime.tzinfo:
    """The time zone of an IANA name (`Asia/Tokyo`).

    Raises:
        zoneinfo.ZoneInfoNotFoundError: no such zone in the time zone database.
    """
    return zoneinfo.ZoneInfo(name)


def is_time_zone(name: str) -> bool:
    """Whether an IANA time zone of that name exists (the system database, or the `tzdata` package)."""
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        zone(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def looks_like_timestamp(text: str) -> bool:
    """Whether a text is written as a timestamp (a date and a time of day), well formed or not."""
    return _TIMESTAMP.fullmatch(text) is not None


def has_offset(text: str) -> bool:
    """Whether a timestamp's text ends with a UTC offset (`Z`, `+09:00`, `-0500`)."""
    return _OFFSET.search(text) is not None


def parse_instant(text: str) -> datetime.datetime:
    """An instant from a timestamp with its offset, in UTC: `2026-09-30T15:00:00+09:00` → 06:00 UTC.

    Raises:
        NaiveTimestamp: the timestamp has no offset.
        ValueError: the text is not a real timestamp (a 25th hour, a 13th month, an offset of a day or more).
    """
    text = text.strip()
    if not looks_like_timestamp(text):
        raise ValueError(f"`{text}` is not a timestamp")
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise NaiveTimestamp(f"`{text}` has no UTC offset")
    return moment.astimezone(datetime.UTC)


def as_utc(moment: datetime.datetime) -> datetime.datetime:
    """An aware datetime in UTC.

    Raises:
        NaiveTimestamp: the datetime has no offset.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveTimestamp(f"`{moment.isoformat()}` has no UTC offset")
    return moment.astimezone(datetime.UTC)


def local_date(instant: datetime.datetime, time_zone: str) -> datetime.date:
    """The calendar date the program's time zone shows at an instant."""
    return as_utc(instant).astimezone(zone(time_zone)).date()


def start_of_day(day: datetime.date, time_zone: str) -> datetime.datetime:
    """The instant a calendar day begins (00:00) in the program's time zone, in UTC."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone(time_zone)).astimezone(datetime.UTC)


def last_day(end: datetime.datetime, time_zone: str) -> datetime.date:
    """The last calendar day that has time before an (exclusive) end instant."""
    return local_date(end - datetime.timedelta(microseconds=1), time_zone)


def is_midnight(instant: datetime.datetime, time_zone: str) -> bool:
    """Whether an instant is the start of a day in the program's time zone."""
    return start_of_day(local_date(instant, time_zone), time_zone) == as_utc(instant)
