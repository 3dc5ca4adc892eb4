"""Which season a facilitator means: ``/sdg summary season [SEASON]`` and ``/sdg report [SEASON]``.

The seasons themselves are :mod:`bot.services.seasons`' (``[[season]]`` tables
of the programme file, else 1 August - 31 July).  Here a facilitator's key is
accepted only for a season the workspace *knows*: the current one and every
season that holds one of its sessions; any other key is answered with that
list, so a typo is not a silently empty report.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.errors import UnknownSeason
from bot.seasons import Season, default_first_year, default_season
from bot.services import seasons

SeasonSpan = Season  # the summaries' and the report's name for it


def known_seasons(db: Session, team_id: str, now: datetime, zone: ZoneInfo) -> list[Season]:
    """The current season and every season with a session, earliest first."""
    known = {season.key: season for season in seasons.known_seasons(db, team_id, zone)}
    current = seasons.season_at(db, team_id, now, zone)
    known.setdefault(current.key, current)
    return sorted(known.values(), key=lambda season: season.starts)


def find_season(
    db: Session, team_id: str, key: str | None, now: datetime, zone: ZoneInfo
) -> Season:
    """The season called *key*, or the current one; :class:`UnknownSeason` lists the known."""
    if not key:
        return seasons.season_at(db, team_id, now, zone)
    known = known_seasons(db, team_id, now, zone)
    wanted = key.strip().casefold()
    first_year = default_first_year(key)
    default_key = default_season(first_year, zone).key if first_year is not None else None
    for season in known:
        if season.key.casefold() in (wanted, (default_key or "").casefold()):
            return season
    raise UnknownSeason(key.strip()[:40], tuple(season.key for season in known))


def previous_season(
    db: Session, team_id: str, season: Season, now: datetime, zone: ZoneInfo
) -> Season | None:
    """The known season just before *season*, if there is one."""
    earlier = [s for s in known_seasons(db, team_id, now, zone) if s.ends <= season.starts]
    return earlier[-1] if earlier else None
