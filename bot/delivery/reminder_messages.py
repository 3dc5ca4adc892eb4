"""Message builders for REMINDER and CHANNEL_HEADS_UP rows.

Each one re-checks, just before sending, everything that may have changed
since the row was planned; then it holds day-scale messages through quiet
hours and holidays; then it renders the message for its reader.

After downtime an overdue reminder still goes if the session has not
started, saying the true time left, unless a later reminder of the same
member and session is due as well: then only the latest goes ("starts in 40
minutes" once, not three reminders at the same minute).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery.outcomes import (
    HoldDelivery,
    HoldReason,
    OutgoingMessage,
    SkipDelivery,
    SkipReason,
)
from bot.delivery.quiet_hours import hold_until, holiday_country
from bot.delivery.reminder_planner import wanted_reminder
from bot.durations import parse_duration
from bot.i18n import Translator
from bot.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Member,
    ProgrammeSession,
    Registration,
)
from bot.rendering.reminders import heads_up_message, reminder_message
from bot.rendering.reply import Reply
from bot.services.members import Reader, reader_for
from bot.services.registration import SessionSummary

# Where prepare_reminders leaves a batch's rows for build_reminder (Session.info).
_BATCH = "reminder_batch"
_LIVE_STATES = [DeliveryState.PENDING.value, DeliveryState.SENDING.value, DeliveryState.SENT.value]


def reminder_offset(delivery: Delivery) -> timedelta:
    try:
        return parse_duration(delivery.offset_key)
    except ValueError:
        return timedelta(0)  # unknown: treated as hour-scale, never held


def session_problem(session: ProgrammeSession | None, now: datetime) -> SkipReason | None:
    if session is None:
        return SkipReason.SESSION_GONE
    if session.cancelled_at is not None:
        return SkipReason.SESSION_CANCELLED
    if now >= session.starts_at:
        return SkipReason.SESSION_STARTED
    return None


def later_reminder_due(db: Session, delivery: Delivery, now: datetime) -> bool:
    later = db.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(
            Delivery.session_id == delivery.session_id,
            Delivery.kind == DeliveryKind.REMINDER.value,
            Delivery.recipient == delivery.recipient,
            Delivery.id != delivery.id,
            Delivery.due_at > delivery.due_at,
            Delivery.due_at <= now,
            Delivery.state.in_(_LIVE_STATES),
        )
    )
    return bool(later)


@dataclass
class _ReminderBatch:
    """What build_reminder reads for many rows at once, loaded in a few queries."""

    now: datetime
    delivery_ids: set[int]
    sessions: dict[int, ProgrammeSession]
    members: dict[int, Member]
    registrations: dict[tuple[int, int | None], Registration]
    superseded: set[int]
    # The message depends on the session, the reader's language and zone and
    # the attendance, not on the member: built once per combination.
    messages: dict[tuple[int, str, str, str], Reply] = field(default_factory=dict)

    def message(
        self, session: ProgrammeSession, reader: Reader, attendance: str, now: datetime
    ) -> Reply:
        if now != self.now:
            return reminder_message(
                SessionSummary.of(session), reader.translator, now=now, attendance=attendance
            )
        key = (session.id, reader.language, reader.timezone, attendance)
        reply = self.messages.get(key)
        if reply is None:
            reply = reminder_message(
                SessionSummary.of(session), reader.translator, now=now, attendance=attendance
            )
            self.messages[key] = reply
        return reply


def prepare_reminders(db: Session, deliveries: Sequence[Delivery], now: datetime) -> None:
    """Load the sessions, members, registrations and later reminders of a batch of rows.

    The worker builds a claimed batch in one unit of work; after this,
    build_reminder finds what it reads in the session (or here) instead of
    asking the database four times per row.
    """
    if not deliveries:
        return
    session_ids = {d.session_id for d in deliveries}
    member_ids = {d.member_id for d in deliveries if d.member_id is not None}
    recipients = {d.recipient for d in deliveries}
    sessions = {
        s.id: s
        for s in db.scalars(select(ProgrammeSession).where(ProgrammeSession.id.in_(session_ids)))
    }
    members = {
        m.id: m for m in db.scalars(select(Member).where(Member.id.in_(member_ids))).unique()
    }
    registrations = {
        (r.session_id, r.member_id): r
        for r in db.scalars(
            select(Registration).where(
                Registration.session_id.in_(session_ids), Registration.member_id.in_(member_ids)
            )
        )
    }
    latest: dict[tuple[int, str], list[tuple[datetime, int]]] = {}
    for session_id, recipient, due_at, delivery_id in db.execute(
        select(Delivery.session_id, Delivery.recipient, Delivery.due_at, Delivery.id).where(
            Delivery.session_id.in_(session_ids),
            Delivery.kind == DeliveryKind.REMINDER.value,
            Delivery.recipient.in_(recipients),
            Delivery.due_at <= now,
            Delivery.state.in_(_LIVE_STATES),
        )
    ):
        latest.setdefault((session_id, recipient), []).append((due_at, delivery_id))
    superseded = {
        d.id
        for d in deliveries
        if any(
            due_at > d.due_at and other != d.id
            for due_at, other in latest.get((d.session_id, d.recipient), [])
        )
    }
    db.info[_BATCH] = _ReminderBatch(
        now, {d.id for d in deliveries}, sessions, members, registrations, superseded
    )


def build_reminder(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery | HoldDelivery:
    batch = db.info.get(_BATCH)
    if not isinstance(batch, _ReminderBatch) or delivery.id not in batch.delivery_ids:
        batch = None
    if batch is not None:
        session = batch.sessions.get(delivery.session_id)
    else:
        session = db.get(ProgrammeSession, delivery.session_id)
    problem = session_problem(session, now)
    if problem is not None or session is None:
        return SkipDelivery(problem or SkipReason.SESSION_GONE)
    if delivery.member_id is None:
        member = None
    elif batch is not None:
        member = batch.members.get(delivery.member_id)
    else:
        member = db.get(Member, delivery.member_id)
    if member is None:
        return SkipDelivery(SkipReason.MEMBER_GONE)
    if batch is not None:
        registration = batch.registrations.get((session.id, member.id))
    else:
        registration = db.scalar(
            select(Registration).where(
                Registration.session_id == session.id, Registration.member_id == member.id
            )
        )
    offset = reminder_offset(delivery)
    wanted = wanted_reminder(session, registration, offset)
    if wanted.skip_reason is not None:
        return SkipDelivery(wanted.skip_reason)
    superseded = (
        delivery.id in batch.superseded
        if batch is not None and now == batch.now
        else later_reminder_due(db, delivery, now)
    )
    if superseded:
        return SkipDelivery(SkipReason.SUPERSEDED)
    reader = reader_for(member, member.slack_user_id, settings, now)
    organisation_country = member.organisation.country if member.organisation else None
    until = hold_until(
        now,
        offset=offset,
        starts_at=session.starts_at,
        quiet=settings.reminders.quiet_hours,
        zone=reader.timezone,
        country=holiday_country(organisation_country, reader.language, settings.bot.language),
    )
    if until is not None:
        return HoldDelivery(until, HoldReason.QUIET)
    attendance = registration.attendance if registration is not None else ""
    if batch is not None:
        return batch.message(session, reader, attendance, now)
    return reminder_message(
        SessionSummary.of(session), reader.translator, now=now, attendance=attendance
    )


def build_heads_up(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery | HoldDelivery:
    session = db.get(ProgrammeSession, delivery.session_id)
    problem = session_problem(session, now)
    if problem is not None or session is None:
        return SkipDelivery(problem or SkipReason.SESSION_GONE)
    if delivery.recipient != settings.slack.announce_channel:
        return SkipDelivery(SkipReason.CHANNEL_CHANGED)
    language = settings.bot.language
    until = hold_until(
        now,
        offset=reminder_offset(delivery),
        starts_at=session.starts_at,
        quiet=settings.reminders.quiet_hours,
        zone=settings.bot.timezone,
        country=holiday_country(None, language, language),
    )
    if until is not None:
        return HoldDelivery(until, HoldReason.QUIET)
    t = Translator(language, settings.bot.timezone)
    reply = heads_up_message(SessionSummary.of(session), t, now=now)
    return reply
