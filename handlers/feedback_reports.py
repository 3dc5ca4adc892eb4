"""Facilitator reports, shared by the command, the summary's button and the picker modal.

Each is registered as a facilitator listener, so the frame has confirmed the
facilitator with Slack before any of these functions runs.  They run in the
lazy part only: they call the Web API (conversations.open, files upload v2).
"""

from __future__ import annotations

from bot.rendering.charts import summary_chart_png
from bot.rendering.csv_files import export_files
from bot.rendering.reply import Reply
from bot.rendering.sessions import message_reply
from bot.rendering.summaries import season_reply, sent_to_dm_text, summary_reply
from bot.services import exports, learning_points, summaries
from bot.services.season_lookup import find_season
from handlers.frame import Request

SEASON_WORDS = frozenset({"season", "sæson", "saeson", "sesong"})


def dm_channel(req: Request) -> str:
    opened = req.web.conversations_open(users=req.user_id)
    return str(opened["channel"]["id"])


def season_summary(req: Request, season_key: str = "") -> Reply:
    zone = req.settings.bot.zone
    with req.db() as db:
        season = find_season(db, req.team, season_key or None, req.now, zone)
        summary = summaries.season_summary(db, req.team, req.now, zone, season)
    return season_reply(summary, req.t)


def session_summary(req: Request, key: str) -> tuple[Reply, bytes | None]:
    """The summary and its chart (None when nobody has answered)."""
    reply, summary = summary_with_points(req, key)
    chart = summary_chart_png(summary, req.t) if summary.responses else None
    return reply, chart


def summary_with_points(req: Request, key: str) -> tuple[Reply, summaries.FeedbackSummary]:
    """A session's summary with its learning points (facilitator listeners only)."""
    with req.db() as db:
        summaries.require_taken_place(db, req.team, key, req.now)
        summary = summaries.feedback_summary(db, req.team, key)
        points = learning_points.for_session(db, req.team, key)
    return summary_reply(summary, req.t, points), summary


def upload_chart(req: Request, key: str, chart: bytes) -> None:
    req.web.files_upload_v2(
        channel=dm_channel(req),
        file=chart,
        filename=f"{key}-feedback.png",
        title=req.t.gettext("Feedback: %(key)s", key=key),
    )


def send_summary_to_dm(req: Request, key: str) -> None:
    """For the picker modal, which has no response_url: message and chart in the DM."""
    reply, chart = session_summary(req, key)
    req.web.chat_postMessage(channel=dm_channel(req), text=reply.text, blocks=reply.blocks)
    if chart is not None:
        upload_chart(req, key, chart)


def export_to_dm(req: Request, key: str) -> Reply:
    """Registrations and feedback of *key* as a workbook and two CSV files in the DM."""
    with req.db() as db:
        export = exports.session_export(db, req.team, key, req.settings.fees)
    files = export_files(export, req.t, req.settings.bot.zone)
    req.web.files_upload_v2(
        channel=dm_channel(req),
        file_uploads=[{"file": f.content, "filename": f.filename, "title": f.title} for f in files],
    )
    return message_reply(sent_to_dm_text("export", req.t))
