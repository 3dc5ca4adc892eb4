"""Buttons on session cards: show, share in channel, add to calendar."""

from __future__ import annotations

from bot.calendar_feed import feed_url, session_ics
from bot.i18n import Translator
from bot.ids import ActionId
from bot.rendering.reply import Reply
from bot.rendering.sessions import calendar_sent_reply, session_reply
from bot.services import calendar_links, sessions
from handlers.feedback_reports import dm_channel
from handlers.frame import Frame, Request


def show_session(req: Request) -> Reply:
    with req.db() as db:
        view = sessions.session_by_key(db, req.team, req.value, req.user_id)
    return session_reply(
        view,
        req.t,
        currency=req.settings.fees.currency,
        discount=req.settings.fees.extra_participant_discount,
    )


def share_in_channel(req: Request) -> Reply:
    # A channel has readers of every language and zone: the network's defaults.
    bot = req.settings.bot
    with req.db() as db:
        view = sessions.session_by_key(db, req.team, req.value)
    return session_reply(
        view,
        Translator(bot.language, bot.timezone),
        currency=req.settings.fees.currency,
        public=True,
    )


def add_to_calendar(req: Request) -> Reply:
    with req.write() as db:
        entries = sessions.calendar_entries(db, req.team, req.now, key=req.value)
        # The answer points at the member's private feed (never a public one).
        token = calendar_links.calendar_token(db, req.team, req.user_id, req.now)
    entry = entries[0]
    ics = session_ics(req.runtime, entries, entry.view.title, team_id=req.team, translator=req.t)
    req.web.files_upload_v2(
        channel=dm_channel(req),
        content=ics,
        filename=f"{entry.view.key}.ics",
        title=entry.view.title,
    )
    return calendar_sent_reply(req.t, season_feed=feed_url(req.runtime, token))


def register(frame: Frame) -> None:
    frame.action(ActionId.SHOW_SESSION, show_session)
    frame.action(ActionId.SHARE_IN_CHANNEL, share_in_channel)
    frame.action(ActionId.ADD_TO_CALENDAR, add_to_calendar)
