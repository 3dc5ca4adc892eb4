"""Feedback commands: ``/sdg feedback [KEY]``, ``/sdg summary KEY|season``, ``/sdg export KEY``.

``feedback`` checks on the ack path (a non-participant is answered at once)
and opens the form in the follow-up.  ``summary`` and ``export`` do
everything in the follow-up, after a fresh facilitator check: the dispatcher
only lets possible facilitators through.
"""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.commands import CommandName
from bot.errors import NoFeedbackSessions
from bot.rendering.feedback import feedback_form_view
from bot.rendering.mrkdwn import clip
from bot.rendering.reply import Reply
from bot.rendering.summaries import report_picker_view
from bot.runtime import Runtime
from bot.services import feedback, summaries
from bot.services.members import Reader
from handlers.commands.base import Answer, FollowUp
from handlers.facilitators import require_facilitator
from handlers.feedback_reports import (
    SEASON_WORDS,
    export_to_dm,
    season_summary,
    session_summary,
    upload_chart,
)
from handlers.payloads import CommandInput


def _first_word(argument: str) -> str:
    return argument.split()[0] if argument.split() else ""


def answer_feedback(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> FollowUp:
    team = runtime.team_for(cmd.team_id)
    with runtime.unit_of_work() as db:
        form = feedback.open_feedback(
            db, team, cmd.user_id, _first_word(argument) or None, runtime.clock.now()
        )
    view = feedback_form_view(form, reader.translator)

    def open_form(client: WebClient, respond: Respond) -> None:
        client.views_open(trigger_id=cmd.trigger_id, view=view)

    return FollowUp(run=open_form)


def _picker(runtime: Runtime, cmd: CommandInput, reader: Reader, mode: str) -> FollowUp:
    def open_picker(client: WebClient, respond: Respond) -> None:
        require_facilitator(runtime, client, cmd.user_id)
        t = reader.translator
        with runtime.unit_of_work() as db:
            found = summaries.ended_feedback_sessions(
                db, runtime.team_for(cmd.team_id), runtime.clock.now()
            )
        if not found:
            raise NoFeedbackSessions()
        choices = [
            (key, clip(f"{t.short_date(starts)} · {title}", 75)) for key, title, starts in found
        ]
        client.views_open(trigger_id=cmd.trigger_id, view=report_picker_view(mode, choices, t))

    return FollowUp(run=open_picker)


def answer_summary(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> FollowUp:
    key = _first_word(argument)
    if not key:
        return _picker(runtime, cmd, reader, "summary")
    if key.casefold() in SEASON_WORDS:
        season_key = _first_word(argument.split(maxsplit=1)[1] if " " in argument else "")
        return FollowUp(
            run=lambda client, respond: season_summary(
                runtime, client, cmd.user_id, reader, season_key
            )
        )

    def summarise(client: WebClient, respond: Respond) -> Reply | None:
        reply, chart = session_summary(runtime, client, cmd.user_id, key, reader)
        respond(**reply.as_message())
        if chart is not None:
            upload_chart(client, cmd.user_id, key, chart, reader)
        return None

    return FollowUp(run=summarise)


def answer_export(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> FollowUp:
    key = _first_word(argument)
    if not key:
        return _picker(runtime, cmd, reader, "export")
    return FollowUp(
        run=lambda client, respond: export_to_dm(runtime, client, cmd.user_id, key, reader)
    )


ANSWERS: dict[CommandName, Answer] = {
    CommandName.FEEDBACK: answer_feedback,
    CommandName.SUMMARY: answer_summary,
    CommandName.EXPORT: answer_export,
}
