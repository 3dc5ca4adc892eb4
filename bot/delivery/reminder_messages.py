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
from bot.services.members import reader_for
from bot.services.registration import SessionSummary


def _offset(delivery: Delivery) -> timedelta:
    try:
        return parse_duration(delivery.offset_key)
    except ValueError:
        return timedelta(0)  # unknown: treated as hour-scale, never held


def _session_problem(session: ProgrammeSession | None, now: datetime) -> SkipReason | None:
    if session is None:
        return SkipReason.SESSION_GONE
    if session.cancelled_at is not None:
        return SkipReason.SESSION_CANCELLED
    if now >= session.starts_at:
        return SkipReason.SESSION_STARTED
    return None


def _later_reminder_due(db: Session, delivery: Delivery, now: datetime) -> bool:
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
            Delivery.state.in_(
                [DeliveryState.PENDING.value, DeliveryState.SENDING.value, DeliveryState.SENT.value]
            ),
        )
    )
    return bool(later)


def build_reminder(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery | HoldDelivery:
    session = db.get(ProgrammeSession, delivery.session_id)
    problem = _session_problem(session, now)
    if problem is not None or session is None:
        return SkipDelivery(problem or SkipReason.SESSION_GONE)
    member = db.get(Member, delivery.member_id) if delivery.member_id is not None else None
    if member is None:
        return SkipDelivery(SkipReason.MEMBER_GONE)
    registration = db.scalar(
        select(Registration).where(
            Registration.session_id == session.id, Registration.member_id == member.id
        )
    )
    offset = _offset(delivery)
    wanted = wanted_reminder(session, registration, offset)
    if wanted.skip_reason is not None:
        return SkipDelivery(wanted.skip_reason)
    if _later_reminder_due(db, delivery, now):
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
    reply = reminder_message(
        SessionSummary.of(session), reader.translator, now=now, attendance=attendance
    )
    return reply


def build_heads_up(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery | HoldDelivery:
    session = db.get(ProgrammeSession, delivery.session_id)
    problem = _session_problem(session, now)
    if problem is not None or session is None:
        return SkipDelivery(problem or SkipReason.SESSION_GONE)
    if delivery.recipient != settings.slack.announce_channel:
        return SkipDelivery(SkipReason.CHANNEL_CHANGED)
    language = settings.bot.language
    until = hold_until(
        now,
        offset=_offset(delivery),
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
