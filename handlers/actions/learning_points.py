"""The summary's learning-point buttons: Mark, Unmark, and "Add a learning point".

All three are facilitator listeners: the frame confirms the facilitator with
Slack first, so a forged click from a member is refused and changes nothing.
The service then checks that what the button names belongs to that session
of the clicker's workspace.  Mark and Unmark answer by redrawing the summary
in place, so its buttons flip.
"""

from __future__ import annotations

from dataclasses import replace

from bot.errors import CommentNotFound, LearningPointNotFound
from bot.ids import ActionId
from bot.rendering.learning_points import learning_point_modal
from bot.rendering.reply import Reply
from bot.services import learning_points
from bot.services.learning_points import CommentRef, PointRef
from bot.services.sessions import find_session
from handlers.feedback_reports import summary_with_points
from handlers.frame import Frame, Request


def mark_learning_point(req: Request) -> Reply:
    comment = CommentRef.parse(req.value)
    if comment is None:
        raise CommentNotFound()
    with req.write() as db:
        learning_points.mark_comment(db, req.team, comment, req.now)
    reply, _summary = summary_with_points(req, comment.key)
    return replace(reply, replace_original=True)


def unmark_learning_point(req: Request) -> Reply:
    point = PointRef.parse(req.value)
    if point is None:
        raise LearningPointNotFound()
    with req.write() as db:
        learning_points.unmark(db, req.team, point)
    reply, _summary = summary_with_points(req, point.key)
    return replace(reply, replace_original=True)


def open_learning_point_modal(req: Request) -> None:
    with req.db() as db:
        session = find_session(db, req.team, req.value)
        key, title = session.key, session.title
    req.web.views_open(
        trigger_id=req.surface.trigger_id, view=learning_point_modal(key, title, req.t)
    )


def register(frame: Frame) -> None:
    frame.action(ActionId.MARK_LEARNING_POINT, mark_learning_point, facilitator=True)
    frame.action(ActionId.UNMARK_LEARNING_POINT, unmark_learning_point, facilitator=True)
    frame.action(ActionId.ADD_LEARNING_POINT, open_learning_point_modal, facilitator=True)
