"""Facilitators' session commands: ``/sdg new|edit KEY|announce KEY|cancel-session KEY``.

The dispatcher only lets possible facilitators through (no Web API call on
the ack path); each answer here is a follow-up that confirms the facilitator
with Slack first (``require_facilitator``) and only then reads or changes
anything.  Cancelling asks first: the follow-up shows the question with a
danger button, and ``handlers/actions/manage.py`` does the cancelling.
"""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
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
from bot.runtime import Runtime
from bot.services import manage
from bot.services.members import Reader
from bot.services.session_form import SessionFormInput, form_of
from handlers.commands.base import Answer, FollowUp
from handlers.facilitators import require_facilitator
from handlers.payloads import CommandInput

log = logging.getLogger(__name__)

# What Slack answers when the bot may not post in a channel: it is not a member
# (a private channel, or someone else's DM, is "not found" to it).
CANNOT_POST = frozenset({"not_in_channel", "channel_not_found"})


def _key(argument: str, usage: str) -> str:
    words = argument.split()
    if not words:
        raise MissingArgument(usage=usage)
    return words[0]


def answer_new(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> FollowUp:
    def open_form(client: WebClient, respond: Respond) -> None:
        require_facilitator(runtime, client, cmd.user_id)
        view = session_form_view(
            SessionFormInput(),
            reader.translator,
            zone=runtime.settings.bot.timezone,
            currency=runtime.settings.fees.currency,
        )
        client.views_open(trigger_id=cmd.trigger_id, view=view)

    return FollowUp(run=open_form)


def answer_edit(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> FollowUp:
    key = _key(argument, "/sdg edit KEY")

    def open_form(client: WebClient, respond: Respond) -> None:
        require_facilitator(runtime, client, cmd.user_id)
        with runtime.unit_of_work() as db:
            draft = manage.editable_session(db, runtime.team_for(cmd.team_id), key)
        view = session_form_view(
            form_of(draft),
            reader.translator,
            zone=draft.timezone,
            currency=runtime.settings.fees.currency,
            editing_key=draft.key,
        )
        client.views_open(trigger_id=cmd.trigger_id, view=view)

    return FollowUp(run=open_form)


def answer_announce(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> FollowUp:
    key = _key(argument, "/sdg announce KEY")
    settings = runtime.settings

    def announce(client: WebClient, respond: Respond) -> Reply:
        require_facilitator(runtime, client, cmd.user_id)
        now = runtime.clock.now()
        with runtime.unit_of_work() as db:
            view = manage.announceable(db, runtime.team_for(cmd.team_id), key, now)
        # A channel has readers of every language and zone: the network's defaults.
        public_t = Translator(settings.bot.language, settings.bot.timezone)
        post = announcement_message(
            view, public_t, currency=settings.fees.currency, registration_open=view.starts > now
        )
        channel = settings.slack.announce_channel or cmd.channel_id
        try:
            client.chat_postMessage(channel=channel, text=post.text, blocks=post.blocks)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error not in CANNOT_POST:
                raise
            log.info("announce %s: cannot post in %s (%s)", key, channel, error)
            return not_in_channel_reply(channel, reader.translator)
        return announced_reply(view.title, channel, reader.translator)

    return FollowUp(run=announce)


def answer_cancel_session(
    runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader
) -> FollowUp:
    key = _key(argument, "/sdg cancel-session KEY")

    def ask(client: WebClient, respond: Respond) -> Reply:
        require_facilitator(runtime, client, cmd.user_id)
        with runtime.unit_of_work() as db:
            preview = manage.cancellation_preview(
                db, runtime.team_for(cmd.team_id), key, runtime.clock.now()
            )
        return cancel_confirmation_reply(preview, reader.translator)

    return FollowUp(run=ask)


ANSWERS: dict[CommandName, Answer] = {
    CommandName.NEW: answer_new,
    CommandName.EDIT: answer_edit,
    CommandName.ANNOUNCE: answer_announce,
    CommandName.CANCEL_SESSION: answer_cancel_session,
}
