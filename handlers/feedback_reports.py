"""Facilitator reports, shared by the command, the summary's button and the picker modal.

Each function first confirms the facilitator (fresh user group check), then
reads, renders and delivers.  They run in lazy listeners only: they call the
Web API (usergroups.users.list, conversations.open, files upload v2).
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.rendering.charts import summary_chart_png
from bot.rendering.csv_files import feedback_csv, registrations_csv
from bot.rendering.reply import Reply
from bot.rendering.sessions import message_reply
from bot.rendering.summaries import season_reply, sent_to_dm_text, summary_reply
from bot.runtime import Runtime
from bot.services import exports, learning_points, summaries
from bot.services.members import Reader
from bot.services.season_lookup import find_season
from handlers.facilitators import require_facilitator

SEASON_WORDS = frozenset({"season", "sæson", "saeson", "sesong"})


def dm_channel(client: WebClient, slack_user_id: str) -> str:
    opened = client.conversations_open(users=slack_user_id)
    return str(opened["channel"]["id"])


def season_summary(
    runtime: Runtime, client: WebClient, user_id: str, reader: Reader, season_key: str = ""
) -> Reply:
    require_facilitator(runtime, client, user_id)
    team, now, zone = runtime.settings.home_team_id, runtime.clock.now(), runtime.settings.bot.zone
    with runtime.unit_of_work() as db:
        season = find_season(db, team, season_key or None, now, zone)
        summary = summaries.season_summary(db, team, now, zone, season)
    return season_reply(summary, reader.translator)


def session_summary(
    runtime: Runtime, client: WebClient, user_id: str, key: str, reader: Reader
) -> tuple[Reply, bytes | None]:
    """The summary and its chart (None when nobody has answered)."""
    require_facilitator(runtime, client, user_id)
    reply, summary = summary_with_points(runtime, runtime.settings.home_team_id, key, reader)
    chart = summary_chart_png(summary, reader.translator) if summary.responses else None
    return reply, chart


def summary_with_points(
    runtime: Runtime, team: str, key: str, reader: Reader
) -> tuple[Reply, summaries.SessionSummary]:
    """A session's summary with its learning points; callers confirm the facilitator first."""
    with runtime.unit_of_work() as db:
        summary = summaries.session_summary(db, team, key)
        points = learning_points.for_session(db, team, key)
    return summary_reply(summary, reader.translator, points), summary


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
    """Registrations and feedback of *key* as two CSV files in the facilitator's DM."""
    require_facilitator(runtime, client, user_id)
    with runtime.unit_of_work() as db:
        export = exports.session_export(
            db, runtime.settings.home_team_id, key, runtime.settings.fees
        )
    t = reader.translator
    files = [
        registrations_csv(export, t, runtime.settings.bot.zone),
        feedback_csv(export, t),
    ]
    client.files_upload_v2(
        channel=dm_channel(client, user_id),
        file_uploads=[{"file": f.content, "filename": f.filename, "title": f.title} for f in files],
    )
    return message_reply(sent_to_dm_text("export", t))
