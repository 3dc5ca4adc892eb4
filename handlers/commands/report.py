"""``/sdg report [SEASON]``: the season report as a PDF in the facilitator's DM.

The dispatcher lets only possible facilitators through; the follow-up
confirms with Slack, builds the report and uploads it.  The ack says at once
that it is coming (drawing the charts takes a second or two).
"""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.commands import CommandName
from bot.rendering.reply import Reply
from bot.rendering.report_pdf import season_report_pdf
from bot.rendering.season_report import report_filename, report_sent_reply, report_working_reply
from bot.runtime import Runtime
from bot.services.members import Reader
from bot.services.season_report import season_report
from handlers.commands.base import Answer, FollowUp
from handlers.facilitators import require_facilitator
from handlers.feedback_reports import dm_channel
from handlers.payloads import CommandInput


def report_to_dm(
    runtime: Runtime, client: WebClient, user_id: str, team: str, season_key: str, reader: Reader
) -> Reply:
    require_facilitator(runtime, client, user_id)
    with runtime.unit_of_work() as db:
        report = season_report(
            db, team, season_key or None, runtime.clock.now(), runtime.settings.bot.zone
        )
    t = reader.translator
    client.files_upload_v2(
        channel=dm_channel(client, user_id),
        file=season_report_pdf(report, t),
        filename=report_filename(report),
        title=t.gettext("Season report %(season)s", season=report.season.title),
    )
    return report_sent_reply(report, t)


def answer_report(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> FollowUp:
    season_key = argument.split()[0] if argument.split() else ""
    team = runtime.team_for(cmd.team_id)

    def build(client: WebClient, respond: Respond) -> Reply:
        return report_to_dm(runtime, client, cmd.user_id, team, season_key, reader)

    return FollowUp(run=build, ack=report_working_reply(reader.translator))


ANSWERS: dict[CommandName, Answer] = {CommandName.REPORT: answer_report}
