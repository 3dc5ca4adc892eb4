"""The example season, moved ahead for the sandbox so that it looks like a season.

The example is one real season (September to June).  The sandbox moves it by a
whole number of 52-week years, so every session stays on its weekday at its
local time and the season keeps its shape: network meetings on Thursdays,
the reflection meeting last, nothing in July or on New Year's Eve.  It moves
as few years as bring the season's last session a week or more ahead of
today, so the sandbox shows a season under way (or about to start).  Keys
that begin with a date (``2026-09-17-netvaerksmoede``) are renamed to the
date the session moved to, so a key never names another day than its card.
A session that lands on a Danish public holiday (Easter moves, the weekday
does not) goes a week later, or a week earlier if that is a holiday too.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

from bot.programme_file import Programme, SessionSpec, shift_programme

WEEKS_PER_YEAR = 52
LEAD = timedelta(days=7)
_DATED_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def years_to_bring_ahead(programme: Programme, now: datetime, lead: timedelta = LEAD) -> int:
    """Fewest 52-week years (>= 0) after which the last session starts *lead* after *now*."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not programme.sessions:
        return 0
    last = max(s.starts for s in programme.sessions)
    year = timedelta(weeks=WEEKS_PER_YEAR)
    return max(0, -((last - (now + lead)) // year))


def _off_holidays(programme: Programme) -> Programme:
    years = {s.starts.year for s in programme.sessions}
    public = holidays.country_holidays("DK", years=range(min(years) - 1, max(years) + 2))

    def on_holiday(session: SessionSpec) -> bool:
        return session.starts.astimezone(ZoneInfo(session.timezone)).date() in public

    sessions = []
    for session in programme.sessions:
        if on_holiday(session):
            for weeks in (1, -1, 2, -2):
                moved = shift_programme(replace(programme, sessions=(session,)), weeks)
                if not on_holiday(moved.sessions[0]):
                    session = moved.sessions[0]
                    break
        sessions.append(session)
    return replace(programme, sessions=tuple(sessions))


def _rekeyed(programme: Programme) -> Programme:
    sessions = []
    for session in programme.sessions:
        day = session.starts.astimezone(ZoneInfo(session.timezone)).date().isoformat()
        key = _DATED_KEY.sub(day, session.key, count=1)
        sessions.append(replace(session, key=key))
    return replace(programme, sessions=tuple(sessions))


def bring_season_ahead(programme: Programme, now: datetime) -> Programme:
    """*programme* moved by whole 52-week years so that it is not over; keys follow."""
    years = years_to_bring_ahead(programme, now)
    if years == 0:
        return programme
    return _rekeyed(_off_holidays(shift_programme(programme, years * WEEKS_PER_YEAR)))
