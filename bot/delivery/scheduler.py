"""The clock for scheduled messages: planners every tick, sending every second.

APScheduler 3 cannot share a job store between processes, so it holds no
job per reminder: the database does.  ``serve`` runs three loops:

- the planners (which make the delivery rows match the programme) every
  ``[reminders] tick_seconds``, an APScheduler job;
- the worker (which sends what is due, and takes over a dead process's
  claims) every second, in its own thread, since a fan-out may run for
  minutes;
- the heartbeat, in its own thread, every fifth of
  ``[reminders] worker_timeout_seconds``, however long a fan-out takes.

Any number of ``sdgbot serve`` processes may run at once: planners take a
PostgreSQL advisory lock (SQLite serialises writers anyway) and the
worker's claims never overlap.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.db import ReadOnlyUnitOfWork
from bot.delivery import heartbeat
from bot.delivery.registry import Planner, planners
from bot.delivery.slack_sender import make_delivery_client
from bot.delivery.worker import DeliveryWorker, WorkReport
from bot.health import TickPulse
from bot.runtime import Runtime

log = logging.getLogger(__name__)

JOB_ID = "sdgbot-deliveries"
# How often an idle process looks for due rows (and dead processes' claims).
SEND_POLL_SECONDS = 1.0


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
    """Every registered planner, each in its own transaction; returns rows changed.

    Each runs first as a reader, and again as a writer only when it wants to
    change something.  Most ticks change nothing, and a planner reading
    thousands of registrations takes a few hundred milliseconds: on SQLite,
    as a writer, it held the one write lock every replica's 'sending' and
    'sent' commits wait for, and each tick of each replica stalled the
    fan-out that long.
    """
    changed = 0
    for planner in planners():
        try:
            if not _wants_to_write(runtime, planner, now):
                continue
            with runtime.unit_of_work(write=True) as db:
                if _planning_lock(db, planner):
                    changed += planner(db, runtime.settings, now)
        except Exception:
            # One broken planner must not stop the others, nor the sending.
            log.exception("planner %s failed", getattr(planner, "__qualname__", planner))
    return changed


def _wants_to_write(runtime: Runtime, planner: Planner, now: datetime) -> bool:
    """Run *planner* read-only; True when it tried to write (nothing is written here)."""
    try:
        with runtime.unit_of_work() as db:
            planner(db, runtime.settings, now)
    except ReadOnlyUnitOfWork:
        return True
    return False


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
    if worker is not None:
        return worker.run(lambda: now)
    one_off = DeliveryWorker(runtime, client)
    try:
        return one_off.run(lambda: now)
    finally:
        one_off.leave()


class DeliveryScheduler:
    """The planners, the sending loop and the heartbeat of one ``serve`` process."""

    def __init__(self, runtime: Runtime, client: WebClient | None = None) -> None:
        self.runtime = runtime
        self.worker = DeliveryWorker(runtime, client or make_delivery_client(runtime.settings))
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.heartbeat_seconds = runtime.settings.reminders.worker_timeout_seconds / 5
        # /healthz: a tick that finished recently (a failed one does not count).
        self.pulse = TickPulse()

    def live_workers(self, db: Session) -> int:
        """For /metrics: the processes whose heartbeat is fresh, this one included."""
        return heartbeat.live_worker_count(db, self.runtime.clock.now(), self.worker.timeout)

    def tick(self) -> None:
        """The planners; the sending loop picks up what they make due."""
        now = self.runtime.clock.now()
        try:
            run_planners(self.runtime, now)
            with self.runtime.unit_of_work(write=True) as db:
                heartbeat.forget_long_dead(db, now)
        except Exception:
            log.exception("delivery tick failed; the next tick tries again")
            return
        self.pulse.mark()

    def _send_loop(self, joined_others: bool) -> None:
        clock: Callable[[], datetime] = self.runtime.clock.now
        if joined_others:
            # Their shares shrink at their next heartbeat; ours waits for that.
            waited = self.worker.wait_for_shares(self._stopping, 3 * self.heartbeat_seconds)
            log.info("sending after %.1f s: the other processes pace for this one", waited)
        while not self._stopping.is_set():
            try:
                self.worker.run(clock, beat=False)
            except Exception:
                log.exception("delivery run failed; trying again in a second")
            self._stopping.wait(SEND_POLL_SECONDS)

    def _heartbeat_loop(self) -> None:
        while not self._stopping.wait(self.heartbeat_seconds):
            try:
                self.worker.beat()
            except Exception:
                # The others take over this process's claims if it stays silent.
                log.exception("heartbeat failed")

    def start(self) -> None:
        with self.runtime.unit_of_work(write=True) as db:
            gone = heartbeat.forget_dead_on_this_host(db, self.worker.identity)
        if gone:
            log.warning("taking over from stopped processes on this host: %s", ", ".join(gone))
        # Beat before anything is claimed; with others alive, send once they pace
        # for this one too, so their shares shrink first.
        live = self.worker.beat()
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
        beating = threading.Thread(
            target=self._heartbeat_loop, name="sdgbot-heartbeat", daemon=True
        )
        beating.start()
        sending = threading.Thread(
            target=self._send_loop, args=(live > 1,), name="sdgbot-deliveries", daemon=True
        )
        sending.start()
        self._threads = [beating, sending]
        log.info(
            "scheduled messages: planners every %ss, claims as %s (%s live)",
            self.runtime.settings.reminders.tick_seconds,
            self.worker.claimer,
            live,
        )

    def stop(self) -> None:
        """Stop; the rows in hand are finished or given back, then the heartbeat row goes."""
        self._stopping.set()
        self.worker.stop()
        self._scheduler.shutdown(wait=True)
        for thread in self._threads:
            thread.join(timeout=30)
        try:
            self.worker.leave()
        except Exception:
            log.exception("could not remove this worker's heartbeat")
