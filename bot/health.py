"""``GET /healthz``: is this process fit to serve?

Three parts, each checked at every probe: the database answers, the
scheduler has finished a tick recently (within three ticks), and the schema
is at the revision this release expects.  A load balancer or an orchestrator
takes a replica out of rotation on 503, so the answer names what is failing
and never leaks connection details.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from bot.db import MIGRATIONS

# The scheduler is late when it has not finished a tick for this many ticks.
TICKS_ALLOWED = 3


class TickPulse:
    """When the scheduler last finished a tick (monotonic clock, thread-safe).

    Before the first tick the pulse counts from its creation, so a process
    that has just started is healthy until it has had time to tick.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self.ticks = 0

    def mark(self) -> None:
        with self._lock:
            self._last = time.monotonic()
            self.ticks += 1

    def seconds_since(self) -> float:
        with self._lock:
            return time.monotonic() - self._last


@cache
def code_heads() -> frozenset[str]:
    """The migration heads this release ships."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


@cache
def _known_revisions() -> frozenset[str]:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions())


@dataclass(frozen=True)
class HealthReport:
    worker: str
    database: str
    scheduler: str
    migrations: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def failing(self) -> list[str]:
        parts = {"database": self.database, "scheduler": self.scheduler}
        parts["migrations"] = self.migrations
        return [name for name, state in parts.items() if not state.startswith("ok")]

    @property
    def ok(self) -> bool:
        return not self.failing

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": "ok" if self.ok else "failing",
            "database": self.database,
            "scheduler": self.scheduler,
            "migrations": self.migrations,
            "worker": self.worker,
            **self.details,
        }
        if not self.ok:
            body["failing"] = self.failing
        return body


def _check_migrations(engine: Engine) -> tuple[str, str]:
    """(state, revision).  A database ahead of this release is fine: during a
    rolling restart the previous release runs on the new schema (see README)."""
    with engine.connect() as connection:
        current = frozenset(MigrationContext.configure(connection).get_current_heads())
    revision = ",".join(sorted(current)) or "none"
    if current == code_heads():
        return "ok", revision
    if current and not current & _known_revisions():
        return "ok (schema of a newer release)", revision
    return f"not at head (expected {','.join(sorted(code_heads()))})", revision


def check_health(
    engine: Engine, pulse: TickPulse, *, tick_seconds: int, worker: str
) -> HealthReport:
    details: dict[str, Any] = {}
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
        database = f"unreachable ({type(exc).__name__})"
    if database == "ok":
        try:
            migrations, details["revision"] = _check_migrations(engine)
        except Exception as exc:  # noqa: BLE001
            migrations = f"unknown ({type(exc).__name__})"
    else:
        migrations = "unknown (database unreachable)"
    since = pulse.seconds_since()
    details["last_tick_seconds_ago"] = round(since, 1)
    details["tick_seconds"] = tick_seconds
    limit = TICKS_ALLOWED * tick_seconds
    scheduler = "ok" if since <= limit else f"late (no tick for {since:.0f} s)"
    return HealthReport(
        worker=worker,
        database=database,
        scheduler=scheduler,
        migrations=migrations,
        details=details,
    )
