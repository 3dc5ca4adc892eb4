"""Colleagues a member signs up: the seat is held until they answer.

A member registered for a session may sign up colleagues who are in Slack.
Each colleague's seat is held the way a priced waiting-list offer holds one
(:mod:`bot.services.offers`): their registration is ``offered`` from the
moment they were signed up, it counts against the capacity, and it lapses
after ``[registration] offer_valid`` (never past the start), when
:func:`bot.services.offers.expire_offers` gives the seat to the next in line.
A :class:`~bot.models.ColleagueInvitation` records who signed them up; the
colleague gets one COLLEAGUE_INVITATION DM with Accept and Decline.

Accepting makes them an ordinary registrant (reminders, feedback, fees); a
colleague without a profile is asked for it first (its organisation
defaults to the inviter's).  Accepting twice, or a replayed click, changes
nothing.  However the sign-up ends (accepted, declined, lapsed), the member
who made it hears of it in one DM (:mod:`bot.services.colleague_answers`).
Nobody already registered (or waiting, or already signed up) can
be signed up again, and there is no signing up for a full room.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import FeeSettings
from bot.delivery.reasons import SkipReason
from bot.errors import (
    DomainError,
    MembersOnly,
    NoOpenOffer,
    NotRegistered,
    ProfileRequired,
    RegistrationClosed,
    SessionCancelled,
)
from bot.i18n import N_
from bot.models import (
    Attendance,
    ColleagueInvitation,
    Delivery,
    DeliveryKind,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.services import registration as registrations
from bot.services.colleague_answers import ColleagueAnswer, close_invitation, open_invitation
from bot.services.fees import participant_name
from bot.services.members import ensure_member, find_member
from bot.services.membership import is_member
from bot.services.offers import offer_deadline
from bot.services.sessions import find_session

# Colleagues one submission may sign up (the form's multi-select allows as many).
MAX_COLLEAGUES = 10


class TooManyColleagues(DomainError):
    message_id = N_("You can sign up at most %(count)s colleagues at a time.")

    def __init__(self) -> None:
        super().__init__(count=MAX_COLLEAGUES)


class InvitationNotFound(DomainError):
    message_id = N_("There is no open sign-up of a colleague like that.")


class Refusal:
    """Why a colleague was not signed up (message ids, shown to the inviter)."""

    YOURSELF = N_("<@%(member)s>: that is you.")
    ALREADY = N_("<@%(member)s> is already registered or signed up.")
    FULL = N_("<@%(member)s>: no seat is left in the room.")


@dataclass(frozen=True)
class SignedUp:
    slack_user_id: str
    registration_id: int


@dataclass(frozen=True)
class ColleaguesOutcome:
    session: registrations.SessionSummary
    signed_up: tuple[SignedUp, ...]
    refused: tuple[tuple[str, str], ...]  # (slack user id, Refusal message id)
    expires_at: datetime


@dataclass(frozen=True)
class InvitationNotice:
    """What the colleague's DM says."""

    session: registrations.SessionSummary
    inviter: str
    organisation: str
    attendance: str
    expires_at: datetime


@dataclass(frozen=True)
class OpenInvitation:
    """A colleague the member signed up who has not answered yet (``/sdg my``)."""

    id: int
    session: registrations.SessionSummary
    slack_user_id: str
    expires_at: datetime


def _registered(db: Session, session: ProgrammeSession, member: Member) -> Registration:
    registration = registrations.registration_of(db, session.id, member.id)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        raise NotRegistered(session.title)
    return registration


def sign_up_colleagues(
    db: Session,
    team_id: str,
    slack_user_id: str,
    key: str,
    colleague_ids: list[str],
    now: datetime,
    *,
    offer_valid: timedelta,
) -> ColleaguesOutcome:
    """Hold a seat for each colleague in *colleague_ids* and queue their DM.

    The inviter must be registered (confirmed, waiting or offered) for *key*.
    Seats are counted under the session lock, so a full room refuses the
    colleagues who do not fit, in the order given.
    """
    wanted = list(dict.fromkeys(colleague_ids))
    if len(wanted) > MAX_COLLEAGUES:
        raise TooManyColleagues()
    session = registrations.lock_session(db, team_id, key, now)
    if session.cancelled_at is not None:
        raise SessionCancelled(session.title)
    if session.starts_at <= now:
        raise RegistrationClosed(session.title)
    inviter = find_member(db, team_id, slack_user_id)
    if inviter is None:
        raise NotRegistered(session.title)
    own = _registered(db, session, inviter)
    attendance = (
        own.attendance if session.is_hybrid else registrations.attendance_for(session, None)
    )
    signed_up: list[SignedUp] = []
    refused: list[tuple[str, str]] = []
    for colleague_id in wanted:
        if colleague_id == slack_user_id:
            refused.append((colleague_id, Refusal.YOURSELF))
            continue
        colleague = ensure_member(db, team_id, colleague_id, now)
        if colleague.organisation_id is None:
            # The profile asked on Accept starts from the inviter's organisation.
            colleague.organisation_id = inviter.organisation_id
        registration = registrations.registration_of(db, session.id, colleague.id)
        if registration is not None and registration.status != RegistrationStatus.CANCELLED:
            refused.append((colleague_id, Refusal.ALREADY))
            continue
        if (
            attendance == Attendance.ROOM
            and session.capacity > 0
            and registrations.room_seats_taken(db, session.id) >= session.capacity
        ):
            refused.append((colleague_id, Refusal.FULL))
            continue
        if registration is None:
            registration = Registration(
                team_id=team_id, session_id=session.id, member_id=colleague.id
            )
            db.add(registration)
        registration.status = RegistrationStatus.OFFERED
        registration.attendance = attendance
        registration.organisation_id = colleague.organisation_id
        registration.queued_at = now
        registration.registered_at = now
        registration.promoted_at = now  # the offer runs from here (offers.offer_deadline)
        registration.cancelled_at = None
        db.flush()
        db.add(
            ColleagueInvitation(
                team_id=team_id,
                registration_id=registration.id,
                invited_by_member_id=inviter.id,
                invited_at=now,
            )
        )
        registrations.enqueue_promotion(
            db, session, colleague, now, DeliveryKind.COLLEAGUE_INVITATION
        )
        signed_up.append(SignedUp(colleague_id, registration.id))
    db.flush()
    return ColleaguesOutcome(
        registrations.SessionSummary.of(session),
        tuple(signed_up),
        tuple(refused),
        min(now + offer_valid, session.starts_at),
    )


def _invited_registration(
    db: Session, team_id: str, slack_user_id: str, key: str
) -> tuple[ProgrammeSession, Member, Registration]:
    session = find_session(db, team_id, key)
    member = find_member(db, team_id, slack_user_id)
    registration = registrations.registration_of(db, session.id, member.id) if member else None
    if member is None or registration is None:
        raise NoOpenOffer(session.title)
    return session, member, registration


def accept_invitation(
    db: Session,
    team_id: str,
    slack_user_id: str,
    key: str,
    now: datetime,
    *,
    fees: FeeSettings,
    offer_valid: timedelta,
) -> registrations.RegistrationOutcome:
    """Take the held seat.  Raises ProfileRequired (nothing changed) without a profile."""
    session, member, registration = _invited_registration(db, team_id, slack_user_id, key)
    if registration.status == RegistrationStatus.CONFIRMED:
        # A double click or a replay: the first Accept did it.
        return registrations.register_member(
            db, team_id, slack_user_id, session.key, registration.attendance, now, fees=fees
        )
    if (
        registration.status != RegistrationStatus.OFFERED
        or offer_deadline(registration, session, offer_valid) <= now
    ):
        raise NoOpenOffer(session.title)
    if not member.has_profile:
        raise ProfileRequired(session.key, ask_attendance=False)
    if session.members_only:
        season = registrations.season_of_session(db, session)
        if not is_member(db, team_id, member.id, season.key):
            raise MembersOnly(session.key, session.title, season.key)
    close_invitation(db, registration, ColleagueAnswer.ACCEPTED, now)
    # register_member confirms an OFFERED registration under the session lock.
    return registrations.register_member(
        db, team_id, slack_user_id, session.key, registration.attendance, now, fees=fees
    )


def decline_invitation(
    db: Session, team_id: str, slack_user_id: str, key: str, now: datetime
) -> registrations.CancelOutcome:
    """Give the held seat back; it goes to the next in line.  Declining twice is harmless."""
    session, _member, registration = _invited_registration(db, team_id, slack_user_id, key)
    if registration.status == RegistrationStatus.CANCELLED:
        return registrations.CancelOutcome(
            registrations.SessionSummary.of(session), registration.status, already=True
        )
    if registration.status != RegistrationStatus.OFFERED:
        raise NoOpenOffer(session.title)
    close_invitation(db, registration, ColleagueAnswer.DECLINED, now)
    return registrations.cancel_registration(db, team_id, slack_user_id, session.key, now)


def withdraw_invitation(
    db: Session, team_id: str, slack_user_id: str, invitation_id: int, now: datetime
) -> registrations.SessionSummary:
    """The inviter takes back a sign-up not yet answered; the seat goes to the next in line.

    Only the member who signed the colleague up can; anyone else is told there is
    no such sign-up, which says nothing about other members' colleagues.
    """
    inviter = find_member(db, team_id, slack_user_id)
    invitation = db.get(ColleagueInvitation, invitation_id)
    if (
        inviter is None
        or invitation is None
        or invitation.team_id != team_id
        or invitation.invited_by_member_id != inviter.id
        or invitation.answer is not None
    ):
        raise InvitationNotFound()
    registration = invitation.registration
    session = registrations.lock_session(db, team_id, registration.session.key, now)
    db.refresh(registration)
    if registration.status != RegistrationStatus.OFFERED:
        raise InvitationNotFound()
    close_invitation(db, registration, ColleagueAnswer.WITHDRAWN, now)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    db.flush()
    registrations.fill_seats(db, session, now)
    return registrations.SessionSummary.of(session)


def open_invitations_by(
    db: Session, team_id: str, slack_user_id: str, now: datetime, offer_valid: timedelta
) -> list[OpenInvitation]:
    """The colleagues this member signed up for sessions that have not started, unanswered."""
    inviter = find_member(db, team_id, slack_user_id)
    if inviter is None:
        return []
    rows = db.execute(
        select(ColleagueInvitation, Registration, ProgrammeSession, Member.slack_user_id)
        .join(Registration, Registration.id == ColleagueInvitation.registration_id)
        .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
        .join(Member, Member.id == Registration.member_id)
        .where(
            ColleagueInvitation.team_id == team_id,
            ColleagueInvitation.invited_by_member_id == inviter.id,
            ColleagueInvitation.answer.is_(None),
            Registration.status == RegistrationStatus.OFFERED,
            ProgrammeSession.starts_at > now,
            ProgrammeSession.cancelled_at.is_(None),
        )
        .order_by(ProgrammeSession.starts_at, ColleagueInvitation.id)
    ).tuples()
    return [
        OpenInvitation(
            invitation.id,
            registrations.SessionSummary.of(session),
            colleague,
            offer_deadline(registration, session, offer_valid),
        )
        for invitation, registration, session, colleague in rows
        if offer_deadline(registration, session, offer_valid) > now
    ]


def invitation_notice(
    db: Session, delivery: Delivery, offer_valid: timedelta, now: datetime
) -> InvitationNotice | SkipReason:
    """What a COLLEAGUE_INVITATION delivery says, or why it is skipped (answered, lapsed...)."""
    session = db.get(ProgrammeSession, delivery.session_id)
    member = db.get(Member, delivery.member_id) if delivery.member_id else None
    if session is None:
        return SkipReason.SESSION_GONE
    if member is None:
        return SkipReason.MEMBER_GONE
    if session.cancelled_at is not None:
        return SkipReason.SESSION_CANCELLED
    registration = registrations.registration_of(db, session.id, member.id)
    if registration is None or registration.status != RegistrationStatus.OFFERED:
        return SkipReason.NOT_OFFERED
    expires = offer_deadline(registration, session, offer_valid)
    if expires <= now:
        return SkipReason.OFFER_LAPSED
    invitation = open_invitation(db, registration)
    if invitation is None:
        return SkipReason.NOT_OFFERED
    inviter = (
        db.get(Member, invitation.invited_by_member_id) if invitation.invited_by_member_id else None
    )
    organisation = inviter.organisation.name if inviter and inviter.organisation else ""
    return InvitationNotice(
        registrations.SessionSummary.of(session),
        participant_name(inviter),
        organisation,
        registration.attendance,
        expires,
    )
