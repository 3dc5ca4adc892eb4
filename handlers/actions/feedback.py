"""Feedback buttons: "Give feedback" (prompt DM) and "Export to Excel and CSV" (facilitators)."""

from __future__ import annotations

from bot.ids import ActionId
from bot.rendering.feedback import feedback_form_view
from bot.rendering.reply import Reply
from bot.services import feedback
from handlers.feedback_reports import export_to_dm
from handlers.frame import Frame, Request


def open_feedback_form(req: Request) -> None:
    with req.db() as db:
        form = feedback.open_feedback(db, req.team, req.user_id, req.value or None, req.now)
    req.web.views_open(trigger_id=req.surface.trigger_id, view=feedback_form_view(form, req.t))


def export_feedback(req: Request) -> Reply:
    return export_to_dm(req, req.value)


def register(frame: Frame) -> None:
    frame.action(ActionId.OPEN_FEEDBACK, open_feedback_form)
    frame.action(ActionId.EXPORT_FEEDBACK, export_feedback, facilitator=True)
