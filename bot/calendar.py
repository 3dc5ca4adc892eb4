"""Calendar files (RFC 5545) for one session and for the whole season.

UIDs are stable per session, so a subscribed calendar replaces an event when
it changes (SEQUENCE rises with each update) and shows it as cancelled when
it is cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

from bot.i18n import Translator
from bot.services.sessions import SessionView

PRODID = "-//sdgbot//SDG network programme//EN"


def session_uid(key: str, team_id: str) -> str:
    return f"{key}.{team_id.lower()}@sdgbot"


def _description(view: SessionView, t: Translator) -> str:
    lines: list[str] = []
    if view.description:
        lines += [view.description, ""]
    if view.online_url:
        lines += [t.gettext("Join online") + ": " + view.online_url, ""]
    if view.agenda:
        lines.append(t.gettext("Agenda"))
        for item in view.agenda:
            speakers = f" ({', '.join(item.speakers)})" if item.speakers else ""
            lines.append(f"{t.time(item.starts, view.timezone)} {item.title}{speakers}")
    return "\n".join(lines).strip()


def _event(
    view: SessionView,
    t: Translator,
    *,
    team_id: str,
    alarm_before: timedelta | None,
    updated_at: datetime,
    sequence: int,
) -> Event:
    event = Event()
    event.add("uid", session_uid(view.key, team_id))
    event.add("dtstamp", updated_at)
    event.add("last-modified", updated_at)
    event.add("sequence", sequence)
    event.add("summary", view.title)
    event.add("dtstart", view.starts)
    event.add("dtend", view.ends)
    location = (
        view.location if not view.is_online_only else (view.platform or view.online_url or "Online")
    )
    event.add("location", location)
    if view.online_url:
        event.add("url", view.online_url)
    description = _description(view, t)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if view.cancelled else "CONFIRMED")
    if alarm_before and not view.cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", view.title)
        alarm.add("trigger", -alarm_before)
        event.add_component(alarm)
    return event


def build_calendar(
    views: Iterable[tuple[SessionView, datetime, int]],
    t: Translator,
    *,
    team_id: str,
    alarm_before: timedelta | None,
    name: str,
) -> bytes:
    """(view, updated_at, sequence) triples -> an .ics file."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "UTC")
    for view, updated_at, sequence in views:
        calendar.add_component(
            _event(
                view,
                t,
                team_id=team_id,
                alarm_before=alarm_before,
                updated_at=updated_at,
                sequence=sequence,
            )
        )
    return bytes(calendar.to_ical())
