"""The Slack side of the season report: what the facilitator is told, and the file's name."""

from __future__ import annotations

from bot.i18n import Translator
from bot.rendering.reply import Reply
from bot.rendering.sessions import message_reply
from bot.rendering.templates import gettext_for
from bot.services.season_report import SeasonReport


def report_filename(report: SeasonReport) -> str:
    safe = "".join(
        c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in report.season.key
    )
    return f"sdg-season-report-{safe}.pdf"


def report_working_reply(t: Translator) -> Reply:
    return message_reply(
        ":hourglass_flowing_sand: " + t.gettext("Working on it: the report comes in your DM.")
    )


def report_sent_reply(report: SeasonReport, t: Translator) -> Reply:
    _ = gettext_for(t)
    return message_reply(
        ":white_check_mark: "
        + _("The season report %(season)s is in your DM.", season=report.season.key)
    )
