"""Which seasons a workspace knows: the programme's ``[[season]]`` tables, else 1 August - 31 July.

Every feature that counts by season (memberships, fees and invoices,
summaries, the season report) asks here:

* :func:`season_at` -- the season that holds an instant (``now`` for "the
  current season"): a defined season when one holds it, else the default
  season of that year;
* :func:`season_by_key` -- ``2025-2026`` (or ``2025/26``), or a defined key;
  an unknown key raises :class:`~bot.errors.UnknownSeason` listing the known ones;
* :func:`known_seasons` -- the defined seasons plus the default seasons of
  sessions that no defined season holds, in time order;
* :func:`sessions_in` -- the not cancelled sessions that start in a season.

*zone* is the network's home time zone (``[bot] timezone``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UnknownSeason
from bot.models import ProgrammeSeason, ProgrammeSession
from bot.programme_file import SeasonSpec
from bot.seasons import Season, default_first_year, default_season, default_season_at, make_season


def _season_of(row: ProgrammeSeason, zone: ZoneInfo) -> Season:
    return make_season(
        row.key,
        row.title,
        row.first_day,
        row.last_day,
        zone,
        membership_price=row.membership_price,
    )


def defined_seasons(db: Session, team_id: str, zone: ZoneInfo) -> list[Season]:
    rows = db.scalars(
        select(ProgrammeSeason)
        .where(ProgrammeSeason.team_id == team_id)
        .order_by(ProgrammeSeason.first_day)
    )
    return [_season_of(row, zone) for row in rows]


def season_at(db: Session, team_id: str, instant: datetime, zone: ZoneInfo) -> Season:
    """The season holding *instant*: a defined one, else 1 August - 31 July around it."""
    for season in defined_seasons(db, team_id, zone):
        if season.contains(instant):
            return season
    return default_season_at(instant, zone)


def season_by_key(db: Session, team_id: str, key: str, zone: ZoneInfo) -> Season:
    """A season by its key; a defined season wins over the default of the same name."""
    wanted = key.strip()
    defined = defined_seasons(db, team_id, zone)
    for season in defined:
        if season.key.casefold() == wanted.casefold():
            return season
    first_year = default_first_year(wanted)
    if first_year is not None:
        season = default_season(first_year, zone)
        for other in defined:
            if other.key == season.key:
                return other
        return season
    raise UnknownSeason(wanted[:40], tuple(s.key for s in known_seasons(db, team_id, zone)))


def known_seasons(db: Session, team_id: str, zone: ZoneInfo) -> list[Season]:
    """Defined seasons and the default seasons of sessions outside them, in time order."""
    seasons = {season.key: season for season in defined_seasons(db, team_id, zone)}
    defined = list(seasons.values())
    starts = db.scalars(
        select(ProgrammeSession.starts_at).where(ProgrammeSession.team_id == team_id)
    )
    for instant in starts:
        if any(season.contains(instant) for season in defined):
            continue
        default = default_season_at(instant, zone)
        seasons.setdefault(default.key, default)
    return sorted(seasons.values(), key=lambda s: s.starts)


def sessions_in(db: Session, team_id: str, season: Season) -> list[ProgrammeSession]:
    """The season's sessions that are not cancelled, in time order."""
    return list(
        db.scalars(
            select(ProgrammeSession)
            .where(
                ProgrammeSession.team_id == team_id,
                ProgrammeSession.starts_at >= season.starts,
                ProgrammeSession.starts_at < season.ends,
                ProgrammeSession.cancelled_at.is_(None),
            )
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
        )
    )


def store_seasons(
    db: Session, team_id: str, specs: Iterable[SeasonSpec], now: datetime
) -> list[str]:
    """Create or update the programme's seasons by key; returns the keys that changed.

    Seasons the file does not list are kept, as sessions are: a file may hold
    one season's programme only.
    """
    existing = {
        row.key: row
        for row in db.scalars(select(ProgrammeSeason).where(ProgrammeSeason.team_id == team_id))
    }
    changed: list[str] = []
    for spec in specs:
        row = existing.get(spec.key)
        values = (spec.title, spec.first_day, spec.last_day, spec.membership_price)
        if (
            row is not None
            and (
                row.title,
                row.first_day,
                row.last_day,
                row.membership_price,
            )
            == values
        ):
            continue
        if row is None:
            row = ProgrammeSeason(team_id=team_id, key=spec.key, created_at=now)
            db.add(row)
        row.title, row.first_day, row.last_day, row.membership_price = values
        row.updated_at = now
        changed.append(spec.key)
    db.flush()
    return changed
