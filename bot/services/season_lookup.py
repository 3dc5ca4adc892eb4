"""Which season a facilitator means: ``/sdg summary season [SEASON]`` and ``/sdg report [SEASON]``.

The one place the summaries and the report ask for a season by key, so the
season rules live elsewhere: a season without a ``[[season]]`` table runs
from 1 August to 31 July in the network's home time zone and is called by its
two years (``2025-2026``).  The seasons a workspace *knows* are the current
one and every season that holds one of its sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UnknownSeason
from bot.models import ProgrammeSession

SEASON_STARTS_MONTH = 8  # 1 August


@dataclass(frozen=True)
class SeasonSpan:
    key: str
    title: str
    first_day: date  # local, inclusive
    last_day: date  # local, inclusive
    starts: datetime  # first instant, UTC
    ends: datetime  # first instant after the season, UTC


def _default_season(first_year: int, zone: ZoneInfo) -> SeasonSpan:
    key = f"{first_year}-{first_year + 1}"
    first_day = date(first_year, SEASON_STARTS_MONTH, 1)
    after = date(first_year + 1, SEASON_STARTS_MONTH, 1)
    starts = datetime(first_year, SEASON_STARTS_MONTH, 1, tzinfo=zone).astimezone(UTC)
    ends = datetime(after.year, after.month, after.day, tzinfo=zone).astimezone(UTC)
    return SeasonSpan(key, key, first_day, after - timedelta(days=1), starts, ends)


def _first_year_at(instant: datetime, zone: ZoneInfo) -> int:
    local = instant.astimezone(zone)
    return local.year if local.month >= SEASON_STARTS_MONTH else local.year - 1


def _first_year_of(key: str) -> int | None:
    first, dash, second = key.strip().partition("-")
    if not (dash and first.isascii() and first.isdigit() and second.isascii()):
        return None
    if not second.isdigit() or len(first) != 4 or len(second) not in (2, 4):
        return None
    year = int(first)
    follows = int(second) if len(second) == 4 else (year // 100) * 100 + int(second)
    return year if follows == year + 1 else None


def known_seasons(db: Session, team_id: str, now: datetime, zone: ZoneInfo) -> list[SeasonSpan]:
    """The current season and every season with a session, earliest first."""
    years = {_first_year_at(now, zone)}
    for (starts,) in db.execute(
        select(ProgrammeSession.starts_at).where(ProgrammeSession.team_id == team_id)
    ):
        years.add(_first_year_at(starts, zone))
    return [_default_season(year, zone) for year in sorted(years)]


def find_season(
    db: Session, team_id: str, key: str | None, now: datetime, zone: ZoneInfo
) -> SeasonSpan:
    """The season called *key*, or the current one; :class:`UnknownSeason` lists the known."""
    if not key:
        return _default_season(_first_year_at(now, zone), zone)
    known = known_seasons(db, team_id, now, zone)
    wanted = _first_year_of(key)
    for season in known:
        if season.key.casefold() == key.strip().casefold() or (
            wanted is not None and season.starts == _default_season(wanted, zone).starts
        ):
            return season
    raise UnknownSeason(key[:40], tuple(season.key for season in known))


def previous_season(
    db: Session, team_id: str, season: SeasonSpan, now: datetime, zone: ZoneInfo
) -> SeasonSpan | None:
    """The known season just before *season*, if there is one."""
    earlier = [s for s in known_seasons(db, team_id, now, zone) if s.ends <= season.starts]
    return earlier[-1] if earlier else None
