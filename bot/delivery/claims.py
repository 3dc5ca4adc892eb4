"""The delivery state machine in SQL: claim, start sending, record the outcome.

::

    pending --claim--> pending (claimed_by)
            --start_sending (CAS, committed before the call)--> sending
            --record_sent (committed right after the call)--> sent (message_ts)
    pending --skip (re-checked just before sending)--> skipped (skip_reason)
    pending --hold (quiet hours)--> pending (not_before), unclaimed
    sending --5xx, request not sent--> pending (not_before = backoff) ... --> failed
    sending --no answer (timeout after sending)--> pending: *possible duplicate*
    sending --its worker stopped beating (the process died)--> claimed again:
            *possible duplicate*

A claim is valid while the claiming worker's heartbeat is fresh (see
:mod:`bot.delivery.heartbeat`); a live process is never robbed however long
it takes, a dead one's claims are free a few seconds after its last beat.
Every transition is a compare-and-set on (state, claimed_by), so a process
that lost its claim can never move a row another process owns.  Claiming
uses ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (replicas take disjoint rows
without waiting on each other) and ``UPDATE ... WHERE`` with rowcount 1 under
``BEGIN IMMEDIATE`` on SQLite.

``lease_until`` is still written (claim time + the worker timeout) for the
previous release, which reads it during a rolling restart; nothing here
reads it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    bindparam,
    case,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from bot.delivery.heartbeat import claimer_is_live
from bot.models import DELIVERY_STILL_TO_SEND, Delivery, DeliveryState

# A row's moves run in a unit of work, or on the fan-out committer's bare
# connection (bot/delivery/group_commit.py): plain UPDATEs either way.
Writer = Session | Connection

PENDING = DeliveryState.PENDING.value
SENDING = DeliveryState.SENDING.value

# last_error of a row that may reach its recipient twice: Slack may have
# accepted a call whose outcome was never recorded.  Kept once written, so
# ``last_error LIKE 'possible duplicate%'`` counts them.
POSSIBLE_DUPLICATE = "possible duplicate"
TAKEN_OVER = f"{POSSIBLE_DUPLICATE}: taken over after its sender stopped"
UNANSWERED = f"{POSSIBLE_DUPLICATE}: Slack did not answer the call"


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    # True when the row was in 'sending' under a dead process: Slack may
    # already have posted it, so sending it now may be a duplicate.
    taken_over: bool


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        Delivery.due_at <= now,
        or_(Delivery.not_before.is_(None), Delivery.not_before <= now),
    )


@dataclass(frozen=True)
class Claimant:
    """Who claims, and as of when it judges the other workers' heartbeats.

    *judged_at*: the others count as dead when silent for the timeout as of
    this moment, not as of now.  The worker passes its own previous
    heartbeat: on SQLite a long write transaction holds back every
    process's heartbeat at once, and when it ends, the first claim must not
    take the rows of a process whose heartbeat is merely queued behind it;
    a heartbeat interval later it has beaten, or it is dead.
    """

    claimer: str
    judged_at: datetime | None = None
    # Also this claimer's own 'sending' rows: only when it has no call in
    # flight (between runs), so they are the ones whose outcome was not recorded.
    own_orphans: bool = False


def _claimable(now: datetime, timeout: timedelta, claimant: Claimant) -> ColumnElement[bool]:
    # A worker never counts itself dead: its own claims are in its threads'
    # hands, however late its heartbeat (a locked database holds it back).
    silent_other = and_(
        Delivery.claimed_by != claimant.claimer,
        ~claimer_is_live(claimant.judged_at or now, timeout),
    )
    unclaimed_or_orphaned = or_(Delivery.claimed_by.is_(None), silent_other)
    claimable = and_(DELIVERY_STILL_TO_SEND, unclaimed_or_orphaned)
    if not claimant.own_orphans:
        return claimable
    own_orphan = and_(Delivery.state == SENDING, Delivery.claimed_by == claimant.claimer)
    return or_(claimable, own_orphan)


def _claim_query(
    kinds: Collection[str], now: datetime, timeout: timedelta, limit: int, claimant: Claimant
) -> Any:
    return (
        select(Delivery.id, Delivery.state)
        .where(
            # Implied by _claimable, and there for the partial index of rows to send.
            DELIVERY_STILL_TO_SEND,
            Delivery.kind.in_(list(kinds)),
            _due(now),
            _claimable(now, timeout, claimant),
        )
        .order_by(Delivery.due_at, Delivery.id)
        .limit(limit)
    )


def anything_to_claim(
    db: Session,
    claimant: Claimant,
    *,
    kinds: Collection[str],
    now: datetime,
    timeout: timedelta,
) -> bool:
    """A read-only look, so an idle process does not take SQLite's write lock every second."""
    if not kinds:
        return False
    query = _claim_query(kinds, now, timeout, 1, claimant)
    return db.execute(query).first() is not None


def claim_due(
    db: Session,
    claimant: Claimant,
    *,
    kinds: Collection[str],
    now: datetime,
    timeout: timedelta,
    limit: int,
) -> list[Claimed]:
    """Take up to *limit* due rows of *kinds* that are unclaimed or a dead worker's."""
    if not kinds or limit <= 0:
        return []
    claimer = claimant.claimer
    query = _claim_query(kinds, now, timeout, limit, claimant)
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Delivery)
    chosen = db.execute(query).all()
    # One compare-and-set per state for the whole batch, not one per row: the
    # claim holds SQLite's write lock, which the sending threads wait for.
    taken: set[int] = set()
    for state in (PENDING, SENDING):
        ids = [delivery_id for delivery_id, row_state in chosen if row_state == state]
        if not ids:
            continue
        values: dict[str, object] = {
            "state": PENDING,
            "claimed_by": claimer,
            "lease_until": now + timeout,
        }
        if state == SENDING:
            values["last_error"] = TAKEN_OVER
        taken.update(
            db.scalars(
                update(Delivery)
                .where(
                    Delivery.id.in_(ids),
                    Delivery.state == state,
                    _claimable(now, timeout, claimant),
                )
                .values(**values)
                .returning(Delivery.id)
                .execution_options(synchronize_session=False)
            )
        )
    return [
        Claimed(delivery_id, state == SENDING)
        for delivery_id, state in chosen
        if delivery_id in taken
    ]


def due_kinds_without_builder(db: Session, kinds: Collection[str], now: datetime) -> set[str]:
    """Kinds with due pending rows that nothing can build (their feature is not there yet)."""
    query = (
        select(Delivery.kind)
        .where(
            DELIVERY_STILL_TO_SEND,
            Delivery.state == PENDING,
            _due(now),
            Delivery.kind.not_in(list(kinds)),
        )
        .distinct()
    )
    return set(db.scalars(query))


def _owned(delivery_id: int, claimer: str, state: str) -> ColumnElement[bool]:
    return and_(Delivery.id == delivery_id, Delivery.claimed_by == claimer, Delivery.state == state)


def _move(db: Writer, condition: ColumnElement[bool], **values: object) -> bool:
    result = db.execute(
        update(Delivery)
        .where(condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]


def start_sending(
    db: Writer, delivery_id: int, *, claimer: str, now: datetime, timeout: timedelta
) -> bool:
    """pending -> sending, only if this claimer still owns the row."""
    return _move(
        db,
        _owned(delivery_id, claimer, PENDING),
        state=SENDING,
        lease_until=now + timeout,
        attempts=Delivery.attempts + 1,
    )


def start_sending_many(
    db: Writer, delivery_ids: Collection[int], *, claimer: str, now: datetime, timeout: timedelta
) -> set[int]:
    """:func:`start_sending` for several rows in one statement; returns the rows moved.

    Core, not the ORM, and a statement built once: in a fan-out this runs
    for every few rows, and building the statement (its cache key) cost
    three times what SQLite took to run it.
    """
    if not delivery_ids:
        return set()
    moved = _connection(db).scalars(
        _START_SENDING,
        {"row_ids": list(delivery_ids), "claimer": claimer, "lease_until": now + timeout},
    )
    return set(moved)


def _table() -> Table:
    return cast(Table, Delivery.__table__)


def _fan_out_statements() -> tuple[Any, Any]:
    """The two moves every row of a fan-out makes, built once with bound parameters."""
    table = _table()
    start_sending = (
        update(table)
        .where(
            table.c.id.in_(bindparam("row_ids", expanding=True)),
            table.c.claimed_by == bindparam("claimer"),
            table.c.state == PENDING,
        )
        .values(
            state=SENDING,
            lease_until=bindparam("lease_until"),
            attempts=table.c.attempts + 1,
        )
        .returning(table.c.id)
    )
    record_sent = (
        update(table)
        .where(
            table.c.id == bindparam("row_id"),
            table.c.claimed_by == bindparam("claimer"),
            table.c.state == SENDING,
        )
        .values(
            state=DeliveryState.SENT.value,
            sent_at=bindparam("row_sent_at"),
            message_ts=bindparam("row_ts"),
            lease_until=None,
        )
    )
    return start_sending, record_sent


_START_SENDING, _RECORD_SENT = _fan_out_statements()


def _connection(db: Writer) -> Connection:
    return db.connection() if isinstance(db, Session) else db


def record_sent_many(
    db: Writer, sent: Collection[tuple[int, datetime, str]], *, claimer: str
) -> set[int]:
    """:func:`record_sent` for several (id, sent_at, ts) in one executemany.

    Returns the rows moved.
    """
    if not sent:
        return set()
    connection = _connection(db)
    result = connection.execute(
        _RECORD_SENT,
        [{"row_id": i, "claimer": claimer, "row_sent_at": at, "row_ts": ts} for i, at, ts in sent],
    )
    ids = {delivery_id for delivery_id, _, _ in sent}
    if result.rowcount == len(sent):
        return ids
    # Some row was no longer this claimer's: find which ones did move.
    wanted = {delivery_id: ts for delivery_id, _, ts in sent}
    table = _table()
    return {
        delivery_id
        for delivery_id, state, owner, ts in connection.execute(
            select(table.c.id, table.c.state, table.c.claimed_by, table.c.message_ts).where(
                table.c.id.in_(list(ids))
            )
        )
        if state == DeliveryState.SENT.value and owner == claimer and ts == wanted[delivery_id]
    }


def record_sent(db: Writer, delivery_id: int, *, claimer: str, now: datetime, ts: str) -> bool:
    return _move(
        db,
        _owned(delivery_id, claimer, SENDING),
        state=DeliveryState.SENT.value,
        sent_at=now,
        message_ts=ts,
        lease_until=None,
    )


def record_skipped(db: Writer, delivery_id: int, *, claimer: str, reason: str) -> bool:
    return _move(
        db,
        _owned(delivery_id, claimer, PENDING),
        state=DeliveryState.SKIPPED.value,
        skip_reason=reason[:200],
        lease_until=None,
    )


def hold(db: Writer, delivery_id: int, *, claimer: str, until: datetime) -> bool:
    """Back to the queue, not to be claimed before *until* (quiet hours)."""
    return _move(
        db,
        _owned(delivery_id, claimer, PENDING),
        not_before=until,
        claimed_by=None,
        lease_until=None,
    )


def release_after_rate_limit(
    db: Writer, delivery_id: int, *, claimer: str, not_before: datetime
) -> bool:
    """A 429 means Slack did not post it: back to pending, the call not counted."""
    return _move(
        db,
        _owned(delivery_id, claimer, SENDING),
        state=PENDING,
        not_before=not_before,
        claimed_by=None,
        lease_until=None,
        attempts=Delivery.attempts - 1,
    )


def _keeping_duplicate_mark(error: str) -> ColumnElement[str]:
    return case(
        (Delivery.last_error.startswith(POSSIBLE_DUPLICATE), Delivery.last_error),
        else_=literal(error[:200]),
    )


def release_for_retry(
    db: Writer, delivery_id: int, *, claimer: str, not_before: datetime, error: str
) -> bool:
    return _move(
        db,
        _owned(delivery_id, claimer, SENDING),
        state=PENDING,
        not_before=not_before,
        claimed_by=None,
        lease_until=None,
        last_error=_keeping_duplicate_mark(error),
    )


def release_unsent(
    db: Writer, delivery_id: int, *, claimer: str, not_before: datetime, error: str
) -> bool:
    """The message could not even be built (a bug): retry later, counted as an attempt."""
    return _move(
        db,
        _owned(delivery_id, claimer, PENDING),
        not_before=not_before,
        claimed_by=None,
        lease_until=None,
        attempts=Delivery.attempts + 1,
        last_error=error[:200],
    )


def record_failed(
    db: Writer, delivery_id: int, *, claimer: str, error: str, state: str = SENDING
) -> bool:
    return _move(
        db,
        _owned(delivery_id, claimer, state),
        state=DeliveryState.FAILED.value,
        lease_until=None,
        last_error=error[:200],
    )
