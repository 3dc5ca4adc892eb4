"""E-mails to guests without Slack, and the COLLEAGUE_INVITATION DM.

A guest's messages are ordinary delivery rows whose recipient is
``guest:<id>`` (:mod:`bot.services.guest_records`): one GUEST_CALENDAR row
(the session's .ics, sent when the guest is registered) and the same
REMINDER rows a member gets, planned here from ``[reminders] offsets`` and
sent over SMTP by the worker (:mod:`bot.delivery.email_sender`).  Nothing is
planned while ``[email] smtp_url`` is empty.  A moved or cancelled session
queues SESSION_CHANGED and SESSION_CANCELLED rows for its guests beside its
members' (:mod:`bot.services.change_notices`); a guest's is an e-mail with
the updated .ics, skipped while e-mail is off.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.calendar import build_calendar
from bot.config import Settings
from bot.delivery.email_sender import EmailAttachment, OutgoingEmail
from bot.delivery.enqueue import enqueue_delivery
from bot.delivery.outcomes import HoldDelivery, OutgoingMessage, SkipDelivery, SkipReason
from bot.delivery.reminder_messages import (
    build_reminder,
    later_reminder_due,
    reminder_offset,
    session_problem,
)
from bot.delivery.reminder_planner import (
    Wanted,
    create_planned_row,
    planned_rows,
    reconcile_planned_row,
    upcoming_sessions,
    wanted_reminder,
)
from bot.delivery.session_notices import build_session_cancelled, build_session_changed
from bot.i18n import Translator
from bot.models import (
    Delivery,
    DeliveryKind,
    Guest,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.rendering.guests import (
    colleague_invitation_message,
    guest_calendar_email,
    guest_cancelled_email,
    guest_change_email,
    guest_reminder_email,
)
from bot.services.change_notices import change_notice
from bot.services.colleagues import invitation_notice
from bot.services.fees import participant_name
from bot.services.guest_records import guest_id_of, guest_recipient
from bot.services.members import reader_for
from bot.services.registration import SessionSummary
from bot.services.sessions import calendar_entries


def _guest_of(
    db: Session, delivery: Delivery
) -> tuple[Guest, Registration, ProgrammeSession] | SkipReason:
    guest_id = guest_id_of(delivery.recipient)
    guest = db.get(Guest, guest_id) if guest_id is not None else None
    if guest is None:
        return SkipReason.MEMBER_GONE
    session = db.get(ProgrammeSession, delivery.session_id)
    if session is None:
        return SkipReason.SESSION_GONE
    return guest, guest.registration, session


def _translator(guest: Guest, session: ProgrammeSession) -> Translator:
    # A guest's zone is unknown: the session's own, in the language of who brought them.
    return Translator(guest.language, session.timezone)


def build_guest_calendar(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery:
    found = _guest_of(db, delivery)
    if isinstance(found, SkipReason):
        return SkipDelivery(found)
    guest, registration, session = found
    problem = session_problem(session, now)
    if problem is not None:
        return SkipDelivery(problem)
    if registration.status != RegistrationStatus.CONFIRMED:
        return SkipDelivery(SkipReason.REGISTRATION_CANCELLED)
    t = _translator(guest, session)
    brought_by = participant_name(db.get(Member, guest.brought_by_member_id))
    email = guest_calendar_email(SessionSummary.of(session), guest.name, brought_by, t)
    return _with_ics(db, guest, session, email, t, now)


def _emailed_guest(
    db: Session, delivery: Delivery, settings: Settings
) -> tuple[Guest, Registration, ProgrammeSession] | SkipReason:
    """The guest of a change or cancellation row, who is told only while e-mail is on."""
    if not settings.email.enabled:
        return SkipReason.EMAIL_OFF
    return _guest_of(db, delivery)


def _with_ics(
    db: Session,
    guest: Guest,
    session: ProgrammeSession,
    email: tuple[str, str],
    t: Translator,
    now: datetime,
) -> OutgoingEmail:
    subject, body = email
    return OutgoingEmail(
        body, to=guest.email, subject=subject, attachments=(_session_ics(db, session, t, now),)
    )


def _session_ics(
    db: Session, session: ProgrammeSession, t: Translator, now: datetime
) -> EmailAttachment:
    """The session's event as it is now: a later version (moved, cancelled) replaces
    the one the guest's calendar holds, by its UID and SEQUENCE."""
    entries = calendar_entries(db, session.team_id, now, session.key)
    ics = build_calendar(
        ((e.view, e.updated_at, e.sequence) for e in entries),
        t,
        team_id=session.team_id,
        alarm_before=None,
        name=session.title,
    )
    return EmailAttachment(f"{session.key}.ics", "text/calendar", ics)


def build_guest_reminder(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery:
    found = _guest_of(db, delivery)
    if isinstance(found, SkipReason):
        return SkipDelivery(found)
    guest, registration, session = found
    problem = session_problem(session, now)
    if problem is not None:
        return SkipDelivery(problem)
    wanted = wanted_reminder(session, registration, reminder_offset(delivery))
    if wanted.skip_reason is not None:
        return SkipDelivery(wanted.skip_reason)
    if later_reminder_due(db, delivery, now):
        return SkipDelivery(SkipReason.SUPERSEDED)
    subject, body = guest_reminder_email(
        SessionSummary.of(session), guest.name, _translator(guest, session), now=now
    )
    return OutgoingEmail(body, to=guest.email, subject=subject)


def build_any_reminder(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery | HoldDelivery:
    """A REMINDER row: by e-mail to a guest, else the member's DM."""
    if guest_id_of(delivery.recipient) is not None:
        return build_guest_reminder(db, delivery, settings, now)
    return build_reminder(db, delivery, settings, now)


def build_any_session_changed(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery:
    """A SESSION_CHANGED row: by e-mail to a guest, else the member's DM."""
    if guest_id_of(delivery.recipient) is None:
        return build_session_changed(db, delivery, settings, now)
    found = _emailed_guest(db, delivery, settings)
    if isinstance(found, SkipReason):
        return SkipDelivery(found)
    guest, _registration, session = found
    notice = change_notice(db, delivery, now)
    if isinstance(notice, SkipReason):
        return SkipDelivery(notice)
    t = _translator(guest, session)
    return _with_ics(db, guest, session, guest_change_email(notice, guest.name, t), t, now)


def build_any_session_cancelled(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery:
    """A SESSION_CANCELLED row: by e-mail to a guest, else the member's DM."""
    if guest_id_of(delivery.recipient) is None:
        return build_session_cancelled(db, delivery, settings, now)
    found = _emailed_guest(db, delivery, settings)
    if isinstance(found, SkipReason):
        return SkipDelivery(found)
    guest, registration, session = found
    if session.cancelled_at is None:
        return SkipDelivery(SkipReason.NOT_CANCELLED)
    if registration.status == RegistrationStatus.CANCELLED:
        return SkipDelivery(SkipReason.REGISTRATION_CANCELLED)
    t = _translator(guest, session)
    email = guest_cancelled_email(SessionSummary.of(session), guest.name, t)
    return _with_ics(db, guest, session, email, t, now)


def build_colleague_invitation(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery:
    """Re-checked at sending time: an invitation answered, lapsed or cancelled is not sent."""
    notice = invitation_notice(db, delivery, settings.registration.offer_valid, now)
    if isinstance(notice, SkipReason):
        return SkipDelivery(notice)
    member = db.get(Member, delivery.member_id) if delivery.member_id else None
    reader = reader_for(member, delivery.recipient, settings, now)
    return colleague_invitation_message(notice, reader.translator)


def plan_guest_emails(db: Session, settings: Settings, now: datetime) -> int:
    """One GUEST_CALENDAR row per guest, and REMINDER rows as members get them."""
    if not settings.email.enabled:
        return 0
    sessions = upcoming_sessions(db, now)
    if not sessions:
        return 0
    guests = db.execute(
        select(Guest, Registration)
        .join(Registration, Registration.id == Guest.registration_id)
        .where(Guest.session_id.in_(list(sessions)))
    ).all()
    by_recipient = {
        (guest.session_id, guest_recipient(guest.id)): registration
        for guest, registration in guests
    }
    changed = 0
    for guest, registration in guests:
        if registration.status != RegistrationStatus.CONFIRMED:
            continue
        changed += int(
            enqueue_delivery(
                db,
                team_id=guest.team_id,
                session_id=guest.session_id,
                member_id=None,
                recipient=guest_recipient(guest.id),
                kind=DeliveryKind.GUEST_CALENDAR,
                due_at=guest.created_at,
                now=now,
            )
        )
    offsets = dict(zip(settings.reminders.offset_names, settings.reminders.offsets, strict=True))
    rows = {
        key: row
        for key, row in planned_rows(db, DeliveryKind.REMINDER, sessions).items()
        if guest_id_of(row.recipient) is not None
    }
    for row in rows.values():
        offset = offsets.get(row.offset_key)
        if offset is None:
            changed += reconcile_planned_row(
                db, row, Wanted(row.due_at, SkipReason.OFFSET_REMOVED), now
            )
            continue
        registration = by_recipient.get((row.session_id, row.recipient))
        wanted = wanted_reminder(sessions[row.session_id], registration, offset)
        changed += reconcile_planned_row(db, row, wanted, now)
    for (session_id, recipient), registration in by_recipient.items():
        if registration.status != RegistrationStatus.CONFIRMED:
            continue
        session = sessions[session_id]
        for name, offset in offsets.items():
            if (session_id, recipient, name) in rows:
                continue
            wanted = wanted_reminder(session, registration, offset)
            if wanted.skip_reason not in (None, SkipReason.REGISTERED_LATE):
                continue
            changed += create_planned_row(
                db,
                session,
                DeliveryKind.REMINDER,
                recipient=recipient,
                member_id=None,
                offset_key=name,
                wanted=wanted,
                now=now,
            )
    return changed
