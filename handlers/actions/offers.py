"""Accept and Decline on a seat-offer DM (a waiting-list promotion to a priced session)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.ids import ActionId
from bot.rendering.offers import declined_reply
from bot.rendering.registration import outcome_reply
from bot.rendering.reply import Reply
from bot.rendering.sessions import value_of
from bot.runtime import Runtime
from bot.services import offers
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

    def accept_click(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        act = ActionInput.from_payload(body, action)
        team = runtime.team_for(act.team_id)
        t = fresh_reader(client, runtime, team, act.user_id).translator

        def work() -> Reply:
            with runtime.unit_of_work(write=True) as db:
                outcome = offers.accept_offer(
                    db,
                    team,
                    act.user_id,
                    value_of(act.value),
                    runtime.clock.now(),
                    fees=settings.fees,
                    offer_valid=settings.registration.offer_valid,
                )
            return outcome_reply(outcome, t)

        answering_errors(lambda reply: reply_to(act, client, respond, reply), t, work)

    def decline_click(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        act = ActionInput.from_payload(body, action)
        team = runtime.team_for(act.team_id)
        t = fresh_reader(client, runtime, team, act.user_id).translator

        def work() -> Reply:
            with runtime.unit_of_work(write=True) as db:
                outcome = offers.decline_offer(
                    db, team, act.user_id, value_of(act.value), runtime.clock.now()
                )
            return declined_reply(outcome, t)

        answering_errors(lambda reply: reply_to(act, client, respond, reply), t, work)

    app.action(ActionId.ACCEPT_SEAT_OFFER)(ack=acknowledge, lazy=[accept_click])
    app.action(ActionId.DECLINE_SEAT_OFFER)(ack=acknowledge, lazy=[decline_click])
