"""Buttons on session cards: show, share in channel, add to calendar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.calendar_feed import feed_url, session_ics
from bot.i18n import Translator
from bot.ids import ActionId
from bot.rendering.reply import Reply
from bot.rendering.sessions import calendar_sent_reply, session_reply
from bot.runtime import Runtime
from bot.services import calendar_links, sessions
from bot.services.members import Reader
from handlers.errors import answering_errors
from handlers.payloads import ActionInput
from handlers.profile import fresh_reader

# (the click, the team rows live under, the clicker's reader, the Web API) -> the answer
ButtonAnswer = Callable[[ActionInput, str, Reader, WebClient], Reply]
LazyListener = Callable[[dict[str, Any], dict[str, Any], WebClient, Respond], None]


def acknowledge(ack: Ack) -> None:
    ack()


def register(app: App, runtime: Runtime) -> None:
    currency = runtime.settings.fees.currency

    def answered_privately(build: ButtonAnswer) -> LazyListener:
        """A lazy listener that answers the clicker privately, errors included."""

        def listener(
            body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
        ) -> None:
            act = ActionInput.from_payload(body, action)
            team = runtime.team_for(act.team_id)
            reader = fresh_reader(client, runtime, team, act.user_id)
            answering_errors(
                lambda reply: respond(**reply.as_message(), replace_original=False),
                reader.translator,
                lambda: build(act, team, reader, client),
            )

        # bolt tells lazy listeners apart by name.
        listener.__name__ = f"answer_{build.__name__}"
        return listener

    def show_session(act: ActionInput, team: str, reader: Reader, client: WebClient) -> Reply:
        with runtime.unit_of_work() as db:
            view = sessions.session_by_key(db, team, act.value, act.user_id)
        return session_reply(view, reader.translator, currency=currency)

    def share_in_channel(act: ActionInput, team: str, reader: Reader, client: WebClient) -> Reply:
        # A channel has readers of every language and zone: the network's defaults.
        public_t = Translator(runtime.settings.bot.language, runtime.settings.bot.timezone)
        with runtime.unit_of_work() as db:
            view = sessions.session_by_key(db, team, act.value)
        return session_reply(view, public_t, currency=currency, public=True)

    def add_to_calendar(act: ActionInput, team: str, reader: Reader, client: WebClient) -> Reply:
        now = runtime.clock.now()
        with runtime.unit_of_work(write=True) as db:
            entries = sessions.calendar_entries(db, team, now, key=act.value)
            # The answer points at the member's private feed (never a public one).
            token = calendar_links.calendar_token(db, team, act.user_id, now)
        entry = entries[0]
        ics = session_ics(
            runtime, entries, entry.view.title, team_id=team, translator=reader.translator
        )
        dm = client.conversations_open(users=act.user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=dm, content=ics, filename=f"{entry.view.key}.ics", title=entry.view.title
        )
        return calendar_sent_reply(reader.translator, season_feed=feed_url(runtime, token))

    app.action(ActionId.SHOW_SESSION)(ack=acknowledge, lazy=[answered_privately(show_session)])
    app.action(ActionId.SHARE_IN_CHANNEL)(
        ack=acknowledge, lazy=[answered_privately(share_in_channel)]
    )
    app.action(ActionId.ADD_TO_CALENDAR)(
        ack=acknowledge, lazy=[answered_privately(add_to_calendar)]
    )
