"""The HTTP endpoints besides ``/slack/events``: health, metrics, calendar feeds.

The same routes are served by ``sdgbot serve`` in HTTP mode (next to
``/slack/events``) and, in Socket Mode, by a small side server on
``[server] port`` (:mod:`bot.side_server`).
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.health import TickPulse, check_health
from bot.metrics import CONTENT_TYPE, PROCESS, LiveWorkers, ProcessMetrics, database_registry
from bot.runtime import Runtime

# Load balancers give up after a few seconds; answer before they do.
HEALTH_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class ProcessState:
    """What this process's endpoints report on besides the database."""

    pulse: TickPulse
    worker: str
    live_workers: LiveWorkers | None = None
    metrics: ProcessMetrics = PROCESS


def health_route(runtime: Runtime, state: ProcessState) -> Route:
    tick_seconds = runtime.settings.reminders.tick_seconds

    async def healthz(_request: Request) -> Response:
        headers = {"Cache-Control": "no-store"}
        # A database that hangs (rather than refusing) must not hang the probe.
        with anyio.move_on_after(HEALTH_TIMEOUT_SECONDS):
            report = await anyio.to_thread.run_sync(
                lambda: check_health(
                    runtime.database.engine,
                    state.pulse,
                    tick_seconds=tick_seconds,
                    worker=state.worker,
                ),
                abandon_on_cancel=True,
            )
            return JSONResponse(
                report.as_json(), status_code=200 if report.ok else 503, headers=headers
            )
        body = {
            "status": "failing",
            "database": f"no answer within {HEALTH_TIMEOUT_SECONDS:.0f} s",
            "worker": state.worker,
            "failing": ["database"],
        }
        return JSONResponse(body, status_code=503, headers=headers)

    return Route("/healthz", healthz, methods=["GET"])


def metrics_route(runtime: Runtime, state: ProcessState) -> Route:
    from_database = database_registry(runtime.unit_of_work, live_workers=state.live_workers)

    async def metrics(_request: Request) -> Response:
        body = await anyio.to_thread.run_sync(lambda: state.metrics.generate(from_database))
        return Response(body, media_type=CONTENT_TYPE)

    return Route("/metrics", metrics, methods=["GET"])


def endpoint_routes(runtime: Runtime, state: ProcessState) -> list[Route]:
    from bot.calendar_feed import calendar_routes

    return [health_route(runtime, state), metrics_route(runtime, state), *calendar_routes(runtime)]
