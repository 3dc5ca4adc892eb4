"""When a day-scale message must wait: the recipient's night and public holidays.

A reminder sent a day or a week ahead loses nothing by arriving at 07:00
instead of 23:30, so such messages wait for the end of the quiet period
(``[reminders] quiet_hours`` in the recipient's zone) and for the next day
that is not a Danish or Norwegian public holiday.  Short offsets (one hour
before) are never held: by morning they would be too late.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from bot.config import QuietHours

# Offsets shorter than this are "hour-scale" and are never held.
DAY_SCALE = timedelta(days=1)
SUPPORTED_COUNTRIES = ("DK", "NO")


def holiday_country(organisation_country: str | None, language: str, bot_language: str) -> str:
    """Whose public holidays count for a recipient.

    The member's organisation says it best (a Norwegian municipality); without
    one, Norwegian bokmål readers follow Norway, everyone else the network's
    home: Norway when the bot speaks bokmål by default, Denmark otherwise.
    """
    country = (organisation_country or "").upper()
    if country in SUPPORTED_COUNTRIES:
        return country
    if language == "nb":
        return "NO"
    if language == "en" and bot_language == "nb":
        return "NO"
    return "DK"


@cache
def _calendar(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def is_holiday(day: date, country: str) -> bool:
    return day in _calendar(country, day.year)


def quiet_until(
    moment: datetime, quiet: QuietHours | None, zone: str, country: str
) -> datetime | None:
    """The end of the quiet period *moment* falls in, or None when it is not quiet.

    The end is the next ``quiet.end`` local time on a day that is not a public
    holiday.  ``quiet_hours = ""`` (None) turns all holding off, holidays too,
    because there is then no hour at which the quiet period would end.
    """
    if quiet is None:
        return None
    local = moment.astimezone(ZoneInfo(zone))
    in_quiet_hours = quiet.contains(local.time())
    on_holiday = is_holiday(local.date(), country)
    if not in_quiet_hours and not on_holiday:
        return None
    # The first quiet-end boundary after the moment ...
    day = local.date()
    if local.time() >= quiet.end:
        day += timedelta(days=1)
    if on_holiday and day == local.date():
        day += timedelta(days=1)
    # ... on a day that is not a holiday (Christmas: 25th and 26th).
    while is_holiday(day, country):
        day += timedelta(days=1)
    end = datetime.combine(day, quiet.end, tzinfo=ZoneInfo(zone))
    return end.astimezone(moment.tzinfo)


def hold_until(
    moment: datetime,
    *,
    offset: timedelta,
    starts_at: datetime,
    quiet: QuietHours | None,
    zone: str,
    country: str,
) -> datetime | None:
    """When a message due at *moment* should go instead, or None to send it now.

    Only day-scale offsets wait, and only when the quiet period ends before
    the session starts; otherwise the message goes at once, because a
    reminder in the night beats one after the session has begun.
    """
    if offset < DAY_SCALE:
        return None
    end = quiet_until(moment, quiet, zone, country)
    if end is None or end >= starts_at:
        return None
    return end
