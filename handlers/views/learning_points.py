"""The "Add a learning point" modal's submission.

On the ack path: refuse someone the cached gate already knows is no
facilitator, check the text, and replace the modal with "Saving…".  In the
lazy listener: confirm the facilitator with Slack, store the point, and show
the outcome in the modal.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import LearningPointEmpty, LearningPointTooLong, NotAFacilitator
from bot.i18n import N_
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering.learning_points import adding_point_text, saved_point_text
from bot.rendering.manage import notice_view
from bot.runtime import Runtime
from bot.services import learning_points, members
from bot.services.learning_points import MAX_OWN_TEXT
from bot.services.sessions import find_session
from handlers.errors import reply_for_error
from handlers.facilitators import require_facilitator
from handlers.profile import fresh_reader

log = logging.getLogger(__name__)

TEXT = "learning_point_text"  # context key: the checked text, from the ack to the lazy listener
TITLE = N_("Learning point")


def _text_of(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    block = values.get(BlockId.LEARNING_POINT_TEXT) if isinstance(values, dict) else None
    element = block.get(ActionId.LEARNING_POINT_INPUT) if isinstance(block, dict) else None
    value = element.get("value") if isinstance(element, dict) else None
    return value.strip() if isinstance(value, str) else ""


def register(app: App, runtime: Runtime) -> None:
    def acknowledge(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        with runtime.unit_of_work() as db:
            t = members.load_reader(
                db, runtime.team_for(None), user_id, runtime.settings, runtime.clock.now()
            ).translator
        text = _text_of(view)
        try:
            if not runtime.may_be_facilitator(user_id):
                raise NotAFacilitator()
            if not text:
                raise LearningPointEmpty()
            if len(text) > MAX_OWN_TEXT:
                raise LearningPointTooLong(limit=MAX_OWN_TEXT)
        except (LearningPointEmpty, LearningPointTooLong) as wrong:
            message = t.gettext(wrong.message_id, **wrong.values)
            ack(response_action="errors", errors={BlockId.LEARNING_POINT_TEXT: message})
            return
        except Exception as exc:  # noqa: BLE001 - the modal always says what happened
            ack(response_action="update", view=notice_view(reply_for_error(exc, t).text, t, TITLE))
            return
        context[TEXT] = text
        ack(response_action="update", view=notice_view(adding_point_text(t), t, TITLE))

    def save(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        text = context.get(TEXT)
        if not isinstance(text, str):
            return  # the ack answered already (an error or a refusal)
        user_id = str((body.get("user") or {}).get("id", ""))
        team = runtime.team_for(None)
        t = fresh_reader(client, runtime, team, user_id).translator
        key = str(view.get("private_metadata") or "")
        try:
            require_facilitator(runtime, client, user_id)
            with runtime.unit_of_work(write=True) as db:
                point = learning_points.add_own(db, team, key, text, runtime.clock.now())
                title = find_session(db, team, key).title
            outcome = saved_point_text(point, title, t)
        except Exception as exc:  # noqa: BLE001 - the modal always says what happened
            outcome = reply_for_error(exc, t).text
        try:
            client.views_update(
                view_id=str(view.get("id", "")), view=notice_view(outcome, t, TITLE)
            )
        except SlackApiError as exc:  # closed meanwhile
            log.info("views.update after a learning point failed: %s", exc.response.get("error"))

    app.view(CallbackId.LEARNING_POINT)(ack=acknowledge, lazy=[save])
