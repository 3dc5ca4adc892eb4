"""Socket Mode's envelopes, executed once, like ``POST /slack/events`` (bot/edge/http.py).

Slack redelivers an envelope it did not see acknowledged (same
``envelope_id``) and retries an Events API event in a new envelope (same
``event_id``, ``retry_attempt`` set).  Each key goes into the same
``slack_requests_seen`` table as the HTTP edge's before bolt runs; a
redelivery is acknowledged empty and runs nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.edge.replays import SeenRequests, envelope_key, event_key
from bot.metrics import PROCESS
from bot.runtime import Runtime

log = logging.getLogger("sdgbot.edge")

# Envelope types Slack sends to listeners (a fixed set: they label a metric).
_ENVELOPE_TYPES = frozenset({"events_api", "slash_commands", "interactive"})


def request_key(req: SocketModeRequest) -> str | None:
    """The key an envelope is remembered by; None when it carries no id to tell."""
    payload: Any = req.payload
    if req.type == "events_api" and isinstance(payload, dict):
        event_id = payload.get("event_id")
        if isinstance(event_id, str) and event_id:
            return event_key(event_id)
    if isinstance(req.envelope_id, str) and req.envelope_id:
        return envelope_key(req.envelope_id)
    return None


class ReplayCheckingSocketModeHandler(SocketModeHandler):
    """bolt's Socket Mode handler, with the replay check in front of the app."""

    def __init__(
        self,
        app: App,
        app_token: str,
        runtime: Runtime,
        *,
        web_client: WebClient | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(app, app_token, web_client=web_client)
        self.seen = SeenRequests(runtime)
        self.wall_clock = wall_clock

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        kind = req.type if req.type in _ENVELOPE_TYPES else "other"
        key = request_key(req)
        if key is not None:
            now = datetime.fromtimestamp(self.wall_clock(), UTC)
            try:
                first_time = self.seen.first_time(key, now)
            except SQLAlchemyError:
                # Not acknowledged: Slack delivers it again, when the database may answer.
                log.exception("could not record a Socket Mode envelope (%s)", kind)
                return
            if not first_time:
                PROCESS.replays_refused.labels(kind).inc()
                log.info(
                    "redelivered Socket Mode envelope acknowledged, not run: %s%s",
                    kind,
                    " (retry)" if req.retry_attempt else "",
                )
                client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
                return
        super().handle(client, req)  # type: ignore[arg-type]
