"""``/sdg report [SEASON]``: the season report as a PDF in the facilitator's DM.

A facilitator word: the frame runs the follow-up only after its fresh
facilitator check.  The ack says at once that the report is coming (drawing
the charts takes a second or so).
"""

from __future__ import annotations

from bot.commands import CommandName
from bot.rendering.reply import Reply
from bot.rendering.season_report import report_filename, report_sent_reply, report_working_reply
from bot.services.season_report import season_report
from handlers.feedback_reports import dm_channel
from handlers.frame import CommandAnswer, FollowUp, Request


def report_to_dm(req: Request, season_key: str) -> Reply:
    # fpdf2 (with Pillow and fontTools) is loaded with the first report, not at
    # start-up: an idle `sdgbot serve` never needs it (bench/footprint.py).
    from bot.rendering.report_pdf import season_report_pdf

    with req.db() as db:
        report = season_report(db, req.team, season_key or None, req.now, req.settings.bot.zone)
    req.web.files_upload_v2(
        channel=dm_channel(req),
        file=season_report_pdf(report, req.t),
        filename=report_filename(report),
        title=req.t.gettext("Season report %(season)s", season=report.season.key),
    )
    return report_sent_reply(report, req.t)


def answer_report(req: Request, argument: str) -> FollowUp:
    season_key = argument.split()[0] if argument.split() else ""
    return FollowUp(
        run=lambda lazy: report_to_dm(lazy, season_key), ack=report_working_reply(req.t)
    )


ANSWERS: dict[CommandName, CommandAnswer] = {CommandName.REPORT: answer_report}
