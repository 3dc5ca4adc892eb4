"""Register and Cancel buttons: session cards, App Home, channel announcements, confirmations.

Every click is acknowledged at once; the work runs in the lazy listener.  The
answer goes back privately: through the click's response_url (an ephemeral
message, the card itself stays as it is), or, for App Home which has no
response_url, as a DM from the bot, after which the Home tab is redrawn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import AttendanceRequired, MembersOnly, ProfileRequired
from bot.i18n import Translator
from bot.ids import ActionId
from bot.models import Attendance
from bot.rendering.registration import (
    PendingRegistration,
    attendance_choice_reply,
    cancel_reply,
    outcome_reply,
)
from bot.rendering.reply import Reply
from bot.rendering.sessions import value_of
from bot.runtime import Runtime
from bot.services import registration, sessions
from handlers.errors import answering_errors
from handlers.membership_offer import members_only_answer
from handlers.payloads import ActionInput
from handlers.profile import fresh_reader
from handlers.views.registration import open_profile_modal

Click = Callable[[dict[str, Any], dict[str, Any], WebClient, Respond], None]


def acknowledge(ack: Ack) -> None:
    ack()


def _from_home(body: dict[str, Any]) -> bool:
    return (body.get("view") or {}).get("type") == "home"


def register(app: App, runtime: Runtime) -> None:
    fees = runtime.settings.fees

    def send(act: ActionInput, client: WebClient, respond: Respond, reply: Reply) -> None:
        if act.response_url:
            respond(**reply.as_message(), replace_original=False)
        else:
            client.chat_postMessage(channel=act.user_id, text=reply.text, blocks=reply.blocks)

    def redraw_home(client: WebClient, team: str, user_id: str, t: Translator) -> None:
        from bot.rendering.home import home_view

        with runtime.unit_of_work() as db:
            views = sessions.upcoming_sessions(db, team, runtime.clock.now(), user_id)
        client.views_publish(
            user_id=user_id, view=home_view(views, t, currency=runtime.settings.fees.currency)
        )

    def registering(attendance: str | None) -> Click:
        def click(
            body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
        ) -> None:
            act = ActionInput.from_payload(body, action)
            team = runtime.team_for(act.team_id)
            t = fresh_reader(client, runtime, team, act.user_id).translator
            key = value_of(act.value)

            def work() -> Reply | None:
                try:
                    with runtime.unit_of_work(write=True) as db:
                        outcome = registration.register_member(
                            db, team, act.user_id, key, attendance, runtime.clock.now(), fees=fees
                        )
                except ProfileRequired as needed:
                    open_profile_modal(
                        client,
                        runtime,
                        team,
                        act.user_id,
                        act.trigger_id,
                        t,
                        pending=PendingRegistration(needed.key, attendance),
                        ask_attendance=needed.ask_attendance,
                    )
                    return None
                except AttendanceRequired as needed:
                    return attendance_choice_reply(needed.key, needed.title, t)
                except MembersOnly as refused:
                    return members_only_answer(runtime, team, act.user_id, refused, t)
                return outcome_reply(outcome, t)

            answering_errors(lambda reply: send(act, client, respond, reply), t, work)
            if _from_home(body):
                redraw_home(client, team, act.user_id, t)

        return click

    def cancel_click(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        act = ActionInput.from_payload(body, action)
        team = runtime.team_for(act.team_id)
        t = fresh_reader(client, runtime, team, act.user_id).translator

        def work() -> Reply:
            with runtime.unit_of_work(write=True) as db:
                outcome = registration.cancel_registration(
                    db, team, act.user_id, value_of(act.value), runtime.clock.now()
                )
            return cancel_reply(outcome, t)

        answering_errors(lambda reply: send(act, client, respond, reply), t, work)
        if _from_home(body):
            redraw_home(client, team, act.user_id, t)

    register_click = registering(None)
    register_in_room = registering(Attendance.ROOM)
    register_online = registering(Attendance.ONLINE)
    app.action(ActionId.REGISTER)(ack=acknowledge, lazy=[register_click])
    app.action(ActionId.REGISTER_IN_ROOM)(ack=acknowledge, lazy=[register_in_room])
    app.action(ActionId.REGISTER_ONLINE)(ack=acknowledge, lazy=[register_online])
    app.action(ActionId.CANCEL_REGISTRATION)(ack=acknowledge, lazy=[cancel_click])
