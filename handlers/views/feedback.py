"""Feedback modals: the member's form, and the facilitator's session picker.

The form is stored before the ack, so problems show in the modal itself
(``response_action: errors``) and the thanks replace it.  The picker's work
needs the Web API (DM, uploads): the ack shows "working on it" and the lazy
part, after the frame's fresh facilitator check, updates the modal with the
outcome.
"""

from __future__ import annotations

from typing import Any

from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering.feedback import FIELD_BLOCKS, FORM_TITLE, thanks_text
from bot.rendering.modals import notice_modal
from bot.rendering.reply import Reply
from bot.rendering.sessions import message_reply
from bot.rendering.summaries import REPORT_TITLES, report_working_text, sent_to_dm_text
from bot.services import feedback
from handlers.feedback_reports import export_to_dm, send_summary_to_dm
from handlers.frame import Frame, ModalAnswer, ModalState, ModalUpdate, Request


def form_answers(state: ModalState) -> feedback.FeedbackAnswers:
    """The modal's state to typed answers; FormErrors when something is wrong."""
    return feedback.read_answers(
        rating=state.selected(BlockId.FEEDBACK_RATING, ActionId.FEEDBACK_RATING_INPUT),
        most_valuable=state.text(BlockId.FEEDBACK_VALUABLE, ActionId.FEEDBACK_VALUABLE_INPUT),
        should_change=state.text(BlockId.FEEDBACK_CHANGE, ActionId.FEEDBACK_CHANGE_INPUT),
        goals=state.selected_values(BlockId.FEEDBACK_GOALS, ActionId.FEEDBACK_GOALS_INPUT),
        would_recommend=state.selected(
            BlockId.FEEDBACK_RECOMMEND, ActionId.FEEDBACK_RECOMMEND_INPUT
        ),
    )


def submit_feedback(req: Request) -> ModalAnswer:
    answers = form_answers(req.state)
    with req.write() as db:
        outcome = feedback.submit_feedback(
            db, req.team, req.user_id, req.private_metadata, answers, req.now
        )
    return ModalAnswer(ModalUpdate(notice_modal(thanks_text(outcome, req.t), req.t, FORM_TITLE)))


def feedback_notice(req: Request, text: str) -> dict[str, Any]:
    return notice_modal(text, req.t, FORM_TITLE)


def report_mode(req: Request) -> str:
    return req.private_metadata if req.private_metadata in REPORT_TITLES else "summary"


def report_notice(req: Request, text: str) -> dict[str, Any]:
    return notice_modal(text, req.t, REPORT_TITLES[report_mode(req)])


def deliver_report(req: Request) -> Reply:
    mode = report_mode(req)
    key = req.state.selected(BlockId.REPORT_SESSION, ActionId.REPORT_SESSION_SELECT) or ""
    if mode == "export":
        export_to_dm(req, key)
    else:
        send_summary_to_dm(req, key)
    return message_reply(sent_to_dm_text(mode, req.t))


def acknowledge_report(req: Request) -> ModalAnswer:
    return ModalAnswer(
        ModalUpdate(report_notice(req, report_working_text(req.t))), follow_up=deliver_report
    )


def register(frame: Frame) -> None:
    frame.view(CallbackId.FEEDBACK, submit_feedback, notice=feedback_notice, fields=FIELD_BLOCKS)
    frame.view(
        CallbackId.FEEDBACK_REPORT, acknowledge_report, notice=report_notice, facilitator=True
    )
