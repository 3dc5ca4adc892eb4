"""``sdgbot serve``: the bolt app, the scheduler and the HTTP or Socket Mode transport."""

from __future__ import annotations

import gc
import logging
import signal
import threading
import time

from slack_bolt import App

from bot.app import build_app
from bot.config import Settings
from bot.delivery.scheduler import DeliveryScheduler
from bot.endpoints import ProcessState, endpoint_routes
from bot.runtime import Runtime, open_runtime
from bot.workspaces import oauth_routes
from handlers import register_listeners  # the entry point wires the listeners in

log = logging.getLogger(__name__)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    # uvicorn handles SIGTERM gracefully, then raises it again once it has
    # stopped; as SystemExit it unwinds through serve()'s `finally`, so the
    # scheduler records the messages in flight instead of dying mid-send.
    raise SystemExit(128 + signum)


def _run_socket_mode(bolt_app: App, runtime: Runtime) -> None:
    """Connect (retrying while Slack cannot be reached), then block until stopped.

    The process stays up meanwhile: its scheduler keeps sending and its side
    server keeps answering health checks.  Redelivered envelopes and event
    retries run nothing (bot/edge/socket_mode.py).
    """
    from slack_sdk import WebClient

    from bot.edge.socket_mode import ReplayCheckingSocketModeHandler

    settings = runtime.settings
    web_client = WebClient(token=settings.slack.app_token, base_url=settings.slack.api_url)
    handler = ReplayCheckingSocketModeHandler(
        bolt_app, settings.slack.app_token, runtime, web_client=web_client
    )
    delay = 1.0
    while True:
        try:
            log.info("sdgbot connecting to Slack in Socket Mode")
            handler.connect()
            break
        except Exception as exc:  # noqa: BLE001 - any failure: wait and try again
            log.warning("Socket Mode: cannot connect (%s); retrying in %.0f s", exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, 60.0)
    log.info("sdgbot connected to Slack in Socket Mode")
    threading.Event().wait()


def _settle_garbage_collector() -> None:
    """Keep what start-up loaded out of the collector's way.

    Every request makes thousands of short-lived objects (the ORM, Block Kit
    dicts); each full collection then walked the modules, the mappers and the
    catalogs as well, a pause of milliseconds in some requests' answers.
    Frozen, they are never scanned again (``gc.freeze``).
    """
    gc.collect()
    gc.freeze()


def serve(settings: Settings, *, host: str | None, port: int | None, socket: bool) -> int:
    runtime = open_runtime(settings)
    bolt_app = build_app(runtime, register_listeners)
    # Reminders and other scheduled messages, in both transports.
    scheduler = DeliveryScheduler(runtime)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    scheduler.start()
    routes = endpoint_routes(
        runtime,
        ProcessState(
            scheduler.pulse, scheduler.worker.claimer, live_workers=scheduler.live_workers
        ),
    )
    routes += oauth_routes(bolt_app)  # several workspaces: /slack/install, /slack/oauth_redirect
    host = host or settings.server.host
    port = port or settings.server.port
    _settle_garbage_collector()
    try:
        if socket:
            from bot.side_server import SideServer

            side = SideServer(routes, host, port).start()
            try:
                _run_socket_mode(bolt_app, runtime)
            finally:
                side.stop()
            return 0
        from bot.server import build_http_app, serve_http

        serve_http(build_http_app(bolt_app, routes, runtime=runtime), host, port)
        return 0
    finally:
        scheduler.stop()
