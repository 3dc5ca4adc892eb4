"""Planners: make the reminder and heads-up rows match the programme and registrations.

They run at every tick and are idempotent, so registration code never has to
call them: whatever happened since the last tick (a registration, a
promotion, a cancellation, a moved session) is reflected in the rows.

For each confirmed registration of a session that has not started, and each
``[reminders] offsets`` entry, there is one REMINDER row due at
``starts - offset``:

* created *skipped* ("registered after due time") when that moment was
  already past when the member became confirmed (registered, or promoted
  from the waiting list): "starts in 1 hour" must not reach someone who
  signed up 20 minutes before the start;
* moved with its session while still pending; skipped if the new due time
  has already passed when the move is seen ("due time passed when the
  session moved": the change notice tells the member instead);
* skipped when the registration or the session is cancelled, and revived if
  the member registers again before the due time.

Rows that were sent, are being sent, failed, or were skipped by the worker
are never touched again.

The channel heads-up (``[slack] announce_channel``) is one CHANNEL_HEADS_UP
row per session, due at the smallest configured offset of at least one day
before the start (one day when none is that long).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery.enqueue import enqueue_delivery
from bot.delivery.outcomes import SkipReason
from bot.durations import format_duration
from bot.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.services.guest_records import GUEST_RECIPIENT_PREFIX

PENDING = DeliveryState.PENDING.value
SKIPPED = DeliveryState.SKIPPED.value


# Skips the planner decided and may undo when things change again.
PLANNER_REASONS = frozenset(
    {
        SkipReason.REGISTERED_LATE,
        SkipReason.CREATED_LATE,
        SkipReason.REGISTRATION_CANCELLED,
        SkipReason.NOT_CONFIRMED,
        SkipReason.SESSION_CANCELLED,
        SkipReason.MOVED_PAST_DUE,
        SkipReason.OFFSET_REMOVED,
        SkipReason.CHANNEL_CHANGED,
    }
)

HEADS_UP_MIN_OFFSET = timedelta(days=1)


@dataclass(frozen=True)
class Wanted:
    """What a row should be: pending at ``due_at``, or skipped for ``reason``."""

    due_at: datetime
    skip_reason: SkipReason | None = None


class PlannedRow(NamedTuple):
    # A tuple, not a dataclass: a tick reads one per reminder row of every
    # upcoming session (30,000 with 10,000 registrations and three offsets).
    id: int
    session_id: int
    recipient: str
    offset_key: str
    state: str
    due_at: datetime
    skip_reason: str | None


class RegistrationFacts(Protocol):
    """What planning reads of a registration: the model, or a row of these columns."""

    @property
    def status(self) -> str: ...

    @property
    def promoted_at(self) -> datetime | None: ...

    @property
    def registered_at(self) -> datetime: ...


def confirmed_since(registration: RegistrationFacts) -> datetime:
    """When the member got a seat: promotion from the waiting list, or registration."""
    return registration.promoted_at or registration.registered_at


def wanted_reminder(
    session: ProgrammeSession, registration: RegistrationFacts | None, offset: timedelta
) -> Wanted:
    due = session.starts_at - offset
    if session.cancelled_at is not None:
        return Wanted(due, SkipReason.SESSION_CANCELLED)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return Wanted(due, SkipReason.REGISTRATION_CANCELLED)
    if registration.status != RegistrationStatus.CONFIRMED:
        return Wanted(due, SkipReason.NOT_CONFIRMED)
    if due < confirmed_since(registration):
        return Wanted(due, SkipReason.REGISTERED_LATE)
    return Wanted(due)


def heads_up_offset(settings: Settings) -> tuple[str, timedelta]:
    """The smallest configured offset of at least a day, else one day."""
    day_scale = sorted(
        (offset, name)
        for name, offset in zip(
            settings.reminders.offset_names, settings.reminders.offsets, strict=True
        )
        if offset >= HEADS_UP_MIN_OFFSET
    )
    if day_scale:
        offset, name = day_scale[0]
        return name, offset
    return format_duration(HEADS_UP_MIN_OFFSET), HEADS_UP_MIN_OFFSET


def wanted_heads_up(session: ProgrammeSession, offset: timedelta) -> Wanted:
    due = session.starts_at - offset
    if session.cancelled_at is not None:
        return Wanted(due, SkipReason.SESSION_CANCELLED)
    if due < session.created_at:
        return Wanted(due, SkipReason.CREATED_LATE)
    return Wanted(due)


# --- the planners ------------------------------------------------------------------------


def plan_reminders(db: Session, settings: Settings, now: datetime) -> int:
    """Create, move, skip and revive REMINDER rows; returns how many rows changed."""
    sessions = upcoming_sessions(db, now)
    if not sessions:
        return 0
    offsets = dict(zip(settings.reminders.offset_names, settings.reminders.offsets, strict=True))
    # Plain rows of the columns planning reads, not models: a tick reads every
    # registration of every upcoming session.
    registrations = db.execute(
        select(
            Registration.session_id,
            Registration.member_id,
            Registration.status,
            Registration.promoted_at,
            Registration.registered_at,
            Member.slack_user_id,
        )
        .join(Member, Member.id == Registration.member_id)
        .where(Registration.session_id.in_(list(sessions)))
    ).all()
    by_recipient = {
        (registration.session_id, registration.slack_user_id): registration
        for registration in registrations
    }
    rows = planned_rows(db, DeliveryKind.REMINDER, sessions)
    changed = 0
    for row in rows.values():
        if row.recipient.startswith(GUEST_RECIPIENT_PREFIX):
            continue  # a guest's e-mail reminder: bot/delivery/guest_email.py plans it
        session = sessions[row.session_id]
        offset = offsets.get(row.offset_key)
        if offset is None:
            changed += reconcile_planned_row(
                db, row, Wanted(row.due_at, SkipReason.OFFSET_REMOVED), now
            )
            continue
        registration = by_recipient.get((row.session_id, row.recipient))
        changed += reconcile_planned_row(
            db, row, wanted_reminder(session, registration, offset), now
        )
    for registration in registrations:
        if registration.status != RegistrationStatus.CONFIRMED:
            continue  # no row until the member has a seat
        recipient = registration.slack_user_id
        session = sessions[registration.session_id]
        for name, offset in offsets.items():
            if (session.id, recipient, name) in rows:
                continue
            wanted = wanted_reminder(session, registration, offset)
            if wanted.skip_reason not in (None, SkipReason.REGISTERED_LATE):
                continue
            changed += create_planned_row(
                db,
                session,
                DeliveryKind.REMINDER,
                recipient=recipient,
                member_id=registration.member_id,
                offset_key=name,
                wanted=wanted,
                now=now,
            )
    return changed


def plan_heads_ups(db: Session, settings: Settings, now: datetime) -> int:
    """One channel heads-up per upcoming session when ``announce_channel`` is set
    (the session's own workspace's channel, with several workspaces)."""

    def channel_of(session: ProgrammeSession) -> str:
        return settings.for_team(session.team_id).slack.announce_channel

    sessions = upcoming_sessions(db, now)
    if not sessions:
        return 0
    name, offset = heads_up_offset(settings)
    rows = planned_rows(db, DeliveryKind.CHANNEL_HEADS_UP, sessions)
    changed = 0
    for row in rows.values():
        session = sessions[row.session_id]
        if row.recipient != channel_of(session) or row.offset_key != name:
            changed += reconcile_planned_row(
                db, row, Wanted(row.due_at, SkipReason.CHANNEL_CHANGED), now
            )
        else:
            changed += reconcile_planned_row(db, row, wanted_heads_up(session, offset), now)
    for session in sessions.values():
        channel = channel_of(session)
        if not channel or (session.id, channel, name) in rows:
            continue
        wanted = wanted_heads_up(session, offset)
        if wanted.skip_reason not in (None, SkipReason.CREATED_LATE):
            continue
        changed += create_planned_row(
            db,
            session,
            DeliveryKind.CHANNEL_HEADS_UP,
            recipient=channel,
            member_id=None,
            offset_key=name,
            wanted=wanted,
            now=now,
        )
    return changed


# --- shared steps ------------------------------------------------------------------------


def upcoming_sessions(db: Session, now: datetime) -> dict[int, ProgrammeSession]:
    sessions = db.scalars(select(ProgrammeSession).where(ProgrammeSession.starts_at > now))
    return {session.id: session for session in sessions}


def planned_rows(
    db: Session, kind: str, sessions: Iterable[int]
) -> dict[tuple[int, str, str], PlannedRow]:
    found = db.execute(
        select(
            Delivery.id,
            Delivery.session_id,
            Delivery.recipient,
            Delivery.offset_key,
            Delivery.state,
            Delivery.due_at,
            Delivery.skip_reason,
        ).where(Delivery.kind == str(kind), Delivery.session_id.in_(list(sessions)))
    ).all()
    rows = map(PlannedRow._make, found)
    return {(row.session_id, row.recipient, row.offset_key): row for row in rows}


def create_planned_row(
    db: Session,
    session: ProgrammeSession,
    kind: str,
    *,
    recipient: str,
    member_id: int | None,
    offset_key: str,
    wanted: Wanted,
    now: datetime,
) -> int:
    created = enqueue_delivery(
        db,
        team_id=session.team_id,
        session_id=session.id,
        member_id=member_id,
        recipient=recipient,
        kind=kind,
        due_at=wanted.due_at,
        now=now,
        offset_key=offset_key,
        state=PENDING if wanted.skip_reason is None else SKIPPED,
        skip_reason=wanted.skip_reason,
    )
    return int(created)


def reconcile_planned_row(db: Session, row: PlannedRow, wanted: Wanted, now: datetime) -> int:
    """Bring one existing row in line with *wanted*; 1 when it changed."""
    planner_skipped = row.state == SKIPPED and row.skip_reason in PLANNER_REASONS
    if row.state != PENDING and not planner_skipped:
        return 0  # sent, sending, failed, or skipped by the worker: history
    if wanted.skip_reason is not None:
        if row.state == PENDING:
            return _update(db, row, state=SKIPPED, skip_reason=wanted.skip_reason)
        return 0
    if row.state == PENDING:
        if row.due_at == wanted.due_at:
            return 0
        if wanted.due_at <= now:
            return _update(db, row, state=SKIPPED, skip_reason=SkipReason.MOVED_PAST_DUE)
        # A quiet-hours hold belonged to the old time.
        return _update(db, row, due_at=wanted.due_at, not_before=None)
    if wanted.due_at <= now:
        return 0  # too late to undo the skip: the moment has passed
    return _update(db, row, state=PENDING, skip_reason=None, due_at=wanted.due_at, not_before=None)


def _update(db: Session, row: PlannedRow, **values: object) -> int:
    # Only while the row is still in the state we read: a worker may have
    # claimed and sent it in the meantime.
    result = db.execute(
        update(Delivery)
        .where(Delivery.id == row.id, Delivery.state == row.state)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount == 1)  # type: ignore[attr-defined]
