"""Feedback commands: ``/sdg feedback [KEY]``, ``/sdg summary KEY|season``, ``/sdg export KEY``.

``feedback`` checks on the ack path (a non-participant is answered at once)
and opens the form in the follow-up.  ``summary`` and ``export`` are
facilitator words: everything happens in the follow-up, after the frame's
fresh facilitator check.
"""

from __future__ import annotations

from bot.commands import CommandName
from bot.errors import NoFeedbackSessions
from bot.rendering.feedback import feedback_form_view
from bot.rendering.mrkdwn import clip
from bot.rendering.reply import Reply
from bot.rendering.summaries import report_picker_view
from bot.services import feedback, summaries
from handlers.feedback_reports import (
    SEASON_WORDS,
    export_to_dm,
    season_summary,
    session_summary,
    upload_chart,
)
from handlers.frame import CommandAnswer, FollowUp, Request


def _first_word(argument: str) -> str:
    return argument.split()[0] if argument.split() else ""


def answer_feedback(req: Request, argument: str) -> FollowUp:
    with req.db() as db:
        form = feedback.open_feedback(
            db, req.team, req.user_id, _first_word(argument) or None, req.now
        )
    view = feedback_form_view(form, req.t)

    def open_form(lazy: Request) -> None:
        lazy.web.views_open(trigger_id=lazy.surface.trigger_id, view=view)

    return FollowUp(run=open_form)


def _picker(mode: str) -> FollowUp:
    def open_picker(req: Request) -> None:
        with req.db() as db:
            found = summaries.ended_feedback_sessions(db, req.team, req.now)
        if not found:
            raise NoFeedbackSessions()
        t = req.t
        choices = [
            (key, clip(f"{t.short_date(starts)} · {title}", 75)) for key, title, starts in found
        ]
        req.web.views_open(
            trigger_id=req.surface.trigger_id, view=report_picker_view(mode, choices, t)
        )

    return FollowUp(run=open_picker)


def answer_summary(req: Request, argument: str) -> FollowUp:
    key = _first_word(argument)
    if not key:
        return _picker("summary")
    if key.casefold() in SEASON_WORDS:
        season_key = _first_word(argument.split(maxsplit=1)[1] if " " in argument else "")
        return FollowUp(run=lambda lazy: season_summary(lazy, season_key))

    def summarise(lazy: Request) -> Reply | None:
        reply, chart = session_summary(lazy, key)
        lazy.answer(reply)
        if chart is not None:
            upload_chart(lazy, key, chart)
        return None

    return FollowUp(run=summarise)


def answer_export(req: Request, argument: str) -> FollowUp:
    key = _first_word(argument)
    if not key:
        return _picker("export")
    return FollowUp(run=lambda lazy: export_to_dm(lazy, key))


ANSWERS: dict[CommandName, CommandAnswer] = {
    CommandName.FEEDBACK: answer_feedback,
    CommandName.SUMMARY: answer_summary,
    CommandName.EXPORT: answer_export,
}
