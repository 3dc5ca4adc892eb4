"""Guests without Slack a member brings: name, e-mail and role, same organisation.

A guest's seat is an ordinary registration without a member, confirmed at
once, so it counts wherever seats and fees are counted; a guest is never put
on the waiting list: when the room has too few seats left the whole
submission is refused and nothing is saved.  The guest is invoiced to the
organisation of the member who brought them:

* a priced session charges its price, with the discount for further
  participants from the same organisation (:mod:`bot.services.fees`);
* at a members-only session the guest is enrolled in the season's
  membership for that organisation (one enrolment per e-mail address and
  season, however many meetings), priced by the membership's own rules
  (:mod:`bot.services.membership`).  The member bringing them must be enrolled.

Only the member who brought a guest sees them (``/sdg my``) and can cancel
them; the seat then goes to the next in line.  Cancelling the guest's last
members-only seat before the season's first members-only session ends
their enrolment, as leaving does for a member.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.errors import (
    CancellationClosed,
    DomainError,
    FieldCode,
    FormErrors,
    MembersOnly,
    NotRegistered,
    ProfileRequired,
    RegistrationClosed,
    SessionCancelled,
)
from bot.i18n import N_
from bot.models import (
    Attendance,
    Delivery,
    Guest,
    Membership,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.services import registration as registrations
from bot.services.guest_records import guest_recipient
from bot.services.members import find_member
from bot.services.membership import first_members_meeting, is_member
from bot.services.profiles import ROLES

# Guest rows in the form: Block Kit modals hold 100 blocks, and a handful covers a delegation.
MAX_GUESTS = 3

FIELD_NAME = "name"
FIELD_EMAIL = "email"
FIELD_ROLE = "role"

# Deliberately simple: one @, a dot in the domain, no spaces or list separators.
EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+")


class GuestsNoRoom(DomainError):
    message_id = N_(
        "There is room for %(free)s more in the room at %(title)s, so no guest was added."
    )

    def __init__(self, title: str, free: int) -> None:
        super().__init__(title=title, free=free)


class GuestNotFound(DomainError):
    message_id = N_("There is no guest of yours like that.")


@dataclass(frozen=True)
class GuestInput:
    name: str
    email: str
    role: str


@dataclass(frozen=True)
class MyGuest:
    id: int
    name: str
    email: str
    role: str
    session: registrations.SessionSummary
    can_cancel: bool


@dataclass(frozen=True)
class GuestsOutcome:
    session: registrations.SessionSummary
    added: tuple[MyGuest, ...]


def validate_guest(name: str | None, email: str | None, role: str | None) -> FormErrors:
    """What is wrong with one guest row, field by field (falsy when it can be saved).

    A row left entirely empty is no guest and is not validated (see :func:`rows_given`).
    """
    problems = FormErrors()
    if not name or not name.strip():
        problems.add(FIELD_NAME, FieldCode.GUEST_NAME_MISSING)
    elif len(name.strip()) > 200:
        problems.add(FIELD_NAME, FieldCode.GUEST_NAME_TOO_LONG)
    address = (email or "").strip()
    if not address:
        problems.add(FIELD_EMAIL, FieldCode.GUEST_EMAIL_MISSING)
    elif len(address) > 254 or not EMAIL.fullmatch(address):
        problems.add(FIELD_EMAIL, FieldCode.GUEST_EMAIL_INVALID)
    if role not in ROLES:
        problems.add(FIELD_ROLE, FieldCode.GUEST_ROLE_MISSING)
    return problems


def rows_given(rows: list[tuple[str | None, str | None, str | None]]) -> list[int]:
    """The indexes of the guest rows the member filled in at all."""
    return [i for i, (name, email, role) in enumerate(rows) if name or email or role]


def _guest_view(guest: Guest, session: ProgrammeSession, now: datetime) -> MyGuest:
    return MyGuest(
        guest.id,
        guest.name,
        guest.email,
        guest.role,
        registrations.SessionSummary.of(session),
        can_cancel=session.starts_at > now,
    )


def _season_enrolment(
    db: Session, team_id: str, season_key: str, email: str, organisation_id: int | None
) -> Membership | None:
    """The guest's enrolment this season, when another meeting already made one."""
    return db.scalar(
        select(Membership)
        .join(Guest, Guest.membership_id == Membership.id)
        .where(
            Membership.team_id == team_id,
            Membership.season_key == season_key,
            Membership.left_at.is_(None),
            Membership.organisation_id == organisation_id,
            func.lower(Guest.email) == email.lower(),
        )
        .limit(1)
    )


def add_guests(
    db: Session,
    team_id: str,
    slack_user_id: str,
    key: str,
    guests: list[GuestInput],
    now: datetime,
    *,
    language: str,
) -> GuestsOutcome:
    """Add *guests* (already validated) to the member's registration for *key*.

    All or nothing: too few seats, a members-only session the member is not
    enrolled for, or a session that has started refuses them all.
    """
    session = registrations.lock_session(db, team_id, key, now)
    if session.cancelled_at is not None:
        raise SessionCancelled(session.title)
    if session.starts_at <= now:
        raise RegistrationClosed(session.title)
    member = find_member(db, team_id, slack_user_id)
    if member is None:
        raise NotRegistered(session.title)
    own = registrations.registration_of(db, session.id, member.id)
    if own is None or own.status == RegistrationStatus.CANCELLED:
        raise NotRegistered(session.title)
    if not member.has_profile:
        raise ProfileRequired(session.key, ask_attendance=False)
    season_key: str | None = None
    if session.members_only:
        season_key = registrations.season_of_session(db, session).key
        if not is_member(db, team_id, member.id, season_key):
            raise MembersOnly(session.key, session.title, season_key)
    attendance = (
        own.attendance if session.is_hybrid else registrations.attendance_for(session, None)
    )
    if attendance == Attendance.ROOM and session.capacity > 0:
        free = session.capacity - registrations.room_seats_taken(db, session.id)
        if free < len(guests):
            raise GuestsNoRoom(session.title, max(free, 0))
    added: list[MyGuest] = []
    for given in guests:
        registration = Registration(
            team_id=team_id,
            session_id=session.id,
            member_id=None,
            status=RegistrationStatus.CONFIRMED,
            attendance=attendance,
            organisation_id=member.organisation_id,
            queued_at=now,
            registered_at=now,
        )
        db.add(registration)
        membership: Membership | None = None
        email = given.email.strip()
        if season_key is not None:
            membership = _season_enrolment(db, team_id, season_key, email, member.organisation_id)
            if membership is None:
                membership = Membership(
                    team_id=team_id,
                    season_key=season_key,
                    member_id=None,
                    organisation_id=member.organisation_id,
                    enrolled_at=now,
                    changed_by=slack_user_id,
                )
                db.add(membership)
        db.flush()
        guest = Guest(
            team_id=team_id,
            session_id=session.id,
            registration_id=registration.id,
            brought_by_member_id=member.id,
            membership_id=membership.id if membership else None,
            name=given.name.strip(),
            email=email,
            role=given.role,
            language=language,
            created_at=now,
        )
        db.add(guest)
        db.flush()
        added.append(_guest_view(guest, session, now))
    return GuestsOutcome(registrations.SessionSummary.of(session), tuple(added))


def my_guests(db: Session, team_id: str, slack_user_id: str, now: datetime) -> list[MyGuest]:
    """The guests this member brought to sessions that have not ended, not cancelled."""
    member = find_member(db, team_id, slack_user_id)
    if member is None:
        return []
    rows = db.execute(
        select(Guest, ProgrammeSession)
        .join(Registration, Registration.id == Guest.registration_id)
        .join(ProgrammeSession, ProgrammeSession.id == Guest.session_id)
        .where(
            Guest.team_id == team_id,
            Guest.brought_by_member_id == member.id,
            Registration.status != RegistrationStatus.CANCELLED,
            ProgrammeSession.ends_at > now,
            ProgrammeSession.cancelled_at.is_(None),
        )
        .order_by(ProgrammeSession.starts_at, Guest.id)
    ).tuples()
    return [_guest_view(guest, session, now) for guest, session in rows]


def cancel_guest(
    db: Session, team_id: str, slack_user_id: str, guest_id: int, now: datetime
) -> MyGuest:
    """Give up a guest's seat.  Only the member who brought them can; cancelling twice is
    refused as not found, like any guest that is not theirs."""
    member = find_member(db, team_id, slack_user_id)
    guest = db.get(Guest, guest_id)
    if member is None or guest is None or guest.brought_by_member_id != member.id:
        raise GuestNotFound()
    registration = guest.registration
    session = registrations.lock_session(db, team_id, registration.session.key, now)
    db.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise GuestNotFound()
    if session.starts_at <= now:
        raise CancellationClosed(session.title)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    db.flush()
    if guest.membership_id is not None:
        _end_enrolment_if_unused(db, session, guest.membership_id, now)
    registrations.fill_seats(db, session, now)
    return _guest_view(guest, session, now)


def _end_enrolment_if_unused(
    db: Session, session: ProgrammeSession, membership_id: int, now: datetime
) -> None:
    still = db.scalar(
        select(func.count())
        .select_from(Guest)
        .join(Registration, Registration.id == Guest.registration_id)
        .where(
            Guest.membership_id == membership_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )
    if still:
        return
    membership = db.get(Membership, membership_id)
    if membership is None or membership.left_at is not None:
        return
    season = registrations.season_of_session(db, session)
    first = first_members_meeting(db, session.team_id, season)
    if first is None or now < first:
        membership.left_at = now
        membership.changed_by = ""


def forget_guests_of(db: Session, team_id: str, member_id: int, now: datetime) -> int:
    """The member's personal data is being erased: so are the guests they entered.

    A guest of a session that has not started gives up the seat (it goes to the
    waiting list) and the registration goes; a guest of a session that has
    started stays a participant without a name, as an erased member does.
    Their e-mails still to be sent go too.  Returns how many guests were forgotten.
    """
    brought = list(
        db.scalars(
            select(Guest).where(Guest.team_id == team_id, Guest.brought_by_member_id == member_id)
        )
    )
    for guest in brought:
        registration = guest.registration
        session = registration.session
        db.execute(
            delete(Delivery)
            .where(Delivery.team_id == team_id, Delivery.recipient == guest_recipient(guest.id))
            .execution_options(synchronize_session=False)
        )
        upcoming = session.starts_at > now
        if upcoming and registration.status != RegistrationStatus.CANCELLED:
            registrations.lock_session(db, team_id, session.key, now)
            registration.status = RegistrationStatus.CANCELLED
            registration.cancelled_at = now
            db.flush()
            if guest.membership_id is not None:
                _end_enrolment_if_unused(db, session, guest.membership_id, now)
            registrations.fill_seats(db, session, now)
        db.delete(guest)
        if upcoming:
            db.flush()
            db.delete(registration)
    db.flush()
    return len(brought)
