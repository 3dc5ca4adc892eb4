"""``GET /calendar/season.ics`` and ``GET /calendar/KEY.ics``: subscribable feeds."""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.calendar import build_calendar
from bot.errors import SessionNotFound
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.services.sessions import CalendarEntry, calendar_entries

ICS_TYPE = "text/calendar; charset=utf-8"


def session_ics(runtime: Runtime, entries: list[CalendarEntry], name: str) -> bytes:
    settings = runtime.settings
    t = Translator(settings.bot.language, settings.bot.timezone)
    first_reminder = max(settings.reminders.offsets) if settings.reminders.offsets else None
    return build_calendar(
        ((e.view, e.updated_at, e.sequence) for e in entries),
        t,
        team_id=settings.home_team_id,
        alarm_before=first_reminder,
        name=name,
    )


def calendar_routes(runtime: Runtime) -> list[Route]:
    def season() -> bytes:
        with runtime.unit_of_work() as db:
            entries = calendar_entries(db, runtime.settings.home_team_id, runtime.clock.now())
        return session_ics(runtime, entries, "SDG")

    def one(key: str) -> bytes | None:
        try:
            with runtime.unit_of_work() as db:
                entries = calendar_entries(
                    db, runtime.settings.home_team_id, runtime.clock.now(), key=key
                )
        except SessionNotFound:
            return None
        return session_ics(runtime, entries, entries[0].view.title)

    async def season_feed(_request: Request) -> Response:
        body = await anyio.to_thread.run_sync(season)
        return Response(body, media_type=ICS_TYPE)

    async def session_feed(request: Request) -> Response:
        key = request.path_params["key"]
        if key == "season":
            return await season_feed(request)
        body = await anyio.to_thread.run_sync(one, key)
        if body is None:
            return PlainTextResponse("no such session", status_code=404)
        return Response(body, media_type=ICS_TYPE)

    return [
        Route("/calendar/season.ics", season_feed, methods=["GET"]),
        Route("/calendar/{key}.ics", session_feed, methods=["GET"]),
    ]
