"""Logging set-up: plain text for people, JSON lines for log collectors.

No log line may carry what members wrote or who they are, nor a token, at
any level.  bolt and slack_sdk log whole payloads at DEBUG (requests sent to
the Web API with the message text, responses with users' names, the body
bolt answered), and bolt puts the request body in some warnings; those
lines are cut where the payload begins (:class:`SlackPayloadFilter`).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from bot.config import LoggingSettings


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# Where bolt and slack_sdk start to print a payload in their log messages.
_PAYLOAD_MARKERS = (" body", ", query_params", ", headers", "({", " {", " [", "\n")
SLACK_LOGGERS = (
    "slack_bolt",
    "slack_sdk.web.base_client",
    "slack_sdk.web.client",
    "slack_sdk.webhook.client",
    "slack_sdk.socket_mode.builtin.client",
    "slack_bolt.adapter.socket_mode.builtin",
)


class SlackPayloadFilter(logging.Filter):
    """Keeps a bolt or slack_sdk line up to where its payload would begin."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(("slack_bolt", "slack_sdk")):
            return True
        message = record.getMessage()
        cut = min((i for m in _PAYLOAD_MARKERS if (i := message.find(m)) >= 0), default=-1)
        if cut >= 0:
            record.msg = message[:cut].rstrip(" ,:") + " [payload left out of the log]"
            record.args = None
        return True


_PAYLOAD_FILTER = SlackPayloadFilter()


def keep_slack_payloads_out_of_logs() -> None:
    """Filter the Slack libraries' loggers (bolt's own copy the filter when created)."""
    for name in SLACK_LOGGERS:
        logger = logging.getLogger(name)
        if _PAYLOAD_FILTER not in logger.filters:
            logger.addFilter(_PAYLOAD_FILTER)


def configure_logging(settings: LoggingSettings) -> None:
    keep_slack_payloads_out_of_logs()
    handler = logging.StreamHandler(sys.stderr)
    # Also on the handler: it sees the records of every Slack logger, named or not.
    handler.addFilter(_PAYLOAD_FILTER)
    if settings.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(quiet_library_chatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.level)
    # Migrations run at every start; their chatter is noise unless debugging.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
    # APScheduler logs two INFO lines per tick (about 5,800 a day); the worker says
    # what a tick did, when it did something.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))


def quiet_library_chatter(record: logging.LogRecord) -> bool:
    """bolt's advice for a request no listener takes is for developers: DEBUG.

    A handler filter, because bolt logs through loggers of its own (``slack_bolt.App``)
    that a filter on a parent logger never sees.
    """
    advice = ("Unhandled request", "[Suggestion]")
    if (
        record.name.startswith("slack_bolt")
        and record.levelno == logging.WARNING
        and record.getMessage().startswith(advice)
    ):
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger().isEnabledFor(logging.DEBUG)
    return True
