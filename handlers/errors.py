"""One place that turns errors into answers: domain errors into a private
message in the member's language, anything else into a logged error id the
member can quote."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.errors import DomainError, SessionNotFound
from bot.i18n import Translator
from bot.rendering.errors import domain_error_reply, unexpected_error_reply
from bot.rendering.reply import Reply
from bot.runtime import Runtime

log = logging.getLogger("sdgbot.errors")


def reply_for_error(exc: BaseException, t: Translator) -> Reply:
    if isinstance(exc, DomainError):
        suggestions = exc.suggestions if isinstance(exc, SessionNotFound) else ()
        return domain_error_reply(exc, t, suggestions)
    error_id = uuid.uuid4().hex[:8]
    log.error("unexpected error %s", error_id, exc_info=exc)
    return unexpected_error_reply(error_id, t)


def answering_errors(
    send: Callable[[Reply], Any], t: Translator, work: Callable[[], Reply | None]
) -> None:
    """Run *work* and send its reply; a failure is answered, never left silent."""
    try:
        reply = work()
    except Exception as exc:  # noqa: BLE001 - every failure gets an answer
        send(reply_for_error(exc, t))
        return
    if reply is not None:
        send(reply)


def register(app: App, runtime: Runtime) -> None:
    @app.error
    def log_unhandled(error: Exception, body: dict[str, Any]) -> None:
        error_id = uuid.uuid4().hex[:8]
        log.error(
            "unhandled error %s in %s",
            error_id,
            body.get("type") or body.get("command"),
            exc_info=error,
        )
