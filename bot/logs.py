"""Logging set-up: plain text for people, JSON lines for log collectors."""

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


def configure_logging(settings: LoggingSettings) -> None:
    handler = logging.StreamHandler(sys.stderr)
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
