"""Join and Leave buttons of ``/sdg membership`` and of the members-only answer.

Acknowledged at once; the work runs in the lazy listener and the answer goes
back privately through the click's response_url.  "Join and register" joins
and then registers for the members-only session in one click.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import AttendanceRequired
from bot.ids import ActionId
from bot.rendering.membership import membership_changed_reply, read_membership_value
from bot.rendering.registration import attendance_choice_reply, outcome_reply
from bot.rendering.reply import Reply
from bot.runtime import Runtime
from bot.services import membership, registration
from handlers.errors import answering_errors
from handlers.payloads import ActionInput
from handlers.profile import fresh_reader


def acknowledge(ack: Ack) -> None:
    ack()


def register(app: App, runtime: Runtime) -> None:
    settings = runtime.settings

    def reply_to(act: ActionInput, client: WebClient, respond: Respond, reply: Reply) -> None:
        if act.response_url:
            respond(**reply.as_message(), replace_original=False)
        else:
            client.chat_postMessage(channel=act.user_id, text=reply.text, blocks=reply.blocks)

    def join_click(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        act = ActionInput.from_payload(body, action)
        team = runtime.team_for(act.team_id)
        t = fresh_reader(client, runtime, team, act.user_id).translator
        season_key, session_key = read_membership_value(act.value)

        def work() -> Reply:
            now = runtime.clock.now()
            with runtime.unit_of_work(write=True) as db:
                change = membership.join_membership(
                    db, team, act.user_id, now, settings.bot.zone, settings.fees, season_key or None
                )
            reply = membership_changed_reply(change, t, left=False)
            if not session_key:
                return reply
            reply_to(act, client, respond, reply)
            try:
                with runtime.unit_of_work(write=True) as db:
                    outcome = registration.register_member(
                        db, team, act.user_id, session_key, None, now, fees=settings.fees
                    )
            except AttendanceRequired as needed:
                return attendance_choice_reply(needed.key, needed.title, t)
            return outcome_reply(outcome, t)

        answering_errors(lambda reply: reply_to(act, client, respond, reply), t, work)

    def leave_click(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        act = ActionInput.from_payload(body, action)
        team = runtime.team_for(act.team_id)
        t = fresh_reader(client, runtime, team, act.user_id).translator
        season_key, _session = read_membership_value(act.value)

        def work() -> Reply:
            with runtime.unit_of_work(write=True) as db:
                change = membership.leave_membership(
                    db,
                    team,
                    act.user_id,
                    runtime.clock.now(),
                    settings.bot.zone,
                    settings.fees,
                    season_key or None,
                )
            return membership_changed_reply(change, t, left=True)

        answering_errors(lambda reply: reply_to(act, client, respond, reply), t, work)

    app.action(ActionId.JOIN_MEMBERSHIP)(ack=acknowledge, lazy=[join_click])
    app.action(ActionId.LEAVE_MEMBERSHIP)(ack=acknowledge, lazy=[leave_click])
