"""The forget-me buttons: "Erase my data" (behind Slack's confirm dialog) and "Keep my data".

Who is erased is always the user who clicked, from the payload's ``user``.
The button's value only names the member the question was made for: a
click by anyone else (a forwarded or forged payload) erases nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.ids import ActionId
from bot.rendering.privacy import erased_reply, kept_reply, not_your_button_reply
from bot.rendering.reply import Reply
from bot.runtime import Runtime
from bot.services import erasure
from bot.services.members import load_reader
from handlers.errors import answering_errors
from handlers.payloads import ActionInput

log = logging.getLogger(__name__)


def acknowledge(ack: Ack) -> None:
    ack()


def register(app: App, runtime: Runtime) -> None:
    def answer(
        act: ActionInput, client: WebClient, respond: Respond, reply: Reply, *, replace: bool
    ) -> None:
        """Privately; replacing the question so its buttons cannot be pressed again."""
        if act.response_url:
            respond(**reply.as_message(), replace_original=replace)
        else:
            client.chat_postMessage(channel=act.user_id, text=reply.text, blocks=reply.blocks)

    def handle(
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
        *,
        erase: bool,
    ) -> None:
        act = ActionInput.from_payload(body, action)
        team = runtime.team_for(act.team_id)
        # No users.info here: it would store a Slack profile again just before erasing it.
        with runtime.unit_of_work() as db:
            t = load_reader(db, team, act.user_id, runtime.settings, runtime.clock.now()).translator
        replace = False  # only a finished answer takes the question's place

        def work() -> Reply:
            nonlocal replace
            if act.value != act.user_id:
                log.warning("a forget-me button was pressed by someone it was not made for")
                return not_your_button_reply(t)
            if not erase:
                replace = True
                return kept_reply(t)
            with runtime.unit_of_work(write=True) as db:
                outcome = erasure.erase_member(db, team, act.user_id, runtime.clock.now())
            log.info(
                "a member erased their data: %d registrations cancelled, %d promoted, "
                "%d kept as counts, %d answers detached, %d messages removed",
                len(outcome.cancelled),
                len(outcome.promoted),
                outcome.past,
                outcome.feedback,
                outcome.messages,
            )
            replace = True
            return erased_reply(outcome, t)

        answering_errors(
            lambda reply: answer(act, client, respond, reply, replace=replace), t, work
        )

    def erase_click(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        handle(body, action, client, respond, erase=True)

    def keep_click(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        handle(body, action, client, respond, erase=False)

    app.action(ActionId.FORGET_ME_CONFIRM)(ack=acknowledge, lazy=[erase_click])
    app.action(ActionId.FORGET_ME_KEEP)(ack=acknowledge, lazy=[keep_click])
