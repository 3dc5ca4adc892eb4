"""``sdgbot serve``: the bolt app, the scheduler and the HTTP or Socket Mode transport."""

from __future__ import annotations

import logging
import signal

from bot.app import build_app
from bot.config import Settings
from bot.delivery.scheduler import DeliveryScheduler
from bot.runtime import open_runtime
from handlers import register_listeners  # the entry point wires the listeners in

log = logging.getLogger(__name__)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    # uvicorn handles SIGTERM gracefully, then raises it again once it has
    # stopped; as SystemExit it unwinds through serve()'s `finally`, so the
    # scheduler records the messages in flight instead of dying mid-send.
    raise SystemExit(128 + signum)


def serve(settings: Settings, *, host: str | None, port: int | None, socket: bool) -> int:
    runtime = open_runtime(settings)
    bolt_app = build_app(runtime, register_listeners)
    # Reminders and other scheduled messages, in both transports.
    scheduler = DeliveryScheduler(runtime)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    scheduler.start()
    try:
        if socket:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("sdgbot connecting to Slack in Socket Mode")
            SocketModeHandler(bolt_app, settings.slack.app_token).start()
            return 0
        from bot.calendar_feed import calendar_routes
        from bot.server import build_http_app, serve_http

        serve_http(
            build_http_app(bolt_app, calendar_routes(runtime), runtime=runtime),
            host or settings.server.host,
            port or settings.server.port,
        )
        return 0
    finally:
        scheduler.stop()
