"""Feedback modals: the member's form, and the facilitator's session picker.

The form is stored before the ack, so problems show in the modal itself
(``response_action: errors``) and the thanks replace it.  The picker's work
needs the Web API (facilitator check, DM, uploads): the ack shows "working
on it" and the lazy listener updates the modal with the outcome.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering.feedback import form_errors, notice_view, thanks_text
from bot.rendering.summaries import REPORT_TITLES, report_working_text, sent_to_dm_text
from bot.runtime import Runtime
from bot.services import feedback, members
from bot.services.feedback import FeedbackFormErrors
from bot.services.members import Reader
from handlers.errors import reply_for_error
from handlers.feedback_reports import export_to_dm, send_summary_to_dm
from handlers.profile import fresh_reader


def _input(values: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    found = (values.get(block_id) or {}).get(action_id)
    return found if isinstance(found, dict) else {}


def _selected(values: dict[str, Any], block_id: str, action_id: str) -> str | None:
    option = _input(values, block_id, action_id).get("selected_option")
    return str(option.get("value")) if isinstance(option, dict) else None


def _form_answers(values: dict[str, Any]) -> feedback.FeedbackAnswers:
    """The modal's state to typed answers; FeedbackFormErrors when something is wrong."""
    goals = _input(values, BlockId.FEEDBACK_GOALS, ActionId.FEEDBACK_GOALS_INPUT)
    return feedback.read_answers(
        rating=_selected(values, BlockId.FEEDBACK_RATING, ActionId.FEEDBACK_RATING_INPUT),
        most_valuable=_input(
            values, BlockId.FEEDBACK_VALUABLE, ActionId.FEEDBACK_VALUABLE_INPUT
        ).get("value"),
        should_change=_input(values, BlockId.FEEDBACK_CHANGE, ActionId.FEEDBACK_CHANGE_INPUT).get(
            "value"
        ),
        goals=[
            str(option.get("value"))
            for option in goals.get("selected_options") or []
            if isinstance(option, dict)
        ],
        would_recommend=_selected(
            values, BlockId.FEEDBACK_RECOMMEND, ActionId.FEEDBACK_RECOMMEND_INPUT
        ),
    )


def register(app: App, runtime: Runtime) -> None:
    def reader_of(user_id: str) -> Reader:
        with runtime.unit_of_work() as db:
            return members.load_reader(
                db, runtime.settings.home_team_id, user_id, runtime.settings, runtime.clock.now()
            )

    def submit_feedback(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        t = reader_of(user_id).translator
        try:
            answers = _form_answers((view.get("state") or {}).get("values") or {})
        except FeedbackFormErrors as invalid:
            ack(response_action="errors", errors=form_errors(invalid.errors, t))
            return
        try:
            with runtime.unit_of_work(write=True) as db:
                outcome = feedback.submit_feedback(
                    db,
                    runtime.team_for(None),
                    user_id,
                    str(view.get("private_metadata") or ""),
                    answers,
                    runtime.clock.now(),
                )
        except Exception as exc:  # noqa: BLE001 - the member always gets an answer
            ack(response_action="update", view=notice_view(reply_for_error(exc, t).text, t))
            return
        ack(response_action="update", view=notice_view(thanks_text(outcome, t), t))

    def report_mode(view: dict[str, Any]) -> str:
        mode = str(view.get("private_metadata") or "")
        return mode if mode in REPORT_TITLES else "summary"

    def acknowledge_report(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        t = reader_of(str((body.get("user") or {}).get("id", ""))).translator
        title = REPORT_TITLES[report_mode(view)]
        ack(response_action="update", view=notice_view(report_working_text(t), t, title))

    def run_report(body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        reader = fresh_reader(client, runtime, runtime.team_for(None), user_id)
        t = reader.translator
        mode = report_mode(view)
        values = (view.get("state") or {}).get("values") or {}
        key = _selected(values, BlockId.REPORT_SESSION, ActionId.REPORT_SESSION_SELECT) or ""
        try:
            # Both confirm the facilitator (fresh user group check) before anything else.
            if mode == "export":
                export_to_dm(runtime, client, user_id, key, reader)
            else:
                send_summary_to_dm(runtime, client, user_id, key, reader)
            text = sent_to_dm_text(mode, t)
        except Exception as exc:  # noqa: BLE001 - the modal always says what happened
            text = reply_for_error(exc, t).text
        client.views_update(
            view_id=str(view.get("id", "")), view=notice_view(text, t, REPORT_TITLES[mode])
        )

    app.view(CallbackId.FEEDBACK)(submit_feedback)
    app.view(CallbackId.FEEDBACK_REPORT)(ack=acknowledge_report, lazy=[run_report])
