"""Members' private calendar feeds: ``GET /calendar/TOKEN/season.ics`` and
``GET /calendar/TOKEN/KEY.ics``.

Only a member's token opens a feed (see :mod:`bot.services.calendar_links`).
An unknown token, a replaced one and an unknown key get the same 404, so
the answers tell a prober nothing about which tokens or keys exist.
"""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.calendar import build_calendar
from bot.errors import SessionNotFound
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.services import members
from bot.services.calendar_links import feed_owner, member_feed
from bot.services.sessions import CalendarEntry

ICS_TYPE = "text/calendar; charset=utf-8"
SEASON = "season"


def session_ics(
    runtime: Runtime,
    entries: list[CalendarEntry],
    name: str,
    *,
    team_id: str | None = None,
    translator: Translator | None = None,
) -> bytes:
    settings = runtime.settings
    t = translator or Translator(settings.bot.language, settings.bot.timezone)
    first_reminder = max(settings.reminders.offsets) if settings.reminders.offsets else None
    return build_calendar(
        ((e.view, e.updated_at, e.sequence) for e in entries),
        t,
        team_id=team_id or settings.home_team_id,
        alarm_before=first_reminder,
        name=name,
    )


def feed_path(token: str, key: str = SEASON) -> str:
    return f"/calendar/{token}/{key}.ics"


def feed_url(runtime: Runtime, token: str, key: str = SEASON) -> str:
    """The full address, on ``[bot] public_url``; empty when that is not set."""
    base = runtime.settings.bot.public_url
    return f"{base}{feed_path(token, key)}" if base else ""


def private_feed(runtime: Runtime, token: str, key: str) -> bytes | None:
    """The .ics for *token* (the season, or one session), or None for 404."""
    now = runtime.clock.now()
    with runtime.unit_of_work() as db:
        owner = feed_owner(db, token)
        if owner is None:
            return None
        try:
            entries = member_feed(db, owner, now, key=None if key == SEASON else key)
        except SessionNotFound:
            return None
        settings = runtime.settings_for(owner.team_id)
        reader = members.load_reader(db, owner.team_id, owner.slack_user_id, settings, now)
    name = "SDG" if key == SEASON else entries[0].view.title
    return session_ics(runtime, entries, name, team_id=owner.team_id, translator=reader.translator)


def calendar_routes(runtime: Runtime) -> list[Route]:
    async def feed(request: Request) -> Response:
        token = str(request.path_params["token"])
        key = str(request.path_params["key"])
        body = await anyio.to_thread.run_sync(private_feed, runtime, token, key)
        if body is None:
            # The same answer as any unknown path.
            return PlainTextResponse("Not Found", status_code=404)
        headers = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}
        return Response(body, media_type=ICS_TYPE, headers=headers)

    return [Route("/calendar/{token}/{key}.ics", feed, methods=["GET"])]
