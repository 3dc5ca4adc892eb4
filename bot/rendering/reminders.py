"""Reminder DMs and the channel heads-up: pure builders.

"Starts in ..." is computed from the true time left when the message is
built, so a reminder that went out late (after downtime, or held through
quiet hours) never claims "in 1 day" when it is 14 hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.lists import format_list
from babel.units import format_unit

from bot.i18n import Translator
from bot.ids import ActionId
from bot.models import Attendance
from bot.rendering import blocks as bk
from bot.rendering.cancellation import cancel_registration_button
from bot.rendering.mrkdwn import link
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for, render
from bot.services.registration import SessionSummary


def duration_text(delta: timedelta, t: Translator) -> str:
    """``1 day and 12 hours``, ``7 days``, ``50 minutes`` in the reader's language.

    Two units at most, to the minute: precise enough to be true, short
    enough to read at a glance.
    """
    minutes = max(1, round(delta.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        parts = [(days, "duration-day"), (hours, "duration-hour")]
    else:
        parts = [(hours, "duration-hour"), (minutes, "duration-minute")]
    words = [
        format_unit(value, unit, length="long", locale=t.locale) for value, unit in parts if value
    ]
    return format_list(words, locale=t.locale)


def starts_in(starts: datetime, now: datetime, t: Translator) -> str:
    return t.gettext("in %(duration)s", duration=duration_text(starts - now, t))


def reminder_message(
    session: SessionSummary, t: Translator, *, now: datetime, attendance: str
) -> Reply:
    """The DM to one participant: when, where (room) or how (online), and a Cancel button."""
    _ = gettext_for(t)
    online = attendance == Attendance.ONLINE or session.is_online_only
    body = _facts(session, t, now=now, icon=":bell:", place=not online, online=online)
    fallback = _(
        "Reminder: %(title)s starts %(when)s",
        title=session.title,
        when=starts_in(session.starts, now, t),
    )
    return Reply(
        fallback,
        [
            bk.section(body),
            bk.context(_("Can't come after all? Cancel, so that someone else can have your seat.")),
            bk.actions(cancel_registration_button(session.key, session.title, t)),
        ],
    )


def heads_up_message(session: SessionSummary, t: Translator, *, now: datetime) -> Reply:
    """The channel post before a session, in the network's language and zone."""
    _ = gettext_for(t)
    body = _facts(
        session,
        t,
        now=now,
        icon=":mega:",
        place=not session.is_online_only,
        online=bool(session.online_url) or session.is_online_only,
    )
    fallback = _(
        "%(title)s starts %(when)s", title=session.title, when=starts_in(session.starts, now, t)
    )
    return Reply(
        fallback,
        [
            bk.section(body),
            bk.actions(
                bk.button(t.gettext("Register"), ActionId.REGISTER, session.key, style="primary")
            ),
        ],
        public=True,
    )


def _facts(
    session: SessionSummary, t: Translator, *, now: datetime, icon: str, place: bool, online: bool
) -> str:
    online_link = ""
    if online:
        online_link = (
            link(session.online_url, t.gettext("Join online"))
            if session.online_url
            else t.gettext("Online")
        )
    return render(
        "reminder.md.j2",
        t,
        s=session,
        icon=icon,
        when=starts_in(session.starts, now, t),
        place=session.location if place and not session.is_online_only else "",
        online_link=online_link,
    )
