"""Feedback buttons: "Give feedback" (prompt DM) and "Export to Excel and CSV" (facilitators)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.ids import ActionId
from bot.rendering.feedback import feedback_form_view
from bot.rendering.reply import Reply
from bot.runtime import Runtime
from bot.services import feedback
from handlers.errors import answering_errors
from handlers.feedback_reports import export_to_dm
from handlers.payloads import ActionInput
from handlers.profile import fresh_reader


def acknowledge(ack: Ack) -> None:
    ack()


def _answer(client: WebClient, respond: Respond, act: ActionInput, reply: Reply) -> None:
    """Privately: to the message's response_url, or as a DM from App Home."""
    if act.response_url:
        respond(**reply.as_message(), replace_original=False)
    else:
        client.chat_postMessage(channel=act.user_id, text=reply.text, blocks=reply.blocks)


def register(app: App, runtime: Runtime) -> None:
    def open_form(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        act = ActionInput.from_payload(body, action)
        team = runtime.team_for(act.team_id)
        reader = fresh_reader(client, runtime, team, act.user_id)

        def work() -> None:
            with runtime.unit_of_work() as db:
                form = feedback.open_feedback(
                    db, team, act.user_id, act.value or None, runtime.clock.now()
                )
            client.views_open(
                trigger_id=act.trigger_id, view=feedback_form_view(form, reader.translator)
            )

        answering_errors(
            lambda reply: _answer(client, respond, act, reply), reader.translator, work
        )

    def export(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        act = ActionInput.from_payload(body, action)
        team = runtime.team_for(act.team_id)
        reader = fresh_reader(client, runtime, team, act.user_id)
        answering_errors(
            lambda reply: _answer(client, respond, act, reply),
            reader.translator,
            lambda: export_to_dm(runtime, client, act.user_id, act.value, reader),
        )

    app.action(ActionId.OPEN_FEEDBACK)(ack=acknowledge, lazy=[open_form])
    app.action(ActionId.EXPORT_FEEDBACK)(ack=acknowledge, lazy=[export])
