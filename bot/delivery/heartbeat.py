"""Worker heartbeats: which processes are alive, and so whose claims still count.

Every ``sdgbot serve`` process (and every one-off worker run) has a row in
``workers`` and refreshes ``last_seen`` about once a second from its own
thread, independent of how long a fan-out takes.  A delivery claimed by a
worker whose heartbeat is fresh is that worker's; once the heartbeat is
older than the timeout the worker is dead and its claims are free, so a
``kill -9`` costs a few seconds, not a lease.  The live rows are also the
replicas that share the workspace's sending budget
(:func:`live_worker_count`; ``/metrics`` shows it too).  Each row also says
how many replicas its process paces for (``pacing_for``): a process that
joins sends only once every other live one paces for it as well.

Heartbeats compare timestamps written by different hosts: their clocks must
agree to well under the timeout (NTP does).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, exists, func, select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.models import DELIVERY_STILL_TO_SEND, Delivery, Worker

# A dead worker's row is kept this long for operators, then deleted.
FORGET_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class WorkerIdentity:
    id: str
    host: str
    pid: int
    started: datetime


def identity(worker_id: str, started: datetime) -> WorkerIdentity:
    return WorkerIdentity(worker_id, socket.gethostname()[:255], os.getpid(), started)


def beat(db: Session, me: WorkerIdentity, now: datetime, *, pacing_for: int = 0) -> None:
    """Record that *me* is alive at *now* (creating its row the first time).

    *pacing_for*: the live replicas its share of the budget is now paced for.
    """
    result = db.execute(
        update(Worker)
        .where(Worker.id == me.id)
        .values(last_seen=now, pacing_for=pacing_for)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        db.add(
            Worker(
                id=me.id,
                host=me.host,
                pid=me.pid,
                started=me.started,
                last_seen=now,
                pacing_for=pacing_for,
            )
        )
        db.flush()


def leave(db: Session, worker_id: str) -> None:
    """A graceful stop: the others need not wait for the heartbeat to age."""
    db.execute(delete(Worker).where(Worker.id == worker_id))


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def forget_dead_on_this_host(db: Session, me: WorkerIdentity) -> list[str]:
    """At start: this host's workers whose process is gone are dead now, not in a timeout.

    A restarted ``serve`` so takes over its predecessor's claims at once.  A
    pid that has been reused merely falls back to the timeout.
    """
    rows = db.execute(
        select(Worker.id, Worker.pid).where(Worker.host == me.host, Worker.id != me.id)
    ).all()
    gone = [worker_id for worker_id, pid in rows if pid != me.pid and not _pid_running(pid)]
    if gone:
        db.execute(delete(Worker).where(Worker.id.in_(gone)))
    return gone


def forget_long_dead(db: Session, now: datetime) -> int:
    result = db.execute(delete(Worker).where(Worker.last_seen < now - FORGET_AFTER))
    return int(result.rowcount)  # type: ignore[attr-defined]


def claimer_is_live(now: datetime, timeout: timedelta) -> ColumnElement[bool]:
    """SQL: the delivery's ``claimed_by`` names a worker whose heartbeat is fresh."""
    return exists().where(Worker.id == Delivery.claimed_by, Worker.last_seen >= now - timeout)


def worker_timeout(settings: Settings) -> timedelta:
    """How long a silent worker counts as alive (``[reminders] worker_timeout_seconds``)."""
    return timedelta(seconds=settings.reminders.worker_timeout_seconds)


def _count_live(db: Session, now: datetime, timeout: timedelta, *where: ColumnElement[bool]) -> int:
    """How many workers with a fresh heartbeat also meet *where*."""
    query = select(func.count()).select_from(Worker).where(Worker.last_seen >= now - timeout)
    return int(db.scalar(query.where(*where)) or 0)


def live_worker_count(db: Session, now: datetime, timeout: timedelta) -> int:
    """How many processes are alive: the replicas that share the sending budget.

    For health and metrics: ``live_worker_count(db, now, worker_timeout(settings))``.
    """
    return _count_live(db, now, timeout)


def live_others(db: Session, me: str, now: datetime, timeout: timedelta) -> int:
    """How many processes besides *me* are alive."""
    return _count_live(db, now, timeout, Worker.id != me)


def others_pacing_for_fewer(
    db: Session, me: str, now: datetime, timeout: timedelta, replicas: int
) -> int:
    """Live processes besides *me* whose share is still paced for fewer than *replicas*."""
    return _count_live(db, now, timeout, Worker.id != me, Worker.pacing_for < replicas)


def claims_of_dead_workers(db: Session, now: datetime, timeout: timedelta) -> int:
    """Deliveries still claimed by workers that stopped beating (for logs and metrics)."""
    query = (
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.claimed_by.is_not(None), ~claimer_is_live(now, timeout))
        .where(DELIVERY_STILL_TO_SEND)
    )
    return int(db.scalar(query) or 0)
