"""The clock for scheduled messages: one APScheduler job that runs every tick.

APScheduler 3 cannot share a job store between processes, so it holds no
job per reminder: the database does.  Each tick runs the planners (which
make the delivery rows match the programme) and then the worker (which
sends what is due).  Any number of ``sdgbot serve`` processes may tick at
once: planners take a PostgreSQL advisory lock (SQLite serialises writers
anyway) and the worker's claims never overlap.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.delivery.registry import Planner, planners
from bot.delivery.slack_sender import make_delivery_client
from bot.delivery.worker import DeliveryWorker, WorkReport
from bot.health import TickPulse
from bot.runtime import Runtime

log = logging.getLogger(__name__)

JOB_ID = "sdgbot-deliveries"


def _planning_lock(db: Session, planner: Planner) -> bool:
    """On PostgreSQL only one replica runs a planner at a time; the others skip it.

    Two replicas reconciling the same rows in different orders could
    deadlock; the loser would only be rolled back, but there is no reason to
    do the same work twice.
    """
    if db.get_bind().dialect.name != "postgresql":
        return True
    name = f"{planner.__module__}.{planner.__qualname__}"
    key = zlib.crc32(name.encode())
    return bool(db.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}))


def run_planners(runtime: Runtime, now: datetime) -> int:
    """Every registered planner, each in its own transaction; returns rows changed."""
    changed = 0
    for planner in planners():
        try:
            with runtime.unit_of_work(write=True) as db:
                if _planning_lock(db, planner):
                    changed += planner(db, runtime.settings, now)
        except Exception:
            # One broken planner must not stop the others, nor the sending.
            log.exception("planner %s failed", getattr(planner, "__qualname__", planner))
    return changed


def run_due_work(
    runtime: Runtime,
    client: WebClient,
    now: datetime,
    *,
    worker: DeliveryWorker | None = None,
) -> WorkReport:
    """One tick, synchronously, at *now*: plan, then send what is due.

    *client* should come from :func:`make_delivery_client` (no SDK retries).
    The console and the tests call this with their own clock's time.
    """
    run_planners(runtime, now)
    worker = worker or DeliveryWorker(runtime, client)
    return worker.run(lambda: now)


class DeliveryScheduler:
    """Ticks every ``[reminders] tick_seconds`` in a background thread of ``serve``."""

    def __init__(self, runtime: Runtime, client: WebClient | None = None) -> None:
        self.runtime = runtime
        self.worker = DeliveryWorker(runtime, client or make_delivery_client(runtime.settings))
        self._scheduler = BackgroundScheduler(timezone="UTC")
        # /healthz: a tick that finished recently (a failed one does not count).
        self.pulse = TickPulse()

    def tick(self) -> None:
        clock: Callable[[], datetime] = self.runtime.clock.now
        try:
            run_planners(self.runtime, clock())
            self.worker.run(clock)
        except Exception:
            log.exception("delivery tick failed; the next tick tries again")
            return
        self.pulse.mark()

    def start(self) -> None:
        self._scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.runtime.settings.reminders.tick_seconds,
            id=JOB_ID,
            next_run_time=self.runtime.clock.now(),
            max_instances=1,
            coalesce=True,
        )
        self._scheduler.start()
        log.info(
            "scheduled messages: a tick every %ss, claims as %s",
            self.runtime.settings.reminders.tick_seconds,
            self.worker.claimer,
        )

    def stop(self) -> None:
        """Stop ticking; the rows in hand are finished or given back, then return."""
        self.worker.stop()
        self._scheduler.shutdown(wait=True)
