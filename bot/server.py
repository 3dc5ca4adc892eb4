"""HTTP serving: bolt's sync App behind Starlette on uvicorn.

bolt's own Starlette adapter calls the sync ``App.dispatch`` on the event
loop, which would serialise every request; here it runs in a thread pool
sized for bursts, so 32 members typing at once are answered side by side.
"""

from __future__ import annotations

import logging

import anyio
from slack_bolt import App
from starlette.applications import Starlette
from starlette.routing import Route

from bot.edge.http import SlackEdge
from bot.runtime import Runtime

log = logging.getLogger(__name__)

# Each request holds one thread while bolt runs the ack listener.
REQUEST_THREADS = 64


def build_http_app(
    bolt_app: App, extra_routes: list[Route] | None = None, *, runtime: Runtime
) -> Starlette:
    limiter = anyio.CapacityLimiter(REQUEST_THREADS)
    # Every request is verified, checked and recorded here before bolt sees it.
    slack_events = SlackEdge(bolt_app, runtime, limiter).handle

    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        *(extra_routes or []),
    ]
    return Starlette(routes=routes)


def serve_http(asgi_app: Starlette, host: str, port: int) -> None:
    import uvicorn

    config = uvicorn.Config(
        asgi_app,
        host=host,
        port=port,
        backlog=2048,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)
    log.info("sdgbot listening on http://%s:%s/slack/events", host, port)
    server.run()
