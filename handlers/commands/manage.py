"""Facilitators' session commands: ``/sdg new|edit KEY|announce KEY|cancel-session KEY``.

Facilitator words: each answer here only reads its argument and returns a
follow-up; the frame confirms the facilitator with Slack before the
follow-up reads or changes anything.  Cancelling asks first: the follow-up
shows the question with a danger button, and ``handlers/actions/manage.py``
does the cancelling.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.commands import CommandName
from bot.errors import MissingArgument
from bot.i18n import Translator
from bot.rendering.manage import (
    announced_reply,
    announcement_message,
    cancel_confirmation_reply,
    not_in_channel_reply,
    session_form_view,
)
from bot.rendering.reply import Reply
from bot.rendering.sessions import usage_text
from bot.services import manage
from bot.services.session_form import SessionFormInput, form_of
from handlers.frame import CommandAnswer, FollowUp, Request

log = logging.getLogger(__name__)

# What Slack answers when the bot may not post in a channel: it is not a member
# (a private channel, or someone else's DM, is "not found" to it).
CANNOT_POST = frozenset({"not_in_channel", "channel_not_found"})


def _key(argument: str, name: CommandName, t: Translator) -> str:
    words = argument.split()
    if not words:
        raise MissingArgument(usage=usage_text(name, t))
    return words[0]


def open_new_form(req: Request) -> None:
    view = session_form_view(
        SessionFormInput(),
        req.t,
        zone=req.settings.bot.timezone,
        currency=req.settings.fees.currency,
    )
    req.web.views_open(trigger_id=req.surface.trigger_id, view=view)


def answer_new(req: Request, argument: str) -> FollowUp:
    return FollowUp(run=open_new_form)


def answer_edit(req: Request, argument: str) -> FollowUp:
    key = _key(argument, CommandName.EDIT, req.t)

    def open_form(lazy: Request) -> None:
        with lazy.db() as db:
            draft = manage.editable_session(db, lazy.team, key)
        view = session_form_view(
            form_of(draft),
            lazy.t,
            zone=draft.timezone,
            currency=lazy.settings.fees.currency,
            editing_key=draft.key,
        )
        lazy.web.views_open(trigger_id=lazy.surface.trigger_id, view=view)

    return FollowUp(run=open_form)


def announce(req: Request, key: str) -> Reply:
    settings = req.settings
    with req.db() as db:
        view = manage.announceable(db, req.team, key, req.now)
    # A channel has readers of every language and zone: the network's defaults.
    public_t = Translator(settings.bot.language, settings.bot.timezone)
    post = announcement_message(
        view, public_t, currency=settings.fees.currency, registration_open=view.starts > req.now
    )
    channel = settings.slack.announce_channel or req.surface.channel_id
    try:
        req.web.chat_postMessage(channel=channel, text=post.text, blocks=post.blocks)
    except SlackApiError as exc:
        error = str(exc.response.get("error", ""))
        if error not in CANNOT_POST:
            raise
        log.info("announce %s: cannot post in %s (%s)", key, channel, error)
        return not_in_channel_reply(channel, req.t)
    return announced_reply(view.title, channel, req.t)


def answer_announce(req: Request, argument: str) -> FollowUp:
    key = _key(argument, CommandName.ANNOUNCE, req.t)
    return FollowUp(run=lambda lazy: announce(lazy, key))


def answer_cancel_session(req: Request, argument: str) -> FollowUp:
    key = _key(argument, CommandName.CANCEL_SESSION, req.t)

    def ask(lazy: Request) -> Reply:
        with lazy.db() as db:
            preview = manage.cancellation_preview(db, lazy.team, key, lazy.now)
        return cancel_confirmation_reply(preview, lazy.t)

    return FollowUp(run=ask)


ANSWERS: dict[CommandName, CommandAnswer] = {
    CommandName.NEW: answer_new,
    CommandName.EDIT: answer_edit,
    CommandName.ANNOUNCE: answer_announce,
    CommandName.CANCEL_SESSION: answer_cancel_session,
}
