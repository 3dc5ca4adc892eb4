"""The "Cancel the session" button under ``/sdg cancel-session KEY``'s question.

The button carries Slack's own confirm dialog; pressing it confirms the
facilitator with Slack again (a forged click from anyone else is refused and
changes nothing), then cancels.  Pressing it twice changes nothing the
second time and says the session was already cancelled.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.ids import ActionId
from bot.rendering.manage import cancelled_reply
from bot.runtime import Runtime
from bot.services import manage
from handlers.errors import answering_errors
from handlers.facilitators import require_facilitator
from handlers.payloads import ActionInput
from handlers.profile import fresh_reader


def acknowledge(ack: Ack) -> None:
    ack()


def register(app: App, runtime: Runtime) -> None:
    def cancel_session(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        act = ActionInput.from_payload(body, action)
        team = runtime.team_for(act.team_id)
        reader = fresh_reader(client, runtime, team, act.user_id)

        def work() -> None:
            require_facilitator(runtime, client, act.user_id)
            with runtime.unit_of_work(write=True) as db:
                outcome = manage.cancel_session(db, team, act.value, runtime.clock.now())
            # The answer replaces the question, so its button cannot be pressed again.
            reply = cancelled_reply(outcome, reader.translator)
            respond(**reply.as_message(), replace_original=True)

        answering_errors(
            lambda reply: respond(**reply.as_message(), replace_original=False),
            reader.translator,
            work,
        )

    app.action(ActionId.CONFIRM_CANCEL_SESSION)(ack=acknowledge, lazy=[cancel_session])
