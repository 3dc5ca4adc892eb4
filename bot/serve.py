"""``sdgbot serve``: the bolt app, the scheduler and the HTTP or Socket Mode transport."""

from __future__ import annotations

import logging

from bot.app import build_app
from bot.config import Settings

log = logging.getLogger(__name__)


def serve(settings: Settings, *, host: str | None, port: int | None, socket: bool) -> int:
    from bot.cli import open_runtime

    runtime = open_runtime(settings)
    bolt_app = build_app(runtime)
    if socket:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("sdgbot connecting to Slack in Socket Mode")
        SocketModeHandler(bolt_app, settings.slack.app_token).start()
        return 0
    from bot.calendar_feed import calendar_routes
    from bot.server import build_http_app, serve_http

    serve_http(
        build_http_app(bolt_app, calendar_routes(runtime)),
        host or settings.server.host,
        port or settings.server.port,
    )
    return 0
