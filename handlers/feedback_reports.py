"""Facilitator reports, shared by the command, the summary's button and the picker modal.

Each function first confirms the facilitator (fresh user group check), then
reads, renders and delivers.  They run in lazy listeners only: they call the
Web API (usergroups.users.list, conversations.open, files upload v2).
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.rendering.charts import summary_chart_png
from bot.rendering.csv_files import export_files
from bot.rendering.reply import Reply
from bot.rendering.sessions import message_reply
from bot.rendering.summaries import season_reply, sent_to_dm_text, summary_reply
from bot.runtime import Runtime
from bot.services import exports, summaries
from bot.services.members import Reader
from handlers.facilitators import require_facilitator

SEASON_WORDS = frozenset({"season", "sæson", "saeson", "sesong"})


def dm_channel(client: WebClient, slack_user_id: str) -> str:
    opened = client.conversations_open(users=slack_user_id)
    return str(opened["channel"]["id"])


def season_summary(runtime: Runtime, client: WebClient, user_id: str, reader: Reader) -> Reply:
    require_facilitator(runtime, client, user_id)
    with runtime.unit_of_work() as db:
        season = summaries.season_summary(
            db, runtime.settings.home_team_id, runtime.clock.now(), runtime.settings.bot.zone
        )
    return season_reply(season, reader.translator)


def session_summary(
    runtime: Runtime, client: WebClient, user_id: str, key: str, reader: Reader
) -> tuple[Reply, bytes | None]:
    """The summary and its chart (None when nobody has answered)."""
    require_facilitator(runtime, client, user_id)
    with runtime.unit_of_work() as db:
        summary = summaries.session_summary(db, runtime.settings.home_team_id, key)
    t = reader.translator
    chart = summary_chart_png(summary, t) if summary.responses else None
    return summary_reply(summary, t), chart


def upload_chart(client: WebClient, user_id: str, key: str, chart: bytes, reader: Reader) -> None:
    client.files_upload_v2(
        channel=dm_channel(client, user_id),
        file=chart,
        filename=f"{key}-feedback.png",
        title=reader.translator.gettext("Feedback: %(key)s", key=key),
    )


def send_summary_to_dm(
    runtime: Runtime, client: WebClient, user_id: str, key: str, reader: Reader
) -> None:
    """For the picker modal, which has no response_url: message and chart in the DM."""
    reply, chart = session_summary(runtime, client, user_id, key, reader)
    client.chat_postMessage(
        channel=dm_channel(client, user_id), text=reply.text, blocks=reply.blocks
    )
    if chart is not None:
        upload_chart(client, user_id, key, chart, reader)


def export_to_dm(
    runtime: Runtime, client: WebClient, user_id: str, key: str, reader: Reader
) -> Reply:
    """Registrations and feedback of *key* as a workbook and two CSV files in the DM."""
    require_facilitator(runtime, client, user_id)
    with runtime.unit_of_work() as db:
        export = exports.session_export(
            db, runtime.settings.home_team_id, key, runtime.settings.fees
        )
    t = reader.translator
    files = export_files(export, t, runtime.settings.bot.zone)
    client.files_upload_v2(
        channel=dm_channel(client, user_id),
        file_uploads=[{"file": f.content, "filename": f.filename, "title": f.title} for f in files],
    )
    return message_reply(sent_to_dm_text("export", t))
