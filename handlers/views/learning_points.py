"""The "Add a learning point" modal's submission.

On the ack path (after the cached gate): check the text and replace the
modal with "Saving…".  In the lazy part, after the frame's fresh facilitator
check: store the point and show the outcome in the modal.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import N_
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering.learning_points import FIELD_BLOCKS, adding_point_text, saved_point_text
from bot.rendering.modals import notice_modal
from bot.rendering.reply import Reply
from bot.rendering.sessions import message_reply
from bot.services import learning_points
from bot.services.sessions import find_session
from handlers.frame import Frame, ModalAnswer, ModalUpdate, Request

TITLE = N_("Learning point")


def learning_point_notice(req: Request, text: str) -> dict[str, Any]:
    return notice_modal(text, req.t, TITLE)


def save_learning_point(req: Request, text: str) -> Reply:
    key = req.private_metadata
    with req.write() as db:
        point = learning_points.add_own(db, req.team, key, text, req.now)
        title = find_session(db, req.team, key).title
    return message_reply(saved_point_text(point, title, req.t))


def submit_learning_point(req: Request) -> ModalAnswer:
    text = learning_points.own_text(
        req.state.text(BlockId.LEARNING_POINT_TEXT, ActionId.LEARNING_POINT_INPUT)
    )
    return ModalAnswer(
        ModalUpdate(learning_point_notice(req, adding_point_text(req.t))),
        follow_up=lambda lazy: save_learning_point(lazy, text),
    )


def register(frame: Frame) -> None:
    frame.view(
        CallbackId.LEARNING_POINT,
        submit_learning_point,
        notice=learning_point_notice,
        facilitator=True,
        gate_ack=True,
        fields=FIELD_BLOCKS,
    )
