"""The summary's learning-point buttons: Mark, Unmark, and "Add a learning point".

Each confirms the facilitator with Slack first (a forged click from a member
is refused and changes nothing), then lets the service check that what the
button names belongs to that session of the clicker's workspace.  Mark and
Unmark answer by redrawing the summary in place, so its buttons flip.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import CommentNotFound, LearningPointNotFound
from bot.ids import ActionId
from bot.rendering.learning_points import learning_point_modal
from bot.runtime import Runtime
from bot.services import learning_points
from bot.services.learning_points import CommentRef, PointRef
from bot.services.sessions import find_session
from handlers.errors import answering_errors
from handlers.facilitators import require_facilitator
from handlers.feedback_reports import summary_with_points
from handlers.payloads import ActionInput
from handlers.profile import fresh_reader


def acknowledge(ack: Ack) -> None:
    ack()


def register(app: App, runtime: Runtime) -> None:
    def changing_points(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        act = ActionInput.from_payload(body, action)
        team = runtime.team_for(act.team_id)
        reader = fresh_reader(client, runtime, team, act.user_id)

        def work() -> None:
            require_facilitator(runtime, client, act.user_id)
            with runtime.unit_of_work(write=True) as db:
                if act.action_id == ActionId.MARK_LEARNING_POINT:
                    comment = CommentRef.parse(act.value)
                    if comment is None:
                        raise CommentNotFound()
                    learning_points.mark_comment(db, team, comment, runtime.clock.now())
                    key = comment.key
                else:
                    point = PointRef.parse(act.value)
                    if point is None:
                        raise LearningPointNotFound()
                    learning_points.unmark(db, team, point)
                    key = point.key
            reply, _summary = summary_with_points(runtime, team, key, reader)
            respond(**reply.as_message(), replace_original=True)

        answering_errors(
            lambda reply: respond(**reply.as_message(), replace_original=False),
            reader.translator,
            work,
        )

    def open_modal(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        act = ActionInput.from_payload(body, action)
        team = runtime.team_for(act.team_id)
        reader = fresh_reader(client, runtime, team, act.user_id)

        def work() -> None:
            require_facilitator(runtime, client, act.user_id)
            with runtime.unit_of_work() as db:
                session = find_session(db, team, act.value)
                key, title = session.key, session.title
            client.views_open(
                trigger_id=act.trigger_id, view=learning_point_modal(key, title, reader.translator)
            )

        answering_errors(
            lambda reply: respond(**reply.as_message(), replace_original=False),
            reader.translator,
            work,
        )

    app.action(ActionId.MARK_LEARNING_POINT)(ack=acknowledge, lazy=[changing_points])
    app.action(ActionId.UNMARK_LEARNING_POINT)(ack=acknowledge, lazy=[changing_points])
    app.action(ActionId.ADD_LEARNING_POINT)(ack=acknowledge, lazy=[open_modal])
