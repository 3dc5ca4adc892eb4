"""Executed once: every request let through is remembered, and a second one is not run.

The key of a slash command or an interactive payload is a digest of its
timestamp and signature (a replay within the 5-minute window repeats both;
a double click is two requests with two signatures).  An event's key is its
``event_id``, which Slack keeps on every retry.  In Socket Mode nothing is
signed: an envelope's key is its ``envelope_id`` (Slack redelivers an
unacknowledged envelope with the same id), an event's again its ``event_id``.
The row is inserted before bolt runs, with the primary key deciding
atomically (``ON CONFLICT DO NOTHING``), so two replicas given the same
request run it once between them.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Connection, Table, bindparam, delete, text
from sqlalchemy.orm import Session

from bot.models import SlackRequestSeen
from bot.runtime import Runtime

REMEMBERED_FOR = timedelta(minutes=10)
PURGE_EVERY_SECONDS = 60.0


def event_key(event_id: str) -> str:
    return f"event:{event_id}"


def signed_request_key(timestamp: str, signature: str) -> str:
    digest = hashlib.sha256(f"{timestamp}:{signature}".encode("ascii")).hexdigest()
    return f"signed:{digest}"


def envelope_key(envelope_id: str) -> str:
    return f"envelope:{envelope_id}"


# Every request runs this insert.  Written as text, the same on both databases:
# the dialects' ``insert().on_conflict_do_nothing()`` has no cache key, so
# SQLAlchemy compiled it anew for every request (0.2-0.4 ms on SQLite,
# bench/command_latency.py); a text statement is compiled once.
_SEEN = cast(Table, SlackRequestSeen.__table__)
_REMEMBER = text(
    'INSERT INTO slack_requests_seen ("key", seen_at) VALUES (:key, :seen_at) '
    'ON CONFLICT DO NOTHING RETURNING "key"'
).bindparams(
    bindparam("key", type_=_SEEN.c.key.type), bindparam("seen_at", type_=_SEEN.c.seen_at.type)
)


def remember_request(db: Session | Connection, key: str, now: datetime) -> bool:
    """Record *key*; ``False`` when it was already recorded (a replay or a retry)."""
    # RETURNING says whether the row went in (a rowcount may be -1).
    inserted = db.execute(_REMEMBER, {"key": key, "seen_at": now})
    return inserted.scalar_one_or_none() is not None


def purge_seen_requests(db: Session | Connection, now: datetime) -> int:
    result = db.execute(delete(_SEEN).where(_SEEN.c.seen_at < now - REMEMBERED_FOR))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


class SeenRequests:
    """The table as both transports use it: record a key, purging old rows now and then."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._next_purge = 0.0

    def first_time(self, key: str, now: datetime) -> bool:
        """``True`` the first time *key* is seen; raises SQLAlchemyError when it cannot tell."""
        # On SQLite the write queues behind this process's other writers
        # (bot/db.py FairLock) instead of sleeping in the busy handler.  A bare
        # connection, not a unit of work: every request runs this, and an ORM
        # session's set-up and commit cost more than the insert.
        with self.runtime.database.write_connection() as db:
            first_time = remember_request(db, key, now)
            if first_time and time.monotonic() >= self._next_purge:
                self._next_purge = time.monotonic() + PURGE_EVERY_SECONDS
                purge_seen_requests(db, now)
        return first_time
