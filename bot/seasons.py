"""Seasons: the network's year, by which memberships, invoices and summaries are counted.

A season is a span of local dates in the network's home time zone with a key
such as ``2026-2027``.  The programme file may define seasons in ``[[season]]``
tables (stored by the import, see :mod:`bot.services.seasons`); where it does
not, a season runs from 1 August to 31 July and its key names the two years.

This module is pure: the arithmetic of dates, keys and instants.  Which seasons
a workspace knows is :mod:`bot.services.seasons`' job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_START_MONTH = 8  # 1 August
_DEFAULT_KEY = re.compile(r"(\d{4})\s*[-/]\s*(\d{2}|\d{4})")


@dataclass(frozen=True)
class Season:
    key: str
    title: str
    first_day: date  # local, inclusive
    last_day: date  # local, inclusive
    starts: datetime  # first instant, UTC
    ends: datetime  # first instant after the season, UTC
    # None: the network's ``[fees] member_price``.
    membership_price: int | None = None
    # From a [[season]] table (True) or the 1 August - 31 July default (False).
    defined: bool = False

    def contains(self, instant: datetime) -> bool:
        return self.starts <= instant < self.ends


def day_span(first_day: date, last_day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Local dates, both inclusive -> [first instant, first instant after) in UTC."""
    starts = datetime.combine(first_day, time(0), tzinfo=zone)
    ends = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone)
    return starts.astimezone(UTC), ends.astimezone(UTC)


def make_season(
    key: str,
    title: str,
    first_day: date,
    last_day: date,
    zone: ZoneInfo,
    *,
    membership_price: int | None = None,
    defined: bool = True,
) -> Season:
    starts, ends = day_span(first_day, last_day, zone)
    return Season(key, title, first_day, last_day, starts, ends, membership_price, defined)


def default_key(first_year: int) -> str:
    return f"{first_year}-{first_year + 1}"


def default_season(first_year: int, zone: ZoneInfo) -> Season:
    """1 August of *first_year* to 31 July of the next."""
    return make_season(
        default_key(first_year),
        default_key(first_year),
        date(first_year, DEFAULT_START_MONTH, 1),
        date(first_year + 1, DEFAULT_START_MONTH, 1) - timedelta(days=1),
        zone,
        defined=False,
    )


def default_season_at(instant: datetime, zone: ZoneInfo) -> Season:
    """The 1 August - 31 July season that holds *instant* (read in *zone*)."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    local = instant.astimezone(zone)
    first_year = local.year if local.month >= DEFAULT_START_MONTH else local.year - 1
    return default_season(first_year, zone)


def default_first_year(key: str) -> int | None:
    """``2026-2027``, ``2026/27`` -> 2026; None when *key* does not name two following years."""
    match = _DEFAULT_KEY.fullmatch(key.strip())
    if match is None:
        return None
    first = int(match.group(1))
    second_text = match.group(2)
    second = int(second_text) if len(second_text) == 4 else (first // 100) * 100 + int(second_text)
    return first if second == first + 1 else None
